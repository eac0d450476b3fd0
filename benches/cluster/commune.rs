//! The commune the cluster bench runs: a broker set up by `loaxa::cluster::setup` exactly as
//! `loaxa cluster init` and `add-node` write it, the real Mosquitto on it, the head-end (the
//! real service, in this process) and each node a real `loaxa node` process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use loaxa::cluster::setup::{self, InitOptions, NewNode};
use loaxa::config::{self, Config, OutputSpec};
use loaxa::service::Service;
use loaxa::web::AppState;

/// The `loaxa` binary cargo built beside this bench.
const LOAXA: &str = env!("CARGO_BIN_EXE_loaxa");

/// Where the nodes reach the head-end and its broker, and how they are started: on this
/// machine, or inside a network namespace (`CLUSTER_BENCH_NETNS`, the netem proof) where
/// the head-end is `CLUSTER_BENCH_HOST`.
#[derive(Debug, Clone)]
pub struct Reach {
    /// The head-end's address as the nodes see it.
    pub host: String,
    /// The namespace the nodes run in, if any.
    pub netns: Option<String>,
}

impl Reach {
    /// From the environment; loopback by default.
    pub fn from_env() -> Reach {
        Reach {
            host: std::env::var("CLUSTER_BENCH_HOST").unwrap_or_else(|_| "127.0.0.1".into()),
            netns: std::env::var("CLUSTER_BENCH_NETNS").ok(),
        }
    }

    /// A command run where the nodes run.
    fn command(&self, program: &str) -> Command {
        match &self.netns {
            None => Command::new(program),
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, program]);
                c
            }
        }
    }
}

/// The next port to try, below Linux's ephemeral range (32768–60999).
static NEXT_PORT: AtomicU16 = AtomicU16::new(21_000);

