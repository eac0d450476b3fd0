//! `/api/v1/emergency` and `/api/v1/cap`: take every speaker now, stop, and CAP 1.2 alerts. It
//! holds no rules of its own: starting and stopping are `station::emergency`'s, judging an alert
//! `emergency::cap`'s.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Serialize;

use super::extract::Json;
use crate::cluster::head::HeadEnd;
use crate::cluster::head::fanout::NodeOnAir;
use crate::config::Config;
use crate::emergency::{Active, Emergency, Message, Start, Trigger};
use crate::station::cap::{Alerts, CapError, Received};
use crate::station::{self, Bus};
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::ApiError;
use crate::web::input::{EmergencyRequest, message_of};

/// A request to go on air now, made through the API by `actor`.
fn start_now(message: Message, repeat: Option<u32>, actor: String, trigger: Trigger) -> Start {
    Start {
        message,
        repeat,
        actor,
        trigger,
        reference: None,
        drill: false,
        received_at: Utc::now(),
    }
}

/// Take every speaker now: an attention chime, then the message, repeated.
#[utoipa::path(post, path = "/emergency", tag = "emergency", request_body = EmergencyRequest,
    responses((status = 201, body = Active), (status = 400, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn post(
    State(emergency): State<Emergency>,
    State(events): State<Bus>,
    user: Api<CanEmergency>,
    Json(req): Json<EmergencyRequest>,
) -> Result<(StatusCode, Json<Active>), ApiError> {
    let start = start_now(
        message_of(&req)?,
        req.repeat,
        user.authed.user.name.clone(),
        Trigger::Api,
    );
    let active = station::emergency::start(&emergency, &events, start).await?;
    Ok((StatusCode::CREATED, Json(active)))
}

/// The emergency on air, with each village node's part in it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnAir {
    /// The emergency.
    #[serde(flatten)]
    pub active: Active,
    /// Each node of the commune: when the first sample reached its output, or why not
    /// (empty for a station alone).
    pub nodes: Vec<NodeOnAir>,
}

/// The emergency on air (`null` when there is none), and on which village nodes it is.
#[utoipa::path(get, path = "/emergency", tag = "emergency", responses((status = 200, body = Option<OnAir>)))]
pub async fn get(
    State(emergency): State<Emergency>,
    State(cluster): State<Option<Arc<HeadEnd>>>,
    _: Api<CanView>,
) -> Json<Option<OnAir>> {
    Json(emergency.active().map(|active| {
        let nodes = cluster
            .as_ref()
            .and_then(|c| c.emergency(active.id))
            .unwrap_or_default();
        OnAir { active, nodes }
    }))
}

/// End the emergency; the programme carries on where it was cut. 409 when none is on air.
#[utoipa::path(delete, path = "/emergency", tag = "emergency",
    responses((status = 200, body = Active), (status = 409, body = super::ErrorBody)))]
pub async fn delete(
    State(emergency): State<Emergency>,
    State(events): State<Bus>,
    user: Api<CanEmergency>,
) -> Result<Json<Active>, ApiError> {
    let actor = user.authed.user.name.clone();
    let ended = station::emergency::stop(&emergency, &events, actor).await?;
    Ok(Json(ended))
}

/// Receive a CAP 1.2 alert (XML). Alerts for the commune's place (`emergency.location`,
/// `cap_areas`), severe enough, current and real (or drills, with `cap_drills`), go on air;
/// a Cancel stops the emergency it references; an alert already acted on is not acted on
/// again (409); anything else is refused with the reason (422).
#[utoipa::path(post, path = "/cap", tag = "emergency", request_body(content = String, content_type = "application/xml"),
    responses((status = 201, body = Active), (status = 200, description = "Cancelled", body = Active),
        (status = 409, description = "Already acted on, or a cancel with nothing on air", body = super::ErrorBody),
        (status = 422, description = "Refused, with the reason", body = super::ErrorBody)))]
pub async fn cap(
    State(store): State<Store>,
    State(emergency): State<Emergency>,
    State(events): State<Bus>,
    State(config): State<Arc<Config>>,
    user: Api<CanEmergency>,
    body: String,
) -> Result<(StatusCode, Json<Active>), ApiError> {
    let alerts = Alerts::new(store, emergency, events, config.emergency.clone());
    let via = format!("api:{}", user.authed.user.name);
    let received = alerts
        .receive(&body, &via, Utc::now())
        .await
        .inspect_err(|e| {
            if matches!(e, CapError::Refused(_)) {
                tracing::warn!("{e}");
            }
        })?;
    match received {
        Received::Aired(active) => Ok((StatusCode::CREATED, Json(active))),
        Received::Cancelled(ended) => Ok((StatusCode::OK, Json(ended))),
    }
}
