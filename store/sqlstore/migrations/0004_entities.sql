-- The operators' entities (issue 8): every field of a page, a component's
-- display options and its places on several pages, who manages each entity
-- (the configuration file's path, or '' for the API), and the audit log.
-- Unique fields are '' when unset; partial unique indexes skip those.
ALTER TABLE pages ADD COLUMN subdomain TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN custom_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;
-- password_hash is bcrypt; allowed_cidrs a comma-separated list.
ALTER TABLE pages ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN allowed_cidrs TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pages ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN favicon_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN brand_color TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN background_color TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN text_color TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN dark_theme BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pages ADD COLUMN hide_powered_by BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pages ADD COLUMN website_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN support_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN privacy_url TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN robots_meta TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN analytics_id TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN no_subscriptions BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pages ADD COLUMN alert_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pages ADD COLUMN alert_title TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN alert_message TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN managed TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX pages_subdomain ON pages (subdomain) WHERE subdomain <> '';
CREATE UNIQUE INDEX pages_custom_domain ON pages (custom_domain) WHERE custom_domain <> '';

-- start_date is Unix ms of midnight UTC, 0 for none.
ALTER TABLE components ADD COLUMN hide_uptime BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE components ADD COLUMN start_date BIGINT NOT NULL DEFAULT 0;
ALTER TABLE components ADD COLUMN only_show_if_degraded BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE components ADD COLUMN managed TEXT NOT NULL DEFAULT '';

-- Every page a component sits on, its primary page (components.page_id)
-- included, with its position there.
CREATE TABLE page_components (
    page_id      TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    PRIMARY KEY (page_id, component_id)
);

CREATE INDEX page_components_component ON page_components (component_id);
CREATE INDEX page_components_order ON page_components (page_id, position, component_id);

INSERT INTO page_components (page_id, component_id, position) SELECT page_id, id, position FROM components;

-- Check definitions are now {"v":1,...} in the configuration's words
-- (package catalog/checkdef); older rows, without "v", still decode.
ALTER TABLE checks ADD COLUMN managed TEXT NOT NULL DEFAULT '';

-- Until now every entity came from the configuration file.
UPDATE pages SET managed = 'config';
UPDATE components SET managed = 'config';
UPDATE checks SET managed = 'config';

-- before_json and after_json are the entity as JSON, 'null' when absent.
CREATE TABLE audit_log (
    id          {{id}},
    at          BIGINT NOT NULL,
    principal   TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_entity ON audit_log (entity_kind, entity_id, id);
CREATE INDEX audit_log_principal ON audit_log (principal, id);
