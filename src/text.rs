//! Text from people: every incoming string is NFC-normalised, so "ở" typed with a combining
//! hook and "ở" typed precomposed are the same title, the same slogan and the same pixels.

use unicode_normalization::UnicodeNormalization;

/// One line of user text: NFC, no control or invisible formatting characters, single spaces,
/// trimmed.
pub fn clean_line(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for word in nfc
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !is_invisible(*c)));
    }
    out
}

/// The Vietnamese name of a day of the week ("Thứ Hai" … "Chủ Nhật").
pub fn weekday_vi(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match day {
        Mon => "Thứ Hai",
        Tue => "Thứ Ba",
        Wed => "Thứ Tư",
        Thu => "Thứ Năm",
        Fri => "Thứ Sáu",
        Sat => "Thứ Bảy",
        Sun => "Chủ Nhật",
    }
}

/// Zero-width and direction-control characters that only hide or reorder text.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_and_nfc_titles_are_the_same() {
        let nfd = "Lo\u{31B}\u{300}i chu\u{301}c Te\u{302}\u{301}t";
        assert_eq!(clean_line(nfd), "Lời chúc Tết");
    }

    #[test]
    fn controls_and_invisibles_go_spaces_collapse() {
        assert_eq!(
            clean_line("  Bản\u{200B} tin\t\n sáng\u{0007} "),
            "Bản tin sáng"
        );
    }
}
