//! systemd integration: tell systemd when the service is ready, and keep its watchdog fed
//! while the parts that matter answer. If the player or the database hang, the pings stop and
//! systemd restarts the service (`WatchdogSec=` in the unit); outside systemd nothing happens. It
//! does not restart anything itself (systemd does), and never touches the web state.

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;

use crate::audio::Player;
use crate::store::Store;

/// Tell systemd the service is up (a no-op outside systemd).
pub fn ready() {
    if let Err(e) = sd_notify::notify(false, &[NotifyState::Ready]) {
        tracing::debug!("sd_notify: {e}");
    }
}

/// Tell systemd the service is stopping.
pub fn stopping() {
    let _ = sd_notify::notify(false, &[NotifyState::Stopping]);
}

/// Feed the watchdog at half its period for as long as the database and the player answer.
pub fn spawn(store: Store, player: Arc<Player>) {
    let mut usec = 0;
    if !sd_notify::watchdog_enabled(false, &mut usec) || usec == 0 {
        return;
    }
    let period = Duration::from_micros(usec) / 2;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            if alive(&store, &player, period).await {
                let _ = sd_notify::notify(false, &[NotifyState::Watchdog]);
            } else {
                tracing::error!(
                    "dịch vụ không trả lời kịp: để systemd khởi động lại / the service is not answering: letting systemd restart it"
                );
            }
        }
    });
}

/// The database answers a query and the player thread takes a command, both in time.
async fn alive(store: &Store, player: &Arc<Player>, within: Duration) -> bool {
    let db = store.ping();
    let player = player.clone();
    let player = tokio::task::spawn_blocking(move || player.answers(within));
    matches!(
        tokio::time::timeout(within, async { (db.await, player.await) }).await,
        Ok((Ok(()), Ok(true)))
    )
}
