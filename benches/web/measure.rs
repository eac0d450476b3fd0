//! Measurements: latency samples, the on-air monitor, CPU, open-loop and one-at-a-time
//! load, and the crowd of users and uploads.

use super::*;

/// Requests of one kind: latency of each (ms, until the answer or the failure), and errors.
#[derive(Default, Clone)]
pub(super) struct Sample {
    pub(super) ms: Vec<f64>,
    /// Open loop: from the moment the request left the client (`ms` counts from when it was
    /// due, which adds the client's own timer lateness, up to a millisecond).
    pub(super) wire: Vec<f64>,
    pub(super) errors: Vec<String>,
    /// Answers that showed the bulletin on air.
    pub(super) on_air: usize,
}

impl Sample {
    pub(super) fn add(&mut self, ms: f64, result: Result<bool, String>) {
        self.add_wire(ms, ms, result);
    }

    pub(super) fn add_wire(&mut self, ms: f64, wire: f64, result: Result<bool, String>) {
        self.ms.push(ms);
        self.wire.push(wire);
        match result {
            Ok(true) => self.on_air += 1,
            Ok(false) => {}
            Err(e) => self.errors.push(e),
        }
    }

    pub(super) fn merge(&mut self, other: Sample) {
        self.ms.extend(other.ms);
        self.wire.extend(other.wire);
        self.errors.extend(other.errors);
        self.on_air += other.on_air;
    }

    pub(super) fn p(&self, q: f64) -> f64 {
        let mut v = self.ms.clone();
        v.sort_by(f64::total_cmp);
        support::percentile(&v, q)
    }

    pub(super) fn wire_p(&self, q: f64) -> f64 {
        let mut v = self.wire.clone();
        v.sort_by(f64::total_cmp);
        support::percentile(&v, q)
    }

    pub(super) fn max(&self) -> f64 {
        self.ms.iter().copied().fold(f64::NAN, f64::max)
    }

    /// The distinct errors, with how often each happened.
    pub(super) fn error_summary(&self) -> String {
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
pub(super) fn judge(kind: Kind, answer: Result<Answer, String>) -> Result<bool, String> {
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

pub(super) fn on_air_label(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v["player"]["now_playing"]["label"]
        .as_str()
        .map(str::to_string)
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Static,
    Status,
    Dashboard,
}

impl Kind {
    pub(super) fn path(self) -> &'static str {
        match self {
            Kind::Static => STATIC,
            Kind::Status => "/api/v1/status",
            Kind::Dashboard => "/",
        }
    }
}

/// The output as the monitor saw it, twice a second.
#[derive(Default, Clone)]
pub(super) struct Watch {
    pub(super) samples: usize,
    pub(super) on_air: usize,
    pub(super) first_underruns: Option<u64>,
    pub(super) last_underruns: Option<u64>,
    pub(super) errors: usize,
    /// The most threads the server had at a reading.
    pub(super) peak_threads: usize,
}

impl Watch {
    pub(super) fn underruns(&self) -> Option<u64> {
        Some(self.last_underruns?.saturating_sub(self.first_underruns?))
    }
}

/// Read what is on air and the underrun counter until `stop`.
pub(super) async fn monitor(
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
pub(super) struct Cpu {
    pub(super) server: f64,
    pub(super) load: f64,
    pub(super) machine: f64,
}

/// Busy and total time of all cores, in ticks, from `/proc/stat`.
pub(super) fn machine_ticks() -> (f64, f64) {
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
pub(super) async fn watched<T>(
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
pub(super) async fn open_loop(env: &Env, kind: Kind, who: &Who, rate: u32, seconds: u64) -> Sample {
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
pub(super) async fn idle(env: &Env, kind: Kind, who: &Who, n: usize) -> Sample {
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
pub(super) struct Crowd {
    pub(super) dashboard: Sample,
    pub(super) status: Sample,
    /// The requests that started while the uploads were in flight.
    pub(super) dashboard_during: Sample,
    pub(super) status_during: Sample,
    pub(super) uploads: Sample,
    pub(super) created: usize,
    pub(super) duplicates: usize,
    pub(super) upload_bytes: usize,
    pub(super) uploads_took: Duration,
    /// While the uploads were in flight: the server's CPU in cores, the machine's busy share.
    pub(super) upload_server_cpu: f64,
    pub(super) upload_machine: f64,
}

/// `sessions.len()` users polling the dashboard and the status every second, and `files`
/// uploaded all at once a few seconds in; the users go on until the uploads are done and at
/// least `seconds` have passed.
pub(super) async fn crowd(
    env: &Env,
    sessions: &[String],
    files: Vec<Vec<u8>>,
    seconds: u64,
) -> Crowd {
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
