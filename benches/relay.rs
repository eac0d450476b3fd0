//! Relay start: from the cue ("start relay": the player is asked to play a stream) to the
//! first relayed sample at the output, over 20 starts against a local Icecast (icecast2 fed
//! by ffmpeg: MP3 at 128 kbit/s, its default 64 KB burst), through the real player and the
//! `null` output paced in real time. Target: p99 ≤ 1.5 s.
//!
//! Baselines measured in the same run, against the same mount:
//! - the server itself: a raw TCP request to the first byte of audio;
//! - `ffmpeg -i URL -t 0.01 -f null -`: a whole ffmpeg from start to its first decoded frame
//!   (process start-up included), with its default probing and with 32 KB of probing;
//! - the engine's start for a file: `play(File)` to its first sample at the output.
//!
//! Run with `cargo bench --bench relay` (needs icecast2 and ffmpeg).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loaxa::audio::AudioFormat;
use loaxa::audio::player::{OutputOptions, PlayRequest, Player, PlayerEvent, Source};
use loaxa::audio::stream::{RelayEvent, RelaySpec};
use loaxa::clock::SystemClock;
use loaxa::config::OutputSpec;

#[allow(
    dead_code,
    reason = "the bench uses the Icecast half of the test servers"
)]
#[path = "../tests/integration/stream_server.rs"]
mod stream_server;
mod support;

use stream_server::{Codec, Feed, Icecast};

const STARTS: usize = 20;
const TARGET_MS: f64 = 1_500.0;
const OUT: AudioFormat = AudioFormat {
    sample_rate: 48_000,
    channels: 1,
};

fn main() {
    let missing = ["icecast2", "ffmpeg"].into_iter().find(|tool| {
        Command::new(tool)
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
    });
    if let Some(tool) = missing {
        eprintln!("{tool} is needed: apt-get install icecast2 ffmpeg");
        return;
    }
    if let Err(e) = run() {
        eprintln!("not measured: {e}");
    }
}

fn run() -> Result<(), String> {
    let server = Icecast::start().map_err(|e| e.to_string())?;
    let _feed = Feed::sine(&server, "vov1.mp3", Codec::Mp3, 1000).map_err(|e| e.to_string())?;
    // Let the server's burst buffer fill, as it is for a station on the air.
    std::thread::sleep(Duration::from_secs(3));
    let url = server.url("vov1.mp3");
    let player = Player::spawn(OutputOptions::new(
        OutputSpec::Null,
        OUT,
        Arc::new(SystemClock::new()),
    ))
    .map_err(|e| e.to_string())?;

    println!(
        "== relay start, {STARTS} cues: MP3 128 kbit/s from a local icecast2 to the null output"
    );
    let relay: Vec<f64> = (0..STARTS)
        .map(|_| relay_start(&player, &url))
        .collect::<Result<_, _>>()?;
    report("loaxa relay: cue → first relayed sample", relay, true);

    let raw: Vec<f64> = (0..STARTS)
        .map(|_| first_audio_byte(server.port, "/vov1.mp3"))
        .collect::<Result<_, _>>()?;
    report(
        "baseline: the server, request → first audio byte",
        raw,
        false,
    );

    let ffmpeg: Vec<f64> = (0..STARTS)
        .map(|_| ffmpeg_first_frame(&url, &[]))
        .collect::<Result<_, _>>()?;
    report(
        "baseline: ffmpeg -i URL, start → first frame",
        ffmpeg,
        false,
    );
    let quick: Vec<f64> = (0..STARTS)
        .map(|_| ffmpeg_first_frame(&url, &["-probesize", "32768", "-analyzeduration", "0"]))
        .collect::<Result<_, _>>()?;
    report("baseline: the same, probing 32 KB only", quick, false);

    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ban-tin.mp3");
    let file: Vec<f64> = (0..STARTS)
        .map(|_| file_start(&player, &fixture))
        .collect::<Result<_, _>>()?;
    report("baseline: loaxa file play, cue → first sample", file, false);
    Ok(())
}

