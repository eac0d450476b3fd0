//! The crash loop: the real `loaxa serve` is killed with SIGKILL at a random moment while
//! recordings are uploaded, items created, submitted and approved, and the programme is on
//! air; then it is started again and checked:
//!
//! - the database passes `PRAGMA integrity_check` and `foreign_key_check`;
//! - every upload, creation, submission and approval that was answered 2xx before the kill is
//!   there after the restart, with its audit entry;
//! - `media/incoming` is empty after the restart's sweep, every stored object's SHA-256 is its
//!   name, and every recording in the database has its file;
//! - no cue of the as-run log that had completed airs again (a cue cut off by the kill may air
//!   again: that is the runner resuming the slot).
//!
//! Rounds: `LOAXA_CRASH_ROUNDS` (default 10; the documented full run is 50, see
//! `deploy/proof/crash-loop.sh`). The kill moments and payloads come from a seeded generator;
//! the seed is printed, and `LOAXA_CRASH_SEED` replays them (the interleaving of the traffic
//! is the scheduler's). `LOAXA_CRASH_KEEP=1` keeps the station's folder (database, media,
//! one `serve-N.log` per life) for a look afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::common::{fixture, loaxa};
use crate::web::multipart;

const PASSWORD: &str = "mật khẩu đủ dài cho thử";
const JINGLE: &str = "Nhạc hiệu thử";

/// A running `loaxa serve`, killed (SIGKILL) when dropped, so a failing check leaves no
/// server behind.
struct Server(Child);

impl Server {
    /// SIGKILL, and reap it.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the service said yes to. Only a complete 2xx answer counts.
#[derive(Default, Debug)]
struct Ledger {
    /// Recording id → SHA-256 of what was sent.
    media: BTreeMap<i64, String>,
    created: BTreeSet<i64>,
    submitted: BTreeSet<i64>,
    approved: BTreeSet<i64>,
}

/// One thread's view of the API.
struct Api {
    agent: ureq::Agent,
    base: String,
    auth: String,
}

impl Api {
    fn new(port: u16, token: &str) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Api {
            agent,
            base: format!("http://127.0.0.1:{port}/api/v1"),
            auth: format!("Bearer {token}"),
        }
    }

    fn answer(
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Option<(u16, serde_json::Value)> {
        let mut r = r.ok()?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().ok()?;
        Some((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        ))
    }

    fn get(&self, path: &str) -> Option<(u16, serde_json::Value)> {
        Self::answer(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", &self.auth)
                .call(),
        )
    }

    fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Option<(u16, serde_json::Value)> {
        Self::answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Authorization", &self.auth)
                .header("Content-Type", content_type)
                .send(body),
        )
    }

