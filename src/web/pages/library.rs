//! The library: every recording, with its measured length and loudness, and the upload form,
//! which says what it just received (and anything the listener will hear wrong) in the page's
//! language. No SQL or file handling here: the store lists, the upload and the library import.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::listing::{Pager, href, page_of};
use super::{Chrome, duration, local_str, render};
use crate::model::{Category, Media};
use crate::schedule::Timetable;
use crate::store::{Store, media};
use crate::text::Search;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::i18n::Lang;
use crate::web::upload::Uploads;

#[derive(Template)]
#[template(path = "library.html")]
struct Library {
    c: Chrome,
    rows: Vec<Row>,
    categories: Vec<(&'static str, &'static str)>,
    /// The category chosen in the filter ("" for all).
    category: String,
    q: String,
    pager: Pager,
    max_mb: u64,
    /// What the upload that led here received, if it did.
    received: Option<Received>,
}

/// The upload form's confirmation once a recording is in: green, or amber with each problem
/// a listener will hear (cut off, too quiet) instead of a plain "received".
struct Received {
    /// `ok` or `warn`, the status line's colour.
    class: &'static str,
    /// "Received: title — 0:04 · −18.0 LUFS", in the page's language.
    text: String,
    /// The recording's warnings, in the page's language.
    warnings: Vec<String>,
}

impl Received {
    fn of(m: &Media, again: bool, lang: Lang) -> Received {
        let t = lang.text();
        let warnings = lang.say_all(&m.analysis.warnings);
        let (class, heading) = match (warnings.is_empty(), again) {
            (false, _) => ("warn", t.upload_check),
            (true, false) => ("ok", t.upload_done),
            (true, true) => ("ok", t.duplicate),
        };
        let loudness = m
            .analysis
            .integrated_lufs
            .map_or("—".into(), |l| format!("{l:.1} LUFS"));
        Received {
            class,
            text: format!(
                "{heading}: {} — {} · {loudness}",
                m.title,
                duration(m.analysis.duration_ms)
            ),
            warnings,
        }
    }
}

/// The library's filters, kept in its address.
#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    category: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<usize>,
    /// The recording an upload just brought in (the upload form comes back here with it).
    uploaded: Option<i64>,
    /// It was already in the library.
    #[serde(default)]
    again: bool,
}

struct Row {
    id: i64,
    title: String,
    category: &'static str,
    duration: String,
    loudness: String,
    format: String,
    by: String,
    at: String,
    warnings: Vec<String>,
}

/// `GET /library`: newest first, a page at a time, by category and by words of the title or
/// the uploader's name.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(uploads): State<Uploads>,
    user: Page<CanView>,
    Query(q): Query<LibraryQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "library").await?;
    let tz = timetable.tz();
    let category: Option<Category> = q
        .category
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok());
    let uploaded = q.uploaded;
    let (list, just_in) = store
        .run(move |c| {
            let just_in = match uploaded {
                Some(id) => media::get(c, id)?,
                None => None,
            };
            Ok((media::list(c, category)?, just_in))
        })
        .await
        .map_err(|e| user.err(e))?;
    let received = just_in.map(|m| Received::of(&m, q.again, user.lang));
    let search = Search::new(&q.q);
    let found = list
        .into_iter()
        .filter(|m| search.finds(&[&m.title, &m.created_by]))
        .map(|m| Row {
            id: m.id,
            title: m.title,
            category: user.lang.category(&m.category),
            duration: duration(m.analysis.duration_ms),
            loudness: m.analysis.integrated_lufs.map_or("—".into(), |l| {
                format!("{l:.1} LUFS → {:+.1} dB", m.gain_db)
            }),
            format: format!("{} · {} Hz", m.analysis.codec, m.analysis.sample_rate),
            by: m.created_by,
            at: local_str(&m.created_at, tz),
            warnings: user.lang.say_all(&m.analysis.warnings),
        })
        .collect();
    let chosen = category.map_or("", |c| c.as_str());
    let (rows, pager) = page_of(found, q.page, |n| {
        href(
            "/library",
            &[("category", chosen), ("q", &q.q), ("page", &n.to_string())],
        )
    });
    let categories = Category::ALL
        .iter()
        .map(|cat| (cat.as_str(), user.lang.category(cat)))
        .collect();
    let page = Library {
        c,
        rows,
        categories,
        category: chosen.to_string(),
        q: q.q.clone(),
        pager,
        max_mb: uploads.max_mb(),
        received,
    };
    Ok(render(page, user.lang))
}
