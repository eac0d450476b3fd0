-- Who last changed what an item or a slogan says: with its creator, they made the version under
-- review, so neither may approve or reject it (the review rules refuse them).
ALTER TABLE items ADD COLUMN edited_by INTEGER REFERENCES users(id);
ALTER TABLE slogans ADD COLUMN edited_by INTEGER REFERENCES users(id);
