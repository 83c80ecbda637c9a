-- Incidents run by people (package incident): every field of
-- incident.Incident and incident.Update. Times are BIGINT Unix ms, 0 when
-- unset; deleted incidents stay as rows with deleted_at set, shown nowhere.
ALTER TABLE incidents ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN custom_status TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN started_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN backfilled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN taken_over BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN postmortem_body TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN postmortem_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN notify_deliver BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN notify_tweet BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incidents ADD COLUMN custom_tweet TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN deleted_at BIGINT NOT NULL DEFAULT 0;

-- status is the component status the incident sets ('' when it only
-- concerns the component), status_position its place among those set.
ALTER TABLE incident_components ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_components ADD COLUMN status_position INTEGER NOT NULL DEFAULT 0;

-- components is the JSON list of the transitions the update announced:
-- [{"component":ID,"old":STATUS,"new":STATUS}].
ALTER TABLE incident_updates ADD COLUMN custom_status TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_updates ADD COLUMN display_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incident_updates ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incident_updates ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incident_updates ADD COLUMN components TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incident_updates ADD COLUMN notify_deliver BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incident_updates ADD COLUMN notify_tweet BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE incident_updates ADD COLUMN custom_tweet TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_updates ADD COLUMN by_person BOOLEAN NOT NULL DEFAULT FALSE;

-- A page's custom incident statuses (incident.Vocabulary), in order.
CREATE TABLE incident_statuses (
    page_id  TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    standard TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (page_id, name)
);
