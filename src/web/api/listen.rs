//! `/api/v1/listen`: "Nghe / Listen", the output mix as a live Ogg Opus stream, for the
//! dashboard's player and for anyone signed in (a `read` token too). A stream lasts only as
//! long as its sign-in, like the event stream, and takes one of `web.max_listeners` seats.
//! It changes nothing: it only carries what the player's tee hands over.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::events::RECHECK;
use crate::audio::Player;
use crate::audio::listen::{ListenError, Listener};
use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{ApiError, AppError};

/// What the output is getting now, as Ogg Opus (48 kHz mono, 32 kbit/s; silence while nothing
/// airs), until the caller's sign-in ends or the station stops; 429 when `web.max_listeners`
/// already listen. Endless, like `/events`, so not in the OpenAPI document (whose clients and
/// fuzzer read answers whole).
pub async fn stream(
    State(player): State<Arc<Player>>,
    State(config): State<Arc<Config>>,
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Api<CanView>,
) -> Result<Response, ApiError> {
    let listener = player
        .monitor()
        .listen(config.web.max_listeners)
        .map_err(|e| match e {
            ListenError::Full(_) => AppError::TooManyRequests(e.said()),
            ListenError::Encoder(_) => AppError::Internal(e.to_string()),
        })?;
    let authed = caller.authed;
    let state = (
        listener,
        store,
        authed,
        clock,
        tokio::time::Instant::now() + RECHECK,
    );
    let body = futures_util::stream::unfold(state, |mut s| async move {
        let (listener, store, authed, clock, recheck): &mut (Listener, _, _, _, _) = &mut s;
        if tokio::time::Instant::now() >= *recheck {
            if !still_signed_in(store, authed, clock.now()).await {
                return None;
            }
            *recheck = tokio::time::Instant::now() + RECHECK;
        }
        let bytes = listener.next_bytes().await?;
        Some((Ok::<_, std::convert::Infallible>(bytes), s))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "audio/ogg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
