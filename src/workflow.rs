//! The life of a broadcast item: draft → submitted → approved or rejected → expired.
//!
//! [`decide`] is the whole rulebook as one pure function: given the item, the action and who
//! acts, it says the next state or why not. [`apply`] runs a decision against the database:
//! the state change is conditional on the state it was decided from (so two leaders approving
//! at once cannot both win) and the audit entry is written in the same transaction.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::model::{Capability, Item, NewItem, ReviewState, User};
use crate::store::review::{self, Reviewed};
use crate::store::{StoreError, audit, items, media};
use crate::text::clean_line;

/// Something done to an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send to the leaders.
    Submit,
    /// Take back a submission.
    Withdraw,
    /// Approve for air.
    Approve,
    /// Send back, with a reason.
    Reject(String),
    /// Change what it says or its recording.
    Edit(NewItem),
    /// The air window has passed (the system does this).
    Expire,
}

impl Action {
    /// The review step this action is.
    pub fn step(&self) -> Step {
        match self {
            Action::Submit => Step::Submit,
            Action::Withdraw => Step::Withdraw,
            Action::Approve => Step::Approve,
            Action::Reject(_) => Step::Reject,
            Action::Edit(_) => Step::Edit,
            Action::Expire => Step::Expire,
        }
    }

    fn audit_name(&self) -> &'static str {
        match self {
            Action::Submit => "item.submit",
            Action::Withdraw => "item.withdraw",
            Action::Approve => "item.approve",
            Action::Reject(_) => "item.reject",
            Action::Edit(_) => "item.edit",
            Action::Expire => "item.expire",
        }
    }
}

/// Why an action cannot be done. Each maps to an HTTP status in the web layer.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The role does not allow it.
    #[error("bạn không có quyền làm việc này / you are not allowed to do this")]
    Forbidden,
    /// Approving one's own item.
    #[error("không ai được tự duyệt nội dung của mình / nobody may approve what they wrote")]
    OwnItem,
    /// Not from this state.
    #[error(
        "không thể {action} khi đang ở trạng thái \"{state}\" / cannot {action_en} while it is {state_en}",
        state = .state.label_vi(), state_en = .state.as_str()
    )]
    WrongState {
        /// The item's state.
        state: ReviewState,
        /// Vietnamese verb.
        action: &'static str,
        /// English verb.
        action_en: &'static str,
    },
    /// Someone changed the item since it was read.
    #[error(
        "vừa có người khác thay đổi — hãy tải lại trang / someone else just changed it — reload the page"
    )]
    Conflict,
    /// No such item, or its recording.
    #[error("không tìm thấy {0} / {0} not found")]
    NotFound(String),
    /// The input is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for WorkflowError {
    fn from(e: rusqlite::Error) -> Self {
        WorkflowError::Store(StoreError::Sqlite(e))
    }
}

/// A step in the review of anything that needs a leader's approval before the public sees
/// it: broadcast items and panel slogans follow the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send to the leaders.
    Submit,
    /// Take back a submission.
    Withdraw,
    /// Approve.
    Approve,
    /// Send back with a reason.
    Reject,
    /// Change what it says.
    Edit,
    /// Its time has passed (the system does this).
    Expire,
}

/// The rulebook: the state `step` leads to from `state`, if `actor` may take it now. `author`
/// is who wrote the thing under review (nobody approves their own); `actor` is `None` for the
/// system (expiry).
pub fn review(
    state: ReviewState,
    author: i64,
    step: Step,
    actor: Option<&User>,
) -> Result<ReviewState, WorkflowError> {
    use ReviewState::*;
    let needed = match step {
        Step::Approve | Step::Reject => Capability::Approve,
        Step::Expire => Capability::Administer,
        _ => Capability::Edit,
    };
    if let Some(user) = actor {
        if !user.role.can(needed) {
            return Err(WorkflowError::Forbidden);
        }
        if matches!(step, Step::Approve | Step::Reject) && user.id == author {
            return Err(WorkflowError::OwnItem);
        }
    }
    let wrong = |action: &'static str, action_en: &'static str| WorkflowError::WrongState {
        state,
        action,
        action_en,
    };
    match (step, state) {
        (Step::Submit, Draft | Rejected) => Ok(Submitted),
        (Step::Submit, _) => Err(wrong("gửi duyệt", "submit")),
        (Step::Withdraw, Submitted) => Ok(Draft),
        (Step::Withdraw, _) => Err(wrong("rút lại", "withdraw")),
        (Step::Approve, Submitted) => Ok(Approved),
        (Step::Approve, _) => Err(wrong("duyệt", "approve")),
        (Step::Reject, Submitted) => Ok(Rejected),
        (Step::Reject, _) => Err(wrong("từ chối", "reject")),
        // Any change to what was submitted or approved needs a fresh approval.
        (Step::Edit, Draft | Submitted | Approved | Rejected) => Ok(Draft),
        (Step::Edit, Expired) => Err(wrong("sửa", "edit")),
        (Step::Expire, Draft | Submitted | Approved) => Ok(Expired),
        (Step::Expire, _) => Err(wrong("cho hết hạn", "expire")),
    }
}

