//! The admin's quiet-hours form: the commune's spans (`[quiet] hours`) and each zone's own
//! (`[quiet.zones]`), as `HH:MM-HH:MM` lists. Parses and presents.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;

use super::super::{Chrome, render};
use super::edit::{Refusal, save};
use super::forms::{no_files, read_at};
use crate::schedule::Timetable;
use crate::schedule::edit::{FileKind, Place, QuietInput};
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::input::joined;

#[derive(Template)]
#[template(path = "programme_quiet.html")]
struct QuietPage {
    c: Chrome,
    file: String,
    version: String,
    hours: String,
    /// Every known zone and its own spans.
    zones: Vec<(String, String)>,
    error: Option<String>,
    problems: Vec<String>,
}

/// The schedule file that holds `[quiet]`, or the first one.
fn quiet_file(timetable: &Timetable) -> Option<String> {
    let editor = timetable.editor()?;
    let files = editor.files(FileKind::Schedule);
    files
        .iter()
        .find(|f| {
            editor
                .read(FileKind::Schedule, f)
                .is_ok_and(|t| t.text.lines().any(|l| l.trim() == "[quiet]"))
        })
        .or(files.first())
        .cloned()
}

/// `GET /programme/quiet`.
pub async fn form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
) -> Result<Response, PageError> {
    let file = quiet_file(&timetable).ok_or_else(|| user.err(no_files()))?;
    let quiet = read_at(
        &timetable,
        FileKind::Schedule,
        &file,
        &Place::Table(vec!["quiet".into()]),
    )
    .map_err(|e| user.err(e))?;
    let own = read_at(
        &timetable,
        FileKind::Schedule,
        &file,
        &Place::Table(vec!["quiet".into(), "zones".into()]),
    )
    .map_err(|e| user.err(e))?;
    let zones = timetable
        .programme()
        .known_zones()
        .into_iter()
        .map(|z| {
            let spans = own.strings(&z).join(", ");
            (z, spans)
        })
        .collect();
    let input = QuietInput {
        hours: quiet.strings("hours").join(", "),
        zones,
    };
    page(&store, &user, file, quiet.version, input, None).await
}

async fn page(
    store: &Store,
    user: &PageUser,
    file: String,
    version: String,
    input: QuietInput,
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "programme").await?;
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        QuietPage {
            c,
            file,
            version,
            hours: input.hours,
            zones: input.zones,
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

/// `POST /programme/quiet`: the quiet hours; refused as the slot form is.
pub async fn submit(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let zones: Vec<(String, String)> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("zone:")?.to_string(), v.clone())))
        .collect();
    let f = joined(pairs);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (file, version) = (get("file"), get("version"));
    let input = QuietInput {
        hours: get("hours"),
        zones,
    };
    let edit = Edit {
        kind: FileKind::Schedule,
        file: file.clone(),
        version: version.clone(),
        what: "quiet.change".into(),
        changes: input.changes(),
    };
    match save(&store, &timetable, &events, &user, edit).await? {
        Ok(_) => Ok(flash::redirect("/programme/edit#quiet", Flash::Saved)),
        Err(refusal) => page(&store, &user, file, version, input, Some(refusal)).await,
    }
}
