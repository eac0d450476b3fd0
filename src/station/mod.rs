//! The station's use cases: what people do through the web pages, the API and the CLI, each
//! written once, and the bus on which the running station says what happened.
//!
//! A use case takes the parts it touches (the store, the bus, the programme…), opens the one
//! transaction it needs through the layer below (the store, the review rules) and tells live
//! pages. Handlers and CLI commands parse, call one of these and present the result; none opens
//! a transaction of its own. Must not know HTTP, HTML or the command line.

pub mod accounts;
pub mod cap;
pub mod emergency;
pub mod events;
pub mod housekeeping;
pub mod programme;
pub mod reports;
pub mod review;

pub use events::Bus;
pub use review::Reviews;

use std::sync::Arc;

use crate::audio::Player;
use crate::clock::Clock;
use crate::display::board::Board;
use crate::display::driver::PanelDriver;
use crate::emergency::Emergency;
use crate::media::MediaLibrary;
use crate::schedule::Timetable;
use crate::store::Store;

/// The running parts of a station that the use cases and the web work with. Cheap to clone;
/// `loaxa serve` assembles it (and a test can, on an in-memory store and a null output).
#[derive(Clone)]
pub struct Station {
    /// The database.
    pub store: Store,
    /// The recordings.
    pub library: MediaLibrary,
    /// The one player that owns the loudspeakers.
    pub player: Arc<Player>,
    /// The programme in force.
    pub timetable: Timetable,
    /// Where what happens is told.
    pub events: Bus,
    /// Emergency announcements.
    pub emergency: Emergency,
    /// What the LED panel shows.
    pub board: Arc<Board>,
    /// The running panel loop, if a panel is attached.
    pub panel: Option<Arc<PanelDriver>>,
    /// The station's time: sessions, tokens and setup links are judged by it.
    pub clock: Arc<dyn Clock>,
}
