//! Faults: the sound card disappearing in the middle of a broadcast, and coming back.
//!
//! The real player, on a real clock, writing real WAV captures through a USB sound card the
//! test holds the plug of: the card hiccups once (an underrun), is pulled out part way through
//! a bulletin (writes fail the way the device sink reports a lost card), will not open while it
//! is out, and opens again once it is plugged back in. Nothing is restarted in between.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use loaxa::audio::arbiter::Priority;
use loaxa::audio::player::{AirHooks, OutputOptions, PlayRequest, Player, PlayerEvent};
use loaxa::audio::sink::{self, Cleared, Sink, SinkError, WavSink};
use loaxa::audio::{AudioFormat, Outcome, PlayReport};
use loaxa::clock::{Clock, SystemClock};
use loaxa::config::OutputSpec;

use crate::common::{read_wav, tone_runs, write_tone};

const RATE: u32 = 16_000;
const FORMAT: AudioFormat = AudioFormat {
    sample_rate: RATE,
    channels: 1,
};
const CARD: &str = "hw:CARD=Loa,DEV=0";
/// How often the player retries a missing output (the service uses 5 s).
const RETRY: Duration = Duration::from_millis(100);

/// The USB sound card, and the test's hand on its plug.
struct Card {
    dir: PathBuf,
    plugged: AtomicBool,
    /// Samples that went through the card, over all the times it was opened.
    through: AtomicU64,
    /// It stalls once (the writer falls behind: an underrun) when `through` passes this.
    stall_at: u64,
    /// It is pulled out (once) when a write would take `through` past this.
    pull_at: AtomicU64,
    /// Every time the player tried to open it.
    open_attempts: AtomicUsize,
    /// One capture per successful open, with the underruns that opening counted.
    opened: Mutex<Vec<(PathBuf, u64)>>,
}

impl Card {
    fn lost(&self) -> SinkError {
        // What ALSA says when a USB card goes away under a running stream.
        SinkError::DeviceLost {
            name: CARD.into(),
            detail: "snd_pcm_writei: No such device (ENODEV)".into(),
        }
    }

    fn captures(&self) -> Vec<(PathBuf, u64)> {
        self.opened.lock().unwrap().clone()
    }

    fn note_underruns(&self, index: usize, underruns: u64) {
        self.opened.lock().unwrap()[index].1 = underruns;
    }
}

/// One opening of the card: a real WAV capture (what the speakers got) behind the plug.
struct CardSink {
    card: Arc<Card>,
    index: usize,
    inner: WavSink,
    clock: Arc<dyn Clock>,
}

impl Sink for CardSink {
    fn format(&self) -> AudioFormat {
        self.inner.format()
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        if !self.card.plugged.load(Ordering::SeqCst) {
            return Err(self.card.lost());
        }
        let before = self.card.through.load(Ordering::SeqCst);
        let after = before + samples.len() as u64;
        if after > self.card.pull_at.load(Ordering::SeqCst) {
            self.card.pull_at.store(u64::MAX, Ordering::SeqCst);
            self.card.plugged.store(false, Ordering::SeqCst);
            return Err(self.card.lost());
        }
        if before < self.card.stall_at && after >= self.card.stall_at {
            // The card hiccups: the player is held up past the buffer and the output runs dry.
            self.clock.sleep(Duration::from_millis(150));
        }
        let at = self.inner.write(samples)?;
        self.card.through.store(after, Ordering::SeqCst);
        self.card.note_underruns(self.index, self.inner.underruns());
        Ok(at)
    }

    fn clear(&mut self) -> Cleared {
        self.inner.clear()
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        if !self.card.plugged.load(Ordering::SeqCst) {
            return Err(self.card.lost());
        }
        let at = self.inner.drain()?;
        self.card.note_underruns(self.index, self.inner.underruns());
        Ok(at)
    }

    fn underruns(&self) -> u64 {
        self.inner.underruns()
    }

    fn latency(&self) -> Duration {
        self.inner.latency()
    }
}

