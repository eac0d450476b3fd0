-- Slogans and notices for the LED panel, reviewed like broadcast items before they show.
CREATE TABLE slogans (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '#ff0000',
    effect TEXT NOT NULL DEFAULT 'scroll' CHECK (effect IN ('scroll', 'static', 'blink')),
    speed_px_s INTEGER NOT NULL DEFAULT 0 CHECK (speed_px_s BETWEEN 0 AND 500),
    hold_s INTEGER NOT NULL DEFAULT 5 CHECK (hold_s BETWEEN 1 AND 600),
    show_from TEXT,
    show_until TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'expired')),
    reject_reason TEXT,
    -- NULL: shipped with the demo content, not written by anyone here.
    created_by INTEGER REFERENCES users(id),
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX slogans_state ON slogans(state, position);
