//! The admin's playlist forms: a playlist's title, longest length and overflow, and its parts
//! — a jingle chosen from the library's jingles, the approved items of a category, or a relay
//! of a live stream with its length (`minutes` or `until`), fallback and silence — added,
//! changed and removed. Parses and presents.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::super::{Chrome, render};
use super::edit::{Refusal, q, save};
use super::forms::{Found, read_at};
use crate::model::said;
use crate::model::{Category, Tier};
use crate::schedule::Timetable;
use crate::schedule::edit::{FileKind, PartInput, Place, Target};
use crate::schedule::timetable::jingles;
use crate::station::Bus;
use crate::station::programme::Edit;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::input::joined;

#[derive(Debug, Deserialize)]
pub struct WhichPart {
    playlist: Option<String>,
    part: Option<usize>,
}

#[derive(Template)]
#[template(path = "programme_playlist.html")]
struct PlaylistPage {
    c: Chrome,
    playlist: String,
    file: String,
    version: String,
    title: String,
    max_minutes: String,
    overflow: String,
    parts: Vec<(usize, String, String)>,
    error: Option<String>,
    problems: Vec<String>,
}

fn file_of(playlist: &str) -> String {
    format!("{playlist}.toml")
}

/// `GET /programme/playlists/edit?playlist=…`: the playlist's top and its parts.
pub async fn playlist_page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
    Query(w): Query<WhichPart>,
) -> Result<Response, PageError> {
    let name = w.playlist.unwrap_or_default();
    let top = read_at(
        &timetable,
        FileKind::Playlist,
        &file_of(&name),
        &Place::Table(Vec::new()),
    )
    .map_err(|e| user.err(e))?;
    let header = (
        top.text("title"),
        top.text("max_minutes"),
        top.text("overflow"),
    );
    playlist_view(&store, &timetable, &user, &name, top, header, None).await
}

async fn playlist_view(
    store: &Store,
    timetable: &Timetable,
    user: &PageUser,
    name: &str,
    top: Found,
    (title, max_minutes, overflow): (String, String, String),
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "programme").await?;
    let parts = timetable
        .programme()
        .playlists
        .get(name)
        .map(|p| {
            p.parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    let (title, detail) = super::edit::part_words(user.lang, part);
                    (i, title, detail)
                })
                .collect()
        })
        .unwrap_or_default();
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        PlaylistPage {
            c,
            playlist: name.to_string(),
            file: top.file,
            version: top.version,
            title,
            max_minutes,
            overflow,
            parts,
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

/// `POST /programme/playlists`: the playlist's title, longest length and overflow.
pub async fn header(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = joined(pairs);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let name = get("playlist");
    let typed = (get("title"), get("max_minutes"), get("overflow"));
    let refused = match PartInput::header(&typed.0, &typed.1, &typed.2) {
        Err(e) => Refusal::of(e.into()).map_err(|e| user.err(e))?,
        Ok(change) => {
            let edit = Edit {
                kind: FileKind::Playlist,
                file: file_of(&name),
                version: get("version"),
                what: format!("playlist.change {name}"),
                changes: vec![change],
            };
            match save(&store, &timetable, &events, &user, edit).await? {
                Ok(_) => {
                    return Ok(flash::redirect(
                        &format!("/programme/playlists/edit?playlist={}", q(&name)),
                        Flash::Saved,
                    ));
                }
                Err(r) => r,
            }
        }
    };
    let top = Found {
        file: file_of(&name),
        version: get("version"),
        values: Default::default(),
    };
    playlist_view(&store, &timetable, &user, &name, top, typed, Some(refused)).await
}

/// A playlist as the part form names it: its file's stem for the form, its title for people.
struct PlaylistName {
    name: String,
    title: String,
}

impl PlaylistName {
    /// Playlist `name` of the programme, by its title (its name if it has none).
    fn of(timetable: &Timetable, name: &str) -> PlaylistName {
        let title = timetable
            .programme()
            .playlists
            .get(name)
            .map_or_else(|| name.to_string(), |p| p.title.clone());
        PlaylistName {
            name: name.to_string(),
            title,
        }
    }
}

#[derive(Template)]
#[template(path = "programme_part.html")]
struct PartPage {
    c: Chrome,
    playlist: PlaylistName,
    /// The part's position, empty for a new one.
    part: String,
    version: String,
    input: PartInput,
    jingles: Vec<(String, bool)>,
    categories: Vec<(&'static str, &'static str, bool)>,
    tiers: Vec<(&'static str, &'static str, bool)>,
    error: Option<String>,
    problems: Vec<String>,
}

/// `GET /programme/parts/new?playlist=…` and `GET /programme/parts/edit?playlist=…&part=N`.
pub async fn part_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    user: Page<CanAdmin>,
    Query(w): Query<WhichPart>,
) -> Result<Response, PageError> {
    let name = w.playlist.unwrap_or_default();
    let place = Place::Entry {
        array: "part".into(),
        target: w.part.map_or(Target::New, Target::Index),
    };
    let found = read_at(&timetable, FileKind::Playlist, &file_of(&name), &place)
        .map_err(|e| user.err(e))?;
    if w.part.is_some() && found.values.is_empty() {
        return Err(user.err(AppError::NotFound(said!(
            "playlist \"{name}\" không có phần này",
            "has no such part"
        ))));
    }
    let kind = if !found.text("relay").is_empty() {
        "relay"
    } else if !found.text("category").is_empty() {
        "category"
    } else {
        "jingle"
    };
    let input = PartInput {
        kind: kind.into(),
        jingle: found.text("jingle"),
        category: found.text("category"),
        tier: found.text("tier"),
        holidays_only: found.on("holidays_only"),
        relay: found.text("relay"),
        title: found.text("title"),
        minutes: found.text("minutes"),
        until: found.text("until"),
        fallback: found.text("fallback"),
        silence_seconds: found.text("silence_seconds"),
    };
    let part = w.part.map(|i| i.to_string()).unwrap_or_default();
    let playlist = PlaylistName::of(&timetable, &name);
    part_page(&store, &user, playlist, part, found.version, input, None).await
}

