//! `loaxa serve`: the store, the player, the programme's runner, the panel, the emergency
//! button, the nightly housekeeping and the web service, wired together and run until a
//! shutdown signal.
//!
//! [`node`] does the same for `loaxa node`, a village node of a cluster.
//!
//! Owns the order things start and stop in; must not hold any rule of its own: every part it
//! starts is usable without it (tests build the web app on an in-memory store).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::audio::input;
use crate::audio::player::{Clip, OutputOptions};
use crate::audio::{AudioFormat, Player};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::config::PanelOutput;
use crate::display::board::Board;
use crate::display::driver::{OpenPanel, PanelDriver};
use crate::display::panel::{self, PanelError};
use crate::emergency::cap::feed::Feeds;
use crate::emergency::{Emergency, Message, Start, Trigger};
use crate::hw::{self, ButtonWatcher, Press, Relays};
use crate::media::MediaLibrary;
use crate::model::Event;
use crate::schedule::Timetable;
use crate::schedule::runner::{Runner, RunnerOptions, SystemTimeSync};
use crate::station::housekeeping::Housekeeping;
use crate::station::{self, Bus, Station};
use crate::store::Store;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::web::{self, AppState};

pub mod node;

/// How often a missing sound card is looked for again.
const OUTPUT_RETRY: Duration = Duration::from_secs(5);

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database cannot be opened.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The nightly jobs cannot be scheduled.
    #[error(transparent)]
    Housekeeping(#[from] station::housekeeping::HousekeepingError),
    /// The first-run link cannot be made.
    #[error(transparent)]
    Accounts(#[from] station::accounts::AccountsError),
    /// The output name is wrong (a config mistake, not a missing card).
    #[error(transparent)]
    Output(#[from] crate::audio::sink::SinkError),
    /// A worker thread could not be started (the machine is out of memory or threads).
    #[error("không tạo được luồng {what}: {source} / cannot start the {what} thread: {source}")]
    Thread {
        what: &'static str,
        source: std::io::Error,
    },
    /// Another service (or a restore) has the data folder.
    #[error(transparent)]
    DataDir(#[from] crate::ops::backup::BackupError),
    /// The port cannot be bound.
    #[error(
        "không mở được cổng {addr}: {source} — cổng đang bị chiếm hoặc cần quyền; đổi web.listen / cannot listen on {addr}: {source} — the port is taken or needs privileges; change web.listen"
    )]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    /// HTTPS is on but its certificate cannot be used.
    #[error(transparent)]
    Tls(#[from] web::tls::TlsError),
    /// A village node's own parts (its link, its config) cannot start.
    #[error(transparent)]
    Node(#[from] crate::cluster::node::NodeError),
}

/// What airs: the GPIO, the amplifier and zone relays, and the player that drives them, as
/// `loaxa serve` and `loaxa node` both build them from the config.
pub struct OnAir {
    /// The GPIO (the button, the relays), or none.
    pub gpio: Arc<dyn hw::Gpio>,
    /// The amplifier and zone relays.
    pub relays: Arc<Relays>,
    /// The one player that owns the loudspeakers; it keeps retrying a missing card.
    pub player: Arc<Player>,
}

impl OnAir {
    /// Open the GPIO (or go on without it, saying why) and start the player, which opens
    /// the microphone through `microphone` ([`input::open_device`]: the sound card's).
    pub fn start(
        config: &Config,
        clock: Arc<dyn Clock>,
        microphone: input::Opener,
    ) -> Result<OnAir, ServeError> {
        let gpio = hw::open_gpio(&config.hw).unwrap_or_else(|e| {
            tracing::error!("{e}");
            Arc::new(hw::NoGpio)
        });
        let relays = Arc::new(Relays::new(gpio.clone(), clock.clone(), &config.hw));
        let mut output = OutputOptions::new(
            config.audio.output.clone(),
            AudioFormat::of(&config.audio),
            clock,
        );
        output.retry = Some(OUTPUT_RETRY);
        output.after_preemption = config.on_air.after_preemption;
        output.hooks = relays.clone();
        output.listen_alone = config.audio.listen_alone;
        output.microphone = microphone;
        let player = Arc::new(Player::spawn(output)?);
        Ok(OnAir {
            gpio,
            relays,
            player,
        })
    }
}

/// The running parts of the service, for tests and for `serve`.
pub struct Service {
    /// Shared state the routes use.
    pub state: AppState,
    /// Airs the programme; stops when the service is dropped.
    _runner: Runner,
    /// Watches the emergency button, if there is one.
    _button: Option<ButtonWatcher>,
    /// Keeps a second service, or a restore, off this data folder.
    _data_dir: std::fs::File,
}

impl Service {
    /// Open the store and start the player (which keeps retrying a missing card).
    pub fn start(config: Config) -> Result<Service, ServeError> {
        Service::start_with_microphone(config, Arc::new(input::open_device))
    }

    /// [`Service::start`] with the microphone opened through `microphone` instead of the
    /// sound card (a test speaks into it).
    pub fn start_with_microphone(
        config: Config,
        microphone: input::Opener,
    ) -> Result<Service, ServeError> {
        let store = Store::open(&config.database_path())?;
        let data_dir = crate::ops::backup::hold_data_dir(&config.data_dir)?;
        crate::ops::metrics::install();
        let library = MediaLibrary::new(&config.data_dir, store.clone(), config.loudness);
        match library.sweep_incoming() {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                "đã xoá {n} tệp tải dở từ lần chạy trước / removed {n} unfinished uploads left by the last run"
            ),
            Err(e) => tracing::warn!("{e}"),
        }
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
        let OnAir {
            gpio,
            relays,
            player,
        } = OnAir::start(&config, clock.clone(), microphone)?;
        let timetable = Timetable::load(
            &config.schedule.schedules_dir,
            &config.schedule.playlists_dir,
            config.timezone,
            config.hw.zones.keys().cloned().collect(),
        );
        let timetable = if config.schedule.demo_session {
            timetable.with_extra(crate::demo::session::sources())
        } else {
            timetable
        };
        let emergency = Emergency::new(
            store.clone(),
            player.clone(),
            config.emergency.clone(),
            config.data_dir.clone(),
            load_chime(&store, &library, &config.emergency.chime),
            crate::speech::Speech::from_config(&config.speech).unwrap_or_else(|e| {
                tracing::error!("{e}");
                crate::speech::Speech::default()
            }),
        );
        let button = watch_button(gpio, &config, emergency.clone(), store.clone());
        let board = Arc::new(Board::new(
            store.clone(),
            config.display.clone(),
            config.timezone,
            Some(emergency.panel()),
        )?);
        let panel = start_panel(&config, board.clone(), clock.clone())?;
        let runner = Runner::spawn(
            store.clone(),
            player.clone(),
            clock.clone(),
            timetable.clone(),
            runner_options(&config),
            Box::new(SystemTimeSync),
        )
        .map_err(|source| ServeError::Thread {
            what: "runner",
            source,
        })?;
        let station = Station {
            store,
            library,
            player,
            timetable,
            events: Bus::default(),
            emergency,
            board,
            panel,
            clock,
        };
        station::events::forward_player(&station.player, station.events.clone());
        settle_relays(relays);
        let config = Arc::new(config);
        let cluster = start_head_end(&config, &station);
        let mut state = AppState::new(config, station);
        state.cluster = cluster;
        Ok(Service {
            state,
            _runner: runner,
            _button: button,
            _data_dir: data_dir,
        })
    }

    /// On an empty database, make a one-time link that creates the first administrator
    /// (there are no default passwords). Returns the link's path, `/setup/TOKEN`.
    pub fn first_run_link(&self) -> Result<Option<String>, ServeError> {
        let now = self.state.clock.now();
        Ok(station::accounts::first_run_link(&self.state.store, now)?)
    }

    /// Serve on `web.listen` (HTTPS when `web.tls_cert` is set, with the optional plain
    /// listener that redirects to it) until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let web = &self.state.config.web;
        let listener = bind(web.listen).await?;
        let scheme = if web.tls() { "https" } else { "http" };
        tracing::info!(
            "Loa Xã đang chạy tại / listening on {scheme}://{}",
            web.listen
        );
        // Dropped when the main listener stops, which stops the redirect listener too.
        let (_stop_redirect, stopped) = tokio::sync::oneshot::channel::<()>();
        if let Ok(addr) = web.http_redirect_listen.parse::<std::net::SocketAddr>() {
            let redirects = bind(addr).await?;
            let serving = web::server::Serving {
                tls: None,
                header_timeout: header_timeout(&self.state.config),
            };
            let app = web::server::redirect_to_https(web.listen.port());
            tracing::info!("http://{addr} chuyển sang / redirects to HTTPS");
            tokio::spawn(web::server::serve(redirects, app, serving, async move {
                let _ = stopped.await;
            }));
        }
        self.serve(listener, shutdown).await
    }

    /// Serve on a listener already bound (tests bind port 0) until `shutdown` completes:
    /// HTTPS when `web.tls_cert` is set, plain HTTP otherwise.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let config = self.state.config.clone();
        let tls = if config.web.tls() {
            let (acceptor, fingerprint) = web::tls::acceptor(&config.web)?;
            tracing::info!(
                "HTTPS: dấu vân tay SHA-256 của chứng chỉ (so với trình duyệt) / the certificate's SHA-256 fingerprint (compare with the browser's): {fingerprint}"
            );
            Some(acceptor)
        } else {
            None
        };
        crate::ops::watchdog::spawn(self.state.store.clone(), self.state.player.clone());
        let mut housekeeping =
            Housekeeping::start(self.state.store.clone(), self.state.config.clone()).await?;
        housekeeping.watch_feeds(
            station::cap::Alerts::new(
                self.state.store.clone(),
                self.state.emergency.clone(),
                self.state.events.clone(),
                config.emergency.clone(),
            ),
            Feeds::new(
                &config.emergency.cap_feeds,
                Duration::from_secs(config.emergency.cap_poll_seconds),
                crate::emergency::cap::feed::TIMEOUT,
            ),
        );
        let bus = self.state.events.clone();
        let app = web::app(self.state);
        crate::ops::watchdog::ready();
        let serving = web::server::Serving {
            tls,
            header_timeout: header_timeout(&config),
        };
        web::server::serve(listener, app, serving, async move {
            shutdown.await;
            crate::ops::watchdog::stopping();
            bus.send(Event::ShuttingDown);
        })
        .await;
        housekeeping.stop().await;
        Ok(())
    }
}

