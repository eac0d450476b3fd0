//! The one source of truth at run time: SQLite, in WAL mode, with versioned migrations.
//!
//! All SQL of the crate lives in this module, as typed functions per table that take and give
//! the model's plain types ([`crate::model`]); it imports nothing else of the crate, and never
//! decides whether a change is allowed (that is the review rules' and the use cases'). The
//! connection is never held across an `.await`: async callers go through [`Store::run`], which
//! hops to a blocking thread. Commits are durable (`synchronous = FULL`): a power cut after a
//! commit returns loses nothing. A row that would break a uniqueness rule is
//! [`StoreError::Conflict`], never an error message to search for "UNIQUE".

pub mod asrun;
pub mod audit;
pub mod bulletins;
pub mod cap_alerts;
pub mod cluster;
pub mod items;
pub mod media;
pub mod meta;
pub mod review;
pub mod slogans;
pub mod snapshot;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Row};
use rusqlite_migration::{M, Migrations};

use crate::model::Said;
use crate::model::said;

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum StoreError {
    /// The data folder cannot be created.
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The row would repeat one that must be unique (a login name, a token): the caller says
    /// which in words people understand.
    Conflict(String),
    /// SQLite refused.
    Sqlite(rusqlite::Error),
    /// The schema could not be brought up to date.
    Migration(#[from] rusqlite_migration::Error),
    /// The blocking task died (a bug); the database is unchanged.
    Task(String),
}

impl StoreError {
    /// What went wrong, in each language.
    pub fn said(&self) -> Said {
        match self {
            StoreError::DataDir { path, source } => {
                let path = path.display();
                said!(
                    "không tạo được thư mục dữ liệu \"{path}\": {source} — hãy kiểm tra quyền ghi hoặc đổi data_dir",
                    "cannot create the data folder \"{path}\": {source} — check write permission or change data_dir"
                )
            }
            StoreError::Conflict(what) => said!("đã có: {what}", "already exists: {what}"),
            StoreError::Sqlite(e) => said!("lỗi cơ sở dữ liệu: {e}", "database error: {e}"),
            StoreError::Migration(e) => said!(
                "không nâng cấp được cơ sở dữ liệu: {e} — hãy khôi phục bản sao lưu",
                "cannot upgrade the database: {e} — restore a backup"
            ),
            StoreError::Task(e) => {
                said!(
                    "tác vụ cơ sở dữ liệu bị huỷ: {e}",
                    "database task aborted: {e}"
                )
            }
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    /// A uniqueness constraint SQLite enforced becomes [`StoreError::Conflict`] by its
    /// extended code, so callers match a variant, not a message.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::SqliteFailure(f, detail)
                if matches!(
                    f.extended_code,
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::Conflict(detail.clone().unwrap_or_else(|| e.to_string()))
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Column `i`, text the row keeps for a typed value, read back through `convert`: a value this
/// version does not know is a conversion error naming the column, never a panic.
fn text_as<T>(
    r: &Row<'_>,
    i: usize,
    convert: impl FnOnce(String) -> std::result::Result<T, String>,
) -> rusqlite::Result<T> {
    convert(r.get(i)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

/// Column `i` parsed as a `T` (a role, a category, a state…).
fn parsed<T: std::str::FromStr<Err = Said>>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    text_as(r, i, |s| s.parse().map_err(|e: Said| e.to_string()))
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001-initial.sql")),
        M::up(include_str!("migrations/0002-media.sql")),
        M::up(include_str!("migrations/0003-accounts.sql")),
        M::up(include_str!("migrations/0004-as-run.sql")),
        M::up(include_str!("migrations/0005-meta.sql")),
        M::up(include_str!("migrations/0006-slogans.sql")),
        M::up(include_str!("migrations/0007-edited-by.sql")),
        M::up(include_str!("migrations/0008-as-run-outage.sql")),
        M::up(include_str!("migrations/0009-bulletins.sql")),
        M::up(include_str!("migrations/0010-cluster.sql")),
        M::up(include_str!("migrations/0011-cap-alerts.sql")),
        M::up(include_str!("migrations/0012-tokens-and-idle-sessions.sql")),
        M::up(include_str!("migrations/0013-revisions.sql")),
        M::up_with_hook(
            include_str!("migrations/0014-warnings-in-both-languages.sql"),
            |tx: &rusqlite::Transaction<'_>| Ok(media::keep_warnings_apart(tx)?),
        ),
    ])
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path)?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The database file, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Run `f` with the connection on this thread (CLI, player and runner threads).
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        // A panic while holding the lock leaves SQLite itself consistent (the transaction
        // rolled back when dropped), so the poisoned connection is safe to keep using.
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut conn)
    }

    /// Run `f` with the connection on a blocking thread, for async callers.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.with(f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Like [`Store::run`], for closures with their own error type (the review rules', say), so
    /// the caller still sees which kind of failure it was.
    pub async fn call<T, E, F>(&self, f: F) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut Connection) -> std::result::Result<T, E> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = store.conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(StoreError::Task(e.to_string())))?
    }

    /// Whether the database answers at all (health checks, the systemd watchdog).
    pub async fn ping(&self) -> Result<()> {
        self.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    /// `PRAGMA quick_check`: `Ok(())` when the database is sound, else SQLite's report.
    pub fn check_integrity(&self) -> Result<std::result::Result<(), String>> {
        self.with(|c| {
            let report: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            Ok(if report == "ok" { Ok(()) } else { Err(report) })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn file_database_is_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/loaxa.sqlite3")).unwrap();
        store
            .with(|c| {
                let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                assert_eq!(mode, "wal");
                assert_eq!(fk, 1);
                Ok(())
            })
            .unwrap();
        assert_eq!(store.check_integrity().unwrap(), Ok(()));
    }

    #[test]
    fn reopening_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("loaxa.sqlite3");
        {
            let s = Store::open(&p).unwrap();
            s.with(|c| {
                let tx = c.transaction()?;
                audit::record(&tx, "test", "demo.seed", "", &serde_json::json!({}))?;
                tx.commit()?;
                Ok(())
            })
            .unwrap();
        }
        let s = Store::open(&p).unwrap();
        let n = s
            .with(|c| Ok(audit::list(c, &audit::Filter::default())?.len()))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_repeated_unique_value_is_a_typed_conflict() {
        let store = Store::open_in_memory().unwrap();
        let insert = || {
            store.with(|c| {
                let tx = c.transaction()?;
                users::insert(&tx, "ten", "Tên", crate::model::Role::Editor, "x")?;
                tx.commit()?;
                Ok(())
            })
        };
        insert().unwrap();
        match insert() {
            Err(StoreError::Conflict(what)) => assert!(what.contains("users.name"), "{what}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
}
