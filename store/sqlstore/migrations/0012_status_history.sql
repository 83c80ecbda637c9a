-- A person's status on a component, held until cleared: it wins over the
-- probes, incidents and maintenance (see package componentstatus).
CREATE TABLE component_overrides (
    component_id TEXT PRIMARY KEY REFERENCES components (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    since        BIGINT NOT NULL,
    by_principal TEXT NOT NULL
);

-- The status each component shows and why, as last decided: the probes'
-- status unless an override, an incident or a maintenance holds it. Every
-- transaction that changes an input of the decision updates it.
CREATE TABLE component_effective (
    component_id TEXT PRIMARY KEY REFERENCES components (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    source       TEXT NOT NULL,
    ref_id       BIGINT NOT NULL,
    since        BIGINT NOT NULL,
    probe        TEXT NOT NULL
);

-- Every change of the status a component shows: from, to, when and why.
-- History outlives nothing: a deleted component takes its history along.
CREATE TABLE component_status_history (
    id           {{id}},
    component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    source       TEXT NOT NULL,
    ref_id       BIGINT NOT NULL,
    at           BIGINT NOT NULL
);

CREATE INDEX component_status_history_at ON component_status_history (component_id, at, id);
