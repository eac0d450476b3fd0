//! Village nodes airing for real: a head-end service and nodes against the real Mosquitto,
//! through the real player, store and HTTP media endpoint. Each item is a tone of its own
//! pitch, so a node's capture tells exactly what it aired. Programme time is simulated (a
//! held [`SimClock`]), so an hour of programme without a link passes in a second.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use loaxa::accounts;
use loaxa::clock::{Clock, SimClock, SystemClock};
use loaxa::config::LoudnessPolicy;
use loaxa::config::{self, Config};
use loaxa::media::MediaLibrary;
use loaxa::media::library::ImportRequest;
use loaxa::model::asrun::{Entry, Outcome};
use loaxa::model::{Category, NewItem, Placement, Role, Tier};
use loaxa::review::{self, Action, Items};
use loaxa::schedule::runner::TrustedTime;
use loaxa::service::Service;
use loaxa::service::node::NodeService;
use loaxa::store::{Store, asrun, cluster as table, users};
use loaxa::web::AppState;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::cluster::Commune;
use crate::common::{fixture, read_wav, tone_runs, write_tone};

mod airing;
mod faults;
mod live;
mod old_acl;
mod status;

/// A TCP cable between a node and its broker (or the head-end's web) that a test can cut and
/// mend, counting the bytes that came down it.
pub struct Cable {
    pub port: u16,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<JoinHandle<()>>>>,
    down: Arc<AtomicU64>,
    accept: JoinHandle<()>,
}

impl Cable {
    /// A cable to `127.0.0.1:to`.
    pub async fn to(to: u16) -> Cable {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let live: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let down = Arc::new(AtomicU64::new(0));
        let (c, l, d) = (cut.clone(), live.clone(), down.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut near, _)) = listener.accept().await else {
                    return;
                };
                if c.load(Ordering::SeqCst) {
                    let _ = near.shutdown().await;
                    continue;
                }
                let d = d.clone();
                let conn = tokio::spawn(async move {
                    let Ok(mut far) = TcpStream::connect(("127.0.0.1", to)).await else {
                        return;
                    };
                    if let Ok((_, from_far)) =
                        tokio::io::copy_bidirectional(&mut near, &mut far).await
                    {
                        d.fetch_add(from_far, Ordering::SeqCst);
                    }
                });
                l.lock().unwrap().push(conn);
            }
        });
        Cable {
            port,
            cut,
            live,
            down,
            accept,
        }
    }

    /// Cut every connection through it and refuse new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for c in self.live.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    /// Let connections through again.
    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }

    /// Bytes that came back through finished connections.
    pub fn bytes_down(&self) -> u64 {
        self.down.load(Ordering::SeqCst)
    }
}

impl Drop for Cable {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// Wait (real time, polling) until `done` holds, or fail after `secs` saying `what`.
pub async fn eventually<T>(secs: u64, what: &str, mut done: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = done() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// An item: a tone of `freq` Hz for `seconds`, for these zones.
pub struct Tone {
    pub title: &'static str,
    pub freq: f32,
    pub seconds: f32,
    pub zones: &'static [&'static str],
}

/// The commune's head-end: the real service (null output) with a `[cluster]` from the
/// commune's `head-end.toml`, serving HTTP on a free port; the programme is one slot every
/// quarter of an hour playing every approved bulletin.
pub struct HeadEnd {
    /// Its folder, removed when it is dropped.
    _dir: tempfile::TempDir,
    pub state: AppState,
    pub addr: SocketAddr,
    /// An API token of an operator.
    pub token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<JoinHandle<()>>,
}

impl HeadEnd {
    pub async fn start(commune: &Commune, tones: &[Tone]) -> HeadEnd {
        HeadEnd::start_with_microphone(commune, tones, Arc::new(loaxa::audio::input::open_device))
            .await
    }

    /// [`HeadEnd::start`] with its microphone opened through `microphone`.
    pub async fn start_with_microphone(
        commune: &Commune,
        tones: &[Tone],
        microphone: loaxa::audio::input::Opener,
    ) -> HeadEnd {
        HeadEnd::start_with(commune, tones, microphone, |_| {}).await
    }

