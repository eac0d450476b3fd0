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
use loaxa::cluster::node::Node;
use loaxa::config::LoudnessPolicy;
use loaxa::config::{self, Config};
use loaxa::media::MediaLibrary;
use loaxa::media::library::ImportRequest;
use loaxa::model::asrun::{Entry, Outcome};
use loaxa::model::{Category, NewItem, Role, Tier};
use loaxa::review::{self, Action, Items};
use loaxa::schedule::runner::TrustedTime;
use loaxa::service::Service;
use loaxa::store::{Store, asrun, cluster as table, users};
use loaxa::web::AppState;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::cluster::Commune;
use crate::common::{fixture, read_wav, tone_runs, write_tone};

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
        let token = approve_tones(&config, tones, d);
        let service = Service::start(config).unwrap();
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
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            )
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
            users::create_token(&tx, o, "test", &accounts::token_hash(&token))?;
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
            tier: Tier::Normal,
            air_from: None,
            air_until: None,
            slots: vec![],
            zones: t.zones.iter().map(|z| z.to_string()).collect(),
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

/// A running node with its `/healthz` served on a free port.
pub struct RunningNode {
    pub shared: Arc<loaxa::cluster::node::Shared>,
    pub health: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<JoinHandle<()>>,
}

impl RunningNode {
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> RunningNode {
        let node = Node::start(config, clock, Box::new(TrustedTime)).unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_airs_its_zones_plan_from_its_cache_and_every_play_reaches_the_head_end_once_even_after_an_hour_without_link()
 {
    let commune = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let head = HeadEnd::start(&commune, &TONES).await;
    let cable = Cable::to(commune.broker.port).await;
    let data = tempfile::tempdir().unwrap();
    let wav = data.path().join("thon-2.wav");
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        &format!("wav:{}", wav.display()),
        cable.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, plan) = held_node(&head, cfg, t0).await;
    // Declared after the node, so dropped before it.
    let _release = Release(clock.clone());
    let titles: std::collections::BTreeSet<&str> =
        plan.cues.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Tin Thôn 2", "Tin chung"].into_iter().collect(),
        "Thôn 2's node gets its own zone's items and the commune's, not Thôn 1's"
    );
    assert!(plan.chime.is_some(), "the chime is cached on every node");
    assert!(plan.to - t0 >= chrono::Duration::days(7), "a week ahead");
    let health = reqwest_status(node.health).await;
    assert_eq!(health, 200, "healthz on the node's loopback address");

    // Two slots with the link up: the plays reach the head-end.
    let first = next_slot(t0);
    clock.hold_at(Some(first + chrono::Duration::minutes(16)));
    let up = eventually(20, "the first two slots' rows at the head-end", || {
        let rows = head.rows_of("thon-2");
        (rows.len() >= 4 && node.queued() == 0).then_some(rows)
    })
    .await;
    assert!(
        up.iter().all(|e| e.outcome == Outcome::Completed),
        "{up:#?}"
    );

    // The link is cut for an hour of programme: the node airs on by itself and keeps its rows.
    cable.cut();
    eventually(10, "thon-2 offline at the head-end (its will)", || {
        let nodes = head.state.cluster.as_ref()?.nodes();
        nodes
            .iter()
            .find(|n| n.id == "thon-2" && !n.online)
            .cloned()
    })
    .await;
    let before = node.settled().len();
    clock.hold_at(Some(first + chrono::Duration::minutes(76)));
    eventually(30, "four more slots aired without the link", || {
        (node.settled().len() >= before + 8).then_some(())
    })
    .await;
    let queued = node.queued();
    assert!(queued >= 8, "the rows wait on the node: {queued}");
    assert_eq!(
        head.rows_of("thon-2").len(),
        up.len(),
        "nothing arrived meanwhile"
    );

