//! Text files a person wrote (the config, the programme files), kept with their name so that
//! every complaint about them can say file, line and fix, each in Vietnamese and English apart.
//! It reads the text, points at lines and words the TOML reader's complaints in both
//! languages; it does not parse what a file means (the config's and the programme's own parsers
//! do).

use std::fmt;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::model::Said;

/// A problem in a file someone edits, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file (or the environment variable) that holds the mistake.
    pub file: String,
    /// 1-based line, when the mistake is in a file.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: Said,
    /// What to do about it.
    pub fix: Said,
}

impl Problem {
    /// The problem as a page shows it, where it is, what is wrong and what to do, in one
    /// language at a time: "file:line: message — fix".
    pub fn said(&self) -> Said {
        let at = match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        };
        let say = |message: &str, fix: &str| match fix {
            "" => format!("{at}: {message}"),
            fix => format!("{at}: {message} — {fix}"),
        };
        Said::new(
            say(self.message.vi(), self.fix.vi()),
            say(self.message.en(), self.fix.en()),
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {} — {}", self.file, self.message, self.fix),
            None => write!(f, "{}: {} — {}", self.file, self.message, self.fix),
        }
    }
}

/// A TOML file's text and name.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// How to refer to the file in messages.
    pub name: String,
    /// Its contents.
    pub text: String,
}

impl SourceText {
    /// Read a file, naming it by its path.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        Ok(SourceText {
            name: path.display().to_string(),
            text: std::fs::read_to_string(path)?,
        })
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_at(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// The line of the key at `path` (table names, then the key), if the file has it.
    /// Array elements are addressed by their index as a string.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        let doc = DeTable::parse(&self.text).ok()?;
        let mut table = doc.get_ref();
        let mut value: Option<&DeValue<'_>> = None;
        let mut span = None;
        for key in path {
            let next = match value {
                Some(DeValue::Array(a)) => {
                    let i: usize = key.parse().ok()?;
                    let v = a.get(i)?;
                    span = Some(v.span());
                    v.get_ref()
                }
                Some(DeValue::Table(t)) => {
                    table = t;
                    let (k, v) = table.get_key_value(*key)?;
                    span = Some(k.span());
                    v.get_ref()
                }
                Some(_) => return None,
                None => {
                    let (k, v) = table.get_key_value(*key)?;
                    span = Some(k.span());
                    v.get_ref()
                }
            };
            value = Some(next);
        }
        span.map(|s| self.line_at(s.start))
    }

    /// The dotted key whose value (not a table) holds byte `offset` (`audio.output`), if any
    /// does.
    pub fn key_at(&self, offset: usize) -> Option<String> {
        // A `[table]` header's span need not cover its keys: look inside every table.
        fn find(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
            for (k, v) in table.iter() {
                path.push(k.get_ref().to_string());
                let found = match v.get_ref() {
                    DeValue::Table(inner) => find(inner, offset, path),
                    _ => v.span().contains(&offset),
                };
                if found {
                    return true;
                }
                path.pop();
            }
            false
        }
        let doc = DeTable::parse(&self.text).ok()?;
        let mut path = Vec::new();
        find(doc.get_ref(), offset, &mut path).then(|| path.join("."))
    }

    /// A problem at `path` in this file.
    pub fn problem(&self, path: &[&str], message: Said, fix: Said) -> Problem {
        Problem {
            file: self.name.clone(),
            line: self.line_of(path),
            message,
            fix,
        }
    }

    /// Turn a TOML parse or type error into a problem with its line.
    pub fn parse_problem(&self, e: &toml::de::Error, fix: Said) -> Problem {
        Problem {
            file: self.name.clone(),
            line: e.span().map(|s| self.line_at(s.start)),
            message: toml_said(e.message()),
            fix,
        }
    }
}

/// What the TOML reader said, in each language: its English as it is, and in Vietnamese the
/// mistakes people make (a key that does not exist, a value of the wrong type, a choice that
/// is not one); a syntax error keeps the reader's own words after a Vietnamese lead.
pub fn toml_said(message: &str) -> Said {
    let en = message.trim();
    let vi = if let Some(rest) = en.strip_prefix("unknown field ") {
        let (name, choices) = split_expected(rest);
        match choices {
            Some(keys) => format!("không có khoá {name}; các khoá ở đây: {keys}"),
            None => format!("không có khoá {name} ở đây"),
        }
    } else if let Some(rest) = en.strip_prefix("unknown variant ") {
        let (name, choices) = split_expected(rest);
        match choices {
            Some(values) => format!("không có lựa chọn {name}; dùng {values}"),
            None => format!("không có lựa chọn {name}"),
        }
    } else if let Some(rest) = en.strip_prefix("invalid type: ") {
        let (found, wanted) = split_expected(rest);
        let wanted = wanted.map_or(String::new(), |w| format!(", cần {}", kind_vi(w)));
        format!("giá trị sai kiểu: {}{wanted}", kind_vi(found))
    } else if let Some(rest) = en.strip_prefix("invalid value: ") {
        let (found, wanted) = split_expected(rest);
        let wanted = wanted.map_or(String::new(), |w| format!(", cần {}", kind_vi(w)));
        format!("giá trị không hợp lệ: {}{wanted}", kind_vi(found))
    } else if let Some(name) = en.strip_prefix("missing field ") {
        format!("thiếu khoá {name}")
    } else {
        syntax_vi(en)
    };
    // serde lists two choices as "`a` or `b`".
    Said::new(vi.replace("` or `", "` hoặc `"), en)
}

