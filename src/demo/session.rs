//! The demo's own session (`serve --demo` only): a chime and one demo notice every five
//! minutes, so a newcomer sees a cue air on the dashboard and in the as-run log, and hears it
//! on Nghe, within minutes of starting. It is no file in `schedules/` (a real commune never
//! gets it): the service adds its two texts to the programme files it reads, and `loaxa
//! check`'s one validation checks them with the rest.
//!
//! It airs at any hour, so a newcomer sees it whatever the time in Vietnam: every five minutes
//! around the clock except the hours of the shipped programme's own sessions (05:00–06:55 for
//! the 05:30 morning and the Saturday 06:30 reminder, 17:00–17:55 for the evening, 21:00–21:55
//! for the New Year's Eve greeting), so it never holds anything back nor is held back. Its slot
//! says `through_quiet_hours = true`, so the plan airs it through quiet hours (at the gain by
//! time of day, 6 dB quieter at night) where it holds back every real slot; no file of
//! `schedules/` uses that key. Owns only those texts; must not touch the files, the store or
//! the player.

use crate::config::SourceText;
use crate::schedule::files::Sources;

/// The slot's name, by which pages tell the demo's session from the commune's.
pub const SLOT: &str = "demo";

/// Minutes between two demo sessions.
pub const EVERY_MINUTES: u32 = 5;

/// The slot: every five minutes of the hours 00–04, 07–16, 18–20 and 22–23, through quiet
/// hours.
const SCHEDULE: &str = r#"[[slot]]
name = "demo"
title = "Buổi demo"
cron = "*/5 0-4,7-16,18-20,22-23 * * *"
playlist = "demo"
through_quiet_hours = true
"#;

/// What it airs: the chime, then the oldest approved notice that names no slot (the demo's
/// vaccination day, unless the commune wrote one since).
const PLAYLIST: &str = r#"title = "Buổi demo"
max_minutes = 4
overflow = "drop"

[[part]]
jingle = "Chuông báo"

[[part]]
category = "notice"
limit = 1
"#;

/// The demo session's schedule and playlist, as texts the programme check reads beside the
/// files.
pub fn sources() -> Sources {
    // Named like a file (its stem is the playlist's name), saying where it comes from.
    let text = |name: &str, text: &str| SourceText {
        name: format!("serve --demo/{name}"),
        text: text.to_string(),
    };
    Sources {
        playlists: vec![text("demo.toml", PLAYLIST)],
        schedules: vec![text("demo.toml", SCHEDULE)],
    }
}
