//! The **Cụm loa / Clusters** page: every village node of the commune as a card (phone first),
//! with what `GET /api/v1/nodes` says of it and what a person should do about it. Reads the
//! head-end's view only; changes nothing.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, local, render};
use crate::cluster::head::HeadEnd;
use crate::cluster::head::view::NodeState;
use crate::schedule::Timetable;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    c: Chrome,
    /// Whether this station is a head-end at all.
    head_end: bool,
    online: usize,
    cards: Vec<Card>,
    /// The cluster's own warnings (the broker link, plans).
    warnings: Vec<String>,
}

/// One node, every value already in words.
struct Card {
    id: String,
    name: String,
    online: bool,
    zones: String,
    last_seen: String,
    version: String,
    output_ok: Option<bool>,
    now_playing: String,
    cache: String,
    clock: String,
    clock_off: bool,
    temperature: String,
    warnings: Vec<String>,
}

/// `GET /cluster`.
pub async fn page(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(cluster): State<Option<Arc<HeadEnd>>>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "cluster").await?;
    let tz = timetable.tz();
    let (cards, warnings) = match &cluster {
        Some(head) => (
            head.states()
                .iter()
                .map(|n| card(n, tz, user.lang))
                .collect(),
            user.lang.say_all(&head.own_warnings()),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let page = ClusterPage {
        c,
        head_end: cluster.is_some(),
        online: cards.iter().filter(|c| c.online).count(),
        cards,
        warnings,
    };
    Ok(render(page, user.lang))
}

fn card(n: &NodeState, tz: chrono_tz::Tz, lang: Lang) -> Card {
    let i = &n.info;
    let dash = || "—".to_string();
    Card {
        id: i.id.clone(),
        name: n.name.clone(),
        online: i.online,
        zones: i.zones.join(", "),
        last_seen: i.last_seen.map_or_else(dash, |t| local(t, tz)),
        version: i.version.clone().unwrap_or_else(dash),
        output_ok: i.output_ok,
        now_playing: i
            .now_playing
            .as_ref()
            .map_or_else(dash, |p| format!("{} ({})", p.title, local(p.since, tz))),
        cache: format!(
            "{} · {:.1} MB",
            i.cache.items,
            i.cache.bytes as f64 / 1_000_000.0
        ),
        clock: i
            .clock_offset_ms
            .map_or_else(dash, |ms| format!("{:+.1} s", ms as f64 / 1000.0)),
        clock_off: i
            .clock_offset_ms
            .is_some_and(|ms| ms.abs() > crate::cluster::head::view::CLOCK_WARN_MS),
        temperature: i.temperature_c.map_or_else(dash, |t| format!("{t:.0} °C")),
        warnings: lang.say_all(&n.warnings()),
    }
}
