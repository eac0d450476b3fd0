-- Village clusters (issue 15).
--
-- On the head-end, as_run also holds what the nodes aired: `node` names the node (NULL: this
-- machine's own speakers) and `node_row` the row's id on that node; a row sent twice is stored
-- once, and a later revision of it (started → completed) replaces the earlier one.
-- On a node, `revision` grows with every change of a row and `delivered` is the revision the
-- head-end said it stored: rows with delivered < revision are the as-run queue.
ALTER TABLE as_run ADD COLUMN node TEXT;
ALTER TABLE as_run ADD COLUMN node_row TEXT;
ALTER TABLE as_run ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE as_run ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
-- A cue airs once per machine: the nodes' rows for the same cue live beside the head-end's.
DROP INDEX as_run_cue;
CREATE UNIQUE INDEX as_run_cue ON as_run(cue_key) WHERE cue_key IS NOT NULL AND node IS NULL;
CREATE UNIQUE INDEX as_run_node_row ON as_run(node, node_row) WHERE node IS NOT NULL;
CREATE INDEX as_run_undelivered ON as_run(id) WHERE delivered < revision;
CREATE TRIGGER as_run_revise
    AFTER UPDATE OF outcome, reason, first_sample_at, last_sample_at ON as_run
    WHEN NEW.node IS NULL
BEGIN
    UPDATE as_run SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;

-- Node: the plan it airs from, the highest version it was sent (one row).
CREATE TABLE node_plan (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

-- Node: the recordings in its cache, by SHA-256. `verified_size` and `verified_mtime` are the
-- file's size and modification time when its hash was last checked: a file that changed since
-- is hashed again before it airs.
CREATE TABLE media_cache (
    sha256 TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    verified_size INTEGER NOT NULL,
    verified_mtime INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    last_needed TEXT NOT NULL
) STRICT;

-- Head-end: each node's comings and goings (the connectivity report).
CREATE TABLE node_events (
    id INTEGER PRIMARY KEY,
    node TEXT NOT NULL,
    at TEXT NOT NULL,
    online INTEGER NOT NULL CHECK (online IN (0, 1)),
    reason TEXT
) STRICT;
CREATE INDEX node_events_at ON node_events(at);

-- Head-end: samples of each node's condition, at most one per node every few minutes and one
-- at every start (the condition report: restarts, errors, temperature, under-voltage).
CREATE TABLE node_condition (
    id INTEGER PRIMARY KEY,
    node TEXT NOT NULL,
    at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    restarts INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    temperature_c REAL,
    under_voltage INTEGER
) STRICT;
CREATE INDEX node_condition_at ON node_condition(at);
