-- Typed bulletins: an item whose recording a voice read from a text. The item row carries the
-- review state, the window and the recording, so it airs like any item; this row keeps what
-- was written and what the voice was given to read.
CREATE TABLE bulletin_texts (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    voice TEXT NOT NULL,
    rate INTEGER NOT NULL CHECK (rate BETWEEN 80 AND 450),
    reading TEXT NOT NULL
) STRICT;
