//! What pages and the API both accept: a range of days, an audit filter, an emergency request.
//! Parsed and checked here once, so a form and a script are refused in the same words. It does not
//! act on what it parses: the handlers call the use cases.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::error::AppError;
use crate::emergency::Message;
use crate::model::said;
use crate::store::audit;

/// A form's fields by name, a field sent more than once (ticked checkboxes: `slots=sang&slots=chieu`)
/// joined with commas, in the order sent.
pub fn joined(pairs: impl IntoIterator<Item = (String, String)>) -> HashMap<String, String> {
    let mut fields: HashMap<String, String> = HashMap::new();
    for (name, value) in pairs {
        fields
            .entry(name)
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    fields
}

#[derive(Debug, Deserialize)]
pub struct Range {
    /// First day.
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
}

impl Range {
    /// The UTC interval `[from 00:00, to + 1 day 00:00)` in the commune's time zone.
    pub fn interval(
        &self,
        tz: chrono_tz::Tz,
    ) -> Result<
        (
            NaiveDate,
            NaiveDate,
            chrono::DateTime<Utc>,
            chrono::DateTime<Utc>,
        ),
        AppError,
    > {
        let today = Utc::now().with_timezone(&tz).date_naive();
        let parse = |v: &Option<String>, default: NaiveDate| -> Result<NaiveDate, AppError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| {
                    AppError::BadRequest(said!(
                        "ngày \"{s}\" không hợp lệ (YYYY-MM-DD)",
                        "\"{s}\" is not a date (YYYY-MM-DD)"
                    ))
                }),
            }
        };
        let from = parse(&self.from, today - chrono::Duration::days(6))?;
        let to = parse(&self.to, today)?;
        if to < from || (to - from).num_days() > 366 {
            return Err(AppError::BadRequest(said!(
                "khoảng ngày phải từ 1 đến 366 ngày",
                "the range must be 1 to 366 days"
            )));
        }
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|n| n.and_local_timezone(tz).earliest())
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
        };
        Ok((from, to, start(from), start(to + chrono::Duration::days(1))))
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    /// Only this person.
    pub actor: Option<String>,
    /// Only actions starting with this (`item.`, `user.`...).
    pub action: Option<String>,
    /// Only entries older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many (default 200).
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// As a store filter.
    pub fn filter(&self) -> audit::Filter {
        let nonempty = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        audit::Filter {
            actor: nonempty(&self.actor),
            action_prefix: nonempty(&self.action),
            before: self.before,
            limit: Some(self.limit.unwrap_or(200).min(5000)),
        }
    }
}

/// What to announce. Exactly one of `item_id`, `text`, `microphone`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmergencyRequest {
    /// An approved item of category `emergency`.
    pub item_id: Option<i64>,
    /// Text to speak.
    pub text: Option<String>,
    /// Speak live through the microphone (`true`), optionally naming the input.
    #[serde(default)]
    pub microphone: bool,
    /// The input device name for the microphone (default input when absent).
    pub input: Option<String>,
    /// Repeats (0: until stopped); default from the config.
    pub repeat: Option<u32>,
}

/// The message a request asks for.
pub fn message_of(r: &EmergencyRequest) -> Result<Message, AppError> {
    match (
        r.item_id,
        r.text.as_deref().filter(|t| !t.trim().is_empty()),
        r.microphone,
    ) {
        (Some(id), None, false) => Ok(Message::Prepared(id)),
        (None, Some(t), false) => Ok(Message::Text(t.to_string())),
        (None, None, true) => Ok(Message::Microphone(r.input.clone())),
        _ => Err(AppError::BadRequest(said!(
            "chọn đúng một: bản tin soạn sẵn, nội dung đọc, hoặc micrô",
            "choose exactly one: a prepared item, a text, or the microphone"
        ))),
    }
}
