-- Small facts the service keeps between runs (the runner's last heartbeat, ...).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
