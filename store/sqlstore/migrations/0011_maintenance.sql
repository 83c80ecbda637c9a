-- Scheduled maintenance (issue 10). Times are Unix ms, 0 while unset.
-- reminders and sent are comma-separated reminder names (day_before,
-- hour_before, at_start, at_completion); recurrence is the rule's text, ''
-- for a one-off, read with the page's time zone from recurrence_start for
-- recurrence_ms. series_id is the first window of a series (0: a one-off).
-- version moves with every write: people's writes compare-and-set on it.
CREATE TABLE maintenances (
    id            {{id}},
    page_id       TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    completed_at  BIGINT NOT NULL,
    cancelled_at  BIGINT NOT NULL,
    auto_start    BOOLEAN NOT NULL,
    auto_end      BOOLEAN NOT NULL,
    private       BOOLEAN NOT NULL,
    reminders     TEXT NOT NULL,
    sent          TEXT NOT NULL,
    notify        BOOLEAN NOT NULL,
    tweet         BOOLEAN NOT NULL,
    custom_tweet  TEXT NOT NULL,
    recurrence    TEXT NOT NULL,
    recurrence_start BIGINT NOT NULL,
    recurrence_ms BIGINT NOT NULL,
    series_id     BIGINT NOT NULL,
    occurrence    INTEGER NOT NULL,
    spawned       BOOLEAN NOT NULL,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE INDEX maintenances_page ON maintenances (page_id, starts_at);
CREATE INDEX maintenances_status ON maintenances (status, starts_at);

CREATE TABLE maintenance_components (
    maintenance_id BIGINT NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    component_id   TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (maintenance_id, component_id)
);

CREATE INDEX maintenance_components_component ON maintenance_components (component_id);

-- display_at is 0 when it is created_at.
CREATE TABLE maintenance_updates (
    id             {{id}},
    maintenance_id BIGINT NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    display_at     BIGINT NOT NULL,
    private        BOOLEAN NOT NULL,
    by_person      BOOLEAN NOT NULL
);

CREATE INDEX maintenance_updates_maintenance ON maintenance_updates (maintenance_id, id);

-- The transitions applied by the clock, one row per transition key
-- (maintenance.Transition.Key; a reminder's key also names its due time,
-- since a rescheduled window's reminders fall due again). The primary key
-- is what lets exactly one aggregator carry a transition out: the loser's
-- insert does nothing and its transaction changes nothing.
CREATE TABLE maintenance_transitions (
    transition_key TEXT PRIMARY KEY,
    maintenance_id BIGINT NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    applied_at     BIGINT NOT NULL
);

CREATE INDEX maintenance_transitions_maintenance ON maintenance_transitions (maintenance_id, due_at);

-- Reminders that fell due, for the notifications issue to deliver;
-- missed ones are recorded as passed over and not to be sent.
-- delivered_at is 0 until sent.
CREATE TABLE maintenance_reminders (
    id             {{id}},
    maintenance_id BIGINT NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    reminder       TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    missed         BOOLEAN NOT NULL,
    recorded_at    BIGINT NOT NULL,
    delivered_at   BIGINT NOT NULL
);

CREATE INDEX maintenance_reminders_pending ON maintenance_reminders (delivered_at, id);