/// The rulebook applied to a broadcast item.
pub fn decide(
    item: &Item,
    action: &Action,
    actor: Option<&User>,
) -> Result<ReviewState, WorkflowError> {
    review(item.state, item.created_by, action.step(), actor)
}

/// A reason for sending something back: cleaned, and required.
pub fn reject_reason(reason: &str) -> Result<String, WorkflowError> {
    let reason = clean_line(reason);
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(
            "hãy ghi lý do từ chối / give a reason for rejecting".into(),
        ));
    }
    Ok(reason)
}

/// Check and clean what staff entered.
pub fn validate(conn: &Connection, new: &NewItem) -> Result<NewItem, WorkflowError> {
    let title = clean_line(&new.title);
    if title.is_empty() || title.chars().count() > 200 {
        return Err(WorkflowError::Invalid(
            "tiêu đề phải có từ 1 đến 200 ký tự / the title needs 1 to 200 characters".into(),
        ));
    }
    if let (Some(a), Some(b)) = (new.air_from, new.air_until)
        && b < a
    {
        return Err(WorkflowError::Invalid(
            "ngày kết thúc trước ngày bắt đầu / the last day is before the first day".into(),
        ));
    }
    if media::get(conn, new.media_id)?.is_none() {
        return Err(WorkflowError::NotFound(format!(
            "bản ghi / recording {}",
            new.media_id
        )));
    }
    let names = |list: &[String]| -> Vec<String> {
        list.iter()
            .map(|s| clean_line(s))
            .filter(|s| !s.is_empty())
            .collect()
    };
    Ok(NewItem {
        title,
        slots: names(&new.slots),
        zones: names(&new.zones),
        ..new.clone()
    })
}

/// Create a draft item.
pub fn create(conn: &mut Connection, new: &NewItem, actor: &User) -> Result<Item, WorkflowError> {
    if !actor.role.can(Capability::Edit) {
        return Err(WorkflowError::Forbidden);
    }
    let new = validate(conn, new)?;
    let tx = conn.transaction()?;
    let id = items::insert(&tx, &new, actor.id)?;
    audit::record(
        &tx,
        &actor.name,
        "item.create",
        &format!("item:{id}"),
        &serde_json::json!({
            "title": new.title, "media_id": new.media_id, "category": new.category, "tier": new.tier,
        }),
    )?;
    let item = items::get(&tx, id)?.ok_or_else(|| WorkflowError::NotFound(format!("item {id}")))?;
    tx.commit()?;
    Ok(item)
}

/// Do `action` to item `id` as `actor` (`None`: the system), atomically with its audit entry.
pub fn apply(
    conn: &mut Connection,
    id: i64,
    action: Action,
    actor: Option<&User>,
) -> Result<Item, WorkflowError> {
    let tx = conn.transaction()?;
    let item = items::get(&tx, id)?
        .ok_or_else(|| WorkflowError::NotFound(format!("bản tin / item {id}")))?;
    let next = decide(&item, &action, actor)?;
    let actor_id = actor.map(|u| u.id);
    let changed = match &action {
        Action::Edit(new) => {
            let new = validate(&tx, new)?;
            items::update_fields(&tx, id, &new, item.state, next)?
        }
        Action::Approve => {
            review::set_state(&tx, Reviewed::Items, id, item.state, next, actor_id, None)?
        }
        Action::Reject(reason) => {
            let reason = reject_reason(reason)?;
            review::set_state(
                &tx,
                Reviewed::Items,
                id,
                item.state,
                next,
                actor_id,
                Some(&reason),
            )?
        }
        _ => review::set_state(
            &tx,
            Reviewed::Items,
            id,
            item.state,
            next,
            None,
            item.reject_reason.as_deref(),
        )?,
    };
    if changed != 1 {
        return Err(WorkflowError::Conflict);
    }
    let detail = match &action {
        Action::Reject(reason) => {
            serde_json::json!({ "from": item.state, "to": next, "reason": clean_line(reason) })
        }
        Action::Edit(new) => {
            serde_json::json!({ "from": item.state, "to": next, "title": new.title, "media_id": new.media_id })
        }
        _ => serde_json::json!({ "from": item.state, "to": next }),
    };
    let who = actor.map_or("system", |u| u.name.as_str());
    audit::record(
        &tx,
        who,
        action.audit_name(),
        &format!("item:{id}"),
        &detail,
    )?;
    let item = items::get(&tx, id)?.ok_or_else(|| WorkflowError::NotFound(format!("item {id}")))?;
    tx.commit()?;
    Ok(item)
}

