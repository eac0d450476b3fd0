//! The demo's own session (`serve --demo` only): a chime and one demo notice every five
//! minutes, so a newcomer sees a cue air on the dashboard and in the as-run log, and hears it
//! on Nghe, within minutes of starting. It is no file in `schedules/` (a real commune never
//! gets it): the service adds its two texts to the programme files it reads, and `loaxa
//! check`'s one validation checks them with the rest.
//!
//! It keeps the quiet hours: it airs only between 07:00 and 20:55, clear of the shipped quiet
//! hours (21:30–05:30), of the quieter evening (21:00) and of the hours of the shipped morning
//! and evening sessions (05:30, 17:00), so it never holds anything back nor is held back in the shipped programme; under
//! other quiet hours the plan holds it back like any cue. Owns only those texts; must not
//! touch the files, the store or the player.

use crate::config::SourceText;
use crate::schedule::files::Sources;

/// The slot's name, by which pages tell the demo's session from the commune's.
pub const SLOT: &str = "demo";

/// Minutes between two demo sessions.
pub const EVERY_MINUTES: u32 = 5;

/// The slot: every five minutes from 07:00 to 16:55 and from 18:00 to 20:55.
const SCHEDULE: &str = r#"[[slot]]
name = "demo"
title = "Buổi demo"
cron = "*/5 7-16,18-20 * * *"
playlist = "demo"
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
