//! Relays in the programme (tiếp sóng): a slot that relays a real Icecast stream through the
//! runner, the server dying mid-relay, the fallback jingle in the capture, the outage in the
//! as-run log with its times, the relay ending on time and the commune's bulletin after it;
//! and the same slot on the simulated clock, where no stream can keep up and the fallback
//! airs throughout.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Timelike, Utc};
use chrono_tz::Asia::Ho_Chi_Minh as VN;
use loaxa::clock::{Clock, SimClock, SystemClock};
use loaxa::media::library::ImportRequest;
use loaxa::model::asrun::{Entry, Outcome};
use loaxa::model::{Category, Tier};
use loaxa::schedule::files;
use loaxa::schedule::runner::TrustedTime;

use crate::common::{read_wav, tone_runs, write_tone};
use crate::programme::Station;
use crate::stream_server::{Codec, Feed, Icecast};

/// The real clock, `offset` ahead: the test starts where it wants in a slot, at real speed.
struct Shifted {
    offset: Span,
    inner: SystemClock,
}

impl Clock for Shifted {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
    fn elapsed(&self) -> Duration {
        self.inner.elapsed()
    }
    fn sleep(&self, d: Duration) {
        self.inner.sleep(d)
    }
}

/// A station with a 440 Hz fallback jingle and an approved 2000 Hz bulletin, and a one-off
/// slot at local `at` relaying `url` for a minute, then the bulletins.
fn station(at: DateTime<Utc>, url: &str) -> (Station, files::Programme) {
    let s = Station::new();
    let tones = s.dir.path().join("tones");
    std::fs::create_dir_all(&tones).unwrap();
    write_tone(48_000, &tones.join("du-phong.wav"), 440.0, 6.0);
    write_tone(22_050, &tones.join("ban-tin.wav"), 2000.0, 2.0);
    let day = at.with_timezone(&VN).date_naive();
    let jingle = ImportRequest {
        original_name: "du-phong.wav".into(),
        title: Some("Dự phòng".into()),
        category: Category::Jingle,
        actor: "test".into(),
    };
    s.library
        .import_file(&tones.join("du-phong.wav"), &jingle)
        .unwrap();
    s.approved_file(
        &tones.join("ban-tin.wav"),
        "Bản tin xã",
        Category::Bulletin,
        Tier::Normal,
        day,
        day,
    );
    let (sched, lists) = (
        s.dir.path().join("schedules"),
        s.dir.path().join("playlists"),
    );
    std::fs::create_dir_all(&sched).unwrap();
    std::fs::create_dir_all(&lists).unwrap();
    let local = at.with_timezone(&VN);
    std::fs::write(
        sched.join("a.toml"),
        format!(
            "[[once]]\nname = \"sang\"\nat = \"{}\"\nplaylist = \"p\"\n",
            local.format("%Y-%m-%d %H:%M")
        ),
    )
    .unwrap();
    std::fs::write(
        lists.join("p.toml"),
        format!("[[part]]\nrelay = \"{url}\"\ntitle = \"VOV1\"\nminutes = 1\nfallback = \"Dự phòng\"\n\n[[part]]\ncategory = \"bulletin\"\n"),
    )
    .unwrap();
    let (programme, problems) = files::load(&sched, &lists);
    assert!(problems.is_empty(), "{problems:#?}");
    (s, programme)
}

/// The next local minute at least `ahead` from now.
fn next_minute(ahead: Span) -> DateTime<Utc> {
    let t = Utc::now() + ahead + Span::minutes(1);
    t.with_second(0).unwrap().with_nanosecond(0).unwrap()
}

fn line<'a>(log: &'a [Entry], what: impl Fn(&Entry) -> bool, name: &str) -> &'a Entry {
    log.iter()
        .find(|e| what(e))
        .unwrap_or_else(|| panic!("no {name}: {log:#?}"))
}

fn near(a: DateTime<Utc>, b: DateTime<Utc>, within_ms: i64, what: &str) {
    let off = (a - b).num_milliseconds();
    assert!(off.abs() <= within_ms, "{what}: {a} is {off} ms from {b}");
}

/// Tones of `seconds` or more, in order, each once.
fn sequence(runs: &[(u32, f64)], seconds: f64) -> Vec<u32> {
    let mut seq: Vec<u32> = Vec::new();
    for &(band, secs) in runs {
        if secs >= seconds && band != 0 && seq.last() != Some(&band) {
            seq.push(band);
        }
    }
    seq
}