/// Expire every item whose window ended before `today`. Returns how many.
pub fn expire_due(conn: &mut Connection, today: NaiveDate) -> Result<usize, WorkflowError> {
    let due = items::due_to_expire(conn, today)?;
    let mut n = 0;
    for item in due {
        match apply(conn, item.id, Action::Expire, None) {
            Ok(_) => n += 1,
            // Changed meanwhile (approved or edited): the next pass looks again.
            Err(WorkflowError::Conflict | WorkflowError::WrongState { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Role, Tier};

    fn user(id: i64, role: Role) -> User {
        User {
            id,
            name: format!("u{id}"),
            display_name: String::new(),
            role,
            active: true,
            created_at: String::new(),
        }
    }

    fn item(state: ReviewState, created_by: i64) -> Item {
        Item {
            id: 1,
            media_id: 1,
            title: "Bản tin".into(),
            category: Category::Bulletin,
            tier: Tier::Normal,
            state,
            air_from: None,
            air_until: None,
            slots: vec![],
            zones: vec![],
            reject_reason: None,
            created_by,
            created_by_name: String::new(),
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            created_at: String::new(),
            updated_at: String::new(),
            duration_ms: 1000,
            file: String::new(),
            gain_db: 0.0,
        }
    }

    #[test]
    fn the_happy_path() {
        let editor = user(1, Role::Editor);
        let leader = user(2, Role::Approver);
        let i = item(ReviewState::Draft, 1);
        assert_eq!(
            decide(&i, &Action::Submit, Some(&editor)).unwrap(),
            ReviewState::Submitted
        );
        let i = item(ReviewState::Submitted, 1);
        assert_eq!(
            decide(&i, &Action::Approve, Some(&leader)).unwrap(),
            ReviewState::Approved
        );
        assert_eq!(
            decide(&i, &Action::Reject("sai số liệu".into()), Some(&leader)).unwrap(),
            ReviewState::Rejected
        );
    }

    #[test]
    fn nobody_approves_their_own_item() {
        let leader = user(2, Role::Approver);
        let i = item(ReviewState::Submitted, 2);
        assert!(matches!(
            decide(&i, &Action::Approve, Some(&leader)),
            Err(WorkflowError::OwnItem)
        ));
    }

    #[test]
    fn only_approvers_approve() {
        let i = item(ReviewState::Submitted, 1);
        for role in [Role::Admin, Role::Editor, Role::Operator] {
            let r = decide(&i, &Action::Approve, Some(&user(9, role)));
            assert!(matches!(r, Err(WorkflowError::Forbidden)), "{role:?}");
        }
    }

    #[test]
    fn changing_an_approved_item_needs_approval_again() {
        let i = item(ReviewState::Approved, 1);
        let edit = Action::Edit(NewItem {
            media_id: 2,
            title: "Bản tin mới".into(),
            category: Category::Bulletin,
            tier: Tier::Normal,
            air_from: None,
            air_until: None,
            slots: vec![],
            zones: vec![],
        });
        assert_eq!(
            decide(&i, &edit, Some(&user(1, Role::Editor))).unwrap(),
            ReviewState::Draft
        );
    }

    #[test]
    fn approving_twice_is_refused() {
        let i = item(ReviewState::Approved, 1);
        let r = decide(&i, &Action::Approve, Some(&user(2, Role::Approver)));
        assert!(matches!(r, Err(WorkflowError::WrongState { .. })));
    }

    #[test]
    fn every_state_and_action_has_an_answer() {
        let actions = [
            Action::Submit,
            Action::Withdraw,
            Action::Approve,
            Action::Reject("x".into()),
            Action::Expire,
        ];
        for state in ReviewState::ALL {
            for a in &actions {
                let _ = decide(&item(state, 1), a, None);
            }
        }
    }
}
