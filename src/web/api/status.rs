//! `/api/v1/status`: what is on air and how the equipment is, for the dashboard and scripts. It
//! changes nothing: it reads the player and the store.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::extract::Json;
use crate::audio::Player;
use crate::audio::player::PlayerStatus;
use crate::emergency::{Active, Emergency};
use crate::model::ReviewState;
use crate::store::Store;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::web::auth::*;
use crate::web::error::ApiError;
use std::sync::Arc;

/// The state of the station.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// Server time.
    pub now: DateTime<Utc>,
    /// The player: output, what is on air, underruns.
    pub player: PlayerStatus,
    /// Items waiting for a leader.
    pub pending_approvals: usize,
    /// The emergency on air, if one is.
    pub emergency: Option<Active>,
    /// Why the speakers are getting no sound and what to do (Vietnamese / English), when the
    /// audio output is not open; `null` when it is.
    pub no_sound: Option<crate::model::Said>,
}

/// The station's state now.
#[utoipa::path(get, path = "/status", tag = "status", responses((status = 200, body = Status)))]
pub async fn get(
    State(store): State<Store>,
    State(player): State<Arc<Player>>,
    State(emergency): State<Emergency>,
    _: Api<CanView>,
) -> Result<Json<Status>, ApiError> {
    let pending = store
        .run(|c| Ok(ItemRows::list(c, Some(ReviewState::Submitted))?.len()))
        .await?;
    let status = player.status();
    Ok(Json(Status {
        now: Utc::now(),
        no_sound: crate::web::banner::no_sound(&status),
        player: status,
        pending_approvals: pending,
        emergency: emergency.active(),
    }))
}
