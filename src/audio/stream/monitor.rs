//! The relay's judgement, as a pure function of time and of what has arrived: whether the
//! stream is on air, briefly starved (silence while it catches up), or out (the fallback
//! plays), and when it comes back. The relay source asks it once per 10 ms chunk; tests drive
//! it with made-up times. It knows nothing of networks, decoders or clocks.

use std::time::Duration;

use super::{OutageCause, StreamError};

/// The thresholds of the judgement.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// No audio for this long (connected or not) is an outage.
    pub(super) stall: Duration,
    /// Audio under `silence_level` for this long is an outage.
    pub(super) silence: Duration,
    /// A silent stream must be audible again for this long before it goes back on air.
    pub(super) recover: Duration,
    /// Samples buffered before the stream first goes on air.
    pub(super) start: usize,
    /// Samples buffered before it goes back on air after running dry or an outage.
    pub(super) rebuffer: usize,
    /// Peak (linear) under which a chunk counts as silent.
    pub(super) silence_level: f32,
}

/// What one pull sees.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen<'a> {
    /// Monotonic time.
    pub(super) now: Duration,
    /// Samples waiting in the buffer.
    pub(super) buffered: usize,
    /// Peak of the next chunk, when a whole chunk is waiting.
    pub(super) next_peak: Option<f32>,
    /// Why the link is down, while it is (cleared when audio flows again).
    pub(super) failure: Option<&'a StreamError>,
}

/// What goes on air for this chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Play {
    /// The next chunk of the stream.
    Stream,
    /// Silence: not yet started, or starved for a moment.
    Silence,
    /// The fallback.
    Fallback,
    /// The fallback, while the next chunk of the stream is taken and listened to (a silent
    /// stream is followed live, to notice when it speaks again).
    FallbackListening,
}

/// A change worth reporting. Times are monotonic, as given in [`Seen::now`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// The stream itself is heard for the first time.
    OnAir,
    /// The stream went off air at `since` (when it stopped, or fell silent).
    OutageStarted { cause: OutageCause, since: Duration },
    /// The stream is back; it had been off air since `since`.
    OutageEnded { cause: OutageCause, since: Duration },
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Waiting for the first audio since `since`.
    Starting { since: Duration },
    /// On air.
    Live {
        /// Since when the buffer has been empty.
        dry_since: Option<Duration>,
        /// Since when what plays has been silent.
        silent_since: Option<Duration>,
        /// Ran dry: wait for `rebuffer` samples before playing again.
        rebuffering: bool,
    },
    /// Off air since `since`.
    Out {
        cause: OutageCause,
        since: Duration,
        /// Since when a silent stream has been audible again.
        loud_since: Option<Duration>,
    },
}

/// The relay's state of mind.
#[derive(Debug, Clone)]
pub(super) struct Monitor {
    limits: Limits,
    phase: Phase,
}

impl Monitor {
    /// A relay starting at `now`.
    pub(super) fn new(limits: Limits, now: Duration) -> Monitor {
        Monitor {
            limits,
            phase: Phase::Starting { since: now },
        }
    }

    /// Whether the stream is off air now.
    pub(super) fn outage(&self) -> Option<(&OutageCause, Duration)> {
        match &self.phase {
            Phase::Out { cause, since, .. } => Some((cause, *since)),
            _ => None,
        }
    }

    /// The relay was paused (an emergency took the air) and plays again at `now`: what it
    /// measured before the pause says nothing about the stream now.
    pub(super) fn resumed(&mut self, now: Duration) {
        match &mut self.phase {
            Phase::Starting { since } => *since = now,
            Phase::Live {
                dry_since,
                silent_since,
                ..
            } => {
                *dry_since = None;
                *silent_since = None;
            }
            Phase::Out { loud_since, .. } => *loud_since = None,
        }
    }

