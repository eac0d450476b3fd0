//! A commune of 100 village nodes on this machine: every node a real `loaxa node` process
//! (null output), sharing only the commune's Mosquitto broker and the head-end (the real
//! service, in this process). Measures, each beside a baseline taken in the same run:
//!
//! - emergency request → first chime sample at each node's output (p50, p99, max), against
//!   `mosquitto_pub` → 100 `mosquitto_sub` on the same broker (the broker's own fan-out);
//! - each node's resident memory, against one `mosquitto_sub`'s and the broker's;
//! - the head-end's CPU while every node reports its status every 10 s, against the same
//!   head-end with no node, and the broker's CPU in the same window.
//!
//! `cargo bench --bench cluster` (needs mosquitto and mosquitto-clients; about 4 minutes).
//! `CLUSTER_BENCH_NODES` (default 100) and `CLUSTER_BENCH_ROUNDS` (default 10) change the size.
//! `deploy/proof/cluster-netem.sh` runs it with the nodes in a network namespace behind 100 ms
//! of delay and 2 % loss (`CLUSTER_BENCH_NETNS`, `CLUSTER_BENCH_HOST`).

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::Utc;
use loaxa::emergency::{Message, Start, Trigger};
use loaxa::station;

mod commune;
#[path = "../support/mod.rs"]
mod support;

use commune::{Commune, HeadEnd, Proc, Reach};

/// The targets.
const TARGET_P99_LOOPBACK_MS: f64 = 250.0;
const TARGET_P99_NETEM_MS: f64 = 1_000.0;
const TARGET_RSS_MB: f64 = 20.0;
/// How long CPU is measured over (six status reports of every node).
const CPU_WINDOW: Duration = Duration::from_secs(60);

fn main() {
    for tool in ["mosquitto", "mosquitto_pub", "mosquitto_sub"] {
        if std::process::Command::new(tool)
            .arg("--help")
            .output()
            .is_err()
        {
            eprintln!("{tool} is needed: apt-get install mosquitto mosquitto-clients");
            return;
        }
    }
    let n = env_number("CLUSTER_BENCH_NODES", 100);
    let rounds = env_number("CLUSTER_BENCH_ROUNDS", 10);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return eprintln!("tokio: {e}"),
    };
    if let Err(e) = runtime.block_on(run(n, rounds)) {
        println!("not measured: {e}");
    }
}

