//! The programme pages: the week or the month of slots and the approved items that will air in
//! them, with lunar dates, the holidays and what did not fit (the plan is the timetable's), and
//! the admin's forms that
//! change the programme files ([`edit`] lists them; [`slots`], [`once`], [`holidays`],
//! [`parts`], [`quiet`] are the forms, [`forms`] what they share).

mod edit;
mod forms;
mod holidays;
mod once;
mod parts;
mod quiet;
mod slots;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use axum::Router;
use axum::routing::{get, post};

use std::sync::Arc;

use super::{Chrome, duration, render};
use crate::config::Config;
use crate::demo::session;
use crate::model::said;
use crate::schedule::Timetable;
use crate::schedule::calendar::{self, VIETNAM_UTC_OFFSET};
use crate::schedule::plan::{Content, holidays_between};
use crate::store::Store;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};

/// The programme's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programme", get(page))
        .route("/programme/edit", get(edit::page))
        .route("/programme/slots", post(slots::submit))
        .route("/programme/slots/new", get(slots::new_form))
        .route("/programme/slots/edit", get(slots::edit_form))
        .route("/programme/once", post(once::submit))
        .route("/programme/once/new", get(once::new_form))
        .route("/programme/once/edit", get(once::edit_form))
        .route("/programme/holidays", post(holidays::submit))
        .route("/programme/holidays/new", get(holidays::new_form))
        .route("/programme/holidays/edit", get(holidays::edit_form))
        .route("/programme/playlists", post(parts::header))
        .route("/programme/playlists/edit", get(parts::playlist_page))
        .route("/programme/parts", post(parts::submit))
        .route("/programme/parts/new", get(parts::part_form))
        .route("/programme/parts/edit", get(parts::part_form))
        .route("/programme/quiet", get(quiet::form).post(quiet::submit))
        .route("/programme/remove", post(forms::remove))
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    c: Chrome,
    days: Vec<Day>,
    /// `week` or `month`.
    view: &'static str,
    /// What the page shows, in words (`12/2026`, `01/12 – 07/12/2026`).
    heading: String,
    /// The first day shown, for the date picker.
    first: String,
    /// Empty cells before the month's first day in a desktop month grid.
    blanks: Vec<()>,
    prev: String,
    next: String,
    left_out: Vec<String>,
    warnings: Vec<String>,
    /// With `serve --demo`: when the demo's own session airs next this week (`—` if not),
    /// shown apart from the commune's slots.
    demo_next: Option<String>,
}

struct Day {
    title: String,
    lunar: String,
    today: bool,
    holidays: Vec<String>,
    slots: Vec<SlotView>,
}

/// One slot of a day: its start, title, length and what it airs.
struct SlotView {
    time: String,
    title: String,
    length: String,
    cues: Vec<CueRow>,
}

struct CueRow {
    title: String,
    length: String,
    item: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct WeekQuery {
    from: Option<String>,
    view: Option<String>,
}

/// `GET /programme`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(config): State<Arc<Config>>,
    user: Page<CanView>,
    Query(q): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "programme").await?;
    let tz = timetable.tz();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first: NaiveDate = match q.from.as_deref().filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => s.parse().map_err(|_| {
            user.err(AppError::BadRequest(said!(
                "ngày \"{s}\" không hợp lệ",
                "\"{s}\" is not a date"
            )))
        })?,
    };
    let month = q.view.as_deref() == Some("month");
    let (first, count, prev, next) = if month {
        let first = first.with_day(1).unwrap_or(first);
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let prev = first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first);
        (first, (next - first).num_days(), prev, next)
    } else {
        let week = chrono::Duration::days(7);
        (first, 7, first - week, first + week)
    };
    let last = first + chrono::Duration::days(count - 1);
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|n| tz.from_local_datetime(&n).earliest())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let mut plan = timetable
        .plan_now(
            &store,
            start(first),
            start(last + chrono::Duration::days(1)),
        )
        .await
        .map_err(|e| user.err(e))?;
    // The demo's session, every five minutes, would bury the commune's slots: it is said
    // once, apart.
    let demo_next = config.schedule.demo_session.then(|| {
        let now = Utc::now();
        let next = plan
            .cues
            .iter()
            .find(|c| c.slot == session::SLOT && c.slot_start >= now);
        next.map_or_else(
            || "—".to_string(),
            |c| {
                c.slot_start
                    .with_timezone(&tz)
                    .format("%H:%M %d/%m")
                    .to_string()
            },
        )
    });
    if config.schedule.demo_session {
        plan.cues.retain(|c| c.slot != session::SLOT);
    }
    let programme = timetable.programme();
    let holidays = holidays_between(&programme, first, last);
    let days = (0..count)
        .map(|i| {
            let d = first + chrono::Duration::days(i);
            let mut slots: Vec<SlotView> = Vec::new();
            let mut total_ms = 0;
            for cue in plan
                .cues
                .iter()
                .filter(|c| c.slot_start.with_timezone(&tz).date_naive() == d)
            {
                let time = cue
                    .slot_start
                    .with_timezone(&tz)
                    .format("%H:%M")
                    .to_string();
                if slots
                    .last()
                    .is_none_or(|s| s.time != time || s.title != cue.slot_title)
                {
                    total_ms = 0;
                    slots.push(SlotView {
                        time,
                        title: cue.slot_title.clone(),
                        length: String::new(),
                        cues: Vec::new(),
                    });
                }
                total_ms += cue.length_ms;
                if let Some(slot) = slots.last_mut() {
                    slot.length = duration(total_ms);
                    slot.cues.push(CueRow {
                        title: cue.title.clone(),
                        length: duration(cue.length_ms),
                        item: match cue.content {
                            Content::Item { item_id, .. } => Some(item_id),
                            Content::Relayed { item_id, .. } => item_id,
                            Content::Jingle { .. } | Content::Stream { .. } => None,
                        },
                    });
                }
            }
            Day {
                title: format!(
                    "{} {}",
                    crate::text::weekday_vi(d.weekday()),
                    d.format("%d/%m")
                ),
                lunar: calendar::solar_to_lunar(d, VIETNAM_UTC_OFFSET).short(),
                today: d == today,
                holidays: holidays
                    .get(&d)
                    .map(|hs| hs.iter().map(|h| h.title.clone()).collect())
                    .unwrap_or_default(),
                slots,
            }
        })
        .collect();
    let left_out = plan
        .left_out
        .iter()
        .map(|l| {
            format!(
                "{} — {} ({}): {}",
                l.title,
                l.slot,
                l.slot_start.with_timezone(&tz).format("%d/%m %H:%M"),
                user.lang.say(&l.why.said())
            )
        })
        .collect();
    let mut warnings = user.lang.say_all(&plan.warnings);
    warnings.extend(user.lang.say_all(&timetable.problems()));
    let page = ProgrammePage {
        c,
        days,
        view: if month { "month" } else { "week" },
        heading: if month {
            first.format("%m/%Y").to_string()
        } else {
            format!("{} – {}", first.format("%d/%m"), last.format("%d/%m/%Y"))
        },
        first: first.to_string(),
        blanks: if month {
            vec![(); first.weekday().num_days_from_monday() as usize]
        } else {
            Vec::new()
        },
        prev: prev.to_string(),
        next: next.to_string(),
        left_out,
        warnings,
        demo_next,
    };
    Ok(render(page, user.lang))
}
