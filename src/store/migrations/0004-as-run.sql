-- What really aired: one row per play, with the times the first and last samples reached the
-- output. Scheduled plays carry the key of their cue, so a restart never airs a cue twice.
CREATE TABLE as_run (
    id INTEGER PRIMARY KEY,
    cue_key TEXT,
    item_id INTEGER REFERENCES items(id),
    media_id INTEGER REFERENCES media(id),
    label TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('schedule', 'manual', 'emergency', 'live', 'cli')),
    outcome TEXT NOT NULL
        CHECK (outcome IN ('started', 'completed', 'interrupted', 'stopped', 'failed', 'missed', 'skipped')),
    reason TEXT,
    planned_at TEXT,
    first_sample_at TEXT,
    last_sample_at TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX as_run_first ON as_run(first_sample_at);
CREATE INDEX as_run_planned ON as_run(planned_at);
CREATE UNIQUE INDEX as_run_cue ON as_run(cue_key) WHERE cue_key IS NOT NULL;
