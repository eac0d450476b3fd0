//! Drawing a [`Scene`] at an instant onto any `embedded-graphics` target.
//!
//! Sizes come from `target.bounding_box()` only, so the same code drives a
//! 192×32 mono panel, a 128×64 RGB panel and the web preview. Every drawing
//! goes through a clipped view of that box: nothing is written outside it
//! whatever the text length or scroll offset. Panels too small for one line
//! of text (under 8×16) are cleared and left dark rather than showing
//! half-cut letters. It never decides what is shown (the scene does) and never touches a panel.

use chrono::{DateTime, FixedOffset};
use embedded_graphics::{pixelcolor::Rgb888, prelude::*, primitives::Rectangle};

use super::font::{FontChoice, draw_line};
use super::layout::{
    ClockLine, centred_top, clock_lines, marquee_ms, pan_speed, pan_x, speed_px_s, static_layout,
};
use super::scene::{Scene, Slogan};
use crate::model::{Effect, PanelColor};

/// Narrowest panel that can show one letter.
const MIN_WIDTH: u32 = 8;
/// Lowest panel that can show a letter with its marks (one Unifont cell).
const MIN_HEIGHT: u32 = 16;
/// Blink period (1 Hz): on for the first half, off for the second.
const BLINK_PERIOD_MS: i64 = 1_000;
/// Blank cells between repeats of a scrolling emergency warning.
const TICKER_GAP_CELLS: u32 = 4;

/// Draws `scene` as it looks at `t`, filling the whole target.
pub fn render<D>(scene: &Scene, t: DateTime<FixedOffset>, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = target.bounding_box();
    target.fill_solid(&area, Rgb888::BLACK)?;
    if area.size.width < MIN_WIDTH || area.size.height < MIN_HEIGHT {
        return Ok(());
    }
    let mut canvas = target.clipped(&area);
    match scene {
        Scene::Blank => Ok(()),
        Scene::Slogan {
            slogan,
            color,
            started_at,
        } => draw_slogan(&mut canvas, slogan, *color, ms_between(*started_at, t)),
        Scene::Clock { face, started_at } => {
            let lines = clock_lines(face, area.size.width, area.size.height);
            draw_clock(&mut canvas, &lines, ms_between(*started_at, t))
        }
        Scene::Emergency {
            text,
            since,
            phases,
        } => {
            let elapsed = ms_between(*since, t);
            let (fg, bg) = phases[usize::from(!blink_on(elapsed))];
            draw_emergency(&mut canvas, text, fg, bg, elapsed)
        }
    }
}

/// Milliseconds from `from` to `to` (negative if `to` is earlier).
fn ms_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> i64 {
    (to - from).num_milliseconds()
}

/// First half of each second: lit.
fn blink_on(elapsed_ms: i64) -> bool {
    elapsed_ms.rem_euclid(BLINK_PERIOD_MS) < BLINK_PERIOD_MS / 2
}

/// Left edge of a right-to-left marquee `elapsed_ms` after it started:
/// enters at the right edge, leaves fully at the left, then repeats.
fn marquee_x(elapsed_ms: i64, text_width: u32, panel_width: u32, speed: i64) -> i32 {
    let period_ms = marquee_ms(text_width, panel_width, speed).max(1);
    let travelled = elapsed_ms.rem_euclid(period_ms) * speed / 1000;
    let x = i64::from(panel_width) - travelled;
    i32::try_from(x).unwrap_or(0)
}

/// Left edge that centres `text_width` in `panel_width`.
fn centred_x(text_width: u32, panel_width: u32) -> i32 {
    (i64::from(panel_width) - i64::from(text_width)).div_euclid(2) as i32
}

/// A slogan: marquee in the panel's font, or still/blinking lines.
fn draw_slogan<D>(
    canvas: &mut D,
    s: &Slogan,
    color: PanelColor,
    elapsed: i64,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    let (w, h) = (area.size.width, area.size.height);
    let still = match s.effect {
        Effect::Scroll => None,
        Effect::Static | Effect::Blink => static_layout(&s.text, w, h),
    };
    let Some((font, lines)) = still else {
        let font = FontChoice::for_panel_height(h);
        let x = marquee_x(
            elapsed,
            font.text_width(&s.text),
            w,
            speed_px_s(s.speed_px_s, h),
        );
        let origin = area.top_left + Point::new(x, centred_top(font, h));
        return draw_line(canvas, font, &s.text, origin, color.into()).map(|_| ());
    };
    if s.effect == Effect::Blink && !blink_on(elapsed) {
        return Ok(());
    }
    draw_block(canvas, font, &lines, color)
}