/// The service comes up 51 s into a slot that relays for a minute: the relay airs what is
/// left, the server dies mid-relay, the fallback jingle covers the outage (logged with its
/// times), the relay ends on the minute and the bulletin follows at once.
#[test]
fn a_slot_relays_a_stream_that_dies_and_ends_on_time_with_the_bulletin_after_it() {
    let mut server = Icecast::start().unwrap();
    let feed = Feed::sine(&server, "vov1.mp3", Codec::Mp3, 1000).unwrap();
    let slot = next_minute(Span::minutes(2));
    let (s, programme) = station(slot, &server.url("vov1.mp3"));
    let clock: Arc<dyn Clock> = Arc::new(Shifted {
        offset: slot + Span::seconds(51) - Utc::now(),
        inner: SystemClock::new(),
    });
    let wav = s.dir.path().join("phat.wav");
    let (runner, player) = s.runner_on(clock.clone(), programme, Box::new(TrustedTime), Some(&wav));
    s.wait_for(10, "the relay to start", |log| {
        log.iter()
            .any(|e| e.label == "VOV1" && e.first_sample_at.is_some())
    });
    std::thread::sleep(Duration::from_millis(2500));
    server.kill();
    let killed = clock.now();
    drop(feed);
    let log = s.wait_for(40, "the bulletin to air", |log| {
        log.iter()
            .any(|e| e.label == "Bản tin xã" && e.outcome == Outcome::Completed)
    });
    drop(runner);
    drop(player);
    let end = slot + Span::minutes(1);
    let relay = line(&log, |e| e.label == "VOV1", "relay line");
    assert_eq!(relay.outcome, Outcome::Completed, "{relay:#?}");
    near(
        relay.last_sample_at.unwrap(),
        end,
        300,
        "the relay ends on the minute",
    );
    let outage = line(&log, |e| e.outcome == Outcome::Outage, "outage line");
    assert!(outage.label.contains("VOV1"), "{outage:#?}");
    // Listeners stop hearing the stream once what was buffered before the kill has played.
    let since = outage.first_sample_at.unwrap();
    let after_kill = (since - killed).num_milliseconds();
    assert!(
        (-200..3000).contains(&after_kill),
        "the outage starts {after_kill} ms after the kill"
    );
    near(
        outage.last_sample_at.unwrap(),
        end,
        300,
        "and lasts to the relay's end",
    );
    let reason = outage.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("«Dự phòng»") && reason.contains("ended during the outage"),
        "{reason}"
    );
    let bulletin = line(&log, |e| e.label == "Bản tin xã", "bulletin line");
    near(
        bulletin.first_sample_at.unwrap(),
        end,
        300,
        "the bulletin follows the relay",
    );
    let pcm = read_wav(&wav);
    let runs = tone_runs(&pcm.samples, pcm.rate);
    assert_eq!(sequence(&runs, 0.5), vec![1000, 440, 2000], "{runs:?}");
}

/// On the simulated clock a relay reaches no stream: its fallback airs for all the time it
/// has, the outage is logged to its end, and the bulletin starts on the minute. (The service
/// comes up 50 s into the slot, as in the test above, so the relay has 10 s left.)
#[test]
fn on_the_simulated_clock_a_relay_airs_its_fallback_and_ends_on_time() {
    let slot = next_minute(Span::hours(30));
    let (s, programme) = station(slot, "http://127.0.0.1:9/khong-co.mp3");
    let up = slot + Span::seconds(50);
    let clock = Arc::new(SimClock::starting_at(up));
    let wav = s.dir.path().join("phat.wav");
    let (runner, player) = s.runner_on(clock, programme, Box::new(TrustedTime), Some(&wav));
    let log = s.wait_for(60, "the bulletin to air", |log| {
        log.iter()
            .any(|e| e.label == "Bản tin xã" && e.outcome == Outcome::Completed)
    });
    drop(runner);
    drop(player);
    let end = slot + Span::minutes(1);
    let relay = line(&log, |e| e.label == "VOV1", "relay line");
    near(
        relay.first_sample_at.unwrap(),
        up,
        50,
        "the relay starts at once",
    );
    near(
        relay.last_sample_at.unwrap(),
        end,
        50,
        "and ends on the minute",
    );
    let outage = line(&log, |e| e.outcome == Outcome::Outage, "outage line");
    // Out from the start: an outage once the monitor's short-gap time has passed.
    near(
        outage.first_sample_at.unwrap(),
        up,
        200,
        "out from the start",
    );
    near(outage.last_sample_at.unwrap(), end, 50, "to the end");
    let bulletin = line(&log, |e| e.label == "Bản tin xã", "bulletin line");
    near(
        bulletin.first_sample_at.unwrap(),
        end,
        50,
        "the bulletin starts on the minute",
    );
    let pcm = read_wav(&wav);
    let runs = tone_runs(&pcm.samples, pcm.rate);
    // The 6 s jingle, a second of pause, and 3 s of it again: 10 s; then the bulletin.
    let jingle: f64 = runs.iter().filter(|(b, _)| *b == 440).map(|(_, t)| t).sum();
    assert!(
        (jingle - 9.0).abs() < 0.2,
        "{jingle:.2} s of fallback: {runs:?}"
    );
    assert_eq!(sequence(&runs, 0.5), vec![440, 2000], "{runs:?}");
}
