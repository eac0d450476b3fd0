//! Web load while the programme airs, against the real `loaxa serve` in its own process.
//!
//! The bench makes a temporary station (data folder, config, a programme whose slot of the
//! current minute airs an approved 10-minute MP3 bulletin to the `null` output, paced in real
//! time), starts `loaxa serve` on it as a child process, waits until the bulletin is on air,
//! and drives HTTP load from this process (hyper, its own tokio runtime), so the server shares
//! nothing with the load but the machine. A monitor reads `/api/v1/status` twice a second
//! throughout: what is on air and the output's underrun counter.
//!
//! - **Issue 4** (web load): `GET /api/v1/status` and the dashboard `GET /` of a signed-in user
//!   (session cookie from the real login form), each at a fixed open-loop rate (500 req/s for
//!   20 s); latency is counted from the moment each request was due, so a stalled server
//!   cannot hide behind a client that waits for it. Requirement: p99 < 20 ms, no error, no
//!   underrun. Baseline, same server, same rate, same run: a static file (`/static/app.css`).
//! - **Issue 8** (load proof): 200 signed-in dashboard users, each loading the dashboard and
//!   `/api/v1/status` every second, while 50 editors upload a 3-minute MP3 each (a different
//!   file each, ~2.9 MB) at the same moment through `POST /api/v1/media` with an API token.
//!   Requirement: every upload 201 (or 200, already in the library), every page load 200, the
//!   underrun counter unchanged. Baseline: the same requests one at a time from one client,
//!   with no other load (the bulletin still on air).
//!
//! Run with `cargo bench --bench web` or `deploy/proof/load.sh` (needs ffmpeg to make the MP3s).
//! Knobs (environment; never passed on to `loaxa`, which refuses unknown `LOAXA_*` variables):
//! `LOAXA_LOAD_SECONDS` (20), `LOAXA_LOAD_RATE` (500), `LOAXA_LOAD_USERS` (200),
//! `LOAXA_LOAD_UPLOADS` (50), `LOAXA_LOAD_OUTPUT` (`null`; e.g. `device:null` or `wav:FILE`),
//! `LOAXA_LOAD_KEEP=1` keeps the station's folder and the server's log.
//! The process exits with status 1 if a requirement is not met.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use loaxa::config::LoudnessPolicy;
use loaxa::media::MediaLibrary;
use loaxa::model::Category;
use loaxa::store::Store;

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_loaxa");
/// The editor and approver `support::approved_item` creates, and their password.
const EDITOR: &str = "bien-tap";
const PASSWORD: &str = "mật khẩu đủ dài cho bench";
/// The bulletin on air during the whole run; pages and status answers are checked for it.
const BULLETIN: &str = "Bản tin thời sự bench";
/// Issue 4's requirement.
const TARGET_P99_MS: f64 = 20.0;
/// The baseline: a file compiled into the binary, served without a session.
const STATIC: &str = "/static/app.css";

type Http = Client<HttpConnector, Body>;

struct Knobs {
    seconds: u64,
    rate: u32,
    users: usize,
    uploads: usize,
    output: String,
    keep: bool,
}

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Knobs {
    fn from_env() -> Knobs {
        Knobs {
            seconds: knob("LOAXA_LOAD_SECONDS", 20u64).max(1),
            rate: knob("LOAXA_LOAD_RATE", 500u32).max(1),
            users: knob("LOAXA_LOAD_USERS", 200usize).max(1),
            uploads: knob("LOAXA_LOAD_UPLOADS", 50usize),
            output: knob("LOAXA_LOAD_OUTPUT", "null".to_string()),
            keep: knob("LOAXA_LOAD_KEEP", "0".to_string()) == "1",
        }
    }

    /// The bulletin's length: long enough to stay on air through setup and both parts.
    fn bulletin_minutes(&self) -> u32 {
        ((self.seconds * 4 + 360) / 60 + 1).max(10) as u32
    }
}

fn main() {
    let knobs = Knobs::from_env();
    match run(&knobs) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            println!("== web load: not measured: {e}");
            std::process::exit(1);
        }
    }
}

