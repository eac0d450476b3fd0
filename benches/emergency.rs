//! Emergency latency: from the moment an emergency request is received to the first sample of
//! the attention chime reaching the output, while a 10-minute MP3 bulletin plays and is
//! pre-empted. 200 triggers per output, at random moments, through the real emergency
//! controller, player, arbiter and sink; no amplifier warm-up is configured, so none is counted.
//!
//! Run with `cargo bench --bench emergency` (needs ffmpeg to make the bulletin). Outputs:
//! `null` (paced in real time by the system clock) and `device:null` (ALSA's null device through
//! cpal: a real device buffer, present on every Linux machine).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use loaxa::audio::arbiter::Priority;
use loaxa::audio::player::{Clip, OutputOptions, PlayRequest, Player, PlayerEvent};
use loaxa::clock::{Clock, SystemClock};
use loaxa::config::EmergencyConfig;
use loaxa::config::LoudnessPolicy;
use loaxa::config::OutputSpec;
use loaxa::emergency::{Emergency, Message, Start, Trigger};
use loaxa::media::MediaLibrary;
use loaxa::model::Category;
use loaxa::store::Store;
use tokio::sync::broadcast::Receiver;

mod support;

const TRIGGERS: usize = 200;
/// The voice-alarm standards' allowance (EN 54-16, ISO 7240-16): 3 s.
const STANDARD_MS: f64 = 3_000.0;
/// This project's target for the 99th percentile.
const TARGET_MS: f64 = 50.0;

fn main() {
    let data = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&data).ok();
    let Some(bulletin) = support::make_mp3(&data, 10) else {
        eprintln!("ffmpeg is needed to make the bulletin: apt-get install ffmpeg");
        return;
    };
    for output in ["null", "device:null"] {
        let Ok(spec) = OutputSpec::from_str(output) else {
            continue;
        };
        match measure(spec, &bulletin) {
            Ok(latencies) => report(output, latencies),
            Err(e) => println!("== {output}: not measured: {e}"),
        }
    }
}

/// The latencies of `TRIGGERS` emergencies, each pre-empting the bulletin, in milliseconds.
fn measure(spec: OutputSpec, bulletin: &Path) -> Result<Vec<f64>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open(&dir.path().join("loaxa.sqlite3")).map_err(|e| e.to_string())?;
    let message = approved_message(&store, dir.path())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let format = loaxa::audio::AudioFormat::of(&loaxa::config::Config::default().audio);
    let player = Arc::new(
        Player::spawn(OutputOptions::new(spec, format, clock)).map_err(|e| e.to_string())?,
    );
    let chime_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/chuong-bao.ogg");
    let chime = Clip::load(&chime_path).map_err(|e| e.to_string())?;
    let config = EmergencyConfig {
        repeat: 1,
        ..EmergencyConfig::default()
    };
    let emergency = Emergency::new(
        store.clone(),
        player.clone(),
        config,
        dir.path().to_path_buf(),
        Some(chime),
        loaxa::speech::Speech::default(),
    );
    let mut events = player.subscribe();
    let bulletin_id = player.play(PlayRequest {
        priority: Priority::Scheduled,
        ..PlayRequest::file(bulletin.to_path_buf(), "Bản tin 10 phút")
    });
    wait(
        &mut events,
        |e| matches!(e, PlayerEvent::Started { id, .. } if *id == bulletin_id),
    )?;
    let mut latencies = Vec::with_capacity(TRIGGERS);
    for _ in 0..TRIGGERS {
        // Land the trigger anywhere in the output's buffer cycle.
        std::thread::sleep(Duration::from_millis(fastrand::u64(40..160)));
        let received_at = Utc::now();
        emergency
            .start(Start {
                message: Message::Prepared(message),
                repeat: Some(1),
                actor: "bench".into(),
                trigger: Trigger::Api,
                reference: None,
                drill: false,
                received_at,
            })
            .map_err(|e| e.to_string())?;
        let first = chime_started(&mut events)?;
        latencies.push((first - received_at).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        emergency.stop("bench").map_err(|e| e.to_string())?;
        wait(
            &mut events,
            |e| matches!(e, PlayerEvent::Resumed { id, .. } if *id == bulletin_id),
        )?;
    }
    player.stop();
    Ok(latencies)
}

/// An approved emergency item made from a fixture, as a leader would have prepared it.
fn approved_message(store: &Store, data_dir: &Path) -> Result<i64, String> {
    let library = MediaLibrary::new(data_dir, store.clone(), LoudnessPolicy::default());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xin-chao-22k.wav");
    support::approved_item(
        store,
        &library,
        &fixture,
        "Cảnh báo lũ",
        Category::Emergency,
    )
}

/// When the chime's first sample reached the output.
fn chime_started(events: &mut Receiver<PlayerEvent>) -> Result<DateTime<Utc>, String> {
    let mut at = None;
    wait(events, |e| match e {
        PlayerEvent::Started {
            priority: Priority::Emergency,
            at: t,
            ..
        } => {
            at = Some(*t);
            true
        }
        _ => false,
    })?;
    at.ok_or_else(|| "no chime".to_string())
}

fn wait(
    events: &mut Receiver<PlayerEvent>,
    mut done: impl FnMut(&PlayerEvent) -> bool,
) -> Result<(), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match events.try_recv() {
            Ok(e) if done(&e) => return Ok(()),
            Ok(PlayerEvent::Ended(r)) if r.priority == Priority::Scheduled => {
                return Err(format!("the bulletin ended: {:?}", r.outcome));
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
    Err("timed out waiting for the player".into())
}

fn report(output: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    let (p50, p90, p99, max) = (at(0.5), at(0.9), at(0.99), at(1.0));
    println!(
        "== {output}: request received → first chime sample at the output, {} triggers pre-empting an MP3",
        ms.len()
    );
    println!(
        "  min {:.2} ms  p50 {p50:.2} ms  p90 {p90:.2} ms  p99 {p99:.2} ms  max {max:.2} ms",
        ms[0]
    );
    println!(
        "  p99 / target {TARGET_MS} ms = {:.2};  p99 / voice-alarm allowance 3 s = 1/{:.0}",
        p99 / TARGET_MS,
        STANDARD_MS / p99
    );
    let buckets = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, f64::INFINITY];
    let mut line = String::from("  distribution:");
    let mut from = 0.0;
    for to in buckets {
        let n = ms.iter().filter(|v| **v >= from && **v < to).count();
        line.push_str(&format!(" [{from}–{to}) {n}"));
        from = to;
    }
    println!("{line}");
}
