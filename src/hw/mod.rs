//! The hardware around the speakers: the amplifier's power relay, one relay per zone (thôn),
//! and the emergency push button, behind the small [`Gpio`] trait.
//!
//! [`Relays`] is what the player calls right before a voice's first sample
//! ([`AirHooks`]): it switches the zones, powers the amplifier (returning the warm-up still
//! needed) and, once everything is quiet, powers it down after the hold time. The
//! [`RecordingGpio`] keeps a timeline of every switch for tests; `PiGpio` (feature `pi`)
//! drives real pins through rppal. [`board`] reads the board's temperature and supply.
//!
//! Owns the pins; must not decide what airs: the player tells it when a voice starts and ends.

pub mod board;
mod button;
#[cfg(feature = "pi")]
mod pi;

pub use button::{ButtonWatcher, Press};
#[cfg(feature = "pi")]
pub use pi::PiGpio;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::audio::player::AirHooks;
use crate::clock::Clock;
use crate::config::{GpioKind, HwConfig};

/// A GPIO line could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "không điều khiển được chân GPIO {pin}: {detail} — kiểm tra dây nối và nhóm gpio của tài khoản / cannot drive GPIO {pin}: {detail} — check the wiring and the account's gpio group"
)]
pub struct HwError {
    /// BCM pin number.
    pub pin: u8,
    /// What the system said.
    pub detail: String,
}

/// Digital lines: relays out, the button in.
pub trait Gpio: Send + Sync {
    /// Switch an output line (a relay) on or off.
    fn set(&self, pin: u8, on: bool) -> Result<(), HwError>;
    /// Whether an input line (the button, active low) is pressed.
    fn pressed(&self, pin: u8) -> Result<bool, HwError>;
}

/// No GPIO at all (a PC, or an amplifier that is always on).
#[derive(Debug, Default)]
pub struct NoGpio;

impl Gpio for NoGpio {
    fn set(&self, _: u8, _: bool) -> Result<(), HwError> {
        Ok(())
    }
    fn pressed(&self, _: u8) -> Result<bool, HwError> {
        Ok(false)
    }
}

/// A fake GPIO that remembers every switch with its time, and whose button tests can press.
pub struct RecordingGpio {
    clock: Arc<dyn Clock>,
    timeline: Mutex<Vec<(DateTime<Utc>, u8, bool)>>,
    buttons: Mutex<BTreeMap<u8, bool>>,
}

impl RecordingGpio {
    /// A fake reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        RecordingGpio {
            clock,
            timeline: Mutex::default(),
            buttons: Mutex::default(),
        }
    }

    /// Every switch so far: (time, pin, on).
    pub fn timeline(&self) -> Vec<(DateTime<Utc>, u8, bool)> {
        self.timeline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Hold or release a button.
    pub fn hold(&self, pin: u8, pressed: bool) {
        self.buttons
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(pin, pressed);
    }

    fn record(&self, at: DateTime<Utc>, pin: u8, on: bool) {
        self.timeline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((at, pin, on));
    }
}

impl Gpio for RecordingGpio {
    fn set(&self, pin: u8, on: bool) -> Result<(), HwError> {
        self.record(self.clock.now(), pin, on);
        Ok(())
    }
    fn pressed(&self, pin: u8) -> Result<bool, HwError> {
        Ok(*self
            .buttons
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&pin)
            .unwrap_or(&false))
    }
}

#[derive(Debug, Default)]
struct AmpState {
    /// When the amplifier was powered, if it is.
    on_since: Option<DateTime<Utc>>,
    /// When it is due to power down (everything quiet since then minus the hold).
    off_at: Option<DateTime<Utc>>,
    /// The zone relays last set.
    zones: Option<Vec<String>>,
}

/// The amplifier and zone relays, driven by what is on air.
pub struct Relays {
    gpio: Arc<dyn Gpio>,
    clock: Arc<dyn Clock>,
    amplifier: Option<u8>,
    zones: BTreeMap<String, u8>,
    warm_up: Duration,
    hold: Duration,
    state: Mutex<AmpState>,
}

