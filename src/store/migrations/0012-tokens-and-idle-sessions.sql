-- API tokens get a scope (what they may do within their user's role: everything the role
-- allows, only CAP alerts, or only reading) and are revoked rather than deleted, so a script
-- still using a revoked one is told so, and the list keeps what existed.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'role'
    CHECK (scope IN ('role', 'cap', 'read'));
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;

-- Sessions end after a while without use; sessions open at the upgrade count from their start.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