/// `loaxa` with none of this process's `LOAXA_*` variables.
fn loaxa() -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("LOAXA_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// A temporary station: config, programme, database with the approved bulletin.
struct Station {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    config: PathBuf,
}

impl Station {
    fn new(knobs: &Knobs, bulletin: &Path) -> Result<Station, String> {
        let temp = tempfile::Builder::new()
            .prefix("loaxa-load-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let dir = temp.path().to_path_buf();
        let data = dir.join("data");
        let (schedules, playlists) = (dir.join("schedules"), dir.join("playlists"));
        for d in [&data, &schedules, &playlists] {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        let q = |p: &Path| toml::Value::String(p.display().to_string()).to_string();
        let config = dir.join("loaxa.toml");
        let text = format!(
            "data_dir = {}\n[audio]\noutput = {}\n[web]\nlisten = \"127.0.0.1:8080\"\n\
             [schedule]\nschedules_dir = {}\nplaylists_dir = {}\nrequire_time_sync = false\npreroll_seconds = 1\n",
            q(&data),
            toml::Value::String(knobs.output.clone()),
            q(&schedules),
            q(&playlists)
        );
        std::fs::write(&config, text).map_err(|e| e.to_string())?;
        std::fs::write(
            playlists.join("tin.toml"),
            "title = \"Bản tin\"\nmax_minutes = 120\noverflow = \"extend\"\n[[part]]\ncategory = \"bulletin\"\n",
        )
        .map_err(|e| e.to_string())?;
        // The slot of the current minute: already due and within the grace window, so the
        // runner airs it as soon as the service starts.
        let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh);
        std::fs::write(
            schedules.join("tai.toml"),
            format!(
                "[[once]]\nname = \"tai\"\nat = \"{}\"\nplaylist = \"tin\"\n",
                now.format("%Y-%m-%d %H:%M")
            ),
        )
        .map_err(|e| e.to_string())?;
        {
            let store = Store::open(&data.join("loaxa.sqlite3")).map_err(|e| e.to_string())?;
            let library = MediaLibrary::new(&data, store.clone(), LoudnessPolicy::default());
            support::approved_item(&store, &library, bulletin, BULLETIN, Category::Bulletin)?;
        }
        let (temp, dir) = if knobs.keep {
            (None, temp.keep())
        } else {
            (Some(temp), dir)
        };
        Ok(Station {
            dir,
            _temp: temp,
            config,
        })
    }

    fn cli(&self, args: &[&str]) -> Result<String, String> {
        let out = loaxa()
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{BIN}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "loaxa {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn log(&self) -> PathBuf {
        self.dir.join("serve.log")
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    fn serve(&self) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let log = std::fs::File::create(self.log()).map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let child = loaxa()
            .arg("--config")
            .arg(&self.config)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("LOAXA_LOG", "info,symphonia=error")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{BIN}: {e}"))?;
        Ok(Server { child, port })
    }
}

/// The running `loaxa serve`, stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds a process has used (user + system), from `/proc`.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15; `after` starts at field 3. Ticks of 1/100 s.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// How many threads a process has, from `/proc`.
fn threads(pid: &str) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// An answer, read to the end.
struct Answer {
    status: u16,
    cookies: Vec<String>,
    body: Bytes,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn client() -> Http {
    Client::builder(TokioExecutor::new()).build_http::<Body>()
}

async fn send(http: &Http, req: Request<Body>, limit: Duration) -> Result<Answer, String> {
    let work = async {
        let res = http.request(req).await.map_err(|e| format!("{e:?}"))?;
        let status = res.status().as_u16();
        let cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let body = axum::body::to_bytes(Body::new(res.into_body()), 64 << 20)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            cookies,
            body,
        })
    };
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| format!("no answer within {} s", limit.as_secs()))?
}

/// Who a request is from.
#[derive(Clone)]
enum Who {
    Nobody,
    Session(String),
    Token(String),
}

fn get(base: &str, path: &str, who: &Who) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::GET)
        .uri(format!("{base}{path}"));
    match who {
        Who::Nobody => {}
        Who::Session(s) => b = b.header(header::COOKIE, format!("loaxa_session={s}")),
        Who::Token(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
    b.body(Body::empty()).unwrap_or_default()
}

/// Sign in through the login form, as a browser does; returns the session cookie.
async fn login(http: &Http, base: &str) -> Result<String, String> {
    let form = send(
        http,
        get(base, "/login", &Who::Nobody),
        Duration::from_secs(30),
    )
    .await?;
    let token = form
        .cookie("loaxa_login")
        .ok_or_else(|| format!("GET /login set no form cookie ({})", form.status))?;
    let body = serde_urlencoded::to_string([
        ("name", EDITOR),
        ("password", PASSWORD),
        ("form", token.as_str()),
        ("next", "/"),
    ])
    .map_err(|e| e.to_string())?;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("loaxa_login={token}"))
        .body(Body::from(body))
        .map_err(|e| e.to_string())?;
    let answer = send(http, req, Duration::from_secs(30)).await?;
    answer
        .cookie("loaxa_session")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            format!(
                "sign-in refused ({}): {}",
                answer.status,
                answer.text().chars().take(200).collect::<String>()
            )
        })
}

