//! The station's bus of things that happened ([`Event`]), so open dashboards update by
//! themselves: the parts that change something publish, the pages' event stream subscribes.

use tokio::sync::broadcast;

use crate::model::Event;

/// Where events are published. Cheap to clone; every clone publishes to the same listeners.
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
