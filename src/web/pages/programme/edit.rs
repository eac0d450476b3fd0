//! The programme's files on one page (`/programme/edit`): the slots, one-off slots, holidays,
//! quiet hours and playlists as the files say them, with the way to each form for an admin
//! (everyone else reads). Also what every programme form shares: the choices it offers, its
//! refusal, and saving through `station::programme::edit`. It holds no rule of the programme
//! and writes no file itself.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::super::{Chrome, render};
use crate::model::Said;
use crate::model::said;
use crate::schedule::Timetable;
use crate::schedule::edit::{Changed, EditError, FileKind};
use crate::schedule::files::{HolidayDate, Part, Programme, When};
use crate::station::Bus;
use crate::station::programme::{self, Edit, ProgrammeError};
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::i18n::{Lang, Text};

#[derive(Template)]
#[template(path = "programme_edit.html")]
struct EditPage {
    c: Chrome,
    slots: Vec<Row>,
    once: Vec<Row>,
    holidays: Vec<Row>,
    playlists: Vec<PlaylistRow>,
    quiet: String,
    quiet_zones: Vec<(String, String)>,
    problems: Vec<String>,
}

/// One entry as a line: its link, what it is, what it says.
struct Row {
    href: String,
    title: String,
    when: String,
    detail: String,
}

struct PlaylistRow {
    name: String,
    title: String,
    length: String,
    parts: Vec<Row>,
}

/// `GET /programme/edit`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "programme").await?;
    let t = user.lang.text();
    let p = timetable.programme();
    let mut slots = Vec::new();
    let mut once = Vec::new();
    for s in &p.slots {
        let row = Row {
            title: s.title.clone(),
            when: when(user.lang, &s.when, &p, s),
            detail: slot_detail(&p, &s.playlist, &s.zones),
            href: String::new(),
        };
        match s.when {
            When::Once(_) => once.push(Row {
                href: format!("/programme/once/edit?name={}", q(&s.name)),
                ..row
            }),
            _ => slots.push(Row {
                href: format!("/programme/slots/edit?name={}", q(&s.name)),
                ..row
            }),
        }
    }
    let holidays = p
        .holidays
        .values()
        .map(|h| Row {
            href: format!("/programme/holidays/edit?name={}", q(&h.name)),
            title: h.title.clone(),
            when: holiday_date(t, &h.date),
            detail: [
                (h.days > 1).then(|| format!("{} {}", h.days, t.days_word)),
                (h.offset_days != 0).then(|| format!("{:+} {}", h.offset_days, t.days_word)),
                h.greeting.then(|| t.greeting_word.to_string()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        })
        .collect();
    let playlists = p
        .playlists
        .values()
        .map(|pl| PlaylistRow {
            name: pl.name.clone(),
            title: pl.title.clone(),
            length: pl
                .max_minutes
                .map(|m| format!("≤ {m} {}", t.minutes_word))
                .unwrap_or_default(),
            parts: pl
                .parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    let (title, detail) = part_words(user.lang, part);
                    Row {
                        href: format!("/programme/parts/edit?playlist={}&part={i}", q(&pl.name)),
                        when: format!("{}.", i + 1),
                        title,
                        detail,
                    }
                })
                .collect(),
        })
        .collect();
    let spans = |h: &[crate::schedule::hours::DaySpan]| {
        h.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page = EditPage {
        c,
        slots,
        once,
        holidays,
        playlists,
        quiet: spans(&p.quiet.hours),
        quiet_zones: p
            .quiet
            .zones
            .iter()
            .map(|(z, h)| (z.clone(), spans(h)))
            .collect(),
        problems: user.lang.say_all(&timetable.problems()),
    };
    Ok(render(page, user.lang))
}

/// A value for a query string.
pub(super) fn q(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e.trim_start_matches("x=").to_string())
        .unwrap_or_default()
}

fn when(lang: Lang, w: &When, p: &Programme, s: &crate::schedule::files::Slot) -> String {
    let t = lang.text();
    let on = if s.holidays.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = s
            .holidays
            .iter()
            .map(|h| p.holidays.get(h).map_or(h.as_str(), |h| h.title.as_str()))
            .collect();
        format!(" · {}", names.join(", "))
    };
    let days = match w {
        When::Daily { time, days } => {
            let days = if days.len() == 7 {
                t.daily.to_string()
            } else {
                days.iter()
                    .map(|d| lang.weekday(*d))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("{} · {days}", time.format("%H:%M"))
        }
        When::Cron(c) => format!("cron {}", c.pattern),
        When::Once(at) => at.format("%d/%m/%Y %H:%M").to_string(),
    };
    let quiet = if s.through_quiet_hours {
        format!(" · {}", t.through_quiet_hours)
    } else {
        String::new()
    };
    days + &on + &quiet
}

fn slot_detail(p: &Programme, playlist: &str, zones: &[String]) -> String {
    let title = p
        .playlists
        .get(playlist)
        .map_or(playlist.to_string(), |pl| pl.title.clone());
    if zones.is_empty() {
        title
    } else {
        format!("{title} · {}", zones.join(", "))
    }
}

