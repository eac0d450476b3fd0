//! Typed text read aloud: seconds of speech per second of synthesis for espeak-ng on this
//! machine, for a typical 60-word notice and a 1,000-word one, through `Speech::speak` (our
//! reader, then espeak-ng fed on stdin) beside two baselines measured in the same run: espeak-ng
//! called directly from the shell on the raw text, and on the text our reader wrote. Then the
//! reader's own throughput beside NFC normalisation alone (`loaxa::text::normalize`).
//!
//! Run with `cargo bench --bench speech` (needs espeak-ng).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use loaxa::speech::{Reader, Speech};

/// A notice as a commune writes one: about 60 words once read.
const NOTICE: &str = "UBND xã thông báo: do ảnh hưởng của bão số 3, từ 7h30 ngày 31/8/2026 cắt điện \
toàn xã để bảo đảm an toàn. Lượng mưa dự báo 100-200mm, gió mạnh cấp 8, giật cấp 10. Đề nghị bà \
con chằng chống nhà cửa, không ra khỏi nhà khi không cần thiết. Mọi thông tin liên hệ Ban chỉ huy \
PCTT xã, SĐT 0912 345 678.";

fn main() {
    if Command::new("espeak-ng").arg("--version").output().is_err() {
        eprintln!("espeak-ng is needed: apt-get install espeak-ng");
        return;
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return eprintln!("{e}"),
    };
    let long = long_notice();
    let speech = Speech::default();
    for (name, text, runs) in [
        ("60-word notice", NOTICE.to_string(), 7),
        ("1,000-word notice", long.clone(), 3),
    ] {
        let said = match speech.reading(&text) {
            Ok(s) => s,
            Err(e) => return eprintln!("{e}"),
        };
        println!(
            "== {name}: {} words typed, {} words read",
            text.split_whitespace().count(),
            said.split_whitespace().count()
        );
        let wav = dir.path().join("out.wav");
        let ours = median(runs, || {
            let started = Instant::now();
            let spoken = speech.speak(&text, &wav).ok()?;
            Some((spoken.seconds, started.elapsed()))
        });
        let raw = median(runs, || shell_espeak(dir.path(), &text));
        let read = median(runs, || shell_espeak(dir.path(), &said));
        report("Speech::speak (reader + espeak-ng on stdin)", ours);
        report("baseline: espeak-ng from the shell, raw text", raw);
        report(
            "baseline: espeak-ng from the shell, our reader's text",
            read,
        );
    }
    normaliser_throughput(&long);
}

/// A 1,000-word notice: the short one's sentences and others of the same kind, repeated.
fn long_notice() -> String {
    let more = "Thời gian tiêm chủng từ 7h30 đến 11h00 các ngày 5, 6 và 7/9 tại TYT xã. Mức thu \
phí vệ sinh là 20.000đ/hộ/tháng. Xã có 3.456 hộ với 12.789 nhân khẩu, tỷ lệ hộ nghèo còn 2,3%. \
Đại hội Đảng bộ xã lần thứ XXV, nhiệm kỳ 2025-2030 khai mạc lúc 8h ngày 15/10. ";
    let mut text = String::new();
    while text.split_whitespace().count() < 1_000 {
        text.push_str(NOTICE);
        text.push(' ');
        text.push_str(more);
    }
    text.split_whitespace()
        .take(1_000)
        .collect::<Vec<_>>()
        .join(" ")
}

/// espeak-ng as one would call it by hand: the text in a file, fed on stdin by the shell.
fn shell_espeak(dir: &Path, text: &str) -> Option<(f64, Duration)> {
    let input = dir.join("in.txt");
    let out = dir.join("shell.wav");
    std::fs::write(&input, text).ok()?;
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg("espeak-ng -v vi -s 140 -w \"$1\" --stdin < \"$2\"")
        .arg("sh")
        .arg(&out)
        .arg(&input)
        .status()
        .ok()?;
    let took = started.elapsed();
    let reader = hound::WavReader::open(&out).ok()?;
    let seconds = f64::from(reader.duration()) / f64::from(reader.spec().sample_rate);
    status.success().then_some((seconds, took))
}

/// The run with the median synthesis time: (seconds of speech, time taken).
fn median(
    runs: usize,
    mut run: impl FnMut() -> Option<(f64, Duration)>,
) -> Option<(f64, Duration)> {
    let mut all: Vec<(f64, Duration)> = (0..runs).filter_map(|_| run()).collect();
    all.sort_by_key(|(_, t)| *t);
    all.get(all.len() / 2).copied()
}

fn report(what: &str, result: Option<(f64, Duration)>) {
    match result {
        Some((speech, took)) => println!(
            "{what}: {speech:.1} s of speech in {:.3} s = {:.0} s of speech per second",
            took.as_secs_f64(),
            speech / took.as_secs_f64()
        ),
        None => println!("{what}: failed"),
    }
}

/// Characters per second through the reader, and through NFC normalisation alone.
fn normaliser_throughput(text: &str) {
    let reader = Reader::default();
    let reps = 200;
    let chars = text.chars().count() * reps;
    let time = |f: &dyn Fn(&str) -> usize| {
        let started = Instant::now();
        let mut sink = 0;
        for _ in 0..reps {
            sink += f(std::hint::black_box(text));
        }
        std::hint::black_box(sink);
        started.elapsed().as_secs_f64()
    };
    let ours = time(&|t| reader.read(t).map_or(0, |s| s.len()));
    let nfc = time(&|t| loaxa::text::normalize(t).len());
    println!("== the reader on the 1,000-word notice, {reps} times");
    println!(
        "Reader::read: {:.1} MB/s, {:.0} k characters/s, {:.2} ms per 1,000-word notice",
        (text.len() * reps) as f64 / ours / 1e6,
        chars as f64 / ours / 1e3,
        ours / reps as f64 * 1e3
    );
    println!(
        "baseline: loaxa::text::normalize (NFC alone): {:.1} MB/s, {:.2} ms per notice",
        (text.len() * reps) as f64 / nfc / 1e6,
        nfc / reps as f64 * 1e3
    );
}
