//! The playback engine end to end: real decoders, the real converter, real sinks.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use loaxa::audio::player::OutputOptions;
use loaxa::audio::{AudioFormat, Outcome, PlayRequest, Player, PlayerEvent};
use loaxa::clock::{Clock, SimClock};
use loaxa::config::OutputSpec;

use crate::common::*;

const OUT: AudioFormat = AudioFormat {
    sample_rate: 48_000,
    channels: 2,
};

fn sim_clock() -> Arc<SimClock> {
    Arc::new(SimClock::starting_at(
        Utc.with_ymd_and_hms(2026, 9, 2, 7, 0, 0).unwrap(),
    ))
}

/// Play `files` to `spec` and collect every event until the player goes idle.
fn play_all(
    spec: OutputSpec,
    clock: Arc<dyn Clock>,
    files: &[&str],
    gain_db: f32,
) -> Vec<PlayerEvent> {
    play_counting(spec, clock, files, gain_db).0
}

/// As `play_all`, with the times the output ran dry (a machine too busy to keep up).
fn play_counting(
    spec: OutputSpec,
    clock: Arc<dyn Clock>,
    files: &[&str],
    gain_db: f32,
) -> (Vec<PlayerEvent>, u64) {
    let player = Player::spawn(OutputOptions::new(spec, OUT, clock)).unwrap();
    let mut rx = player.subscribe();
    for f in files {
        player.play(PlayRequest {
            gain_db,
            ..PlayRequest::file(fixture(f), f.to_string())
        });
    }
    let mut events = Vec::new();
    let mut ended = 0;
    loop {
        let e = rx.blocking_recv().unwrap();
        if matches!(e, PlayerEvent::Ended(_)) {
            ended += 1;
        }
        let idle = matches!(e, PlayerEvent::Idle { .. });
        events.push(e);
        if idle && ended == files.len() {
            break;
        }
    }
    (events, player.status().underruns)
}

fn reports(events: &[PlayerEvent]) -> Vec<loaxa::audio::PlayReport> {
    events
        .iter()
        .filter_map(|e| match e {
            PlayerEvent::Ended(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_fixture_plays_to_wav_with_its_true_duration_and_audio() {
    let dir = tempfile::tempdir().unwrap();
    for name in PLAYABLE {
        let out = dir.path().join(format!("{name}.wav"));
        let events = play_all(OutputSpec::Wav(out.clone()), sim_clock(), &[name], 0.0);
        let report = &reports(&events)[0];
        assert_eq!(report.outcome, Outcome::Completed, "{name}");

        let source = decode(&fixture(name));
        let captured = read_wav(&out);
        assert_eq!((captured.rate, captured.channels), (48_000, 2));
        let diff_ms = (captured.seconds() - source.seconds()).abs() * 1000.0;
        assert!(
            diff_ms <= 20.0,
            "{name}: duration differs by {diff_ms:.1} ms"
        );

        // The as-run times say the same as the file.
        let (first, last) = (
            report.first_sample_at.unwrap(),
            report.last_sample_at.unwrap(),
        );
        let reported = (last - first).as_seconds_f64();
        assert!(
            (reported - captured.seconds()).abs() < 0.02,
            "{name}: reported {reported}"
        );

        // The audio is the source's, resampled: compare the left channel with an independent
        // resampler's version of the source's first channel.
        let expected = reference_resample(&source.channel(0), source.rate, 48_000);
        let snr = snr_db(&expected, &captured.channel(0), 4_800);
        assert!(
            snr > 25.0,
            "{name}: captured audio differs from the source (SNR {snr:.1} dB)"
        );
    }
}

#[test]
fn files_play_back_to_back_without_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("noi-tiep.wav");
    let files = ["ban-tin.mp3", "canh-bao.ogg", "loi-chuc.m4a"];
    let events = play_all(OutputSpec::Wav(out.clone()), sim_clock(), &files, 0.0);
    let r = reports(&events);
    for pair in r.windows(2) {
        let gap = pair[1].first_sample_at.unwrap() - pair[0].last_sample_at.unwrap();
        assert!(
            gap.num_milliseconds().abs() <= 1,
            "gap of {gap} between plays"
        );
    }
    let total: f64 = files.iter().map(|f| decode(&fixture(f)).seconds()).sum();
    let captured = read_wav(&out).seconds();
    assert!(
        (captured - total).abs() < 0.03,
        "captured {captured} s of {total} s"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, PlayerEvent::Idle { .. }))
            .count(),
        1,
        "the output only went idle at the end"
    );
}

#[test]
fn gain_changes_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = dir.path().join("nho.wav");
    let normal = dir.path().join("thuong.wav");
    play_all(
        OutputSpec::Wav(quiet.clone()),
        sim_clock(),
        &["ban-tin-16k.wav"],
        -12.0,
    );
    play_all(
        OutputSpec::Wav(normal.clone()),
        sim_clock(),
        &["ban-tin-16k.wav"],
        0.0,
    );
    let rms = |p: &std::path::Path| {
        let s = read_wav(p).samples;
        (s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
    };
    let db = 20.0 * (rms(&quiet) / rms(&normal)).log10();
    assert!((db + 12.0).abs() < 0.2, "−12 dB gain gave {db:.2} dB");
}

#[test]
fn null_output_paces_in_real_time_on_a_real_clock() {
    let clock: Arc<dyn Clock> = Arc::new(loaxa::clock::SystemClock::new());
    let start = std::time::Instant::now();
    let events = play_all(OutputSpec::Null, clock, &["pcm-s24.wav"], 0.0);
    let r = &reports(&events)[0];
    assert_eq!(r.outcome, Outcome::Completed);
    // Half a second of audio takes about half a second: the output is paced, not raced.
    assert!(start.elapsed() >= Duration::from_millis(400));
}

#[test]
fn alsa_null_device_plays_through_the_sound_card_path() {
    let clock: Arc<dyn Clock> = Arc::new(loaxa::clock::SystemClock::new());
    let (events, underruns) = play_counting(
        OutputSpec::Device(Some("null".into())),
        clock,
        &["pcm-f32.wav", "chuong-192k.flac"],
        0.0,
    );
    for r in reports(&events) {
        assert_eq!(r.outcome, Outcome::Completed, "{}", r.label);
        let heard = (r.last_sample_at.unwrap() - r.first_sample_at.unwrap()).as_seconds_f64();
        let length = decode(&fixture(&r.label)).seconds();
        // The card's clock paces it: never faster than the recording. When the player could
        // not keep the card fed (the output ran dry on a machine too busy), the speakers
        // really heard it later, and the as-run says so: then only the lower bound holds.
        assert!(
            heard > length - 0.25 && (underruns > 0 || heard < length + 0.25),
            "{}: {heard} s heard of {length} s, {underruns} output underruns",
            r.label
        );
        if underruns > 0 {
            eprintln!(
                "{}: {underruns} output underruns on a busy machine, {heard:.3} s heard",
                r.label
            );
        }
    }
}

#[test]
fn broken_files_fail_with_a_reason_and_the_rest_still_plays() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hong.wav");
    let files = [
        "gia-mao.mp3",
        "rong.mp3",
        "ghi-am.wma",
        "ghi-am.amr",
        "ban-tin.mp3",
        "khong-co.mp3",
    ];
    let events = play_all(OutputSpec::Wav(out.clone()), sim_clock(), &files, 0.0);
    let r = reports(&events);
    let by_label = |l: &str| r.iter().find(|x| x.label == l).unwrap();
    for (name, words) in [
        ("gia-mao.mp3", "không phải âm thanh"),
        ("rong.mp3", "rỗng"),
        ("ghi-am.wma", "WMA"),
        ("ghi-am.amr", "AMR"),
        ("khong-co.mp3", "không mở được"),
    ] {
        match &by_label(name).outcome {
            Outcome::Failed { reason } => {
                assert!(reason.contains(words), "{name}: {reason}");
                assert!(
                    reason.contains(name),
                    "{name}: the message names the file: {reason}"
                );
            }
            other => panic!("{name} should fail, got {other:?}"),
        }
    }
    assert_eq!(by_label("ban-tin.mp3").outcome, Outcome::Completed);
    let played = read_wav(&out).seconds();
    assert!((played - decode(&fixture("ban-tin.mp3")).seconds()).abs() < 0.02);
}