fn env_number(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run(n: usize, rounds: usize) -> Result<(), String> {
    let reach = Reach::from_env();
    let web_port = commune::free_port();
    let commune = Commune::start(n, &reach, &format!("http://{}:{web_port}", reach.host))?;
    let where_ = match &reach.netns {
        None => "loopback".to_string(),
        Some(ns) => format!("nodes in namespace {ns}, head-end at {}", reach.host),
    };
    println!("== cluster: {n} nodes, {rounds} emergencies, {where_}");

    let (baseline, sub_rss) = broker_fan_out(&commune, &reach, rounds)?;
    report(
        "mosquitto_pub → mosquitto_sub (baseline)",
        baseline,
        n * rounds,
    );

    let head = HeadEnd::start(
        &commune,
        web_port,
        std::sync::Arc::new(loaxa::audio::input::open_device),
    )
    .await?;
    let cluster = head.cluster()?.clone();
    let idle = cpu_over(&["self"], CPU_WINDOW / 4).await;

    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut nodes: Vec<Proc> = Vec::new();
    for node in &commune.nodes {
        let proc = commune.node(
            node,
            &reach,
            &data.path().join(&node.id),
            commune::free_port(),
        )?;
        nodes.push(proc);
    }
    let started = Instant::now();
    let mut said = Instant::now();
    wait(
        Duration::from_secs(120),
        "every node online with its chime",
        || {
            let all = cluster.nodes();
            let online = all.iter().filter(|i| i.online).count();
            let ready = all
                .iter()
                .filter(|i| i.online && i.cache.items >= 1)
                .count();
            if said.elapsed() > Duration::from_secs(20) {
                println!("   … {online} online, {ready} with the chime");
                said = Instant::now();
            }
            (ready == n).then_some(())
        },
    )
    .await
    .inspect_err(|_| stuck_logs(&cluster, data.path()))?;
    println!(
        "   {n} nodes online with the chime cached after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut latencies = Vec::new();
    let mut handed = Vec::new();
    let mut missing = 0;
    for round in 0..rounds {
        let (got, lost, hand_on) = emergency_round(&head, &cluster, n, round).await?;
        latencies.extend(got);
        handed.push(hand_on);
        missing += lost;
    }
    report(
        "   of which the head-end's part: request → emergency handed on to the nodes",
        handed,
        rounds,
    );
    let target = if reach.netns.is_some() {
        TARGET_P99_NETEM_MS
    } else {
        TARGET_P99_LOOPBACK_MS
    };
    let p99 = report(
        "emergency request → first chime sample at each node",
        latencies,
        n * rounds,
    );
    println!("   target p99 ≤ {target} ms: {}", verdict(p99 <= target));
    if missing > 0 {
        println!("   {missing} node-emergencies without a first sample within 15 s");
    }

    let mut rss: Vec<f64> = nodes
        .iter()
        .filter_map(Proc::rss)
        .map(|b| b as f64 / 1e6)
        .collect();
    rss.sort_by(f64::total_cmp);
    let broker_rss = commune.broker.rss().map_or(f64::NAN, |b| b as f64 / 1e6);
    println!(
        "node RSS (MB): p50 {:.1}  max {:.1}  (target ≤ {TARGET_RSS_MB}: {}) | baseline: one mosquitto_sub {:.1}, the broker with {n} clients {:.1}",
        support::percentile(&rss, 0.5),
        rss.last().copied().unwrap_or(f64::NAN),
        verdict(rss.last().is_some_and(|m| *m <= TARGET_RSS_MB)),
        sub_rss,
        broker_rss,
    );

    let broker_pid = commune.broker.0.id().to_string();
    let busy = cpu_over(&["self", &broker_pid], CPU_WINDOW).await;
    println!(
        "CPU, % of one core over {} s: head-end with {n} nodes reporting every 10 s {:.2} | baseline: head-end with no node {:.2}, the broker {:.2}",
        CPU_WINDOW.as_secs(),
        busy[0],
        idle[0],
        busy[1],
    );
    // Killed, as a power cut would: the broker's last wills mark them offline.
    drop(nodes);
    drop(head);
    Ok(())
}

/// The end of the logs of a few nodes that are not ready, to say why.
fn stuck_logs(cluster: &loaxa::cluster::head::HeadEnd, data: &std::path::Path) {
    let stuck = cluster
        .nodes()
        .into_iter()
        .filter(|i| !i.online || i.cache.items == 0)
        .take(3);
    for info in stuck {
        let log = std::fs::read_to_string(data.join(&info.id).join("node.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(6).collect();
        println!("   {} (online {}):", info.id, info.online);
        for line in tail.iter().rev() {
            println!("     {line}");
        }
    }
}

/// `rounds` messages from `mosquitto_pub` to a `mosquitto_sub` per node (with the nodes'
/// accounts, before the nodes start): each delivery's time from just before the publisher
/// starts, in ms; and one subscriber's RSS in MB.
fn broker_fan_out(
    commune: &Commune,
    reach: &Reach,
    rounds: usize,
) -> Result<(Vec<f64>, f64), String> {
    let (tx, rx) = mpsc::channel();
    let subs: Vec<Proc> = commune
        .nodes
        .iter()
        .map(|node| commune.subscriber(node, reach, tx.clone()))
        .collect::<Result<_, _>>()?;
    let n = subs.len();
    // Until every subscriber has its subscription: a warm-up message reaches them all.
    let until = Instant::now() + Duration::from_secs(30);
    let mut warm = 0;
    while warm < n && Instant::now() < until {
        commune.publish("warm")?;
        warm = 0;
        let settle = Instant::now() + Duration::from_millis(500);
        while let Ok((line, _)) = rx.recv_timeout(settle.saturating_duration_since(Instant::now()))
        {
            if line == "warm" {
                warm += 1;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    while rx.try_recv().is_ok() {}
    let mut out = Vec::new();
    for round in 0..rounds {
        let message = format!("round-{round}");
        let t0 = Instant::now();
        commune.publish(&message)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut got = 0;
        while got < n {
            let Ok((line, at)) =
                rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            else {
                break;
            };
            if line == message {
                out.push(at.duration_since(t0).as_secs_f64() * 1e3);
                got += 1;
            }
        }
    }
    let rss = subs
        .first()
        .and_then(Proc::rss)
        .map_or(f64::NAN, |b| b as f64 / 1e6);
    Ok((out, rss))
}

/// One emergency through the station's own use case (what `POST /api/v1/emergency` calls):
/// each node's latency as the head-end reports it (`GET /api/v1/emergency`), how many nodes had
/// none within 15 s, and when (ms after the request) the head-end had handed it on. Then the
/// stop, and a quiet moment.
async fn emergency_round(
    head: &HeadEnd,
    cluster: &std::sync::Arc<loaxa::cluster::head::HeadEnd>,
    n: usize,
    round: usize,
) -> Result<(Vec<f64>, usize, f64), String> {
    let t0 = Instant::now();
    let start = Start {
        message: Message::Text(format!("Thử nghiệm báo động lần {}", round + 1)),
        repeat: Some(0),
        actor: "bench".into(),
        trigger: Trigger::Api,
        reference: None,
        drill: false,
        received_at: Utc::now(),
    };
    let active = station::emergency::start(&head.state.emergency, &head.state.events, start)
        .await
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut got: HashMap<String, f64> = HashMap::new();
    let mut handed_on = None;
    while got.len() < n && Instant::now() < deadline {
        let parts = cluster.emergency(active.id);
        if parts.is_some() && handed_on.is_none() {
            handed_on = Some(t0.elapsed().as_secs_f64() * 1e3);
        }
        for part in parts.unwrap_or_default() {
            if let Some(ms) = part.latency_ms {
                got.insert(part.node.clone(), ms as f64);
            }
        }
        tokio::time::sleep(Duration::from_millis(if handed_on.is_some() {
            20
        } else {
            1
        }))
        .await;
    }
    station::emergency::stop(&head.state.emergency, &head.state.events, "bench".into())
        .await
        .map_err(|e| e.to_string())?;
    let _ = wait(Duration::from_secs(15), "every node quiet", || {
        let playing = cluster
            .nodes()
            .iter()
            .filter(|i| i.now_playing.is_some())
            .count();
        (playing == 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lost = n - got.len();
    Ok((
        got.into_values().collect(),
        lost,
        handed_on.unwrap_or(f64::NAN),
    ))
}

/// The CPU each process (`self` or a pid) used over `window`, in % of one core.
async fn cpu_over(pids: &[&str], window: Duration) -> Vec<f64> {
    let before: Vec<_> = pids.iter().map(|p| commune::cpu_of(p)).collect();
    let t0 = Instant::now();
    tokio::time::sleep(window).await;
    let wall = t0.elapsed().as_secs_f64();
    pids.iter()
        .zip(before)
        .map(|(p, b)| match (b, commune::cpu_of(p)) {
            (Some(b), Some(a)) => (a - b).as_secs_f64() / wall * 100.0,
            _ => f64::NAN,
        })
        .collect()
}

/// Poll `done` every 100 ms until it holds, or `limit` passes.
async fn wait<T>(
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let until = Instant::now() + limit;
    loop {
        if let Some(v) = done() {
            return Ok(v);
        }
        if Instant::now() > until {
            return Err(format!("{what}: not within {} s", limit.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Print p50/p99/max of `values` (ms) out of `expected`; gives p99.
fn report(what: &str, mut values: Vec<f64>, expected: usize) -> f64 {
    values.sort_by(f64::total_cmp);
    let p99 = support::percentile(&values, 0.99);
    println!(
        "{what} (ms): p50 {:.1}  p99 {:.1}  max {:.1}  ({} of {expected})",
        support::percentile(&values, 0.5),
        p99,
        values.last().copied().unwrap_or(f64::NAN),
        values.len(),
    );
    p99
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}