/// A syntax error of the TOML reader ("unclosed array, expected `]`") in Vietnamese: what is
/// wrong, then what the reader wanted there. An error it does not know is said in general words
/// (the problem's file, line and column still point at the place).
fn syntax_vi(en: &str) -> String {
    const WRONG: &[(&str, &str)] = &[
        ("unclosed array table", "tiêu đề [[...]] chưa đóng"),
        ("unclosed array", "danh sách [...] chưa đóng"),
        ("unclosed inline table", "bảng {...} chưa đóng"),
        ("unclosed table", "tiêu đề [...] chưa đóng"),
        ("duplicate key", "khoá này đã có ở trên"),
        ("key with no value", "khoá chưa có giá trị"),
        ("missing value", "khoá chưa có giá trị"),
        (
            "string values must be quoted",
            "chữ phải đặt trong dấu ngoặc kép \"...\"",
        ),
        (
            "unexpected key or value",
            "có chữ thừa sau giá trị trên dòng này",
        ),
        ("unexpected content", "có chữ thừa trên dòng này"),
        ("missing comma", "thiếu dấu phẩy"),
        ("extra comma", "thừa dấu phẩy"),
        ("missing escaped value", "dấu \\ trong chuỗi chữ viết sai"),
        ("invalid key", "tên khoá viết sai"),
        ("invalid unquoted key", "tên khoá viết sai"),
        ("invalid basic string", "chuỗi chữ chưa đóng hoặc viết sai"),
        (
            "invalid literal string",
            "chuỗi chữ chưa đóng hoặc viết sai",
        ),
        (
            "invalid multi-line",
            "chuỗi chữ nhiều dòng chưa đóng hoặc viết sai",
        ),
        (
            "invalid float",
            "giá trị viết sai: chữ phải đặt trong dấu ngoặc kép \"...\"",
        ),
        ("invalid integer", "số viết sai"),
        ("unexpected leading zero", "số không được bắt đầu bằng 0"),
        ("invalid table", "tiêu đề [...] viết sai"),
    ];
    let (what, wanted) = en.split_once(", expected ").unwrap_or((en, ""));
    let what = WRONG
        .iter()
        .find(|(prefix, _)| what.starts_with(prefix))
        .map_or("tệp TOML viết sai ở chỗ này", |(_, vi)| vi);
    if wanted.is_empty() {
        return what.to_string();
    }
    let wanted = wanted
        .replace("newline", "xuống dòng")
        .replace("literal string", "chuỗi chữ")
        .replace(", ", " hoặc ");
    format!("{what}, cần {wanted}")
}

/// "`x`, expected one of `a`, `b`" → ("`x`", Some("`a`, `b`")).
fn split_expected(text: &str) -> (&str, Option<&str>) {
    match text.split_once(", expected ") {
        Some((found, wanted)) => {
            let wanted = wanted.strip_prefix("one of ").unwrap_or(wanted);
            (found, Some(wanted))
        }
        None => match text.split_once(", there are no ") {
            Some((found, _)) => (found, None),
            None => (text, None),
        },
    }
}

/// serde's name of a kind of value ("string \"nhanh\"", "u32", "a boolean") in Vietnamese.
fn kind_vi(kind: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        ("a string", "một chuỗi chữ"),
        ("string ", "chuỗi chữ "),
        ("a boolean", "true hoặc false"),
        ("boolean ", "giá trị đúng/sai "),
        ("a sequence", "một danh sách [...]"),
        ("sequence", "một danh sách"),
        ("a map", "một bảng"),
        ("map", "một bảng"),
        ("integer ", "số nguyên "),
        ("floating point ", "số thực "),
        ("a borrowed string", "một chuỗi chữ"),
        ("struct ", "một bảng "),
    ];
    const NUMBERS: &[&str] = &[
        "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize",
    ];
    if NUMBERS.contains(&kind) {
        return format!("một số nguyên ({kind})");
    }
    if kind == "f32" || kind == "f64" {
        return format!("một số ({kind})");
    }
    KINDS
        .iter()
        .find_map(|(en, vi)| kind.strip_prefix(en).map(|rest| format!("{vi}{rest}")))
        .unwrap_or_else(|| kind.to_string())
}

