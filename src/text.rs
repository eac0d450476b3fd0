//! Text from people: every incoming string is NFC-normalised, so "ở" typed with a combining
//! hook and "ở" typed precomposed are the same title, the same slogan and the same pixels.
//!
//! Pure functions on strings; must not import the rest of the crate.

use unicode_normalization::UnicodeNormalization;

/// Text as it is stored and shown: NFC (so "e" + combining marks become "ệ"), zero-width
/// characters and variation selectors removed, whitespace runs (tabs, newlines, no-break spaces)
/// collapsed to one space, ends trimmed. Control and bidi formatting characters are kept, so the
/// LED panel's check can name and refuse them; [`clean_line`] drops them.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.nfc().filter(|&c| !is_zero_width(c)) {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(ch);
    }
    // Removing characters can bring a base and its mark together: compose again.
    out.nfc().collect()
}

/// One line of user text (a title, a name, a reason): [`normalize`]d, with control characters
/// taken as spaces and invisible formatting characters dropped.
pub fn clean_line(s: &str) -> String {
    let visible: String = s
        .chars()
        .filter(|c| !is_invisible_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    normalize(&visible)
}

/// Characters that take no space and carry no letter: zero-width spaces and joiners, direction
/// marks, word joiner, byte-order mark, variation selectors (one glyph per character on the
/// panel, so text or emoji presentation means nothing).
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
}

/// Invisible formatting characters that reorder or hide text: bidi embeddings and isolates,
/// soft hyphen, invisible operators, tags.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2061}'..='\u{206F}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// A name for comparing, not showing: without tone marks and hats (NFD's combining marks
/// dropped, "đ" as "d"), in lower case, whitespace runs as one space. "Thành phố Hải Phòng"
/// becomes "thanh pho hai phong", so a CAP area's name is found whatever marks the sender typed.
pub fn fold(s: &str) -> String {
    let bare: String = normalize(s)
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36F}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect();
    bare.to_lowercase()
}

/// What someone typed in a list's search box, as [`fold`]ed words. A row is found when every
/// word is in its text, so "tiem chung" finds "Tiêm chủng mở rộng" on a phone keyboard that
/// types no tone marks, and "chủng tiêm" finds it too.
#[derive(Debug, Clone, Default)]
pub struct Search(Vec<String>);

impl Search {
    /// The words of `typed`; empty when nothing but spaces was typed.
    pub fn new(typed: &str) -> Search {
        Search(fold(typed).split_whitespace().map(str::to_string).collect())
    }

    /// Whether every word is somewhere in `fields` (a title, an author, a category's name).
    pub fn finds(&self, fields: &[&str]) -> bool {
        let text = fold(&fields.join(" "));
        self.0.iter().all(|word| text.contains(word.as_str()))
    }
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

/// The short name of a day as calendars write it: "T2" … "T7", "CN".
pub fn weekday_short_vi(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match day {
        Mon => "T2",
        Tue => "T3",
        Wed => "T4",
        Thu => "T5",
        Fri => "T6",
        Sat => "T7",
        Sun => "CN",
    }
}

/// One CSV field (RFC 4180), always quoted; a leading `=` `+` `-` `@` tab or CR is defused with
/// a `'` so a spreadsheet does not run it as a formula. Every CSV the station writes (the as-run
/// log, the province's reports) quotes its text through this.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_finds_rows_with_every_word_whatever_the_marks() {
        let title = "Tiêm chủng mở rộng";
        assert!(Search::new("tiem chung").finds(&[title, "Lan"]));
        assert!(Search::new("  CHỦNG   tiêm ").finds(&[title]));
        assert!(
            Search::new("lan tiem").finds(&[title, "Lan"]),
            "words may come from any field"
        );
        assert!(!Search::new("tiem phong").finds(&[title, "Lan"]));
        assert!(
            Search::new("   ").finds(&[title]),
            "nothing typed finds everything"
        );
        assert!(Search::new("đường").finds(&["Sửa Duong thôn 2"]));
    }

    #[test]
    fn folded_names_compare_without_case_and_tone_marks() {
        assert_eq!(fold("Thành phố  Hải Phòng"), "thanh pho hai phong");
        assert_eq!(fold("ĐÀ NẴNG"), fold("Đà Nẵng"));
        assert!(fold("Thành phố Hải Phòng").contains(&fold("hai phong")));
        assert_ne!(fold("Hà Nam"), fold("Hà Nội"));
    }

    #[test]
    fn nfd_and_nfc_titles_are_the_same() {
        let nfd = "Lo\u{31B}\u{300}i chu\u{301}c Te\u{302}\u{301}t";
        assert_eq!(clean_line(nfd), "Lời chúc Tết");
    }

    #[test]
    fn weekdays_as_calendars_write_them() {
        use chrono::Weekday;
        assert_eq!(weekday_vi(Weekday::Sun), "Chủ Nhật");
        assert_eq!(weekday_short_vi(Weekday::Sun), "CN");
        assert_eq!(weekday_short_vi(Weekday::Mon), "T2");
    }

    #[test]
    fn controls_and_invisibles_go_spaces_collapse() {
        assert_eq!(
            clean_line("  Bản\u{200B} tin\t\n sáng\u{0007} "),
            "Bản tin sáng"
        );
    }
}
