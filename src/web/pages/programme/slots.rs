//! The admin's slot form: add, change or remove a `[[slot]]` — a time and days of the week (or,
//! as an advanced field, a cron line), the playlist and zones chosen from the programme's real
//! ones, the holidays it is for. Parses the form and presents; the change itself is
//! `schedule::edit`'s and `station::programme`'s.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::super::{Chrome, render};
use super::edit::{Refusal, choices, save, schedule_files};
use super::forms::{no_files, split, version_of};
use crate::model::said;
use crate::schedule::Timetable;
use crate::schedule::edit::{self, DAYS, FileKind, Place, SlotInput, Target, Value};
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::input::joined;

#[derive(Template)]
#[template(path = "programme_slot.html")]
struct SlotPage {
    c: Chrome,
    /// The slot's name before this edit; empty for a new one.
    original: String,
    file: String,
    files: Vec<String>,
    version: String,
    input: SlotInput,
    days: Vec<(&'static str, &'static str, bool)>,
    playlists: Vec<(String, String, bool)>,
    zones: Vec<(String, String, bool)>,
    holidays: Vec<(String, String, bool)>,
    error: Option<String>,
    problems: Vec<String>,
}

const DAY_LABELS: [&str; 7] = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"];

#[derive(Debug, Deserialize)]
pub struct Which {
    pub(super) name: Option<String>,
}

/// `GET /programme/slots/new`.
pub async fn new_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let files = schedule_files(&timetable, "slot");
    let file = files.first().cloned().unwrap_or_default();
    let version = version_of(&timetable, FileKind::Schedule, &file);
    let input = SlotInput {
        time: "06:00".into(),
        days: DAYS.iter().map(|d| d.to_string()).collect(),
        ..SlotInput::default()
    };
    let form = Form0 {
        original: String::new(),
        file,
        version,
        input,
    };
    page(&store, &timetable, &user, form, None).await
}

/// `GET /programme/slots/edit?name=…`.
pub async fn edit_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
    Query(w): Query<Which>,
) -> Result<Response, PageError> {
    let name = w.name.unwrap_or_default();
    let editor = timetable.editor().ok_or_else(|| user.err(no_files()))?;
    let found = editor
        .find(FileKind::Schedule, "slot", &name)
        .ok_or_else(|| {
            user.err(AppError::NotFound(said!(
                "không có buổi phát \"{name}\"",
                "there is no slot \"{name}\""
            )))
        })?;
    let values = edit::document::read(
        &found.text,
        &Place::Entry {
            array: "slot".into(),
            target: Target::Name(name.clone()),
        },
    )
    .unwrap_or_default();
    let text = |k: &str| match values.get(k) {
        Some(Value::Str(s)) => s.clone(),
        _ => String::new(),
    };
    let strings = |k: &str| match values.get(k) {
        Some(Value::List(l)) => l.clone(),
        _ => Vec::new(),
    };
    let days = match values.get("days") {
        Some(Value::List(l)) => DAYS
            .iter()
            .filter(|d| l.iter().any(|x| in_days(x, d)))
            .map(|d| d.to_string())
            .collect(),
        _ => DAYS.iter().map(|d| d.to_string()).collect(),
    };
    let input = SlotInput {
        name: text("name"),
        title: text("title"),
        time: text("time"),
        days,
        cron: text("cron"),
        playlist: text("playlist"),
        zones: strings("zones"),
        holidays: strings("holidays"),
    };
    let form = Form0 {
        original: name,
        file: found.file,
        version: found.version,
        input,
    };
    page(&store, &timetable, &user, form, None).await
}

/// Whether the file's day `x` (`mon`, `T2`) is the form's day `d` (`t2`).
fn in_days(x: &str, d: &str) -> bool {
    edit::same_days(&[x.to_string()], &[d.to_string()])
}

/// What the form holds: the slot it edits, the file and version it was read from, the values.
struct Form0 {
    original: String,
    file: String,
    version: String,
    input: SlotInput,
}

async fn page(
    store: &Store,
    timetable: &Timetable,
    user: &PageUser,
    form: Form0,
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "programme").await?;
    let p = timetable.programme();
    let input = form.input;
    let days = DAYS
        .iter()
        .zip(DAY_LABELS)
        .map(|(d, l)| (*d, l, input.days.iter().any(|x| x == d)))
        .collect();
    let playlists = choices(
        p.playlists.iter().map(|(n, pl)| (n, pl.title.clone())),
        std::slice::from_ref(&input.playlist),
    )
    .into_iter()
    .filter(|(v, _, _)| !v.is_empty())
    .collect();
    let zones = p.known_zones();
    let zones = choices(zones.iter().map(|z| (z, z.clone())), &input.zones);
    let holidays = choices(
        p.holidays.iter().map(|(n, h)| (n, h.title.clone())),
        &input.holidays,
    );
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        SlotPage {
            c,
            original: form.original,
            files: schedule_files(timetable, "slot"),
            file: form.file,
            version: form.version,
            input,
            days,
            playlists,
            zones,
            holidays,
            error,
            problems,
        },
        user.lang,
    );
    if let Some(s) = status {
        *page.status_mut() = s;
    }
    Ok(page)
}

/// `POST /programme/slots`: add or change a slot; a refusal shows the form again with what was
/// typed, the problem in `loaxa check`'s words, and its line.
pub async fn submit(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = joined(pairs);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let many = |k: &str| split(f.get(k));
    let input = SlotInput {
        name: get("name").trim().to_string(),
        title: get("title"),
        time: get("time"),
        days: many("days"),
        cron: get("cron"),
        playlist: get("playlist"),
        zones: many("zones"),
        holidays: many("holidays"),
    };
    let form = Form0 {
        original: get("original"),
        file: get("file"),
        version: get("version"),
        input,
    };
    let change = match form.input.change(&form.original) {
        Ok(c) => c,
        Err(e) => {
            let refusal = Refusal::of(e.into()).map_err(|e| user.err(e))?;
            return page(&store, &timetable, &user, form, Some(refusal)).await;
        }
    };
    let what = if form.original.is_empty() {
        format!("slot.add {}", form.input.name)
    } else {
        format!("slot.change {}", form.original)
    };
    let edit = Edit {
        kind: FileKind::Schedule,
        file: form.file.clone(),
        version: form.version.clone(),
        what,
        changes: vec![change],
    };
    match save(&store, &timetable, &events, &user, edit).await? {
        Ok(_) => Ok(flash::redirect("/programme/edit", Flash::Saved)),
        Err(refusal) => page(&store, &timetable, &user, form, Some(refusal)).await,
    }
}
