//! One change to one programme file's text, made with `toml_edit` so that everything the change
//! does not name — comments, blank lines, key order, other entries, keys the forms do not know —
//! stays byte for byte. Pure over text: it reads and writes no file and does not judge whether
//! the programme still works (the editor asks [`crate::schedule::files::check`]).

use std::collections::BTreeMap;

use serde::Serialize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use super::EditError;
use crate::config::toml_said;

/// A value the forms set. Absent values are `None` in [`Fields`]: the key is removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A string.
    Str(String),
    /// A list of strings.
    List(Vec<String>),
    /// Days of the week (`t2`…`cn`), equal to any spelling of the same days.
    Days(Vec<String>),
    /// A whole number.
    Int(i64),
    /// A number (dB).
    Float(f64),
    /// On or off.
    Bool(bool),
}

/// The keys a form manages and what they become (`None`: removed). Keys not named are kept.
pub type Fields = Vec<(String, Option<Value>)>;

/// Which entry of an array of tables (`[[slot]]`, `[[part]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A new one, at the end.
    New,
    /// The one whose `name` is this.
    Name(String),
    /// The one at this position (playlist parts have no names).
    Index(usize),
}

/// Where a change goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// An entry of the array of tables `array`.
    Entry {
        /// `slot`, `once`, `holiday`, `part`.
        array: String,
        /// Which one.
        target: Target,
    },
    /// The table at this path (`[]` the top of the file, `["quiet"]`, `["quiet", "zones"]`).
    Table(Vec<String>),
}

/// One change: at `place`, set `fields`, or remove the entry when `fields` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Where.
    pub place: Place,
    /// What the managed keys become; `None` removes the entry.
    pub fields: Option<Fields>,
}

