-- Day buckets (issue 9): per component and day of its page's time zone
-- (day is YYYYMMDD), the milliseconds of each class of time and the
-- outages started. Rows hold absolute totals, written in the same
-- transaction as the component state and guarded by the same seq, so a
-- replayed batch writes the same values again and counts nothing twice.
CREATE TABLE day_buckets (
    component_id   TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    day            INTEGER NOT NULL,
    major_ms       BIGINT NOT NULL,
    partial_ms     BIGINT NOT NULL,
    degraded_ms    BIGINT NOT NULL,
    maintenance_ms BIGINT NOT NULL,
    no_data_ms     BIGINT NOT NULL,
    observed_ms    BIGINT NOT NULL,
    impact_ms      BIGINT NOT NULL,
    outages        INTEGER NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (component_id, day)
);

CREATE INDEX day_buckets_day ON day_buckets (day);

-- uptime is the component's bucket cursor (JSON): its class of time since
-- the last accounting and the totals of its current day.
ALTER TABLE component_states ADD COLUMN uptime TEXT NOT NULL DEFAULT '{}';

-- A component's availability objective: target in percent (0: none) over
-- a window of whole days.
ALTER TABLE components ADD COLUMN slo_target DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE components ADD COLUMN slo_window_days INTEGER NOT NULL DEFAULT 0;
