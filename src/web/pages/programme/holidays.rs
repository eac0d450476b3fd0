//! The admin's holiday form: add, change or remove a `[[holiday]]` — its name, a solar or a
//! lunar `MM-DD` date, how many days, and whether the chairman's greeting airs on it. A
//! holiday's `offset_days` (Giao thừa) is kept as the file says. Parses and presents.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;

use super::super::{Chrome, render};
use super::edit::{Refusal, save, schedule_files};
use super::forms::{Found, find_named, version_of};
use super::slots::Which;
use crate::schedule::Timetable;
use crate::schedule::edit::{FileKind, HolidayInput};
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::input::joined;

#[derive(Template)]
#[template(path = "programme_holiday.html")]
struct HolidayPage {
    c: Chrome,
    original: String,
    file: String,
    files: Vec<String>,
    version: String,
    input: HolidayInput,
    /// Kept from the file, shown so the admin knows (Giao thừa: −1).
    offset_days: String,
    error: Option<String>,
    problems: Vec<String>,
}

struct Form0 {
    original: String,
    file: String,
    version: String,
    input: HolidayInput,
    offset_days: String,
}

/// `GET /programme/holidays/new`.
pub async fn new_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let file = schedule_files(&timetable, "holiday")
        .into_iter()
        .next()
        .unwrap_or_default();
    let form = Form0 {
        original: String::new(),
        version: version_of(&timetable, FileKind::Schedule, &file),
        file,
        input: HolidayInput {
            calendar: "solar".into(),
            ..HolidayInput::default()
        },
        offset_days: String::new(),
    };
    page(&store, &timetable, &user, form, None).await
}

/// `GET /programme/holidays/edit?name=…`.
pub async fn edit_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
    Query(w): Query<Which>,
) -> Result<Response, PageError> {
    let name = w.name.unwrap_or_default();
    let found: Found = find_named(&timetable, "holiday", &name).map_err(|e| user.err(e))?;
    let lunar = !found.text("lunar").is_empty();
    let input = HolidayInput {
        name: found.text("name"),
        title: found.text("title"),
        calendar: if lunar { "lunar" } else { "solar" }.into(),
        date: if lunar {
            found.text("lunar")
        } else {
            found.text("solar")
        },
        days: found.text("days"),
        greeting: found.on("greeting"),
    };
    let form = Form0 {
        original: name,
        offset_days: found.text("offset_days"),
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
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        HolidayPage {
            c,
            original: form.original,
            files: schedule_files(timetable, "holiday"),
            file: form.file,
            version: form.version,
            input: form.input,
            offset_days: form.offset_days,
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

/// `POST /programme/holidays`: add or change a holiday; refused as the slot form is.
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
        offset_days: get("offset_days"),
        input: HolidayInput {
            name: get("name").trim().to_string(),
            title: get("title"),
            calendar: get("calendar"),
            date: get("date"),
            days: get("days"),
            greeting: f.contains_key("greeting"),
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
        format!("holiday.add {}", form.input.name)
    } else {
        format!("holiday.change {}", form.original)
    };
    let edit = Edit {
        kind: FileKind::Schedule,
        file: form.file.clone(),
        version: form.version.clone(),
        what,
        changes: vec![change],
    };
    match save(&store, &timetable, &events, &user, edit).await? {
        Ok(_) => Ok(flash::redirect("/programme/edit#holidays", Flash::Saved)),
        Err(refusal) => page(&store, &timetable, &user, form, Some(refusal)).await,
    }
}