fn holiday_date(t: &Text, d: &HolidayDate) -> String {
    match d {
        HolidayDate::Solar { month, day } => format!("{day:02}/{month:02} · {}", t.solar),
        HolidayDate::Lunar { month, day } => format!("{day:02}/{month:02} · {}", t.lunar),
    }
}

/// A part as a line of the page, in the page's language: what it airs, and what kind it is.
pub(super) fn part_words(lang: Lang, part: &Part) -> (String, String) {
    let t = lang.text();
    match part {
        Part::Jingle(title) => (format!("♪ {title}"), t.jingle_word.into()),
        Part::Items {
            category,
            holidays_only,
            ..
        } => (
            lang.category(category).to_string(),
            if *holidays_only {
                format!("{} · {}", t.approved_items, t.part_holidays_only)
            } else {
                t.approved_items.into()
            },
        ),
        Part::Relay(r) => (r.title.clone(), format!("{} · {}", t.relay_word, r.url)),
    }
}

/// The admin's change, made, audited and put in force; what to show when it was refused.
pub(super) async fn save(
    store: &Store,
    timetable: &Timetable,
    events: &Bus,
    user: &PageUser,
    edit: Edit,
) -> Result<Result<Changed, Refusal>, PageError> {
    let (store, timetable, events) = (store.clone(), timetable.clone(), events.clone());
    let admin = user.authed.user.name.clone();
    let done = tokio::task::spawn_blocking(move || {
        programme::edit(&timetable, &store, &events, &admin, &edit)
    })
    .await
    .map_err(|e| user.err(e))?;
    match done {
        Ok(changed) => Ok(Ok(changed)),
        Err(e) => Ok(Err(Refusal::of(e).map_err(|e| user.err(e))?)),
    }
}

/// Why a form came back: its status, the sentence, and each problem (file, line, fix).
pub(super) struct Refusal {
    /// 422 (would break the programme), 409 (stale), 400 (badly typed).
    pub status: axum::http::StatusCode,
    /// What happened.
    pub message: Said,
    /// `loaxa check`'s lines for it.
    pub problems: Vec<Said>,
}

impl Refusal {
    /// A refusal the form can show; anything else is the error page's.
    pub fn of(e: ProgrammeError) -> Result<Refusal, AppError> {
        let problems = match &e {
            ProgrammeError::Edit(EditError::Refused(p)) => p
                .iter()
                .map(|p| {
                    // `schedules/hang-ngay.toml:73`, as the admin knows the folders.
                    let mut p = p.clone();
                    let path = std::path::Path::new(&p.file);
                    if let (Some(dir), Some(name)) =
                        (path.parent().and_then(|d| d.file_name()), path.file_name())
                    {
                        p.file = format!("{}/{}", dir.to_string_lossy(), name.to_string_lossy());
                    }
                    p.said()
                })
                .collect(),
            ProgrammeError::Edit(
                EditError::Stale(_) | EditError::Invalid(_) | EditError::NotEditable(_),
            ) => Vec::new(),
            _ => return Err(e.into()),
        };
        let message = match &e {
            ProgrammeError::Edit(EditError::Refused(_)) => {
                said!(
                    "thay đổi này làm hỏng lịch phát, chưa lưu; sửa theo gợi ý dưới đây",
                    "this change would break the programme and was not saved; fix what is said below"
                )
            }
            other => other.said(),
        };
        let status = AppError::from(e).status();
        Ok(Refusal {
            status,
            message,
            problems,
        })
    }

    /// The sentence and the problems for a form in `lang`: what its template shows.
    pub fn in_lang(self, lang: Lang) -> (Option<String>, Vec<String>) {
        (
            Some(lang.say(&self.message).to_string()),
            lang.say_all(&self.problems),
        )
    }
}

/// The choices a programme form offers from the programme in force: `(value, label, chosen)`.
pub(super) fn choices<'a>(
    all: impl Iterator<Item = (&'a String, String)>,
    chosen: &[String],
) -> Vec<(String, String, bool)> {
    let mut out: Vec<(String, String, bool)> = all
        .map(|(v, l)| (v.clone(), l, chosen.contains(v)))
        .collect();
    // A name the file has that the programme no longer knows stays visible, ticked.
    for c in chosen {
        if !out.iter().any(|(v, _, _)| v == c) {
            out.push((c.clone(), c.clone(), true));
        }
    }
    out
}

/// The schedule files a new entry may go in, the one holding most of `array` first.
pub(super) fn schedule_files(timetable: &Timetable, array: &str) -> Vec<String> {
    let Some(editor) = timetable.editor() else {
        return Vec::new();
    };
    let mut files: Vec<(usize, String)> = editor
        .files(FileKind::Schedule)
        .into_iter()
        .map(|f| {
            let n = editor
                .read(FileKind::Schedule, &f)
                .map(|t| t.text.matches(&format!("[[{array}]]")).count())
                .unwrap_or(0);
            (n, f)
        })
        .collect();
    files.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    files.into_iter().map(|(_, f)| f).collect()
}
