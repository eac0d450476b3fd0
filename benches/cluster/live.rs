//! Mouth to village: a click spoken into the head-end's microphone during a live emergency →
//! its first sample at the output of each of N nodes, p50/p99/max. The head-end is the real
//! service (in this process) on the commune's Mosquitto, set up as `loaxa cluster init` writes
//! it; each node is a real node (`loaxa::cluster::node::Node`, its own store, player and link)
//! sharing only the broker, its output a null sink that notes when a click's first sample
//! reaches it. The baseline, measured in the same run on the same broker: one 100-byte QoS 0
//! publish from the head-end's account → a subscriber per node (rumqttc links like the nodes').
//!
//! `cargo bench --bench cluster-live` (needs mosquitto; about a minute). `LIVE_BENCH_NODES`
//! (default 20) and `LIVE_BENCH_CLICKS` (default 30) change the size.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loaxa::audio::AudioFormat;
use loaxa::audio::input::{Input, Opener};
use loaxa::audio::player::{OutputOptions, Player};
use loaxa::audio::sink::{self, Cleared, Sink, SinkError};
use loaxa::clock::{Clock, SystemClock};
use loaxa::cluster::link::{Delivery, Link, LinkEvent, LinkOptions, Outgoing, Session};
use loaxa::cluster::node::Node;
use loaxa::config::{self, OutputSpec};
use loaxa::emergency::{Message, Start, Trigger};
use loaxa::schedule::runner::TrustedTime;
use loaxa::station;
use loaxa::store::Store;

#[allow(dead_code, reason = "the cluster bench uses the rest of the commune")]
mod commune;
#[path = "../support/mod.rs"]
mod support;

use commune::{Commune, HeadEnd, Reach};

/// A click: 10 ms of a loud 1 kHz burst; silence around it.
const CLICK: usize = 480;
/// What counts as the click at a node's output (its silence is exact zeros).
const HEARD: f32 = 0.1;
/// Between two clicks: long enough that a node hears each apart.
const GAP: Duration = Duration::from_millis(400);

fn main() {
    if std::process::Command::new("mosquitto")
        .arg("--help")
        .output()
        .is_err()
    {
        return eprintln!("mosquitto is needed: apt-get install mosquitto");
    }
    let nodes = env_number("LIVE_BENCH_NODES", 20);
    let clicks = env_number("LIVE_BENCH_CLICKS", 30);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return eprintln!("tokio: {e}"),
    };
    if let Err(e) = runtime.block_on(run(nodes, clicks)) {
        println!("not measured: {e}");
    }
}

