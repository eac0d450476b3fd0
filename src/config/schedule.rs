//! `[schedule]`: where the programme files are, and how strictly the runner keeps time. Only the
//! keys and their checks live here: `schedule` reads the files and runs the day.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Findings, bad};
use crate::model::said;

/// `[schedule]`: the programme files and the runner's timing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Folder of `*.toml` slot and holiday files. Default `schedules`.
    pub schedules_dir: PathBuf,
    /// Folder of `*.toml` playlists. Default `playlists`.
    pub playlists_dir: PathBuf,
    /// A cue may start this many minutes late and still air; later it is logged missed.
    /// Default 10.
    pub grace_minutes: u32,
    /// Wake this many seconds before a slot (amplifier warm-up, opening the first file).
    /// Default 3.
    pub preroll_seconds: u32,
    /// Air nothing until the system clock is synchronised (a Pi has no battery clock).
    /// Default true; machines without systemd's timedatectl are treated as synchronised.
    pub require_time_sync: bool,
    /// The demo's own session every few minutes (`demo::session`). Set only by `loaxa serve
    /// --demo`, never read from a file or a variable, so a real commune never gets it.
    #[serde(skip)]
    pub demo_session: bool,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            schedules_dir: PathBuf::from("schedules"),
            playlists_dir: PathBuf::from("playlists"),
            grace_minutes: 10,
            preroll_seconds: 3,
            require_time_sync: true,
            demo_session: false,
        }
    }
}

impl ScheduleConfig {
    /// What is wrong in `[schedule]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let (grace, preroll) = (self.grace_minutes, self.preroll_seconds);
        if grace > 120 {
            bad(
                &mut out,
                "schedule.grace_minutes",
                said!("{grace} phút", "{grace} minutes"),
                said!("dùng 0…120, thường là 10", "use 0…120, usually 10"),
            );
        }
        if !(1..=60).contains(&preroll) {
            bad(
                &mut out,
                "schedule.preroll_seconds",
                said!("{preroll} giây", "{preroll} seconds"),
                said!("dùng 1…60, thường là 3", "use 1…60, usually 3"),
            );
        }
        out
    }
}
