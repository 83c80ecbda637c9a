-- State owned by partition (issue 6). Check states are no longer a row per
-- check and region written on every batch: each results-topic partition keeps
-- a snapshot of its check states (JSON) and the offsets it has applied.
DROP TABLE check_states;

-- applied_offset: every message at or below it has its results in the time
-- series and its component states and incidents here. snapshot holds the check
-- states as of snapshot_offset (<= applied_offset); after a restart the
-- messages between the two are replayed into the check states only.
CREATE TABLE partition_watermarks (
    topic           TEXT NOT NULL,
    kafka_partition INTEGER NOT NULL,
    applied_offset  BIGINT NOT NULL,
    snapshot_offset BIGINT NOT NULL,
    snapshot        TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (topic, kafka_partition)
);

-- regions is the per-region view (JSON). seq orders writes within a
-- partition: a stored state with a higher seq wins over an older write.
ALTER TABLE component_states ADD COLUMN no_data BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE component_states ADD COLUMN stale BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE component_states ADD COLUMN regions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE component_states ADD COLUMN incident_open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE component_states ADD COLUMN incident_worst TEXT NOT NULL DEFAULT '';
ALTER TABLE component_states ADD COLUMN incident_resolved_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE component_states ADD COLUMN kafka_partition INTEGER NOT NULL DEFAULT 0;
ALTER TABLE component_states ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

CREATE INDEX component_states_partition ON component_states (kafka_partition);
