//! Slogans as content: written by staff, approved by a leader before the panel shows them,
//! with the same rulebook as broadcast items ([`crate::workflow::review`]).
//!
//! Every text is normalised (NFC) and checked against the panel's font when it is written and
//! again when it is approved: a letter the panel cannot draw is refused with the letter named,
//! never shown as a gap on a government sign.

use chrono::NaiveTime;
use rusqlite::Connection;

use super::scene::Slogan;
use super::{FontChoice, check_text};
use crate::model::{Capability, NewSlogan, ReviewState, SloganRecord, User};
use crate::store::review::{self, Reviewed};
use crate::store::{audit, slogans};
use crate::text::normalize;
use crate::workflow::{Step, WorkflowError, reject_reason, review};

/// Fastest scroll accepted, in LEDs per second (faster cannot be read).
pub const MAX_SPEED_PX_S: u16 = 500;
/// Longest a static slogan may stay up, in seconds.
pub const MAX_HOLD_S: u16 = 600;

impl SloganRecord {
    /// The slogan as the scene needs it.
    pub fn to_scene(&self) -> Slogan {
        self.content.to_scene(self.id)
    }
}

impl NewSlogan {
    /// The slogan as the scene needs it, under row id `id`.
    pub fn to_scene(&self, id: i64) -> Slogan {
        let c = self;
        let window = match (hhmm(c.show_from.as_deref()), hhmm(c.show_until.as_deref())) {
            (Some(from), Some(until)) => Some((from, until)),
            (Some(from), None) => Some((from, NaiveTime::MIN)),
            (None, Some(until)) => Some((NaiveTime::MIN, until)),
            (None, None) => None,
        };
        Slogan {
            id,
            text: c.text.clone(),
            color: c.color,
            effect: c.effect,
            speed_px_s: c.speed_px_s,
            hold_s: c.hold_s,
            window,
        }
    }
}

fn hhmm(s: Option<&str>) -> Option<NaiveTime> {
    s.and_then(|s| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok())
}

/// Something done to a slogan.
#[derive(Debug, Clone, PartialEq)]
pub enum SloganAction {
    /// Send to the leaders.
    Submit,
    /// Take back a submission.
    Withdraw,
    /// Approve for the panel.
    Approve,
    /// Send back, with a reason.
    Reject(String),
    /// Change what it says.
    Edit(NewSlogan),
}

impl SloganAction {
    fn step(&self) -> Step {
        match self {
            SloganAction::Submit => Step::Submit,
            SloganAction::Withdraw => Step::Withdraw,
            SloganAction::Approve => Step::Approve,
            SloganAction::Reject(_) => Step::Reject,
            SloganAction::Edit(_) => Step::Edit,
        }
    }

    fn audit_name(&self) -> &'static str {
        match self {
            SloganAction::Submit => "slogan.submit",
            SloganAction::Withdraw => "slogan.withdraw",
            SloganAction::Approve => "slogan.approve",
            SloganAction::Reject(_) => "slogan.reject",
            SloganAction::Edit(_) => "slogan.edit",
        }
    }
}

/// Check and clean what staff wrote, for a panel drawn with `font`.
pub fn validate(new: &NewSlogan, font: FontChoice) -> Result<NewSlogan, WorkflowError> {
    let invalid = |s: String| WorkflowError::Invalid(s);
    check_text(&new.text, &font).map_err(|e| invalid(e.to_string()))?;
    if new.speed_px_s > MAX_SPEED_PX_S {
        return Err(invalid(format!(
            "tốc độ chạy chữ tối đa {MAX_SPEED_PX_S} điểm/giây / the scroll speed is at most {MAX_SPEED_PX_S} LEDs per second"
        )));
    }
    if !(1..=MAX_HOLD_S).contains(&new.hold_s) {
        return Err(invalid(format!(
            "thời gian hiện phải từ 1 đến {MAX_HOLD_S} giây / the hold time needs 1 to {MAX_HOLD_S} seconds"
        )));
    }
    let time = |s: &Option<String>| -> Result<Option<String>, WorkflowError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(t) => hhmm(Some(t))
                .map(|t| Some(t.format("%H:%M").to_string()))
                .ok_or_else(|| {
                    invalid(format!(
                        "giờ \"{t}\" không hợp lệ, hãy viết dạng 07:30 / the time \"{t}\" is not valid, write it like 07:30"
                    ))
                }),
        }
    };
    Ok(NewSlogan {
        text: normalize(&new.text),
        show_from: time(&new.show_from)?,
        show_until: time(&new.show_until)?,
        ..new.clone()
    })
}