    fn post_json(&self, path: &str, v: &serde_json::Value) -> Option<(u16, serde_json::Value)> {
        self.post(path, "application/json", v.to_string().as_bytes())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A short bulletin that no one has sent before: a half-second fixture with a few samples
/// changed (inaudible, but a new SHA-256). Short, so that cues complete between kills.
fn unique_short(base: &[u8], stamp: u64) -> Vec<u8> {
    let mut b = base.to_vec();
    let data = b.windows(4).position(|w| w == b"data").unwrap() + 8;
    b[data + 200..data + 208].copy_from_slice(&stamp.to_le_bytes());
    b
}

/// A longer recording (a few seconds at 48 kHz) so that some uploads are still streaming or
/// being measured when the kill comes.
fn unique_long(stamp: u64, seconds: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
    let freq = 200.0 + (stamp % 800) as f32;
    for n in 0..48_000 * seconds {
        let t = n as f32 / 48_000.0;
        let s = (t * freq * std::f32::consts::TAU).sin() * 0.3;
        w.write_sample((s * f32::from(i16::MAX)) as i16).unwrap();
    }
    w.finalize().unwrap();
    let mut b = out.into_inner();
    let n = b.len();
    b[n - 8..].copy_from_slice(&stamp.to_le_bytes());
    b
}

/// A temporary station: config, folders, users and tokens, made through the CLI.
struct Station {
    dir: tempfile::TempDir,
    config: PathBuf,
    tokens: BTreeMap<&'static str, String>,
}

impl Station {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn cli(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut cmd = loaxa();
        cmd.arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(s) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{s}\n").as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "loaxa {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn new() -> Station {
        let dir = tempfile::tempdir().unwrap();
        let q = |p: &Path| toml::Value::String(p.display().to_string()).to_string();
        let (sched, lists) = (dir.path().join("schedules"), dir.path().join("playlists"));
        std::fs::create_dir_all(&sched).unwrap();
        std::fs::create_dir_all(&lists).unwrap();
        let config = dir.path().join("loaxa.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = {}\n[audio]\noutput = \"null\"\n[web]\nlisten = \"127.0.0.1:1\"\nmax_upload_mb = 20\n\
                 [schedule]\nschedules_dir = {}\nplaylists_dir = {}\nrequire_time_sync = false\npreroll_seconds = 1\n",
                q(&dir.path().join("data")),
                q(&sched),
                q(&lists)
            ),
        )
        .unwrap();
        // A slot every minute for the next two hours: jingle, bulletins (up to a minute).
        std::fs::write(
            lists.join("phut.toml"),
            format!(
                "title = \"Mỗi phút\"\nmax_minutes = 1\noverflow = \"drop\"\n[[part]]\njingle = \"{JINGLE}\"\n[[part]]\ncategory = \"bulletin\"\n"
            ),
        )
        .unwrap();
        let now = Utc::now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh);
        let start = now.with_second(0).unwrap().with_nanosecond(0).unwrap();
        let mut s = String::new();
        for m in -1..120 {
            let at = start + chrono::Duration::minutes(m);
            s += &format!(
                "[[once]]\nname = \"m-{}\"\nat = \"{}\"\nplaylist = \"phut\"\n\n",
                at.format("%Y%m%d-%H%M"),
                at.format("%Y-%m-%d %H:%M")
            );
        }
        std::fs::write(sched.join("thu.toml"), s).unwrap();
        let mut st = Station {
            dir,
            config,
            tokens: BTreeMap::new(),
        };
        for role in ["admin", "editor", "approver"] {
            st.cli(&["user", "add", role, "--role", role], Some(PASSWORD));
            let token = st.cli(&["token", "create", "--user", role], None);
            assert_eq!(token.len(), 64, "{token}");
            st.tokens.insert(role, token);
        }
        let jingle = fixture("pcm-f32.wav");
        st.cli(
            &[
                "media",
                "import",
                jingle.to_str().unwrap(),
                "--title",
                JINGLE,
                "--category",
                "jingle",
            ],
            None,
        );
        st
    }

    /// Start `loaxa serve` on a free port and wait until it answers.
    fn serve(&self, round: usize) -> (Server, u16) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("serve-{round}.log")))
            .unwrap();
        let mut server = Server(
            loaxa()
                .arg("--config")
                .arg(&self.config)
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .env("LOAXA_LOG", "info,symphonia=error")
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if agent
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .call()
                .is_ok()
            {
                return (server, port);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server.kill();
        panic!("{}", self.log_tail(round, "loaxa serve never answered"));
    }

    fn log_tail(&self, round: usize, what: &str) -> String {
        let log = std::fs::read_to_string(self.dir.path().join(format!("serve-{round}.log")))
            .unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        format!(
            "{what}\n--- serve-{round}.log (last lines) ---\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    fn db(&self) -> Connection {
        let c = Connection::open_with_flags(
            self.data().join("loaxa.sqlite3"),
            OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c
    }

    /// The cues of the as-run log: key → (outcome, first sample).
    fn cues(&self) -> BTreeMap<String, (String, Option<String>)> {
        let c = self.db();
        let mut stmt = c
            .prepare(
                "SELECT cue_key, outcome, first_sample_at FROM as_run WHERE cue_key IS NOT NULL",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

/// What the as-run log has shown so far.
#[derive(Default)]
struct AsRunWatch {
    /// Completed cues and their first sample: they must never change.
    completed: BTreeMap<String, Option<String>>,
    /// Cues seen started or interrupted (cut by a kill).
    cut: BTreeSet<String>,
    /// Cut cues later completed: the slot resumed.
    resumed: BTreeSet<String>,
}

impl AsRunWatch {
    /// Fold in a look at the log; returns the problems found.
    /// `before_kill`: this look is the last before a kill, so what is on air is cut by it.
    fn observe(
        &mut self,
        cues: &BTreeMap<String, (String, Option<String>)>,
        before_kill: bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, first) in &self.completed {
            match cues.get(key) {
                None => problems.push(format!("completed cue {key} vanished from the as-run log")),
                Some((outcome, f)) if outcome != "completed" || f != first => problems.push(format!(
                    "cue {key} had completed (first sample {first:?}) and aired again: now {outcome}, first sample {f:?}"
                )),
                Some(_) => {}
            }
        }
        for (key, (outcome, first)) in cues {
            match outcome.as_str() {
                "completed" => {
                    if self.cut.contains(key) {
                        self.resumed.insert(key.clone());
                    }
                    self.completed.entry(key.clone()).or_insert(first.clone());
                }
                "interrupted" => {
                    self.cut.insert(key.clone());
                }
                "started" if before_kill => {
                    self.cut.insert(key.clone());
                }
                _ => {}
            }
        }
        problems
    }
}

/// Objects already hashed, by path, with the length and time they had: objects are never
/// rewritten in place, so a changed length or time means look again.
type Hashed = BTreeMap<PathBuf, (u64, std::time::SystemTime)>;

/// Check the station after a restart; returns problems and a one-line summary.
fn check(
    st: &Station,
    ledger: &Ledger,
    watch: &mut AsRunWatch,
    hashed: &mut Hashed,
) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let c = st.db();
    let integrity: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    if integrity != ["ok"] {
        problems.push(format!("integrity_check: {integrity:?}"));
    }
    let fk: usize = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    if fk != 0 {
        problems.push(format!("{fk} foreign key violations"));
    }
    let dup: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM (SELECT cue_key FROM as_run WHERE cue_key IS NOT NULL GROUP BY cue_key HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if dup != 0 {
        problems.push(format!("{dup} cues with more than one as-run line"));
    }

    // Everything acknowledged is there.
    let media: BTreeMap<i64, (String, String)> = c
        .prepare("SELECT id, sha256, file FROM media")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, sha) in &ledger.media {
        match media.get(id) {
            None => problems.push(format!("acknowledged upload {id} is missing")),
            Some((s, _)) if s != sha => {
                problems.push(format!("upload {id} has sha {s}, sent {sha}"))
            }
            Some(_) => {}
        }
    }
    let items: BTreeMap<i64, String> = c
        .prepare("SELECT id, state FROM items")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let audited = |action: &str, id: i64| -> bool {
        c.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = ?1 AND subject = ?2",
            rusqlite::params![action, format!("item:{id}")],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            > 0
    };
    for id in ledger.created.union(&ledger.approved) {
        let state = items.get(id).map(String::as_str);
        let ok = match state {
            None => false,
            Some(_) if ledger.approved.contains(id) => state == Some("approved"),
            Some(_) if ledger.submitted.contains(id) => {
                matches!(state, Some("submitted" | "approved"))
            }
            Some(_) => true,
        };
        if !ok {
            problems.push(format!(
                "acknowledged item {id} is {state:?} (submitted: {}, approved: {})",
                ledger.submitted.contains(id),
                ledger.approved.contains(id)
            ));
        }
        if ledger.created.contains(id) && !audited("item.create", *id) {
            problems.push(format!("item {id}: no item.create in the audit log"));
        }
    }
    for id in &ledger.approved {
        if !audited("item.approve", *id) {
            problems.push(format!(
                "item {id}: approved without item.approve in the audit log"
            ));
        }
    }

    // No half file, no object under a wrong name, every recording's file present.
    let incoming = st.data().join("media/incoming");
    let left: Vec<String> = std::fs::read_dir(&incoming)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if !left.is_empty() {
        problems.push(format!("left in media/incoming after the sweep: {left:?}"));
    }
    let mut on_disk = BTreeSet::new();
    let objects = st.data().join("media/objects");
    for sub in std::fs::read_dir(&objects).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(sub.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = f.path();
            let meta = f.metadata().unwrap();
            let stamp = (meta.len(), meta.modified().unwrap());
            if hashed.get(&path) != Some(&stamp) {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                let actual = sha256_hex(&std::fs::read(&path).unwrap());
                if actual != stem || !stem.starts_with(&*sub.file_name().to_string_lossy()) {
                    problems.push(format!("{} holds content {actual}", path.display()));
                }
                hashed.insert(path, stamp);
            }
            on_disk.insert(format!(
                "media/objects/{}/{}",
                sub.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    for (id, (sha, file)) in &media {
        if !on_disk.contains(file) || !file.contains(sha.as_str()) {
            problems.push(format!("recording {id}: its file {file} is missing"));
        }
    }
    let orphans = on_disk
        .len()
        .saturating_sub(media.values().filter(|(_, f)| on_disk.contains(f)).count());

    // Nothing that completed airs again.
    let cues = st.cues();
    problems.extend(watch.observe(&cues, false));
    let summary = format!(
        "db ok, {} recordings ({orphans} unreferenced objects), {} items ({} approved), {} cues ({} completed, {} cut by a kill, {} of those resumed)",
        media.len(),
        items.len(),
        items.values().filter(|s| *s == "approved").count(),
        cues.len(),
        watch.completed.len(),
        watch.cut.len(),
        watch.resumed.len(),
    );
    (problems, summary)
}

/// The traffic of one life of the service, until `stop`.
fn traffic(
    st: &Station,
    port: u16,
    stop: &Arc<AtomicBool>,
    ledger: &Arc<Mutex<Ledger>>,
    in_flight: &Arc<AtomicUsize>,
    seed: u64,
) -> Vec<std::thread::JoinHandle<usize>> {
    let short = Arc::new(std::fs::read(fixture("pcm-u8.wav")).unwrap());
    let mut handles = Vec::new();
    // Two editors: upload, create, submit. One sends longer recordings every other time.
    for worker in 0..2u64 {
        let api = Api::new(port, &st.tokens["editor"]);
        let (stop, ledger, in_flight, short) = (
            stop.clone(),
            ledger.clone(),
            in_flight.clone(),
            short.clone(),
        );
        handles.push(std::thread::spawn(move || {
            // Each worker its own stream from the printed seed, so a failing run replays.
            let mut rng =
                fastrand::Rng::with_seed(seed ^ (worker + 1).wrapping_mul(0xA24B_AED4_963E_E407));
            let mut acked = 0;
            while !stop.load(Ordering::Relaxed) {
                // A busy office, not a flood: the database stays a size a check can read.
                std::thread::sleep(Duration::from_millis(20 + rng.u64(..100)));
                let stamp = rng.u64(..);
                // Long recordings are notices (the programme airs bulletins): still streaming
                // or being measured when the kill comes, but never holding the air for long.
                let long = worker == 1 && rng.u64(..2) == 0;
                let bytes = if long {
                    unique_long(stamp, 3 + rng.u64(..8) as u32)
                } else {
                    unique_short(&short, stamp)
                };
                let category = if long { "notice" } else { "bulletin" };
                let sha = sha256_hex(&bytes);
                let title = format!("Bản tin thử {stamp:x}");
                let (ct, body) = multipart(&[
                    ("title", title.as_bytes(), None),
                    ("category", category.as_bytes(), None),
                    ("file", &bytes, Some("ban-tin.wav")),
                ]);
                in_flight.fetch_add(1, Ordering::SeqCst);
                let r = api.post("/media", &ct, &body);
                in_flight.fetch_sub(1, Ordering::SeqCst);
                let Some((201 | 200, m)) = r else { continue };
                let Some(media) = m["media"]["id"].as_i64() else {
                    continue;
                };
                ledger.lock().unwrap().media.insert(media, sha);
                acked += 1;
                let new =
                    serde_json::json!({"media_id": media, "title": title, "category": category});
                let Some((201, item)) = api.post_json("/items", &new) else {
                    continue;
                };
                let Some(id) = item["id"].as_i64() else {
                    continue;
                };
                ledger.lock().unwrap().created.insert(id);
                if let Some((200, _)) =
                    api.post(&format!("/items/{id}/submit"), "application/json", b"")
                {
                    ledger.lock().unwrap().submitted.insert(id);
                }
            }
            acked
        }));
    }
    // A leader approves whatever is waiting.
    {
        let api = Api::new(port, &st.tokens["approver"]);
        let (stop, ledger) = (stop.clone(), ledger.clone());
        handles.push(std::thread::spawn(move || {
            let mut acked = 0;
            while !stop.load(Ordering::Relaxed) {
                let Some((200, list)) = api.get("/items?state=submitted") else {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                };
                for item in list.as_array().into_iter().flatten() {
                    let Some(id) = item["id"].as_i64() else {
                        continue;
                    };
                    if let Some((200, _)) =
                        api.post(&format!("/items/{id}/approve"), "application/json", b"")
                    {
                        ledger.lock().unwrap().approved.insert(id);
                        acked += 1;
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            acked
        }));
    }
    handles
}

#[test]
fn killed_at_random_moments_the_station_loses_nothing_and_airs_nothing_twice() {
    let rounds: usize = std::env::var("LOAXA_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let seed: u64 = std::env::var("LOAXA_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("crash loop: {rounds} rounds, seed {seed} (replay with LOAXA_CRASH_SEED={seed})");
    let started = Instant::now();
    let st = Station::new();
    let mut rng = fastrand::Rng::with_seed(seed);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut watch = AsRunWatch::default();
    let mut hashed = Hashed::new();
    let mut survived = 0;
    // A first life with a few approved bulletins, so the programme has something to air from
    // the first crash round on (the slot of the current minute is within the grace window).
    {
        let (mut server, port) = st.serve(0);
        let stop = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let handles = traffic(&st, port, &stop, &ledger, &in_flight, rng.u64(..));
        std::thread::sleep(Duration::from_millis(1500));
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            h.join().unwrap();
        }
        let l = ledger.lock().unwrap();
        println!(
            "  setup: {} uploads, {} approvals acknowledged, then SIGKILL",
            l.media.len(),
            l.approved.len()
        );
    }
    for round in 0..=rounds {
        let (mut server, port) = st.serve(round + 1);
        // After a restart: everything is as it was acknowledged.
        let (problems, summary) = check(&st, &ledger.lock().unwrap(), &mut watch, &mut hashed);
        assert!(
            problems.is_empty(),
            "seed {seed}, after restart {round}:\n{}\n{}",
            problems.join("\n"),
            st.log_tail(round, "log of the killed run")
        );
        if round > 0 {
            survived += 1;
        }
        println!("  restart {round}: {summary}");
        if round == rounds {
            server.kill();
            break;
        }
        // Traffic, then a kill at a random moment.
        let stop = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let before = {
            let l = ledger.lock().unwrap();
            (l.media.len(), l.approved.len())
        };
        let handles = traffic(&st, port, &stop, &ledger, &in_flight, rng.u64(..));
        let delay = Duration::from_millis(200 + rng.u64(..3300));
        std::thread::sleep(delay);
        let seen = st.cues();
        problems_or_panic(watch.observe(&seen, true), seed, round);
        let cut_uploads = in_flight.load(Ordering::SeqCst);
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            h.join().unwrap();
        }
        let after = {
            let l = ledger.lock().unwrap();
            (l.media.len(), l.approved.len())
        };
        let playing = seen.values().filter(|(o, _)| o == "started").count();
        println!(
            "  round {}: SIGKILL after {} ms — {} uploads and {} approvals acknowledged, {} uploads in flight, {} cues on air",
            round + 1,
            delay.as_millis(),
            after.0 - before.0,
            after.1 - before.1,
            cut_uploads,
            playing
        );
    }
    let l = ledger.lock().unwrap();
    println!(
        "crash loop: survived {survived}/{rounds} kills in {:.1} s; {} uploads, {} items, {} approvals acknowledged and all present; {} cues completed, none aired twice; {} cues cut by a kill, {} resumed (seed {seed})",
        started.elapsed().as_secs_f64(),
        l.media.len(),
        l.created.len(),
        l.approved.len(),
        watch.completed.len(),
        watch.cut.len(),
        watch.resumed.len()
    );
    assert_eq!(survived, rounds);
    if std::env::var_os("LOAXA_CRASH_KEEP").is_some() {
        println!("kept: {}", st.dir.keep().display());
    }
}

fn problems_or_panic(problems: Vec<String>, seed: u64, round: usize) {
    assert!(
        problems.is_empty(),
        "seed {seed}, round {round}:\n{}",
        problems.join("\n")
    );
}
