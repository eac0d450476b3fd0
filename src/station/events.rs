//! The station's bus of things that happened ([`Event`]), so open dashboards update by
//! themselves: the parts that change something publish (the use cases, and the player through
//! [`forward_player`]), the pages' event stream subscribes. It keeps no history of events: the
//! audit and as-run logs are the record.

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::audio::player::{Outcome, Player, PlayerEvent};
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

    /// The channel itself, for a part below the station that both listens and publishes
    /// (the cluster's head-end) without depending on the station.
    pub fn sender(&self) -> broadcast::Sender<Event> {
        self.0.clone()
    }
}

/// Tell live pages when what is on air, or the output, changes, and count each play's end
/// for `/metrics`; runs until the player stops.
pub fn forward_player(player: &Player, bus: Bus) {
    let mut rx = player.subscribe();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(PlayerEvent::OutputReady { .. }) => bus.send(Event::Output),
                Ok(PlayerEvent::OutputLost { .. }) => {
                    crate::ops::metrics::error("output");
                    bus.send(Event::Output)
                }
                Ok(PlayerEvent::Ended(report)) => {
                    let outcome = match report.outcome {
                        Outcome::Completed => "completed",
                        Outcome::Stopped => "stopped",
                        Outcome::Failed { .. } => "failed",
                    };
                    let priority = format!("{:?}", report.priority).to_lowercase();
                    metrics::counter!(crate::ops::metrics::PLAYS, "outcome" => outcome, "priority" => priority)
                        .increment(1);
                    bus.send(Event::OnAir)
                }
                Ok(_) | Err(RecvError::Lagged(_)) => bus.send(Event::OnAir),
                Err(RecvError::Closed) => break,
            }
        }
    });
}
