//! `loaxa backup` and `loaxa restore`: one file with the database and every recording it
//! refers to, consistent while the service runs, and put back only when it checks out.
//!
//! The database is copied with SQLite's online backup API (a snapshot of one moment, while
//! writers carry on); the recordings are content-addressed and never change once stored, so
//! the ones the snapshot names are exactly the right ones. The archive is a plain tar file
//! (`tar tf` shows it), written under a temporary name, fsynced and renamed: a power cut never
//! leaves a half backup under the real name.
//!
//! A restore refuses to run while the service holds the data folder and trusts nothing in the
//! archive: it takes only regular files under the names a backup writes (the manifest, the
//! database, `media/objects/xx/<sha256>.ext`), refusing links, devices, `..`, absolute paths
//! and any other name, each copied no further than the size its header declares, into a
//! folder of its own. The recordings the archived database names must have those names too.
//! It checks the database (`PRAGMA integrity_check`) and every recording's SHA-256, and only
//! then swaps the database in, keeping the one it replaces beside it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::store::{StoreError, snapshot};

/// The folder inside the archive.
const ROOT: &str = "loaxa-backup";
/// Largest manifest read (it is a few lines of JSON).
const MAX_MANIFEST: u64 = 64 << 10;
/// Archive format version, in the manifest.
const FORMAT: u32 = 1;
/// The lock file the running service holds in the data folder.
const LOCK_FILE: &str = "loaxa.lock";

/// What the archive says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Archive format (1).
    pub format: u32,
    /// The loaxa version that wrote it.
    pub version: String,
    /// When the database snapshot was taken (UTC, RFC 3339).
    pub created_at: String,
    /// Recordings in the archive.
    pub recordings: usize,
}

/// What a backup or restore did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The manifest written or read.
    pub manifest: Manifest,
    /// Size of the archive in bytes.
    pub bytes: u64,
    /// For a restore: where the replaced database was kept.
    pub previous: Option<PathBuf>,
}

/// Why a backup or restore did not happen. Nothing was changed when it did not.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite refused.
    #[error("cơ sở dữ liệu / database: {0}")]
    Store(#[from] StoreError),
    /// The service is running on this data folder.
    #[error(
        "dịch vụ đang chạy trên thư mục dữ liệu này — hãy dừng trước (sudo systemctl stop loaxa) rồi khôi phục / the service is running on this data folder — stop it first (sudo systemctl stop loaxa), then restore"
    )]
    ServiceRunning,
    /// The archive is not a Loa Xã backup, or it is damaged.
    #[error(
        "tệp sao lưu hỏng hoặc không phải của Loa Xã: {0} / the backup is damaged or not a Loa Xã backup: {0}"
    )]
    Damaged(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write a backup of `config`'s data to `to`.
pub fn backup(config: &Config, to: &Path) -> Result<Report, BackupError> {
    let dir = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".loaxa-backup-")
        .tempdir_in(dir)
        .map_err(io(dir))?;
    let snapshot = staging.path().join("loaxa.sqlite3");
    let created_at = Utc::now().to_rfc3339();
    snapshot::copy(&config.database_path(), &snapshot)?;
    let files = snapshot::recordings(&snapshot)?;
    let manifest = Manifest {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        created_at,
        recordings: files.len(),
    };
    let partial = staging.path().join("backup.tar");
    write_archive(&partial, &manifest, &snapshot, &config.data_dir, &files)?;
    std::fs::rename(&partial, to).map_err(io(to))?;
    sync_dir(dir)?;
    let bytes = std::fs::metadata(to).map_err(io(to))?.len();
    Ok(Report {
        manifest,
        bytes,
        previous: None,
    })
}

fn write_archive(
    path: &Path,
    manifest: &Manifest,
    database: &Path,
    data_dir: &Path,
    files: &[String],
) -> Result<(), BackupError> {
    let file = File::create(path).map_err(io(path))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o640);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    tar.append_data(
        &mut header,
        format!("{ROOT}/manifest.json"),
        json.as_slice(),
    )
    .map_err(io(path))?;
    tar.append_path_with_name(database, format!("{ROOT}/loaxa.sqlite3"))
        .map_err(io(database))?;
    for f in files {
        let source = data_dir.join(f);
        tar.append_path_with_name(&source, format!("{ROOT}/{f}"))
            .map_err(io(&source))?;
    }
    let writer = tar.into_inner().map_err(io(path))?;
    let file = writer.into_inner().map_err(|e| BackupError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(path))
}