/// Still lines, each centred, the block centred vertically.
fn draw_block<D>(
    canvas: &mut D,
    font: FontChoice,
    lines: &[String],
    color: PanelColor,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    let (w, h) = (area.size.width, area.size.height);
    let block = font.line_height() * lines.len() as u32;
    let mut top = (h.saturating_sub(block) / 2) as i32;
    for line in lines {
        let x = centred_x(font.text_width(line), w);
        let origin = area.top_left + Point::new(x, top);
        draw_line(canvas, font, line, origin, color.into())?;
        top += font.line_height() as i32;
    }
    Ok(())
}

/// The emergency warning on its phase background: still and whole if it
/// fits (wrapped like a still slogan), else a seamless ticker that starts
/// readable (text at the left edge) the moment the warning is raised and
/// never leaves the panel empty.
fn draw_emergency<D>(
    canvas: &mut D,
    text: &str,
    fg: PanelColor,
    bg: PanelColor,
    elapsed: i64,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    canvas.fill_solid(&area, bg.into())?;
    let (w, h) = (area.size.width, area.size.height);
    if let Some((font, lines)) = static_layout(text, w, h) {
        return draw_block(canvas, font, &lines, fg);
    }
    let font = FontChoice::for_panel_height(h);
    let top = area.top_left.y + centred_top(font, h);
    let period = font.text_width(text) + TICKER_GAP_CELLS * font.line_height() / 2;
    let travelled = elapsed.max(0) * speed_px_s(0, h) / 1000;
    let mut x = -(travelled.rem_euclid(i64::from(period)) as i32);
    while x < w as i32 {
        let origin = Point::new(area.top_left.x + x, top);
        draw_line(canvas, font, text, origin, fg.into())?;
        x += period as i32;
    }
    Ok(())
}

