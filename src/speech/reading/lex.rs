//! Cutting a line of text into the pieces the reading rules look at: runs of letters, runs of
//! ASCII digits, and single other characters, each knowing whether a space came before it.
//! Letters of scripts the Vietnamese voices cannot read (Han, Cyrillic, Thai, …) and emoji
//! are dropped here, so nothing after this sees them. It does not decide how anything is read: the
//! reading rules do.

/// What a token holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Latin letters, Vietnamese ones included.
    Word,
    /// ASCII digits.
    Number,
    /// Any other single character kept (punctuation, %, °, …).
    Symbol,
}

/// One piece of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Its text as written.
    pub text: String,
    /// Whether whitespace came before it (rules join "7h30" but not "7 h 30").
    pub space_before: bool,
}

impl Token {
    /// Whether this is the symbol `c`.
    pub fn is_symbol(&self, c: char) -> bool {
        self.kind == Kind::Symbol && self.text.starts_with(c) && self.text.len() == c.len_utf8()
    }

    /// Whether this is a word equal to `w`, ignoring case.
    pub fn is_word(&self, w: &str) -> bool {
        self.kind == Kind::Word && self.text.to_lowercase() == w
    }

    /// Whether this is a number of `min..=max` digits.
    pub fn is_number_of(&self, min: usize, max: usize) -> bool {
        self.kind == Kind::Number && (min..=max).contains(&self.text.len())
    }

    /// Its value when it is a number that fits.
    pub fn value(&self) -> Option<u64> {
        match self.kind {
            Kind::Number => self.text.parse().ok(),
            _ => None,
        }
    }
}

/// Letters the voices read: Latin, with every Vietnamese letter (Latin-1, Latin Extended-A/B
/// and Latin Extended Additional, where the precomposed Vietnamese letters live).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic()
            && matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
            && c != '×'
            && c != '÷')
}

/// Symbols the rules or the voice use; every other non-letter, non-digit character (emoji,
/// pictographs, box drawing, other scripts' punctuation) is dropped.
fn is_kept_symbol(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '-'
            | '–'
            | '—'
            | '/'
            | '%'
            | '°'
            | '&'
            | '+'
            | '@'
            | '='
            | '~'
            | '≈'
            | '>'
            | '<'
            | '('
            | ')'
            | '['
            | ']'
            | '\''
            | '…'
            | '²'
            | '³'
            | '#'
    )
}

/// The tokens of `line`.
pub fn tokens(line: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut space = false;
    for c in line.chars() {
        let kind = if is_latin_letter(c) {
            Kind::Word
        } else if c.is_ascii_digit() {
            Kind::Number
        } else if is_kept_symbol(c) {
            Kind::Symbol
        } else {
            // Whitespace, and everything dropped, separates what is around it; a stray
            // combining mark (one NFC could not compose) just goes.
            space = space || !matches!(c, '\u{0300}'..='\u{036F}');
            continue;
        };
        match out.last_mut() {
            Some(last) if !space && last.kind == kind && kind != Kind::Symbol => {
                last.text.push(c);
            }
            _ => out.push(Token {
                kind,
                text: c.to_string(),
                space_before: space,
            }),
        }
        space = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_and_symbols_part() {
        let t = tokens("Lúc 7h30, xã 🌀 họp 北京!");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["Lúc", "7", "h", "30", ",", "xã", "họp", "!"]);
        assert!(!t[2].space_before && t[1].space_before);
        assert!(t[6].space_before, "the emoji left a gap");
        assert!(t[7].space_before, "the Han letters left a gap");
    }
}
