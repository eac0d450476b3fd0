//! What the panel shows at an instant: a pure function of the time and the
//! approved content, with no hidden state.
//!
//! The rotation is a fixed cycle over the slogans eligible at `t` (those
//! inside their time window), with a clock slot after every N slogans. Each
//! slot lasts as long as its content needs: a scrolling text the time to
//! cross the panel completely, a static or blinking text its hold time. The
//! position inside the cycle is the Unix time modulo the cycle length, so any
//! process (the panel loop, the web preview, a test) computes the same scene
//! for the same `t`. An emergency warning overrides everything at every `t`. It does not read the
//! store or draw: the board gives it the approved slogans, `render` draws.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime};
use serde::{Deserialize, Serialize};

use super::font::FontChoice;
use super::layout::{ClockFace, clock_pan_ms, marquee_ms, scrolls, speed_px_s};
use crate::model::{Effect, NewSlogan, PanelColor, PanelKind, SloganRecord};
use crate::text::{normalize, weekday_short_vi, weekday_vi};

/// Shortest slot, so a zero hold time cannot make the panel flicker.
const MIN_SLOT_MS: i64 = 1_000;
/// Text shown if an emergency arrives with no words.
const EMERGENCY_FALLBACK: &str = "KHẨN CẤP";

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

impl SloganRecord {
    /// The slogan as the scene needs it.
    pub fn to_scene(&self) -> Slogan {
        self.content.to_scene(self.id)
    }
}

impl NewSlogan {
    /// The slogan as the scene needs it, under row id `id`.
    pub fn to_scene(&self, id: i64) -> Slogan {
        let c = self;
        let time = |s: &Option<String>| s.as_deref().and_then(parse_hhmm);
        let window = match (time(&c.show_from), time(&c.show_until)) {
            (Some(from), Some(until)) => Some((from, until)),
            (Some(from), None) => Some((from, NaiveTime::MIN)),
            (None, Some(until)) => Some((NaiveTime::MIN, until)),
            (None, None) => None,
        };
        Slogan {
            id,
            text: c.text.clone(),
            color: c.color,
            effect: c.effect,
            speed_px_s: c.speed_px_s,
            hold_s: c.hold_s,
            window,
        }
    }
}

/// A local time written `HH:MM` (`7:30` too), if it is one.
pub(crate) fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
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
        /// What it says.
        face: ClockFace,
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
    let face = clock_face(c, t, input);
    let pan = clock_pan_ms(&face, input.panel.width, input.panel.height);
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

impl Slogan {
    /// How long one showing lasts on `panel`: a scrolling text the time to cross it, a still
    /// or blinking one its hold. A preview that moves loops over it.
    pub fn slot_ms(&self, panel: PanelSpec) -> i64 {
        slogan_slot_ms(self, panel.width, panel.height)
    }
}

/// Length of a slogan's slot.
fn slogan_slot_ms(s: &Slogan, width: u32, height: u32) -> i64 {
    let ms = if scrolls(s.effect, &s.text, width, height) {
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
        SlotWhat::Clock(c) => Scene::Clock {
            face: clock_face(*c, t, input),
            started_at,
        },
    }
}