#[test]
fn truncated_mp3_plays_what_decodes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cut.wav");
    let events = play_all(
        OutputSpec::Wav(out.clone()),
        sim_clock(),
        &["cut-ngang.mp3"],
        0.0,
    );
    let r = &reports(&events)[0];
    assert_eq!(r.outcome, Outcome::Completed);
    assert!(
        r.warnings.iter().any(|w| w.contains("cắt ngang")),
        "{:?}",
        r.warnings
    );
    let whole = decode(&fixture("ban-tin.mp3")).seconds();
    let played = read_wav(&out).seconds();
    assert!(
        played > 0.5 && played < whole * 0.6,
        "played {played} s of a {whole} s file"
    );
}

#[test]
fn shared_samples_play_with_their_reference_durations() {
    // The recordings in ../shared/samples, with the durations ffprobe measured (README there).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    if !dir.exists() {
        eprintln!("../shared/samples is not here; skipping");
        return;
    }
    let expected = [
        ("ban-tin-16k.wav", 15.269),
        ("ban-tin-khai-sinh.mp3", 15.308),
        ("canh-bao-bao.flac", 8.467),
        ("canh-bao-bao.ogg", 8.467),
        ("loi-chuc-tet.m4a", 9.918),
    ];
    for (name, seconds) in expected {
        let path = dir.join(name);
        let out = tempfile::NamedTempFile::new().unwrap();
        let player = Player::spawn(OutputOptions::new(
            OutputSpec::Wav(out.path().to_path_buf()),
            OUT,
            sim_clock(),
        ))
        .unwrap();
        let mut rx = player.subscribe();
        player.play(PlayRequest {
            gain_db: 0.0,
            ..PlayRequest::file(path, name)
        });
        loop {
            if let PlayerEvent::Idle { .. } = rx.blocking_recv().unwrap() {
                break;
            }
        }
        drop(player);
        let got = read_wav(out.path()).seconds();
        // ffprobe reports container durations; MP3 and AAC add encoder delay/padding that a
        // gapless decoder removes, so allow 60 ms there and 20 ms elsewhere.
        let tolerance = if name.ends_with(".mp3") || name.ends_with(".m4a") {
            0.06
        } else {
            0.02
        };
        assert!(
            (got - seconds).abs() <= tolerance,
            "{name}: {got} s, expected {seconds} s"
        );
    }
}
