-- Recordings in the library. The file is content-addressed: `sha256` names it on disk, so
-- the same recording uploaded twice is stored once.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    original_name TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL
        CHECK (category IN ('bulletin', 'greeting', 'notice', 'music', 'emergency', 'jingle')),
    container TEXT NOT NULL,
    codec TEXT NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    integrated_lufs REAL NOT NULL,
    loudness_range_lu REAL,
    true_peak_dbtp REAL,
    gain_db REAL NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    created_by TEXT NOT NULL
) STRICT;
CREATE INDEX media_category ON media(category);
