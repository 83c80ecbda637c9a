-- The members of a group, for the metrics of one group (ComponentScope)
-- without listing every component.
CREATE INDEX components_group ON components (group_id);