    /// Decide this chunk.
    pub(super) fn step(&mut self, seen: &Seen<'_>) -> (Play, Option<Change>) {
        let limits = self.limits;
        let now = seen.now;
        match &mut self.phase {
            Phase::Starting { since } => {
                let since = *since;
                if let Some(e) = seen.failure {
                    return self.go_out(OutageCause::Failed(e.clone()), now, Play::Fallback);
                }
                if seen.buffered >= limits.start && seen.next_peak.is_some() {
                    self.phase = Phase::Live {
                        dry_since: None,
                        silent_since: None,
                        rebuffering: false,
                    };
                    let (play, _) = self.step(seen);
                    return (play, Some(Change::OnAir));
                }
                if now.saturating_sub(since) >= limits.stall {
                    return self.go_out(OutageCause::Stalled, since, Play::Fallback);
                }
                (Play::Silence, None)
            }
            Phase::Live {
                dry_since,
                silent_since,
                rebuffering,
            } => {
                if *rebuffering && seen.buffered >= limits.rebuffer {
                    *rebuffering = false;
                }
                if let (false, Some(peak)) = (*rebuffering, seen.next_peak) {
                    *dry_since = None;
                    if peak >= limits.silence_level {
                        *silent_since = None;
                        return (Play::Stream, None);
                    }
                    let quiet = *silent_since.get_or_insert(now);
                    if now.saturating_sub(quiet) >= limits.silence {
                        return self.go_out(OutageCause::Silent, quiet, Play::FallbackListening);
                    }
                    return (Play::Stream, None);
                }
                let dry = *dry_since.get_or_insert(now);
                *rebuffering = true;
                if let Some(e) = seen.failure {
                    return self.go_out(OutageCause::Failed(e.clone()), dry, Play::Fallback);
                }
                if now.saturating_sub(dry) >= limits.stall {
                    return self.go_out(OutageCause::Stalled, dry, Play::Fallback);
                }
                (Play::Silence, None)
            }
            Phase::Out {
                cause,
                since,
                loud_since,
            } => {
                let (cause, since) = (cause.clone(), *since);
                if cause == OutageCause::Silent {
                    let Some(peak) = seen.next_peak else {
                        return (Play::Fallback, None);
                    };
                    if peak < limits.silence_level {
                        *loud_since = None;
                        return (Play::FallbackListening, None);
                    }
                    let loud = *loud_since.get_or_insert(now);
                    if now.saturating_sub(loud) < limits.recover {
                        return (Play::FallbackListening, None);
                    }
                } else if seen.failure.is_some()
                    || seen.buffered < limits.rebuffer
                    || seen.next_peak.is_none()
                {
                    return (Play::Fallback, None);
                }
                self.phase = Phase::Live {
                    dry_since: None,
                    silent_since: None,
                    rebuffering: false,
                };
                (Play::Stream, Some(Change::OutageEnded { cause, since }))
            }
        }
    }

    fn go_out(
        &mut self,
        cause: OutageCause,
        since: Duration,
        play: Play,
    ) -> (Play, Option<Change>) {
        self.phase = Phase::Out {
            cause: cause.clone(),
            since,
            loud_since: None,
        };
        (play, Some(Change::OutageStarted { cause, since }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const CHUNK: usize = 480;

    fn limits() -> Limits {
        Limits {
            stall: 5000 * MS,
            silence: 3000 * MS,
            recover: 1000 * MS,
            start: 10 * CHUNK,
            rebuffer: 20 * CHUNK,
            silence_level: 0.003,
        }
    }

    fn err() -> StreamError {
        StreamError::Ended {
            url: "http://127.0.0.1:8000/vov1".parse().unwrap(),
        }
    }

    /// Plays as runs of (play, chunks), and changes with their times in ms.
    type Trace = (Vec<(Play, u32)>, Vec<(u64, Change)>);

    /// Drive the monitor every 10 ms from `from` to `to` (ms) with what `seen` says then;
    /// the plays as runs of (play, chunks) and the changes with their times.
    fn run(
        m: &mut Monitor,
        from: u64,
        to: u64,
        seen: impl Fn(u64) -> (usize, Option<f32>, Option<StreamError>),
    ) -> Trace {
        let mut plays: Vec<(Play, u32)> = Vec::new();
        let mut changes = Vec::new();
        for t in (from..to).step_by(10) {
            let (buffered, next_peak, failure) = seen(t);
            let (play, change) = m.step(&Seen {
                now: Duration::from_millis(t),
                buffered,
                next_peak,
                failure: failure.as_ref(),
            });
            match plays.last_mut() {
                Some((p, n)) if *p == play => *n += 1,
                _ => plays.push((play, 1)),
            }
            changes.extend(change.map(|c| (t, c)));
        }
        (plays, changes)
    }

    fn audio(peak: f32) -> impl Fn(u64) -> (usize, Option<f32>, Option<StreamError>) {
        move |_| (100 * CHUNK, Some(peak), None)
    }

    #[test]
    fn the_stream_goes_on_air_once_enough_is_buffered() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        let (plays, changes) = run(&mut m, 0, 200, |t| {
            let buffered = (t as usize / 10) * CHUNK;
            (buffered, (buffered >= CHUNK).then_some(0.5), None)
        });
        assert_eq!(plays, vec![(Play::Silence, 10), (Play::Stream, 10)]);
        assert_eq!(changes, vec![(100, Change::OnAir)]);
    }

    #[test]
    fn a_stream_that_never_answers_is_an_outage_after_the_stall_time() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        let (plays, changes) = run(&mut m, 0, 6000, |_| (0, None, None));
        assert_eq!(plays, vec![(Play::Silence, 500), (Play::Fallback, 100)]);
        assert_eq!(
            changes,
            vec![(
                5000,
                Change::OutageStarted {
                    cause: OutageCause::Stalled,
                    since: Duration::ZERO
                }
            )]
        );
    }

    #[test]
    fn a_refused_connection_is_an_outage_at_once() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        let (plays, changes) = run(&mut m, 0, 100, |_| (0, None, Some(err())));
        assert_eq!(plays, vec![(Play::Fallback, 10)]);
        assert!(matches!(
            &changes[..],
            [(
                0,
                Change::OutageStarted {
                    cause: OutageCause::Failed(_),
                    ..
                }
            )]
        ));
    }

