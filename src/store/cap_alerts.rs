//! The `cap_alerts` table: every CAP alert acted on, by sender and identifier, so none is acted
//! on twice (a feed polled again, the same alert posted twice, a restart).
//! It does not parse alerts or decide whether one counts: that is `emergency::cap`'s.

use rusqlite::{Connection, OptionalExtension, params};

use super::parsed;
use crate::model::CapAction;

/// Note that the alert `(sender, identifier)` is being acted on with `action`, arriving `via`
/// (the API or a feed's address). `false` when it already was: then nothing is changed.
pub fn claim(
    conn: &Connection,
    sender: &str,
    identifier: &str,
    action: CapAction,
    via: &str,
) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT INTO cap_alerts (sender, identifier, action, via) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (sender, identifier) DO NOTHING",
        params![sender, identifier, action.as_str(), via],
    )?;
    Ok(added == 1)
}

/// Forget a claim whose action could not be carried out, so a later copy may try again.
pub fn release(conn: &Connection, sender: &str, identifier: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM cap_alerts WHERE sender = ?1 AND identifier = ?2",
        params![sender, identifier],
    )?;
    Ok(())
}

/// What was done with the alert `(sender, identifier)` and when, if it was acted on.
pub fn get(
    conn: &Connection,
    sender: &str,
    identifier: &str,
) -> rusqlite::Result<Option<(CapAction, String)>> {
    conn.query_row(
        "SELECT action, received_at FROM cap_alerts WHERE sender = ?1 AND identifier = ?2",
        params![sender, identifier],
        |r| Ok((parsed::<CapAction>(r, 0)?, r.get(1)?)),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn an_alert_is_claimed_once_and_a_released_one_can_be_claimed_again() {
        let store = Store::open_in_memory().unwrap();
        store
            .with(|c| {
                assert!(claim(c, "kttv", "A1", CapAction::Aired, "api")?);
                assert!(!claim(c, "kttv", "A1", CapAction::Drill, "feed")?);
                assert!(
                    claim(c, "khac", "A1", CapAction::Aired, "api")?,
                    "another sender"
                );
                assert_eq!(
                    get(c, "kttv", "A1")?.map(|(a, _)| a),
                    Some(CapAction::Aired)
                );
                release(c, "kttv", "A1")?;
                assert_eq!(get(c, "kttv", "A1")?, None);
                assert!(claim(c, "kttv", "A1", CapAction::Aired, "api")?);
                Ok(())
            })
            .unwrap();
    }
}
