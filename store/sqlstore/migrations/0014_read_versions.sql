-- Versions that let the API's read model re-read only what moved.
--
-- stored_version.catalog moves with every write of pages, components and
-- checks (the transactions that move v under the catalog lock), so a
-- snapshot keeps the catalog it holds while only states moved.
ALTER TABLE stored_version ADD COLUMN catalog BIGINT NOT NULL DEFAULT 0;

-- stored_version.frozen moves with every freeze of closed months, so the
-- API trusts that a month it found not frozen is still not while it stays.
ALTER TABLE stored_version ADD COLUMN frozen BIGINT NOT NULL DEFAULT 0;

-- component_states.rv moves with every write of the row, so a snapshot
-- re-reads (and decodes) only the states whose rv moved.
ALTER TABLE component_states ADD COLUMN rv BIGINT NOT NULL DEFAULT 0;
