//! `[hw]`: the amplifier's and the zones' relays and the emergency button, on the Pi's GPIO. Only
//! the keys and their checks live here: `hw` drives the pins.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::values::GpioKind;
use super::{Findings, bad};
use crate::model::said;

/// `[hw]`: relays and the button on the Pi's GPIO (BCM numbering).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HwConfig {
    /// `none` (no relays: a PC, or an amplifier always on) or `pi` (GPIO through rppal,
    /// in builds with the `pi` feature). Default `none`.
    pub gpio: GpioKind,
    /// GPIO of the amplifier's power relay.
    pub amplifier_pin: Option<u8>,
    /// Seconds the amplifier needs after power-on before the first sample. Default 2.
    pub amplifier_warmup_seconds: f32,
    /// Seconds the amplifier stays on after the last sample. Default 30.
    pub amplifier_hold_seconds: f32,
    /// GPIO of the emergency push button (to ground, pulled up).
    pub emergency_button_pin: Option<u8>,
    /// Zone (thôn) name → GPIO of its relay.
    pub zones: BTreeMap<String, u8>,
}

impl Default for HwConfig {
    fn default() -> Self {
        HwConfig {
            gpio: GpioKind::None,
            amplifier_pin: None,
            amplifier_warmup_seconds: 2.0,
            amplifier_hold_seconds: 30.0,
            emergency_button_pin: None,
            zones: BTreeMap::new(),
        }
    }
}

impl HwConfig {
    /// What is wrong in `[hw]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        if !(0.0..=60.0).contains(&self.amplifier_warmup_seconds)
            || !(0.0..=3600.0).contains(&self.amplifier_hold_seconds)
        {
            bad(
                &mut out,
                "hw.amplifier_warmup_seconds",
                said!(
                    "thời gian khởi động 0–60 s, giữ 0–3600 s",
                    "warm-up 0–60 s, hold 0–3600 s"
                ),
                said!("thường là 2 và 30", "usually 2 and 30"),
            );
        }
        let mut pins: Vec<u8> = self
            .zones
            .values()
            .copied()
            .chain(self.amplifier_pin)
            .chain(self.emergency_button_pin)
            .collect();
        pins.sort_unstable();
        if pins.windows(2).any(|w| w[0] == w[1]) || pins.iter().any(|p| *p > 27) {
            bad(
                &mut out,
                "hw.zones",
                said!(
                    "chân GPIO trùng hoặc ngoài 0–27: {pins:?}",
                    "duplicate or out-of-range GPIO pins: {pins:?}"
                ),
                said!(
                    "mỗi rơ-le và nút một chân BCM riêng từ 0 đến 27",
                    "one BCM pin from 0 to 27 for each relay and button"
                ),
            );
        }
        out
    }
}
