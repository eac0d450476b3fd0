use super::*;
use chrono::TimeZone;

/// Vietnam time, UTC+7.
fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap()
}

/// 2026-11-27 (a Friday) at h:m:s.ms local time. Local 07:00 is 00:00 UTC,
/// so at 07:00:00 any cycle whose length divides a day is at its start.
fn at(h: u32, m: u32, s: u32, ms: u32) -> DateTime<FixedOffset> {
    vn().with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap() + Duration::milliseconds(i64::from(ms))
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
        time,
        weekday,
        solar_date,
        lunar,
        time_color,
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
        Scene::Clock { lunar: None, .. }
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