/// Draws the clock lines, each centred in its strip or panning inside it.
fn draw_clock<D>(canvas: &mut D, lines: &[ClockLine], elapsed: i64) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    for line in lines {
        let corner = area.top_left + Point::new(line.left, line.top);
        let strip = Rectangle::new(corner, Size::new(line.width, line.font.line_height()));
        let text_w = line.font.text_width(&line.text);
        let x = if text_w > line.width {
            pan_x(elapsed, text_w - line.width, pan_speed(line.font))
        } else {
            centred_x(text_w, line.width)
        };
        let origin = corner + Point::new(x, 0);
        let mut strip_canvas = canvas.clipped(&strip);
        draw_line(
            &mut strip_canvas,
            line.font,
            &line.text,
            origin,
            line.color.into(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::layout::{ClockFace, clock_pan_ms, static_layout};
    use crate::display::panel::Frame;
    use crate::display::scene::{ClockSettings, EmergencyText, PanelSpec, SceneInput, scene};
    use crate::model::PanelKind;
    use chrono::Duration;
    use embedded_graphics::mock_display::MockDisplay;
    use embedded_graphics::primitives::Rectangle;

    fn t0() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-27T07:30:00+07:00").unwrap()
    }

    fn slogan_scene(text: &str, effect: Effect, color: PanelColor, elapsed_ms: i64) -> Scene {
        Scene::Slogan {
            slogan: Slogan {
                id: 7,
                text: text.to_string(),
                color,
                effect,
                speed_px_s: 32,
                hold_s: 5,
                window: None,
            },
            color,
            started_at: t0() - Duration::milliseconds(elapsed_ms),
        }
    }

    fn frame_of(scene: &Scene, w: u32, h: u32) -> Frame {
        let mut f = Frame::new(w, h);
        render(scene, t0(), &mut f).unwrap();
        f
    }

    /// Smallest rectangle holding every lit LED, as (min x, min y, max x, max y).
    fn lit_box(f: &Frame) -> Option<(i32, i32, i32, i32)> {
        let mut b: Option<(i32, i32, i32, i32)> = None;
        for y in 0..f.height() as i32 {
            for x in 0..f.width() as i32 {
                if f.pixel(x, y) != Some(Rgb888::BLACK) {
                    let (x0, y0, x1, y1) = b.unwrap_or((x, y, x, y));
                    b = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
                }
            }
        }
        b
    }

    fn emergency(text: &str, kind: PanelKind, elapsed_ms: i64) -> Scene {
        Scene::Emergency {
            text: text.to_string(),
            since: t0() - Duration::milliseconds(elapsed_ms),
            phases: kind.emergency_phases(),
        }
    }

    /// The face of a clock scene.
    fn face(s: &Scene) -> &ClockFace {
        match s {
            Scene::Clock { face, .. } => face,
            _ => panic!("not a clock"),
        }
    }

    fn clock(lunar: Option<&str>) -> Scene {
        Scene::Clock {
            face: ClockFace {
                time: "07:30".into(),
                weekday: "Thứ Sáu".into(),
                weekday_short: "T6".into(),
                solar_date: "27/11/2026".into(),
                lunar: lunar.map(str::to_string),
                time_color: PanelColor::AMBER,
                date_color: PanelColor::GREEN,
            },
            started_at: t0(),
        }
    }

    #[test]
    fn letter_with_two_marks_on_mock_display() {
        let mut d = MockDisplay::<Rgb888>::new();
        d.set_allow_overdraw(true);
        let scene = slogan_scene("ệ", Effect::Static, PanelColor::RED, 0);
        render(
            &scene,
            t0(),
            &mut d.cropped(&Rectangle::new(Point::zero(), Size::new(8, 16))),
        )
        .unwrap();
        d.assert_pattern(&[
            "KKKKKKKK", //
            "KKKKKKKK", //
            "KKKRRKKK", // circumflex
            "KKRKKRKK", //
            "KKKKKKKK", //
            "KKKKKKKK", //
            "KKRRRRKK", // e
            "KRKKKKRK", //
            "KRKKKKRK", //
            "KRRRRRRK", //
            "KRKKKKKK", //
            "KRKKKKKK", //
            "KRKKKKRK", //
            "KKRRRRKK", //
            "KKKKKKKK", //
            "KKKKRKKK", // dot below (nặng)
        ]);
    }

    #[test]
    fn blank_clears_to_black_on_mock_display() {
        let mut d = MockDisplay::<Rgb888>::new();
        render(
            &Scene::Blank,
            t0(),
            &mut d.cropped(&Rectangle::new(Point::zero(), Size::new(4, 2))),
        )
        .unwrap();
        d.assert_pattern(&["KKKK", "KKKK"]);
    }

    #[test]
    fn scrolling_never_draws_outside_the_target() {
        // MockDisplay panics on any pixel outside its 64×64 area, so a long
        // marquee half-way through proves the clipping.
        let text = "Không làm việc riêng trong giờ hành chính";
        for elapsed in [0, 1_500, 4_000, 9_999, 60_000] {
            let mut d = MockDisplay::<Rgb888>::new();
            d.set_allow_overdraw(true);
            render(
                &slogan_scene(text, Effect::Scroll, PanelColor::RED, elapsed),
                t0(),
                &mut d,
            )
            .unwrap();
            render(&emergency(text, PanelKind::Rgb, elapsed), t0(), &mut d).unwrap();
            render(&clock(Some("Mùng 1 tháng Giêng")), t0(), &mut d).unwrap();
        }
    }

    #[test]
    fn drawing_stays_inside_a_cropped_area() {
        let mut d = MockDisplay::<Rgb888>::new();
        d.set_allow_overdraw(true);
        let area = Rectangle::new(Point::new(5, 7), Size::new(40, 20));
        let scene = slogan_scene("Xin cảm ơn bà con", Effect::Scroll, PanelColor::RED, 1_200);
        render(&scene, t0(), &mut d.cropped(&area)).unwrap();
        assert_eq!(d.affected_area(), area);
    }

    #[test]
    fn zero_one_and_tiny_panels_draw_nothing_and_do_not_panic() {
        let scenes = [
            Scene::Blank,
            slogan_scene("Xin chào", Effect::Scroll, PanelColor::RED, 500),
            slogan_scene("Xin chào", Effect::Blink, PanelColor::RED, 100),
            emergency("KHẨN CẤP", PanelKind::MonoRed, 700),
            clock(Some("Mùng 1")),
        ];
        for (w, h) in [(0, 0), (1, 1), (0, 32), (192, 0), (7, 16), (192, 15)] {
            for s in &scenes {
                assert_eq!(frame_of(s, w, h).lit_count(), 0, "{w}x{h} {s:?}");
            }
        }
        for s in &scenes[1..] {
            assert!(
                frame_of(s, 8, 16).lit_count() > 0,
                "8x16 is big enough: {s:?}"
            );
        }
    }

    #[test]
    fn static_text_is_centred() {
        // "Xin chào": 8 cells × 16 px = 128 px on 192: starts at x = 32.
        let f = frame_of(
            &slogan_scene("Xin chào", Effect::Static, PanelColor::RED, 0),
            192,
            32,
        );
        let (x0, y0, x1, y1) = lit_box(&f).unwrap();
        assert!(x0 >= 32 && x1 < 32 + 128, "{x0}..{x1}");
        let (left, right) = (x0, 191 - x1);
        assert!((left - right).abs() <= 4, "margins {left} and {right}");
        assert!(y0 >= 0 && y1 < 32);
    }

    #[test]
    fn still_text_too_wide_for_one_line_wraps_to_two() {
        let f = frame_of(
            &slogan_scene(
                "Không hách dịch, cửa quyền",
                Effect::Static,
                PanelColor::RED,
                0,
            ),
            192,
            32,
        );
        let top = (0..192).any(|x| (0..16).any(|y| f.pixel(x, y) != Some(Rgb888::BLACK)));
        let bottom = (0..192).any(|x| (16..32).any(|y| f.pixel(x, y) != Some(Rgb888::BLACK)));
        assert!(top && bottom);
        let lines = static_layout("Không hách dịch, cửa quyền", 192, 32).unwrap();
        assert_eq!(
            lines,
            (
                FontChoice::Unifont16,
                vec!["Không hách dịch,".to_string(), "cửa quyền".to_string()]
            )
        );
        let (font, lines) = static_layout("Không hách dịch, cửa quyền", 128, 64).unwrap();
        assert_eq!(font, FontChoice::Unifont16);
        assert_eq!(lines, ["Không hách dịch,", "cửa quyền"]);
    }

    #[test]
    fn marquee_moves_one_led_at_a_time_right_to_left() {
        let text = "Luôn lắng nghe";
        // 32 px/s: 2000 ms → 64 px travelled, 2032 ms → 65 px.
        let a = frame_of(
            &slogan_scene(text, Effect::Scroll, PanelColor::RED, 2_000),
            192,
            32,
        );
        let b = frame_of(
            &slogan_scene(text, Effect::Scroll, PanelColor::RED, 2_032),
            192,
            32,
        );
        assert!(a.lit_count() > 0);
        for y in 0..32 {
            for x in 0..191 {
                assert_eq!(b.pixel(x, y), a.pixel(x + 1, y), "({x},{y})");
            }
        }
    }

    #[test]
    fn marquee_enters_at_the_right_and_leaves_at_the_left() {
        let text = "Xin chào";
        let at = |ms| {
            frame_of(
                &slogan_scene(text, Effect::Scroll, PanelColor::RED, ms),
                192,
                32,
            )
        };
        assert_eq!(at(0).lit_count(), 0, "starts just off the right edge");
        let (x0, ..) = lit_box(&at(1_000)).unwrap();
        assert!(x0 >= 192 - 32, "enters from the right: {x0}");
        // (128 + 192) px at 32 px/s = 10 s: gone just before the slot ends.
        assert_eq!(at(9_990).lit_count(), 0);
        assert!(at(5_000).lit_count() > 0);
    }

    #[test]
    fn blink_is_on_then_off_at_one_hertz() {
        let at = |ms| {
            frame_of(
                &slogan_scene("Xin phép", Effect::Blink, PanelColor::RED, ms),
                192,
                32,
            )
            .lit_count()
        };
        assert!(at(0) > 0);
        assert!(at(499) > 0);
        assert_eq!(at(500), 0);
        assert_eq!(at(999), 0);
        assert!(at(1_000) > 0);
    }

    #[test]
    fn lit_pixels_use_the_scene_colour() {
        let f = frame_of(
            &slogan_scene("Luôn giúp đỡ", Effect::Static, PanelColor::CYAN, 0),
            128,
            64,
        );
        let cyan = Rgb888::from(PanelColor::CYAN);
        assert!(f.pixels().iter().all(|&p| p == cyan || p == Rgb888::BLACK));
        assert!(f.lit_count() > 0);
    }

    #[test]
    fn emergency_alternates_phases_and_starts_readable() {
        let text = "KHẨN CẤP: Bão số 3 đổ bộ, bà con ở trong nhà";
        let a = frame_of(&emergency(text, PanelKind::MonoRed, 0), 192, 32);
        let b = frame_of(&emergency(text, PanelKind::MonoRed, 500), 192, 32);
        assert_eq!(
            a.pixel(191, 0),
            Some(Rgb888::BLACK),
            "phase A: dark background"
        );
        assert_eq!(b.pixel(191, 0), Some(Rgb888::RED), "phase B: inverse");
        // It fits as two 16 px lines, so it stands still: same phase, same frame.
        let later = frame_of(&emergency(text, PanelKind::MonoRed, 2_000), 192, 32);
        assert_eq!(a, later);
        let rgb = frame_of(&emergency(text, PanelKind::Rgb, 0), 192, 32);
        assert!(rgb.pixels().contains(&Rgb888::YELLOW));
    }

    #[test]
    fn long_emergency_ticker_starts_readable_and_never_leaves_the_panel_empty() {
        let text = "KHẨN CẤP: Bão số 3 đổ bộ, bà con ở trong nhà, không ra biển, \
                chằng chống nhà cửa, theo dõi loa phường";
        let first = frame_of(&emergency(text, PanelKind::MonoRed, 0), 192, 32);
        let (x0, ..) = lit_box(&first).unwrap();
        assert!(x0 < 8, "starts at the left edge: {x0}");
        for s in 0..40 {
            let f = frame_of(&emergency(text, PanelKind::MonoRed, s * 777), 192, 32);
            let fg = if blink_on(s * 777) {
                Rgb888::RED
            } else {
                Rgb888::BLACK
            };
            let text_pixels = f.pixels().iter().filter(|&&p| p == fg).count();
            assert!(text_pixels > 100, "t={} ms: {text_pixels}", s * 777);
        }
    }

    #[test]
    fn clock_draws_both_lines_and_pans_the_long_one() {
        let c = clock(Some("Mùng 1 tháng Giêng"));
        let f = frame_of(&c, 192, 32);
        let lit_in = |f: &Frame, ys: std::ops::Range<i32>| {
            (0..192).any(|x| ys.clone().any(|y| f.pixel(x, y) != Some(Rgb888::BLACK)))
        };
        assert!(lit_in(&f, 0..16) && lit_in(&f, 16..32));
        // Time line centred: "07:30" = 40 px → columns 76..116.
        let time_cols: Vec<i32> = (0..192)
            .filter(|&x| (0..16).any(|y| f.pixel(x, y) != Some(Rgb888::BLACK)))
            .collect();
        assert!(time_cols.first().unwrap() >= &76 && time_cols.last().unwrap() < &116);
        // The date line (320 px) pans: after 5 s it has moved left.
        let mut later = c.clone();
        if let Scene::Clock { started_at, .. } = &mut later {
            *started_at = t0() - Duration::seconds(5);
        }
        let g = frame_of(&later, 192, 32);
        assert_ne!(f.pixels(), g.pixels());
        assert_eq!(
            clock_pan_ms(face(&c), 192, 32),
            3_000 + (128 * 1000 + 23) / 24
        );
    }

    #[test]
    fn time_stays_put_on_a_16_px_panel_while_the_date_pans() {
        let c = clock(Some("Mùng 1 tháng Giêng"));
        let at = |secs| {
            let mut s = c.clone();
            if let Scene::Clock { started_at, .. } = &mut s {
                *started_at = t0() - Duration::seconds(secs);
            }
            frame_of(&s, 192, 16)
        };
        let (a, b) = (at(0), at(6));
        let time_strip = |f: &Frame| -> Vec<Option<Rgb888>> {
            (0..16)
                .flat_map(|y| (0..48).map(move |x| (x, y)))
                .map(|(x, y)| f.pixel(x, y))
                .collect()
        };
        assert_eq!(time_strip(&a), time_strip(&b), "time does not move");
        assert!(
            a.pixels()
                .iter()
                .any(|&p| p == Rgb888::from(PanelColor::AMBER))
        );
        assert_ne!(a, b, "date line pans");
    }

    #[test]
    fn scene_then_render_end_to_end_on_192x32() {
        let input = SceneInput {
            slogans: vec![Slogan {
                id: 1,
                text: "Xin chào".into(),
                color: PanelColor::GREEN,
                effect: Effect::Static,
                speed_px_s: 0,
                hold_s: 10,
                window: None,
            }],
            clock: Some(ClockSettings {
                every_n_slogans: 1,
                hold_s: 10,
                show_lunar: true,
            }),
            lunar_date_text: "Mùng 1".into(),
            emergency: None,
            panel: PanelSpec {
                width: 192,
                height: 32,
                kind: PanelKind::MonoAmber,
            },
        };
        let mut f = Frame::new(192, 32);
        for s in 0..25 {
            let t = t0() + Duration::seconds(s);
            render(&scene(t, &input), t, &mut f).unwrap();
            assert!(f.lit_count() > 0, "second {s}");
            assert!(
                f.pixels()
                    .iter()
                    .all(|&p| p == Rgb888::BLACK || p == PanelColor::AMBER.into())
            );
        }
        let mut with_alarm = input.clone();
        with_alarm.emergency = Some(EmergencyText {
            text: "KHẨN CẤP".into(),
            since: t0(),
        });
        render(&scene(t0(), &with_alarm), t0(), &mut f).unwrap();
        let alone = frame_of(&emergency("KHẨN CẤP", PanelKind::MonoAmber, 0), 192, 32);
        assert_eq!(f, alone, "the emergency replaces everything");
    }
}
