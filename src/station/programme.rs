//! The programme files, read again or changed from the web UI: the timetable reads them again,
//! the reload or the change is in the audit log (who, which file, what), and the bus says so
//! (a head-end re-plans its village nodes; the runner plans from the timetable on its next
//! tick). It does not parse or edit the files itself: the timetable and `schedule::edit` do.

use super::Bus;
use crate::model::said;
use crate::model::{Event, Said};
use crate::schedule::edit::{Change, Changed, EditError, FileKind};
use crate::schedule::timetable::{Reloaded, Timetable};
use crate::store::{Store, StoreError, audit};

/// Why a change from the web UI was not made.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum ProgrammeError {
    /// The editor refused it (it would break the programme, the form is stale…).
    Edit(#[from] EditError),
    /// The station runs a fixed programme with no files behind it.
    NoFiles,
    /// The audit entry could not be written (the file is already changed and in force).
    Store(#[from] StoreError),
}

impl ProgrammeError {
    /// Why the change was not made, in each language.
    pub fn said(&self) -> Said {
        match self {
            ProgrammeError::Edit(e) => e.said(),
            ProgrammeError::NoFiles => said!(
                "lịch phát này không có tệp để sửa",
                "this programme has no files to edit"
            ),
            ProgrammeError::Store(e) => e.said(),
        }
    }
}

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
    record(store, by, "programme.reload", "programme", &detail)?;
    Ok(reloaded)
}

/// What one change from a form is: the file, the version the form read, what it does.
#[derive(Debug, Clone)]
pub struct Edit {
    /// Which folder.
    pub kind: FileKind,
    /// The file's name in it.
    pub file: String,
    /// The version the form was made from.
    pub version: String,
    /// In words for the audit log (`slot.add trua`).
    pub what: String,
    /// The changes, in order.
    pub changes: Vec<Change>,
}

/// Make `edit` in the programme files on behalf of `by`, audit it, and put the programme in
/// force without a restart. Blocks (files and the audit entry).
pub fn edit(
    timetable: &Timetable,
    store: &Store,
    events: &Bus,
    by: &str,
    edit: &Edit,
) -> Result<Changed, ProgrammeError> {
    let editor = timetable.editor().ok_or(ProgrammeError::NoFiles)?;
    let (changed, _) = editor.change(edit.kind, &edit.file, &edit.version, &edit.changes)?;
    if !changed.written {
        return Ok(changed);
    }
    let reloaded = timetable.reload();
    events.send(Event::Programme);
    let detail = serde_json::json!({
        "file": changed.path,
        "what": edit.what,
        "changes": edit.changes,
        "version": changed.version,
        "slots": reloaded.slots,
    });
    record(store, by, "programme.edit", &edit.file, &detail)?;
    Ok(changed)
}

fn record(
    store: &Store,
    by: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    store.with(|c| {
        let tx = c.transaction()?;
        audit::record(&tx, by, action, subject, detail)?;
        tx.commit()?;
        Ok(())
    })
}