impl Relays {
    /// Relays as `[hw]` says, on `gpio`.
    pub fn new(gpio: Arc<dyn Gpio>, clock: Arc<dyn Clock>, config: &HwConfig) -> Relays {
        Relays {
            gpio,
            clock,
            amplifier: config.amplifier_pin,
            zones: config.zones.clone(),
            warm_up: Duration::from_secs_f32(config.amplifier_warmup_seconds.max(0.0)),
            hold: Duration::from_secs_f32(config.amplifier_hold_seconds.max(0.0)),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, AmpState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn switch(&self, pin: u8, on: bool) {
        if let Err(e) = self.gpio.set(pin, on) {
            tracing::error!("{e}");
        }
    }

    /// Power the amplifier now (a slot is coming, or an emergency); returns the warm-up left.
    pub fn power_on(&self) -> Duration {
        let now = self.clock.now();
        let mut s = self.state();
        s.off_at = None;
        let since = match s.on_since {
            Some(t) => t,
            None => {
                if let Some(pin) = self.amplifier {
                    self.switch(pin, true);
                }
                s.on_since = Some(now);
                now
            }
        };
        if self.amplifier.is_none() {
            return Duration::ZERO;
        }
        let warm = chrono::Duration::from_std(self.warm_up).unwrap_or_default();
        (since + warm - now).to_std().unwrap_or_default()
    }

    /// Power down if the hold time after the last sample has passed. The service calls this
    /// every second; tests call it after moving their clock.
    pub fn settle(&self) {
        let mut s = self.state();
        if let (Some(off_at), Some(pin)) = (s.off_at, self.amplifier)
            && self.clock.now() >= off_at
        {
            self.switch(pin, false);
            s.on_since = None;
            s.off_at = None;
        }
    }

    /// The zone relays to switch to go from `before` (`None`: unknown, at start) to `zones`
    /// (empty: all), as (pin, on); relays already right are left alone.
    fn zone_switches(&self, before: Option<&[String]>, zones: &[String]) -> Vec<(u8, bool)> {
        let covers = |set: &[String], name: &String| set.is_empty() || set.contains(name);
        self.zones
            .iter()
            .map(|(name, pin)| (name, *pin, covers(zones, name)))
            .filter(|(name, _, on)| before.is_none_or(|b| covers(b, name) != *on))
            .map(|(_, pin, on)| (pin, on))
            .collect()
    }
}

impl AirHooks for Relays {
    fn on_air(&self, zones: &[String]) -> Duration {
        let before = self.state().zones.replace(zones.to_vec());
        for (pin, on) in self.zone_switches(before.as_deref(), zones) {
            self.switch(pin, on);
        }
        self.power_on()
    }

    fn off_air(&self) {
        let hold = chrono::Duration::from_std(self.hold).unwrap_or_default();
        self.state().off_at = Some(self.clock.now() + hold);
    }

    fn prepare(&self) {
        self.power_on();
    }
}

/// Open the GPIO `[hw] gpio` names.
pub fn open_gpio(config: &HwConfig) -> Result<Arc<dyn Gpio>, HwError> {
    match config.gpio {
        #[cfg(feature = "pi")]
        GpioKind::Pi => Ok(Arc::new(PiGpio::open(config)?)),
        #[cfg(not(feature = "pi"))]
        GpioKind::Pi => Err(HwError {
            pin: 0,
            detail: "bản dựng này không có tính năng pi; hãy dựng với --features pi / this build has no pi feature; build with --features pi".into(),
        }),
        GpioKind::None => Ok(Arc::new(NoGpio)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimClock;
    use chrono::TimeZone;

    fn relays() -> (Arc<SimClock>, Arc<RecordingGpio>, Relays) {
        let clock = Arc::new(SimClock::starting_at(
            Utc.with_ymd_and_hms(2026, 9, 2, 6, 0, 0).unwrap(),
        ));
        let gpio = Arc::new(RecordingGpio::new(clock.clone()));
        let config = HwConfig {
            gpio: GpioKind::None,
            amplifier_pin: Some(17),
            amplifier_warmup_seconds: 2.0,
            amplifier_hold_seconds: 30.0,
            emergency_button_pin: None,
            zones: [("Thôn 1".to_string(), 5), ("Thôn 2".to_string(), 6)].into(),
        };
        let r = Relays::new(gpio.clone(), clock.clone(), &config);
        (clock, gpio, r)
    }

    #[test]
    fn the_amplifier_warms_up_then_holds_after_the_last_sample() {
        let (clock, gpio, r) = relays();
        let t0 = clock.now();
        assert_eq!(r.on_air(&["Thôn 1".into()]), Duration::from_secs(2));
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            r.on_air(&["Thôn 1".into()]),
            Duration::from_secs(1),
            "still warming"
        );
        clock.advance(Duration::from_secs(60));
        r.off_air();
        clock.advance(Duration::from_secs(29));
        r.settle();
        clock.advance(Duration::from_secs(1));
        r.settle();
        let off = t0 + chrono::Duration::seconds(61 + 30);
        assert_eq!(
            gpio.timeline(),
            vec![
                (t0, 5, true),
                (t0, 6, false),
                (t0, 17, true),
                (off, 17, false)
            ]
        );
    }

    #[test]
    fn a_new_play_within_the_hold_keeps_the_amplifier_on() {
        let (clock, gpio, r) = relays();
        r.on_air(&[]);
        r.off_air();
        clock.advance(Duration::from_secs(10));
        assert_eq!(r.on_air(&[]), Duration::ZERO, "already warm");
        clock.advance(Duration::from_secs(40));
        r.settle();
        assert_eq!(
            gpio.timeline().iter().filter(|(_, p, _)| *p == 17).count(),
            1,
            "never switched off"
        );
    }
}
