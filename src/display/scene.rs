//! What the panel shows at an instant: a pure function of the time and the
//! approved content, with no hidden state.
//!
//! The rotation is a fixed cycle over the slogans eligible at `t` (those
//! inside their time window), with a clock slot after every N slogans. Each
//! slot lasts as long as its content needs: a scrolling text the time to
//! cross the panel completely, a static or blinking text its hold time. The
//! position inside the cycle is the Unix time modulo the cycle length, so any
//! process (the panel loop, the web preview, a test) computes the same scene
//! for the same `t`. An emergency warning overrides everything at every `t`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime};
use serde::{Deserialize, Serialize};

use super::color::{PanelColor, PanelKind};
use super::font::FontChoice;
use crate::text::{normalize, weekday_short_vi, weekday_vi};

/// Scroll speed used when a slogan asks for 0 px/s, per font scale.
pub const DEFAULT_SPEED_PX_S: u16 = 24;
/// Shortest slot, so a zero hold time cannot make the panel flicker.
const MIN_SLOT_MS: i64 = 1_000;
/// Pause at each end of a clock line that is too wide and pans.
pub(crate) const PAN_PAUSE_MS: i64 = 1_500;
/// Text shown if an emergency arrives with no words.
const EMERGENCY_FALLBACK: &str = "KHẨN CẤP";

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
}, |s| format!("hiệu ứng \"{s}\" không hợp lệ / effect \"{s}\" is not valid: scroll, static, blink"));

/// An approved slogan, as stored by the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slogan {
    /// Database id, so the preview can say which slogan is showing.
    pub id: i64,
    /// The words (already checked with `check_text`; normalized again here).
    pub text: String,
    /// Requested colour; mapped to the panel's abilities in the scene.
    pub color: PanelColor,
    /// Movement.
    pub effect: Effect,
    /// Scroll speed in LEDs per second; 0 means the default.
    pub speed_px_s: u16,
    /// Seconds a static or blinking slogan stays up.
    pub hold_s: u16,
    /// Local-time window (start inclusive, end exclusive) outside which the
    /// slogan is skipped, e.g. office hours. `start > end` spans midnight;
    /// `start == end` means all day.
    pub window: Option<(NaiveTime, NaiveTime)>,
}

/// When and how the clock appears in the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSettings {
    /// A clock slot follows every this many slogans (0 is taken as 1); the
    /// cycle always ends with a clock slot.
    pub every_n_slogans: u16,
    /// Seconds the clock stays up (longer if a line must pan).
    pub hold_s: u16,
    /// Whether the lunar date is shown with the solar one.
    pub show_lunar: bool,
}

/// An emergency warning that replaces everything until it is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyText {
    /// The warning, e.g. "KHẨN CẤP: Bão số 3 đổ bộ, bà con ở trong nhà".
    pub text: String,
    /// When it was raised: scrolling and blinking are timed from here.
    pub since: DateTime<FixedOffset>,
}

/// The physical panel the scene is planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelSpec {
    /// Width in LEDs.
    pub width: u32,
    /// Height in LEDs.
    pub height: u32,
    /// Which colours it can show.
    pub kind: PanelKind,
}

/// Everything the scene decision depends on besides the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SceneInput {
    /// Approved slogans, in display order.
    pub slogans: Vec<Slogan>,
    /// Clock slot settings; `None` for no clock.
    pub clock: Option<ClockSettings>,
    /// Lunar date computed by the caller, e.g. "Mùng 1 tháng Giêng".
    pub lunar_date_text: String,
    /// Active emergency warning, if any.
    pub emergency: Option<EmergencyText>,
    /// The panel.
    pub panel: PanelSpec,
}

/// What to draw; [`super::render::render`] turns it into pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scene {
    /// Nothing to show: all LEDs off.
    Blank,
    /// One slogan (text normalized), timed from `started_at`.
    Slogan {
        /// The slogan.
        slogan: Slogan,
        /// Its colour as this panel shows it.
        color: PanelColor,
        /// Start of its slot: scroll offset and blink phase count from here.
        started_at: DateTime<FixedOffset>,
    },
    /// Clock with solar and (optionally) lunar date.
    Clock {
        /// "07:30".
        time: String,
        /// "Thứ Sáu".
        weekday: String,
        /// "T6" ("CN" on Sunday), used when the full name does not fit.
        weekday_short: String,
        /// "27/11/2026".
        solar_date: String,
        /// "Mùng 1 tháng Giêng", if shown.
        lunar: Option<String>,
        /// Colour of the time.
        time_color: PanelColor,
        /// Colour of the date line(s).
        date_color: PanelColor,
        /// Start of the slot: panning of long date lines counts from here.
        started_at: DateTime<FixedOffset>,
    },
    /// Emergency warning, overriding everything.
    Emergency {
        /// The warning (normalized).
        text: String,
        /// When it was raised.
        since: DateTime<FixedOffset>,
        /// `(text, background)` colours of the two alternating phases.
        phases: [(PanelColor, PanelColor); 2],
    },
}

/// Decides what the panel shows at `t` (local time with its UTC offset).
pub fn scene(t: DateTime<FixedOffset>, input: &SceneInput) -> Scene {
    if let Some(emergency) = &input.emergency {
        return emergency_scene(emergency, input.panel.kind);
    }
    let slots = cycle(t, input);
    let total: i64 = slots.iter().map(|s| s.ms).sum();
    if total <= 0 {
        return Scene::Blank;
    }
    let pos = t.timestamp_millis().rem_euclid(total);
    let mut start = 0;
    for slot in &slots {
        if pos < start + slot.ms {
            let started_at = t - Duration::milliseconds(pos - start);
            return slot_scene(&slot.what, t, started_at, input);
        }
        start += slot.ms;
    }
    Scene::Blank
}