    #[test]
    fn a_dead_server_plays_out_its_buffer_then_the_fallback_until_it_is_back() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        run(&mut m, 0, 1000, audio(0.5));
        // The server dies at 1 s with 0.5 s buffered; it is back at 3 s.
        let (plays, changes) = run(&mut m, 1000, 5000, |t| match t {
            ..1500 => ((1500 - t as usize) / 10 * CHUNK, Some(0.5), Some(err())),
            1500..3000 => (0, None, Some(err())),
            _ => (((t - 3000) / 10) as usize * CHUNK, Some(0.5), None),
        });
        assert_eq!(
            plays,
            vec![
                (Play::Stream, 50),
                (Play::Fallback, 150 + 20),
                (Play::Stream, 180)
            ]
        );
        assert!(matches!(
            &changes[..],
            [
                (1500, Change::OutageStarted { cause: OutageCause::Failed(_), since: s }),
                (3200, Change::OutageEnded { cause: OutageCause::Failed(_), since: e }),
            ] if *s == 1500 * MS && *e == 1500 * MS
        ));
    }

    #[test]
    fn a_short_starvation_is_silence_and_a_long_one_an_outage() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        run(&mut m, 0, 1000, audio(0.5));
        // Dry for 1 s, then audio again: silence, then a rebuffer, no outage.
        let (plays, changes) = run(&mut m, 1000, 3000, |t| match t {
            ..2000 => (0, None, None),
            _ => (((t - 2000) / 10) as usize * CHUNK, Some(0.5), None),
        });
        assert_eq!(plays, vec![(Play::Silence, 120), (Play::Stream, 80)]);
        assert!(changes.is_empty(), "{changes:?}");
        // Dry for longer than the stall time: an outage from when it ran dry.
        let (_, changes) = run(&mut m, 3000, 9000, |_| (0, None, None));
        assert_eq!(
            changes,
            vec![(
                8000,
                Change::OutageStarted {
                    cause: OutageCause::Stalled,
                    since: 3000 * MS
                }
            )]
        );
    }

    #[test]
    fn silence_longer_than_the_limit_is_an_outage_until_the_stream_speaks_again() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        run(&mut m, 0, 1000, audio(0.5));
        let (plays, changes) = run(&mut m, 1000, 8000, |t| match t {
            // Silent from 1 s to 6 s, with a click at 2 s that does not end it...
            ..6000 => (100 * CHUNK, Some(if t == 2000 { 0.5 } else { 0.0 }), None),
            _ => (100 * CHUNK, Some(0.5), None),
        });
        assert_eq!(
            plays,
            vec![
                (Play::Stream, 401),
                (Play::FallbackListening, 99 + 100),
                (Play::Stream, 100)
            ]
        );
        assert_eq!(
            changes,
            vec![
                (
                    5010,
                    Change::OutageStarted {
                        cause: OutageCause::Silent,
                        since: 2010 * MS
                    }
                ),
                (
                    7000,
                    Change::OutageEnded {
                        cause: OutageCause::Silent,
                        since: 2010 * MS
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_pause_forgets_what_was_measured_before_it() {
        let mut m = Monitor::new(limits(), Duration::ZERO);
        run(&mut m, 0, 1000, audio(0.5));
        run(&mut m, 1000, 3000, audio(0.0));
        // Paused from 3 s to 60 s (an emergency), then still silent: the clock starts again.
        m.resumed(60_000 * MS);
        let (_, changes) = run(&mut m, 60_000, 62_000, audio(0.0));
        assert!(changes.is_empty(), "{changes:?}");
        let (_, changes) = run(&mut m, 62_000, 64_000, audio(0.0));
        assert_eq!(changes.len(), 1);
    }
}