/// Write a draft slogan.
pub fn create(
    conn: &mut Connection,
    new: &NewSlogan,
    actor: &User,
    font: FontChoice,
) -> Result<SloganRecord, WorkflowError> {
    if !actor.role.can(Capability::Edit) {
        return Err(WorkflowError::Forbidden);
    }
    let new = validate(new, font)?;
    let tx = conn.transaction()?;
    let id = slogans::insert(&tx, &new, Some(actor.id))?;
    audit::record(
        &tx,
        &actor.name,
        "slogan.create",
        &format!("slogan:{id}"),
        &serde_json::json!({ "text": new.text, "effect": new.effect }),
    )?;
    let record = fetch(&tx, id)?;
    tx.commit()?;
    Ok(record)
}

/// Do `action` to slogan `id` as `actor`, atomically with its audit entry. Approval checks the
/// text against the panel's font once more: the panel may have changed since it was written.
pub fn apply(
    conn: &mut Connection,
    id: i64,
    action: SloganAction,
    actor: &User,
    font: FontChoice,
) -> Result<SloganRecord, WorkflowError> {
    let tx = conn.transaction()?;
    let current = fetch(&tx, id)?;
    let author = current.created_by.unwrap_or(0);
    let next = review(current.state, author, action.step(), Some(actor))?;
    let changed = match &action {
        SloganAction::Edit(new) => {
            let new = validate(new, font)?;
            slogans::update_fields(&tx, id, &new, current.state, next)?
        }
        SloganAction::Approve => {
            validate(&current.content, font)?;
            review::set_state(
                &tx,
                Reviewed::Slogans,
                id,
                current.state,
                next,
                Some(actor.id),
                None,
            )?
        }
        SloganAction::Reject(reason) => {
            let reason = reject_reason(reason)?;
            review::set_state(
                &tx,
                Reviewed::Slogans,
                id,
                current.state,
                next,
                Some(actor.id),
                Some(&reason),
            )?
        }
        SloganAction::Submit | SloganAction::Withdraw => review::set_state(
            &tx,
            Reviewed::Slogans,
            id,
            current.state,
            next,
            None,
            current.reject_reason.as_deref(),
        )?,
    };
    if changed != 1 {
        return Err(WorkflowError::Conflict);
    }
    let detail = match &action {
        SloganAction::Reject(reason) => {
            serde_json::json!({ "from": current.state, "to": next, "reason": crate::text::clean_line(reason) })
        }
        SloganAction::Edit(new) => {
            serde_json::json!({ "from": current.state, "to": next, "text": normalize(&new.text) })
        }
        _ => serde_json::json!({ "from": current.state, "to": next }),
    };
    audit::record(
        &tx,
        &actor.name,
        action.audit_name(),
        &format!("slogan:{id}"),
        &detail,
    )?;
    let record = fetch(&tx, id)?;
    tx.commit()?;
    Ok(record)
}

/// The approved slogans, in rotation order, as the scene needs them.
pub fn approved(conn: &Connection) -> rusqlite::Result<Vec<Slogan>> {
    Ok(slogans::list(conn, Some(ReviewState::Approved))?
        .iter()
        .map(SloganRecord::to_scene)
        .collect())
}

fn fetch(conn: &Connection, id: i64) -> Result<SloganRecord, WorkflowError> {
    slogans::get(conn, id)?
        .ok_or_else(|| WorkflowError::NotFound(format!("khẩu hiệu / slogan {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Effect, PanelColor};

    fn slogan(text: &str) -> NewSlogan {
        NewSlogan {
            text: text.into(),
            color: PanelColor::RED,
            effect: Effect::Scroll,
            speed_px_s: 0,
            hold_s: 5,
            show_from: None,
            show_until: None,
            position: 0,
        }
    }

    #[test]
    fn decomposed_text_is_stored_composed() {
        let v = validate(&slogan("Xin ca\u{309}m o\u{31B}n"), FontChoice::Unifont16);
        assert_eq!(v.map(|s| s.text).ok().as_deref(), Some("Xin cảm ơn"));
    }

    #[test]
    fn an_emoji_is_refused_by_name() {
        let e = validate(&slogan("Xin chào 😀"), FontChoice::Unifont16).unwrap_err();
        assert!(e.to_string().contains("U+1F600"), "{e}");
    }

    #[test]
    fn office_hours_become_a_window() {
        let new = NewSlogan {
            show_from: Some("7:30".into()),
            show_until: Some("17:00".into()),
            ..slogan("Giờ làm việc: 7:30–17:00")
        };
        let v = validate(&new, FontChoice::Unifont16).unwrap();
        assert_eq!(v.show_from.as_deref(), Some("07:30"));
        let bad = NewSlogan {
            show_from: Some("25:00".into()),
            ..new
        };
        assert!(validate(&bad, FontChoice::Unifont16).is_err());
    }
}
