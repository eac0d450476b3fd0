//! Slogans as content: what the LED panel may show once a leader approves it. Plain data: it knows
//! nothing of SQL, fonts or panels.

use serde::{Deserialize, Serialize};

use super::panel::PanelColor;
use super::review::ReviewState;

/// How a slogan moves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Right-to-left marquee, entering at the right edge until fully gone.
    #[default]
    Scroll,
    /// Centred and still for `hold_s`; word-wrapped or in the 16 px font if
    /// that makes it fit, scrolling only if nothing fits.
    Static,
    /// Like [`Effect::Static`], on/off at 1 Hz (a text that must scroll
    /// scrolls without blinking, to stay readable).
    Blink,
}

names!(Effect {
    Scroll => "scroll", "Chạy chữ",
    Static => "static", "Đứng yên",
    Blink => "blink", "Nhấp nháy",
}, |s| crate::model::said!("hiệu ứng \"{s}\" không hợp lệ: scroll, static, blink", "effect \"{s}\" is not valid: scroll, static, blink"));

/// A slogan as staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewSlogan {
    /// The words, as they should read on the panel.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub text: String,
    /// The colour wished for (`#rrggbb` or a name such as `đỏ`, `vàng`); a single-colour panel
    /// shows everything in its own colour.
    #[serde(default = "red")]
    #[schema(value_type = String, example = "#ff0000")]
    pub color: PanelColor,
    /// How it moves.
    #[serde(default)]
    pub effect: Effect,
    /// Scroll speed in LEDs per second; 0: the default for the panel's height.
    #[serde(default)]
    #[schema(maximum = 500)]
    pub speed_px_s: u16,
    /// Seconds a static or blinking slogan stays up.
    #[serde(default = "five")]
    #[schema(minimum = 1, maximum = 600)]
    pub hold_s: u16,
    /// Shown only from this local time ("HH:MM"), e.g. office-hours notices.
    #[serde(default)]
    #[schema(pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub show_from: Option<String>,
    /// ... until this local time ("HH:MM", exclusive).
    #[serde(default)]
    #[schema(pattern = r"^\s*(([01]?[0-9]|2[0-3]):[0-5][0-9])?\s*$")]
    pub show_until: Option<String>,
    /// Place in the rotation (smaller first).
    #[serde(default)]
    pub position: i64,
}

fn red() -> PanelColor {
    PanelColor::RED
}

fn five() -> u16 {
    5
}

/// A stored slogan with where it is in its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SloganRecord {
    /// Row id.
    pub id: i64,
    /// What it says and how.
    #[serde(flatten)]
    pub content: NewSlogan,
    /// Where in its review.
    pub state: ReviewState,
    /// Why a leader sent it back.
    pub reject_reason: Option<String>,
    /// Who wrote it (`None`: it came with the demo content).
    pub created_by: Option<i64>,
    /// Their name.
    pub created_by_name: Option<String>,
    /// Who last changed what it says, if anyone did: with its creator, the maker of the
    /// version under review (neither may decide it).
    pub edited_by: Option<i64>,
    /// Who approved or rejected it.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
    /// Which version this is: 1 when written, one more each time a revision is approved.
    pub revision: i64,
    /// Everyone who changed this version since it was written or last approved (user ids).
    pub editors: Vec<i64>,
    /// A change waiting for approval while this version shows, if there is one.
    pub pending_revision: Option<super::Revision>,
}