fn env_number(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The head-end's microphone: silence, and a click when asked; notes when the click was read.
#[derive(Clone, Default)]
struct ClickMic {
    armed: Arc<AtomicBool>,
    spoken: Arc<Mutex<Option<DateTime<Utc>>>>,
}

impl ClickMic {
    fn opener(&self) -> Opener {
        let mic = self.clone();
        Arc::new(move |_| {
            Ok(Box::new(MicReader {
                mic: mic.clone(),
                block: vec![0.0; CLICK],
            }) as Box<dyn Input>)
        })
    }

    /// Click now; returns when the player read it.
    async fn click(&self) -> Option<DateTime<Utc>> {
        *self.spoken.lock().ok()? = None;
        self.armed.store(true, Ordering::SeqCst);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Some(at) = *self.spoken.lock().ok()? {
                return Some(at);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        None
    }
}

struct MicReader {
    mic: ClickMic,
    block: Vec<f32>,
}

impl Input for MicReader {
    fn format(&self) -> AudioFormat {
        AudioFormat {
            sample_rate: 48_000,
            channels: 1,
        }
    }

    fn read(&mut self) -> Option<&[f32]> {
        let click = self.mic.armed.swap(false, Ordering::SeqCst);
        for (i, s) in self.block.iter_mut().enumerate() {
            *s = if click {
                0.8 * (std::f32::consts::TAU * 1000.0 * i as f32 / 48_000.0).sin()
            } else {
                0.0
            };
        }
        if click && let Ok(mut spoken) = self.mic.spoken.lock() {
            *spoken = Some(Utc::now());
        }
        Some(&self.block)
    }
}

/// A node's output: the null sink, noting when the first sample of each click reaches it.
struct Ear {
    inner: Box<dyn Sink>,
    node: usize,
    quiet_since: usize,
    heard: mpsc::Sender<(usize, DateTime<Utc>)>,
}

impl Sink for Ear {
    fn format(&self) -> AudioFormat {
        self.inner.format()
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        let at = self.inner.write(samples)?;
        let format = self.inner.format();
        let channels = usize::from(format.channels.max(1));
        for (i, s) in samples.iter().enumerate() {
            if s.abs() < HEARD {
                self.quiet_since += 1;
                continue;
            }
            // A click after 100 ms of quiet is a new one.
            if self.quiet_since > format.sample_rate as usize / 10 * channels {
                let offset = (i / channels) as i64 * 1_000_000 / i64::from(format.sample_rate);
                let _ = self
                    .heard
                    .send((self.node, at + chrono::Duration::microseconds(offset)));
            }
            self.quiet_since = 0;
        }
        Ok(at)
    }

    fn clear(&mut self) -> Cleared {
        self.inner.clear()
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        self.inner.drain()
    }

    fn underruns(&self) -> u64 {
        self.inner.underruns()
    }
}

async fn run(n: usize, clicks: usize) -> Result<(), String> {
    let reach = Reach::from_env();
    let web_port = commune::free_port();
    let commune = Commune::start(n, &reach, &format!("http://{}:{web_port}", reach.host))?;
    println!("== cluster-live: {n} nodes, {clicks} clicks, loopback");

    let baseline = broker_fan_out(&commune, clicks).await?;
    report(
        "head-end publish → subscriber per node, 100 B QoS 0 (baseline)",
        baseline,
        n * clicks,
    );

    let mic = ClickMic::default();
    let head = HeadEnd::start(&commune, web_port, mic.opener()).await?;
    let cluster = head.cluster()?.clone();
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (heard_tx, heard) = mpsc::channel();
    let mut nodes = Vec::new();
    for (i, file) in commune.nodes.iter().enumerate() {
        nodes.push(start_node(
            file,
            &data.path().join(&file.id),
            i,
            heard_tx.clone(),
        )?);
    }
    wait(
        Duration::from_secs(60),
        "every node online with its chime",
        || {
            let ready = cluster
                .nodes()
                .iter()
                .filter(|i| i.online && i.cache.items >= 1)
                .count();
            (ready == n).then_some(())
        },
    )
    .await?;

    let start = Start {
        message: Message::Microphone(None),
        repeat: None,
        actor: "bench".into(),
        trigger: Trigger::Api,
        reference: None,
        drill: false,
        received_at: Utc::now(),
    };
    let active = station::emergency::start(&head.state.emergency, &head.state.events, start)
        .await
        .map_err(|e| e.to_string())?;
    wait(
        Duration::from_secs(20),
        "every node airing the microphone",
        || {
            let live = nodes
                .iter()
                .filter(|node| {
                    let s = node.shared();
                    s.player
                        .status()
                        .now_playing
                        .is_some_and(|p| p.label == active.title)
                })
                .count();
            (live == n).then_some(())
        },
    )
    .await?;
    // The jitter buffers primed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while heard.try_recv().is_ok() {}

    let mut latencies = Vec::new();
    for _ in 0..clicks {
        let Some(spoken) = mic.click().await else {
            return Err("the head-end's player did not read the microphone".into());
        };
        let until = Instant::now() + GAP;
        let mut got = vec![false; n];
        while Instant::now() < until {
            match heard.try_recv() {
                Ok((node, at)) if !got[node] => {
                    got[node] = true;
                    latencies.push((at - spoken).num_microseconds().unwrap_or(0) as f64 / 1e3);
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        }
    }
    report(
        "click into the head-end's microphone → first sample at each node's output",
        latencies,
        n * clicks,
    );
    station::emergency::stop(&head.state.emergency, &head.state.events, "bench".into())
        .await
        .map_err(|e| e.to_string())?;
    for node in nodes {
        node.goodbye().await;
    }
    drop(head);
    Ok(())
}

/// A node in this process: the commune's config for it, its own store, a player whose output
/// is an [`Ear`].
fn start_node(
    file: &commune::NodeFile,
    data: &std::path::Path,
    index: usize,
    heard: mpsc::Sender<(usize, DateTime<Utc>)>,
) -> Result<Node, String> {
    let mut config = config::load(Some(&file.file), [])
        .map_err(|e| format!("{e:?}"))?
        .config;
    config.data_dir = data.to_path_buf();
    config.audio.output = OutputSpec::Null;
    config.schedule.require_time_sync = false;
    std::fs::create_dir_all(data).map_err(|e| e.to_string())?;
    let store = Store::open(&config.database_path()).map_err(|e| e.to_string())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let mut output = OutputOptions::new(
        OutputSpec::Null,
        AudioFormat::of(&config.audio),
        clock.clone(),
    );
    output.open = Arc::new(move |spec, format, clock| {
        Ok(Box::new(Ear {
            inner: sink::open(spec, format, clock)?,
            node: index,
            quiet_since: usize::MAX / 2,
            heard: heard.clone(),
        }) as Box<dyn Sink>)
    });
    let player = Arc::new(Player::spawn(output).map_err(|e| e.to_string())?);
    Node::start(
        &config,
        store,
        player,
        clock,
        loaxa::service::runner_options(&config),
        Box::new(TrustedTime),
    )
    .map_err(|e| e.to_string())
}

/// The broker alone: the head-end's account publishes a live-sized QoS 0 message on the
/// commune's live topic, one link per node (the node's account) receives it. Each delivery's
/// time from the publish, in ms.
async fn broker_fan_out(commune: &Commune, rounds: usize) -> Result<Vec<f64>, String> {
    let topic = format!("loaxa/{}/live", commune.commune);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut subs = Vec::new();
    for node in &commune.nodes {
        let mut o = LinkOptions::new("127.0.0.1", commune.port, &node.id, &node.password);
        o.session = Session::Clean;
        o.subscriptions = vec![(topic.clone(), Delivery::AtMostOnce)];
        let (link, mut events) = Link::start(o).map_err(|e| e.to_string())?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                let at = Instant::now();
                let _ = tx.send((e, at));
            }
        });
        subs.push(link);
    }
    let mut head = LinkOptions::new(
        "127.0.0.1",
        commune.port,
        "head-end",
        &commune.head_password,
    );
    head.session = Session::Clean;
    let (publisher, _head_events) = Link::start(head).map_err(|e| e.to_string())?;
    let n = subs.len();
    let mut subscribed = 0;
    let until = Instant::now() + Duration::from_secs(20);
    while subscribed < n && Instant::now() < until {
        if let Ok(Some((LinkEvent::Subscribed { .. }, _))) =
            tokio::time::timeout(Duration::from_millis(100), rx.recv()).await
        {
            subscribed += 1;
        }
    }
    // The head-end's own link up too: a warm-up that every subscriber gets.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut out = Vec::new();
    for round in 0..rounds {
        let payload = format!("{round:0>100}").into_bytes();
        let t0 = Instant::now();
        publisher
            .publish(Outgoing {
                topic: topic.clone(),
                payload: payload.clone(),
                delivery: Delivery::AtMostOnce,
                retain: false,
                expiry_seconds: Some(1),
            })
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut got = 0;
        while got < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, rx.recv()).await {
                Ok(Some((LinkEvent::Message(m), at))) if m.payload[..] == payload[..] => {
                    out.push(at.duration_since(t0).as_secs_f64() * 1e3);
                    got += 1;
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(out)
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

/// Print p50/p99/max of `values` (ms) out of `expected`.
fn report(what: &str, mut values: Vec<f64>, expected: usize) {
    values.sort_by(f64::total_cmp);
    println!(
        "{what} (ms): p50 {:.1}  p99 {:.1}  max {:.1}  ({} of {expected})",
        support::percentile(&values, 0.5),
        support::percentile(&values, 0.99),
        values.last().copied().unwrap_or(f64::NAN),
        values.len(),
    );
}
