//! Drawing core of the LED slogan panel.
//!
//! This module owns everything between "these slogans are approved" and
//! "these bytes go to the LEDs":
//!
//! * [`text`] — cleaning and checking incoming text (NFC, whitespace,
//!   characters the panel cannot show), with bilingual error messages;
//! * [`font`] — the bitmap fonts (GNU Unifont via u8g2) and which letters
//!   they cover; the same glyph lookup serves the checker and the renderer;
//! * [`color`] — requested colours and what a given panel kind can show;
//! * [`mod@scene`] — the pure decision of what the panel shows at an instant;
//! * [`mod@render`] — drawing a scene onto any `embedded-graphics` target;
//! * [`panel`] — the in-memory [`Frame`] and the outputs (PNG preview,
//!   Linux framebuffer);
//! * [`layout`] — how text fits the panel, shared by the scene and the renderer;
//! * [`board`] — what the panel shows now: the approved slogans, `[display]`, the emergency;
//! * [`driver`] — the panel loop that draws the board and reopens a failed panel;
//! * [`slogans`] — slogans as a kind of reviewed content ([`crate::review::Kind`]).
//!
//! The scene, the layout and the renderer keep no hidden state: the same board and instant
//! always give the same pixels, which is what makes the web preview trustworthy; the board is
//! the one place that holds what is shown. Must not touch the player or the web, and reads
//! the database only through the store.

pub mod board;
pub mod color;
pub mod driver;
pub mod font;
pub mod layout;
pub mod panel;
pub mod render;
pub mod scene;
pub mod slogans;
pub mod text;

pub use font::FontChoice;
pub use panel::{Frame, Panel, PanelError};
pub use render::render;
pub use scene::{ClockSettings, EmergencyText, PanelSpec, Scene, SceneInput, Slogan, scene};
pub use text::{TextError, check_text};

#[cfg(test)]
mod tests {
    //! Tests across modules: every Vietnamese letter is covered by the fonts
    //! the renderer uses, and decomposed input draws exactly the same pixels.

    use chrono::{DateTime, FixedOffset};
    use embedded_graphics::{pixelcolor::Rgb888, prelude::*};
    use unicode_normalization::UnicodeNormalization;

    use super::{
        FontChoice, Frame, PanelSpec, Scene, SceneInput, Slogan, check_text, render, scene,
    };
    use crate::model::{Effect, PanelColor, PanelKind};
    use crate::text::normalize;

