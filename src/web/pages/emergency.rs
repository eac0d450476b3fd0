//! The emergency page: one big button that asks once, then takes every speaker; and while an
//! emergency is on air, what it says and the button that ends it.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Chrome, local, render};
use crate::emergency::{Active, Trigger};
use crate::model::Category;
use crate::model::Event;
use crate::model::ReviewState;
use crate::store::items;
use crate::web::AppState;
use crate::web::api::emergency::{EmergencyRequest, message_of, start};
use crate::web::auth::*;
use crate::web::error::PageError;

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
    State(state): State<AppState>,
    user: Page<CanEmergency>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&state, &user, "emergency").await?;
    let prepared = state
        .store
        .run(|c| Ok(items::list(c, Some(ReviewState::Approved))?))
        .await
        .map_err(|e| user.err(e))?
        .into_iter()
        .filter(|i| i.category == Category::Emergency)
        .map(|i| (i.id, i.title))
        .collect();
    let active = state.emergency.active();
    let since = active
        .as_ref()
        .map(|a| local(a.requested_at, state.config.tz()))
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

#[derive(Debug, Deserialize)]
pub struct StartForm {
    kind: String,
    item_id: Option<i64>,
    text: Option<String>,
    repeat: Option<u32>,
}

/// `POST /emergency`: go on air.
pub async fn post(
    State(state): State<AppState>,
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
    let message = message_of(&req).map_err(|e| user.err(e))?;
    start(
        &state,
        message,
        req.repeat,
        user.authed.user.name.clone(),
        Trigger::Web,
        None,
    )
    .await
    .map_err(|e| user.err(e))?;
    Ok(Redirect::to("/emergency").into_response())
}

/// `POST /emergency/stop`.
pub async fn stop(
    State(state): State<AppState>,
    user: Page<CanEmergency>,
) -> Result<Response, PageError> {
    let emergency = state.emergency.clone();
    let actor = user.authed.user.name.clone();
    tokio::task::spawn_blocking(move || emergency.stop(&actor))
        .await
        .map_err(|e| user.err(e))?
        .map_err(|e| user.err(e))?;
    state.events.send(Event::Emergency);
    Ok(Redirect::to("/emergency").into_response())
}
