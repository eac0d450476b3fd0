//! Whole database files, for backups and restores: a consistent copy of the live database
//! while the service writes to it, the check a copy must pass before it is trusted, and the
//! recordings a copy refers to. It does not copy the recordings or write the archive: `ops::backup`
//! does.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::Result;

/// Copy the database at `live` into a new file `to` with SQLite's online backup API: one
/// moment's snapshot, while writers carry on.
pub fn copy(live: &Path, to: &Path) -> Result<()> {
    let live = Connection::open_with_flags(live, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    live.backup(rusqlite::MAIN_DB, to, None)?;
    Ok(())
}

/// `PRAGMA integrity_check` of the database file at `path`: `Ok(())` when it is sound, else
/// SQLite's report.
pub fn check(path: &Path) -> Result<std::result::Result<(), String>> {
    let conn = Connection::open(path)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok(if verdict == "ok" {
        Ok(())
    } else {
        Err(verdict)
    })
}

/// The recordings the database file at `path` refers to, relative to its data folder.
pub fn recordings(path: &Path) -> Result<Vec<String>> {
    let conn = Connection::open(path)?;
    let mut stmt = conn.prepare("SELECT file FROM media ORDER BY id")?;
    let files = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(files.collect::<rusqlite::Result<_>>()?)
}