/// Hold the data folder for as long as the returned file lives (the service's whole life), so
/// that a restore, or a second service, cannot run on it at the same time.
pub fn hold_data_dir(data_dir: &Path) -> Result<File, BackupError> {
    let path = data_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(|_| BackupError::ServiceRunning)?;
    Ok(file)
}

/// Put the backup `from` back into `config`'s data folder. The service must be stopped.
pub fn restore(config: &Config, from: &Path) -> Result<Report, BackupError> {
    let data_dir = &config.data_dir;
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let _held = hold_data_dir(data_dir)?;
    let staging = tempfile::Builder::new()
        .prefix(".loaxa-restore-")
        .tempdir_in(data_dir)
        .map_err(io(data_dir))?;
    let file = File::open(from).map_err(io(from))?;
    let bytes = file.metadata().map_err(io(from))?.len();
    unpack_checked(file, staging.path())?;
    let root = staging.path().join(ROOT);
    let manifest = read_manifest(&root)?;
    let database = root.join("loaxa.sqlite3");
    check_database(&database)?;
    let files = snapshot::recordings(&database)?;
    for f in &files {
        if !is_recording_name(f) {
            return Err(BackupError::Damaged(format!(
                "cơ sở dữ liệu ghi tên bản ghi lạ \"{f}\" / the database names a recording \"{f}\" that no backup writes"
            )));
        }
        check_recording(&root, f)?;
    }
    // Everything checks out: recordings first (new names only), then the database.
    for f in &files {
        let target = data_dir.join(f);
        if !target.exists() {
            let parent = target.parent().unwrap_or(data_dir);
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            std::fs::rename(root.join(f), &target).map_err(io(&target))?;
            sync_dir(parent)?;
        }
    }
    let previous = keep_previous_database(config)?;
    let live = config.database_path();
    std::fs::rename(&database, &live).map_err(io(&live))?;
    sync_dir(data_dir)?;
    Ok(Report {
        manifest,
        bytes,
        previous,
    })
}

/// Copy the archive's entries into `into`, refusing the whole archive at the first entry that
/// is not a regular file under a name a backup writes (directories of those names are
/// skipped: they are made as needed). Nothing is written outside `into`.
fn unpack_checked(archive: File, into: &Path) -> Result<(), BackupError> {
    let damaged = |e: std::io::Error| BackupError::Damaged(e.to_string());
    let mut archive = tar::Archive::new(BufReader::new(archive));
    let mut seen = BTreeSet::new();
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() && is_backup_folder(&name) {
            continue;
        }
        if !kind.is_file() {
            return Err(BackupError::Damaged(format!(
                "\"{name}\" không phải tệp thường (liên kết, thiết bị…) / \"{name}\" is not a regular file (a link, a device…)"
            )));
        }
        if !is_backup_file(&name) {
            return Err(BackupError::Damaged(format!(
                "tên lạ trong tệp sao lưu: \"{name}\" / a name no backup writes: \"{name}\""
            )));
        }
        if !seen.insert(name.clone()) {
            return Err(BackupError::Damaged(format!("\"{name}\" hai lần / twice")));
        }
        let declared = entry.header().size().map_err(damaged)?;
        let target = into.join(&name);
        let parent = target.parent().unwrap_or(into);
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let mut out = new_private_file(&target)?;
        let copied = std::io::copy(&mut (&mut entry).take(declared), &mut out).map_err(damaged)?;
        if copied != declared {
            return Err(BackupError::Damaged(format!(
                "\"{name}\" bị cắt cụt / is cut short"
            )));
        }
    }
    Ok(())
}

/// A new file only its owner and group read, never one that was there (nor a link's target).
fn new_private_file(path: &Path) -> Result<File, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .write(true)
        .create_new(true)
        .mode(0o640)
        .open(path)
        .map_err(io(path))
}

/// The names of the files a backup writes.
fn is_backup_file(name: &str) -> bool {
    match name.strip_prefix(ROOT).and_then(|n| n.strip_prefix('/')) {
        Some("manifest.json" | "loaxa.sqlite3") => true,
        Some(rest) => is_recording_name(rest),
        None => false,
    }
}