async fn part_page(
    store: &Store,
    user: &PageUser,
    playlist: PlaylistName,
    part: String,
    version: String,
    input: PartInput,
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "programme").await?;
    let library = store
        .run(|c| Ok(jingles(c)?))
        .await
        .map_err(|e| user.err(e))?;
    let mut titles: Vec<String> = library.into_iter().map(|j| j.title).collect();
    titles.sort();
    titles.dedup();
    if !input.jingle.is_empty() && !titles.contains(&input.jingle) {
        titles.push(input.jingle.clone());
    }
    let jingles = titles
        .into_iter()
        .map(|t| {
            let on = t == input.jingle;
            (t, on)
        })
        .collect();
    let categories = Category::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                user.lang.category(k),
                k.as_str() == input.category,
            )
        })
        .collect();
    let tiers = Tier::ALL
        .iter()
        .map(|k| (k.as_str(), user.lang.tier(k), k.as_str() == input.tier))
        .collect();
    let status = refused.as_ref().map(|r| r.status);
    let (error, problems) = match refused {
        Some(r) => r.in_lang(user.lang),
        None => (None, Vec::new()),
    };
    let mut page = render(
        PartPage {
            c,
            playlist,
            part,
            version,
            input,
            jingles,
            categories,
            tiers,
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

/// `POST /programme/parts`: add or change a part; refused as the slot form is.
pub async fn submit(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(events): State<Bus>,
    user: Page<CanAdmin>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = joined(pairs);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let playlist = get("playlist");
    let part = get("part");
    let version = get("version");
    let input = PartInput {
        kind: get("kind"),
        jingle: get("jingle"),
        category: get("category"),
        tier: get("tier"),
        holidays_only: f.contains_key("holidays_only"),
        relay: get("relay"),
        title: get("title"),
        minutes: get("minutes"),
        until: get("until"),
        fallback: get("fallback"),
        silence_seconds: get("silence_seconds"),
    };
    let index = match part.trim() {
        "" => None,
        n => Some(n.parse::<usize>().map_err(|_| {
            user.err(AppError::BadRequest(said!(
                "phần \"{n}\" không phải số",
                "part \"{n}\" is not a number"
            )))
        })?),
    };
    let refused = match input.change(index) {
        Err(e) => Refusal::of(e.into()).map_err(|e| user.err(e))?,
        Ok(change) => {
            let edit = Edit {
                kind: FileKind::Playlist,
                file: file_of(&playlist),
                version: version.clone(),
                what: match index {
                    None => format!("part.add {playlist}"),
                    Some(i) => format!("part.change {playlist} #{}", i + 1),
                },
                changes: vec![change],
            };
            match save(&store, &timetable, &events, &user, edit).await? {
                Ok(_) => {
                    return Ok(flash::redirect(
                        &format!("/programme/playlists/edit?playlist={}", q(&playlist)),
                        Flash::Saved,
                    ));
                }
                Err(r) => r,
            }
        }
    };
    part_page(
        &store,
        &user,
        PlaylistName::of(&timetable, &playlist),
        part,
        version,
        input,
        Some(refused),
    )
    .await
}
