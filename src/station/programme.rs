//! Reloading the programme files after the IT person edited them: the timetable reads them
//! again, the reload is in the audit log, and the bus says so (a head-end re-plans its
//! village nodes). It does not parse the files itself: the timetable does.

use super::Bus;
use crate::model::Event;
use crate::schedule::timetable::{Reloaded, Timetable};
use crate::store::{Store, StoreError, audit};

/// Read the programme files again on behalf of `by` and put them in force. Blocks (it reads
/// files and writes the audit entry).
pub fn reload(
    timetable: &Timetable,
    store: &Store,
    events: &Bus,
    by: &str,
) -> Result<Reloaded, StoreError> {
    let reloaded = timetable.reload();
    events.send(Event::Programme);
    let detail = serde_json::json!({"slots": reloaded.slots, "problems": reloaded.problems});
    store.with(|c| {
        let tx = c.transaction()?;
        audit::record(&tx, by, "programme.reload", "programme", &detail)?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(reloaded)
}
