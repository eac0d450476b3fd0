//! Vietnamese reading: a typed notice becomes the words a reader would say, before any voice
//! hears it. Numbers, dates, times, phone numbers, money, units, ordinals, Roman numerals and
//! the abbreviations of commune notices are written out ("UBND xã họp lúc 7h30 ngày 31/8" →
//! "ủy ban nhân dân xã họp lúc bảy giờ ba mươi phút ngày ba mươi mốt tháng tám").
//!
//! Pure text to text: no voice, no file but the commune's abbreviations table, which the caller
//! loads. Emoji, pictographs and letters of other scripts are dropped (the Vietnamese voices
//! cannot say them); a text left with no letters is refused.

mod abbrev;
mod lex;
pub mod numbers;
mod rules;
mod spell;
#[cfg(test)]
mod tests;

pub use abbrev::{AbbreviationError, Abbreviations};
pub use numbers::Dialect;

use crate::model::Said;
use crate::model::said;
use lex::{Kind, Token};

/// Reads text aloud in words: the abbreviations in use and the dialect of numbers.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    abbreviations: Abbreviations,
    dialect: Dialect,
}

/// Why a text cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", self.said())]
pub enum ReadingError {
    /// Nothing in it can be said (only punctuation, emoji or another script's letters).
    NothingToRead,
}

impl ReadingError {
    /// Why the text cannot be read, in each language.
    pub fn said(&self) -> Said {
        match self {
            ReadingError::NothingToRead => said!(
                "văn bản không có chữ hay số nào để đọc",
                "the text has no letters or numbers to read"
            ),
        }
    }
}

/// What the last thing written was, for the rules that look back ("5-7" is a range only after a
/// number; "đồng/tháng" is "đồng một tháng" only after an amount).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Other,
    Number,
    Amount,
}

/// The words said so far.
#[derive(Debug)]
struct Out {
    text: String,
    last: Last,
}

impl Out {
    fn word(&mut self, w: &str) {
        if w.is_empty() {
            return;
        }
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.text.push(' ');
        }
        self.text.push_str(w);
        self.last = Last::Other;
    }

    /// Words that say a number: a following dash reads "đến".
    fn number(&mut self, w: &str) {
        self.word(w);
        self.last = Last::Number;
    }

    /// Words that end an amount (a unit, a currency): a following "/" reads "một".
    fn amount(&mut self, w: &str) {
        self.word(w);
        self.last = Last::Amount;
    }

    /// A pause mark, kept once however many were typed ("!!!" → "!"); a full stop after a
    /// comma takes its place.
    fn pause(&mut self, c: char) {
        let trimmed = self.text.trim_end().len();
        self.text.truncate(trimmed);
        self.last = Last::Other;
        if self.text.is_empty() || self.text.ends_with(STRONG) {
            return;
        }
        if self.text.ends_with(WEAK) {
            if !STRONG.contains(&c) {
                return;
            }
            self.text.pop();
        }
        self.text.push(c);
    }

    /// The end of a line: a sentence ends there if nothing ended it.
    fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with(':') {
            self.pause('.');
        }
        self.last = Last::Other;
    }
}

/// Marks that end a sentence, and marks that only pause inside one.
const STRONG: [char; 3] = ['.', '!', '?'];
const WEAK: [char; 3] = [',', ';', ':'];

impl Reader {
    /// A reader with these abbreviations, saying numbers as `dialect` does.
    pub fn new(abbreviations: Abbreviations, dialect: Dialect) -> Reader {
        Reader {
            abbreviations,
            dialect,
        }
    }

    /// The same reader saying numbers as `dialect` does.
    pub fn with_dialect(&self, dialect: Dialect) -> Reader {
        Reader {
            abbreviations: self.abbreviations.clone(),
            dialect,
        }
    }

    /// What a reader says for `text`: NFC-normalised, each line a sentence, everything written
    /// out in words. Refused when nothing in it can be said.
    pub fn read(&self, text: &str) -> Result<String, ReadingError> {
        let mut out = Out {
            text: String::with_capacity(text.len() * 2),
            last: Last::Other,
        };
        for line in text.split(['\n', '\r', '\u{2028}', '\u{2029}']) {
            let line = crate::text::normalize(line);
            let tokens = lex::tokens(&line);
            if tokens.is_empty() {
                continue;
            }
            self.read_line(&tokens, &mut out);
            out.end_line();
        }
        let said = out.text.trim().to_string();
        if said.chars().any(char::is_alphabetic) {
            Ok(said)
        } else {
            Err(ReadingError::NothingToRead)
        }
    }

    fn read_line(&self, tokens: &[Token], out: &mut Out) {
        let mut i = 0;
        while i < tokens.len() {
            let used = rules::numeric(self, tokens, i, out)
                .or_else(|| self.abbreviation(tokens, i, out))
                .or_else(|| rules::roman(self, tokens, i, out))
                .unwrap_or_else(|| self.plain(tokens, i, out));
            i += used.max(1);
        }
    }