/// For tests of the parts that make problems: each half of `problem` is in its own language.
#[cfg(test)]
pub(crate) fn assert_apart(problem: &Problem) {
    for said in [&problem.message, &problem.fix] {
        assert_one_language(said);
    }
}

/// For tests: the Vietnamese half of `said` has no English sentence (no English word outside
/// a quoted value or a `code` name) and the English half no Vietnamese letter.
#[cfg(test)]
pub(crate) fn assert_one_language(said: &Said) {
    const ENGLISH: &[&str] = &[
        "is", "the", "not", "outside", "use", "write", "must", "needs", "cannot", "usually",
        "unknown", "expected", "one", "of", "or", "and", "will", "there", "has", "no", "such",
        "file", "valid", "invalid", "type", "field", "keys", "see", "fix", "example", "empty",
        "only",
    ];
    let bare = unquoted(said.vi());
    // Paths and dotted keys (deploy/loaxa.example.toml, audio.sample_rate) are names too.
    let is_name =
        |t: &&str| t.contains(['/', '_']) || t.trim_end_matches(['.', ',', ':']).contains('.');
    let english: Vec<&str> = bare
        .split_whitespace()
        .filter(|t| !is_name(t))
        .flat_map(|t| t.split(|c: char| !c.is_alphabetic()))
        .filter(|w| ENGLISH.contains(w))
        .collect();
    assert!(
        english.is_empty(),
        "English {english:?} in the Vietnamese half: {said:?}"
    );
    let vietnamese: String = unquoted(said.en())
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii())
        .collect();
    assert!(
        vietnamese.is_empty(),
        "Vietnamese {vietnamese:?} in the English half: {said:?}"
    );
}

/// `text` without what is quoted ("…", `…`): values and key names, the same in both halves.
#[cfg(test)]
fn unquoted(text: &str) -> String {
    let mut out = String::new();
    let mut inside: Option<char> = None;
    for c in text.chars() {
        match inside {
            Some(q) if c == q => inside = None,
            Some(_) => {}
            None if c == '"' || c == '`' => inside = Some(c),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_key_a_value_belongs_to() {
        let s = SourceText {
            name: "x.toml".into(),
            text: "a = 1\n\n[audio]\noutput = \"loa\"\n".into(),
        };
        let at = s.text.find("loa").unwrap();
        assert_eq!(s.key_at(at).as_deref(), Some("audio.output"));
        assert_eq!(s.key_at(0).as_deref(), None);
    }

    #[test]
    fn finds_lines_of_nested_keys_and_array_items() {
        let s = SourceText {
            name: "x.toml".into(),
            text: "a = 1\n\n[audio]\noutput = \"x\"\n\n[[slot]]\ntime = \"06:00\"\n[[slot]]\ntime = \"25:00\"\n".into(),
        };
        assert_eq!(s.line_of(&["a"]), Some(1));
        assert_eq!(s.line_of(&["audio", "output"]), Some(4));
        assert_eq!(s.line_of(&["slot", "1", "time"]), Some(9));
        assert_eq!(s.line_of(&["audio", "missing"]), None);
    }

    #[test]
    fn a_syntax_error_is_said_in_vietnamese_without_the_readers_english() {
        let said = |text: &str| match toml::from_str::<toml::Table>(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => toml_said(e.message()),
        };
        for (text, vi) in [
            ("a = [1, 2\n", "danh sách [...] chưa đóng, cần `]`"),
            ("[b\n", "tiêu đề [...] chưa đóng, cần `]`"),
            ("a = 1\na = 2\n", "khoá này đã có ở trên"),
            (
                "a = 1 b = 2\n",
                "có chữ thừa sau giá trị trên dòng này, cần xuống dòng hoặc `#`",
            ),
            (
                "a = \n",
                "chữ phải đặt trong dấu ngoặc kép \"...\", cần chuỗi chữ",
            ),
            ("a = \"x\n", "chuỗi chữ chưa đóng hoặc viết sai, cần `\"`"),
        ] {
            let s = said(text);
            assert_eq!(s.vi(), vi, "{text:?}");
            assert!(
                s.en().contains("expected") || s.en() == "duplicate key",
                "{s:?}"
            );
            assert_one_language(&s);
        }
    }
}
