//! Words written in capitals that are not Vietnamese syllables ("VTV", "CDC"): a reader spells
//! them with the Vietnamese names of the letters, as announcers do. A capitalised word that is
//! a syllable ("BÃO", "KHẨN") is read as the word it is. It does not decide which words are spelled
//! in context: the reader asks it.

use unicode_normalization::UnicodeNormalization;

/// The Vietnamese name of a letter, as spelling on the radio says it.
fn letter_name(c: char) -> Option<&'static str> {
    Some(match c {
        'a' => "a",
        'ă' => "á",
        'â' => "ớ",
        'b' => "bê",
        'c' => "xê",
        'd' => "dê",
        'đ' => "đê",
        'e' => "e",
        'ê' => "ê",
        'f' => "ép",
        'g' => "giê",
        'h' => "hát",
        'i' => "i",
        'j' => "gi",
        'k' => "ca",
        'l' => "e lờ",
        'm' => "em mờ",
        'n' => "en nờ",
        'o' => "o",
        'ô' => "ô",
        'ơ' => "ơ",
        'p' => "pê",
        'q' => "quy",
        'r' => "e rờ",
        's' => "ét xì",
        't' => "tê",
        'u' => "u",
        'ư' => "ư",
        'v' => "vê",
        'w' => "vê kép",
        'x' => "ích xì",
        'y' => "i dài",
        'z' => "dét",
        _ => return None,
    })
}

/// The spelling of `word` if it is an acronym to spell: 2 to 6 capitals, not a syllable.
pub fn acronym(word: &str) -> Option<String> {
    let n = word.chars().count();
    if !(2..=6).contains(&n) || !word.chars().all(char::is_uppercase) {
        return None;
    }
    let lower = word.to_lowercase();
    if is_syllable(&lower) {
        return None;
    }
    let names: Option<Vec<&str>> = lower.chars().map(letter_name).collect();
    names.map(|n| n.join(" "))
}

const ONSETS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
];
const CODAS: &[&str] = &["ch", "ng", "nh", "c", "m", "n", "p", "t", ""];

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

/// Whether a lowercase word has the shape of one Vietnamese syllable: an onset, one to three
/// vowels, a final consonant (tone marks ignored).
pub fn is_syllable(lower: &str) -> bool {
    // Take the five tone marks off, keep the letters' own marks (ơ, ư, â, ê, ô, ă).
    let bare: String = lower
        .nfd()
        .filter(|c| !matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
        .nfc()
        .collect();
    ONSETS.iter().any(|onset| {
        let Some(rest) = bare.strip_prefix(onset) else {
            return false;
        };
        let vowels = rest.chars().take_while(|c| is_vowel(*c)).count();
        let coda: String = rest.chars().skip(vowels).collect();
        (1..=3).contains(&vowels) && CODAS.contains(&coda.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_are_spelled_and_syllables_are_not() {
        assert_eq!(acronym("VTV").as_deref(), Some("vê tê vê"));
        assert_eq!(acronym("CDC").as_deref(), Some("xê dê xê"));
        assert_eq!(acronym("BÃO"), None);
        assert_eq!(acronym("KHẨN"), None);
        assert_eq!(acronym("NGHIÊNG"), None, "seven letters: not an acronym");
        assert_eq!(acronym("Xã"), None);
        assert!(is_syllable("người") && is_syllable("gìn") && is_syllable("quyết"));
        assert!(!is_syllable("ubnd") && !is_syllable("covid"));
    }
}
