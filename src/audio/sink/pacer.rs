//! Real-time pacing for outputs that have no hardware clock of their own (null, WAV capture).
//!
//! The pacer keeps a virtual playhead: the output "plays" frame k at `anchor + k / rate`. A
//! writer may run at most one buffer ahead of the clock; a writer that falls behind the
//! playhead has let the output run dry, which is an underrun, and the playhead restarts at now. It
//! does not hold or write samples: it only says when a writer may go on.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Cleared;
use crate::clock::Clock;

pub(super) struct Pacer {
    clock: Arc<dyn Clock>,
    rate: u32,
    lookahead: Duration,
    /// Set while audio flows; `None` when idle, so the next write starts a new timeline.
    anchor: Option<Anchor>,
    underruns: u64,
}

#[derive(Clone, Copy)]
struct Anchor {
    mono: Duration,
    wall: DateTime<Utc>,
    /// Frames admitted since the anchor.
    frames: u64,
}

impl Pacer {
    pub(super) fn new(clock: Arc<dyn Clock>, rate: u32, lookahead: Duration) -> Self {
        Pacer {
            clock,
            rate,
            lookahead,
            anchor: None,
            underruns: 0,
        }
    }

    fn offset(&self, frames: u64) -> Duration {
        Duration::from_nanos((u128::from(frames) * 1_000_000_000 / u128::from(self.rate)) as u64)
    }

    /// Admit `frames` more frames, sleeping until their end is at most one buffer ahead of
    /// the playhead.
    /// Returns when the first of them is played.
    pub(super) fn admit(&mut self, frames: u64) -> DateTime<Utc> {
        self.end_if_dry();
        let mut anchor = self.anchor.unwrap_or_else(|| self.fresh_anchor());
        let start = anchor.frames;
        anchor.frames += frames;
        self.anchor = Some(anchor);
        let ahead = (anchor.mono + self.offset(anchor.frames)).saturating_sub(self.clock.elapsed());
        if ahead > self.lookahead {
            self.clock.sleep(ahead - self.lookahead);
        }
        anchor.wall + self.chrono_offset(start)
    }

    fn fresh_anchor(&self) -> Anchor {
        Anchor {
            mono: self.clock.elapsed(),
            wall: self.clock.now(),
            frames: 0,
        }
    }

    fn chrono_offset(&self, frames: u64) -> chrono::Duration {
        chrono::Duration::from_std(self.offset(frames)).unwrap_or(chrono::Duration::zero())
    }

    /// If everything admitted has played (the writer paused or fell behind), end that
    /// timeline, count the underrun and return how many frames it held; the next frame admitted
    /// starts a new timeline at now.
    pub(super) fn end_if_dry(&mut self) -> Option<u64> {
        let a = self.anchor?;
        if a.mono + self.offset(a.frames) >= self.clock.elapsed() {
            return None;
        }
        self.anchor = None;
        self.underruns += 1;
        Some(a.frames)
    }

    /// Frames of the current timeline whose time has come: what has reached the output.
    pub(super) fn played_frames(&self) -> u64 {
        match self.anchor {
            None => 0,
            Some(a) => {
                let since = self.clock.elapsed().saturating_sub(a.mono);
                let played = (since.as_nanos() * u128::from(self.rate) / 1_000_000_000) as u64;
                played.min(a.frames)
            }
        }
    }

    /// Frames admitted in the current timeline.
    pub(super) fn admitted_frames(&self) -> u64 {
        self.anchor.map_or(0, |a| a.frames)
    }

    /// Cut the timeline at the playhead (pre-emption): admitted frames not yet played are
    /// dropped, and the next admitted frame starts a new timeline at once, right after the
    /// last one heard. The gap until that write is the pre-emption itself, not an underrun.
    pub(super) fn cut(&mut self) -> Cleared {
        let played = self.played_frames();
        let Some(a) = self.anchor.take() else {
            return Cleared {
                at: self.clock.now(),
                discarded_frames: 0,
            };
        };
        Cleared {
            at: a.wall + self.chrono_offset(played),
            discarded_frames: a.frames - played,
        }
    }

    /// Sleep until everything admitted has played, end the timeline, and return the time the
    /// last frame reached the output.
    pub(super) fn finish(&mut self) -> DateTime<Utc> {
        let Some(a) = self.anchor.take() else {
            return self.clock.now();
        };
        let end = a.mono + self.offset(a.frames);
        let now = self.clock.elapsed();
        if end > now {
            self.clock.sleep(end - now);
        }
        a.wall + self.chrono_offset(a.frames)
    }

    pub(super) fn underruns(&self) -> u64 {
        self.underruns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimClock;
    use chrono::TimeZone;

    fn sim() -> Arc<SimClock> {
        Arc::new(SimClock::starting_at(
            Utc.with_ymd_and_hms(2026, 9, 2, 0, 0, 0).unwrap(),
        ))
    }

    #[test]
    fn timeline_is_gap_free_and_exact() {
        let clock = sim();
        let t0 = clock.now();
        let mut p = Pacer::new(clock.clone(), 48_000, Duration::from_millis(100));
        let first = p.admit(48_000);
        let second = p.admit(24_000);
        assert_eq!(first, t0);
        assert_eq!(second, t0 + chrono::Duration::seconds(1));
        let end = p.finish();
        assert_eq!(end, t0 + chrono::Duration::milliseconds(1500));
        assert_eq!(p.underruns(), 0);
    }

    #[test]
    fn a_late_writer_is_an_underrun() {
        let clock = sim();
        let mut p = Pacer::new(clock.clone(), 48_000, Duration::from_millis(100));
        p.admit(4_800);
        clock.advance(Duration::from_millis(500));
        p.admit(4_800);
        assert_eq!(p.underruns(), 1);
    }

    #[test]
    fn cut_keeps_only_what_played() {
        let clock = sim();
        let t0 = clock.now();
        let mut p = Pacer::new(clock.clone(), 1_000, Duration::from_millis(100));
        p.admit(10_000);
        // The pacer let the writer run one buffer ahead: 9.9 s of audio is still queued.
        let cut = p.cut();
        assert_eq!(cut.discarded_frames, 100);
        assert_eq!(cut.at, t0 + chrono::Duration::milliseconds(9_900));
    }

    #[test]
    fn what_follows_a_cut_is_not_an_underrun_and_starts_at_once() {
        let clock = sim();
        let mut p = Pacer::new(clock.clone(), 1_000, Duration::from_millis(100));
        p.admit(1_000);
        clock.advance(Duration::from_millis(300));
        p.cut();
        // The emergency's first chunk comes a moment after the cut.
        clock.advance(Duration::from_millis(2));
        let at = p.admit(100);
        assert_eq!(p.underruns(), 0);
        assert_eq!(at, clock.now());
    }
}