/// The folders those files are in, as other tar tools may list them.
fn is_backup_folder(name: &str) -> bool {
    let name = name.strip_suffix('/').unwrap_or(name);
    let Some(rest) = name.strip_prefix(ROOT) else {
        return false;
    };
    match rest {
        "" | "/media" | "/media/objects" => true,
        _ => rest
            .strip_prefix("/media/objects/")
            .is_some_and(|xx| xx.len() == 2 && xx.bytes().all(lower_hex)),
    }
}

/// `media/objects/xx/<sha256>.ext` as the library names recordings: `xx` the hash's first two
/// digits, the hash 64 lowercase hex digits, the extension a few letters or digits.
fn is_recording_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let ["media", "objects", xx, file] = parts.as_slice() else {
        return false;
    };
    let Some((hash, ext)) = file.split_once('.') else {
        return false;
    };
    hash.len() == 64
        && hash.bytes().all(lower_hex)
        && hash.starts_with(*xx)
        && xx.len() == 2
        && (1..=8).contains(&ext.len())
        && ext
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn read_manifest(root: &Path) -> Result<Manifest, BackupError> {
    let path = root.join("manifest.json");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_MANIFEST) {
        return Err(BackupError::Damaged(
            "manifest.json quá lớn / too large".into(),
        ));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|_| BackupError::Damaged("thiếu / no manifest.json".into()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| BackupError::Damaged(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Damaged(format!(
            "định dạng {} / format {}",
            manifest.format, manifest.format
        )));
    }
    Ok(manifest)
}

fn check_database(path: &Path) -> Result<(), BackupError> {
    if !path.exists() {
        return Err(BackupError::Damaged("thiếu / no loaxa.sqlite3".into()));
    }
    match snapshot::check(path) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(verdict)) => Err(BackupError::Damaged(format!("integrity_check: {verdict}"))),
        Err(e) => Err(BackupError::Damaged(e.to_string())),
    }
}

/// A recording is named by its SHA-256: the name proves the content.
fn check_recording(root: &Path, relative: &str) -> Result<(), BackupError> {
    let path = root.join(relative);
    let expected = Path::new(relative)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if !path.is_file() {
        return Err(BackupError::Damaged(format!("thiếu / missing {relative}")));
    }
    let actual = crate::media::sha256_file(&path).map_err(io(&path))?;
    if actual != expected {
        return Err(BackupError::Damaged(format!(
            "{relative}: SHA-256 {actual}"
        )));
    }
    Ok(())
}

/// Move the database being replaced (with its WAL files) aside; `None` if there was none.
fn keep_previous_database(config: &Config) -> Result<Option<PathBuf>, BackupError> {
    let live = config.database_path();
    if !live.exists() {
        return Ok(None);
    }
    let aside = config.data_dir.join(format!(
        "before-restore-{}",
        Utc::now().format("%Y%m%d-%H%M%S")
    ));
    std::fs::create_dir_all(&aside).map_err(io(&aside))?;
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", live.display()));
        if from.exists() {
            let name = from.file_name().unwrap_or_default();
            std::fs::rename(&from, aside.join(name)).map_err(io(&from))?;
        }
    }
    Ok(Some(aside))
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_a_backup_writes_are_taken() {
        let hash = "ab".to_string() + &"0".repeat(62);
        let good = format!("media/objects/ab/{hash}.mp3");
        assert!(is_recording_name(&good));
        assert!(is_backup_file(&format!("{ROOT}/{good}")));
        assert!(is_backup_file(&format!("{ROOT}/manifest.json")));
        assert!(is_backup_folder(&format!("{ROOT}/media/objects/ab/")));
        for bad in [
            format!("media/objects/cd/{hash}.mp3"),
            format!("media/objects/ab/../{hash}.mp3"),
            format!("media/objects/ab/{hash}.mp3/x"),
            format!("media/objects/ab/{hash}"),
            format!("media/objects/ab/{hash}.MP3"),
            format!("/media/objects/ab/{hash}.mp3"),
            format!("media/objects/ab/{}.mp3", hash.to_uppercase()),
            "../../etc/passwd".to_string(),
        ] {
            assert!(!is_recording_name(&bad), "{bad}");
        }
        for bad in [
            format!("{ROOT}/../x"),
            format!("{ROOT}/loaxa.sqlite3-wal"),
            "/etc/passwd".to_string(),
            format!("/{ROOT}/manifest.json"),
            format!("{ROOT}//manifest.json"),
        ] {
            assert!(!is_backup_file(&bad), "{bad}");
        }
    }
}
