//! The reading rules for what starts with a digit (phone numbers, dates, times, amounts with
//! their units) and for Roman numerals after the words that take them ("quý II", "Đại hội
//! XIII"). Each rule looks at the tokens from `i`, writes its words, and says how many tokens
//! it used, or `None` to leave them to the next rule. They do not cut the text into tokens (that is
//! `lex`'s) and never touch a voice or a file.

use super::lex::{Kind, Token};
use super::numbers::{self, cardinal, digit_by_digit};
use super::{Out, Reader};

/// A token glued to the one before it, as "h" in "7h30".
fn attached(tokens: &[Token], j: usize) -> Option<&Token> {
    tokens.get(j).filter(|t| !t.space_before)
}

/// The word right before `i`, lowercased; empty if there is none.
fn prev_word(tokens: &[Token], i: usize) -> String {
    i.checked_sub(1)
        .map(|p| &tokens[p])
        .filter(|t| t.kind == Kind::Word)
        .map(|t| t.text.to_lowercase())
        .unwrap_or_default()
}

/// Numbers and what is written with them.
pub(super) fn numeric(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let t = &tokens[i];
    if t.kind == Kind::Word {
        return weekday_short(r, tokens, i, out);
    }
    if t.kind != Kind::Number {
        return None;
    }
    phone(tokens, i, out)
        .or_else(|| date(r, tokens, i, out))
        .or_else(|| time(r, tokens, i, out))
        .or_else(|| amount(r, tokens, i, out))
}

/// "T2" … "T7" of timetables: "thứ hai" … "thứ bảy".
fn weekday_short(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let day = attached(tokens, i + 1).filter(|_| tokens[i].text == "T")?;
    let n = day
        .value()
        .filter(|n| (2..=7).contains(n) && day.text.len() == 1)?;
    out.number(&format!("thứ {}", numbers::ordinal(n, r.dialect)));
    Some(2)
}

/// Whether the words shortly before `i` ask for a number to call ("gọi 113", "đường dây nóng
/// 115", "gọi 113 khi có trộm, 114 khi có cháy").
fn is_called(tokens: &[Token], i: usize) -> bool {
    tokens[i.saturating_sub(8)..i].iter().any(|t| {
        ["gọi", "hotline", "nóng", "đài", "thoại"]
            .iter()
            .any(|w| t.is_word(w))
    })
}

/// Phone numbers, read digit by digit with a pause between the groups: mobiles and landlines
/// (10 or 11 digits from a 0, written "0912 345 678", "0912.345.678" or in one piece),
/// 1900/1800 hotlines (8 or 10 digits), and the emergency numbers 111–115 after "gọi".
fn phone(tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let first = &tokens[i];
    if first.text.len() == 3 && first.text.starts_with("11") && is_called(tokens, i) {
        out.word(&digit_by_digit(&first.text));
        return Some(1);
    }
    let lengths: &[usize] = if first.text.starts_with("1900") || first.text.starts_with("1800") {
        &[8, 10]
    } else if first.text.starts_with('0') && first.text.len() >= 3 {
        &[10, 11]
    } else {
        return None;
    };
    let mut groups = vec![first.text.as_str()];
    let mut total = first.text.len();
    let mut best = lengths.contains(&total).then_some((i + 1, 1));
    let mut j = i + 1;
    loop {
        let at = match tokens.get(j) {
            Some(n) if n.kind == Kind::Number && n.space_before => j,
            Some(s)
                if (s.is_symbol('.') || s.is_symbol('-'))
                    && !s.space_before
                    && attached(tokens, j + 1).is_some_and(|n| n.kind == Kind::Number) =>
            {
                j + 1
            }
            _ => break,
        };
        let g = &tokens[at].text;
        if !(2..=4).contains(&g.len()) || total + g.len() > 11 {
            break;
        }
        total += g.len();
        groups.push(g);
        j = at + 1;
        if lengths.contains(&total) {
            best = Some((j, groups.len()));
        }
    }
    let (end, count) = best?;
    let groups: Vec<&str> = match groups[..count] {
        [one] => split_for_pauses(one),
        ref many => many.to_vec(),
    };
    let said: Vec<String> = groups.iter().map(|g| digit_by_digit(g)).collect();
    out.word(&said.join(", "));
    Some(end - i)
}

