//! `/api/v1/emergency` and `/api/v1/cap`: take every speaker now, stop, and CAP 1.2 alerts.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;

use super::extract::Json;
use crate::emergency::cap::{self, Verdict};
use crate::emergency::{Active, EmergencyError, Message, Start, Trigger};
use crate::model::Event;
use crate::web::AppState;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};

/// What to announce. Exactly one of `item_id`, `text`, `microphone`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmergencyRequest {
    /// An approved item of category `emergency`.
    pub item_id: Option<i64>,
    /// Text to speak.
    pub text: Option<String>,
    /// Speak live through the microphone (`true`), optionally naming the input.
    #[serde(default)]
    pub microphone: bool,
    /// The input device name for the microphone (default input when absent).
    pub input: Option<String>,
    /// Repeats (0: until stopped); default from the config.
    pub repeat: Option<u32>,
}

impl From<EmergencyError> for AppError {
    fn from(e: EmergencyError) -> Self {
        match e {
            EmergencyError::Invalid(m) => AppError::BadRequest(m),
            EmergencyError::NothingOnAir => AppError::Conflict(e.to_string()),
            EmergencyError::Store(e) => AppError::Internal(e.to_string()),
        }
    }
}

/// The message a request asks for.
pub fn message_of(r: &EmergencyRequest) -> Result<Message, AppError> {
    match (r.item_id, r.text.as_deref().filter(|t| !t.trim().is_empty()), r.microphone) {
        (Some(id), None, false) => Ok(Message::Prepared(id)),
        (None, Some(t), false) => Ok(Message::Text(t.to_string())),
        (None, None, true) => Ok(Message::Microphone(r.input.clone())),
        _ => Err(AppError::BadRequest(
            "chọn đúng một: bản tin soạn sẵn, nội dung đọc, hoặc micrô / choose exactly one: a prepared item, a text, or the microphone".into(),
        )),
    }
}

/// Start an emergency (and run the blocking parts — text-to-speech — off the async threads).
pub async fn start(
    state: &AppState,
    message: Message,
    repeat: Option<u32>,
    actor: String,
    trigger: Trigger,
    reference: Option<String>,
) -> Result<Active, AppError> {
    let received_at = Utc::now();
    let emergency = state.emergency.clone();
    let active = tokio::task::spawn_blocking(move || {
        emergency.start(Start {
            message,
            repeat,
            actor,
            trigger,
            reference,
            received_at,
        })
    })
    .await??;
    state.events.send(Event::Emergency);
    Ok(active)
}

/// Take every speaker now: an attention chime, then the message, repeated.
#[utoipa::path(post, path = "/emergency", tag = "emergency", request_body = EmergencyRequest,
    responses((status = 201, body = Active), (status = 400, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    user: Api<CanEmergency>,
    Json(req): Json<EmergencyRequest>,
) -> Result<(StatusCode, Json<Active>), ApiError> {
    let message = message_of(&req)?;
    let active = start(
        &state,
        message,
        req.repeat,
        user.authed.user.name.clone(),
        Trigger::Api,
        None,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(active)))
}

/// The emergency on air (`null` when there is none).
#[utoipa::path(get, path = "/emergency", tag = "emergency", responses((status = 200, body = Option<Active>)))]
pub async fn get(State(state): State<AppState>, _: Api<CanView>) -> Json<Option<Active>> {
    Json(state.emergency.active())
}

/// End the emergency; the programme carries on where it was cut. 409 when none is on air.
#[utoipa::path(delete, path = "/emergency", tag = "emergency",
    responses((status = 200, body = Active), (status = 409, body = super::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    user: Api<CanEmergency>,
) -> Result<Json<Active>, ApiError> {
    let emergency = state.emergency.clone();
    let actor = user.authed.user.name.clone();
    let ended = tokio::task::spawn_blocking(move || emergency.stop(&actor)).await??;
    state.events.send(Event::Emergency);
    Ok(Json(ended))
}

/// Receive a CAP 1.2 alert (XML). Alerts for the commune's areas, severe enough and real, go on
/// air; a Cancel stops the emergency it references; anything else is refused with the reason.
#[utoipa::path(post, path = "/cap", tag = "emergency", request_body(content = String, content_type = "application/xml"),
    responses((status = 201, body = Active), (status = 200, description = "Cancelled", body = Active),
        (status = 409, description = "A cancel with nothing on air", body = super::ErrorBody)))]
pub async fn cap(
    State(state): State<AppState>,
    user: Api<CanEmergency>,
    body: String,
) -> Result<(StatusCode, Json<Active>), ApiError> {
    let unprocessable = |e: cap::Refused| ApiError(AppError::Unprocessable(e.to_string()));
    let alert = cap::parse(&body).map_err(unprocessable)?;
    let verdict = cap::judge(&alert, &state.config.emergency.cap_areas).map_err(|e| {
        tracing::warn!("{e}");
        unprocessable(e)
    })?;
    let actor = format!("{} (cap:{})", user.authed.user.name, alert.sender);
    match verdict {
        Verdict::Air { text, .. } => {
            let active = start(
                &state,
                Message::Text(text),
                None,
                actor,
                Trigger::Cap,
                Some(alert.identifier),
            )
            .await?;
            Ok((StatusCode::CREATED, Json(active)))
        }
        Verdict::Cancel { identifiers } => {
            let emergency = state.emergency.clone();
            let ended = tokio::task::spawn_blocking(move || emergency.cancel(&identifiers, &actor))
                .await??;
            state.events.send(Event::Emergency);
            Ok((StatusCode::OK, Json(ended)))
        }
    }
}
