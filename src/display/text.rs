//! Incoming text: cleaning it ([`normalize`]) and refusing what the panel
//! cannot show ([`check_text`]) with a message that names the character.
//!
//! Vietnamese typed on phones and copied from Word often arrives decomposed
//! (NFD: "e" + U+0302 + U+0301) or with invisible characters; both must end
//! up as the same precomposed letters the fonts hold, or a tone mark would be
//! lost on a government sign. It does not store or draw anything: callers check before they store.

use thiserror::Error;
use unicode_normalization::char::is_combining_mark;

use super::font::FontChoice;
use crate::model::Said;
use crate::model::said;
use crate::text::{is_invisible_format as is_invisible, normalize};

/// Longest text accepted, in characters after [`normalize`].
pub const MAX_CHARS: usize = 500;

/// Why a text cannot go on the panel. Each message is one line, Vietnamese
/// first, then " / " and English, and names the offending character.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.said())]
pub enum TextError {
    /// Nothing left after trimming and removing invisible characters.
    Empty,
    /// More than [`MAX_CHARS`] characters.
    TooLong {
        /// Characters after normalization.
        count: usize,
        /// The limit, [`MAX_CHARS`].
        limit: usize,
    },
    /// A control or invisible formatting character.
    Control {
        /// The character.
        ch: char,
        /// 1-based position in the normalized text.
        position: usize,
    },
    /// A letter of a right-to-left script (Hebrew, Arabic, …).
    RightToLeft {
        /// The character.
        ch: char,
        /// 1-based position in the normalized text.
        position: usize,
    },
    /// A combining mark that did not merge into the letter before it.
    LooseMark {
        /// The mark.
        ch: char,
        /// 1-based position in the normalized text.
        position: usize,
    },
    /// No glyph for the character in the chosen font (emoji, CJK, …).
    NoGlyph {
        /// The character.
        ch: char,
        /// 1-based position in the normalized text.
        position: usize,
    },
}

impl TextError {
    /// Why the panel cannot show the text, in each language.
    pub fn said(&self) -> Said {
        match self {
            TextError::Empty => said!(
                "nội dung trống — hãy nhập chữ cần hiển thị",
                "the text is empty — please type the words to show"
            ),
            TextError::TooLong { count, limit } => said!(
                "nội dung dài {count} ký tự, tối đa {limit} ký tự — hãy rút gọn",
                "the text is {count} characters long, the limit is {limit} — please shorten it"
            ),
            TextError::Control { ch, position } => {
                let ch = named(*ch);
                said!(
                    "ký tự điều khiển {ch} ở vị trí {position} không hiển thị được — hãy xoá nó",
                    "the control character {ch} at position {position} cannot be shown — delete it"
                )
            }
            TextError::RightToLeft { ch, position } => {
                let ch = named(*ch);
                said!(
                    "ký tự {ch} ở vị trí {position} thuộc chữ viết từ phải sang trái; bảng LED chỉ hiển thị chữ từ trái sang phải",
                    "the character {ch} at position {position} belongs to a right-to-left script; the LED panel shows left-to-right text only"
                )
            }
            TextError::LooseMark { ch, position } => {
                let ch = named(*ch);
                said!(
                    "dấu {ch} ở vị trí {position} không ghép được với chữ đứng trước — hãy gõ lại chữ có dấu",
                    "the mark {ch} at position {position} cannot be combined with the letter before it — retype the accented letter"
                )
            }
            TextError::NoGlyph { ch, .. } => {
                let ch = named(*ch);
                said!(
                    "ký tự {ch} không có trên bảng LED — hãy bỏ hoặc thay bằng chữ",
                    "the character {ch} cannot be shown on the LED panel — remove it or replace it with letters"
                )
            }
        }
    }
}

/// `"😀" (U+1F600)`; invisible characters are written escaped (`"\u{7}"`).
fn named(ch: char) -> String {
    let shown: String = if ch.is_control() || is_invisible(ch) || is_combining_mark(ch) {
        ch.escape_unicode().collect()
    } else {
        ch.to_string()
    };
    format!("\"{shown}\" (U+{:04X})", u32::from(ch))
}

/// Checks that the panel can show `s` with `font`, after [`normalize`].
///
/// Store and display `normalize(s)` once this passes: that is the text
/// that was checked.
pub fn check_text(s: &str, font: &FontChoice) -> Result<(), TextError> {
    let text = normalize(s);
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    let count = text.chars().count();
    if count > MAX_CHARS {
        return Err(TextError::TooLong {
            count,
            limit: MAX_CHARS,
        });
    }
    text.chars()
        .enumerate()
        .try_for_each(|(i, ch)| check_char(ch, i + 1, *font))
}

/// Refusals for one character, most specific first.
fn check_char(ch: char, position: usize, font: FontChoice) -> Result<(), TextError> {
    if ch.is_control() || is_invisible(ch) {
        return Err(TextError::Control { ch, position });
    }
    if is_right_to_left(ch) {
        return Err(TextError::RightToLeft { ch, position });
    }
    if is_combining_mark(ch) {
        return Err(TextError::LooseMark { ch, position });
    }
    if !font.covers(ch) {
        return Err(TextError::NoGlyph { ch, position });
    }
    Ok(())
}

