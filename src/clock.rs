//! Time at the edges: the one place that knows whether time is real or simulated.
//!
//! Everything that waits (the audio sinks pacing themselves to real time, the programme runner
//! waiting for the next cue) asks a [`Clock`]. The service uses [`SystemClock`]; tests and
//! `--fast` use [`SimClock`], whose sleeps return at once and move simulated time forward, so a
//! week of programme runs in milliseconds with the same code path.
//!
//! Owns nothing but time; must not import the rest of the crate.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// A source of wall-clock and monotonic time that can also wait.
pub trait Clock: Send + Sync + 'static {
    /// Wall-clock time, as logs and the programme see it. May jump (NTP, a Pi booting without
    /// a battery clock).
    fn now(&self) -> DateTime<Utc>;
    /// Monotonic time since an arbitrary origin; never jumps, so pacing uses it.
    fn elapsed(&self) -> Duration;
    /// Wait for `d` of monotonic time.
    fn sleep(&self, d: Duration);
    /// Whether sleeps really wait. Simulated clocks let callers skip real-time polling loops.
    fn is_real(&self) -> bool {
        true
    }
}

/// The machine's clocks.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Simulated time: sleeping moves time forward instead of waiting.
///
/// Shared between threads it behaves like one timeline that whoever sleeps pushes forward;
/// that is exact for the sequential scenarios tests build (play, then wait for the next cue).
/// [`SimClock::hold_at`] stops the timeline at a moment: sleepers that would pass it wait
/// (in real time) until it is moved on, so a test can change the world at that moment (cut
/// a link, restart a broker) and then let a simulated hour run in a second.
#[derive(Debug)]
pub struct SimClock {
    state: Mutex<SimState>,
    moved: Condvar,
}

#[derive(Debug, Clone, Copy)]
struct SimState {
    wall: DateTime<Utc>,
    mono: Duration,
    /// Time does not pass this wall time (`None`: no hold).
    hold: Option<DateTime<Utc>>,
}

impl SimClock {
    /// Simulated time starting at `start`.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        SimClock {
            state: Mutex::new(SimState {
                wall: start,
                mono: Duration::ZERO,
                hold: None,
            }),
            moved: Condvar::new(),
        }
    }

    /// Hold simulated time at `wall` (`None`: let it run freely again): from now on no sleep
    /// takes it past that moment; a sleeper that would waits until the hold moves on.
    pub fn hold_at(&self, wall: Option<DateTime<Utc>>) {
        self.lock().hold = wall;
        self.moved.notify_all();
    }

    /// Move both clocks forward, as if `d` passed.
    pub fn advance(&self, d: Duration) {
        let mut s = self.lock();
        s.mono += d;
        s.wall += chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero());
    }

    /// Make the wall clock jump (an NTP correction), leaving monotonic time alone.
    pub fn jump_wall_to(&self, wall: DateTime<Utc>) {
        self.lock().wall = wall;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        // A poisoned clock only means another test thread panicked; its time is still valid.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        self.lock().wall
    }
    fn elapsed(&self) -> Duration {
        self.lock().mono
    }
    fn sleep(&self, d: Duration) {
        let mut s = self.lock();
        let target = s.mono + d;
        loop {
            let left = target.saturating_sub(s.mono);
            let allowed = match s.hold {
                None => left,
                Some(hold) => (hold - s.wall).to_std().unwrap_or(Duration::ZERO).min(left),
            };
            s.mono += allowed;
            s.wall += chrono::Duration::from_std(allowed).unwrap_or(chrono::Duration::zero());
            if allowed == left {
                return;
            }
            self.moved.notify_all();
            s = self.moved.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }
    fn is_real(&self) -> bool {
        false
    }
}

/// Sleep on `clock` until its wall time reaches `deadline`, waking at least every `step` so a
/// caller on a real clock notices wall-clock jumps. Returns the wall time on waking.
pub fn sleep_until(clock: &dyn Clock, deadline: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    loop {
        let now = clock.now();
        let Ok(left) = (deadline - now).to_std() else {
            return now;
        };
        if left.is_zero() {
            return now;
        }
        clock.sleep(if clock.is_real() {
            left.min(step)
        } else {
            left
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sim_clock_sleep_moves_both_clocks() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = SimClock::starting_at(start);
        c.sleep(Duration::from_secs(90));
        assert_eq!(c.now(), start + chrono::Duration::seconds(90));
        assert_eq!(c.elapsed(), Duration::from_secs(90));
    }

    #[test]
    fn sleep_until_reaches_deadline_at_once_on_sim_clock() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = SimClock::starting_at(start);
        let deadline = start + chrono::Duration::days(7);
        assert_eq!(sleep_until(&c, deadline, Duration::from_secs(1)), deadline);
    }

    #[test]
    fn a_held_clock_stops_sleepers_at_the_hold_until_it_moves_on() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = std::sync::Arc::new(SimClock::starting_at(start));
        c.hold_at(Some(start + chrono::Duration::minutes(10)));
        c.sleep(Duration::from_secs(60));
        assert_eq!(
            c.now(),
            start + chrono::Duration::minutes(1),
            "within the hold"
        );
        let sleeper = {
            let c = c.clone();
            std::thread::spawn(move || c.sleep(Duration::from_secs(3600)))
        };
        while c.now() < start + chrono::Duration::minutes(10) {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(c.now(), start + chrono::Duration::minutes(10), "held");
        assert!(!sleeper.is_finished());
        c.hold_at(None);
        sleeper.join().unwrap();
        assert_eq!(c.now(), start + chrono::Duration::minutes(61));
    }

    #[test]
    fn wall_jump_leaves_monotonic_time() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = SimClock::starting_at(start);
        c.jump_wall_to(start + chrono::Duration::hours(3));
        assert_eq!(c.elapsed(), Duration::ZERO);
    }
}
