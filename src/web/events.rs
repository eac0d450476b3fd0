//! A small bus of things that happened, so open dashboards update by themselves (SSE).

use serde::Serialize;
use tokio::sync::broadcast;

/// Something a live page may want to redraw for.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// What is on air changed.
    OnAir,
    /// An item changed state.
    Item {
        /// Which.
        id: i64,
    },
    /// The output device came or went.
    Output,
    /// The LED panel's content changed.
    Panel,
    /// An emergency started or ended.
    Emergency,
    /// The service is stopping: open event streams end, so the stop is not held up.
    ShuttingDown,
}

/// Where events are published.
#[derive(Debug, Clone)]
pub struct Bus(broadcast::Sender<Event>);

impl Default for Bus {
    fn default() -> Self {
        Bus(broadcast::channel(256).0)
    }
}

impl Bus {
    /// Publish; nobody listening is fine.
    pub fn send(&self, e: Event) {
        let _ = self.0.send(e);
    }

    /// Listen from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }
}
