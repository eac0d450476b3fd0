//! The `media` table: recordings in the library. It does not touch the files themselves:
//! `media::library` keeps them.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::parsed;
use crate::model::{Analysis, Category, Media, NewMedia};

const COLUMNS: &str = "id, sha256, file, original_name, title, category, container, codec, \
    sample_rate, channels, duration_ms, integrated_lufs, loudness_range_lu, true_peak_dbtp, \
    gain_db, warnings, bytes, created_at, created_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Media> {
    let warnings: String = r.get(15)?;
    Ok(Media {
        id: r.get(0)?,
        sha256: r.get(1)?,
        file: r.get(2)?,
        original_name: r.get(3)?,
        title: r.get(4)?,
        category: parsed(r, 5)?,
        analysis: Analysis {
            container: r.get(6)?,
            codec: r.get(7)?,
            sample_rate: r.get(8)?,
            channels: r.get(9)?,
            duration_ms: u64::try_from(r.get::<_, i64>(10)?).unwrap_or(0),
            integrated_lufs: r.get(11)?,
            loudness_range_lu: r.get(12)?,
            true_peak_dbtp: r.get(13)?,
            warnings: serde_json::from_str(&warnings).unwrap_or_default(),
        },
        gain_db: r.get(14)?,
        bytes: u64::try_from(r.get::<_, i64>(16)?).unwrap_or(0),
        created_at: r.get(17)?,
        created_by: r.get(18)?,
    })
}

/// Add a recording; the caller's transaction also writes the audit entry.
pub fn insert(tx: &Transaction<'_>, m: &NewMedia<'_>) -> rusqlite::Result<i64> {
    let a = m.analysis;
    tx.execute(
        "INSERT INTO media (sha256, file, original_name, title, category, container, codec,
            sample_rate, channels, duration_ms, integrated_lufs, loudness_range_lu,
            true_peak_dbtp, gain_db, warnings, bytes, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            m.sha256,
            m.file,
            m.original_name,
            m.title,
            m.category.as_str(),
            a.container,
            a.codec,
            a.sample_rate,
            a.channels,
            i64::try_from(a.duration_ms).unwrap_or(i64::MAX),
            a.integrated_lufs,
            a.loudness_range_lu,
            a.true_peak_dbtp,
            m.gain_db,
            serde_json::to_string(&a.warnings).unwrap_or_else(|_| "[]".into()),
            i64::try_from(m.bytes).unwrap_or(i64::MAX),
            m.created_by,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The recording with this id.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Media>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM media WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// The recording with this content hash.
pub fn by_sha256(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<Media>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM media WHERE sha256 = ?1"),
        [sha256],
        from_row,
    )
    .optional()
}

/// Recordings, newest first, optionally of one category.
pub fn list(conn: &Connection, category: Option<Category>) -> rusqlite::Result<Vec<Media>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM media WHERE (?1 IS NULL OR category = ?1) ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([category.map(Category::as_str)], from_row)?;
    rows.collect()
}

/// Every stored file name, to find files on disk that no row refers to.
pub fn all_files(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT file FROM media")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}