    /// [`HeadEnd::start_with_microphone`] with its config changed by `tweak` before it starts.
    pub async fn start_with(
        commune: &Commune,
        tones: &[Tone],
        microphone: loaxa::audio::input::Opener,
        tweak: impl FnOnce(&mut Config),
    ) -> HeadEnd {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("s")).unwrap();
        std::fs::create_dir_all(d.join("p")).unwrap();
        std::fs::write(
            d.join("s/tin.toml"),
            "[[slot]]\nname = \"muoi-phut\"\ntitle = \"Mười phút một lần\"\n\
             cron = \"*/15 * * * *\"\nplaylist = \"tin\"\n",
        )
        .unwrap();
        std::fs::write(
            d.join("p/tin.toml"),
            "title = \"Tin\"\nmax_minutes = 5\noverflow = \"extend\"\n\n[[part]]\ncategory = \"bulletin\"\n",
        )
        .unwrap();
        let mut config = Config {
            data_dir: d.join("data"),
            ..Config::default()
        };
        config.audio.output = loaxa::config::OutputSpec::Null;
        config.schedule.schedules_dir = d.join("s");
        config.schedule.playlists_dir = d.join("p");
        config.schedule.require_time_sync = false;
        config.cluster = commune.head_end_config();
        tweak(&mut config);
        let token = approve_tones(&config, tones, d);
        let service = Service::start_with_microphone(config, microphone).unwrap();
        let state = service.state.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            service
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        HeadEnd {
            _dir: dir,
            state,
            addr,
            token,
            stop: Some(stop),
            served: Some(served),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Call the head-end's API as `bearer`: the status and the JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let (status, text) = self.call_text(method, path, bearer, body).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Call the head-end as `bearer`: the status and the body as text (a page's HTML).
    pub async fn call_text(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, String) {
        let url = format!("{}{path}", self.url());
        let (method, bearer) = (method.to_string(), bearer.to_string());
        tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let auth = format!("Bearer {bearer}");
            let resp = match (method.as_str(), body) {
                ("POST", Some(b)) => agent
                    .post(&url)
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .send(b.to_string()),
                ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call(),
                _ => agent.get(&url).header("Authorization", &auth).call(),
            };
            let mut resp = resp.unwrap();
            let status = resp.status().as_u16();
            (status, resp.body_mut().read_to_string().unwrap_or_default())
        })
        .await
        .unwrap()
    }

    /// Whether the head-end sees `node` online.
    pub fn online(&self, node: &str) -> bool {
        self.state
            .cluster
            .as_ref()
            .is_some_and(|c| c.nodes().iter().any(|n| n.id == node && n.online))
    }

    /// The rows the head-end stored for `node`.
    pub fn rows_of(&self, node: &str) -> Vec<Entry> {
        all_rows(&self.state.store)
            .into_iter()
            .filter(|e| e.node.as_deref() == Some(node))
            .collect()
    }
}

impl Drop for HeadEnd {
    /// Stop serving (the service's parts stop with the last handle to them).
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.served.take() {
            t.abort();
        }
    }
}

