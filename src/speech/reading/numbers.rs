//! Numbers as a Vietnamese reader says them: cardinals with the spoken rules (mốt, lăm, tư,
//! mươi/mười, linh/lẻ, "không trăm" inside the thousands), decimals with "phẩy", ordinals after
//! "thứ", digit strings read one by one, and Roman numerals. Pure functions on digits; which rule
//! applies where is decided by the caller. They never look at the text around the digits.

/// Northern and Southern forms of the same number ("nghìn"/"ngàn", "linh"/"lẻ").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Hà Nội's forms, the broadcast standard: "một nghìn không trăm linh năm".
    #[default]
    North,
    /// Sài Gòn's forms: "một ngàn không trăm lẻ năm".
    South,
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// The name of one digit ("7" → "bảy"), as phone numbers and codes are read.
pub fn digit(d: u8) -> &'static str {
    DIGITS[usize::from(d % 10)]
}

/// Every digit of `digits` read one by one ("0912" → "không chín một hai").
pub fn digit_by_digit(digits: &str) -> String {
    digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| digit(b - b'0'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole number in words: 21 → "hai mươi mốt", 105 → "một trăm linh năm",
/// 2026 → "hai nghìn không trăm hai mươi sáu", 1 500 000 → "một triệu năm trăm nghìn".
pub fn cardinal(n: u64, dialect: Dialect) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    let mut words: Vec<&str> = Vec::new();
    // Groups of three from the top; the scale words repeat past a billion ("nghìn tỷ").
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push((rest % 1000) as u16);
        rest /= 1000;
    }
    let thousand = match dialect {
        Dialect::North => "nghìn",
        Dialect::South => "ngàn",
    };
    let top = groups.len() - 1;
    for (index, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        hundreds(group, index != top, dialect, &mut words);
        words.extend(scale(index, thousand));
    }
    words.join(" ")
}

/// The scale words after group `index` (0 units, 1 thousands, 2 millions, 3 billions, ...).
fn scale(index: usize, thousand: &'static str) -> Vec<&'static str> {
    match index {
        0 => vec![],
        1 => vec![thousand],
        2 => vec!["triệu"],
        3 => vec!["tỷ"],
        4 => vec![thousand, "tỷ"],
        _ => vec!["triệu", "tỷ"],
    }
}

/// One group of three digits. `inner`: a group after a higher one, which says its hundreds even
/// when they are zero ("một nghìn không trăm linh năm").
fn hundreds(group: u16, inner: bool, dialect: Dialect, words: &mut Vec<&'static str>) {
    let h = group / 100;
    let t = (group / 10) % 10;
    let u = group % 10;
    if h > 0 || inner {
        words.push(DIGITS[usize::from(h)]);
        words.push("trăm");
    }
    match (t, u) {
        (0, 0) => {}
        (0, u) if h > 0 || inner => {
            words.push(match dialect {
                Dialect::North => "linh",
                Dialect::South => "lẻ",
            });
            words.push(DIGITS[usize::from(u)]);
        }
        (0, u) => words.push(DIGITS[usize::from(u)]),
        (1, u) => {
            words.push("mười");
            tens_unit(u, false, words);
        }
        (t, u) => {
            words.push(DIGITS[usize::from(t)]);
            words.push("mươi");
            tens_unit(u, true, words);
        }
    }
}

/// The unit after "mười" or "mươi": 5 is "lăm", and after "mươi" 1 is "mốt" and 4 is "tư".
fn tens_unit(u: u16, after_muoi: bool, words: &mut Vec<&'static str>) {
    words.push(match (u, after_muoi) {
        (0, _) => return,
        (5, _) => "lăm",
        (1, true) => "mốt",
        (4, true) => "tư",
        (u, _) => DIGITS[usize::from(u)],
    });
}

/// An ordinal after "thứ": 1 → "nhất", 4 → "tư", others as cardinals ("thứ hai", "thứ mười").
pub fn ordinal(n: u64, dialect: Dialect) -> String {
    match n {
        1 => "nhất".into(),
        4 => "tư".into(),
        n => cardinal(n, dialect),
    }
}

/// A month's name after "tháng": "tư" for April, cardinals otherwise ("tháng mười hai").
pub fn month(n: u64, dialect: Dialect) -> String {
    if n == 4 {
        "tư".into()
    } else {
        cardinal(n, dialect)
    }
}

/// The digits after a decimal comma: leading zeros one by one, then the rest as a number
/// ("5" → "năm", "05" → "không năm", "14" → "mười bốn").
pub fn fraction(digits: &str, dialect: Dialect) -> String {
    let zeros = digits.bytes().take_while(|b| *b == b'0').count();
    let mut words: Vec<String> = vec![DIGITS[0].to_string(); zeros];
    let rest = &digits[zeros..];
    if !rest.is_empty() {
        match rest.parse::<u64>() {
            Ok(n) if rest.len() <= 3 => words.push(cardinal(n, dialect)),
            _ => words.push(digit_by_digit(rest)),
        }
    }
    words.join(" ")
}

/// The value of a Roman numeral from I to C written the usual way ("XIII" → 13), or `None`.
pub fn roman(s: &str) -> Option<u64> {
    let value = |c: char| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        _ => None,
    };
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let values: Vec<u64> = s.chars().map(value).collect::<Option<_>>()?;
    let mut total = 0;
    for (i, v) in values.iter().enumerate() {
        match values.get(i + 1) {
            Some(next) if next > v => total -= *v as i64,
            _ => total += *v as i64,
        }
    }
    let total = u64::try_from(total)
        .ok()
        .filter(|t| (1..=100).contains(t))?;
    // Only the canonical spelling counts, so "IIII" or "VX" are not numerals.
    (to_roman(total) == s).then_some(total)
}

