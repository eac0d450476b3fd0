//! The `media` table: recordings in the library. It does not touch the files themselves:
//! `media::library` keeps them.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::parsed;
use crate::model::{Analysis, Category, Media, NewMedia, Said};

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
            warnings: warnings_read(&warnings),
        },
        gain_db: r.get(14)?,
        bytes: u64::try_from(r.get::<_, i64>(16)?).unwrap_or(0),
        created_at: r.get(17)?,
        created_by: r.get(18)?,
    })
}

/// One warning as the `warnings` column (a JSON array) keeps it: both languages apart,
/// `{"vi": …, "en": …}`, so each page can show its own.
#[derive(Serialize)]
struct Halves<'a> {
    vi: &'a str,
    en: &'a str,
}

/// One warning as the column may hold it: both languages apart, or (in a row written before
/// migration 14) the one "tiếng Việt / English" string the page used to show whole.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredWarning {
    Halves { vi: String, en: String },
    Old(String),
}

impl From<StoredWarning> for Said {
    /// An old plain string is split at its first " / " into its Vietnamese and its English;
    /// one without " / " was one text for both languages (a number, a name) and stays so.
    fn from(w: StoredWarning) -> Said {
        match w {
            StoredWarning::Halves { vi, en } => Said::new(vi, en),
            StoredWarning::Old(text) => Said::from_display(&text),
        }
    }
}

/// The warnings of a `warnings` column, either form (an unreadable column reads as none: the
/// recording still plays).
fn warnings_read(column: &str) -> Vec<Said> {
    serde_json::from_str::<Vec<StoredWarning>>(column)
        .map(|ws| ws.into_iter().map(Said::from).collect())
        .unwrap_or_default()
}

/// The `warnings` column for these warnings, in the form that keeps both languages.
fn warnings_written(warnings: &[Said]) -> String {
    let halves: Vec<Halves<'_>> = warnings
        .iter()
        .map(|w| Halves {
            vi: w.vi(),
            en: w.en(),
        })
        .collect();
    serde_json::to_string(&halves).unwrap_or_else(|_| "[]".into())
}

/// Migration 14: every row written before it gets its warnings rewritten with both languages
/// apart, read as [`warnings_read`] reads an old row.
pub(super) fn keep_warnings_apart(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT id, warnings FROM media WHERE warnings <> '[]'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, column) in rows {
        tx.execute(
            "UPDATE media SET warnings = ?1 WHERE id = ?2",
            params![warnings_written(&warnings_read(&column)), id],
        )?;
    }
    Ok(())
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
            warnings_written(&a.warnings),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::said;

    /// A recording as rows were written before migration 14, with `warnings` as given.
    fn old_row(conn: &Connection, warnings: &str) -> i64 {
        conn.query_row(
            "INSERT INTO media (sha256, file, original_name, title, category, container, codec,
                sample_rate, channels, duration_ms, integrated_lufs, gain_db, warnings, bytes,
                created_by)
             VALUES (hex(randomblob(32)), 'media/a.mp3', 'a.mp3', 'Bản tin', 'bulletin', 'mp3',
                'mp3', 44100, 1, 1000, -20, 2, ?1, 100, 'bien-tap') RETURNING id",
            [warnings],
            |r| r.get(0),
        )
        .unwrap()
    }

    const OLD: &str = r#"["tệp bị cắt ngang: chỉ phát được phần đã giải mã / the file is cut off: only the decodable part plays", "-3 dB", "a / b / c"]"#;

    fn assert_read_apart(warnings: &[Said]) {
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            warnings[0].vi(),
            "tệp bị cắt ngang: chỉ phát được phần đã giải mã"
        );
        assert_eq!(
            warnings[0].en(),
            "the file is cut off: only the decodable part plays"
        );
        assert_eq!(
            warnings[1],
            Said::same("-3 dB"),
            "no ' / ': one text for both"
        );
        assert_eq!(
            (warnings[2].vi(), warnings[2].en()),
            ("a", "b / c"),
            "split at the first ' / '"
        );
    }

    #[test]
    fn the_migration_keeps_an_old_rows_warnings_apart_by_language() {
        let mut conn = Connection::open_in_memory().unwrap();
        let migrations = super::super::migrations();
        migrations.to_version(&mut conn, 13).unwrap();
        let id = old_row(&conn, OLD);
        migrations.to_latest(&mut conn).unwrap();
        let column: String = conn
            .query_row("SELECT warnings FROM media WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&column).unwrap();
        assert_eq!(json[1], serde_json::json!({"vi": "-3 dB", "en": "-3 dB"}));
        assert_read_apart(&get(&conn, id).unwrap().unwrap().analysis.warnings);
    }

    #[test]
    fn an_old_plain_string_still_reads_as_both_languages() {
        let store = crate::store::Store::open_in_memory().unwrap();
        store
            .with(|c| {
                let id = old_row(c, OLD);
                assert_read_apart(&get(c, id)?.unwrap().analysis.warnings);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_new_row_keeps_each_language_of_its_warnings() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let warned = said!("quá nhỏ / rất nhỏ", "too quiet");
        let analysis = Analysis {
            container: "wav".into(),
            codec: "pcm_s16le".into(),
            sample_rate: 16_000,
            channels: 1,
            duration_ms: 1000,
            integrated_lufs: Some(-40.0),
            loudness_range_lu: None,
            true_peak_dbtp: None,
            warnings: vec![warned.clone()],
        };
        store
            .with(|c| {
                let tx = c.transaction()?;
                let id = insert(
                    &tx,
                    &NewMedia {
                        sha256: "ab",
                        file: "media/ab.wav",
                        original_name: "ab.wav",
                        title: "Nhỏ",
                        category: Category::Notice,
                        analysis: &analysis,
                        gain_db: 20.0,
                        bytes: 10,
                        created_by: "bien-tap",
                    },
                )?;
                tx.commit()?;
                let column: String =
                    c.query_row("SELECT warnings FROM media WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?;
                assert_eq!(column, r#"[{"vi":"quá nhỏ / rất nhỏ","en":"too quiet"}]"#);
                assert_eq!(get(c, id)?.unwrap().analysis.warnings, vec![warned]);
                Ok(())
            })
            .unwrap();
    }
}
