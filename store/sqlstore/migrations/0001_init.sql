-- Initial schema. Times are BIGINT Unix milliseconds; {{id}} is the
-- dialect's auto-increment primary key.

CREATE TABLE pages (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE components (
    id          TEXT PRIMARY KEY,
    page_id     TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    group_id    TEXT NOT NULL,
    is_group    BOOLEAN NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    position    INTEGER NOT NULL,
    quorum      INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX components_page ON components (page_id, position, id);

-- definition is the JSON of catalog.Check without its version; digest is the
-- SHA-256 of that canonical encoding, compared to bump version.
CREATE TABLE checks (
    id           TEXT PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE INDEX checks_component ON checks (component_id);

CREATE TABLE check_states (
    check_id              TEXT NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
    region                TEXT NOT NULL,
    down                  BOOLEAN NOT NULL,
    degraded              BOOLEAN NOT NULL,
    consecutive_failures  INTEGER NOT NULL,
    consecutive_successes INTEGER NOT NULL,
    last_scheduled        BIGINT NOT NULL,
    last_message          TEXT NOT NULL,
    PRIMARY KEY (check_id, region)
);

-- failing_regions is a sorted, comma-separated list.
CREATE TABLE component_states (
    component_id    TEXT PRIMARY KEY REFERENCES components (id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    since           BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    failing_regions TEXT NOT NULL
);

-- Incidents are history: they outlive the pages and components they name,
-- so they hold no foreign key to them. resolved_at is NULL while open.
CREATE TABLE incidents (
    id          {{id}},
    page_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    impact      TEXT NOT NULL,
    automatic   BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    resolved_at BIGINT
);

CREATE INDEX incidents_created ON incidents (created_at, id);
CREATE INDEX incidents_page_created ON incidents (page_id, created_at, id);
CREATE INDEX incidents_unresolved ON incidents (created_at, id) WHERE resolved_at IS NULL;

CREATE TABLE incident_components (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    component_id TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (incident_id, component_id)
);

CREATE INDEX incident_components_component ON incident_components (component_id);

CREATE TABLE incident_updates (
    id          {{id}},
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE INDEX incident_updates_incident ON incident_updates (incident_id, created_at);

-- Raw probe results for the embedded mode; durations in microseconds.
CREATE TABLE results (
    result_id     TEXT PRIMARY KEY,
    check_id      TEXT NOT NULL,
    component_id  TEXT NOT NULL,
    agent_id      TEXT NOT NULL,
    region        TEXT NOT NULL,
    check_version BIGINT NOT NULL,
    scheduled     BIGINT NOT NULL,
    started       BIGINT NOT NULL,
    duration_us   BIGINT NOT NULL,
    dns_us        BIGINT NOT NULL,
    connect_us    BIGINT NOT NULL,
    tls_us        BIGINT NOT NULL,
    first_byte_us BIGINT NOT NULL,
    transfer_us   BIGINT NOT NULL,
    success       BOOLEAN NOT NULL,
    status_code   INTEGER NOT NULL,
    error_class   TEXT NOT NULL,
    message       TEXT NOT NULL
);

CREATE INDEX results_series ON results (component_id, check_id, started);