/// A multipart body with text fields and one file.
fn multipart(fields: &[(&str, &str)], file: &[u8], file_name: &str) -> (String, Vec<u8>) {
    let boundary = "----loaxa-load-boundary-7d1f";
    let mut body = Vec::with_capacity(file.len() + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: audio/mpeg\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The same MP3 with its own ID3v2 title in front: a different file (SHA-256) for each
/// editor, so every upload is stored and measured rather than found as a duplicate.
fn unique_mp3(mp3: &[u8], n: usize) -> Vec<u8> {
    let audio = match mp3 {
        [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..] => {
            let size = (usize::from(*s0 & 0x7f) << 21)
                | (usize::from(*s1 & 0x7f) << 14)
                | (usize::from(*s2 & 0x7f) << 7)
                | usize::from(*s3 & 0x7f);
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            &mp3[(10 + size + footer).min(mp3.len())..]
        }
        _ => mp3,
    };
    let title = format!("Ban tin tai len so {n}");
    let mut frame = b"TIT2".to_vec();
    frame.extend_from_slice(&(title.len() as u32 + 1).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0]);
    frame.extend_from_slice(title.as_bytes());
    let size = frame.len();
    let mut out = b"ID3\x03\x00\x00".to_vec();
    out.extend_from_slice(&[
        ((size >> 21) & 0x7f) as u8,
        ((size >> 14) & 0x7f) as u8,
        ((size >> 7) & 0x7f) as u8,
        (size & 0x7f) as u8,
    ]);
    out.extend_from_slice(&frame);
    out.extend_from_slice(audio);
    out
}

// ---------------------------------------------------------------------------------------------
// Measurements

/// Requests of one kind: latency of each (ms, until the answer or the failure), and errors.
#[derive(Default, Clone)]
struct Sample {
    ms: Vec<f64>,
    /// Open loop: from the moment the request left the client (`ms` counts from when it was
    /// due, which adds the client's own timer lateness, up to a millisecond).
    wire: Vec<f64>,
    errors: Vec<String>,
    /// Answers that showed the bulletin on air.
    on_air: usize,
}

impl Sample {
    fn add(&mut self, ms: f64, result: Result<bool, String>) {
        self.add_wire(ms, ms, result);
    }

    fn add_wire(&mut self, ms: f64, wire: f64, result: Result<bool, String>) {
        self.ms.push(ms);
        self.wire.push(wire);
        match result {
            Ok(true) => self.on_air += 1,
            Ok(false) => {}
            Err(e) => self.errors.push(e),
        }
    }

    fn merge(&mut self, other: Sample) {
        self.ms.extend(other.ms);
        self.wire.extend(other.wire);
        self.errors.extend(other.errors);
        self.on_air += other.on_air;
    }

    fn p(&self, q: f64) -> f64 {
        let mut v = self.ms.clone();
        v.sort_by(f64::total_cmp);
        support::percentile(&v, q)
    }

    fn wire_p(&self, q: f64) -> f64 {
        let mut v = self.wire.clone();
        v.sort_by(f64::total_cmp);
        support::percentile(&v, q)
    }

    fn max(&self) -> f64 {
        self.ms.iter().copied().fold(f64::NAN, f64::max)
    }

    /// The distinct errors, with how often each happened.
    fn error_summary(&self) -> String {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for e in &self.errors {
            *counts.entry(e.as_str()).or_default() += 1;
        }
        counts
            .into_iter()
            .take(5)
            .map(|(e, n)| format!("{n}× {}", e.chars().take(160).collect::<String>()))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What an answer says: an error unless 200, and whether the bulletin shows as on air.
fn judge(kind: Kind, answer: Result<Answer, String>) -> Result<bool, String> {
    let a = answer?;
    if a.status != 200 {
        return Err(format!(
            "HTTP {}: {}",
            a.status,
            a.text().chars().take(120).collect::<String>()
        ));
    }
    Ok(match kind {
        Kind::Static => false,
        Kind::Status => on_air_label(&a.body).as_deref() == Some(BULLETIN),
        Kind::Dashboard => a.text().contains(BULLETIN),
    })
}

fn on_air_label(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["player"]["now_playing"]["label"]
        .as_str()
        .map(str::to_string)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Static,
    Status,
    Dashboard,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Static => STATIC,
            Kind::Status => "/api/v1/status",
            Kind::Dashboard => "/",
        }
    }
}

/// The output as the monitor saw it, twice a second.
#[derive(Default, Clone)]
struct Watch {
    samples: usize,
    on_air: usize,
    first_underruns: Option<u64>,
    last_underruns: Option<u64>,
    errors: usize,
    /// The most threads the server had at a reading.
    peak_threads: usize,
}

impl Watch {
    fn underruns(&self) -> Option<u64> {
        Some(self.last_underruns?.saturating_sub(self.first_underruns?))
    }
}

/// Read what is on air and the underrun counter until `stop`.
async fn monitor(
    http: Http,
    base: String,
    token: String,
    pid: String,
    stop: Arc<AtomicBool>,
) -> Watch {
    let who = Who::Token(token);
    let mut w = Watch::default();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        let last = stop.load(Ordering::Relaxed);
        w.peak_threads = w.peak_threads.max(threads(&pid));
        match send(
            &http,
            get(&base, "/api/v1/status", &who),
            Duration::from_secs(10),
        )
        .await
        {
            Ok(a) if a.status == 200 => {
                let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap_or_default();
                w.samples += 1;
                if v["player"]["now_playing"]["label"].as_str() == Some(BULLETIN) {
                    w.on_air += 1;
                }
                if let Some(u) = v["player"]["underruns"].as_u64() {
                    w.first_underruns.get_or_insert(u);
                    w.last_underruns = Some(u);
                }
            }
            _ => w.errors += 1,
        }
        if last {
            return w;
        }
    }
}