/// One cue: ask the player to relay, wait for the first relayed sample, take it off air.
fn relay_start(player: &Player, url: &str) -> Result<f64, String> {
    let mut events = player.subscribe();
    let spec = RelaySpec::new(
        url.parse().map_err(|e| format!("{e}"))?,
        Utc::now() + chrono::Duration::seconds(10),
    );
    let cue = Utc::now();
    let id = player.play(PlayRequest {
        source: Source::Relay(spec),
        ..PlayRequest::file("", "VOV1")
    });
    let on_air = wait(&mut events, |e| match e {
        PlayerEvent::Relay {
            id: i,
            event: RelayEvent::OnAir { at },
        } if *i == id => Some(*at),
        PlayerEvent::Ended(r) if r.id == id => Some(DateTime::<Utc>::MIN_UTC),
        _ => None,
    })?;
    if on_air == DateTime::<Utc>::MIN_UTC {
        return Err("the relay ended before its stream was on air".into());
    }
    player.stop();
    wait(&mut events, |e| {
        matches!(e, PlayerEvent::Idle { .. }).then_some(())
    })?;
    Ok((on_air - cue).as_seconds_f64() * 1000.0)
}

/// A file cue, for comparison: the engine's own start.
fn file_start(player: &Player, file: &Path) -> Result<f64, String> {
    let mut events = player.subscribe();
    let cue = Utc::now();
    let id = player.play(PlayRequest::file(file, "Bản tin"));
    let started = wait(&mut events, |e| match e {
        PlayerEvent::Started { id: i, at, .. } if *i == id => Some(*at),
        _ => None,
    })?;
    player.stop();
    wait(&mut events, |e| {
        matches!(e, PlayerEvent::Idle { .. }).then_some(())
    })?;
    Ok((started - cue).as_seconds_f64() * 1000.0)
}

/// The first event `pick` takes, within 15 s.
fn wait<T>(
    events: &mut tokio::sync::broadcast::Receiver<PlayerEvent>,
    pick: impl Fn(&PlayerEvent) -> Option<T>,
) -> Result<T, String> {
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        match events.try_recv() {
            Ok(e) => {
                if let Some(t) = pick(&e) {
                    return Ok(t);
                }
            }
            Err(tokio::sync::broadcast::error::TryRecvError::Empty) => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("no answer from the player in 15 s".into())
}

/// Milliseconds from sending a GET to the first byte after the response headers.
fn first_audio_byte(port: u16, path: &str) -> Result<f64, String> {
    let started = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the server closed the stream".into());
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n")
            && seen.len() > end + 4
        {
            return Ok(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
}

/// Milliseconds for `ffmpeg [probe] -i URL -t 0.01 -f null -` to start, connect and decode
/// its first frame. By default ffmpeg probes 5 s of a stream before it decodes any of it.
fn ffmpeg_first_frame(url: &str, probe: &[&str]) -> Result<f64, String> {
    let started = Instant::now();
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin"])
        .args(probe)
        .args(["-i", url, "-t", "0.01", "-f", "null", "-"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("ffmpeg failed: {status}"));
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

fn report(what: &str, mut ms: Vec<f64>, against_target: bool) {
    ms.sort_by(f64::total_cmp);
    let p50 = support::percentile(&ms, 0.50);
    let p99 = support::percentile(&ms, 0.99);
    let verdict = if !against_target {
        String::new()
    } else if p99 <= TARGET_MS {
        format!("  (target p99 ≤ {TARGET_MS:.0} ms: met)")
    } else {
        format!("  (target p99 ≤ {TARGET_MS:.0} ms: NOT met)")
    };
    println!(
        "{what:<52} p50 {p50:7.1} ms   p99 {p99:7.1} ms   min {:7.1}   max {:7.1}{verdict}",
        ms.first().copied().unwrap_or(f64::NAN),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}
