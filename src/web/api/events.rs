//! `/api/v1/events`: server-sent events, so open dashboards redraw when something happens.
//! A stream lasts only as long as its sign-in: it ends within [`RECHECK`] of a logout, an idle
//! end, a revoked token or a disabled user.
//! It changes nothing: it only forwards what the bus says, to whoever may still read it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::clock::Clock;
use crate::model::Event;
use crate::station::Bus;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::ApiError;

/// How often an open stream checks that its caller is still signed in.
pub const RECHECK: Duration = Duration::from_secs(2);

/// The event stream: one `data: {"kind": ...}` line per event, until the caller's sign-in
/// ends or the station shuts down.
pub async fn stream(
    State(events): State<Bus>,
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Api<CanView>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let authed = caller.authed;
    let signed_out = async move {
        let mut every = tokio::time::interval(RECHECK);
        loop {
            every.tick().await;
            if !still_signed_in(&store, &authed, clock.now()).await {
                break;
            }
        }
    };
    let events = BroadcastStream::new(events.subscribe())
        // A slow reader that missed events just gets the next one; pages re-read the status.
        .filter_map(Result::ok)
        .take_while(|e| *e != Event::ShuttingDown)
        .map(|e| Ok(SseEvent::default().json_data(&e).unwrap_or_default()));
    let events = futures_util::StreamExt::take_until(events, Box::pin(signed_out));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
