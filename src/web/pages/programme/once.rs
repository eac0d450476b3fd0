//! The admin's one-off form: add, change or remove a `[[once]]` — a date and time, the
//! playlist and zones chosen from the programme's real ones. Parses and presents.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;

use super::super::{Chrome, render};
use super::edit::{Refusal, choices, save, schedule_files};
use super::forms::{find_named, split, version_of};
use super::slots::Which;
use crate::schedule::Timetable;
use crate::schedule::edit::{FileKind, OnceInput};
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::input::joined;

#[derive(Template)]
#[template(path = "programme_once.html")]
struct OncePage {
    c: Chrome,
    original: String,
    file: String,
    files: Vec<String>,
    version: String,
    input: OnceInput,
    /// `at` as the browser's date-and-time field wants it.
    at_local: String,
    playlists: Vec<(String, String, bool)>,
    zones: Vec<(String, String, bool)>,
    error: Option<String>,
    problems: Vec<String>,
}

struct Form0 {
    original: String,
    file: String,
    version: String,
    input: OnceInput,
}

/// `GET /programme/once/new`.
pub async fn new_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let file = schedule_files(&timetable, "once")
        .into_iter()
        .next()
        .unwrap_or_default();
    let form = Form0 {
        original: String::new(),
        version: version_of(&timetable, FileKind::Schedule, &file),
        file,
        input: OnceInput::default(),
    };
    page(&store, &timetable, &user, form, None).await
}

/// `GET /programme/once/edit?name=…`.
pub async fn edit_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
    Query(w): Query<Which>,
) -> Result<Response, PageError> {
    let name = w.name.unwrap_or_default();
    let found = find_named(&timetable, "once", &name).map_err(|e| user.err(e))?;
    let input = OnceInput {
        name: found.text("name"),
        title: found.text("title"),
        at: found.text("at"),
        playlist: found.text("playlist"),
        zones: found.strings("zones"),
    };
    let form = Form0 {
        original: name,
        file: found.file,
        version: found.version,
        input,
    };
    page(&store, &timetable, &user, form, None).await
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
    let playlists = choices(
        p.playlists.iter().map(|(n, pl)| (n, pl.title.clone())),
        std::slice::from_ref(&input.playlist),
    )
    .into_iter()
    .filter(|(v, _, _)| !v.is_empty())
    .collect();
    let zones = p.known_zones();
    let zones = choices(zones.iter().map(|z| (z, z.clone())), &input.zones);
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        OncePage {
            c,
            original: form.original,
            files: schedule_files(timetable, "once"),
            file: form.file,
            version: form.version,
            at_local: input.at.trim().replacen(' ', "T", 1),
            input,
            playlists,
            zones,
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

/// `POST /programme/once`: add or change a one-off; refused as the slot form is.
pub async fn submit(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = joined(pairs);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = Form0 {
        original: get("original"),
        file: get("file"),
        version: get("version"),
        input: OnceInput {
            name: get("name").trim().to_string(),
            title: get("title"),
            at: get("at"),
            playlist: get("playlist"),
            zones: split(f.get("zones")),
        },
    };
    let change = match form.input.change(&form.original) {
        Ok(c) => c,
        Err(e) => {
            let refusal = Refusal::of(e.into()).map_err(|e| user.err(e))?;
            return page(&store, &timetable, &user, form, Some(refusal)).await;
        }
    };
    let what = if form.original.is_empty() {
        format!("once.add {}", form.input.name)
    } else {
        format!("once.change {}", form.original)
    };
    let edit = Edit {
        kind: FileKind::Schedule,
        file: form.file.clone(),
        version: form.version.clone(),
        what,
        changes: vec![change],
    };
    match save(&store, &timetable, &events, &user, edit).await? {
        Ok(_) => Ok(flash::redirect("/programme/edit#once", Flash::Saved)),
        Err(refusal) => page(&store, &timetable, &user, form, Some(refusal)).await,
    }
}
