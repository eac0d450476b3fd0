//! The library: every recording, with its measured length and loudness, and the upload form. No SQL
//! or file handling here: the store lists, the upload and the library import.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::listing::{Pager, href, page_of};
use super::{Chrome, duration, local_str, render};
use crate::model::Category;
use crate::schedule::Timetable;
use crate::store::{Store, media};
use crate::text::Search;
use crate::web::auth::*;
use crate::web::error::PageError;
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
}

/// The library's filters, kept in its address.
#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    category: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<usize>,
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
    let list = store
        .run(move |c| Ok(media::list(c, category)?))
        .await
        .map_err(|e| user.err(e))?;
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
            warnings: m.analysis.warnings,
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
    };
    Ok(render(page, user.lang))
}
