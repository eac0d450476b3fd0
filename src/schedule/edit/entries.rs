//! What the programme forms send, as plain values, and the [`Change`] each makes: which keys of
//! a `[[slot]]`, `[[once]]`, `[[holiday]]`, `[[part]]` or `[quiet]` a form manages. Keys a form
//! does not show (`offset_days`, a part's `order` and `limit`) are not named and so stay. It
//! does not judge the values: [`crate::schedule::files::check`] does, in the words of
//! `loaxa check`.

use super::EditError;
use super::document::{Change, Fields, Place, Target, Value};
use crate::model::said;

/// Every day of the week, as the forms send them.
pub const DAYS: [&str; 7] = ["t2", "t3", "t4", "t5", "t6", "t7", "cn"];

fn text(s: &str) -> Option<Value> {
    let s = s.trim();
    (!s.is_empty()).then(|| Value::Str(s.to_string()))
}

fn list(l: &[String]) -> Option<Value> {
    let l: Vec<String> = l
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!l.is_empty()).then_some(Value::List(l))
}

fn number(s: &str, what: &str) -> Result<Option<Value>, EditError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(|n| Some(Value::Int(n))).map_err(|_| {
        EditError::Invalid(said!(
            "{what}: \"{s}\" không phải số nguyên",
            "\"{s}\" is not a whole number"
        ))
    })
}

/// An identifier as items name it: letters, digits and `-`, nothing else.
fn name(s: &str) -> Result<Option<Value>, EditError> {
    let s = s.trim();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(EditError::Invalid(said!(
            "tên định danh \"{s}\" chỉ gồm chữ thường không dấu, số và dấu gạch, ví dụ \"trua\"",
            "the identifier \"{s}\" may hold only a–z, 0–9 and -, e.g. \"trua\""
        )));
    }
    Ok(Some(Value::Str(s.to_string())))
}

fn entry(array: &str, original: &str, fields: Fields) -> Change {
    Change {
        place: Place::Entry {
            array: array.into(),
            target: match original.trim() {
                "" => Target::New,
                o => Target::Name(o.to_string()),
            },
        },
        fields: Some(fields),
    }
}

fn key(k: &str, v: Option<Value>) -> (String, Option<Value>) {
    (k.to_string(), v)
}

/// A recurring slot as its form gives it.
#[derive(Debug, Clone, Default)]
pub struct SlotInput {
    /// Identifier.
    pub name: String,
    /// What people call it.
    pub title: String,
    /// `HH:MM`, or empty with a cron line.
    pub time: String,
    /// Ticked days (`t2`…`cn`); all seven or none ticked is every day.
    pub days: Vec<String>,
    /// The advanced field: a five-field cron line instead of time and days.
    pub cron: String,
    /// Its playlist.
    pub playlist: String,
    /// Zones; none is all.
    pub zones: Vec<String>,
    /// Only on these holidays.
    pub holidays: Vec<String>,
}

impl SlotInput {
    /// The change that makes the slot `original` (empty: a new one) say this.
    pub fn change(&self, original: &str) -> Result<Change, EditError> {
        let cron = text(&self.cron);
        let (time, days) = if cron.is_some() {
            (None, None)
        } else {
            let all = self.days.is_empty() || DAYS.iter().all(|d| self.days.iter().any(|x| x == d));
            let days = (!all).then(|| Value::Days(self.days.clone()));
            (text(&self.time), days)
        };
        Ok(entry(
            "slot",
            original,
            vec![
                key("name", name(&self.name)?),
                key("title", text(&self.title)),
                key("time", time),
                key("cron", cron),
                key("days", days),
                key("playlist", text(&self.playlist)),
                key("zones", list(&self.zones)),
                key("holidays", list(&self.holidays)),
            ],
        ))
    }
}

/// A one-off slot (`[[once]]`).
#[derive(Debug, Clone, Default)]
pub struct OnceInput {
    /// Identifier.
    pub name: String,
    /// What people call it.
    pub title: String,
    /// `YYYY-MM-DD HH:MM` (or the browser's `YYYY-MM-DDTHH:MM`).
    pub at: String,
    /// Its playlist.
    pub playlist: String,
    /// Zones; none is all.
    pub zones: Vec<String>,
}

impl OnceInput {
    /// The change that makes the one-off `original` (empty: a new one) say this.
    pub fn change(&self, original: &str) -> Result<Change, EditError> {
        let at = text(&self.at.replacen('T', " ", 1));
        Ok(entry(
            "once",
            original,
            vec![
                key("name", name(&self.name)?),
                key("title", text(&self.title)),
                key("at", at),
                key("playlist", text(&self.playlist)),
                key("zones", list(&self.zones)),
            ],
        ))
    }
}

/// A holiday (`[[holiday]]`).
#[derive(Debug, Clone, Default)]
pub struct HolidayInput {
    /// Identifier.
    pub name: String,
    /// Its name.
    pub title: String,
    /// `lunar` or `solar`.
    pub calendar: String,
    /// `MM-DD` in that calendar.
    pub date: String,
    /// How many days; empty or 1 is one.
    pub days: String,
    /// The chairman's greeting airs on it.
    pub greeting: bool,
}

