//! Taking every speaker and giving them back, from the web page, the API (and so `loaxa
//! emergency`) or a CAP alert: the emergency controller does it on a blocking thread, then live
//! pages hear of it, and again when a typed text has been read aloud or could not be. It holds
//! no rules of its own: the emergency controller decides.

use crate::emergency::{Active, Emergency, EmergencyError, Start};
use crate::model::Event;
use crate::station::Bus;
use crate::store::StoreError;

/// Go on air with `start`; a running emergency is replaced.
pub async fn start(
    emergency: &Emergency,
    events: &Bus,
    start: Start,
) -> Result<Active, EmergencyError> {
    let on_air = emergency.clone();
    let active = announced(events, move || on_air.start(start)).await?;
    if active.speaking {
        announce_when_spoken(emergency, events, active.id);
    }
    Ok(active)
}

/// A typed text is read aloud after the start, while the chime plays: tell live pages again
/// once it has been (its recording airs) or could not be (a warning says why, and only the
/// chime airs). A stop or a newer emergency meanwhile is announced by its own use case.
fn announce_when_spoken(emergency: &Emergency, events: &Bus, id: u64) {
    let mut panel = emergency.panel();
    let events = events.clone();
    tokio::spawn(async move {
        loop {
            let speaking = panel
                .borrow_and_update()
                .as_ref()
                .filter(|a| a.id == id)
                .map(|a| a.speaking);
            match speaking {
                Some(true) => {}
                Some(false) => return events.send(Event::Emergency),
                None => return,
            }
            if panel.changed().await.is_err() {
                return;
            }
        }
    });
}

/// End the emergency on air, on behalf of `actor`.
pub async fn stop(
    emergency: &Emergency,
    events: &Bus,
    actor: String,
) -> Result<Active, EmergencyError> {
    let emergency = emergency.clone();
    announced(events, move || emergency.stop(&actor)).await
}

/// End the emergency a CAP alert started if a Cancel names it.
pub async fn cancel(
    emergency: &Emergency,
    events: &Bus,
    identifiers: Vec<String>,
    actor: String,
) -> Result<Active, EmergencyError> {
    let emergency = emergency.clone();
    announced(events, move || emergency.cancel(&identifiers, &actor)).await
}

/// Run `change` on a blocking thread and, when it worked, tell live pages.
async fn announced(
    events: &Bus,
    change: impl FnOnce() -> Result<Active, EmergencyError> + Send + 'static,
) -> Result<Active, EmergencyError> {
    let active = tokio::task::spawn_blocking(change)
        .await
        .map_err(|e| EmergencyError::Store(StoreError::Task(e.to_string())))??;
    events.send(Event::Emergency);
    Ok(active)
}