    /// An abbreviation from the table ("UBND", "KT-XH", "TP."); the one-letter ones with a dot
    /// ("Q.", "P.") only before a name or a number, so a sentence ending in "P." is left alone.
    fn abbreviation(&self, tokens: &[Token], i: usize, out: &mut Out) -> Option<usize> {
        let (used, reading) = self.abbreviations.longest_match(&tokens[i..])?;
        let one_letter_with_dot = used == 2 && tokens[i].text.chars().count() == 1;
        if one_letter_with_dot {
            let next = tokens.get(i + 2)?;
            let names_something = next.kind == Kind::Number
                || next.text.chars().next().is_some_and(char::is_uppercase);
            if !names_something {
                return None;
            }
        }
        out.word(reading);
        Some(used)
    }

    /// A word or a symbol with no rule of its own.
    fn plain(&self, tokens: &[Token], i: usize, out: &mut Out) -> usize {
        let t = &tokens[i];
        match t.kind {
            Kind::Word => self.word(tokens, i, out),
            Kind::Number => out.number(&numbers::cardinal(t.value().unwrap_or(0), self.dialect)),
            Kind::Symbol => return self.symbol(tokens, i, out),
        }
        1
    }

    fn word(&self, tokens: &[Token], i: usize, out: &mut Out) {
        let t = &tokens[i];
        let after_do = i > 0 && tokens[i - 1].is_word("độ");
        // What a number counts ("5 người/hộ") or what follows "/" in an amount ("đồng/tháng")
        // is part of the amount.
        let counted = match out.last {
            Last::Number => true,
            Last::Amount => {
                (i > 0 && tokens[i - 1].is_symbol('/'))
                    || ["đồng", "nghìn", "ngàn", "triệu", "tỷ", "tỉ"]
                        .iter()
                        .any(|m| t.is_word(m))
            }
            Last::Other => false,
        };
        match t.text.as_str() {
            "C" if after_do => out.word("xê"),
            "F" if after_do => out.word("ép"),
            w => match spell::acronym(w) {
                Some(spelled) => out.word(&spelled),
                None if counted => out.amount(w),
                None => out.word(w),
            },
        }
    }

    /// A symbol, and how many tokens it used with what follows it.
    fn symbol(&self, tokens: &[Token], i: usize, out: &mut Out) -> usize {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let joined_to_next = next.is_some_and(|n| !n.space_before);
        let c = t.text.chars().next().unwrap_or(' ');
        match c {
            '-' | '–' | '—' => self.dash(tokens, i, out),
            '/' => {
                let number_side = prev.is_some_and(|p| p.kind == Kind::Number)
                    || next.is_some_and(|n| n.kind == Kind::Number);
                if !t.space_before && joined_to_next {
                    if number_side {
                        out.word("trên");
                    } else if out.last == Last::Amount {
                        // "đồng/kWh": "đồng một ki lô oát giờ".
                        out.amount("một");
                        return 1 + rules::unit(tokens, i + 1, out);
                    }
                } else {
                    out.pause(',');
                }
            }
            '.' if !t.space_before
                && joined_to_next
                && prev.is_some_and(|p| p.kind == Kind::Word)
                && next.is_some_and(|n| {
                    n.kind == Kind::Word && n.text.chars().next().is_some_and(char::is_lowercase)
                }) =>
            {
                out.word("chấm")
            }
            '.' | '…' => out.pause('.'),
            ',' | ';' | ':' | '!' | '?' => out.pause(c),
            '(' | ')' | '[' | ']' => out.pause(','),
            '&' => out.word("và"),
            '+' => out.word("cộng"),
            '@' => out.word("a còng"),
            '=' => out.word("bằng"),
            '~' | '≈' => out.word("khoảng"),
            '>' => out.word("trên"),
            '<' => out.word("dưới"),
            '%' => out.word("phần trăm"),
            '°' => out.word("độ"),
            '#' if next.is_some_and(|n| n.kind == Kind::Number) => out.word("số"),
            _ => {}
        }
        1
    }

    /// A dash: "đến" between two numbers ("5-7 ngày", "13h-15h"), "âm" before a number it is
    /// stuck to ("-5°C"), a pause between words ("Hà Nội - Hải Phòng"), nothing inside a word.
    fn dash(&self, tokens: &[Token], i: usize, out: &mut Out) {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        let next_is_number = next.is_some_and(|n| {
            n.kind == Kind::Number
                || (["thứ", "ngày", "tháng", "năm"].iter().any(|w| n.is_word(w))
                    && tokens.get(i + 2).is_some_and(|m| m.kind == Kind::Number))
                || (n.text == "T"
                    && tokens
                        .get(i + 2)
                        .is_some_and(|m| m.kind == Kind::Number && !m.space_before))
        });
        if out.last != Last::Other && next_is_number {
            out.word("đến");
        } else if (t.space_before || i == 0)
            && next.is_some_and(|n| n.kind == Kind::Number && !n.space_before)
        {
            out.word("âm");
        } else if t.space_before || next.is_some_and(|n| n.space_before) {
            out.pause(',');
        }
    }
}
