//! The library: every recording, with its measured length and loudness, and the upload form. No SQL
//! or file handling here: the store lists, the upload and the library import.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, duration, local_str, render};
use crate::model::Category;
use crate::schedule::Timetable;
use crate::store::{Store, media};
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::upload::Uploads;

#[derive(Template)]
#[template(path = "library.html")]
struct Library {
    c: Chrome,
    rows: Vec<Row>,
    categories: Vec<(&'static str, &'static str)>,
    max_mb: u64,
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

/// `GET /library`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(uploads): State<Uploads>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "library").await?;
    let tz = timetable.tz();
    let list = store
        .run(|c| Ok(media::list(c, None)?))
        .await
        .map_err(|e| user.err(e))?;
    let rows = list
        .into_iter()
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
    let categories = Category::ALL
        .iter()
        .map(|cat| (cat.as_str(), user.lang.category(cat)))
        .collect();
    let page = Library {
        c,
        rows,
        categories,
        max_mb: uploads.max_mb(),
    };
    Ok(render(page, user.lang))
}
