//! The programme: when the loudspeakers speak, and what they say.
//!
//! - [`calendar`]: the Vietnamese lunar calendar, computed for UTC+7;
//! - [`files`]: `schedules/*.toml` and `playlists/*.toml`, checked with file, line and fix;
//! - [`plan`](mod@plan): a pure function from programme, items and time range to cues;
//! - [`runner`]: airs the cues on an injected clock through the player, and keeps the
//!   as-run log, so a restart never airs twice and a wrong clock never fires a backlog.

pub mod calendar;
pub mod files;
pub mod plan;
pub mod runner;

pub use files::Programme;
pub use plan::{Cue, Plan, plan};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The plan for `[from, to)` with the approved items and jingles in the database: what the
/// runner airs, `loaxa plan` prints and the programme page shows.
pub fn plan_from_store(
    conn: &rusqlite::Connection,
    programme: &Programme,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> rusqlite::Result<Plan> {
    let approved = crate::store::items::approved_between(
        conn,
        from.with_timezone(&tz).date_naive(),
        to.with_timezone(&tz).date_naive(),
    )?;
    let jingles = runner::jingles(conn)?;
    Ok(plan(programme, &approved, &jingles, from, to, tz))
}