impl HolidayInput {
    /// The change that makes the holiday `original` (empty: a new one) say this.
    pub fn change(&self, original: &str) -> Result<Change, EditError> {
        let date = text(&self.date);
        let lunar = self.calendar == "lunar";
        let days = number(&self.days, "days")?.filter(|d| *d != Value::Int(1));
        Ok(entry(
            "holiday",
            original,
            vec![
                key("name", name(&self.name)?),
                key("title", Some(Value::Str(self.title.trim().to_string()))),
                key("solar", if lunar { None } else { date.clone() }),
                key("lunar", if lunar { date } else { None }),
                key("days", days),
                key("greeting", self.greeting.then_some(Value::Bool(true))),
            ],
        ))
    }
}

/// One part of a playlist (`[[part]]`).
#[derive(Debug, Clone, Default)]
pub struct PartInput {
    /// `jingle`, `category` or `relay`.
    pub kind: String,
    /// The jingle's title.
    pub jingle: String,
    /// The category.
    pub category: String,
    /// Only this tier; empty for all.
    pub tier: String,
    /// Only on greeting holidays.
    pub holidays_only: bool,
    /// The stream's address.
    pub relay: String,
    /// The relay's name in the as-run log.
    pub title: String,
    /// How long the relay lasts, or
    pub minutes: String,
    /// until when (`HH:MM`).
    pub until: String,
    /// What airs while the stream is out (a jingle's title or a category).
    pub fallback: String,
    /// Silence this long is an outage.
    pub silence_seconds: String,
}

const ITEM_KEYS: [&str; 5] = ["category", "tier", "holidays_only", "order", "limit"];
const RELAY_KEYS: [&str; 6] = [
    "relay",
    "title",
    "minutes",
    "until",
    "fallback",
    "silence_seconds",
];

impl PartInput {
    /// The change that makes part `index` (`None`: a new one at the end) say this. The keys of
    /// the other kinds of part are removed; an items part's `order` and `limit` stay.
    pub fn change(&self, index: Option<usize>) -> Result<Change, EditError> {
        let mut fields: Fields = Vec::new();
        let clear = |fields: &mut Fields, keys: &[&str]| {
            fields.extend(keys.iter().map(|k| key(k, None)));
        };
        match self.kind.as_str() {
            "jingle" => {
                fields.push(key("jingle", text(&self.jingle)));
                clear(&mut fields, &ITEM_KEYS);
                clear(&mut fields, &RELAY_KEYS);
            }
            "category" => {
                fields.push(key("category", text(&self.category)));
                fields.push(key("tier", text(&self.tier)));
                fields.push(key(
                    "holidays_only",
                    self.holidays_only.then_some(Value::Bool(true)),
                ));
                clear(&mut fields, &["jingle"]);
                clear(&mut fields, &RELAY_KEYS);
            }
            "relay" => {
                let minutes = number(&self.minutes, "minutes")?;
                let until = if minutes.is_some() {
                    None
                } else {
                    text(&self.until)
                };
                fields.extend([
                    key("relay", text(&self.relay)),
                    key("title", text(&self.title)),
                    key("minutes", minutes),
                    key("until", until),
                    key("fallback", text(&self.fallback)),
                    key(
                        "silence_seconds",
                        number(&self.silence_seconds, "silence_seconds")?,
                    ),
                ]);
                clear(&mut fields, &["jingle"]);
                clear(&mut fields, &ITEM_KEYS);
            }
            other => {
                return Err(EditError::Invalid(said!(
                    "không có loại phần \"{other}\" (jingle, category, relay)",
                    "no part kind \"{other}\""
                )));
            }
        }
        Ok(Change {
            place: Place::Entry {
                array: "part".into(),
                target: index.map_or(Target::New, Target::Index),
            },
            fields: Some(fields),
        })
    }

    /// The top of a playlist file: its title, longest length and what happens past it.
    pub fn header(title: &str, max_minutes: &str, overflow: &str) -> Result<Change, EditError> {
        Ok(Change {
            place: Place::Table(Vec::new()),
            fields: Some(vec![
                key("title", text(title)),
                key("max_minutes", number(max_minutes, "max_minutes")?),
                key("overflow", text(overflow)),
            ]),
        })
    }
}

/// Quiet hours: the commune's spans and each zone's, as `HH:MM-HH:MM` separated by commas or
/// lines.
#[derive(Debug, Clone, Default)]
pub struct QuietInput {
    /// The commune's spans.
    pub hours: String,
    /// Each zone's spans; an empty text removes the zone's own.
    pub zones: Vec<(String, String)>,
}

fn spans(s: &str) -> Vec<String> {
    s.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl QuietInput {
    /// The changes to `[quiet]` and `[quiet.zones]`.
    pub fn changes(&self) -> Vec<Change> {
        let mut out = vec![Change {
            place: Place::Table(vec!["quiet".into()]),
            fields: Some(vec![key("hours", list(&spans(&self.hours)))]),
        }];
        if !self.zones.is_empty() {
            out.push(Change {
                place: Place::Table(vec!["quiet".into(), "zones".into()]),
                fields: Some(
                    self.zones
                        .iter()
                        .map(|(zone, hours)| key(zone, list(&spans(hours))))
                        .collect(),
                ),
            });
        }
        out
    }
}

/// Removing the entry `name` of `array` (`slot`, `once`, `holiday`).
pub fn remove(array: &str, name: &str) -> Change {
    Change {
        place: Place::Entry {
            array: array.into(),
            target: Target::Name(name.to_string()),
        },
        fields: None,
    }
}

/// Removing part `index` of a playlist.
pub fn remove_part(index: usize) -> Change {
    Change {
        place: Place::Entry {
            array: "part".into(),
            target: Target::Index(index),
        },
        fields: None,
    }
}