/// What the clock says at `t`.
fn clock_face(c: ClockSettings, t: DateTime<FixedOffset>, input: &SceneInput) -> ClockFace {
    let lunar = normalize(&input.lunar_date_text);
    let kind = input.panel.kind;
    ClockFace {
        time: t.format("%H:%M").to_string(),
        weekday: weekday_vi(t.weekday()).to_string(),
        weekday_short: weekday_short_vi(t.weekday()).to_string(),
        solar_date: t.format("%d/%m/%Y").to_string(),
        lunar: (c.show_lunar && !lunar.is_empty()).then_some(lunar),
        time_color: kind.show(PanelColor::AMBER),
        date_color: kind.show(PanelColor::GREEN),
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
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Vietnam time, UTC+7.
    fn vn() -> FixedOffset {
        FixedOffset::east_opt(7 * 3600).unwrap()
    }

    /// 2026-11-27 (a Friday) at h:m:s.ms local time. Local 07:00 is 00:00 UTC,
    /// so at 07:00:00 any cycle whose length divides a day is at its start.
    fn at(h: u32, m: u32, s: u32, ms: u32) -> DateTime<FixedOffset> {
        vn().with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap()
            + Duration::milliseconds(i64::from(ms))
    }

    fn slogan(id: i64, text: &str, effect: Effect, hold_s: u16) -> Slogan {
        Slogan {
            id,
            text: text.to_string(),
            color: PanelColor::GREEN,
            effect,
            speed_px_s: 32,
            hold_s,
            window: None,
        }
    }

    fn input(slogans: Vec<Slogan>) -> SceneInput {
        SceneInput {
            slogans,
            clock: None,
            lunar_date_text: "Mùng 1 tháng Giêng".to_string(),
            emergency: None,
            panel: PanelSpec {
                width: 192,
                height: 32,
                kind: PanelKind::MonoRed,
            },
        }
    }

    /// Id and slot start of a slogan scene, ("clock"/"blank"/… otherwise).
    fn shown(t: DateTime<FixedOffset>, input: &SceneInput) -> (String, DateTime<FixedOffset>) {
        match scene(t, input) {
            Scene::Slogan {
                slogan, started_at, ..
            } => (slogan.id.to_string(), started_at),
            Scene::Clock { started_at, .. } => ("clock".to_string(), started_at),
            Scene::Emergency { since, .. } => ("emergency".to_string(), since),
            Scene::Blank => ("blank".to_string(), t),
        }
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn static_rotation_follows_hold_times() {
        let inp = input(vec![
            slogan(1, "Xin chào", Effect::Static, 5),
            slogan(2, "Xin lỗi", Effect::Blink, 10),
            slogan(3, "Xin phép", Effect::Static, 5),
        ]);
        assert_eq!(shown(at(7, 0, 0, 0), &inp), ("1".into(), at(7, 0, 0, 0)));
        assert_eq!(shown(at(7, 0, 4, 999), &inp), ("1".into(), at(7, 0, 0, 0)));
        assert_eq!(shown(at(7, 0, 5, 0), &inp), ("2".into(), at(7, 0, 5, 0)));
        assert_eq!(shown(at(7, 0, 14, 999), &inp), ("2".into(), at(7, 0, 5, 0)));
        assert_eq!(shown(at(7, 0, 15, 0), &inp), ("3".into(), at(7, 0, 15, 0)));
        assert_eq!(shown(at(7, 0, 20, 0), &inp), ("1".into(), at(7, 0, 20, 0)));
        assert_eq!(shown(at(7, 0, 47, 0), &inp), ("2".into(), at(7, 0, 45, 0)));
    }

    #[test]
    fn same_instant_same_scene() {
        let inp = input(vec![
            slogan(1, "Luôn lắng nghe", Effect::Scroll, 0),
            slogan(2, "Luôn mỉm cười", Effect::Static, 7),
        ]);
        for s in 0..60 {
            let t = at(9, 13, s, 250);
            assert_eq!(scene(t, &inp), scene(t, &inp));
        }
    }

    #[test]
    fn scroll_slot_lasts_until_the_text_has_crossed() {
        // "Xin chào": 8 cells × 16 px = 128 px; (128 + 192) px at 32 px/s = 10 s.
        let inp = input(vec![
            slogan(1, "Xin chào", Effect::Scroll, 99),
            slogan(2, "Xin lỗi", Effect::Static, 10),
        ]);
        assert_eq!(slogan_slot_ms(&inp.slogans[0], 192, 32), 10_000);
        assert_eq!(shown(at(7, 0, 9, 999), &inp).0, "1");
        assert_eq!(shown(at(7, 0, 10, 0), &inp).0, "2");
    }

    #[test]
    fn still_text_that_wraps_keeps_its_hold_time() {
        // 41 cells: too wide for one 32 px line (12 cells on 192 px) but fits
        // as two 16 px lines of at most 24 cells: stays still for hold_s.
        let s = slogan(
            1,
            "Không làm việc riêng trong giờ hành chính",
            Effect::Static,
            5,
        );
        assert_eq!(slogan_slot_ms(&s, 192, 32), 5_000);
        // On a 16 px panel only one line fits: 328 px + 192 at 32 px/s.
        assert_eq!(slogan_slot_ms(&s, 192, 16), 16_250);
    }

    #[test]
    fn too_long_still_text_gets_a_scroll_slot() {
        let text = "Chính quyền thân thiện vì nhân dân phục vụ, luôn lắng nghe bà con";
        let s = slogan(1, text, Effect::Blink, 5);
        let cells = text.chars().count() as i64;
        // Scrolls in the panel's 32 px font: (cells × 16 + 192) px at 32 px/s.
        let want = ((cells * 16 + 192) * 1000 + 31) / 32;
        assert_eq!(slogan_slot_ms(&s, 192, 32), want);
    }

    #[test]
    fn zero_speed_and_zero_hold_still_give_a_sane_cycle() {
        let mut fast = slogan(1, "Xin cảm ơn", Effect::Scroll, 0);
        fast.speed_px_s = 0;
        let blink = slogan(2, "Xin phép", Effect::Blink, 0);
        assert_eq!(slogan_slot_ms(&blink, 192, 32), MIN_SLOT_MS);
        // Default speed at 2× scale: 48 px/s; (160 + 192) / 48 = 7.334 s.
        assert_eq!(slogan_slot_ms(&fast, 192, 32), 7_334);
        let inp = input(vec![fast, blink]);
        for s in 0..30 {
            assert_ne!(shown(at(7, 0, s, 0), &inp).0, "blank");
        }
    }

    #[test]
    fn clock_comes_after_every_n_slogans_and_ends_the_cycle() {
        let mut inp = input(vec![
            slogan(1, "Xin chào", Effect::Static, 5),
            slogan(2, "Xin lỗi", Effect::Static, 5),
            slogan(3, "Xin phép", Effect::Static, 5),
        ]);
        inp.panel = PanelSpec {
            width: 192,
            height: 64,
            kind: PanelKind::Rgb,
        };
        inp.clock = Some(ClockSettings {
            every_n_slogans: 2,
            hold_s: 5,
            show_lunar: true,
        });
        let seq: Vec<String> = (0..6).map(|i| shown(at(7, 0, 5 * i, 0), &inp).0).collect();
        assert_eq!(seq, ["1", "2", "clock", "3", "clock", "1"]);
    }

    #[test]
    fn slogans_outside_their_window_are_skipped() {
        let mut office = slogan(2, "Không làm việc riêng", Effect::Static, 10);
        office.window = Some((hm(7, 30), hm(11, 30)));
        let inp = input(vec![slogan(1, "Xin chào", Effect::Static, 10), office]);
        // 07:00: only slogan 1 is eligible, so it fills every slot.
        assert_eq!(shown(at(7, 0, 0, 0), &inp).0, "1");
        assert_eq!(shown(at(7, 0, 10, 0), &inp).0, "1");
        // 08:00: both, 10 s each.
        assert_eq!(shown(at(8, 0, 0, 0), &inp).0, "1");
        assert_eq!(shown(at(8, 0, 10, 0), &inp).0, "2");
        // 11:30 is the (exclusive) end.
        assert_eq!(shown(at(11, 30, 10, 0), &inp).0, "1");
    }

    #[test]
    fn windows_across_midnight_and_all_day() {
        let night = Some((hm(22, 0), hm(5, 0)));
        assert!(in_window(night, hm(23, 0)));
        assert!(in_window(night, hm(4, 59)));
        assert!(!in_window(night, hm(5, 0)));
        assert!(!in_window(night, hm(12, 0)));
        assert!(in_window(Some((hm(0, 0), hm(0, 0))), hm(13, 37)));
        assert!(in_window(None, hm(3, 0)));
    }

    #[test]
    fn nothing_eligible_gives_the_clock_or_blank() {
        let mut late = slogan(1, "Xin chào", Effect::Static, 5);
        late.window = Some((hm(13, 0), hm(17, 0)));
        let mut inp = input(vec![late, slogan(2, " \u{200B} ", Effect::Static, 5)]);
        assert_eq!(scene(at(7, 0, 0, 0), &inp), Scene::Blank);
        assert_eq!(scene(at(7, 0, 0, 0), &input(vec![])), Scene::Blank);
        inp.clock = Some(ClockSettings {
            every_n_slogans: 3,
            hold_s: 0,
            show_lunar: false,
        });
        assert_eq!(shown(at(7, 0, 0, 0), &inp).0, "clock");
    }

    #[test]
    fn clock_scene_has_vietnamese_texts() {
        let mut inp = input(vec![]);
        inp.lunar_date_text = "Mu\u{300}ng 1 tha\u{301}ng Gie\u{302}ng".to_string();
        inp.clock = Some(ClockSettings {
            every_n_slogans: 1,
            hold_s: 10,
            show_lunar: true,
        });
        let Scene::Clock {
            face:
                ClockFace {
                    time,
                    weekday,
                    solar_date,
                    lunar,
                    time_color,
                    ..
                },
            ..
        } = scene(at(7, 30, 12, 0), &inp)
        else {
            panic!("expected the clock");
        };
        assert_eq!(time, "07:30");
        assert_eq!(weekday, "Thứ Sáu");
        assert_eq!(solar_date, "27/11/2026");
        assert_eq!(lunar.as_deref(), Some("Mùng 1 tháng Giêng"));
        assert_eq!(time_color, PanelColor::RED, "mono red panel");
        inp.clock = inp.clock.map(|c| ClockSettings {
            show_lunar: false,
            ..c
        });
        assert!(matches!(
            scene(at(7, 30, 0, 0), &inp),
            Scene::Clock {
                face: ClockFace { lunar: None, .. },
                ..
            }
        ));
    }

    #[test]
    fn emergency_wins_at_every_instant() {
        let mut inp = input(vec![slogan(1, "Xin chào", Effect::Static, 5)]);
        inp.clock = Some(ClockSettings {
            every_n_slogans: 1,
            hold_s: 5,
            show_lunar: true,
        });
        let since = at(7, 0, 3, 0);
        inp.emergency = Some(EmergencyText {
            text: "KHA\u{302}\u{309}N CA\u{302}\u{301}P: Bão số 3".to_string(),
            since,
        });
        for s in 0..40 {
            let got = scene(at(7, 0, s, 0), &inp);
            let Scene::Emergency {
                text,
                since: got_since,
                phases,
            } = got
            else {
                panic!("emergency must win at second {s}");
            };
            assert_eq!(text, "KHẨN CẤP: Bão số 3");
            assert_eq!(got_since, since);
            assert_eq!(phases, PanelKind::MonoRed.emergency_phases());
        }
    }

    #[test]
    fn empty_emergency_still_warns() {
        let mut inp = input(vec![]);
        inp.emergency = Some(EmergencyText {
            text: "  ".to_string(),
            since: at(7, 0, 0, 0),
        });
        assert!(
            matches!(scene(at(7, 0, 0, 0), &inp), Scene::Emergency { text, .. } if text == "KHẨN CẤP")
        );
    }

    #[test]
    fn slogan_colour_and_text_are_made_displayable() {
        let mut s = slogan(1, "Xin ca\u{0309}m o\u{031B}n", Effect::Static, 5);
        s.color = PanelColor::BLUE;
        let mut inp = input(vec![s]);
        let Scene::Slogan { slogan, color, .. } = scene(at(7, 0, 0, 0), &inp) else {
            panic!("expected a slogan");
        };
        assert_eq!(slogan.text, "Xin cảm ơn");
        assert_eq!(color, PanelColor::RED);
        inp.panel.kind = PanelKind::Rgb;
        assert!(matches!(
            scene(at(7, 0, 0, 0), &inp),
            Scene::Slogan {
                color: PanelColor::BLUE,
                ..
            }
        ));
    }

    #[test]
    fn long_clock_lines_lengthen_the_clock_slot() {
        let mut inp = input(vec![slogan(1, "Xin chào", Effect::Static, 5)]);
        inp.panel.width = 64;
        inp.panel.height = 16;
        inp.clock = Some(ClockSettings {
            every_n_slogans: 1,
            hold_s: 1,
            show_lunar: true,
        });
        let slots = cycle(at(7, 0, 0, 0), &inp);
        assert_eq!(slots.len(), 2);
        // The time takes 48 px; "Thứ Sáu, 27/11/2026 · Mùng 1 tháng Giêng" is
        // 40 cells = 320 px in the 16 px left: 304 px to pan at 24 px/s, plus
        // two 1.5 s pauses.
        assert_eq!(slots[1].ms, 3_000 + 12_667);
    }
}
