//! Speed and memory of the audio engine and the media probe, against ffmpeg and mpg123 on the
//! same files in the same run. Run with `cargo bench --bench engine` (needs ffmpeg, mpg123 and
//! GNU time; the test files are made with ffmpeg on first run under target/bench-data).
//!
//! - decode + convert a 10-minute stereo MP3 to the default output (48 kHz mono), as fast as
//!   possible;
//! - probe + loudness (EBU R128, true peak) of a 60-minute MP3;
//! - peak RSS of `loaxa play` and `loaxa media probe` on those files.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use loaxa::audio::AudioFormat;
use loaxa::audio::convert::Converter;
use loaxa::audio::decode::Decoder;
use loaxa::media::analyze;

mod support;
use support::{make_mp3, s};

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).ok();
    let ten = make_mp3(&dir, 10);
    let sixty = make_mp3(&dir, 60);
    let (Some(ten), Some(sixty)) = (ten, sixty) else {
        eprintln!("ffmpeg is needed to make the test files: apt-get install ffmpeg");
        return;
    };

    println!(
        "== decode + convert to the default output (48 kHz mono), 10-minute stereo MP3 (600 s of audio)"
    );
    let ours = best_of(3, || decode_and_resample(&ten));
    report("loaxa (symphonia + rubato)", ours, 600.0, ours);
    // Where the time goes: the same decoder without the conversion.
    let decode = best_of(3, || decode_only(&ten));
    report("  of which symphonia decode", decode, 600.0, ours);
    if let Some(t) = best_of_cmd(
        3,
        "ffmpeg",
        &["-v", "error", "-i", s(&ten), "-f", "null", "-"],
    ) {
        report("ffmpeg decode to null", t, 600.0, ours);
    }
    if let Some(t) = best_of_cmd(
        3,
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            s(&ten),
            "-ar",
            "48000",
            "-ac",
            "1",
            "-f",
            "null",
            "-",
        ],
    ) {
        report("ffmpeg decode + resample", t, 600.0, ours);
    }
    if let Some(t) = best_of_cmd(3, "mpg123", &["-q", "-t", s(&ten)]) {
        report("mpg123 decode (-t)", t, 600.0, ours);
    }
    // The same job as ours: mpg123's own (NtoM) resampler to 48 kHz, mixed to mono.
    if let Some(t) = best_of_cmd(3, "mpg123", &["-q", "-t", "-r", "48000", "-m", s(&ten)]) {
        report("mpg123 decode + resample", t, 600.0, ours);
    }

    println!("\n== probe + loudness + true peak, 60-minute MP3 (3600 s of audio)");
    let ours = best_of(2, || {
        let _ = analyze(&sixty);
    });
    report("loaxa media probe", ours, 3600.0, ours);
    if let Some(t) = best_of_cmd(
        2,
        "ffmpeg",
        &[
            "-v",
            "error",
            "-nostats",
            "-i",
            s(&sixty),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
    ) {
        report("ffmpeg -af ebur128=peak=true", t, 3600.0, ours);
    }

    println!("\n== peak memory (max RSS)");
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/loaxa");
    if bin.exists() {
        rss(
            "loaxa play --fast (10 min)",
            &bin,
            &["play", "--fast", "--output", "null", s(&ten)],
        );
        rss(
            "loaxa media probe (60 min)",
            &bin,
            &["media", "probe", s(&sixty)],
        );
        rss(
            "ffmpeg ebur128 (60 min)",
            Path::new("ffmpeg"),
            &[
                "-v",
                "error",
                "-nostats",
                "-i",
                s(&sixty),
                "-af",
                "ebur128=peak=true",
                "-f",
                "null",
                "-",
            ],
        );
    } else {
        println!("  (build the binary first: cargo build --release)");
    }
}

fn decode_and_resample(path: &Path) {
    let Ok(mut d) = Decoder::open(path) else {
        return;
    };
    let info = d.info().clone();
    let from = AudioFormat {
        sample_rate: info.sample_rate,
        channels: info.channels,
    };
    let to = loaxa::audio::AudioFormat::of(&loaxa::config::Config::default().audio);
    let Ok(mut c) = Converter::new(from, to) else {
        return;
    };
    let mut frames = 0usize;
    while let Ok(Some(block)) = d.next_block() {
        frames += c.process(block.samples).len();
    }
    frames += c.finish().len();
    std::hint::black_box(frames);
}

fn decode_only(path: &Path) {
    let Ok(mut d) = Decoder::open(path) else {
        return;
    };
    let mut samples = 0usize;
    while let Ok(Some(block)) = d.next_block() {
        samples += block.samples.len();
    }
    std::hint::black_box(samples);
}

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn best_of_cmd(n: usize, cmd: &str, args: &[&str]) -> Option<Duration> {
    let mut best: Option<Duration> = None;
    for _ in 0..n {
        let t = Instant::now();
        let st = Command::new(cmd)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .ok()?;
        if !st.success() {
            return None;
        }
        let e = t.elapsed();
        best = Some(best.map_or(e, |b| b.min(e)));
    }
    best
}

fn report(what: &str, t: Duration, audio_s: f64, ours: Duration) {
    println!(
        "  {what:<32} {:>8.3} s  {:>7.0}× real time  loaxa speed / this speed = {:.2}",
        t.as_secs_f64(),
        audio_s / t.as_secs_f64(),
        t.as_secs_f64() / ours.as_secs_f64()
    );
}

fn rss(what: &str, cmd: &Path, args: &[&str]) {
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(cmd)
        .args(args)
        .output();
    match out {
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let kb = err
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<f64>().ok());
            match kb {
                Some(kb) => println!("  {what:<32} {:>6.1} MB", kb / 1024.0),
                None => println!("  {what:<32} (GNU time gave no figure: apt-get install time)"),
            }
        }
        Err(_) => println!("  {what:<32} (needs GNU time: apt-get install time)"),
    }
}
