//! What happened, as live pages hear it: the station publishes these on its bus and the
//! dashboard's event stream forwards them (server-sent events, `{"kind": ...}`). Plain data: it
//! does not publish or forward anything (`station::Bus` does).

use serde::Serialize;

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
    /// The programme files were loaded again.
    Programme,
    /// The service is stopping: open event streams end, so the stop is not held up.
    ShuttingDown,
}