/// What an entry (or a table) holds now, as the forms show it; `None` when there is no such
/// entry. Values the forms do not know (inline tables, dates) are left out.
pub fn read(text: &str, place: &Place) -> Option<BTreeMap<String, Value>> {
    let doc: DocumentMut = text.parse().ok()?;
    let table: &Table = match place {
        Place::Entry { array, target } => {
            let tables = doc.get(array)?.as_array_of_tables()?;
            match target {
                Target::New => return None,
                Target::Name(name) => tables
                    .iter()
                    .find(|t| t.get("name").and_then(Item::as_str) == Some(name.as_str()))?,
                Target::Index(i) => tables.get(*i)?,
            }
        }
        Place::Table(path) => {
            let mut table = doc.as_table();
            for key in path {
                table = table.get(key)?.as_table()?;
            }
            table
        }
    };
    let value = |v: &toml_edit::Value| -> Option<Value> {
        Some(match v {
            toml_edit::Value::String(s) => Value::Str(s.value().clone()),
            toml_edit::Value::Integer(i) => Value::Int(*i.value()),
            toml_edit::Value::Float(f) => Value::Float(*f.value()),
            toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
            toml_edit::Value::Array(a) => Value::List(
                a.iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    };
    Some(
        table
            .iter()
            .filter_map(|(k, item)| Some((k.to_string(), value(item.as_value()?)?)))
            .collect(),
    )
}

/// Whether the file has the entry `name` in `array`.
pub fn has(text: &str, array: &str, name: &str) -> bool {
    read(
        text,
        &Place::Entry {
            array: array.into(),
            target: Target::Name(name.into()),
        },
    )
    .is_some()
}

/// `text` with `change` made, everything else as it was.
pub fn apply(text: &str, change: &Change) -> Result<String, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Unreadable(toml_said(e.message())))?;
    match &change.place {
        Place::Entry { array, target } => entry(&mut doc, array, target, change.fields.as_ref())?,
        Place::Table(path) => {
            let Some(fields) = &change.fields else {
                return Err(EditError::NotEditable(path.join(".")));
            };
            // Nothing to set in a table the file does not have: no empty `[quiet.zones]`.
            if fields.iter().all(|(_, v)| v.is_none()) && !has_table(&doc, path) {
                return Ok(text.to_string());
            }
            let table = table_at(&mut doc, path)?;
            for (key, value) in fields {
                set(table, key, value.as_ref());
            }
        }
    }
    Ok(doc.to_string())
}

fn entry(
    doc: &mut DocumentMut,
    array: &str,
    target: &Target,
    fields: Option<&Fields>,
) -> Result<(), EditError> {
    if doc.get(array).is_none() && *target == Target::New {
        doc.insert(array, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let tables = doc
        .get_mut(array)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| EditError::NotEditable(format!("[[{array}]]")))?;
    let index = match target {
        Target::New => None,
        Target::Name(name) => Some(
            tables
                .iter()
                .position(|t| t.get("name").and_then(Item::as_str) == Some(name.as_str()))
                .ok_or_else(|| EditError::NotFound(format!("[[{array}]] name = \"{name}\"")))?,
        ),
        Target::Index(i) if *i < tables.len() => Some(*i),
        Target::Index(i) => {
            return Err(EditError::NotFound(format!("[[{array}]] #{}", i + 1)));
        }
    };
    match (index, fields) {
        (Some(i), None) => {
            tables.remove(i);
        }
        (Some(i), Some(fields)) => {
            if let Some(table) = tables.get_mut(i) {
                for (key, value) in fields {
                    set(table, key, value.as_ref());
                }
            }
        }
        (None, Some(fields)) => {
            let mut table = Table::new();
            table.decor_mut().set_prefix("\n");
            for (key, value) in fields {
                set(&mut table, key, value.as_ref());
            }
            tables.push(table);
        }
        (None, None) => return Err(EditError::NotFound(format!("[[{array}]]"))),
    }
    Ok(())
}

fn has_table(doc: &DocumentMut, path: &[String]) -> bool {
    let mut table = doc.as_table();
    for key in path {
        match table.get(key).and_then(Item::as_table) {
            Some(t) => table = t,
            None => return false,
        }
    }
    true
}

/// The table at `path`, made (as `[a.b]`) when the file has none.
fn table_at<'d>(doc: &'d mut DocumentMut, path: &[String]) -> Result<&'d mut Table, EditError> {
    let mut table = doc.as_table_mut();
    for key in path {
        if table.get(key).is_none() {
            let mut t = Table::new();
            t.decor_mut().set_prefix("\n");
            table.insert(key, Item::Table(t));
        }
        table = table
            .get_mut(key)
            .and_then(Item::as_table_mut)
            .ok_or_else(|| EditError::NotEditable(path.join(".")))?;
    }
    Ok(table)
}

