//! The station's housekeeping: on `tokio-cron-scheduler`, at 00:05 in the commune's time, items
//! whose last day has passed are expired, and, when `[ops] backup_dir` is set, a backup of the
//! database and the recordings is written there (the last [`KEEP`] kept); and, when
//! `emergency.cap_feeds` are set, the feeds are polled every `cap_poll_seconds`
//! ([`super::cap`]).
//!
//! Cue timing is not here: the runner keeps its own clock, since a scheduler's tick (half a
//! second) is far too coarse for a bulletin's first sample. Must not touch the player.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::task::JoinHandle;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use super::cap::Alerts;
use crate::emergency::cap::feed::Feeds;

use crate::config::Config;
use crate::ops::backup::{self, BackupError};
use crate::review::{self, ReviewError};
use crate::store::Store;

/// When the night's work runs: 00:05:00 every day (seconds, minutes, hours, day, month,
/// weekday), in the commune's time zone.
pub const NIGHTLY: &str = "0 5 0 * * *";
/// Nightly backups kept in `backup_dir`; older ones are deleted.
pub const KEEP: usize = 7;

/// Why the housekeeping could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("không lập được lịch việc ban đêm / cannot schedule the nightly work: {0}")]
pub struct HousekeepingError(#[from] JobSchedulerError);

/// What one night's work did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Night {
    /// Items expired.
    pub expired: usize,
    /// The backup written, if `[ops] backup_dir` is set.
    pub backup: Option<PathBuf>,
}

/// Why part of a night's work failed (the rest still ran).
#[derive(Debug, thiserror::Error)]
pub enum NightError {
    /// Expiring items failed.
    #[error(transparent)]
    Expiry(#[from] ReviewError),
    /// The backup failed.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// `[ops] backup_dir` cannot be made or written (a file is in the way, the disk or USB
    /// stick is missing or read-only).
    #[error(
        "không ghi được vào thư mục sao lưu {dir}: {source} — kiểm tra [ops] backup_dir (thư mục có ghi được không, ổ USB đã cắm chưa) / cannot write to the backup folder {dir}: {source} — check [ops] backup_dir (is the folder writable, is the USB stick plugged in)",
        dir = .dir.display()
    )]
    BackupDir {
        /// The folder configured.
        dir: PathBuf,
        /// Why it cannot be used.
        source: std::io::Error,
    },
}

/// The nightly jobs while they are scheduled, and the feed poll while it runs; stop them with
/// [`Housekeeping::stop`].
pub struct Housekeeping {
    scheduler: JobScheduler,
    feeds: Option<JoinHandle<()>>,
}

impl Housekeeping {
    /// Schedule the night's work, and do the expiry already due at once (a station that was
    /// off over a night catches up).
    pub async fn start(
        store: Store,
        config: Arc<Config>,
    ) -> Result<Housekeeping, HousekeepingError> {
        let (s, date) = (store.clone(), today(&config));
        match tokio::task::spawn_blocking(move || expire(&s, date)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!("hết hạn / expired: {n}"),
            Ok(Err(e)) => tracing::warn!("{e}"),
            Err(e) => tracing::warn!("{e}"),
        }
        let scheduler = JobScheduler::new().await?;
        let zone = config.timezone;
        let job = Job::new_async_tz(NIGHTLY, zone, move |_, _| {
            let (store, config) = (store.clone(), config.clone());
            Box::pin(async move {
                let today = today(&config);
                match tokio::task::spawn_blocking(move || night(&store, &config, today)).await {
                    Ok(results) => report(results),
                    Err(e) => tracing::error!("{e}"),
                }
            })
        })?;
        scheduler.add(job).await?;
        scheduler.start().await?;
        Ok(Housekeeping {
            scheduler,
            feeds: None,
        })
    }

    /// Poll `feeds` when each poll is due, acting on their alerts through `alerts`.
    pub fn watch_feeds(&mut self, alerts: Alerts, feeds: Feeds) {
        if feeds.is_empty() {
            return;
        }
        if let Some(old) = self
            .feeds
            .replace(tokio::spawn(follow_feeds(alerts, feeds)))
        {
            old.abort();
        }
    }

    /// When the night's work runs next.
    pub async fn next_run(&mut self) -> Option<DateTime<Utc>> {
        let wait = self.scheduler.time_till_next_job().await.ok().flatten()?;
        Some(Utc::now() + chrono::Duration::from_std(wait).ok()?)
    }

    /// Stop the jobs (the service is stopping).
    pub async fn stop(mut self) {
        if let Some(feeds) = self.feeds.take() {
            feeds.abort();
        }
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!("{e}");
        }
    }
}

/// Poll the feeds for ever, each poll when it is due.
async fn follow_feeds(alerts: Alerts, feeds: Feeds) {
    loop {
        let _ = alerts.poll(&feeds, Utc::now()).await;
        let wait = feeds
            .next_poll()
            .and_then(|next| (next - Utc::now()).to_std().ok())
            .unwrap_or_default();
        tokio::time::sleep(wait.max(std::time::Duration::from_secs(1))).await;
    }
}

/// The commune's date now.
fn today(config: &Config) -> NaiveDate {
    Utc::now().with_timezone(&config.timezone).date_naive()
}

/// Expire every item whose last day is before `today`; how many.
fn expire(store: &Store, today: NaiveDate) -> Result<usize, ReviewError> {
    store.with(|c| Ok(review::items::expire_due(c, today)))?
}

/// One night's work for `today` (the commune's date): expire what is past, then back up when
/// `[ops] backup_dir` is set. Each part's result, so one failing does not hide the other.
pub fn night(store: &Store, config: &Config, today: NaiveDate) -> Vec<Result<Night, NightError>> {
    let mut results = vec![
        expire(store, today)
            .map(|expired| Night {
                expired,
                backup: None,
            })
            .map_err(NightError::from),
    ];
    if let Some(dir) = &config.ops.backup_dir {
        results.push(nightly_backup(config, dir, today).map(|backup| Night {
            expired: 0,
            backup: Some(backup),
        }));
    }
    results
}

/// Write `loaxa-YYYY-MM-DD.tar` into `dir` and keep the newest [`KEEP`] of them.
pub fn nightly_backup(
    config: &Config,
    dir: &Path,
    today: NaiveDate,
) -> Result<PathBuf, NightError> {
    let unusable = |source| NightError::BackupDir {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(unusable)?;
    let to = dir.join(format!("loaxa-{today}.tar"));
    backup::backup(config, &to)?;
    let mut kept: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unusable)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_nightly(p))
        .collect();
    kept.sort();
    let old = kept.len().saturating_sub(KEEP);
    for p in &kept[..old] {
        if let Err(e) = std::fs::remove_file(p) {
            tracing::warn!("{}: {e}", p.display());
        }
    }
    Ok(to)
}

/// Whether `p` is one of the nightly backups (`loaxa-YYYY-MM-DD.tar`), which sort by date.
fn is_nightly(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("loaxa-"))
        .and_then(|n| n.strip_suffix(".tar"))
        .is_some_and(|d| d.parse::<NaiveDate>().is_ok())
}

/// Say in the log what the night did.
fn report(results: Vec<Result<Night, NightError>>) {
    for r in results {
        match r {
            Ok(Night {
                backup: Some(p), ..
            }) => {
                tracing::info!("sao lưu đêm / nightly backup: {}", p.display());
            }
            Ok(Night { expired, .. }) => tracing::info!("hết hạn / expired: {expired}"),
            Err(e) => {
                crate::ops::metrics::error("housekeeping");
                tracing::error!("việc ban đêm / nightly work: {e}");
            }
        }
    }
}
