//! Keeping recordings safe: content-addressed files, written so a power cut leaves no half file.
//!
//! A recording arrives in `media/incoming/` as a `.part` file while its SHA-256 is computed
//! (from the CLI or streamed from an upload, under a size limit). It is then decoded and
//! measured; only a recording that decodes and is not silent is fsynced and renamed to
//! `media/objects/ab/abcdef….ext`, and only then recorded in SQLite, in the same transaction
//! as its audit entry. The same content uploaded twice is stored once. It does not decide who may
//! import (the callers' roles do), and never plays anything.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::analyze::{AnalyzeError, analyze_as};
use super::policy::PolicyError;
use crate::config::LoudnessPolicy;
use crate::model::Said;
use crate::model::said;
use crate::model::{Analysis, Category, Media, NewMedia};
use crate::store::media as media_table;
use crate::store::{Store, StoreError, audit};
use crate::text::clean_line;

/// Longest title accepted, in characters.
const MAX_TITLE: usize = 200;

/// Why a recording was not taken in. Nothing is stored when this is returned.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum ImportError {
    /// It is not audio we can play.
    Analyze(#[from] AnalyzeError),
    /// It is audio but refused by the loudness policy (silent).
    Policy(#[from] PolicyError),
    /// Bigger than the upload limit.
    TooLarge {
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// The title cannot be used.
    Title(Said),
    /// Disk trouble.
    Io {
        /// Where.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The database refused.
    Store(#[from] StoreError),
}

impl ImportError {
    /// Why the upload was refused, in each language.
    pub fn said(&self) -> Said {
        match self {
            ImportError::Analyze(e) => e.said(),
            ImportError::Policy(e) => e.said(),
            ImportError::TooLarge { limit_mb } => said!(
                "tệp quá lớn: vượt giới hạn {limit_mb} MB — hãy cắt ngắn hoặc nén lại (ví dụ MP3 64 kbps)",
                "file too large: over the {limit_mb} MB limit — shorten it or compress it (e.g. MP3 at 64 kbps)"
            ),
            ImportError::Title(why) => {
                said!("tiêu đề không hợp lệ: ", "invalid title: ").with("", why)
            }
            ImportError::Io { path, source } => {
                let path = path.display();
                said!(
                    "không ghi được bản ghi vào {path}: {source} — hãy kiểm tra dung lượng đĩa",
                    "cannot store the recording in {path}: {source} — check free disk space"
                )
            }
            ImportError::Store(e) => e.said(),
        }
    }
}

/// What to call a recording being imported, and who brings it.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The file name it came with (for the title and for people).
    pub original_name: String,
    /// Title; defaults to the file name without extension.
    pub title: Option<String>,
    /// What it is for.
    pub category: Category,
    /// Who imports it, for the audit log.
    pub actor: String,
}

/// The outcome of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The library row (the existing one for a duplicate).
    pub media: Media,
    /// The same content was already in the library.
    pub duplicate: bool,
}

/// A recording being received: a `.part` file and a running hash. Dropped unfinished, it
/// deletes its file.
pub struct Incoming {
    path: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    bytes: u64,
    limit: u64,
}

impl Incoming {
    /// Append a chunk, refusing to go past the size limit.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.limit {
            return Err(ImportError::TooLarge {
                limit_mb: self.limit / 1_000_000,
            });
        }
        self.hasher.update(chunk);
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        file.write_all(chunk).map_err(|source| ImportError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Either renamed into the store already (then this fails harmlessly) or abandoned.
        let _ = fs::remove_file(&self.path);
    }
}

/// The library of recordings on disk and in the store.
#[derive(Clone, Debug)]
pub struct MediaLibrary {
    data_dir: PathBuf,
    store: Store,
    policy: LoudnessPolicy,
}

impl MediaLibrary {
    /// The library under `data_dir/media`.
    pub fn new(data_dir: &Path, store: Store, policy: LoudnessPolicy) -> Self {
        MediaLibrary {
            data_dir: data_dir.to_path_buf(),
            store,
            policy,
        }
    }

    /// The loudness policy imports follow.
    pub fn policy(&self) -> &LoudnessPolicy {
        &self.policy
    }

    fn incoming_dir(&self) -> PathBuf {
        self.data_dir.join("media/incoming")
    }

    /// Where a library recording's file is.
    pub fn path_of(&self, m: &Media) -> PathBuf {
        self.data_dir.join(&m.file)
    }

    /// A fresh path in the incoming folder for a file being made (a recording being received,
    /// a text being read aloud): named so that [`MediaLibrary::sweep_incoming`] removes it if
    /// a crash leaves it behind. The caller removes it when done.
    pub fn scratch_path(&self) -> Result<PathBuf, ImportError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = self.incoming_dir();
        fs::create_dir_all(&dir).map_err(|source| ImportError::Io {
            path: dir.clone(),
            source,
        })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Ok(dir.join(format!("{}-{nanos}-{n}.part", std::process::id())))
    }

    /// Start receiving a recording of at most `limit` bytes.
    pub fn begin(&self, limit: u64) -> Result<Incoming, ImportError> {
        let path = self.scratch_path()?;
        let file = File::create(&path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Incoming {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            bytes: 0,
            limit,
        })
    }

    /// Import a file from disk (the CLI, the demo).
    pub fn import_file(&self, path: &Path, req: &ImportRequest) -> Result<Imported, ImportError> {
        let mut source = File::open(path).map_err(|e| {
            ImportError::Analyze(AnalyzeError::Decode(
                crate::audio::decode::DecodeError::Open {
                    path: path.to_path_buf(),
                    source: e,
                },
            ))
        })?;
        let mut incoming = self.begin(u64::MAX)?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = source.read(&mut buf).map_err(|source| ImportError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            if n == 0 {
                break;
            }
            incoming.write(&buf[..n])?;
        }
        self.finish(incoming, req)
    }

    /// Check, measure, store and record a received recording.
    pub fn finish(
        &self,
        mut incoming: Incoming,
        req: &ImportRequest,
    ) -> Result<Imported, ImportError> {
        let title = title_for(req)?;
        if let Some(file) = incoming.file.take() {
            file.sync_all().map_err(|source| ImportError::Io {
                path: incoming.path.clone(),
                source,
            })?;
        }
        let sha256 = hex(&incoming.hasher.clone().finalize());
        if let Some(existing) = self
            .store
            .with(|c| Ok(media_table::by_sha256(c, &sha256)?))?
        {
            return Ok(Imported {
                media: existing,
                duplicate: true,
            });
        }
        let analysis = analyze_as(&incoming.path, Path::new(&req.original_name))?;
        let leveling = self.policy.level(&analysis)?;
        let mut analysis = analysis;
        analysis.warnings.extend(leveling.warnings);
        let relative = format!(
            "media/objects/{}/{sha256}.{}",
            &sha256[..2],
            extension(&analysis)
        );
        self.place(&incoming.path, &self.data_dir.join(&relative))?;
        let new = NewMedia {
            sha256: &sha256,
            file: &relative,
            original_name: &req.original_name,
            title: &title,
            category: req.category,
            analysis: &analysis,
            gain_db: leveling.gain_db,
            bytes: incoming.bytes,
            created_by: &req.actor,
        };
        self.record(&new)
    }

    /// fsync'd rename into the object store, then fsync the folder so the name survives too.
    fn place(&self, from: &Path, to: &Path) -> Result<(), ImportError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ImportError::Io { path, source }
        };
        let dir = to.parent().unwrap_or(&self.data_dir);
        fs::create_dir_all(dir).map_err(io(dir))?;
        fs::rename(from, to).map_err(io(to))?;
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
    }

    fn record(&self, new: &NewMedia<'_>) -> Result<Imported, ImportError> {
        let (media, duplicate) = self.store.with(|c| {
            let tx = c.transaction()?;
            // Another import of the same content may have won the race since we looked.
            if let Some(existing) = media_table::by_sha256(&tx, new.sha256)? {
                return Ok((existing, true));
            }
            let id = media_table::insert(&tx, new)?;
            audit::record(
                &tx,
                new.created_by,
                "media.import",
                &format!("media:{id}"),
                &serde_json::json!({
                    "title": new.title,
                    "original_name": new.original_name,
                    "category": new.category,
                    "sha256": new.sha256,
                    "duration_ms": new.analysis.duration_ms,
                    "gain_db": new.gain_db,
                }),
            )?;
            let media = media_table::get(&tx, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            tx.commit()?;
            Ok((media, false))
        })?;
        Ok(Imported { media, duplicate })
    }

    /// Remove `.part` files left by an import that a crash or power cut interrupted: those
    /// whose process is gone (another `loaxa` may be importing right now). Run at start.
    pub fn sweep_incoming(&self) -> std::io::Result<usize> {
        let Ok(entries) = fs::read_dir(self.incoming_dir()) else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "part") && !writer_alive(&path) {
                fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Whether the process that named this `.part` file (`PID-…`) still runs.
fn writer_alive(part: &Path) -> bool {
    let pid = part
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('-').next())
        .and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => true,
        Some(pid) => Path::new(&format!("/proc/{pid}")).exists(),
        None => false,
    }
}

fn title_for(req: &ImportRequest) -> Result<String, ImportError> {
    let raw = match &req.title {
        Some(t) => t.clone(),
        None => Path::new(&req.original_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let title = clean_line(&raw);
    if title.is_empty() {
        return Err(ImportError::Title(said!(
            "tiêu đề trống",
            "the title is empty"
        )));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(ImportError::Title(said!(
            "dài quá {MAX_TITLE} ký tự",
            "longer than {MAX_TITLE} characters"
        )));
    }
    Ok(title)
}

/// The extension a stored file gets, from what it is (not from what it was called).
fn extension(a: &Analysis) -> &'static str {
    match (a.container.as_str(), a.codec.as_str()) {
        ("mp3", _) => "mp3",
        ("mp4", _) => "m4a",
        ("ogg", "opus") => "opus",
        ("ogg", _) => "ogg",
        ("flac", _) => "flac",
        ("wav", _) => "wav",
        ("mkv", _) => "mka",
        ("aac", _) => "aac",
        ("aiff", _) => "aiff",
        ("caf", _) => "caf",
        _ => "bin",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
