-- Admins and their API keys. An email is unique without regard to case.
-- A key's hash is the hex SHA-256 of the whole key; the key itself is never
-- stored. page_id is '' for a global key; last_used_at and revoked_at are 0
-- while never used and while valid.

CREATE TABLE admins (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    email_key  TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    disabled   BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    admin_id     TEXT NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    page_id      TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL
);

CREATE INDEX api_keys_admin ON api_keys (admin_id);