    /// Base vowels, lower then upper case.
    const VOWELS: &str = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY";
    /// The five tone marks as combining characters: huyền, sắc, hỏi, ngã, nặng.
    const TONES: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0309}', '\u{0303}', '\u{0323}'];

    /// The 134 Vietnamese letters with diacritics (67 lower, 67 upper case):
    /// every vowel with each tone (120), plus ă â ê ô ơ ư đ and capitals (14).
    /// Built from NFD so no hand-typed list can hide a mistake.
    fn vietnamese_letters() -> Vec<char> {
        let mut out: Vec<char> = VOWELS.chars().filter(|c| !c.is_ascii()).collect();
        out.extend(['đ', 'Đ']);
        for v in VOWELS.chars() {
            for tone in TONES {
                let nfd: String = v.nfd().chain([tone]).collect();
                let nfc: Vec<char> = nfd.nfc().collect();
                assert_eq!(nfc.len(), 1, "{nfd:?} must compose to one letter");
                out.push(nfc[0]);
            }
        }
        out
    }

    fn t0() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-27T07:30:00+07:00").unwrap()
    }

    fn still(text: &str) -> Scene {
        Scene::Slogan {
            slogan: Slogan {
                id: 1,
                text: text.to_string(),
                color: PanelColor::RED,
                effect: Effect::Static,
                speed_px_s: 0,
                hold_s: 5,
                window: None,
            },
            color: PanelColor::RED,
            // 3 s in: a text that has to scroll is on the panel by then.
            started_at: t0() - chrono::Duration::seconds(3),
        }
    }

    fn draw(scene: &Scene, w: u32, h: u32) -> Frame {
        let mut f = Frame::new(w, h);
        render(scene, t0(), &mut f).unwrap();
        f
    }

    #[test]
    fn there_are_134_letters_and_all_are_distinct() {
        let letters = vietnamese_letters();
        assert_eq!(letters.len(), 134);
        let mut sorted = letters.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 134);
    }

    #[test]
    fn every_vietnamese_letter_is_covered_by_both_font_choices() {
        let ascii = ('a'..='z').chain('A'..='Z').chain('0'..='9');
        for c in vietnamese_letters().into_iter().chain(ascii) {
            for font in [FontChoice::Unifont16, FontChoice::Unifont32] {
                assert!(font.covers(c), "{c} (U+{:04X}) missing", u32::from(c));
                assert_eq!(check_text(&c.to_string(), &font), Ok(()), "{c}");
            }
        }
        let all: String = vietnamese_letters().into_iter().collect();
        assert_eq!(check_text(&all, &FontChoice::Unifont16), Ok(()));
    }

    #[test]
    fn every_tone_draws_a_different_glyph() {
        // A font that silently drew "ả" as "a" would pass a coverage check;
        // this catches it: base + 5 tones give 6 different bitmaps per vowel.
        for v in VOWELS.chars() {
            let forms: Vec<String> = std::iter::once(v.to_string())
                .chain(TONES.iter().map(|t| v.nfd().chain([*t]).nfc().collect()))
                .collect();
            let frames: Vec<Frame> = forms.iter().map(|s| draw(&still(s), 8, 16)).collect();
            for i in 0..frames.len() {
                assert!(frames[i].lit_count() > 0, "{}", forms[i]);
                for j in i + 1..frames.len() {
                    assert_ne!(
                        frames[i], frames[j],
                        "{} and {} look the same",
                        forms[i], forms[j]
                    );
                }
            }
        }
    }

    #[test]
    fn nfd_input_normalizes_to_nfc() {
        let all: String = vietnamese_letters().into_iter().collect();
        let nfd: String = all.nfd().collect();
        assert_ne!(nfd, all);
        assert_eq!(normalize(&nfd), all);
        assert_eq!(normalize("Xin ca\u{0309}m o\u{031B}n"), "Xin cảm ơn");
    }

    #[test]
    fn nfd_and_nfc_render_the_same_pixels() {
        let letters = vietnamese_letters();
        let mut texts: Vec<String> = letters.chunks(10).map(|c| c.iter().collect()).collect();
        texts.push("Xin cảm ơn".to_string());
        texts.push("Không hách dịch, cửa quyền".to_string());
        for nfc in texts {
            let nfd: String = nfc.nfd().collect();
            for (w, h) in [(192, 32), (192, 16), (128, 64)] {
                let a = draw(&still(&nfc), w, h);
                let b = draw(&still(&normalize(&nfd)), w, h);
                assert!(a.lit_count() > 0, "{nfc}");
                assert_eq!(a, b, "{nfc} at {w}x{h}");
            }
        }
    }

    #[test]
    fn nfd_slogan_through_scene_and_render_matches_nfc() {
        let make = |text: &str| SceneInput {
            slogans: vec![Slogan {
                id: 1,
                text: text.to_string(),
                color: PanelColor::new(0, 200, 0),
                effect: Effect::Scroll,
                speed_px_s: 40,
                hold_s: 5,
                window: None,
            }],
            clock: None,
            lunar_date_text: String::new(),
            emergency: None,
            panel: PanelSpec {
                width: 192,
                height: 32,
                kind: PanelKind::Rgb,
            },
        };
        let nfc = make("Xin cảm ơn, Luôn nhẹ nhàng");
        let nfd = make("Xin ca\u{0309}m o\u{031B}n, Luo\u{0302}n nhe\u{0323} nha\u{0300}ng");
        for ms in (0..10_000).step_by(1_250) {
            let t = t0() + chrono::Duration::milliseconds(ms);
            let mut a = Frame::new(192, 32);
            let mut b = Frame::new(192, 32);
            let (sa, sb) = (scene(t, &nfc), scene(t, &nfd));
            assert_eq!(sa, sb, "at +{ms} ms");
            render(&sa, t, &mut a).unwrap();
            render(&sb, t, &mut b).unwrap();
            assert_eq!(a, b, "at +{ms} ms");
        }
    }

    #[test]
    fn frame_pixels_192x32_show_marks_above_and_below() {
        // "Ệ" on a 32 px panel: the circumflex rows at the top and the dot below
        // at the bottom must both be lit, and nothing may touch the outer rows
        // beyond the glyph cell (no clipping of stacked marks).
        let f = draw(&still("Ệ"), 192, 32);
        let rows: Vec<bool> = (0..32)
            .map(|y| (0..192).any(|x| f.pixel(x, y) != Some(Rgb888::BLACK)))
            .collect();
        let first = rows.iter().position(|&r| r).unwrap();
        let last = rows.iter().rposition(|&r| r).unwrap();
        assert!(first <= 4, "circumflex near the top, row {first}");
        assert!(last >= 28, "dot below near the bottom, row {last}");
        let gap = rows[first..last].iter().any(|&r| !r);
        assert!(gap, "mark separated from the letter");
    }
}
