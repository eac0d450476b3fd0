//! What every programme form shares: finding the entry it edits in the files and reading its
//! values, one removal for every kind of entry, and splitting ticked boxes. It holds no rule
//! of the programme: `schedule::edit` and `files::check` do.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::edit::save;
use crate::model::Said;
use crate::model::said;
use crate::schedule::Timetable;
use crate::schedule::edit::{self, FileKind, Place, Target, Value};
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};

/// An entry as its file holds it, and the file's version for the form.
pub(super) struct Found {
    /// The file's name in its folder.
    pub file: String,
    /// Its version.
    pub version: String,
    /// The entry's keys.
    pub values: BTreeMap<String, Value>,
}

impl Found {
    /// A string value, or empty.
    pub fn text(&self, k: &str) -> String {
        match self.values.get(k) {
            Some(Value::Str(s)) => s.clone(),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Float(f)) => f.to_string(),
            _ => String::new(),
        }
    }

    /// A list of strings, or none.
    pub fn strings(&self, k: &str) -> Vec<String> {
        match self.values.get(k) {
            Some(Value::List(l)) => l.clone(),
            _ => Vec::new(),
        }
    }

    /// An on/off value, off when absent.
    pub fn on(&self, k: &str) -> bool {
        matches!(self.values.get(k), Some(Value::Bool(true)))
    }
}

pub(super) fn no_files() -> AppError {
    AppError::Conflict(said!(
        "lịch phát này không có tệp để sửa",
        "this programme has no files to edit"
    ))
}

/// The `[[array]]` entry named `name` in whichever schedule file holds it.
pub(super) fn find_named(
    timetable: &Timetable,
    array: &str,
    name: &str,
) -> Result<Found, AppError> {
    let editor = timetable.editor().ok_or_else(no_files)?;
    let missing = || {
        AppError::NotFound(said!(
            "không có [[{array}]] \"{name}\" trong lịch phát",
            "there is no [[{array}]] \"{name}\" in the programme"
        ))
    };
    let file = editor
        .find(FileKind::Schedule, array, name)
        .ok_or_else(missing)?;
    let place = Place::Entry {
        array: array.into(),
        target: Target::Name(name.into()),
    };
    let values = edit::document::read(&file.text, &place).ok_or_else(missing)?;
    Ok(Found {
        file: file.file,
        version: file.version,
        values,
    })
}

/// A table (`place`) of `file`, or an empty one when the file has none yet.
pub(super) fn read_at(
    timetable: &Timetable,
    kind: FileKind,
    file: &str,
    place: &Place,
) -> Result<Found, AppError> {
    let editor = timetable.editor().ok_or_else(no_files)?;
    let text = editor
        .read(kind, file)
        .map_err(|e| AppError::NotFound(e.said()))?;
    Ok(Found {
        values: edit::document::read(&text.text, place).unwrap_or_default(),
        file: text.file,
        version: text.version,
    })
}

/// The version of a file now, for a new entry's form.
pub(super) fn version_of(timetable: &Timetable, kind: FileKind, file: &str) -> String {
    timetable
        .editor()
        .and_then(|e| e.read(kind, file).ok())
        .map(|f| f.version)
        .unwrap_or_default()
}

/// The values of a field sent several times (ticked boxes), as `input::joined` joined them.
pub(super) fn split(v: Option<&String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct Removal {
    /// `slot`, `once`, `holiday` (in a schedule file) or `part` (in a playlist file).
    array: String,
    file: String,
    version: String,
    /// The entry's name, or for a part its position.
    name: String,
}

/// `POST /programme/remove`: take one entry out of its file, confirmed on the page first.
pub async fn remove(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(r): Form<Removal>,
) -> Result<Response, PageError> {
    let (kind, change, back) = match r.array.as_str() {
        "slot" | "once" | "holiday" => (
            FileKind::Schedule,
            edit::remove(&r.array, &r.name),
            "/programme/edit".to_string(),
        ),
        "part" => {
            let i = r.name.parse().map_err(|_| {
                let part = &r.name;
                user.err(AppError::BadRequest(said!(
                    "phần \"{part}\" không phải số",
                    "part \"{part}\" is not a number"
                )))
            })?;
            let playlist = r.file.trim_end_matches(".toml");
            (
                FileKind::Playlist,
                edit::remove_part(i),
                format!(
                    "/programme/playlists/edit?playlist={}",
                    super::edit::q(playlist)
                ),
            )
        }
        other => {
            return Err(user.err(AppError::BadRequest(said!(
                "không xoá được \"{other}\"",
                "\"{other}\" cannot be removed"
            ))));
        }
    };
    let edit = Edit {
        kind,
        file: r.file,
        version: r.version,
        what: format!("{}.remove {}", r.array, r.name),
        changes: vec![change],
    };
    match save(&store, &timetable, &events, &user, edit).await? {
        Ok(_) => Ok(flash::redirect(&back, Flash::Saved)),
        Err(refusal) => Err(user.err(match refusal.status.as_u16() {
            409 => AppError::Conflict(refusal.message),
            _ => AppError::Unprocessable(Said::join(
                std::iter::once(&refusal.message).chain(&refusal.problems),
                " — ",
            )),
        })),
    }
}