/// A phone number written in one piece, cut where a reader pauses: 4-4 for eight digits,
/// 4-3-3 for ten, 3-4-4 for eleven.
fn split_for_pauses(digits: &str) -> Vec<&str> {
    let cuts: &[usize] = match digits.len() {
        8 => &[4],
        10 => &[4, 7],
        11 => &[3, 7],
        _ => &[],
    };
    let mut parts = Vec::new();
    let mut from = 0;
    for &c in cuts {
        parts.push(&digits[from..c]);
        from = c;
    }
    parts.push(&digits[from..]);
    parts
}

/// Dates: "31/08/2026" (also with "-" or "."), "31/8", and "8/2026" or "tháng 8/2026".
/// A number after "số" is a document's number, not a date.
fn date(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let first = &tokens[i];
    let sep = attached(tokens, i + 1).filter(|s| s.kind == Kind::Symbol)?;
    let second = attached(tokens, i + 2).filter(|s| s.kind == Kind::Number)?;
    let prev = prev_word(tokens, i);
    if prev == "số" || !first.is_number_of(1, 2) {
        return None;
    }
    let d = first.value()?;
    let m = second.value()?;
    // "các ngày 5, 6 và 7/9", "từ ngày 1/6 đến 2/6": "ngày" is said once; a street named
    // after a date ("đường 3/2") has none.
    let say_day = !tokens[i.saturating_sub(6)..i]
        .iter()
        .any(|t| t.is_word("ngày") || t.is_word("mùng") || t.is_word("mồng"))
        && !matches!(prev.as_str(), "đường" | "phố");
    let day_month = |out: &mut Out| {
        let mut words = Vec::new();
        if say_day {
            words.push("ngày".to_string());
        }
        words.push(cardinal(d, r.dialect));
        words.push("tháng".into());
        words.push(numbers::month(m, r.dialect));
        out.number(&words.join(" "));
    };
    let valid_day = (1..=31).contains(&d) && (1..=12).contains(&m) && second.text.len() <= 2;
    let third_sep = attached(tokens, i + 3).filter(|s| s.text == sep.text);
    let year = third_sep
        .and_then(|_| attached(tokens, i + 4))
        .filter(|y| y.is_number_of(4, 4));
    if let Some(year) = year.filter(|_| valid_day && ["/", "-", "."].contains(&sep.text.as_str())) {
        day_month(out);
        out.number(&format!("năm {}", cardinal(year.value()?, r.dialect)));
        return Some(5);
    }
    if !sep.is_symbol('/') || third_sep.is_some() {
        return None;
    }
    if second.is_number_of(4, 4) && (1..=12).contains(&d) {
        let month = numbers::month(d, r.dialect);
        let year = cardinal(m, r.dialect);
        if prev == "tháng" {
            out.number(&format!("{month} năm {year}"));
        } else {
            out.number(&format!("tháng {month} năm {year}"));
        }
        return Some(3);
    }
    if valid_day {
        day_month(out);
        return Some(3);
    }
    None
}