/// CPU use over a phase: of the server and of this process in cores (1.0 = one core busy), and
/// of the whole machine as a share of all its cores.
#[derive(Clone, Copy)]
struct Cpu {
    server: f64,
    load: f64,
    machine: f64,
}

/// Busy and total time of all cores, in ticks, from `/proc/stat`.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    let total: f64 = f.iter().take(8).sum();
    // idle and iowait
    let idle = f.get(3).copied().unwrap_or(0.0) + f.get(4).copied().unwrap_or(0.0);
    (total - idle, total)
}

/// Run `work` with the monitor alongside; returns both, and the CPU use in that time.
async fn watched<T>(
    env: &Env,
    work: impl std::future::Future<Output = T>,
) -> (T, Watch, Cpu, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let mon = tokio::spawn(monitor(
        env.http.clone(),
        env.base.clone(),
        env.token.clone(),
        env.pid.clone(),
        stop.clone(),
    ));
    // A first reading before the work starts.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let me = std::process::id().to_string();
    let (cpu0, load0, m0) = (cpu_seconds(&env.pid), cpu_seconds(&me), machine_ticks());
    let t0 = Instant::now();
    let out = work.await;
    let took = t0.elapsed();
    let (cpu1, load1, m1) = (cpu_seconds(&env.pid), cpu_seconds(&me), machine_ticks());
    let secs = took.as_secs_f64().max(1e-9);
    let cpu = Cpu {
        server: (cpu1 - cpu0) / secs,
        load: (load1 - load0) / secs,
        machine: (m1.0 - m0.0) / (m1.1 - m0.1).max(1.0),
    };
    tokio::time::sleep(Duration::from_millis(600)).await;
    stop.store(true, Ordering::Relaxed);
    let watch = mon.await.unwrap_or_default();
    (out, watch, cpu, took)
}

/// `rate` requests a second for `seconds`, each sent when due whatever happened to the ones
/// before (open loop); latency counts from when the request was due. A thread of its own keeps
/// time (tokio's timer ticks in whole milliseconds, the period is 2 ms).
async fn open_loop(env: &Env, kind: Kind, who: &Who, rate: u32, seconds: u64) -> Sample {
    let period = Duration::from_secs_f64(1.0 / f64::from(rate));
    let n = u64::from(rate) * seconds;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let pacer = std::thread::spawn(move || {
        let start = Instant::now() + Duration::from_millis(20);
        for i in 0..n {
            let due = start + period.mul_f64(i as f64);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if tx.send(due).is_err() {
                return;
            }
        }
    });
    let mut tasks = Vec::with_capacity(n as usize);
    while let Some(due) = rx.recv().await {
        let (http, req) = (env.http.clone(), get(&env.base, kind.path(), who));
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = send(&http, req, Duration::from_secs(10)).await;
            let wire = sent.elapsed().as_secs_f64() * 1000.0;
            let ms = due.elapsed().as_secs_f64() * 1000.0;
            (ms, wire, judge(kind, answer))
        }));
    }
    let _ = pacer.join();
    let mut sample = Sample::default();
    for t in tasks {
        match t.await {
            Ok((ms, wire, r)) => sample.add_wire(ms, wire, r),
            Err(e) => sample.add(f64::NAN, Err(e.to_string())),
        }
    }
    sample
}

/// `n` requests one after the other from one client: the idle server's service time.
async fn idle(env: &Env, kind: Kind, who: &Who, n: usize) -> Sample {
    let mut sample = Sample::default();
    for _ in 0..n {
        let t = Instant::now();
        let answer = send(
            &env.http,
            get(&env.base, kind.path(), who),
            Duration::from_secs(10),
        )
        .await;
        sample.add(t.elapsed().as_secs_f64() * 1000.0, judge(kind, answer));
    }
    sample
}

/// What the crowd of Issue 8 saw.
#[derive(Default)]
struct Crowd {
    dashboard: Sample,
    status: Sample,
    /// The requests that started while the uploads were in flight.
    dashboard_during: Sample,
    status_during: Sample,
    uploads: Sample,
    created: usize,
    duplicates: usize,
    upload_bytes: usize,
    uploads_took: Duration,
    /// While the uploads were in flight: the server's CPU in cores, the machine's busy share.
    upload_server_cpu: f64,
    upload_machine: f64,
}