/// What fills a slot.
#[derive(Debug, Clone)]
enum SlotWhat {
    Slogan(Slogan),
    Clock(ClockSettings),
}

/// One slot of the cycle and its length.
#[derive(Debug, Clone)]
struct Slot {
    what: SlotWhat,
    ms: i64,
}

/// The slots of the cycle valid at `t`.
fn cycle(t: DateTime<FixedOffset>, input: &SceneInput) -> Vec<Slot> {
    let PanelSpec { width, height, .. } = input.panel;
    let now = t.time();
    let eligible = input.slogans.iter().filter_map(|s| {
        let text = in_window(s.window, now).then(|| normalize(&s.text))?;
        (!text.is_empty()).then(|| Slogan { text, ..s.clone() })
    });
    // Every clock slot of the cycle is the same: work it out once.
    let clock = input
        .clock
        .map(|c| (c.every_n_slogans.max(1), clock_slot(c, t, input)));
    let mut slots = Vec::new();
    let mut since_clock = 0;
    for slogan in eligible {
        let ms = slogan_slot_ms(&slogan, width, height);
        slots.push(Slot {
            what: SlotWhat::Slogan(slogan),
            ms,
        });
        since_clock += 1;
        if let Some((_, slot)) = clock.as_ref().filter(|(n, _)| since_clock >= *n) {
            slots.push(slot.clone());
            since_clock = 0;
        }
    }
    match clock {
        Some((_, slot)) if since_clock > 0 || slots.is_empty() => slots.push(slot),
        _ => {}
    }
    slots
}

/// A clock slot, long enough for its longest line to pan once.
fn clock_slot(c: ClockSettings, t: DateTime<FixedOffset>, input: &SceneInput) -> Slot {
    let scene = clock_scene(c, t, t, input);
    let pan = super::render::clock_pan_ms(&scene, input.panel.width, input.panel.height);
    let ms = (i64::from(c.hold_s) * 1000).max(pan).max(MIN_SLOT_MS);
    Slot {
        what: SlotWhat::Clock(c),
        ms,
    }
}

/// True if local time `now` is inside `window` (see [`Slogan::window`]).
fn in_window(window: Option<(NaiveTime, NaiveTime)>, now: NaiveTime) -> bool {
    match window {
        None => true,
        Some((start, end)) if start < end => start <= now && now < end,
        Some((start, end)) if start > end => now >= start || now < end,
        Some(_) => true,
    }
}

/// Scroll speed of a slogan on a panel of this height, in LEDs per second.
pub(crate) fn speed_px_s(requested: u16, height: u32) -> i64 {
    if requested > 0 {
        i64::from(requested)
    } else {
        i64::from(DEFAULT_SPEED_PX_S) * i64::from(FontChoice::for_panel_height(height).scale())
    }
}

/// Milliseconds a marquee of `text_width` needs to cross `panel_width`.
pub(crate) fn marquee_ms(text_width: u32, panel_width: u32, speed: i64) -> i64 {
    let distance = i64::from(text_width) + i64::from(panel_width);
    (distance * 1000 + speed - 1) / speed.max(1)
}

/// Length of a slogan's slot.
fn slogan_slot_ms(s: &Slogan, width: u32, height: u32) -> i64 {
    let ms = if super::render::scrolls(s, width, height) {
        let text_width = FontChoice::for_panel_height(height).text_width(&s.text);
        marquee_ms(text_width, width, speed_px_s(s.speed_px_s, height))
    } else {
        i64::from(s.hold_s) * 1000
    };
    ms.max(MIN_SLOT_MS)
}

/// The scene of one slot.
fn slot_scene(
    what: &SlotWhat,
    t: DateTime<FixedOffset>,
    started_at: DateTime<FixedOffset>,
    input: &SceneInput,
) -> Scene {
    match what {
        SlotWhat::Slogan(slogan) => Scene::Slogan {
            slogan: slogan.clone(),
            color: input.panel.kind.show(slogan.color),
            started_at,
        },
        SlotWhat::Clock(c) => clock_scene(*c, t, started_at, input),
    }
}

/// The clock at `t`.
fn clock_scene(
    c: ClockSettings,
    t: DateTime<FixedOffset>,
    started_at: DateTime<FixedOffset>,
    input: &SceneInput,
) -> Scene {
    let lunar = normalize(&input.lunar_date_text);
    let kind = input.panel.kind;
    Scene::Clock {
        time: t.format("%H:%M").to_string(),
        weekday: weekday_vi(t.weekday()).to_string(),
        weekday_short: weekday_short_vi(t.weekday()).to_string(),
        solar_date: t.format("%d/%m/%Y").to_string(),
        lunar: (c.show_lunar && !lunar.is_empty()).then_some(lunar),
        time_color: kind.show(PanelColor::AMBER),
        date_color: kind.show(PanelColor::GREEN),
        started_at,
    }
}

/// The emergency scene.
fn emergency_scene(e: &EmergencyText, kind: PanelKind) -> Scene {
    let text = normalize(&e.text);
    Scene::Emergency {
        text: if text.is_empty() {
            EMERGENCY_FALLBACK.to_string()
        } else {
            text
        },
        since: e.since,
        phases: kind.emergency_phases(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
