//! Relaying live streams (tiếp sóng) from real servers started here: Debian's icecast2 fed by
//! ffmpeg (MP3, AAC, Ogg Vorbis, Ogg Opus), live HLS written by ffmpeg (MPEG-TS with AAC and
//! MP3, fMP4, packed ADTS), and addresses that are not streams. What was relayed is captured
//! in a WAV and measured: its length, level and tones (the stream, the fallback and an
//! emergency each have their own frequency).

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loaxa::audio::clip::Clip;
use loaxa::audio::player::OutputOptions;
use loaxa::audio::stream::{OutageCause, RelayEvent, RelaySpec, StreamError};
use loaxa::audio::{
    AudioFormat, Outcome, PlayReport, PlayRequest, Player, PlayerEvent, Priority, Source,
};
use loaxa::clock::SystemClock;
use loaxa::config::OutputSpec;
use tokio::sync::broadcast::Receiver;

use crate::common::*;
use crate::faults::wait_for;
use crate::stream_server::{Codec, Feed, Hls, HlsFeed, Icecast, WebServer};

const OUT: AudioFormat = AudioFormat {
    sample_rate: 48_000,
    channels: 1,
};

/// What a relay put on air, and what it said.
struct Relayed {
    pcm: Pcm,
    /// When the WAV's first sample was written.
    started: DateTime<Utc>,
    events: Vec<RelayEvent>,
    report: PlayReport,
    /// Times the output ran dry (a busy machine).
    underruns: u64,
}

impl Relayed {
    /// Seconds into the WAV of wall-clock time `t`.
    fn at(&self, t: DateTime<Utc>) -> f64 {
        (t - self.started).as_seconds_f64()
    }

    /// The tones heard, as (Hz, seconds) runs, without the silences shorter than `gap`.
    fn tones(&self) -> Vec<(u32, f64)> {
        tone_runs(&self.pcm.samples, self.pcm.rate)
    }

    fn outages(&self) -> Vec<(OutageCause, DateTime<Utc>, DateTime<Utc>, bool)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RelayEvent::OutageEnded {
                    cause,
                    since,
                    until,
                    recovered,
                } => Some((cause.clone(), *since, *until, *recovered)),
                _ => None,
            })
            .collect()
    }
}

/// A fallback clip: a 440 Hz tone of `seconds`.
fn fallback_tone(dir: &Path, seconds: f32) -> Clip {
    let path = dir.join("du-phong.wav");
    write_tone(22_050, &path, 440.0, seconds);
    Clip::load(&path).unwrap()
}

/// Relay `url` for `seconds` into a WAV through the player, as the service would; `during`
/// runs while it plays (to kill servers, start an emergency...), with the player's events from
/// before the relay was asked for, and what it returns is kept alive until the relay ended.
fn relay<T>(
    url: &str,
    seconds: f64,
    tune: impl FnOnce(&mut RelaySpec),
    during: impl FnOnce(&Player, &mut Receiver<PlayerEvent>) -> T,
) -> Relayed {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tiep-song.wav");
    let player = Player::spawn(OutputOptions::new(
        OutputSpec::Wav(wav.clone()),
        OUT,
        Arc::new(SystemClock::new()),
    ))
    .unwrap();
    let mut rx = player.subscribe();
    let mut watch = player.subscribe();
    let until = Utc::now() + chrono::Duration::milliseconds((seconds * 1000.0) as i64);
    let mut spec = RelaySpec::new(url.parse().unwrap(), until);
    tune(&mut spec);
    let id = player.play(PlayRequest {
        source: Source::Relay(spec),
        ..PlayRequest::file("", "tiếp sóng")
    });
    let kept = during(&player, &mut watch);
    drop(watch);
    let (mut started, mut events, mut report) = (None, Vec::new(), None);
    loop {
        match rx.blocking_recv().unwrap() {
            PlayerEvent::Started { id: i, at, .. } if i == id => started = Some(at),
            PlayerEvent::Relay { event, .. } => events.push(event),
            PlayerEvent::Ended(r) if r.id == id => report = Some(r),
            PlayerEvent::Idle { .. } if report.is_some() => break,
            _ => {}
        }
    }
    let underruns = player.status().underruns;
    drop(player);
    drop(kept);
    Relayed {
        pcm: read_wav(&wav),
        started: started.unwrap(),
        events,
        report: report.unwrap(),
        underruns,
    }
}

