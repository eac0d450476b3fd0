//! The programme: when the loudspeakers speak, and what they say.
//!
//! - [`airing`]: when one item airs next, or why it never will, and what forms may choose;
//! - [`calendar`]: the Vietnamese lunar calendar, computed for UTC+7;
//! - [`files`]: `schedules/*.toml` and `playlists/*.toml`, checked with file, line and fix;
//! - [`edit`]: the web UI's changes made in those files in place, checked as `loaxa check`
//!   checks, written atomically;
//! - [`hours`]: spans of the day — quiet hours and gains by time of day;
//! - [`plan`](mod@plan): a pure function from programme, items and time range to cues;
//! - [`timetable`]: the programme in force, its problems, its reload and its plan with what
//!   the database holds;
//! - [`runner`]: airs the cues on an injected clock through the player, and keeps the
//!   as-run log, so a restart never airs twice and a wrong clock never fires a backlog.
//!
//! Owns the timing of cues; must not touch the web, and knows recordings and items only as the
//! model and the store give them.

pub mod airing;
pub mod calendar;
pub mod edit;
pub mod files;
mod gate;
pub mod hours;
pub mod plan;
pub mod runner;
pub mod timetable;

pub use files::Programme;
pub use plan::{Cue, Plan, plan};
pub use timetable::{Timetable, plan_from_store};