/// Times: "7h30", "7h", "13h", "7g30" as the South writes it, "15:45", "15:45:30".
fn time(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let hour_token = &tokens[i];
    let hour = hour_token
        .value()
        .filter(|h| *h <= 24 && hour_token.text.len() <= 2)?;
    let sep = attached(tokens, i + 1)?;
    let minutes_at = |j: usize| {
        attached(tokens, j)
            .filter(|m| m.is_number_of(2, 2))
            .and_then(Token::value)
            .filter(|m| *m < 60)
    };
    let mut words = vec![cardinal(hour, r.dialect), "giờ".to_string()];
    let mut used;
    let say = |words: &mut Vec<String>, n: u64, unit: &str| {
        if n > 0 {
            words.push(cardinal(n, r.dialect));
            words.push(unit.to_string());
        }
    };
    if matches!(sep.text.as_str(), "h" | "H" | "g") {
        used = 2;
        if let Some(m) = minutes_at(i + 2) {
            say(&mut words, m, "phút");
            used = 3;
            let minute_mark = attached(tokens, i + 3).is_some_and(|t| {
                t.is_symbol('\'') || matches!(t.text.as_str(), "p" | "ph" | "phút")
            });
            if minute_mark {
                used = 4;
            }
        }
    } else if sep.is_symbol(':') {
        let m = minutes_at(i + 2)?;
        say(&mut words, m, "phút");
        used = 3;
        if let Some(s) = attached(tokens, i + 3)
            .filter(|t| t.is_symbol(':'))
            .and_then(|_| minutes_at(i + 4))
        {
            say(&mut words, s, "giây");
            used = 5;
        }
    } else {
        return None;
    }
    out.number(&words.join(" "));
    Some(used)
}

/// Units after a number, as written in notices; `false`: only when glued to the number
/// ("5g", "30p"), since apart they could be a letter or another word.
const UNITS: &[(&str, &str, bool)] = &[
    ("m3/s", "mét khối trên giây", true),
    ("m³/s", "mét khối trên giây", true),
    ("km/h", "ki lô mét trên giờ", true),
    ("m/s", "mét trên giây", true),
    ("km²", "ki lô mét vuông", true),
    ("km2", "ki lô mét vuông", true),
    ("m²", "mét vuông", true),
    ("m2", "mét vuông", true),
    ("m³", "mét khối", true),
    ("m3", "mét khối", true),
    ("ha", "héc ta", true),
    ("km", "ki lô mét", true),
    ("m", "mét", true),
    ("cm", "xen ti mét", true),
    ("mm", "mi li mét", true),
    ("kg", "ki lô gam", true),
    ("g", "gam", false),
    ("l", "lít", false),
    ("ml", "mi li lít", true),
    ("kWh", "ki lô oát giờ", true),
    ("kW", "ki lô oát", true),
    ("MW", "mê ga oát", true),
    ("W", "oát", false),
    ("kVA", "ki lô vôn am pe", true),
    ("kV", "ki lô vôn", true),
    ("V", "vôn", false),
    ("đ", "đồng", true),
    ("VNĐ", "đồng", true),
    ("VND", "đồng", true),
    ("vnđ", "đồng", true),
    ("USD", "đô la Mỹ", true),
    ("tr", "triệu", false),
    ("h", "giờ", false),
    ("p", "phút", false),
    ("ph", "phút", false),
    ("s", "giây", false),
];

/// A number ("21", "1.500.000", "2,5") and what follows it: a percent, degrees, a unit, money.
fn amount(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let (used, words) = number(r, tokens, i)?;
    out.number(&words);
    Some(used + suffix(tokens, i + used, out))
}

/// The words of the number at `i` and how many tokens it spans: grouping dots ("1.500.000", or
/// commas "1,500,000"), decimal commas ("2,5" → "hai phẩy năm"), codes and long digit strings
/// one digit at a time, ordinals after "thứ", month names after "tháng".
fn number(r: &Reader, tokens: &[Token], i: usize) -> Option<(usize, String)> {
    let first = &tokens[i];
    let mut digits = first.text.clone();
    let mut j = i + 1;
    let mut grouped_by = None;
    if first.text.len() <= 3 {
        for (sep, min_groups) in [('.', 1), (',', 2)] {
            let mut k = i + 1;
            let mut all = first.text.clone();
            let mut groups = 0;
            while let (Some(s), Some(g)) = (attached(tokens, k), attached(tokens, k + 1)) {
                if !(s.is_symbol(sep) && g.is_number_of(3, 3)) {
                    break;
                }
                all.push_str(&g.text);
                groups += 1;
                k += 2;
            }
            if groups >= min_groups {
                digits = all;
                j = k;
                grouped_by = Some(sep);
                break;
            }
        }
    }
    let decimal_mark = if grouped_by == Some(',') { '.' } else { ',' };
    let mut fraction = None;
    if let (Some(s), Some(f)) = (attached(tokens, j), attached(tokens, j + 1))
        && f.kind == Kind::Number
        && (s.is_symbol(decimal_mark)
            || (grouped_by.is_none() && s.is_symbol('.') && f.text.len() != 3))
    {
        fraction = Some(f.text.clone());
        j += 2;
    }
    let code = grouped_by.is_none() && digits.len() >= 3 && digits.starts_with('0');
    let long = digits.len() > 15 || (grouped_by.is_none() && digits.len() >= 10);
    let integer = if code || long {
        digit_by_digit(&digits)
    } else {
        let n: u64 = digits.parse().ok()?;
        match prev_word(tokens, i).as_str() {
            "thứ" if fraction.is_none() => numbers::ordinal(n, r.dialect),
            "tháng" if (1..=12).contains(&n) => numbers::month(n, r.dialect),
            _ => cardinal(n, r.dialect),
        }
    };
    let words = match fraction {
        Some(f) => format!("{integer} phẩy {}", numbers::fraction(&f, r.dialect)),
        None => integer,
    };
    Some((j - i, words))
}

