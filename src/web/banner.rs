//! The banner every page shows while an emergency is on air: what it says, who started it,
//! since when, what is missing from it (no chime, the text not read aloud), and — in words the
//! operator can act on — when the speakers are not getting its sound (no sound card, the card
//! lost). Read once per request by [`note`] from the emergency and the player, and carried to
//! the page's header through `PageUser`; live pages fetch it again (`GET /banner`) when the
//! emergency changes.
//!
//! Only presents what `emergency` and `audio` say; must not start or stop anything.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use crate::audio::player::PlayerStatus;
use crate::model::Said;
use crate::model::said;

/// An emergency on air, as the top of every page says it.
#[derive(Debug, Clone)]
pub struct Banner {
    /// What it says.
    pub title: String,
    /// Who started it.
    pub started_by: String,
    /// When it was asked for, in the commune's time (`dd/mm/yyyy HH:MM:SS`).
    pub since: String,
    /// Rounds still to air after the one on air; `None`: until stopped.
    pub repeats_left: Option<u32>,
    /// Why the speakers are not getting its sound and what to do, when they are not.
    pub no_sound: Option<Said>,
    /// What is missing from it (no chime, the text not read aloud) and why.
    pub warnings: Vec<Said>,
}

/// Why the speakers get no sound now and what to do, or `None` when
/// the output is open.
pub fn no_sound(status: &PlayerStatus) -> Option<Said> {
    if status.format.is_some() && status.listen_alone.is_none() {
        return None;
    }
    let why = status
        .listen_alone
        .clone()
        .or_else(|| status.output_error.clone())
        .unwrap_or_else(|| Said::same(status.output.as_str()));
    let (vi, en) = (why.vi(), why.en());
    Some(said!(
        "LOA KHÔNG CÓ TIẾNG: {vi} — kiểm tra card âm thanh, dây loa và [audio] output trong loaxa.toml rồi khởi động lại; trong lúc chờ, báo tin bằng cách khác",
        "THE SPEAKERS ARE SILENT: {en} — check the sound card, the cable and [audio] output in loaxa.toml, then restart; meanwhile pass the message on another way"
    ))
}

/// Middleware: while an emergency is on air, put its [`Banner`] in the request for the page.
pub async fn note(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Some(active) = state.emergency.active() {
        let banner = Banner {
            title: active.title,
            started_by: active.started_by,
            since: super::i18n::local(active.requested_at, state.config.timezone),
            repeats_left: active.repeats_left,
            no_sound: no_sound(&state.player.status()),
            warnings: active.warnings,
        };
        request.extensions_mut().insert(banner);
    }
    next.run(request).await
}
