use super::*;
use crate::display::PanelKind;
use crate::display::panel::Frame;
use crate::display::scene::{ClockSettings, EmergencyText, PanelSpec, SceneInput, scene};
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

fn clock(lunar: Option<&str>) -> Scene {
    Scene::Clock {
        time: "07:30".into(),
        weekday: "Thứ Sáu".into(),
        weekday_short: "T6".into(),
        solar_date: "27/11/2026".into(),
        lunar: lunar.map(str::to_string),
        time_color: PanelColor::AMBER,
        date_color: PanelColor::GREEN,
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
fn clock_layouts_by_panel_size() {
    let c = clock(Some("Mùng 1 tháng Giêng"));
    let texts = |w, h| -> Vec<(String, u32, i32)> {
        clock_lines(&c, w, h)
            .into_iter()
            .map(|l| (l.text, l.font.line_height(), l.top))
            .collect()
    };
    assert_eq!(
        texts(192, 32),
        [
            ("07:30".to_string(), 16, 0),
            (
                "Thứ Sáu, 27/11/2026 · Mùng 1 tháng Giêng".to_string(),
                16,
                16
            )
        ]
    );
    assert_eq!(
        texts(128, 64),
        [
            ("07:30".to_string(), 32, 0),
            ("T6, 27/11/2026".to_string(), 16, 32),
            ("Mùng 1 tháng Giêng".to_string(), 16, 48)
        ]
    );
    // 16 px: time pinned left (40 px), a blank cell, the date in 144 px.
    let one_line: Vec<(String, i32, u32)> = clock_lines(&c, 192, 16)
        .into_iter()
        .map(|l| (l.text, l.left, l.width))
        .collect();
    assert_eq!(
        one_line,
        [
            ("07:30".to_string(), 0, 40),
            (
                "Thứ Sáu, 27/11/2026 · Mùng 1 tháng Giêng".to_string(),
                48,
                144
            )
        ]
    );
    let no_lunar = clock(None);
    assert_eq!(
        clock_lines(&no_lunar, 192, 32)[1].text,
        "Thứ Sáu, 27/11/2026"
    );
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
    assert_eq!(clock_pan_ms(&c, 192, 32), 3_000 + (128 * 1000 + 23) / 24);
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