/// Import each tone and have it approved, before the service opens the database; the chime
/// ("Chuông báo", a library jingle) too. Returns an operator's API token.
fn approve_tones(config: &Config, tones: &[Tone], scratch: &Path) -> String {
    let store = Store::open(&config.database_path()).unwrap();
    let library = MediaLibrary::new(&config.data_dir, store.clone(), LoudnessPolicy::default());
    let jingle = ImportRequest {
        original_name: "chuong.wav".into(),
        title: Some("Chuông báo".into()),
        category: Category::Jingle,
        actor: "test".into(),
    };
    library
        .import_file(&fixture("pcm-f32.wav"), &jingle)
        .unwrap();
    let hash = accounts::hash_password("mật khẩu đủ dài").unwrap();
    let token = accounts::new_token();
    let (editor, leader) = store
        .with(|c| {
            let tx = c.transaction()?;
            let e = users::insert(&tx, "bien-tap", "Biên tập", Role::Editor, &hash)?;
            let l = users::insert(&tx, "chu-tich", "Chủ tịch", Role::Approver, &hash)?;
            let o = users::insert(&tx, "truc-ban", "Trực ban", Role::Operator, &hash)?;
            users::create_token(
                &tx,
                o,
                "test",
                &accounts::token_hash(&token),
                loaxa::model::TokenScope::Role,
            )?;
            tx.commit()?;
            Ok((users::get(c, e)?.unwrap(), users::get(c, l)?.unwrap()))
        })
        .unwrap();
    for t in tones {
        let wav = scratch.join(format!("{}.wav", t.freq));
        write_tone(22_050, &wav, t.freq, t.seconds);
        let req = ImportRequest {
            original_name: "tone.wav".into(),
            title: Some(t.title.into()),
            category: Category::Bulletin,
            actor: "test".into(),
        };
        let media = library.import_file(&wav, &req).unwrap().media;
        let new = NewItem {
            media_id: media.id,
            title: t.title.into(),
            category: Category::Bulletin,
            placement: Placement {
                tier: Tier::Normal,
                air_from: None,
                air_until: None,
                slots: vec![],
                zones: t.zones.iter().map(|z| z.to_string()).collect(),
            },
        };
        store
            .with(|c| {
                let item = review::create::<Items>(c, &new, &editor, &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Submit, Some(&editor), &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Approve, Some(&leader), &()).unwrap();
                Ok(())
            })
            .unwrap();
    }
    token
}

/// Every as-run row of a database.
pub fn all_rows(store: &Store) -> Vec<Entry> {
    let (a, b): (DateTime<Utc>, DateTime<Utc>) = (
        "2000-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
    );
    store.with(|c| Ok(asrun::between(c, a, b)?)).unwrap()
}

/// A node's `loaxa.toml` as `add-node` wrote it, with its data in `data`, its output `output`
/// and its broker through `broker_port`, fetching from `media_url`.
pub fn node_config(
    commune: &Commune,
    id: &str,
    data: &Path,
    output: &str,
    broker_port: u16,
    media_url: &str,
) -> Config {
    let loaded = config::load(Some(&commune.path(&format!("{id}.toml"))), []).unwrap();
    let mut cfg = loaded.config;
    cfg.data_dir = data.to_path_buf();
    cfg.audio.output = output.parse().unwrap();
    cfg.cluster.broker_port = broker_port;
    cfg.cluster.media_url = media_url.into();
    cfg.schedule.require_time_sync = false;
    cfg
}

/// Thôn 1's node of `commune` behind `head`, on the null output, its data in `data`: started
/// and waited for until the head-end counts it online and it holds the chime.
pub async fn thon_1_ready(commune: &Commune, head: &HeadEnd, data: &Path) -> RunningNode {
    let cfg = node_config(
        commune,
        "thon-1",
        &data.join("thon-1"),
        "null",
        commune.broker.port,
        &head.url(),
    );
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    eventually(20, "thôn 1 online with its chime", || {
        (head.online("thon-1") && node.shared.emergency.has_chime()).then_some(())
    })
    .await;
    node
}

/// A running node with its `/healthz` served on a free port.
pub struct RunningNode {
    pub shared: Arc<loaxa::cluster::node::Shared>,
    pub health: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<JoinHandle<()>>,
}

impl RunningNode {
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> RunningNode {
        let node = NodeService::start(config, clock, Box::new(TrustedTime)).unwrap();
        let shared = node.shared().clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let health = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            let _ = node
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await;
        });
        RunningNode {
            shared,
            health,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// Stop as systemd would: the node says goodbye.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.served.take() {
            let _ = t.await;
        }
    }

    /// [`RunningNode::stop`] for a node on a held clock: its runner sleeps on that clock, so
    /// the hold is let go once the node has said goodbye, and its threads can end.
    pub async fn stop_held(self, clock: &SimClock) {
        let stopping = tokio::spawn(self.stop());
        tokio::time::sleep(Duration::from_millis(300)).await;
        clock.hold_at(None);
        stopping.await.unwrap();
    }

    /// Rows the node aired and settled.
    pub fn settled(&self) -> Vec<Entry> {
        all_rows(&self.shared.store)
            .into_iter()
            .filter(|e| e.outcome != Outcome::Started)
            .collect()
    }

    /// Rows waiting for the head-end.
    pub fn queued(&self) -> u64 {
        self.shared.store.with(|c| Ok(table::queued(c)?)).unwrap()
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        if let Some(t) = self.served.take() {
            t.abort();
        }
    }
}