/// Opens the card the way the device sink does: missing while unplugged, a fresh capture file
/// each time it opens.
fn opener(card: Arc<Card>) -> sink::Opener {
    Arc::new(
        move |_: &OutputSpec,
              format: AudioFormat,
              clock: Arc<dyn Clock>|
              -> Result<Box<dyn Sink>, SinkError> {
            card.open_attempts.fetch_add(1, Ordering::SeqCst);
            if !card.plugged.load(Ordering::SeqCst) {
                return Err(SinkError::DeviceMissing(CARD.into()));
            }
            let mut opened = card.opened.lock().unwrap();
            let index = opened.len();
            let path = card.dir.join(format!("loa-{index}.wav"));
            let inner = WavSink::create(&path, format, clock.clone())?;
            opened.push((path, 0));
            Ok(Box::new(CardSink {
                card: card.clone(),
                index,
                inner,
                clock,
            }))
        },
    )
}

/// The next event that `done` accepts, within `secs`.
pub(crate) fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<PlayerEvent>,
    secs: u64,
    what: &str,
    mut done: impl FnMut(&PlayerEvent) -> bool,
) -> PlayerEvent {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        match rx.try_recv() {
            Ok(e) if done(&e) => return e,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

fn ended(
    rx: &mut tokio::sync::broadcast::Receiver<PlayerEvent>,
    id: u64,
    what: &str,
) -> PlayReport {
    match wait_for(
        rx,
        10,
        what,
        |e| matches!(e, PlayerEvent::Ended(r) if r.id == id),
    ) {
        PlayerEvent::Ended(r) => r,
        _ => unreachable!(),
    }
}

/// Poll `ok` every 5 ms until it holds; fail saying `what` after `secs`.
fn within(secs: u64, what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "not within {secs} s: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Poll the player's status until `ok` holds, for up to ten seconds (a busy machine).
fn status_becomes(
    player: &Player,
    what: &str,
    ok: impl Fn(&loaxa::audio::player::PlayerStatus) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = player.status();
        if ok(&s) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "status never showed {what}: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The amplifier's power relay, as the player drives it: on for each voice, off when idle.
#[derive(Default)]
struct Amplifier {
    on: AtomicBool,
}

impl AirHooks for Amplifier {
    fn on_air(&self, _zones: &[String]) -> Duration {
        self.on.store(true, Ordering::SeqCst);
        Duration::ZERO
    }

    fn off_air(&self) {
        self.on.store(false, Ordering::SeqCst);
    }
}

/// Pings the player every 20 ms, as the watchdog does, except while paused; remembers the
/// slowest answer and any that never came.
struct Pinger {
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u32, Duration, Vec<String>)>,
}

impl Pinger {
    fn start(player: Arc<Player>) -> Pinger {
        let stop = Arc::new(AtomicBool::new(false));
        let paused = Arc::new(AtomicBool::new(false));
        let (s, p) = (stop.clone(), paused.clone());
        let thread = std::thread::spawn(move || {
            let (mut pings, mut worst, mut missed) = (0, Duration::ZERO, Vec::new());
            let started = Instant::now();
            while !s.load(Ordering::SeqCst) {
                if !p.load(Ordering::SeqCst) {
                    let t = Instant::now();
                    if !player.answers(Duration::from_secs(1)) {
                        missed.push(format!("{:?} in", started.elapsed()));
                    }
                    pings += 1;
                    worst = worst.max(t.elapsed());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (pings, worst, missed)
        });
        Pinger {
            stop,
            paused,
            thread,
        }
    }

    fn pause(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
        // Let a ping already on its way be answered.
        std::thread::sleep(Duration::from_millis(30));
    }

    fn finish(self) -> (u32, Duration, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

#[test]
fn the_card_pulled_out_mid_bulletin_comes_back_without_a_restart() {
    let test_started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    write_tone(RATE, &file("ban-tin-sang.wav"), 440.0, 2.0);
    write_tone(RATE, &file("thong-bao.wav"), 440.0, 0.5);
    write_tone(RATE, &file("ban-tin-chieu.wav"), 1000.0, 1.2);
    write_tone(RATE, &file("canh-bao.wav"), 2000.0, 0.5);

    let card = Arc::new(Card {
        dir: dir.path().to_path_buf(),
        plugged: AtomicBool::new(true),
        through: AtomicU64::new(0),
        stall_at: u64::from(RATE) / 5,
        pull_at: AtomicU64::new(u64::from(RATE) * 6 / 10),
        open_attempts: AtomicUsize::new(0),
        opened: Mutex::new(Vec::new()),
    });
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let mut options = OutputOptions::new(OutputSpec::Device(Some(CARD.into())), FORMAT, clock);
    options.retry = Some(RETRY);
    options.open = opener(card.clone());
    let amplifier = Arc::new(Amplifier::default());
    options.hooks = amplifier.clone();
    let player = Arc::new(Player::spawn(options).unwrap());
    let mut rx = player.subscribe();
    let pinger = Pinger::start(player.clone());

    // The morning bulletin airs; 0.6 s in, the card is pulled out.
    let morning = player.play(PlayRequest::file(file("ban-tin-sang.wav"), "Bản tin sáng"));
    wait_for(
        &mut rx,
        5,
        "the morning bulletin",
        |e| matches!(e, PlayerEvent::Started { id, .. } if *id == morning),
    );
    assert!(amplifier.on.load(Ordering::SeqCst), "the amplifier is on");
    let cut = ended(&mut rx, morning, "the morning bulletin to be cut");
    let Outcome::Failed { reason } = &cut.outcome else {
        panic!("a bulletin cut by a lost card is not completed: {cut:?}");
    };
    assert!(
        reason.contains("lost sound card") && reason.contains(CARD),
        "the as-run says the card was lost: {reason}"
    );
    assert!(
        cut.first_sample_at.is_some() && cut.last_sample_at.is_some(),
        "it did start: {cut:?}"
    );
    let heard = cut.frames as f64 / f64::from(RATE);
    assert!(
        heard > 0.5 && heard <= 0.6,
        "about 0.6 s of it went out: {heard} s"
    );
    match wait_for(&mut rx, 5, "the output to be reported lost", |e| {
        matches!(e, PlayerEvent::OutputLost { .. })
    }) {
        PlayerEvent::OutputLost { output, reason } => {
            assert_eq!(output, format!("device:{CARD}"));
            assert!(reason.contains("lost sound card"), "{reason}");
        }
        _ => unreachable!(),
    }

    // While the card is out: the dashboard says so, nothing is on air, and the player keeps
    // trying to open it.
    status_becomes(&player, "the lost card", |s| {
        s.output_error.is_some() && s.format.is_none() && s.now_playing.is_none()
    });
    assert!(
        !amplifier.on.load(Ordering::SeqCst),
        "the amplifier is released while the card is out"
    );
    let attempts = card.open_attempts.load(Ordering::SeqCst);
    within(10, "the player tries the card again by itself", || {
        card.open_attempts.load(Ordering::SeqCst) > attempts
    });
    status_becomes(&player, "the card missing", |s| {
        s.output_error
            .as_ref()
            .is_some_and(|e| e.en().contains("not found") && e.vi().contains(CARD))
    });
    // A notice sent now is refused at once with the reason, not held to air hours later.
    let notice = player.play(PlayRequest::file(file("thong-bao.wav"), "Thông báo"));
    let refused = ended(&mut rx, notice, "the notice to be refused");
    match &refused.outcome {
        Outcome::Failed { reason } => assert!(reason.contains("not found"), "{reason}"),
        other => panic!("nothing can air without a card: {other:?}"),
    }
    assert_eq!(refused.frames, 0);

    // Plugged back in, with nobody knocking (no pings, no requests): the player opens it on
    // its own within a retry or two.
    pinger.pause(true);
    let tried = card.open_attempts.load(Ordering::SeqCst);
    let replugged = Instant::now();
    card.plugged.store(true, Ordering::SeqCst);
    match wait_for(&mut rx, 5, "the card to be reopened", |e| {
        matches!(e, PlayerEvent::OutputReady { .. })
    }) {
        PlayerEvent::OutputReady { output, format } => {
            assert_eq!(
                (output.as_str(), format),
                (format!("device:{CARD}").as_str(), FORMAT)
            );
        }
        _ => unreachable!(),
    }
    let recovered_in = replugged.elapsed();
    // Counted in tries, not time: a busy machine makes each retry late, not more of them.
    let tries = card.open_attempts.load(Ordering::SeqCst) - tried;
    assert!(
        tries <= 2,
        "reopened at the {tries}th try after the card came back"
    );
    pinger.pause(false);
    status_becomes(&player, "the card back", |s| {
        s.output_error.is_none() && s.format == Some(FORMAT)
    });

    // The afternoon bulletin airs, and an emergency cuts into it; both play through.
    let afternoon = player.play(PlayRequest::file(
        file("ban-tin-chieu.wav"),
        "Bản tin chiều",
    ));
    wait_for(
        &mut rx,
        5,
        "the afternoon bulletin",
        |e| matches!(e, PlayerEvent::Started { id, .. } if *id == afternoon),
    );
    // 0.3 s of its 1.2 s through the card, however long that took.
    let begun = card.through.load(Ordering::SeqCst);
    within(10, "the afternoon bulletin goes out", || {
        card.through.load(Ordering::SeqCst) >= begun + u64::from(RATE) * 3 / 10
    });
    let alarm = player.play(PlayRequest {
        priority: Priority::Emergency,
        ..PlayRequest::file(file("canh-bao.wav"), "Cảnh báo lũ")
    });
    let mut reports = Vec::new();
    wait_for(
        &mut rx,
        10,
        "both to finish and the output to go quiet",
        |e| {
            if let PlayerEvent::Ended(r) = e {
                reports.push(r.clone());
            }
            matches!(e, PlayerEvent::Idle { .. })
        },
    );
    for id in [alarm, afternoon] {
        let r = reports.iter().find(|r| r.id == id).unwrap();
        assert_eq!(r.outcome, Outcome::Completed, "{r:?}");
    }
    assert_eq!(
        reports.iter().map(|r| r.id).collect::<Vec<_>>(),
        [alarm, afternoon],
        "the emergency ended first, then the bulletin it interrupted"
    );

    // The underrun from before the card was lost still counts after it came back.
    let captures = card.captures();
    assert_eq!(
        captures.len(),
        2,
        "opened once at start and once after: {captures:?}"
    );
    let (before, after) = (captures[0].1, captures[1].1);
    assert!(
        before >= 1,
        "the hiccup was an underrun on the first opening"
    );
    assert_eq!(
        after, 0,
        "the emergency cutting into the bulletin is a pre-emption, not an underrun"
    );
    status_becomes(&player, "every underrun", |s| s.underruns == before + after);
    assert_eq!(
        player.status().completed,
        2,
        "the cut bulletin is not counted as completed"
    );

    let (pings, worst, missed) = pinger.finish();
    assert!(
        missed.is_empty(),
        "the player stopped answering: {missed:?}"
    );
    assert!(pings > 20, "pinged throughout: {pings}");
    drop(player);

    // What the speakers got: 0.6 s of the morning bulletin before the card went, then the
    // afternoon bulletin with the whole emergency in it, none of it lost or repeated.
    let first = read_wav(&captures[0].0);
    assert_eq!(
        first.frames() as u64,
        cut.frames,
        "the as-run matches the speakers"
    );
    let runs = tone_runs(&first.samples, RATE);
    assert_eq!(
        runs.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
        [440],
        "{runs:?}"
    );
    let second = read_wav(&captures[1].0);
    let runs = tone_runs(&second.samples, RATE);
    let bands: Vec<u32> = runs.iter().map(|(b, _)| *b).filter(|b| *b != 0).collect();
    assert_eq!(
        bands,
        [1000, 2000, 1000],
        "bulletin, emergency, bulletin: {runs:?}"
    );
    let secs = |band: u32| -> f64 {
        runs.iter()
            .filter(|(b, _)| *b == band)
            .map(|(_, t)| t)
            .sum()
    };
    assert!(
        (secs(1000) - 1.2).abs() < 0.06,
        "the whole bulletin: {runs:?}"
    );
    assert!(
        (secs(2000) - 0.5).abs() < 0.06,
        "the whole emergency: {runs:?}"
    );
    eprintln!(
        "faults: recovered {recovered_in:?} after replug, at try {tries}; {pings} pings, slowest {worst:?}; \
         {} open attempts; underruns {before}+{after}; {:?} in all",
        card.open_attempts.load(Ordering::SeqCst),
        test_started.elapsed()
    );
}
