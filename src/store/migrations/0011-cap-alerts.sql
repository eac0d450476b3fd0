-- The CAP alerts the station acted on, by sender and identifier (CAP's unique pair), so that a
-- feed polled again, the same alert posted twice or a restart never airs it a second time; a
-- Cancel is kept with the alerts it names ('cancelled'), so a late copy of those does not air.
CREATE TABLE cap_alerts (
    sender TEXT NOT NULL,
    identifier TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('aired', 'drill', 'cancel', 'cancelled')),
    via TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (sender, identifier)
) STRICT;