    // The link comes back: every row arrives, none twice.
    cable.mend();
    let aired = node.settled();
    let arrived = eventually(60, "every row at the head-end", || {
        let rows = head.rows_of("thon-2");
        (rows.len() >= aired.len() && node.queued() == 0).then_some(rows)
    })
    .await;
    assert_eq!(arrived.len(), aired.len(), "none twice");
    let mut keys: Vec<_> = arrived.iter().map(|e| e.cue_key.clone().unwrap()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), arrived.len(), "one row per cue");
    for row in &aired {
        let at_head = arrived
            .iter()
            .find(|e| e.cue_key == row.cue_key)
            .unwrap_or_else(|| panic!("{:?} did not arrive", row.cue_key));
        assert_eq!(at_head.outcome, row.outcome);
        assert_eq!(at_head.first_sample_at, row.first_sample_at);
        assert_eq!(at_head.label, row.label);
    }
    assert!(
        arrived.iter().any(|e| e.item_id.is_some()),
        "rows name the head-end's items"
    );
    // What the node's loudspeakers got: its two tones, slot after slot, never Thôn 1's.
    node.stop_held(&clock).await;
    let pcm = read_wav(&wav);
    let runs = tone_runs(&pcm.samples, pcm.rate);
    let heard = |band: u32| runs.iter().filter(|(b, t)| *b == band && *t > 1.0).count();
    assert!(heard(440) >= 6 && heard(1000) >= 6, "{runs:?}");
    assert_eq!(heard(2000), 0, "Thôn 1's item never aired on Thôn 2");
    drop(head);
}

/// The status code of the node's `/healthz`.
async fn reqwest_status(addr: SocketAddr) -> u16 {
    let url = format!("http://{addr}/healthz");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        agent
            .get(&url)
            .call()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
    .await
    .unwrap()
}