/// Check a capture lasts `expected` seconds (`slack` more at most). A machine too busy to
/// keep up makes the output underrun, and a WAV then skips the time it missed (it records
/// what the speakers would get): with underruns, only an upper bound and a loose lower one.
fn assert_lasts(pcm: &Pcm, expected: f64, slack: f64, underruns: u64, what: &str) {
    let got = pcm.seconds();
    if underruns == 0 {
        assert!(
            (got - expected).abs() < slack,
            "{what}: {got:.3} s, not {expected} s"
        );
    } else {
        eprintln!("{what}: {underruns} output underruns on a busy machine, {got:.3} s");
        assert!(
            got < expected + slack && got > expected - 1.0,
            "{what}: {got:.3} s"
        );
    }
}

/// The underruns `loaxa play` reported.
fn underruns_of(out: &str) -> u64 {
    out.lines()
        .find(|l| l.contains("output underruns"))
        .and_then(|l| {
            l.trim_start_matches('⚠')
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// RMS level of `samples` in dBFS.
fn rms_dbfs(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    10.0 * (sum / samples.len().max(1) as f64).max(1e-12).log10()
}

/// Frequency of a steady tone, from its zero crossings.
fn frequency(samples: &[f32], rate: u32) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|p| (p[0] >= 0.0) != (p[1] >= 0.0))
        .count();
    crossings as f64 * f64::from(rate) / (2.0 * samples.len() as f64)
}

/// The tones in order, merging runs of a tone interrupted by shorter than `gap` of others.
fn sequence(runs: &[(u32, f64)], min: f64) -> Vec<u32> {
    let mut seq: Vec<u32> = Vec::new();
    for &(band, secs) in runs {
        if secs >= min && band != 0 && seq.last() != Some(&band) {
            seq.push(band);
        }
    }
    seq
}

fn loaxa_play(args: &[&str]) -> Output {
    loaxa()
        .arg("play")
        .args(args)
        .env_remove("LOAXA_CONFIG")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_icecast_mp3_stream_relays_cleanly_into_a_wav_with_loaxa_play() {
    let server = Icecast::start().unwrap();
    let _feed = Feed::sine(&server, "vov1.mp3", Codec::Mp3, 1000).unwrap();
    server.set_title("vov1.mp3", "Thời sự 5 giờ").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("vov1.wav");
    let o = loaxa_play(&[
        &server.url("vov1.mp3"),
        "--seconds",
        "5",
        "--output",
        &format!("wav:{}", wav.display()),
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("mp3 44100 Hz, 2 kênh/ch"), "{out}");
    assert!(out.contains("tiếp sóng / relaying"), "{out}");
    // The station's title arrives in the ICY metadata, which never reaches the decoder.
    assert!(out.contains("♪ Thời sự 5 giờ"), "{out}");
    let pcm = read_wav(&wav);
    assert_lasts(&pcm, 5.0, 0.05, underruns_of(&out), "mp3");
    // From shortly after the stream came on air to the end: one clean 1 kHz tone. Icecast
    // interleaves ICY metadata every 16 000 bytes (we ask for it); a block left in would be a
    // broken frame: a gap or a click, seen as a jump between neighbouring samples.
    let first = pcm.samples.iter().position(|s| s.abs() > 0.01).unwrap();
    assert!(first < 48_000, "on air after {} s", first as f64 / 48_000.0);
    let steady = &pcm.samples[first + 9600..pcm.samples.len() - 480];
    assert_eq!(sequence(&tone_runs(steady, pcm.rate), 0.0), vec![1000]);
    assert!(
        (frequency(steady, pcm.rate) - 1000.0).abs() < 2.0,
        "{} Hz",
        frequency(steady, pcm.rate)
    );
    let level = rms_dbfs(steady);
    // ffmpeg's sine is at 1/8 of full scale, and its upmix to stereo puts each channel 3 dB
    // lower: −24 dBFS RMS, which our downmix to mono keeps.
    assert!((-25.5..=-22.5).contains(&level), "{level:.1} dBFS");
    let jump = steady
        .windows(2)
        .map(|p| (p[1] - p[0]).abs())
        .fold(0f32, f32::max);
    // A 1 kHz sine at that level moves at most 0.012 between two samples at 48 kHz.
    assert!(jump < 0.02, "a click of {jump}");
}

#[test]
fn aac_vorbis_and_opus_mounts_relay_too() {
    let server = Icecast::start().unwrap();
    let mounts = [
        ("vov.aac", Codec::Aac, 1000, "aac"),
        ("vov.ogg", Codec::Vorbis, 2000, "vorbis"),
        ("vov.opus", Codec::Opus, 440, "opus"),
    ];
    let _feeds: Vec<Feed> = mounts
        .iter()
        .map(|(m, codec, freq, _)| Feed::sine(&server, m, *codec, *freq).unwrap())
        .collect();
    let results: Vec<Relayed> = std::thread::scope(|s| {
        let handles: Vec<_> = mounts
            .iter()
            .map(|(m, ..)| {
                let url = server.url(m);
                s.spawn(move || relay(&url, 4.0, |_| {}, |_, _| ()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((mount, _, freq, codec), r) in mounts.iter().zip(&results) {
        let connected = r.events.iter().find_map(|e| match e {
            RelayEvent::Connected { info, .. } => Some(info.codec.clone()),
            _ => None,
        });
        assert_eq!(connected.as_deref(), Some(*codec), "{mount}");
        assert_eq!(r.report.outcome, Outcome::Completed, "{mount}");
        assert_lasts(&r.pcm, 4.0, 0.05, r.underruns, mount);
        let runs = r.tones();
        let heard: f64 = runs.iter().filter(|(b, _)| b == freq).map(|(_, t)| t).sum();
        // Icecast 2.4 answers an Ogg listener after about a second and sends its first pages
        // after about two (measured on a raw socket); MP3 and AAC come in a quarter second.
        assert!(heard > 1.5, "{mount}: {runs:?}");
        assert_eq!(sequence(&runs, 0.1), vec![*freq], "{mount}: {runs:?}");
        assert!(r.outages().is_empty(), "{mount}: {:?}", r.events);
    }
}

#[test]
fn a_server_killed_mid_relay_gives_the_fallback_then_the_stream_when_it_is_back() {
    let mut server = Icecast::start().unwrap();
    let port = server.port;
    let feed = Feed::sine(&server, "huyen.mp3", Codec::Mp3, 1000).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jingle = fallback_tone(dir.path(), 6.0);
    let url = server.url("huyen.mp3");
    let r = relay(
        &url,
        12.0,
        |spec| {
            spec.fallback = vec![jingle];
            // Tried again often, so that it is back soon after the server is, however long
            // the server took to start.
            spec.retry.first = Duration::from_millis(300);
            spec.retry.max = Duration::from_millis(600);
        },
        move |_, events| {
            // Killed once the stream has been heard for a while, back once the relay has
            // tried it twice and gone to the fallback: on a busy machine each takes longer.
            wait_for(events, 30, "the stream on air", |e| {
                matches!(
                    e,
                    PlayerEvent::Relay {
                        event: RelayEvent::OnAir { .. },
                        ..
                    }
                )
            });
            std::thread::sleep(Duration::from_millis(1500));
            server.kill();
            drop(feed);
            let (mut fallback, mut retries) = (false, 0);
            wait_for(events, 30, "the fallback and two retries", |e| {
                match e {
                    PlayerEvent::Relay {
                        event: RelayEvent::OutageStarted { .. },
                        ..
                    } => fallback = true,
                    PlayerEvent::Relay {
                        event: RelayEvent::Retrying { .. },
                        ..
                    } => retries += 1,
                    _ => {}
                }
                fallback && retries >= 2
            });
            // Back, with another tone so that the WAV tells the old stream from the new.
            let again = Icecast::start_on(port).unwrap();
            let feed = Feed::sine(&again, "huyen.mp3", Codec::Mp3, 2000).unwrap();
            (again, feed)
        },
    );
    let runs = r.tones();
    assert_eq!(sequence(&runs, 0.3), vec![1000, 440, 2000], "{runs:?}");
    assert_eq!(r.report.outcome, Outcome::Completed);
    assert_lasts(&r.pcm, 12.0, 0.05, r.underruns, "killed");
    // One outage, reported with the times it was heard: the fallback sits between them.
    let outages = r.outages();
    assert_eq!(outages.len(), 1, "{:?}", r.events);
    let (cause, since, until, recovered) = &outages[0];
    assert!(recovered);
    assert!(matches!(cause, OutageCause::Failed(_)), "{cause}");
    let (from, to) = (r.at(*since), r.at(*until));
    let mut t = 0.0;
    let mut fallback_span = None;
    for (band, secs) in &runs {
        if *band == 440 && *secs > 0.3 && fallback_span.is_none() {
            fallback_span = Some((t, t + secs));
        }
        t += secs;
    }
    let (f0, f1) = fallback_span.unwrap();
    assert!(
        (f0 - from).abs() < 0.3,
        "outage from {from:.2} s, fallback from {f0:.2} s"
    );
    assert!(
        (f1 - to).abs() < 0.3,
        "outage to {to:.2} s, fallback to {f1:.2} s"
    );
    // The attempts that failed while it was down were reported, and it reconnected.
    let retries = r
        .events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Retrying { .. }))
        .count();
    let connects = r
        .events
        .iter()
        .filter(|e| matches!(e, RelayEvent::Connected { .. }))
        .count();
    assert!(retries >= 2, "{:?}", r.events);
    assert_eq!(connects, 2, "{:?}", r.events);
    assert!(
        r.report.warnings.iter().any(|w| w.contains("1 outages")),
        "{:?}",
        r.report.warnings
    );
}

#[test]
fn a_feed_silent_longer_than_silence_seconds_gives_the_fallback_until_it_speaks() {
    let server = Icecast::start().unwrap();
    // Dead air for its first 3.5 seconds, then the programme.
    let _feed = Feed::start(
        &server,
        "im-lang.mp3",
        Codec::Mp3,
        "sine=frequency=1000:sample_rate=44100",
        Some("volume=enable='lt(t,3.5)':volume=0"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jingle = fallback_tone(dir.path(), 6.0);
    let r = relay(
        &server.url("im-lang.mp3"),
        7.0,
        |spec| {
            spec.fallback = vec![jingle];
            spec.silence = Duration::from_millis(1500);
        },
        |_, _| (),
    );
    let runs = r.tones();
    assert_eq!(sequence(&runs, 0.3), vec![440, 1000], "{runs:?}");
    // Silence first (the stream, on air, silent), for about silence_seconds.
    assert_eq!(runs[0].0, 0, "{runs:?}");
    assert!((1.4..2.2).contains(&runs[0].1), "{runs:?}");
    let outages = r.outages();
    assert_eq!(outages.len(), 1, "{:?}", r.events);
    let (cause, since, until, recovered) = &outages[0];
    assert_eq!(*cause, OutageCause::Silent);
    assert!(recovered);
    // The outage began when the silence did (the stream was on air and silent from the
    // start), and ended when the stream spoke again (after a second of speech).
    assert!(r.at(*since) < 0.6, "since {:.2} s", r.at(*since));
    let tone_back = runs
        .iter()
        .take_while(|(b, _)| *b != 1000)
        .map(|(_, t)| t)
        .sum::<f64>();
    assert!(
        (r.at(*until) - tone_back).abs() < 0.3,
        "{:.2} vs {tone_back:.2}",
        r.at(*until)
    );
}

#[test]
fn an_emergency_preempts_a_relay_which_resumes_live() {
    let server = Icecast::start().unwrap();
    // The stream changes tone 4 s after it starts: 1 kHz, then 440 Hz.
    let _feed = Feed::start(
        &server,
        "truc-tiep.mp3",
        Codec::Mp3,
        "aevalsrc=exprs=0.125*sin(2*PI*t*if(lt(t\\,4)\\,1000\\,440)):s=44100",
        None,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let alarm = dir.path().join("bao-dong.wav");
    write_tone(48_000, &alarm, 2000.0, 3.0);
    let r = relay(
        &server.url("truc-tiep.mp3"),
        8.0,
        |_| {},
        |player, _| {
            std::thread::sleep(Duration::from_millis(1500));
            player.play(PlayRequest {
                priority: Priority::Emergency,
                ..PlayRequest::file(&alarm, "báo động")
            });
        },
    );
    let runs = r.tones();
    // Relay (1 kHz), the emergency, then the relay again: live, so at 440 Hz already. Played
    // from where it was cut, it would carry on at 1 kHz for the seconds the emergency took.
    assert_eq!(sequence(&runs, 0.3), vec![1000, 2000, 440], "{runs:?}");
    let after: f64 = runs
        .iter()
        .skip_while(|(b, _)| *b != 2000)
        .skip_while(|(b, _)| *b == 2000)
        .take_while(|(b, _)| *b != 440)
        .map(|(_, t)| t)
        .sum();
    assert!(after < 0.3, "{after:.2} s before the live stream: {runs:?}");
    // It still ends at its own time: the emergency does not push the relay later (within
    // the output's buffer, which held the emergency's end when the relay came back).
    assert_lasts(&r.pcm, 8.0, 0.15, r.underruns, "pre-empted");
}

#[test]
fn addresses_that_are_not_streams_get_a_clear_error_and_the_fallback() {
    let web = WebServer::start(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jingle = dir.path().join("du-phong.wav");
    write_tone(22_050, &jingle, 440.0, 5.0);
    let cases = [
        ("/trang.html", "là một trang web", "is a web page"),
        (
            "/khong-co.mp3",
            "máy chủ trả lời 404",
            "the server answered 404",
        ),
        ("/anh.png", "không phải luồng âm thanh", "image/png"),
        (
            "/vong/a",
            "chuyển hướng quá 5 lần",
            "redirects more than 5 times",
        ),
    ];
    let runs: Vec<(Output, std::path::PathBuf)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .enumerate()
            .map(|(i, (path, ..))| {
                let (url, jingle) = (web.url(path), jingle.clone());
                let wav = dir.path().join(format!("{i}.wav"));
                s.spawn(move || {
                    let o = loaxa_play(&[
                        &url,
                        "--seconds",
                        "2",
                        "--fallback",
                        jingle.to_str().unwrap(),
                        "--output",
                        &format!("wav:{}", wav.display()),
                    ]);
                    (o, wav)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((path, vi, en), (o, wav)) in cases.iter().zip(&runs) {
        let out = text(o);
        assert_eq!(o.status.code(), Some(1), "{path}: {out}");
        assert!(out.contains(vi) && out.contains(en), "{path}: {out}");
        assert!(
            out.contains("phát dự phòng từ / fallback from"),
            "{path}: {out}"
        );
        assert!(out.contains("never on air"), "{path}: {out}");
        let pcm = read_wav(wav);
        assert_lasts(&pcm, 2.0, 0.05, underruns_of(&out), path);
        let tones = tone_runs(&pcm.samples, pcm.rate);
        let fallback: f64 = tones
            .iter()
            .filter(|(b, _)| *b == 440)
            .map(|(_, t)| t)
            .sum();
        assert!(fallback > pcm.seconds() - 0.3, "{path}: {tones:?}");
    }
    // Mistakes caught before anything plays.
    let o = loaxa_play(&[&web.url("/a.mp3"), "--output", "null"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--seconds"), "{}", text(&o));
    let o = loaxa_play(&["http://", "--seconds", "1", "--output", "null"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("invalid stream address"), "{}", text(&o));
    let o = loaxa_play(&[
        &web.url("/a.mp3"),
        "--seconds",
        "1",
        "--fast",
        "--output",
        "null",
    ]);
    assert!(text(&o).contains("--fast cannot relay"), "{}", text(&o));
}

#[test]
fn a_relay_ends_on_time_while_the_server_hangs() {
    let web = WebServer::start(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("treo.wav");
    let started = Instant::now();
    let o = loaxa_play(&[
        &web.url("/treo"),
        "--seconds",
        "2",
        "--output",
        &format!("wav:{}", wav.display()),
    ]);
    let took = started.elapsed();
    // Not a speed figure: a read that ignored the deadline would hang here for good.
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let pcm = read_wav(&wav);
    assert_lasts(&pcm, 2.0, 0.05, underruns_of(&text(&o)), "hanging");
}

#[test]
fn a_stream_that_sends_nothing_is_an_outage_after_the_stall_time() {
    let web = WebServer::start(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jingle = fallback_tone(dir.path(), 5.0);
    let r = relay(
        &web.url("/treo"),
        2.5,
        |spec| {
            spec.fallback = vec![jingle];
            spec.stall = Duration::from_millis(800);
        },
        |_, _| (),
    );
    let outages = r.outages();
    assert_eq!(outages.len(), 1, "{:?}", r.events);
    let (cause, since, until, recovered) = &outages[0];
    assert!(
        matches!(
            cause,
            OutageCause::Stalled | OutageCause::Failed(StreamError::Stalled { .. })
        ),
        "{cause}"
    );
    assert!(!recovered, "the relay ended during it");
    assert!(r.at(*since) < 0.1 && (r.at(*until) - 2.5).abs() < 0.1);
    let runs = r.tones();
    assert_eq!(runs[0].0, 0, "silence while connecting: {runs:?}");
    assert!((0.7..1.1).contains(&runs[0].1), "{runs:?}");
    assert_eq!(sequence(&runs, 0.3), vec![440], "{runs:?}");
}

#[test]
fn live_hls_relays_in_every_packaging() {
    let cases = [
        (Hls::TsAac, 1000, "master.m3u8", "aac"),
        (Hls::TsMp3, 2000, "live.m3u8", "mp3"),
        (Hls::Fmp4Aac, 440, "master.m3u8", "aac"),
        (Hls::PackedAdts, 1000, "live.m3u8", "aac"),
    ];
    let feeds: Vec<(HlsFeed, WebServer)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(kind, freq, ..)| {
                s.spawn(move || {
                    let feed = HlsFeed::sine(*kind, *freq).unwrap();
                    let web = WebServer::start(Some(feed.dir().to_path_buf())).unwrap();
                    (feed, web)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let results: Vec<Relayed> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .zip(&feeds)
            .map(|((_, _, playlist, _), (_, web))| {
                let url = web.url(&format!("/hls/{playlist}"));
                // Longer than the window of 4 one-second segments: it must slide.
                s.spawn(move || relay(&url, 5.0, |_| {}, |_, _| ()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((kind, freq, _, codec), r) in cases.iter().zip(&results) {
        let connected = r.events.iter().find_map(|e| match e {
            RelayEvent::Connected { info, url, .. } => Some((info.codec.clone(), url.clone())),
            _ => None,
        });
        let (got, media) = connected.unwrap_or_else(|| panic!("{kind:?}: {:?}", r.events));
        assert_eq!(got, *codec, "{kind:?}");
        assert!(
            media.as_str().ends_with("/hls/live.m3u8"),
            "{kind:?}: {media}"
        );
        assert!(r.outages().is_empty(), "{kind:?}: {:?}", r.events);
        let runs = r.tones();
        assert_eq!(sequence(&runs, 0.05), vec![*freq], "{kind:?}: {runs:?}");
        let heard: f64 = runs.iter().filter(|(b, _)| b == freq).map(|(_, t)| t).sum();
        assert!(heard > 4.0, "{kind:?}: {runs:?}");
    }
}