const TONES: [Tone; 3] = [
    Tone {
        title: "Tin chung",
        freq: 440.0,
        seconds: 2.0,
        zones: &[],
    },
    Tone {
        title: "Tin Thôn 2",
        freq: 1000.0,
        seconds: 1.5,
        zones: &["Thôn 2"],
    },
    Tone {
        title: "Tin Thôn 1",
        freq: 2000.0,
        seconds: 1.0,
        zones: &["Thôn 1"],
    },
];

/// Lets a held clock run free when the test ends (a failed assertion included), so the
/// node's threads can stop.
struct Release(Arc<SimClock>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.hold_at(None);
    }
}

/// The runner of a node with no plan yet looks again after this long.
const EMPTY_NAP: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Start a node on a clock held a little before `t0`, wait until the head-end sees it online
/// and it has its plan and every recording of it, then hold the clock at `t0` once its runner
/// has looked at that plan (it first found none and napped).
async fn held_node(
    head: &HeadEnd,
    cfg: Config,
    t0: DateTime<Utc>,
) -> (RunningNode, Arc<SimClock>, loaxa::cluster::protocol::Plan) {
    let id = cfg.cluster.node_id.clone();
    let start = t0 - EMPTY_NAP - chrono::Duration::minutes(1);
    let clock = Arc::new(SimClock::starting_at(start));
    clock.hold_at(Some(start));
    let node = RunningNode::start(cfg, clock.clone()).await;
    eventually(10, "the node online at the head-end", || {
        head.online(&id).then_some(())
    })
    .await;
    let plan = eventually(15, "the plan and its recordings on the node", || {
        let plan = node.shared.cues.kept(&node.shared.store).ok()??;
        let all_here = plan.media().iter().all(|m| node.shared.cache.holds(m));
        (all_here && !plan.cues.is_empty()).then_some(plan)
    })
    .await;
    clock.hold_at(Some(t0));
    eventually(10, "the node's runner looking at its plan", || {
        let beat = node
            .shared
            .store
            .with(|c| Ok(loaxa::store::meta::get(c, "runner.heartbeat")?))
            .ok()??;
        (DateTime::parse_from_rfc3339(&beat).ok()? > start).then_some(())
    })
    .await;
    (node, clock, plan)
}

/// A moment two minutes before the next slot: the slot before it is further back than the
/// grace window, so a node started then airs nothing until the next slot.
fn quiet_start() -> DateTime<Utc> {
    next_slot(Utc::now()) - chrono::Duration::minutes(2)
}

/// The simulated time of the first slot after `t` (slots are every quarter of an hour).
fn next_slot(t: DateTime<Utc>) -> DateTime<Utc> {
    let quarter = 900;
    let s = t.timestamp();
    DateTime::from_timestamp((s / quarter + 1) * quarter, 0).unwrap()
}

/// The library's recording titled `title` on the head-end: (hash, its file).
fn recording(head: &HeadEnd, title: &str) -> (String, PathBuf) {
    let media = head
        .state
        .store
        .with(|c| Ok(loaxa::store::media::list(c, None)?))
        .unwrap();
    let m = media.into_iter().find(|m| m.title == title).unwrap();
    (m.sha256.clone(), head.state.library.path_of(&m))
}

/// A GET with headers, through a fresh client: the status and the body.
async fn get(url: String, headers: Vec<(&'static str, String)>) -> (u16, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.get(&url);
        for (k, v) in &headers {
            req = req.header(*k, v);
        }
        let mut resp = req.call().unwrap();
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_vec().unwrap_or_default())
    })
    .await
    .unwrap()
}
