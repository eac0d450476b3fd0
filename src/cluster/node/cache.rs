//! The node's media cache: recordings by SHA-256 in `data_dir/cache/objects/`, fetched from
//! the head-end over HTTP with the node's token into `cache/partial/<sha256>.part`, resumed
//! with a `Range` request after a cut,
//! verified by their hash before they are kept, and hashed again whenever the file changed
//! (a damaged file is thrown away and fetched again). Over its limit, it evicts what no plan
//! needs, least recently needed first; what a plan needs is never evicted, and what does not
//! fit is not fetched (the status says so).
//!
//! Blocking: called from the node's fetch thread and its emergency fetches, never from the
//! async link task. Owns `data_dir/cache/`; the rows are the store's (`store::cluster`).

use std::collections::HashSet;
use std::io::Seek;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::Clock;
use crate::cluster::protocol::{CacheStats, MediaRef};
use crate::media::sha256_file;
use crate::model::cluster::CachedMedia;
use crate::store::{Store, StoreError, cluster as table};

/// Why a recording could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The head-end could not be reached, or the transfer broke off (it resumes next time).
    #[error(
        "không tải được bản ghi {sha} từ trung tâm / cannot fetch recording {sha} from the head-end: {why}"
    )]
    Fetch {
        /// The recording.
        sha: String,
        /// What happened.
        why: String,
    },
    /// The head-end refused the node's token.
    #[error(
        "trung tâm từ chối mã tải của nút (HTTP {0}) / the head-end refused this node's media \
         token (HTTP {0}): kiểm tra [cluster] node_token / check [cluster] node_token"
    )]
    Refused(u16),
    /// What arrived is not the recording asked for.
    #[error(
        "bản ghi {0} tải về sai mã băm, đã bỏ / recording {0} arrived with the wrong hash; dropped"
    )]
    Corrupt(String),
    /// Not enough room under the cache limit, even after evicting what no plan needs.
    #[error(
        "bộ nhớ đệm đầy ({limit_mb} MB), không chứa được {sha} / the cache is full ({limit_mb} MB): \
         {sha} does not fit; tăng [cluster] cache_mb / raise [cluster] cache_mb"
    )]
    Full {
        /// The recording.
        sha: String,
        /// The limit.
        limit_mb: u64,
    },
    /// The disk or the database failed.
    #[error("bộ nhớ đệm / media cache: {0}")]
    Local(String),
}

impl From<std::io::Error> for CacheError {
    fn from(e: std::io::Error) -> Self {
        CacheError::Local(e.to_string())
    }
}

impl From<StoreError> for CacheError {
    fn from(e: StoreError) -> Self {
        CacheError::Local(e.to_string())
    }
}

/// Where the head-end serves recordings, and how the node proves who it is.
#[derive(Debug, Clone)]
pub struct Source {
    /// The head-end's web address (`http://192.168.1.10:8080`).
    pub media_url: String,
    /// The node's media token.
    pub token: String,
}

/// The cache. Cheap to clone; every clone is the same cache.
#[derive(Clone)]
pub struct MediaCache {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    data_dir: PathBuf,
    source: Source,
    limit: u64,
    clock: Arc<dyn Clock>,
    agent: ureq::Agent,
    /// Recordings being fetched now, so two fetches of one file never interleave.
    inflight: Mutex<HashSet<String>>,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Recordings fetched.
    pub fetched: usize,
    /// Files found damaged and thrown away.
    pub damaged: usize,
    /// Recordings evicted.
    pub evicted: usize,
    /// Recordings a plan needs that the cache does not hold, with why.
    pub missing: Vec<(String, String)>,
}

/// A recording's place relative to the data folder, as cues name files.
pub fn relative_path(sha256: &str) -> String {
    format!("cache/objects/{sha256}")
}

