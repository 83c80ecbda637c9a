-- Frozen months (issue 9): per component and closed month of its page's
-- time zone (month is YYYYMM), the totals of the month's day buckets as
-- they were once the month was over plus the grace period. Written once
-- (INSERT ... ON CONFLICT DO NOTHING) and never updated: the metrics
-- endpoint serves them as they were. A later recomputation that disagrees
-- is recorded once in mismatch_at (Unix ms, 0: none) and mismatch (the
-- recomputed totals, JSON), and the frozen figures stay.
CREATE TABLE frozen_months (
    component_id   TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    month          INTEGER NOT NULL,
    major_ms       BIGINT NOT NULL,
    partial_ms     BIGINT NOT NULL,
    degraded_ms    BIGINT NOT NULL,
    maintenance_ms BIGINT NOT NULL,
    no_data_ms     BIGINT NOT NULL,
    observed_ms    BIGINT NOT NULL,
    impact_ms      BIGINT NOT NULL,
    outages        INTEGER NOT NULL,
    frozen_at      BIGINT NOT NULL,
    mismatch_at    BIGINT NOT NULL DEFAULT 0,
    mismatch       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (component_id, month)
);
