//! `/api/v1/events`: server-sent events, so open dashboards redraw when something happens.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::model::Event;
use crate::station::Bus;
use crate::web::auth::*;
use crate::web::error::ApiError;

/// The event stream: one `data: {"kind": ...}` line per event.
pub async fn stream(
    State(events): State<Bus>,
    _: Api<CanView>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let events = BroadcastStream::new(events.subscribe())
        // A slow reader that missed events just gets the next one; pages re-read the status.
        .filter_map(Result::ok)
        .take_while(|e| *e != Event::ShuttingDown)
        .map(|e| Ok(SseEvent::default().json_data(&e).unwrap_or_default()));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