/// What follows an amount; how many tokens it used.
fn suffix(tokens: &[Token], j: usize, out: &mut Out) -> usize {
    let Some(t) = tokens.get(j) else {
        return 0;
    };
    if t.is_symbol('%') {
        out.amount("phần trăm");
        return 1;
    }
    if t.is_symbol('°') {
        return match attached(tokens, j + 1).map(|u| u.text.as_str()) {
            Some("C") => {
                out.amount("độ xê");
                2
            }
            Some("F") => {
                out.amount("độ ép");
                2
            }
            _ => {
                out.amount("độ");
                1
            }
        };
    }
    unit(tokens, j, out)
}

/// A unit written at `j` ("km", "m²", "km/h", "đ"), said as part of an amount; how many tokens
/// it used (0: none).
pub(super) fn unit(tokens: &[Token], j: usize, out: &mut Out) -> usize {
    let Some(t) = tokens.get(j).filter(|t| t.kind == Kind::Word) else {
        return 0;
    };
    let mut surface = String::new();
    let mut found = None;
    for (n, u) in tokens[j..].iter().take(4).enumerate() {
        if n > 0 && u.space_before {
            break;
        }
        surface.push_str(&u.text);
        if let Some((_, reading, apart)) = UNITS.iter().find(|(k, _, _)| *k == surface)
            && (*apart || !t.space_before)
        {
            found = Some((n + 1, *reading));
        }
    }
    match found {
        Some((used, reading)) => {
            out.amount(reading);
            used
        }
        None => 0,
    }
}

/// The words after which capitals I, V, X, L, C are a number ("quý II", "Đại hội XIII",
/// "khóa XV", "lần thứ IV", "báo động III").
const ROMAN_AFTER: &[&str] = &[
    "quý", "khóa", "khoá", "kỳ", "đợt", "phần", "chương", "mục", "điều", "thứ", "cấp", "hạng",
    "khu", "kỷ", "hội", "động",
];

/// A Roman numeral after one of [`ROMAN_AFTER`], and "quý II/2026" with its year.
pub(super) fn roman(r: &Reader, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
    let t = &tokens[i];
    let prev = prev_word(tokens, i);
    if t.kind != Kind::Word || matches!(t.text.as_str(), "C" | "L") {
        return None;
    }
    if !ROMAN_AFTER.contains(&prev.as_str()) {
        return None;
    }
    let n = numbers::roman(&t.text)?;
    let words = if prev == "thứ" {
        numbers::ordinal(n, r.dialect)
    } else {
        cardinal(n, r.dialect)
    };
    out.number(&words);
    let year = attached(tokens, i + 1)
        .filter(|s| s.is_symbol('/'))
        .and_then(|_| attached(tokens, i + 2))
        .filter(|y| y.is_number_of(4, 4))
        .and_then(Token::value);
    match year {
        Some(y) => {
            out.number(&format!("năm {}", cardinal(y, r.dialect)));
            Some(3)
        }
        None => Some(1),
    }
}
