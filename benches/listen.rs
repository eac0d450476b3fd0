//! CPU of "Nghe / Listen": one listener's encoding (the output mix to 48 kHz mono Opus at
//! 32 kbit/s in Ogg pages) against the output path itself with nobody listening (decode,
//! convert to the output format and write through the tee into a null output), on the same
//! 10 minutes of a stereo MP3. Run with `cargo bench --bench listen` (needs ffmpeg to make the
//! file under target/bench-data). Single-threaded, CPU-bound: wall time is CPU time.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use loaxa::audio::AudioFormat;
use loaxa::audio::convert::Converter;
use loaxa::audio::decode::Decoder;
use loaxa::audio::listen::{Block, Encoding, Monitor};
use loaxa::audio::sink::{NullSink, Sink, Tee};
use loaxa::clock::SimClock;

mod support;
use support::make_mp3;

/// The default output: 48 kHz mono.
const OUTPUT: AudioFormat = AudioFormat {
    sample_rate: 48_000,
    channels: 1,
};
/// The player writes 10 ms at a time.
const BLOCK: usize = 480;

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).ok();
    let Some(ten) = make_mp3(&dir, 10) else {
        eprintln!("ffmpeg is needed to make the test file: apt-get install ffmpeg");
        return;
    };
    let mut mix = Vec::new();
    let output = best_of(3, || match output_without_listener(&ten) {
        Ok(m) => mix = m,
        Err(e) => eprintln!("{e}"),
    });
    let seconds = mix.len() as f64 / f64::from(OUTPUT.sample_rate);
    let blocks: Vec<Block> = mix
        .chunks(BLOCK)
        .map(|c| Block {
            format: OUTPUT,
            samples: c.into(),
        })
        .collect();
    let mut bytes = 0;
    let listener = best_of(3, || match one_listener(&blocks) {
        Ok(b) => bytes = b,
        Err(e) => eprintln!("{e}"),
    });
    println!("== {seconds:.0} s of the output mix (10-minute stereo MP3 → 48 kHz mono)");
    report(
        "output, nobody listening (decode + convert + tee + null)",
        output,
        seconds,
    );
    report(
        "one listener (convert + Opus 32 kbit/s + Ogg)",
        listener,
        seconds,
    );
    println!(
        "one listener costs {:.2}× the output itself; stream {:.1} kbit/s",
        listener.as_secs_f64() / output.as_secs_f64(),
        bytes as f64 * 8.0 / seconds / 1000.0
    );
}

/// What the player does for every block, with a tee that has nobody to hand it to.
fn output_without_listener(path: &Path) -> Result<Vec<f32>, String> {
    let mut d = Decoder::open(path).map_err(|e| e.to_string())?;
    let info = d.info().clone();
    let from = AudioFormat {
        sample_rate: info.sample_rate,
        channels: info.channels,
    };
    let mut convert = Converter::new(from, OUTPUT).map_err(|e| e.to_string())?;
    let clock = Arc::new(SimClock::starting_at(chrono::Utc::now()));
    let mut sink = Tee::new(Box::new(NullSink::new(OUTPUT, clock)), Monitor::default());
    let mut mix = Vec::new();
    while let Ok(Some(block)) = d.next_block() {
        let out = convert.process(block.samples);
        for chunk in out.chunks(BLOCK) {
            let _ = sink.write(chunk);
        }
        mix.extend_from_slice(out);
    }
    Ok(mix)
}

/// One listener's share: every block through its encoding; returns the bytes it streamed.
fn one_listener(blocks: &[Block]) -> Result<usize, String> {
    let mut e = Encoding::new().map_err(|e| e.to_string())?;
    let mut bytes = 0;
    for b in blocks {
        e.add(b);
        bytes += e.take().map_or(0, |p| p.len());
    }
    Ok(bytes)
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

fn report(what: &str, t: Duration, seconds: f64) {
    println!(
        "{what:<58} {:>7.3} s CPU  {:>6.0}× real time  {:.2}% of a core",
        t.as_secs_f64(),
        seconds / t.as_secs_f64(),
        100.0 * t.as_secs_f64() / seconds
    );
}