/// Bind `addr`, saying which key to change when it cannot be.
async fn bind(addr: std::net::SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: addr.to_string(),
            source,
        })
}

/// The time a client has for a TLS handshake and for each request's headers.
fn header_timeout(config: &Config) -> Duration {
    Duration::from_secs(u64::from(config.web.request_timeout_seconds))
}

/// With `[cluster] role = "head-end"`, start the head-end's side of the cluster. A cluster
/// that cannot start is logged and left out: the station itself airs as before.
fn start_head_end(
    config: &Arc<Config>,
    station: &Station,
) -> Option<Arc<crate::cluster::head::HeadEnd>> {
    if config.cluster.role != crate::config::ClusterRole::HeadEnd {
        return None;
    }
    let parts = crate::cluster::head::Parts {
        config: config.clone(),
        store: station.store.clone(),
        library: station.library.clone(),
        timetable: station.timetable.clone(),
        emergency: station.emergency.clone(),
        microphone: station.player.microphone().clone(),
        events: station.events.sender(),
    };
    crate::cluster::head::HeadEnd::start(parts)
        .map_err(|e| tracing::error!("cụm loa / cluster: {e}"))
        .ok()
}

/// How the runner keeps time, from the config.
pub fn runner_options(config: &Config) -> RunnerOptions {
    RunnerOptions {
        grace: Duration::from_secs(u64::from(config.schedule.grace_minutes) * 60),
        preroll: Duration::from_secs(u64::from(config.schedule.preroll_seconds)),
        require_time_sync: config.schedule.require_time_sync,
        ceiling_dbtp: config.loudness.ceiling_dbtp as f32,
        master_gain_db: config.audio.gain_db,
        data_dir: config.data_dir.clone(),
    }
}

