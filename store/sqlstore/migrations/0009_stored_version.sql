-- One counter that every transaction changing what the API's read model
-- holds (catalog writes, component states, day buckets, incidents) moves
-- before it commits, whichever process writes: a reader that finds it
-- unchanged knows its snapshot is current, so reads stay monotonic across
-- aggregators without reading every table per request.
CREATE TABLE stored_version (
    id INTEGER PRIMARY KEY,
    v  BIGINT NOT NULL
);
INSERT INTO stored_version (id, v) VALUES (1, 0);
