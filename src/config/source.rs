//! Text files a person wrote (the config, the programme files), kept with their name so that
//! every complaint about them can say file, line and fix. It reads the text and points at lines; it
//! does not parse what a file means (the config's and the programme's own parsers do).

use std::fmt;
use std::path::Path;

use toml::de::{DeTable, DeValue};

/// A problem in a file someone edits, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file (or the environment variable) that holds the mistake.
    pub file: String,
    /// 1-based line, when the mistake is in a file.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// The problem as a page shows it, where it is, what is wrong and what to do, in one
    /// language at a time.
    pub fn said(&self) -> crate::model::Said {
        crate::model::Said::same(self.to_string())
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
    pub fn problem(&self, path: &[&str], message: String, fix: String) -> Problem {
        Problem {
            file: self.name.clone(),
            line: self.line_of(path),
            message,
            fix,
        }
    }

    /// Turn a TOML parse or type error into a problem with its line.
    pub fn parse_problem(&self, e: &toml::de::Error, fix: &str) -> Problem {
        Problem {
            file: self.name.clone(),
            line: e.span().map(|s| self.line_at(s.start)),
            message: e.message().trim().to_string(),
            fix: fix.to_string(),
        }
    }
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
}