/// The attention chime, decoded once: a jingle of that title in the library, or a file.
fn load_chime(store: &Store, library: &MediaLibrary, chime: &str) -> Option<Clip> {
    let from_library = store
        .with(|c| {
            Ok(crate::store::media::list(
                c,
                Some(crate::model::Category::Jingle),
            )?)
        })
        .ok()
        .and_then(|list| list.into_iter().find(|m| m.title == chime))
        .map(|m| library.path_of(&m));
    let path = from_library.unwrap_or_else(|| std::path::PathBuf::from(chime));
    match Clip::load(&path) {
        Ok(clip) => Some(clip),
        Err(e) => {
            tracing::warn!("chuông báo / attention chime: {e}");
            None
        }
    }
}

/// The physical emergency button: a press starts the latest approved emergency message (or a
/// spoken generic warning), a three-second press stops the emergency on air.
fn watch_button(
    gpio: Arc<dyn hw::Gpio>,
    config: &Config,
    emergency: Emergency,
    store: Store,
) -> Option<ButtonWatcher> {
    let pin = config.hw.emergency_button_pin?;
    let watcher = ButtonWatcher::spawn(gpio, pin, move |press| {
        let result = match press {
            Press::Short if emergency.active().is_none() => {
                let prepared = store
                    .with(|c| {
                        Ok(ItemRows::list(
                            c,
                            Some(crate::model::ReviewState::Approved),
                        )?)
                    })
                    .ok()
                    .and_then(|list| {
                        list.into_iter()
                            .find(|i| i.category == crate::model::Category::Emergency)
                    });
                let message = match prepared {
                    Some(item) => Message::Prepared(item.id),
                    None => Message::Text(
                        "Thông báo khẩn cấp. Đề nghị bà con chú ý theo dõi loa truyền thanh."
                            .into(),
                    ),
                };
                emergency
                    .start(Start {
                        message,
                        repeat: None,
                        actor: "gpio".into(),
                        trigger: Trigger::Button,
                        reference: None,
                        drill: false,
                        received_at: Utc::now(),
                    })
                    .map(|_| ())
            }
            Press::Long => emergency.stop("gpio").map(|_| ()),
            Press::Short => Ok(()),
        };
        if let Err(e) = result {
            tracing::error!("nút khẩn cấp / emergency button: {e}");
        }
    });
    watcher.map_err(|e| tracing::error!("{e}")).ok()
}

/// Start drawing the LED panel, if `[display] output` names one.
fn start_panel(
    config: &Config,
    board: Arc<Board>,
    clock: Arc<dyn Clock>,
) -> Result<Option<Arc<PanelDriver>>, ServeError> {
    let output = match &config.display.output {
        PanelOutput::None => return Ok(None),
        output => output.clone(),
    };
    let display = config.display.clone();
    let open: OpenPanel = Box::new(move || {
        panel::open(&output, &display)?
            .ok_or_else(|| PanelError::Driver("không có bảng LED / no panel configured".into()))
    });
    let driver = PanelDriver::spawn(board, clock, config.display.fps, open).map_err(|source| {
        ServeError::Thread {
            what: "panel",
            source,
        }
    })?;
    Ok(Some(Arc::new(driver)))
}

/// Power the amplifier down once its hold time has passed, checked every second.
fn settle_relays(relays: Arc<Relays>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            relays.settle();
        }
    });
}

/// Resolves on Ctrl-C or SIGTERM (systemd stop).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM stops us; that is fine.
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
