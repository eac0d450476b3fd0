//! What the station says to people, in both of its languages at once, so the page can choose
//! one when it is shown: a Vietnamese page says only the Vietnamese, an English one only the
//! English, while logs and the command line (read by whoever keeps the Pi) print both.
//!
//! Plain data; must not import the rest of the crate.

use std::fmt;

use serde::{Serialize, Serializer};

/// One message in Vietnamese and in English. `Display` writes "vi / en", the form logs and the
/// command line have always printed, and so does JSON (API clients keep their one string);
/// pages pick one half with [`Said::vi`] or [`Said::en`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    vi: String,
    en: String,
}

impl Said {
    /// A message from its two translations.
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Said {
        Said {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The same words in both languages: a name, a file path, what a device or library said.
    pub fn same(text: impl Into<String>) -> Said {
        let text = text.into();
        Said {
            vi: text.clone(),
            en: text,
        }
    }

    /// A message kept as its `Display` ("tiếng Việt / English": an as-run line's reason, a
    /// warning stored before both halves were kept), read back: split at the first " / ". A
    /// text without one was the same in both languages (a number, a name) and stays so.
    pub fn from_display(text: &str) -> Said {
        match text.split_once(" / ") {
            Some((vi, en)) => Said::new(vi, en),
            None => Said::same(text),
        }
    }

    /// The Vietnamese.
    pub fn vi(&self) -> &str {
        &self.vi
    }

    /// The English.
    pub fn en(&self) -> &str {
        &self.en
    }

    /// This message followed by `detail` in each language ("vi: detail-vi / en: detail-en"), for
    /// a refusal that carries the deeper reason.
    pub fn with(&self, separator: &str, detail: &Said) -> Said {
        Said {
            vi: format!("{}{separator}{}", self.vi, detail.vi),
            en: format!("{}{separator}{}", self.en, detail.en),
        }
    }

    /// Messages joined, each language with its own, as a list of reasons is shown.
    pub fn join<'a>(parts: impl IntoIterator<Item = &'a Said>, separator: &str) -> Said {
        let (vi, en): (Vec<&str>, Vec<&str>) = parts.into_iter().map(|s| (s.vi(), s.en())).unzip();
        Said {
            vi: vi.join(separator),
            en: en.join(separator),
        }
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.vi == self.en {
            f.write_str(&self.vi)
        } else {
            write!(f, "{} / {}", self.vi, self.en)
        }
    }
}

impl Serialize for Said {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A refusal said in words is an error to whatever wants one (the command line's parsers).
impl std::error::Error for Said {}

/// In the API's schema a message is one string, as it is sent.
impl utoipa::PartialSchema for Said {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <String as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Said {}

/// A [`Said`] from two format strings that capture the same variables:
/// `said!("không tìm thấy {name}", "{name} was not found")`.
macro_rules! said {
    ($vi:literal, $en:literal $(,)?) => {
        $crate::model::Said::new(format!($vi), format!($en))
    };
}
pub(crate) use said;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_half_is_one_language_and_display_keeps_both_for_the_log() {
        let name = "Thôn 1";
        let s = said!("không có {name}", "no {name}");
        assert_eq!(s.vi(), "không có Thôn 1");
        assert_eq!(s.en(), "no Thôn 1");
        assert_eq!(s.to_string(), "không có Thôn 1 / no Thôn 1");
        assert_eq!(Said::same("/var/lib/loaxa").to_string(), "/var/lib/loaxa");
    }

    #[test]
    fn a_kept_display_reads_back_into_its_halves() {
        let x = "hw:1";
        let lost = said!("mất card âm thanh {x}", "lost sound card {x}");
        assert_eq!(Said::from_display(&lost.to_string()), lost);
        assert_eq!(Said::from_display("hw:1"), Said::same("hw:1"));
    }

    #[test]
    fn details_and_lists_stay_in_their_own_language() {
        let why = Said::join(
            [
                &said!("thiếu giờ", "no time"),
                &said!("sai thôn", "wrong zone"),
            ],
            "; ",
        );
        let s = said!("chưa lưu", "not saved").with(": ", &why);
        assert_eq!(s.vi(), "chưa lưu: thiếu giờ; sai thôn");
        assert_eq!(s.en(), "not saved: no time; wrong zone");
    }
}
