//! The LED panel's colours: what an operator asks for ([`PanelColor`]) and what a given
//! panel can actually light ([`PanelKind`]).
//!
//! A colour request never fails: a single-colour panel shows any colour as
//! its one LED colour, and an RGB panel brightens colours too dark to read.

use serde::{Deserialize, Serialize};

/// A colour as requested for a slogan, stored as `"#rrggbb"` in JSON.
///
/// It is only a wish: [`PanelKind::show`] turns it into what the LEDs can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PanelColor {
    /// Red channel, 0–255.
    pub r: u8,
    /// Green channel, 0–255.
    pub g: u8,
    /// Blue channel, 0–255.
    pub b: u8,
}

/// Below this brightest channel an RGB colour is too dark to read on LEDs.
const MIN_READABLE: u8 = 64;

impl PanelColor {
    /// Pure red, the colour of single-colour red panels.
    pub const RED: Self = Self::new(255, 0, 0);
    /// Amber, the colour of single-colour amber panels.
    pub const AMBER: Self = Self::new(255, 176, 0);
    /// Yellow, used for emergency text on RGB panels.
    pub const YELLOW: Self = Self::new(255, 255, 0);
    /// Green.
    pub const GREEN: Self = Self::new(0, 255, 0);
    /// Cyan.
    pub const CYAN: Self = Self::new(0, 255, 255);
    /// Blue.
    pub const BLUE: Self = Self::new(0, 0, 255);
    /// White.
    pub const WHITE: Self = Self::new(255, 255, 255);
    /// Black: LEDs off. Asking for black text still shows something.
    pub const BLACK: Self = Self::new(0, 0, 0);

    /// Builds a colour from its three channels.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// Parses `#rrggbb` / `rrggbb` or a few English and Vietnamese names
    /// (`red`/`đỏ`, `amber`/`hổ phách`, `yellow`/`vàng`, `green`/`xanh lá`,
    /// `blue`/`xanh dương`, `white`/`trắng`), so stored settings stay readable.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let named = match s.to_lowercase().as_str() {
            "red" | "đỏ" => Some(Self::RED),
            "amber" | "hổ phách" => Some(Self::AMBER),
            "yellow" | "vàng" => Some(Self::YELLOW),
            "green" | "xanh lá" => Some(Self::GREEN),
            "cyan" => Some(Self::CYAN),
            "blue" | "xanh dương" => Some(Self::BLUE),
            "white" | "trắng" => Some(Self::WHITE),
            "black" | "đen" => Some(Self::BLACK),
            _ => None,
        };
        named.or_else(|| Self::from_hex(s))
    }

    /// Parses `#rrggbb` or `rrggbb` (hex digits, any case).
    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#').unwrap_or(s);
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Self::new(channel(0)?, channel(2)?, channel(4)?))
    }

    /// `#rrggbb`, the stored form.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// The brightest channel: how visible the colour is on LEDs.
    fn max_channel(self) -> u8 {
        self.r.max(self.g).max(self.b)
    }
}

impl TryFrom<String> for PanelColor {
    type Error = crate::model::Said;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| {
            crate::model::said!(
                "màu \"{s}\" không hợp lệ, hãy dùng dạng #rrggbb",
                "invalid colour \"{s}\", use the form #rrggbb"
            )
        })
    }
}

impl From<PanelColor> for String {
    fn from(c: PanelColor) -> Self {
        c.to_hex()
    }
}

/// What kind of LED matrix is attached; decides which colours exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    /// Single-colour red panel (the common P10 red modules).
    #[default]
    MonoRed,
    /// Single-colour amber panel.
    MonoAmber,
    /// Full-colour RGB panel.
    Rgb,
}

impl PanelKind {
    /// True for single-colour panels, where colour cannot carry meaning and
    /// attention must come from inverse video instead.
    pub fn is_mono(self) -> bool {
        !matches!(self, Self::Rgb)
    }

    /// The colour of a lit LED on a single-colour panel (white on RGB).
    pub fn lit(self) -> PanelColor {
        match self {
            Self::MonoRed => PanelColor::RED,
            Self::MonoAmber => PanelColor::AMBER,
            Self::Rgb => PanelColor::WHITE,
        }
    }

    /// Maps a requested text colour to one this panel shows readably.
    ///
    /// Mono panels light every text pixel in their own colour, whatever was
    /// asked (black included: text must never be invisible). RGB panels keep
    /// the hue but brighten colours too dark to read; pure black becomes white.
    pub fn show(self, wanted: PanelColor) -> PanelColor {
        if self.is_mono() {
            return self.lit();
        }
        let max = wanted.max_channel();
        if max == 0 {
            return PanelColor::WHITE;
        }
        if max >= MIN_READABLE {
            return wanted;
        }
        let up = |c: u8| ((u16::from(c) * 255) / u16::from(max)).min(255) as u8;
        PanelColor::new(up(wanted.r), up(wanted.g), up(wanted.b))
    }

    /// Text and background colours of an emergency warning in its two
    /// alternating phases: `(text, background)` for phase A and phase B.
    ///
    /// RGB: yellow on black, then yellow on red. Mono: lit on dark, then
    /// dark on lit (inverse video), so the warning stays readable while
    /// the change of phase draws the eye.
    pub fn emergency_phases(self) -> [(PanelColor, PanelColor); 2] {
        match self {
            Self::Rgb => [
                (PanelColor::YELLOW, PanelColor::BLACK),
                (PanelColor::YELLOW, PanelColor::RED),
            ],
            mono => [
                (mono.lit(), PanelColor::BLACK),
                (PanelColor::BLACK, mono.lit()),
            ],
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn mono_panels_show_any_colour_as_their_own() {
        for wanted in [
            PanelColor::BLUE,
            PanelColor::BLACK,
            PanelColor::new(1, 2, 3),
        ] {
            assert_eq!(PanelKind::MonoRed.show(wanted), PanelColor::RED);
            assert_eq!(PanelKind::MonoAmber.show(wanted), PanelColor::AMBER);
        }
    }

    #[test]
    fn rgb_keeps_readable_colours_and_brightens_dark_ones() {
        let k = PanelKind::Rgb;
        assert_eq!(k.show(PanelColor::GREEN), PanelColor::GREEN);
        assert_eq!(k.show(PanelColor::BLACK), PanelColor::WHITE);
        assert_eq!(
            k.show(PanelColor::new(10, 0, 5)),
            PanelColor::new(255, 0, 127)
        );
    }

    #[test]
    fn parses_hex_and_names_and_refuses_garbage() {
        assert_eq!(PanelColor::parse("#FF0000"), Some(PanelColor::RED));
        assert_eq!(PanelColor::parse("00ff00"), Some(PanelColor::GREEN));
        assert_eq!(PanelColor::parse("Đỏ"), Some(PanelColor::RED));
        assert_eq!(PanelColor::parse("vàng"), Some(PanelColor::YELLOW));
        assert_eq!(PanelColor::parse("#12345"), None);
        assert_eq!(PanelColor::parse("#ờờờ"), None);
        let err = PanelColor::try_from("nope".to_string()).unwrap_err();
        assert!(err.vi().contains("không hợp lệ") && err.en().starts_with("invalid colour"));
        assert_eq!(String::from(PanelColor::AMBER), "#ffb000");
    }

    #[test]
    fn emergency_phases_differ_so_the_warning_blinks() {
        for k in [PanelKind::MonoRed, PanelKind::MonoAmber, PanelKind::Rgb] {
            let [a, b] = k.emergency_phases();
            assert_ne!(a, b);
            assert_ne!(a.0, a.1);
            assert_ne!(b.0, b.1);
        }
    }
}