/// The node's as-run lines of emergencies.
fn emergency_rows(node: &RunningNode) -> Vec<Entry> {
    all_rows(&node.shared.store)
        .into_iter()
        .filter(|e| e.source == "emergency")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_emergency_reaches_every_node_a_late_one_joins_and_one_back_after_the_stop_stays_quiet()
{
    let commune = Commune::new(
        "xa-an-binh",
        &[
            ("thon-1", "Thôn 1"),
            ("thon-2", "Thôn 2"),
            ("thon-3", "Thôn 3"),
        ],
        None,
    );
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let mut cables = Vec::new();
    let mut nodes = Vec::new();
    for id in ["thon-1", "thon-2", "thon-3"] {
        let cable = Cable::to(commune.broker.port).await;
        let cfg = node_config(
            &commune,
            id,
            &data.path().join(id),
            "null",
            cable.port,
            &head.url(),
        );
        nodes.push(RunningNode::start(cfg, Arc::new(SystemClock::new())).await);
        cables.push(cable);
    }
    let (one, two, three) = (&nodes[0], &nodes[1], &nodes[2]);
    eventually(20, "every node online with its chime", || {
        let ready = ["thon-1", "thon-2", "thon-3"]
            .iter()
            .all(|id| head.online(id))
            && nodes.iter().all(|n| n.shared.emergency.has_chime());
        ready.then_some(())
    })
    .await;
    // Thôn 2 and Thôn 3 lose their link before the emergency.
    cables[1].cut();
    cables[2].cut();
    eventually(10, "thôn 2 and 3 offline", || {
        (!head.online("thon-2") && !head.online("thon-3")).then_some(())
    })
    .await;

    let text = "Bão số 3 sắp đổ bộ, bà con khẩn trương gia cố nhà cửa";
    let (status, started) = head
        .call(
            "POST",
            "/api/v1/emergency",
            &head.token,
            Some(serde_json::json!({"text": text, "repeat": 0})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    // Thôn 1: the chime at once from its cache, then the text spoken once at the head-end.
    let spoken = eventually(15, "thôn 1 airing the chime and the spoken text", || {
        let rows = emergency_rows(one);
        let chime = rows
            .iter()
            .any(|e| e.label.starts_with("Chuông báo") && e.first_sample_at.is_some());
        let message = rows
            .iter()
            .find(|e| e.label == text && e.outcome == Outcome::Completed)
            .cloned();
        message.filter(|_| chime)
    })
    .await;
    assert!(spoken.first_sample_at.is_some());
    let (_, on_air) = head
        .call("GET", "/api/v1/emergency", &head.token, None)
        .await;
    let parts = on_air["nodes"].as_array().unwrap().clone();
    let part = |id: &str| parts.iter().find(|p| p["node"] == id).unwrap().clone();
    assert!(part("thon-1")["first_sample_at"].is_string(), "{on_air}");
    assert!(part("thon-1")["latency_ms"].is_i64(), "{on_air}");
    assert!(
        part("thon-2")["why_not"]
            .as_str()
            .unwrap()
            .contains("offline"),
        "{on_air}"
    );

    // Thôn 2 comes back while it lasts: it joins.
    cables[1].mend();
    eventually(40, "thôn 2 joining the emergency", || {
        emergency_rows(two)
            .iter()
            .any(|e| e.label.starts_with("Chuông báo") && e.first_sample_at.is_some())
            .then_some(())
    })
    .await;
    eventually(10, "the head-end seeing thôn 2 on air", || {
        let parts = head
            .state
            .cluster
            .as_ref()?
            .emergency(started["id"].as_u64()?)?;
        parts
            .iter()
            .find(|p| p.node == "thon-2")?
            .first_sample_at
            .map(|_| ())
    })
    .await;

    // The stop reaches every node that is linked.
    let (status, _) = head
        .call("DELETE", "/api/v1/emergency", &head.token, None)
        .await;
    assert_eq!(status, 200);
    eventually(10, "thôn 1 and 2 quiet again", || {
        let quiet = [one, two].iter().all(|n| {
            n.shared.emergency.active().is_none() && n.shared.player.status().now_playing.is_none()
        });
        quiet.then_some(())
    })
    .await;

    // Thôn 3 comes back after the stop: the start and the stop the broker kept for it arrive
    // together, and it airs nothing.
    cables[2].mend();
    eventually(40, "thôn 3 online again", || {
        head.online("thon-3").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        emergency_rows(three).is_empty(),
        "{:?}",
        emergency_rows(three)
    );
    assert!(three.shared.emergency.active().is_none());
    for n in nodes {
        n.stop().await;
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recordings_go_only_to_node_tokens_resume_where_they_broke_off_and_a_damaged_copy_is_fetched_again()
 {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let (sha, file) = recording(&head, "Tin chung");
    let original = std::fs::read(&file).unwrap();
    let node_token = commune.node_config("thon-2").node_token;
    let url = |sha: &str| format!("{}/api/v1/cluster/media/{sha}", head.url());
    let bearer = |t: &str| vec![("Authorization", format!("Bearer {t}"))];

    // Only a node's token opens it; people are refused even with a valid token of theirs.
    assert_eq!(get(url(&sha), vec![]).await.0, 401);
    assert_eq!(get(url(&sha), bearer("doan-bua")).await.0, 401);
    assert_eq!(get(url(&sha), bearer(&head.token)).await.0, 403);
    assert_eq!(
        get(url("../../etc/passwd"), bearer(&node_token)).await.0,
        404
    );
    assert_eq!(get(url("ABC"), bearer(&node_token)).await.0, 400);
    assert_eq!(get(url(&"0".repeat(64)), bearer(&node_token)).await.0, 404);
    let (status, whole) = get(url(&sha), bearer(&node_token)).await;
    assert_eq!((status, whole == original), (200, true));
    let mut ranged = bearer(&node_token);
    ranged.push(("Range", "bytes=100-199".into()));
    let (status, part) = get(url(&sha), ranged).await;
    assert_eq!((status, part.as_slice()), (206, &original[100..200]));

    // A node that had fetched half before a cut asks only for the rest.
    let web = Cable::to(head.addr.port()).await;
    let data = tempfile::tempdir().unwrap();
    let node_data = data.path().join("data");
    std::fs::create_dir_all(node_data.join("cache/partial")).unwrap();
    let half = original.len() / 2;
    std::fs::write(
        node_data.join(format!("cache/partial/{sha}.part")),
        &original[..half],
    )
    .unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &node_data,
        "null",
        commune.broker.port,
        &format!("http://127.0.0.1:{}", web.port),
    );
    let node = RunningNode::start(cfg.clone(), Arc::new(SystemClock::new())).await;
    let cached = node.shared.cache.path(&sha);
    eventually(15, "the recording in the node's cache", || {
        (std::fs::read(&cached).ok()? == original).then_some(())
    })
    .await;
    node.stop().await;
    let came = web.bytes_down() as usize;
    // The chime came whole; of the bulletin only the second half (plus the headers).
    let chime = std::fs::metadata(recording(&head, "Chuông báo").1)
        .unwrap()
        .len() as usize;
    assert!(
        came < chime + (original.len() - half) + 4096,
        "{came} bytes came for {} + {chime}",
        original.len()
    );

    // A copy damaged on the node's disk is found when the node starts, and fetched again.
    let mut damaged = original.clone();
    for b in &mut damaged[half..half + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&cached, &damaged).unwrap();
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    eventually(15, "the damaged copy replaced by a good one", || {
        (std::fs::read(&cached).ok()? == original).then_some(())
    })
    .await;
    assert!(
        node.shared.errors.load(Ordering::Relaxed) >= 1,
        "the damage is counted"
    );
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_broker_restarts_mid_programme_the_node_airs_on_and_its_rows_still_arrive() {
    let mut commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..2]).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        "null",
        commune.broker.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, _) = held_node(&head, cfg, t0).await;
    let _release = Release(clock.clone());
    let first = next_slot(t0);
    clock.hold_at(Some(first + chrono::Duration::minutes(1)));
    eventually(20, "the first slot's rows at the head-end", || {
        (head.rows_of("thon-2").len() >= 2).then_some(())
    })
    .await;
    // The broker goes down and comes back while two more slots air.
    commune.broker.restart();
    clock.hold_at(Some(first + chrono::Duration::minutes(31)));
    eventually(20, "two more slots aired", || {
        (node.settled().len() >= 6).then_some(())
    })
    .await;
    let (aired, arrived) = eventually(60, "every row at the head-end after the restart", || {
        let aired = node.settled();
        let rows = head.rows_of("thon-2");
        (node.queued() == 0 && rows.len() >= aired.len()).then_some((aired, rows))
    })
    .await;
    let keys = |rows: &[Entry]| -> Vec<(Option<String>, Outcome)> {
        let mut k: Vec<_> = rows
            .iter()
            .map(|e| (e.cue_key.clone(), e.outcome))
            .collect();
        k.sort_by(|a, b| a.0.cmp(&b.0));
        k
    };
    assert_eq!(keys(&arrived), keys(&aired), "none lost, none twice");
    eventually(20, "the node online again", || {
        head.online("thon-2").then_some(())
    })
    .await;
    node.stop_held(&clock).await;
}

/// What a node killed at this moment leaves on disk, copied to `to`: its recordings, and its
/// database as committed (what SQLite keeps through a power cut).
fn crash_copy(store: &Store, from: &Path, to: &Path) {
    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let name = e.file_name();
            if name.to_string_lossy().starts_with("loaxa.sqlite3") {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                copy_tree(&e.path(), &to.join(&name));
            } else {
                std::fs::copy(e.path(), to.join(&name)).unwrap();
            }
        }
    }
    copy_tree(from, to);
    let db = to.join("loaxa.sqlite3");
    store
        .with(|c| {
            c.execute("VACUUM INTO ?1", [db.to_str().unwrap()])?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_mid_bulletin_airs_it_again_after_its_restart_and_the_head_end_keeps_one_line()
 {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let cable = Cable::to(commune.broker.port).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        "null",
        cable.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, _) = held_node(&head, cfg, t0).await;
    let first = next_slot(t0);
    // Hold time one second into the two-second bulletin: it is on air.
    clock.hold_at(Some(first + chrono::Duration::seconds(1)));
    let on_air = eventually(20, "the bulletin on air", || {
        all_rows(&node.shared.store)
            .into_iter()
            .find(|e| e.outcome == Outcome::Started && e.label == "Tin chung")
    })
    .await;

    // Killed there: the node is frozen on its held clock and cut off from the broker (no
    // goodbye: the broker publishes its will); what it leaves on disk boots again on the same
    // Pi a minute later.
    cable.cut();
    let rebooted = tempfile::tempdir().unwrap();
    let disk = rebooted.path().join("data");
    crash_copy(&node.shared.store, &data.path().join("data"), &disk);
    eventually(20, "the killed node offline (its will)", || {
        (!head.online("thon-2")).then_some(())
    })
    .await;
    let later = first + chrono::Duration::minutes(1);
    let clock2 = Arc::new(SimClock::starting_at(later));
    clock2.hold_at(Some(later + chrono::Duration::minutes(4)));
    let cfg2 = node_config(
        &commune,
        "thon-2",
        &disk,
        "null",
        commune.broker.port,
        &head.url(),
    );
    let node2 = RunningNode::start(cfg2, clock2.clone()).await;
    let _release = Release(clock2.clone());

    // Per the station's policy the cut play is marked interrupted and, still within the grace
    // window, airs again from the start; its one line ends completed, and the head-end keeps
    // that line once.
    let rows = eventually(20, "the bulletin aired again and reported", || {
        let rows: Vec<Entry> = head
            .rows_of("thon-2")
            .into_iter()
            .filter(|e| e.cue_key == on_air.cue_key)
            .collect();
        let done = rows.iter().any(|e| e.outcome == Outcome::Completed);
        (done && node2.queued() == 0).then_some(rows)
    })
    .await;
    assert_eq!(rows.len(), 1, "one line for the cue: {rows:#?}");
    assert!(
        rows[0].first_sample_at > on_air.first_sample_at,
        "aired from the start again: {rows:#?}"
    );
    let here: Vec<Entry> = node2
        .settled()
        .into_iter()
        .filter(|e| e.cue_key == on_air.cue_key)
        .collect();
    assert_eq!(here.len(), 1, "{here:#?}");
    assert_eq!(
        (here[0].outcome, here[0].first_sample_at),
        (rows[0].outcome, rows[0].first_sample_at),
        "the node's log says the same"
    );
    node2.stop_held(&clock2).await;
    // The frozen one is let go; it only ever writes to its own, abandoned folder.
    node.stop_held(&clock).await;
}

/// Poll `GET /api/v1/nodes` (as an operator) until node `id` is listed as `done` says, or fail
/// after `secs` saying `what`; gives its entry.
async fn node_in_api(
    head: &HeadEnd,
    id: &str,
    secs: u64,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let (status, body) = head.call("GET", "/api/v1/nodes", &head.token, None).await;
        assert_eq!(status, 200, "{body}");
        let entry = body
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed: {body}"));
        if done(&entry) {
            return entry;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {id} {what}: {entry}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_process_is_online_within_ten_seconds_and_offline_within_thirty_of_hanging() {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let health = crate::cluster::free_port();
    let file = data.path().join("loaxa.toml");
    let mut toml = std::fs::read_to_string(commune.path("thon-2.toml")).unwrap();
    toml = toml.replace(
        "[cluster]",
        &format!(
            "data_dir = \"{}\"\n\n[audio]\noutput = \"null\"\n\n[schedule]\nrequire_time_sync = false\n\n[cluster]\nhealth_listen = \"127.0.0.1:{health}\"",
            data.path().join("data").display()
        ),
    );
    toml = toml.replace("http://127.0.0.1:8080", &head.url());
    std::fs::write(&file, toml).unwrap();
    let mut child = crate::common::loaxa()
        .args(["node", "--config"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let started = std::time::Instant::now();
    let listed = node_in_api(&head, "thon-2", 10, "online in /api/v1/nodes", |n| {
        n["online"] == true
    })
    .await;
    eprintln!("online after {:?}", started.elapsed());
    let keys: Vec<&str> = listed
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "cache",
            "clock_offset_ms",
            "id",
            "last_seen",
            "now_playing",
            "online",
            "output_ok",
            "temperature_c",
            "version",
            "zones"
        ],
        "{listed}"
    );
    assert_eq!(listed["zones"], serde_json::json!(["Thôn 2"]));
    assert_eq!(listed["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(listed["output_ok"], true, "{listed}");
    assert!(listed["cache"]["items"].is_u64() && listed["cache"]["bytes"].is_u64());
    assert!(listed["last_seen"].is_string() && listed["clock_offset_ms"].is_i64());
    let addr: SocketAddr = format!("127.0.0.1:{health}").parse().unwrap();
    eventually(15, "its healthz answering 200", || {
        let status = std::thread::scope(|_| {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            agent
                .get(&format!("http://{addr}/healthz"))
                .call()
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
        (status == 200).then_some(())
    })
    .await;
    // Hung (stopped by a signal: no goodbye, no ping): offline within 30 s.
    std::process::Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap();
    let hung = std::time::Instant::now();
    node_in_api(&head, "thon-2", 30, "offline in /api/v1/nodes", |n| {
        n["online"] == false
    })
    .await;
    eprintln!("offline {:?} after hanging", hung.elapsed());
    std::process::Command::new("kill")
        .args(["-CONT", &pid])
        .status()
        .unwrap();
    eventually(40, "the node back online", || {
        head.online("thon-2").then_some(())
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clusters_page_shows_each_node_as_a_card_that_fits_a_phone() {
    let commune = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-1",
        &data.path().join("data"),
        "null",
        commune.broker.port,
        &head.url(),
    );
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    node_in_api(&head, "thon-1", 10, "online", |n| n["online"] == true).await;

    // Anyone signed in may look (an operator here).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (_driver, client) = crate::browser::start_driver().await;
    let site = crate::browser::Site {
        base: head.url(),
        shots,
        client,
    };
    site.login("truc-ban").await;
    site.go("/cluster").await;
    let text = site.text().await;
    for seen in [
        "Cụm loa",
        "Thôn 1",
        "Thôn 2",
        "thon-1",
        "Trực tuyến",
        "Ngoại tuyến",
    ] {
        assert!(text.contains(seen), "{seen} missing from:\n{text}");
    }
    assert!(text.contains("1 / 2"), "one of two online:\n{text}");
    site.shot("cluster").await;
    for (w, h) in [(390, 844), (1366, 900)] {
        site.client.set_window_size(w, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(site.overflow_x().await, 0, "no sideways scroll at {w} px");
    }
    node.stop().await;
}