/// Whether `s` is a SHA-256 in lowercase hex (and so safe in a path and a URL).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl MediaCache {
    /// A cache under `data_dir/cache`, fetching from `source`, holding at most `limit` bytes.
    pub fn new(
        store: Store,
        data_dir: &Path,
        source: Source,
        limit: u64,
        clock: Arc<dyn Clock>,
    ) -> MediaCache {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            // A stalled transfer gives up and resumes on the next try, instead of hanging.
            .timeout_per_read(Some(Duration::from_secs(30)))
            .build()
            .into();
        MediaCache {
            inner: Arc::new(Inner {
                store,
                data_dir: data_dir.to_path_buf(),
                source,
                limit,
                clock,
                agent,
                inflight: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The file of a recording (held or not).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.inner.data_dir.join(relative_path(sha256))
    }

    fn partial(&self, sha256: &str) -> PathBuf {
        self.inner
            .data_dir
            .join("cache/partial")
            .join(format!("{sha256}.part"))
    }

    /// Whether the cache holds `m`, checked against its size on disk (cheap; see
    /// [`MediaCache::verify_changed`] for the hash).
    pub fn holds(&self, m: &MediaRef) -> bool {
        let indexed = self
            .inner
            .store
            .with(|c| Ok(table::cached(c, &m.sha256)?))
            .ok()
            .flatten();
        indexed.is_some()
            && std::fs::metadata(self.path(&m.sha256)).is_ok_and(|f| f.len() == m.bytes)
    }

    /// Recordings held and their bytes.
    pub fn stats(&self) -> CacheStats {
        let (items, bytes) = self
            .inner
            .store
            .with(|c| Ok(table::cache_totals(c)?))
            .unwrap_or_default();
        CacheStats { items, bytes }
    }

    /// Have `m` in the cache, fetching it if needed; returns its file. Blocking.
    pub fn fetch(&self, m: &MediaRef) -> Result<PathBuf, CacheError> {
        if !is_sha256(&m.sha256) {
            return Err(CacheError::Corrupt(m.sha256.clone()));
        }
        let _turn = self.turn(&m.sha256);
        if self.holds(m) {
            return Ok(self.path(&m.sha256));
        }
        self.make_room(m.bytes, std::slice::from_ref(&m.sha256), &m.sha256)?;
        match self.download(m) {
            // A resumed transfer whose first part was damaged: once more, from the start.
            Err(CacheError::Corrupt(_)) => self.download(m)?,
            other => other?,
        }
        Ok(self.path(&m.sha256))
    }

    /// Wait until no other fetch of `sha256` runs, and hold the turn until the guard drops.
    fn turn(&self, sha256: &str) -> Turn<'_> {
        loop {
            {
                let mut set = self
                    .inner
                    .inflight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if set.insert(sha256.to_string()) {
                    return Turn {
                        cache: self,
                        sha: sha256.to_string(),
                    };
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Fetch `m` into `cache/partial/`, resuming what is there, then verify and keep it.
    fn download(&self, m: &MediaRef) -> Result<(), CacheError> {
        let part = self.partial(&m.sha256);
        if let Some(dir) = part.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&part)?;
        let mut have = file.metadata()?.len();
        if have >= m.bytes {
            // Complete already (a crash between the transfer and the rename), or too long.
            if have > m.bytes || sha256_file(&part)? != m.sha256 {
                file.set_len(0)?;
                have = 0;
            }
        }
        if have < m.bytes {
            let fetch_err = |why: String| CacheError::Fetch {
                sha: m.sha256.clone(),
                why,
            };
            let url = format!(
                "{}{}{}",
                self.inner.source.media_url.trim_end_matches('/'),
                crate::cluster::protocol::MEDIA_PATH,
                m.sha256
            );
            let mut req = self.inner.agent.get(&url).header(
                "Authorization",
                &format!("Bearer {}", self.inner.source.token),
            );
            if have > 0 {
                req = req.header("Range", &format!("bytes={have}-"));
            }
            let mut resp = req.call().map_err(|e| fetch_err(e.to_string()))?;
            match resp.status().as_u16() {
                206 => {
                    file.seek(std::io::SeekFrom::Start(have))?;
                }
                200 => {
                    file.set_len(0)?;
                    file.seek(std::io::SeekFrom::Start(0))?;
                    have = 0;
                }
                code @ (401 | 403) => return Err(CacheError::Refused(code)),
                416 => {
                    // The head-end has less than we hold: start over next time.
                    file.set_len(0)?;
                    return Err(fetch_err("HTTP 416".into()));
                }
                code => return Err(fetch_err(format!("HTTP {code}"))),
            }
            let want = m.bytes - have;
            let mut body = resp.body_mut().with_config().limit(want).reader();
            let copied = std::io::copy(&mut body, &mut file).map_err(|e| {
                let _ = file.sync_data();
                fetch_err(e.to_string())
            })?;
            file.sync_all()?;
            if copied < want {
                return Err(fetch_err(format!(
                    "nhận {copied}/{want} byte / got {copied} of {want} bytes"
                )));
            }
        }
        drop(file);
        if sha256_file(&part)? != m.sha256 {
            let _ = std::fs::remove_file(&part);
            return Err(CacheError::Corrupt(m.sha256.clone()));
        }
        let dest = self.path(&m.sha256);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(&part, &dest)?;
        if let Some(dir) = dest.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        self.index(m.sha256.clone(), m.bytes, &dest)?;
        tracing::info!(
            "đã tải bản ghi / fetched recording {} ({} kB)",
            m.sha256,
            m.bytes / 1024
        );
        Ok(())
    }

    /// Keep `path` as the verified copy of `sha256`.
    fn index(&self, sha256: String, bytes: u64, path: &Path) -> Result<(), CacheError> {
        let (verified_size, verified_mtime) = stamp(path)?;
        let now = self.inner.clock.now();
        let entry = CachedMedia {
            sha256,
            bytes,
            verified_size,
            verified_mtime,
            last_needed: now,
        };
        self.inner
            .store
            .with(|c| Ok(table::put_cached(c, &entry, now)?))?;
        Ok(())
    }

    /// Hash again every held file whose size or time changed since it was verified (all of
    /// them when `all`); throw away the damaged ones. Returns the damaged recordings.
    pub fn verify(&self, all: bool) -> Vec<String> {
        let held = self
            .inner
            .store
            .with(|c| Ok(table::all_cached(c)?))
            .unwrap_or_default();
        let mut damaged = Vec::new();
        for entry in held {
            let _turn = self.turn(&entry.sha256);
            let path = self.path(&entry.sha256);
            let ok = match stamp(&path) {
                Ok(s) if !all && s == (entry.verified_size, entry.verified_mtime) => true,
                Ok((size, _)) => {
                    size == entry.bytes && sha256_file(&path).is_ok_and(|h| h == entry.sha256)
                }
                Err(_) => false,
            };
            if ok {
                if let Ok(s) = stamp(&path)
                    && s != (entry.verified_size, entry.verified_mtime)
                {
                    let _ = self.index(entry.sha256.clone(), entry.bytes, &path);
                }
                continue;
            }
            tracing::warn!(
                "bản ghi {} trong bộ nhớ đệm bị hỏng hoặc mất: tải lại / recording {} in the \
                 cache is damaged or gone: fetching it again",
                entry.sha256,
                entry.sha256
            );
            let _ = std::fs::remove_file(&path);
            let _ = self
                .inner
                .store
                .with(|c| Ok(table::forget_cached(c, &entry.sha256)?));
            damaged.push(entry.sha256);
        }
        damaged
    }

    /// Evict what `keep` does not name (least recently needed first) until `bytes` more fit
    /// under the limit.
    fn make_room(&self, bytes: u64, keep: &[String], sha: &str) -> Result<usize, CacheError> {
        let held = self.inner.store.with(|c| Ok(table::all_cached(c)?))?;
        let mut total: u64 = held.iter().map(|e| e.bytes).sum();
        let mut evicted = 0;
        for entry in &held {
            if total + bytes <= self.inner.limit {
                break;
            }
            if keep.contains(&entry.sha256) {
                continue;
            }
            let _ = std::fs::remove_file(self.path(&entry.sha256));
            self.inner
                .store
                .with(|c| Ok(table::forget_cached(c, &entry.sha256)?))?;
            total = total.saturating_sub(entry.bytes);
            evicted += 1;
        }
        if total + bytes > self.inner.limit {
            return Err(CacheError::Full {
                sha: sha.to_string(),
                limit_mb: self.inner.limit / 1_000_000,
            });
        }
        Ok(evicted)
    }

    /// Bring the cache in line with what the plans need, in the order given (soonest
    /// first): check changed files, note what is needed, evict what is not when over the
    /// limit, fetch what is missing. Blocking; one recording failing does not stop the rest.
    pub fn sweep(&self, needed: &[MediaRef]) -> Sweep {
        let mut out = Sweep {
            damaged: self.verify(false).len(),
            ..Sweep::default()
        };
        let keep: Vec<String> = needed.iter().map(|m| m.sha256.clone()).collect();
        let now = self.inner.clock.now();
        let _ = self
            .inner
            .store
            .with(|c| Ok(table::mark_needed(c, &keep, now)?));
        // Over the limit (it was lowered): evict what no plan needs.
        out.evicted = self.make_room(0, &keep, "").unwrap_or(0);
        for m in needed {
            if self.holds(m) {
                continue;
            }
            match self
                .make_room(m.bytes, &keep, &m.sha256)
                .and_then(|_| self.fetch(m))
            {
                Ok(_) => out.fetched += 1,
                Err(e) => out.missing.push((m.sha256.clone(), e.to_string())),
            }
        }
        out
    }
}

/// A turn at one recording, given back when dropped.
struct Turn<'a> {
    cache: &'a MediaCache,
    sha: String,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.cache
            .inner
            .inflight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.sha);
    }
}

/// A file's size and modification time (ns since 1970).
fn stamp(path: &Path) -> std::io::Result<(u64, i64)> {
    let m = std::fs::metadata(path)?;
    let mtime = m
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    Ok((m.len(), mtime))
}
