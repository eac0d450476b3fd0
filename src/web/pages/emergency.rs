//! The emergency page: one big button that asks once, then takes every speaker; and while an
//! emergency is on air, what it says and the button that ends it. It holds no rules of its own:
//! starting and stopping are `station::emergency`'s.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::{Chrome, local, render};
use crate::emergency::{Active, Emergency, Start, Trigger};
use crate::model::{Category, ReviewState};
use crate::schedule::Timetable;
use crate::station::{self, Bus};
use crate::store::Store;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::web::auth::*;
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::input::{EmergencyRequest, message_of};

#[derive(Template)]
#[template(path = "emergency.html")]
struct EmergencyPage {
    c: Chrome,
    active: Option<Active>,
    since: String,
    prepared: Vec<(i64, String)>,
}

/// `GET /emergency`.
pub async fn page(
    State(store): State<Store>,
    State(emergency): State<Emergency>,
    State(timetable): State<Timetable>,
    user: Page<CanEmergency>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "emergency").await?;
    let prepared = store
        .run(|c| Ok(ItemRows::list(c, Some(ReviewState::Approved))?))
        .await
        .map_err(|e| user.err(e))?
        .into_iter()
        .filter(|i| i.category == Category::Emergency)
        .map(|i| (i.id, i.title))
        .collect();
    let active = emergency.active();
    let since = active
        .as_ref()
        .map(|a| local(a.requested_at, timetable.tz()))
        .unwrap_or_default();
    Ok(render(
        EmergencyPage {
            c,
            active,
            since,
            prepared,
        },
        user.lang,
    ))
}

/// The emergency banner alone, as the top of every page shows it.
#[derive(Template)]
#[template(path = "banner.html")]
struct BannerPart {
    c: Chrome,
}

/// `GET /banner`: the banner alone, so that an open page redraws it when the emergency changes
/// (a warning about it comes while it is on air). Empty while none is.
pub async fn banner(
    State(store): State<Store>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "").await?;
    Ok(render(BannerPart { c }, user.lang))
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    kind: String,
    item_id: Option<i64>,
    text: Option<String>,
    repeat: Option<u32>,
}

/// `POST /emergency`: go on air.
pub async fn post(
    State(emergency): State<Emergency>,
    State(events): State<Bus>,
    user: Page<CanEmergency>,
    Form(f): Form<StartForm>,
) -> Result<Response, PageError> {
    let req = EmergencyRequest {
        item_id: f.item_id.filter(|_| f.kind == "prepared"),
        text: f.text.filter(|_| f.kind == "text"),
        microphone: f.kind == "microphone",
        input: None,
        repeat: f.repeat,
    };
    let start = Start {
        message: message_of(&req).map_err(|e| user.err(e))?,
        repeat: req.repeat,
        actor: user.authed.user.name.clone(),
        trigger: Trigger::Web,
        reference: None,
        drill: false,
        received_at: Utc::now(),
    };
    station::emergency::start(&emergency, &events, start)
        .await
        .map_err(|e| user.err(e))?;
    Ok(flash::redirect("/emergency", Flash::EmergencyStarted))
}

/// `POST /emergency/stop`.
pub async fn stop(
    State(emergency): State<Emergency>,
    State(events): State<Bus>,
    user: Page<CanEmergency>,
) -> Result<Response, PageError> {
    station::emergency::stop(&emergency, &events, user.authed.user.name.clone())
        .await
        .map_err(|e| user.err(e))?;
    Ok(flash::redirect("/emergency", Flash::EmergencyStopped))
}