/// Letters of scripts written right to left: Hebrew, Arabic, Syriac,
/// Thaana, N'Ko, Samaritan, Mandaic, their presentation forms, and the
/// historic and African right-to-left scripts of the supplementary planes.
fn is_right_to_left(ch: char) -> bool {
    matches!(
        ch,
        '\u{0590}'..='\u{08FF}'
            | '\u{200F}'
            | '\u{FB1D}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFE}'
            | '\u{10800}'..='\u{10FFF}'
            | '\u{1E800}'..='\u{1EFFF}'
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const F: FontChoice = FontChoice::Unifont16;

    #[test]
    fn nfd_becomes_nfc() {
        assert_eq!(normalize("Xin ca\u{0309}m o\u{031B}n"), "Xin cảm ơn");
        assert_eq!(normalize("Vie\u{0302}\u{0323}t Nam"), "Việt Nam");
        assert_eq!(normalize("Vie\u{0323}\u{0302}t Nam"), "Việt Nam");
    }

    #[test]
    fn whitespace_and_invisibles_are_cleaned() {
        assert_eq!(
            normalize("  Xin\t\tchào \n\r bà\u{00A0}con  "),
            "Xin chào bà con"
        );
        assert_eq!(
            normalize("\u{FEFF}Lu\u{200B}ôn\u{200D} \u{2060}cười\u{200E}"),
            "Luôn cười"
        );
        assert_eq!(normalize("\u{200B} \u{FEFF}\t"), "");
        // A zero-width space between base and mark must not lose the tone.
        assert_eq!(normalize("a\u{200B}\u{0301}"), "á");
        assert_eq!(normalize("☀\u{FE0F}"), "☀");
    }

    #[test]
    fn accepts_vietnamese_slogans() {
        for s in [
            "Xin chào",
            "Không hách dịch, cửa quyền",
            "KHẨN CẤP: Bão số 3",
            "“Dân” — 100₫…",
        ] {
            assert_eq!(check_text(s, &F), Ok(()), "{s}");
            assert_eq!(check_text(s, &FontChoice::Unifont32), Ok(()), "{s}");
        }
    }

    #[test]
    fn refuses_emoji_naming_it() {
        let err = check_text("Xin chào 😀", &F).unwrap_err();
        assert_eq!(
            err,
            TextError::NoGlyph {
                ch: '😀',
                position: 10
            }
        );
        assert_eq!(
            err.to_string(),
            "ký tự \"😀\" (U+1F600) không có trên bảng LED — hãy bỏ hoặc thay bằng chữ / \
             the character \"😀\" (U+1F600) cannot be shown on the LED panel — remove it or \
             replace it with letters"
        );
    }

    #[test]
    fn refuses_cjk() {
        let err = check_text("Xin chào 中国", &F).unwrap_err();
        assert!(err.to_string().contains("\"中\" (U+4E2D)"), "{err}");
    }

    #[test]
    fn refuses_right_to_left_scripts() {
        for (s, ch) in [
            ("שלום", 'ש'),
            ("Xin مرحبا", 'م'),
            ("a\u{202E}b", '\u{202E}'),
        ] {
            let err = check_text(s, &F).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(&format!("U+{:04X}", u32::from(ch))), "{msg}");
            if ch != '\u{202E}' {
                assert!(msg.contains("shows left-to-right text only"), "{msg}");
                assert!(msg.contains("từ trái sang phải"), "{msg}");
            }
        }
    }

    #[test]
    fn refuses_control_characters() {
        let err = check_text("Xin\u{0007}chào", &F).unwrap_err();
        assert_eq!(
            err,
            TextError::Control {
                ch: '\u{7}',
                position: 4
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("\"\\u{7}\" (U+0007)"), "{msg}");
        assert!(msg.contains(" / the control character"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn refuses_empty_and_blank() {
        for s in ["", "   ", "\u{200B}\u{FEFF}", "\n\t"] {
            assert_eq!(check_text(s, &F), Err(TextError::Empty), "{s:?}");
        }
        assert!(
            TextError::Empty
                .to_string()
                .contains(" / the text is empty")
        );
    }

    #[test]
    fn refuses_ten_thousand_characters_with_count_and_limit() {
        let long = "ư".repeat(10_000);
        let err = check_text(&long, &F).unwrap_err();
        assert_eq!(
            err,
            TextError::TooLong {
                count: 10_000,
                limit: 500
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("10000") && msg.contains("500"), "{msg}");
        assert_eq!(check_text(&"a".repeat(500), &F), Ok(()));
    }

    #[test]
    fn refuses_a_mark_that_cannot_compose() {
        let err = check_text("q\u{0301}", &F).unwrap_err();
        assert_eq!(
            err,
            TextError::LooseMark {
                ch: '\u{301}',
                position: 2
            }
        );
        assert!(err.to_string().contains("(U+0301)"));
    }
}