/// `sessions.len()` users polling the dashboard and the status every second, and `files`
/// uploaded all at once a few seconds in; the users go on until the uploads are done and at
/// least `seconds` have passed.
async fn crowd(env: &Env, sessions: &[String], files: Vec<Vec<u8>>, seconds: u64) -> Crowd {
    let stop = Arc::new(AtomicBool::new(false));
    let uploading = Arc::new(AtomicBool::new(false));
    let users = sessions.len().max(1);
    let mut tasks = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        // One browser each: its own connections.
        let (http, base, who, stop, uploading) = (
            client(),
            env.base.clone(),
            Who::Session(s.clone()),
            stop.clone(),
            uploading.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // [dashboard, status] × [outside the uploads, during them]
            let mut samples: [[Sample; 2]; 2] = Default::default();
            tokio::time::sleep(Duration::from_millis((i * 1000 / users) as u64)).await;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                for (k, kind) in [Kind::Dashboard, Kind::Status].into_iter().enumerate() {
                    let during = usize::from(uploading.load(Ordering::Relaxed));
                    let sample = &mut samples[k][during];
                    let t = Instant::now();
                    let answer = send(
                        &http,
                        get(&base, kind.path(), &who),
                        Duration::from_secs(60),
                    )
                    .await;
                    sample.add(t.elapsed().as_secs_f64() * 1000.0, judge(kind, answer));
                }
            }
            samples
        }));
    }
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let upload_bytes = files.iter().map(Vec::len).sum();
    let mut uploads = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let (http, base, token) = (client(), env.base.clone(), env.token.clone());
        let title = format!("Bản tin tải lên số {i}");
        let (ct, body) = multipart(
            &[("title", &title), ("category", "bulletin")],
            &file,
            &format!("ban-tin-{i}.mp3"),
        );
        uploads.push(tokio::spawn(async move {
            let req = Request::builder()
                .method(Method::POST)
                .uri(format!("{base}/api/v1/media"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap_or_default();
            let t = Instant::now();
            let answer = send(&http, req, Duration::from_secs(600)).await;
            (t.elapsed().as_secs_f64() * 1000.0, answer)
        }));
    }
    uploading.store(true, Ordering::Relaxed);
    let up0 = Instant::now();
    let (cpu0, m0) = (cpu_seconds(&env.pid), machine_ticks());
    let mut out = Crowd {
        upload_bytes,
        ..Crowd::default()
    };
    for u in uploads {
        match u.await {
            Ok((ms, Ok(a))) if a.status == 201 || a.status == 200 => {
                if a.status == 201 {
                    out.created += 1;
                } else {
                    out.duplicates += 1;
                }
                out.uploads.add(ms, Ok(false));
            }
            Ok((ms, Ok(a))) => out.uploads.add(
                ms,
                Err(format!(
                    "HTTP {}: {}",
                    a.status,
                    a.text().chars().take(160).collect::<String>()
                )),
            ),
            Ok((ms, Err(e))) => out.uploads.add(ms, Err(e)),
            Err(e) => out.uploads.add(f64::NAN, Err(e.to_string())),
        }
    }
    out.uploads_took = up0.elapsed();
    let (cpu1, m1) = (cpu_seconds(&env.pid), machine_ticks());
    out.upload_server_cpu = (cpu1 - cpu0) / out.uploads_took.as_secs_f64().max(1e-9);
    out.upload_machine = (m1.0 - m0.0) / (m1.1 - m0.1).max(1.0);
    uploading.store(false, Ordering::Relaxed);
    // Users keep loading pages a little after the last upload, and at least `seconds` in all.
    let until = (t0 + Duration::from_secs(seconds)).max(Instant::now() + Duration::from_secs(3));
    tokio::time::sleep_until(tokio::time::Instant::from_std(until)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        match t.await {
            Ok([[d, d_during], [s, s_during]]) => {
                out.dashboard_during.merge(d_during.clone());
                out.status_during.merge(s_during.clone());
                out.dashboard.merge(d);
                out.dashboard.merge(d_during);
                out.status.merge(s);
                out.status.merge(s_during);
            }
            Err(e) => out.dashboard.add(f64::NAN, Err(e.to_string())),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The run

struct Env {
    http: Http,
    base: String,
    token: String,
    pid: String,
}

fn run(knobs: &Knobs) -> Result<bool, String> {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    // Long enough to stay on air through setup and both parts.
    let bulletin = support::make_mp3(&cache, knobs.bulletin_minutes())
        .ok_or("ffmpeg is needed to make the recordings: apt-get install ffmpeg")?;
    let upload = support::make_mp3(&cache, 3).ok_or("ffmpeg failed to make the upload")?;
    let upload = std::fs::read(&upload).map_err(|e| e.to_string())?;
    let files: Vec<Vec<u8>> = (0..knobs.uploads).map(|n| unique_mp3(&upload, n)).collect();

    let station = Station::new(knobs, &bulletin)?;
    let token = station.cli(&["token", "create", "--user", EDITOR])?;
    let server = station.serve()?;
    let base = format!("http://127.0.0.1:{}", server.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let env = Env {
        http: client(),
        base,
        token,
        pid: server.pid().to_string(),
    };
    let result = rt.block_on(measure(knobs, &env, files, &station));
    if knobs.keep {
        println!("  server log: {}", station.log().display());
    }
    let result = result.map_err(|e| {
        format!(
            "{e}\n--- serve.log (last lines) ---\n{}",
            station.log_tail()
        )
    });
    drop(server);
    result
}

async fn measure(
    knobs: &Knobs,
    env: &Env,
    files: Vec<Vec<u8>>,
    station: &Station,
) -> Result<bool, String> {
    // The service answers.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let healthz = send(
            &env.http,
            get(&env.base, "/healthz", &Who::Nobody),
            Duration::from_secs(5),
        )
        .await;
        if healthz.is_ok() {
            break;
        }
        if Instant::now() > deadline {
            return Err("loaxa serve never answered /healthz".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Everyone signs in through the form (argon2: done before anything is measured).
    let t = Instant::now();
    let mut sessions = Vec::with_capacity(knobs.users);
    for _ in 0..knobs.users {
        sessions.push(login(&env.http, &env.base).await?);
    }
    let login_s = t.elapsed().as_secs_f64();
    // The bulletin is on air.
    let deadline = Instant::now() + Duration::from_secs(90);
    let who = Who::Token(env.token.clone());
    let status = loop {
        let a = send(
            &env.http,
            get(&env.base, "/api/v1/status", &who),
            Duration::from_secs(5),
        )
        .await?;
        if a.status != 200 {
            return Err(format!("/api/v1/status: HTTP {}: {}", a.status, a.text()));
        }
        if on_air_label(&a.body).as_deref() == Some(BULLETIN) {
            break serde_json::from_slice::<serde_json::Value>(&a.body).unwrap_or_default();
        }
        if Instant::now() > deadline {
            return Err(format!("the bulletin never went on air: {}", a.text()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let player = &status["player"];
    println!(
        "== station: loaxa serve pid {} ({}), load from this process pid {}; {} cores, load average {}",
        env.pid,
        station.dir.display(),
        std::process::id(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    println!(
        "  on air: \"{}\" ({}, since {}), a {}-minute MP3 from the programme, to output {} ({} Hz, {} ch); underruns so far {}",
        BULLETIN,
        player["now_playing"]["priority"].as_str().unwrap_or("?"),
        player["now_playing"]["since"].as_str().unwrap_or("?"),
        knobs.bulletin_minutes(),
        player["output"].as_str().unwrap_or("?"),
        player["format"]["sample_rate"],
        player["format"]["channels"],
        player["underruns"]
    );
    println!(
        "  {} sessions signed in through the login form in {login_s:.1} s",
        sessions.len()
    );
    let session = Who::Session(sessions.first().cloned().unwrap_or_default());
    let mut met = true;

    // The idle baseline.
    let mut idle_rows = Vec::new();
    for kind in [Kind::Static, Kind::Status, Kind::Dashboard] {
        let who = if kind == Kind::Static {
            Who::Nobody
        } else {
            session.clone()
        };
        idle_rows.push((kind, idle(env, kind, &who, 200).await));
    }

    // Issue 4.
    println!();
    println!(
        "== Issue 4: {} req/s open loop for {} s per endpoint, while the bulletin airs",
        knobs.rate, knobs.seconds
    );
    println!(
        "  {:<30} {:>6} {:>6} {:>7} {:>7} {:>7} {:>9} {:>9} {:>7} {:>9} {:>10}",
        "endpoint",
        "sent",
        "errors",
        "p50 ms",
        "p99 ms",
        "max ms",
        "wire p99",
        "p99/base",
        "on air",
        "underruns",
        "server CPU"
    );
    let mut base_p99 = f64::NAN;
    let mut base_wire_p99 = f64::NAN;
    let mut rows = Vec::new();
    let row = |label: &str, sample: &Sample, watch: &Watch, cpu: f64, base_p99: f64| {
        let on_air = if sample.on_air == 0 {
            format!("{}/{}", watch.on_air, watch.samples)
        } else {
            format!(
                "{:.0}%",
                100.0 * sample.on_air as f64 / sample.ms.len().max(1) as f64
            )
        };
        println!(
            "  {:<30} {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2} {:>9.2} {:>8.1}× {:>7} {:>9} {:>9.0}%",
            label,
            sample.ms.len(),
            sample.errors.len(),
            sample.p(0.5),
            sample.p(0.99),
            sample.max(),
            sample.wire_p(0.99),
            sample.p(0.99) / base_p99,
            on_air,
            watch.underruns().map_or("?".into(), |u| format!("+{u}")),
            cpu * 100.0
        );
    };
    for kind in [Kind::Static, Kind::Status, Kind::Dashboard] {
        let who = if kind == Kind::Static {
            Who::Nobody
        } else {
            session.clone()
        };
        let (sample, watch, cpu, _) =
            watched(env, open_loop(env, kind, &who, knobs.rate, knobs.seconds)).await;
        if kind == Kind::Static {
            base_p99 = sample.p(0.99);
            base_wire_p99 = sample.wire_p(0.99);
        }
        let label = match kind {
            Kind::Static => format!("{STATIC} (baseline)"),
            Kind::Status => "/api/v1/status".into(),
            Kind::Dashboard => "/ (dashboard, signed in)".into(),
        };
        row(&label, &sample, &watch, cpu.server, base_p99);
        rows.push((kind, sample, watch));
    }
    // Beyond the requirement: both at once, twice the rate in all.
    let ((status2, dash2), watch2, cpu2, _) = watched(env, async {
        tokio::join!(
            open_loop(env, Kind::Status, &session, knobs.rate, knobs.seconds),
            open_loop(env, Kind::Dashboard, &session, knobs.rate, knobs.seconds)
        )
    })
    .await;
    row(
        "/api/v1/status } both at once",
        &status2,
        &watch2,
        cpu2.server,
        base_p99,
    );
    row(
        "/               } both at once",
        &dash2,
        &watch2,
        cpu2.server,
        base_p99,
    );
    let peak = rows
        .iter()
        .map(|(_, _, w)| w.peak_threads)
        .chain([watch2.peak_threads])
        .max()
        .unwrap_or(0);
    println!(
        "  (latency counts from when each request was due; \"wire\" from when it left the client; server threads at the peak: {peak})"
    );
    for (kind, sample, watch) in &rows {
        if *kind == Kind::Static {
            continue;
        }
        let p99 = sample.p(0.99);
        let ok = p99 < TARGET_P99_MS
            && sample.errors.is_empty()
            && watch.underruns() == Some(0)
            && watch.on_air == watch.samples
            && watch.samples > 0;
        met &= ok;
        println!(
            "  {} {} at {} req/s: p99 {p99:.2} ms = {:.2} of the 20 ms target = {:.1}× the static file's p99 ({base_p99:.2} ms; on the wire {:.1}×); {} errors; underruns +{}; on air in {}/{} monitor readings",
            if ok { "MET    " } else { "NOT MET" },
            kind.path(),
            knobs.rate,
            p99 / TARGET_P99_MS,
            p99 / base_p99,
            sample.wire_p(0.99) / base_wire_p99,
            sample.errors.len(),
            watch.underruns().map_or("?".into(), |u| u.to_string()),
            watch.on_air,
            watch.samples
        );
        if !sample.errors.is_empty() {
            println!("          errors: {}", sample.error_summary());
        }
    }
    println!(
        "  (beyond the requirement) both at once, {} req/s in all: p99 status {:.2} ms, dashboard {:.2} ms; {} errors; underruns +{}",
        2 * knobs.rate,
        status2.p(0.99),
        dash2.p(0.99),
        status2.errors.len() + dash2.errors.len(),
        watch2.underruns().map_or("?".into(), |u| u.to_string()),
    );
    for s in [&status2, &dash2] {
        if !s.errors.is_empty() {
            println!("          errors: {}", s.error_summary());
        }
    }

    // Issue 8.
    println!();
    let mb = files.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let n_files = files.len();
    println!(
        "== Issue 8: {} dashboard users (dashboard + status every second each) and {} simultaneous uploads ({:.1} MB, 3-minute MP3s), while the bulletin airs",
        sessions.len(),
        n_files,
        mb
    );
    let threads_before = threads(&env.pid);
    let (crowd, watch, cpu, took) = watched(env, crowd(env, &sessions, files, knobs.seconds)).await;
    println!(
        "  {:<36} {:>6} {:>6} {:>8} {:>8} {:>8} {:>12}",
        "requests", "sent", "errors", "p50 ms", "p99 ms", "max ms", "p99/idle p99"
    );
    for (label, sample, idle_kind) in [
        (
            "/ (dashboard), whole phase",
            &crowd.dashboard,
            Some(Kind::Dashboard),
        ),
        (
            "/ (dashboard), while uploading",
            &crowd.dashboard_during,
            Some(Kind::Dashboard),
        ),
        (
            "/api/v1/status, whole phase",
            &crowd.status,
            Some(Kind::Status),
        ),
        (
            "/api/v1/status, while uploading",
            &crowd.status_during,
            Some(Kind::Status),
        ),
        ("POST /api/v1/media (3-min MP3)", &crowd.uploads, None),
    ] {
        let idle_p99 = idle_kind
            .and_then(|k| idle_rows.iter().find(|(i, _)| *i == k))
            .map_or(f64::NAN, |(_, s)| s.p(0.99));
        println!(
            "  {:<36} {:>6} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>11}",
            label,
            sample.ms.len(),
            sample.errors.len(),
            sample.p(0.5),
            sample.p(0.99),
            sample.max(),
            if idle_p99.is_nan() {
                "-".to_string()
            } else {
                format!("{:.1}×", sample.p(0.99) / idle_p99)
            }
        );
    }
    println!(
        "  uploads: {} created (201), {} already there (200), {} failed; all answered in {:.1} s ({:.1} MB/s stored and measured)",
        crowd.created,
        crowd.duplicates,
        crowd.uploads.errors.len(),
        crowd.uploads_took.as_secs_f64(),
        crowd.upload_bytes as f64 / 1e6 / crowd.uploads_took.as_secs_f64().max(1e-9),
    );
    println!(
        "  phase {:.1} s; CPU: server {:.0}%, load generator {:.0}% (of one core); the machine's {} cores {:.0}% busy; while uploading: server {:.0}%, machine {:.0}% busy",
        took.as_secs_f64(),
        cpu.server * 100.0,
        cpu.load * 100.0,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu.machine * 100.0,
        crowd.upload_server_cpu * 100.0,
        crowd.upload_machine * 100.0
    );
    println!(
        "  on air: bulletin in {}/{} monitor readings, {}/{} status answers and {}/{} dashboards; underruns {} → {} (+{})",
        watch.on_air,
        watch.samples,
        crowd.status.on_air,
        crowd.status.ms.len(),
        crowd.dashboard.on_air,
        crowd.dashboard.ms.len(),
        watch.first_underruns.map_or("?".into(), |u| u.to_string()),
        watch.last_underruns.map_or("?".into(), |u| u.to_string()),
        watch.underruns().map_or("?".into(), |u| u.to_string()),
    );
    println!(
        "  server threads: {threads_before} before, {} at the peak (tokio's blocking pool stops at 512: each database access and each upload's measurement holds one)",
        watch.peak_threads
    );
    let pages_ok = crowd.dashboard.errors.is_empty() && crowd.status.errors.is_empty();
    let uploads_ok = crowd.uploads.errors.is_empty() && crowd.created + crowd.duplicates == n_files;
    let audio_ok =
        watch.underruns() == Some(0) && watch.on_air == watch.samples && watch.samples > 0;
    for (ok, what) in [
        (
            uploads_ok,
            format!(
                "every upload 201/200 ({} of {n_files})",
                crowd.created + crowd.duplicates
            ),
        ),
        (
            pages_ok,
            format!(
                "every page load 200 ({} dashboard, {} status errors)",
                crowd.dashboard.errors.len(),
                crowd.status.errors.len()
            ),
        ),
        (
            audio_ok,
            format!(
                "no underrun, on air throughout (+{} underruns, on air {}/{})",
                watch.underruns().map_or("?".into(), |u| u.to_string()),
                watch.on_air,
                watch.samples
            ),
        ),
    ] {
        met &= ok;
        println!("  {} {what}", if ok { "MET    " } else { "NOT MET" });
    }
    for (label, s) in [
        ("uploads", &crowd.uploads),
        ("dashboard", &crowd.dashboard),
        ("status", &crowd.status),
    ] {
        if !s.errors.is_empty() {
            println!("          {label} errors: {}", s.error_summary());
        }
    }

    // Idle figures, and the counters as Prometheus sees them.
    println!();
    println!("== idle baseline: 200 requests one after the other, same server, bulletin on air");
    for (kind, s) in &idle_rows {
        println!(
            "  {:<26} p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms  errors {}",
            kind.path(),
            s.p(0.5),
            s.p(0.99),
            s.max(),
            s.errors.len()
        );
    }
    let metrics = send(
        &env.http,
        get(&env.base, "/api/v1/metrics", &who),
        Duration::from_secs(10),
    )
    .await
    .map(|a| a.text())
    .unwrap_or_default();
    let underruns_line = metrics
        .lines()
        .find(|l| l.starts_with("loaxa_output_underruns"))
        .unwrap_or("loaxa_output_underruns (absent)");
    println!(
        "  /api/v1/metrics at the end: {underruns_line}; load average {}",
        loadavg()
    );
    println!();
    println!(
        "== {}",
        if met {
            "all requirements met"
        } else {
            "a requirement is NOT met (see NOT MET above)"
        }
    );
    Ok(met)
}
