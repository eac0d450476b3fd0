-- Revisions: an edit of approved content waits in a row of its own (revision_of = the approved
-- row) while the approved version keeps airing or showing; approving it copies it over the
-- approved row, which then carries its number. `editors` lists everyone who changed the version
-- (user ids, JSON): none of them may approve or reject it.
ALTER TABLE items ADD COLUMN revision_of INTEGER REFERENCES items(id) ON DELETE CASCADE;
ALTER TABLE items ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN editors TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX items_one_revision ON items(revision_of) WHERE revision_of IS NOT NULL;
UPDATE items SET editors = json_array(edited_by) WHERE edited_by IS NOT NULL;
ALTER TABLE slogans ADD COLUMN revision_of INTEGER REFERENCES slogans(id) ON DELETE CASCADE;
ALTER TABLE slogans ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE slogans ADD COLUMN editors TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX slogans_one_revision ON slogans(revision_of) WHERE revision_of IS NOT NULL;
UPDATE slogans SET editors = json_array(edited_by) WHERE edited_by IS NOT NULL;
