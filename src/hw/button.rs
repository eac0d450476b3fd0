//! The emergency push button: debounced, so a bouncing contact or a stuck button gives one
//! press, never a storm of triggers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Gpio;

/// A press must be stable this long to count.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// Held this long while an emergency is on air, a press stops it.
const LONG_PRESS: Duration = Duration::from_secs(3);
/// How often the line is read.
const POLL: Duration = Duration::from_millis(10);

/// What the button means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Pressed (once per press, however long it is held).
    Short,
    /// Held for three seconds.
    Long,
}

/// Turns raw line readings into presses. Pure: the watcher feeds it readings and times.
#[derive(Debug, Default)]
pub struct Debouncer {
    /// The reading and since when it has been stable.
    stable: Option<(bool, Instant)>,
    /// The debounced state.
    down: bool,
    long_sent: bool,
}

impl Debouncer {
    /// Feed one reading; returns a press when one completes.
    pub fn feed(&mut self, pressed: bool, now: Instant) -> Option<Press> {
        let since = match self.stable {
            Some((v, t)) if v == pressed => t,
            _ => {
                self.stable = Some((pressed, now));
                now
            }
        };
        if now.duration_since(since) < DEBOUNCE {
            return None;
        }
        if pressed && !self.down {
            self.down = true;
            self.long_sent = false;
            return Some(Press::Short);
        }
        if !pressed {
            self.down = false;
        }
        if pressed && !self.long_sent && now.duration_since(since) >= LONG_PRESS {
            self.long_sent = true;
            return Some(Press::Long);
        }
        None
    }
}

/// A thread reading the button and calling back on presses.
pub struct ButtonWatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ButtonWatcher {
    /// Watch `pin`, calling `on_press` for every debounced press.
    pub fn spawn(
        gpio: Arc<dyn Gpio>,
        pin: u8,
        on_press: impl Fn(Press) + Send + 'static,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("loaxa-button".into())
            .spawn(move || {
                let mut d = Debouncer::default();
                let mut complained = false;
                while !flag.load(Ordering::Relaxed) {
                    match gpio.pressed(pin) {
                        Ok(p) => {
                            complained = false;
                            if let Some(press) = d.feed(p, Instant::now()) {
                                on_press(press);
                            }
                        }
                        Err(e) if !complained => {
                            tracing::error!("{e}");
                            complained = true;
                        }
                        Err(_) => {}
                    }
                    std::thread::sleep(POLL);
                }
            })?;
        Ok(ButtonWatcher {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for ButtonWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(d: &mut Debouncer, readings: &[(u64, bool)]) -> Vec<Press> {
        let t0 = Instant::now();
        readings
            .iter()
            .filter_map(|(ms, p)| d.feed(*p, t0 + Duration::from_millis(*ms)))
            .collect()
    }

    #[test]
    fn a_bouncing_contact_is_one_press() {
        let mut d = Debouncer::default();
        let bounce: Vec<(u64, bool)> = (0..20)
            .map(|i| (i * 2, i % 2 == 0))
            .chain((40..200).step_by(10).map(|t| (t, true)))
            .collect();
        assert_eq!(feed(&mut d, &bounce), [Press::Short]);
    }

    #[test]
    fn a_stuck_button_gives_one_press_and_one_long_press_not_a_storm() {
        let mut d = Debouncer::default();
        let stuck: Vec<(u64, bool)> = (0..60_000).step_by(10).map(|t| (t, true)).collect();
        assert_eq!(feed(&mut d, &stuck), [Press::Short, Press::Long]);
    }

    #[test]
    fn glitches_shorter_than_the_debounce_are_ignored() {
        let mut d = Debouncer::default();
        let glitch = [(0, false), (100, true), (120, false), (500, false)];
        assert!(feed(&mut d, &glitch).is_empty());
    }
}
