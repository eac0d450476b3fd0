//! `[display]` and `[display.hub75]`: the LED panel at the Public Service Center, where its
//! frames go, and how its modules are wired. Only the keys and their checks live here: `display`
//! opens the panel.

use serde::{Deserialize, Serialize};

use super::values::{PanelOutput, as_text};
use super::{Findings, bad};
use crate::model::PanelKind;
use crate::model::said;

/// `[display]`: the LED panel at the Public Service Center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplayConfig {
    /// Where frames go: `none` (only the web preview), `png:PATH` (the current frame as a PNG
    /// file, rewritten every second), `fbdev` or `fbdev:/dev/fbN` (an HDMI screen through the
    /// Linux framebuffer), `window` (a desktop window; `window` builds), `hub75` (P10 modules on
    /// the Pi's GPIO; `hub75` builds). Default `none`.
    #[serde(with = "as_text")]
    pub output: PanelOutput,
    /// Width in LEDs. Default 192 (six P10 modules across).
    pub width: u32,
    /// Height in LEDs. Default 32 (two P10 modules high).
    pub height: u32,
    /// `mono_red` (default), `mono_amber` or `rgb`.
    pub kind: PanelKind,
    /// Frames per second drawn. Default 30.
    pub fps: u32,
    /// The clock and date show after every this many slogans; 0 hides them. Default 3.
    pub clock_every: u16,
    /// Seconds the clock stays up. Default 6.
    pub clock_seconds: u16,
    /// Whether the lunar date shows with the solar one. Default true.
    pub show_lunar: bool,
    /// HUB75 wiring, for `output = "hub75"`.
    pub hub75: Hub75Config,
}

impl Default for DisplayConfig {
    fn default() -> Self {
        DisplayConfig {
            output: PanelOutput::None,
            width: 192,
            height: 32,
            kind: PanelKind::MonoRed,
            fps: 30,
            clock_every: 3,
            clock_seconds: 6,
            show_lunar: true,
            hub75: Hub75Config::default(),
        }
    }
}

impl DisplayConfig {
    /// What is wrong in `[display]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let (width, height, fps) = (self.width, self.height, self.fps);
        if !(8..=4096).contains(&width) || !(8..=4096).contains(&height) {
            bad(
                &mut out,
                "display.width",
                said!(
                    "bảng LED {width}×{height} nằm ngoài 8…4096 điểm mỗi chiều",
                    "a {width}×{height} panel is outside 8…4096 LEDs each way"
                ),
                said!("sáu module P10 là 192×32", "six P10 modules make 192×32"),
            );
        }
        if !(1..=120).contains(&fps) {
            bad(
                &mut out,
                "display.fps",
                said!("{fps} khung hình/giây", "{fps} frames per second"),
                said!("dùng 1…120, thường là 30", "use 1…120, usually 30"),
            );
        }
        out
    }
}

/// `[display.hub75]`: how the LED modules are wired to the Pi (names as in rpi-led-panel and
/// hzeller's rpi-rgb-led-matrix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hub75Config {
    /// Rows of one module. Default 16 (P10).
    pub rows: usize,
    /// Columns of one module. Default 32 (P10).
    pub cols: usize,
    /// Modules daisy-chained on one connector. Default 6.
    pub chain_length: usize,
    /// Parallel chains (1–3). Default 2.
    pub parallel: usize,
    /// `regular`, `adafruit-hat`, `adafruit-hat-pwm`, … Default `regular`.
    pub hardware_mapping: String,
    /// Multiplexing of outdoor modules (`stripe`, `checkered`, …); empty: direct.
    pub multiplexing: String,
    /// Brightness in percent. Default 80.
    pub brightness: u8,
    /// GPIO slowdown for faster Pis (0–4); empty: by chip.
    pub slowdown: Option<u32>,
}

impl Default for Hub75Config {
    fn default() -> Self {
        Hub75Config {
            rows: 16,
            cols: 32,
            chain_length: 6,
            parallel: 2,
            hardware_mapping: "regular".into(),
            multiplexing: String::new(),
            brightness: 80,
            slowdown: None,
        }
    }
}
