//! What the handlers work with: the station's running parts, the config and the web's own
//! (the sign-in gate, the uploads' gate). A handler takes only the parts it uses
//! (`State<Store>`, `State<Arc<Player>>`, `State<Timetable>`…), each given from the one
//! [`AppState`] through `FromRef`. It holds no logic: the parts it carries do the work.

use std::sync::Arc;

use axum::extract::FromRef;

use super::error::AppError;
use super::throttle::SignInGate;
use super::upload::Uploads;
use crate::audio::Player;
use crate::clock::Clock;
use crate::cluster::head::HeadEnd;
use crate::config::Config;
use crate::display::board::Board;
use crate::display::driver::PanelDriver;
use crate::emergency::Emergency;
use crate::media::MediaLibrary;
use crate::review::bulletins::Narrator;
use crate::schedule::Timetable;
use crate::station::{Bus, Station};
use crate::store::Store;

/// Everything the routes may take a part of. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The recordings.
    pub library: MediaLibrary,
    /// Recordings coming in from browsers and scripts.
    pub uploads: Uploads,
    /// The one player that owns the loudspeakers.
    pub player: Arc<Player>,
    /// The loaded config.
    pub config: Arc<Config>,
    /// Sign-in tries per address, and the argon2 slots.
    pub sign_ins: Arc<SignInGate>,
    /// Things that happened, for live pages.
    pub events: Bus,
    /// The programme in force (reloaded from the settings page).
    pub timetable: Timetable,
    /// Emergency announcements.
    pub emergency: Emergency,
    /// What the LED panel shows, for the preview and after slogan approvals.
    pub board: Arc<Board>,
    /// The running panel loop, if a panel is configured.
    pub panel: Option<Arc<PanelDriver>>,
    /// Reads typed bulletins aloud into the library.
    pub narrator: Arc<Narrator>,
    /// The head-end's side of a village cluster (`[cluster] role = "head-end"`), if any.
    pub cluster: Option<Arc<HeadEnd>>,
    /// The station's time: sessions' idle ends, tokens' last use and setup links' age.
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// The web's view of `station`, configured by `config`.
    pub fn new(config: Arc<Config>, station: Station) -> AppState {
        AppState {
            uploads: Uploads::new(station.library.clone(), &config),
            narrator: Arc::new(Narrator::new(&config.speech, station.library.clone())),
            store: station.store,
            library: station.library,
            player: station.player,
            config,
            sign_ins: Arc::default(),
            events: station.events,
            timetable: station.timetable,
            emergency: station.emergency,
            board: station.board,
            panel: station.panel,
            cluster: None,
            clock: station.clock,
        }
    }
}

/// Run a blocking use case (argon2, the database, files) from a handler, off the async threads.
pub async fn blocking<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, AppError>
where
    T: Send + 'static,
    E: Into<AppError> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await?.map_err(Into::into)
}

/// Each part a handler may take, by its type.
macro_rules! parts {
    ($($field:ident: $ty:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $ty {
            fn from_ref(state: &AppState) -> $ty {
                state.$field.clone()
            }
        }
    )*};
}

parts!(
    store: Store,
    library: MediaLibrary,
    uploads: Uploads,
    player: Arc<Player>,
    config: Arc<Config>,
    sign_ins: Arc<SignInGate>,
    events: Bus,
    timetable: Timetable,
    emergency: Emergency,
    board: Arc<Board>,
    panel: Option<Arc<PanelDriver>>,
    narrator: Arc<Narrator>,
    cluster: Option<Arc<HeadEnd>>,
    clock: Arc<dyn Clock>,
);
