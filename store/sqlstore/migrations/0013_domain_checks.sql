-- A page's custom domain as the CNAME checker last left it (see package
-- domains): the status it shows and the last attempt. verified_at is 0
-- when never verified; chain is a JSON array of names.
CREATE TABLE page_domains (
    page_id     TEXT PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    expected    TEXT NOT NULL,
    status      TEXT NOT NULL,
    last_result TEXT NOT NULL,
    chain       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    checked_at  BIGINT NOT NULL,
    verified_at BIGINT NOT NULL
);

-- Every check of a page's custom domain, each with its own result, the
-- last few per page (the store trims older ones as it appends).
CREATE TABLE page_domain_checks (
    id         {{id}},
    page_id    TEXT NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    expected   TEXT NOT NULL,
    result     TEXT NOT NULL,
    chain      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    checked_at BIGINT NOT NULL
);

CREATE INDEX page_domain_checks_page ON page_domain_checks (page_id, id);
