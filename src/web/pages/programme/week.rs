//! `GET /programme`: the week or the month of slots and the approved items that will air in
//! them, with lunar dates and holidays, what did not fit and the programme's problems. Reads the
//! timetable's plan; changes nothing.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::super::{Chrome, duration, render};
use crate::config::Config;
use crate::demo::session;
use crate::model::{Said, said};
use crate::schedule::Timetable;
use crate::schedule::calendar::{self, VIETNAM_UTC_OFFSET};
use crate::schedule::files::{Holiday, Programme};
use crate::schedule::plan::{Content, Cue, Plan, holidays_between};
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::i18n::Lang;

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
    /// The slot airs through quiet hours (`through_quiet_hours = true`), said beside its title.
    through_quiet: bool,
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

/// The days a page shows: a week from any day, or a calendar month.
struct Window {
    first: NaiveDate,
    days: i64,
    prev: NaiveDate,
    next: NaiveDate,
    month: bool,
}

impl Window {
    /// The window the query asks for; `from` defaults to `today`.
    fn of(q: &WeekQuery, today: NaiveDate) -> Result<Window, Said> {
        let first: NaiveDate = match q.from.as_deref().filter(|s| !s.is_empty()) {
            None => today,
            Some(s) => s
                .parse()
                .map_err(|_| said!("ngày \"{s}\" không hợp lệ", "\"{s}\" is not a date"))?,
        };
        if q.view.as_deref() != Some("month") {
            let week = Duration::days(7);
            return Ok(Window {
                first,
                days: 7,
                prev: first - week,
                next: first + week,
                month: false,
            });
        }
        let first = first.with_day(1).unwrap_or(first);
        let month = chrono::Months::new(1);
        let next = first.checked_add_months(month).unwrap_or(first);
        Ok(Window {
            first,
            days: (next - first).num_days(),
            prev: first.checked_sub_months(month).unwrap_or(first),
            next,
            month: true,
        })
    }

    fn last(&self) -> NaiveDate {
        self.first + Duration::days(self.days - 1)
    }

    fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..self.days).map(|i| self.first + Duration::days(i))
    }

    fn heading(&self) -> String {
        if self.month {
            self.first.format("%m/%Y").to_string()
        } else {
            let (first, last) = (self.first, self.last());
            format!("{} – {}", first.format("%d/%m"), last.format("%d/%m/%Y"))
        }
    }
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
    let window = Window::of(&q, today).map_err(|e| user.err(AppError::BadRequest(e)))?;
    let midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|n| tz.from_local_datetime(&n).earliest())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let (from, until) = (
        midnight(window.first),
        midnight(window.last() + Duration::days(1)),
    );
    let mut plan = timetable
        .plan_now(&store, from, until)
        .await
        .map_err(|e| user.err(e))?;
    // The demo's session, every five minutes, would bury the commune's slots: it is said
    // once, apart.
    let demo_next = config.schedule.demo_session.then(|| {
        let next = next_demo_session(&plan, Utc::now(), tz);
        plan.cues.retain(|c| c.slot != session::SLOT);
        next
    });
    let programme = timetable.programme();
    let holidays = holidays_between(&programme, window.first, window.last());
    let days = window
        .dates()
        .map(|d| Day {
            title: format!("{} {}", user.lang.weekday(d.weekday()), d.format("%d/%m")),
            lunar: calendar::solar_to_lunar(d, VIETNAM_UTC_OFFSET).short(),
            today: d == today,
            holidays: holidays
                .get(&d)
                .map(|hs| hs.iter().map(|h: &&Holiday| h.title.clone()).collect())
                .unwrap_or_default(),
            slots: slots_of_day(&programme, &plan, d, tz, user.lang),
        })
        .collect();
    let mut warnings = user.lang.say_all(&plan.warnings);
    warnings.extend(user.lang.say_all(&timetable.problems()));
    let page = ProgrammePage {
        c,
        days,
        view: if window.month { "month" } else { "week" },
        heading: window.heading(),
        first: window.first.to_string(),
        blanks: if window.month {
            vec![(); window.first.weekday().num_days_from_monday() as usize]
        } else {
            Vec::new()
        },
        prev: window.prev.to_string(),
        next: window.next.to_string(),
        left_out: left_out_lines(&plan, tz, user.lang),
        warnings,
        demo_next,
    };
    Ok(render(page, user.lang))
}

/// When the demo's own session next starts after `now`, or `—` if not in this plan.
fn next_demo_session(plan: &Plan, now: DateTime<Utc>, tz: Tz) -> String {
    plan.cues
        .iter()
        .find(|c| c.slot == session::SLOT && c.slot_start >= now)
        .map_or_else(
            || "—".to_string(),
            |c| {
                let local = c.slot_start.with_timezone(&tz);
                local.format("%H:%M %d/%m").to_string()
            },
        )
}

/// The slots that start on local day `d`, each with its cues and their running length in
/// `lang`.
fn slots_of_day(
    programme: &Programme,
    plan: &Plan,
    d: NaiveDate,
    tz: Tz,
    lang: Lang,
) -> Vec<SlotView> {
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
                through_quiet: programme.airs_through_quiet_hours(&cue.slot),
                cues: Vec::new(),
            });
        }
        total_ms += cue.length_ms;
        if let Some(slot) = slots.last_mut() {
            slot.length = lang.length(total_ms);
            slot.cues.push(cue_row(cue));
        }
    }
    slots
}

fn cue_row(cue: &Cue) -> CueRow {
    CueRow {
        title: cue.title.clone(),
        length: duration(cue.length_ms),
        item: match cue.content {
            Content::Item { item_id, .. } => Some(item_id),
            Content::Relayed { item_id, .. } => item_id,
            Content::Jingle { .. } | Content::Stream { .. } => None,
        },
    }
}

/// What the plan left out, a line each: title, slot, when, and why in `lang`.
fn left_out_lines(plan: &Plan, tz: Tz, lang: Lang) -> Vec<String> {
    plan.left_out
        .iter()
        .map(|l| {
            format!(
                "{} — {} ({}): {}",
                l.title,
                l.slot,
                l.slot_start.with_timezone(&tz).format("%d/%m %H:%M"),
                lang.say(&l.why.said())
            )
        })
        .collect()
}