fn to_roman(mut n: u64) -> String {
    const TABLE: [(u64, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: u64) -> String {
        cardinal(x, Dialect::North)
    }

    #[test]
    fn cardinals_follow_the_spoken_rules() {
        let table: &[(u64, &str)] = &[
            (0, "không"),
            (1, "một"),
            (4, "bốn"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (14, "mười bốn"),
            (15, "mười lăm"),
            (20, "hai mươi"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (31, "ba mươi mốt"),
            (55, "năm mươi lăm"),
            (99, "chín mươi chín"),
            (100, "một trăm"),
            (101, "một trăm linh một"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (115, "một trăm mười lăm"),
            (121, "một trăm hai mươi mốt"),
            (204, "hai trăm linh bốn"),
            (1000, "một nghìn"),
            (1005, "một nghìn không trăm linh năm"),
            (1010, "một nghìn không trăm mười"),
            (1500, "một nghìn năm trăm"),
            (2026, "hai nghìn không trăm hai mươi sáu"),
            (2001, "hai nghìn không trăm linh một"),
            (10_000, "mười nghìn"),
            (15_000, "mười lăm nghìn"),
            (21_000, "hai mươi mốt nghìn"),
            (100_000, "một trăm nghìn"),
            (105_000, "một trăm linh năm nghìn"),
            (1_000_000, "một triệu"),
            (1_000_050, "một triệu không trăm năm mươi"),
            (1_500_000, "một triệu năm trăm nghìn"),
            (2_005_000, "hai triệu không trăm linh năm nghìn"),
            (1_000_000_000, "một tỷ"),
            (3_200_000_000, "ba tỷ hai trăm triệu"),
            (1_000_000_000_000, "một nghìn tỷ"),
        ];
        for (x, want) in table {
            assert_eq!(n(*x), *want, "{x}");
        }
    }

    #[test]
    fn the_south_says_ngan_and_le() {
        assert_eq!(cardinal(1005, Dialect::South), "một ngàn không trăm lẻ năm");
    }

    #[test]
    fn ordinals_months_fractions_and_digits() {
        assert_eq!(ordinal(1, Dialect::North), "nhất");
        assert_eq!(ordinal(4, Dialect::North), "tư");
        assert_eq!(ordinal(14, Dialect::North), "mười bốn");
        assert_eq!(month(4, Dialect::North), "tư");
        assert_eq!(month(12, Dialect::North), "mười hai");
        assert_eq!(fraction("5", Dialect::North), "năm");
        assert_eq!(fraction("05", Dialect::North), "không năm");
        assert_eq!(fraction("25", Dialect::North), "hai mươi lăm");
        assert_eq!(digit_by_digit("0912"), "không chín một hai");
    }

    #[test]
    fn roman_numerals_only_in_their_canonical_spelling() {
        assert_eq!(roman("II"), Some(2));
        assert_eq!(roman("IV"), Some(4));
        assert_eq!(roman("XIII"), Some(13));
        assert_eq!(roman("XIV"), Some(14));
        assert_eq!(roman("XC"), Some(90));
        assert_eq!(roman("IIII"), None);
        assert_eq!(roman("VX"), None);
        assert_eq!(roman("UBND"), None);
    }
}
