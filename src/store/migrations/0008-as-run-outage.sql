-- A relayed stream's outage is a line of the as-run log of its own (outcome 'outage'), with the
-- times listeners stopped and started hearing the stream. SQLite cannot change a CHECK in
-- place: the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE as_run_new (
    id INTEGER PRIMARY KEY,
    cue_key TEXT,
    item_id INTEGER REFERENCES items(id),
    media_id INTEGER REFERENCES media(id),
    label TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('schedule', 'manual', 'emergency', 'live', 'cli')),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('started', 'completed', 'interrupted', 'stopped', 'failed', 'missed', 'skipped', 'outage')),
    reason TEXT,
    planned_at TEXT,
    first_sample_at TEXT,
    last_sample_at TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
INSERT INTO as_run_new (id, cue_key, item_id, media_id, label, source, outcome, reason,
        planned_at, first_sample_at, last_sample_at, created_at)
    SELECT id, cue_key, item_id, media_id, label, source, outcome, reason,
        planned_at, first_sample_at, last_sample_at, created_at FROM as_run;
DROP TABLE as_run;
ALTER TABLE as_run_new RENAME TO as_run;
CREATE INDEX as_run_first ON as_run(first_sample_at);
CREATE INDEX as_run_planned ON as_run(planned_at);
CREATE UNIQUE INDEX as_run_cue ON as_run(cue_key) WHERE cue_key IS NOT NULL;