/// Set `key` to `value` (remove it when `None`). A key whose value already means the same is
/// not touched; a changed one keeps its comments (the decor around the value).
fn set(table: &mut Table, key: &str, value: Option<&Value>) {
    let Some(value) = value else {
        table.remove(key);
        return;
    };
    match table.get_mut(key) {
        Some(Item::Value(old)) => {
            if same(old, value) {
                return;
            }
            let mut new = toml_value(value);
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        Some(item) => *item = Item::Value(toml_value(value)),
        None => {
            table.insert(key, Item::Value(toml_value(value)));
        }
    }
}

fn toml_value(v: &Value) -> toml_edit::Value {
    match v {
        Value::Str(s) => s.as_str().into(),
        Value::List(l) | Value::Days(l) => l.iter().map(String::as_str).collect(),
        Value::Int(i) => (*i).into(),
        // A whole number of dB reads as the file's author writes it: `-6`.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e9 => (*f as i64).into(),
        Value::Float(f) => (*f).into(),
        Value::Bool(b) => (*b).into(),
    }
}

fn same(old: &toml_edit::Value, new: &Value) -> bool {
    let strings = |a: &toml_edit::Array| -> Option<Vec<String>> {
        a.iter().map(|v| v.as_str().map(str::to_string)).collect()
    };
    match new {
        Value::Str(s) => old.as_str() == Some(s.as_str()),
        Value::List(l) => old.as_array().and_then(strings).as_ref() == Some(l),
        Value::Days(l) => old
            .as_array()
            .and_then(strings)
            .is_some_and(|o| super::same_days(&o, l)),
        Value::Int(i) => old.as_integer() == Some(*i),
        Value::Float(f) => {
            old.as_float() == Some(*f) || old.as_integer().is_some_and(|i| i as f64 == *f)
        }
        Value::Bool(b) => old.as_bool() == Some(*b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<Value> {
        Some(Value::Str(v.into()))
    }

    const FILE: &str = "# đầu tệp / top\n\n[[slot]]\nname = \"sang\"  # buổi sáng\ntime = \"05:30\"\nplaylist = \"p\"\nlater = 1\n\n# cuối / last\n[[slot]]\nname = \"chieu\"\ntime = \"17:00\"\nplaylist = \"p\"\n";

    #[test]
    fn a_changed_value_keeps_its_comment_and_the_rest_stays_byte_for_byte() {
        let change = Change {
            place: Place::Entry {
                array: "slot".into(),
                target: Target::Name("sang".into()),
            },
            fields: Some(vec![
                ("name".into(), s("sang")),
                ("time".into(), s("06:00")),
                ("cron".into(), None),
            ]),
        };
        let out = apply(FILE, &change).unwrap();
        assert_eq!(out, FILE.replace("05:30", "06:00"));
    }

    #[test]
    fn a_new_entry_goes_after_the_last_of_its_kind() {
        let text = format!("{FILE}\n[[holiday]]\nname = \"h\"\n");
        let change = Change {
            place: Place::Entry {
                array: "slot".into(),
                target: Target::New,
            },
            fields: Some(vec![
                ("name".into(), s("trua")),
                ("time".into(), s("11:00")),
            ]),
        };
        let out = apply(&text, &change).unwrap();
        assert_eq!(
            out,
            format!(
                "{FILE}\n[[slot]]\nname = \"trua\"\ntime = \"11:00\"\n\n[[holiday]]\nname = \"h\"\n"
            )
        );
    }

    #[test]
    fn removing_takes_the_entry_and_its_own_comment_only() {
        let change = Change {
            place: Place::Entry {
                array: "slot".into(),
                target: Target::Name("chieu".into()),
            },
            fields: None,
        };
        let out = apply(FILE, &change).unwrap();
        assert_eq!(
            out,
            "# đầu tệp / top\n\n[[slot]]\nname = \"sang\"  # buổi sáng\ntime = \"05:30\"\nplaylist = \"p\"\nlater = 1\n"
        );
    }

    #[test]
    fn days_spelt_otherwise_are_the_same_days() {
        let text = "[[slot]]\nname = \"a\"\ndays = [\"mon\", \"tue\"]\n";
        let change = Change {
            place: Place::Entry {
                array: "slot".into(),
                target: Target::Index(0),
            },
            fields: Some(vec![(
                "days".into(),
                Some(Value::Days(vec!["t2".into(), "t3".into()])),
            )]),
        };
        assert_eq!(apply(text, &change).unwrap(), text);
    }

    #[test]
    fn a_missing_table_is_made() {
        let change = Change {
            place: Place::Table(vec!["quiet".into()]),
            fields: Some(vec![(
                "hours".into(),
                Some(Value::List(vec!["22:00-05:00".into()])),
            )]),
        };
        let out = apply("a = 1\n", &change).unwrap();
        assert_eq!(out, "a = 1\n\n[quiet]\nhours = [\"22:00-05:00\"]\n");
    }

    #[test]
    fn an_unknown_entry_is_not_found() {
        let change = Change {
            place: Place::Entry {
                array: "slot".into(),
                target: Target::Name("khong".into()),
            },
            fields: None,
        };
        assert!(matches!(apply(FILE, &change), Err(EditError::NotFound(_))));
    }
}