/// A free TCP port on every address, and one that stays free: it is below the range the
/// kernel picks the ports of outgoing connections from, so none of the hundreds of client
/// sockets a commune opens takes it before its node listens on it (as one did at 100 nodes).
pub fn free_port() -> u16 {
    loop {
        let port = NEXT_PORT.fetch_add(1, Ordering::Relaxed);
        if std::net::TcpListener::bind(("0.0.0.0", port)).is_ok() {
            return port;
        }
    }
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Proc {
    /// Its resident memory in bytes (`VmRSS`).
    pub fn rss(&self) -> Option<u64> {
        rss_of(self.0.id())
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process's resident memory in bytes.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// A process's CPU time so far (user + system), from `/proc/PID/stat`.
pub fn cpu_of(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// A node's id, account and config file.
pub struct NodeFile {
    pub id: String,
    pub password: String,
    pub file: PathBuf,
}

/// The commune's setup folder with its broker running.
pub struct Commune {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub commune: String,
    pub head_password: String,
    pub nodes: Vec<NodeFile>,
    pub broker: Proc,
}

impl Commune {
    /// Set up `n` nodes (`thon-001`…, each its own zone) and start Mosquitto on the setup.
    pub fn start(n: usize, reach: &Reach, media_url: &str) -> Result<Commune, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = free_port();
        let commune = "xa-bench".to_string();
        setup::init(&InitOptions {
            dir: dir.path().to_path_buf(),
            port,
            commune: commune.parse().map_err(|e| format!("{e}"))?,
            host: reach.host.clone(),
            media_url: Some(media_url.into()),
            bridge_to: None,
        })
        .map_err(|e| e.to_string())?;
        let mut nodes = Vec::new();
        for i in 1..=n {
            let id = format!("thon-{i:03}");
            let file = dir.path().join(format!("{id}.toml"));
            let node = NewNode {
                id: id.clone(),
                name: None,
                zones: vec![format!("Thôn {i}")],
            };
            setup::add_node(dir.path(), &node, &file).map_err(|e| e.to_string())?;
            let loaded = config::load(Some(&file), []).map_err(|e| format!("{e:?}"))?;
            nodes.push(NodeFile {
                id,
                password: loaded.config.cluster.password,
                file,
            });
        }
        let head = config::load(Some(&dir.path().join("head-end.toml")), [])
            .map_err(|e| format!("{e:?}"))?;
        let broker = Command::new("mosquitto")
            .arg("-c")
            .arg(dir.path().join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("mosquitto: {e}"))?;
        let broker = Proc(broker);
        wait_for_port(port)?;
        Ok(Commune {
            dir,
            port,
            commune,
            head_password: head.config.cluster.password,
            nodes,
            broker,
        })
    }

    /// The commune's broadcast topic.
    pub fn broadcast(&self) -> String {
        format!("loaxa/{}/broadcast", self.commune)
    }

    /// `mosquitto_sub` as node `node` on the broadcast topic, its lines read by a thread
    /// that stamps each with the moment it arrived.
    pub fn subscriber(
        &self,
        node: &NodeFile,
        reach: &Reach,
        lines: std::sync::mpsc::Sender<(String, Instant)>,
    ) -> Result<Proc, String> {
        let mut child = reach
            .command("mosquitto_sub")
            .args(["-h", &reach.host, "-p", &self.port.to_string()])
            .args(["-u", &node.id, "-P", &node.password, "-q", "1"])
            .args(["-t", &self.broadcast()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("mosquitto_sub: {e}"))?;
        let out = child.stdout.take().ok_or("mosquitto_sub: no stdout")?;
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if lines.send((line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Ok(Proc(child))
    }

    /// Publish `message` on the broadcast topic as the head-end, with `mosquitto_pub`.
    pub fn publish(&self, message: &str) -> Result<(), String> {
        let ok = Command::new("mosquitto_pub")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-u", "head-end", "-P", &self.head_password, "-q", "1"])
            .args(["-t", &self.broadcast(), "-m", message])
            .status()
            .map_err(|e| format!("mosquitto_pub: {e}"))?
            .success();
        ok.then_some(())
            .ok_or_else(|| "mosquitto_pub failed".into())
    }

    /// Start node `node` as a real `loaxa node` process: null output, its data in `data`,
    /// its `/healthz` on `health_port`, its log in `data/node.log`.
    pub fn node(
        &self,
        node: &NodeFile,
        reach: &Reach,
        data: &Path,
        health_port: u16,
    ) -> Result<Proc, String> {
        std::fs::create_dir_all(data).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(data.join("node.log")).map_err(|e| e.to_string())?;
        let child = reach
            .command(LOAXA)
            .arg("node")
            .arg("--config")
            .arg(&node.file)
            .env("LOAXA_DATA_DIR", data)
            .env("LOAXA_AUDIO_OUTPUT", "null")
            .env("LOAXA_SCHEDULE_REQUIRE_TIME_SYNC", "false")
            .env(
                "LOAXA_CLUSTER_HEALTH_LISTEN",
                format!("127.0.0.1:{health_port}"),
            )
            .env("LOAXA_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("loaxa node: {e}"))?;
        Ok(Proc(child))
    }
}

/// Wait until something listens on `port` (the broker), or 10 s.
fn wait_for_port(port: u16) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listens on {port}"))
}

/// The head-end: the real service with the commune's `[cluster]`, its chime the packaged
/// `assets/chuong-bao.ogg`, null output, serving HTTP on `web_port` (every address, so nodes
/// in a namespace fetch from it).
pub struct HeadEnd {
    _dir: tempfile::TempDir,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl HeadEnd {
    /// Start it, its microphone opened through `microphone`; inside a tokio runtime.
    pub async fn start(
        commune: &Commune,
        web_port: u16,
        microphone: loaxa::audio::input::Opener,
    ) -> Result<HeadEnd, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let d = dir.path();
        for sub in ["s", "p"] {
            std::fs::create_dir_all(d.join(sub)).map_err(|e| e.to_string())?;
        }
        let file = d.join("loaxa.toml");
        std::fs::copy(commune.dir.path().join("head-end.toml"), &file)
            .map_err(|e| e.to_string())?;
        let mut config: Config = config::load(Some(&file), [])
            .map_err(|e| format!("{e:?}"))?
            .config;
        config.data_dir = d.join("data");
        config.audio.output = OutputSpec::Null;
        config.schedule.schedules_dir = d.join("s");
        config.schedule.playlists_dir = d.join("p");
        config.schedule.require_time_sync = false;
        config.emergency.chime = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/chuong-bao.ogg")
            .display()
            .to_string();
        let service =
            Service::start_with_microphone(config, microphone).map_err(|e| e.to_string())?;
        let state = service.state.clone();
        let listener = tokio::net::TcpListener::bind(("0.0.0.0", web_port))
            .await
            .map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = service
                .serve(listener, async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(HeadEnd {
            _dir: dir,
            state,
            stop: Some(stop),
        })
    }

    /// The head-end's side of the cluster.
    pub fn cluster(&self) -> Result<&Arc<loaxa::cluster::head::HeadEnd>, String> {
        self.state
            .cluster
            .as_ref()
            .ok_or_else(|| "the head-end's cluster did not start".to_string())
    }
}

impl Drop for HeadEnd {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
