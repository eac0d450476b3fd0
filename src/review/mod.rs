//! One review lifecycle for everything the public hears or sees only once a leader approved it:
//! broadcast items, panel slogans and typed bulletins.
//!
//! Each follows draft → submitted → approved or rejected → (items) expired. [`rules`] is the
//! whole rulebook as one pure function: given the state, who made the version under review
//! (its creator and its last editor), the step and who acts, it says the next state or why not
//! (nobody approves or rejects what they wrote or edited; only leaders decide).
//! [`create`] and [`apply`] run a decision against the database: the state change is
//! conditional on the state it was decided from (two leaders approving at once cannot both
//! win), a rejection needs a reason, and the audit entry is written in the same transaction.
//!
//! Approved content is never sent back by an edit: the edit is a draft *revision* beside it,
//! reviewed by the same steps at the same URLs (submit, withdraw, approve, reject act on the
//! revision while there is one), and the approved version keeps airing or showing until the
//! revision is approved and replaces it. Taking approved content off air is its own step.
//!
//! A kind of content is a [`Kind`]: its content type, its table, how its content is checked
//! and what its audit entries say. Owns the rules; must not touch the web, and knows each kind
//! only through that trait (the kinds live with what they need: [`items`] and [`bulletins`]
//! here, slogans in `display::slogans`).

pub mod bulletins;
pub mod items;
mod lifecycle;

pub use bulletins::Bulletins;
pub use items::Items;
pub use lifecycle::{apply, create};

use rusqlite::Connection;
use serde_json::Value;

use crate::model::said;
use crate::model::{Capability, Event, ReviewState, Revision, Said, User};
use crate::store::StoreError;
use crate::store::review::ReviewedRows;
use crate::text::clean_line;

/// Something done to reviewed content whose body is `C`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<C> {
    /// Send to the leaders.
    Submit,
    /// Take back a submission.
    Withdraw,
    /// Approve for the public.
    Approve,
    /// Send back, with a reason.
    Reject(String),
    /// Change what it says.
    Edit(C),
    /// Its time has passed (the system does this).
    Expire,
    /// Take approved content off air (a pending revision, if any, becomes its draft).
    TakeOff,
}

impl<C> Action<C> {
    /// The review step this action is.
    pub fn step(&self) -> Step {
        match self {
            Action::Submit => Step::Submit,
            Action::Withdraw => Step::Withdraw,
            Action::Approve => Step::Approve,
            Action::Reject(_) => Step::Reject,
            Action::Edit(_) => Step::Edit,
            Action::Expire => Step::Expire,
            Action::TakeOff => Step::TakeOff,
        }
    }
}

/// A step in the review, whatever the content.
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
    /// Take approved content off air.
    TakeOff,
}

impl Step {
    /// The verb of its audit action (`item.approve`), in English.
    pub fn verb(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Withdraw => "withdraw",
            Step::Approve => "approve",
            Step::Reject => "reject",
            Step::Edit => "edit",
            Step::Expire => "expire",
            Step::TakeOff => "take_off",
        }
    }

    /// The same verb in Vietnamese, for the refusals people read.
    fn verb_vi(self) -> &'static str {
        match self {
            Step::Submit => "gửi duyệt",
            Step::Withdraw => "rút lại",
            Step::Approve => "duyệt",
            Step::Reject => "từ chối",
            Step::Edit => "sửa",
            Step::Expire => "cho hết hạn",
            Step::TakeOff => "gỡ khỏi sóng",
        }
    }

    /// What a role must be allowed to take this step.
    fn capability(self) -> Capability {
        match self {
            Step::Approve | Step::Reject | Step::TakeOff => Capability::Approve,
            Step::Expire => Capability::Administer,
            Step::Submit | Step::Withdraw | Step::Edit => Capability::Edit,
        }
    }
}

/// Why a step cannot be taken. Each maps to an HTTP status in the web layer.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum ReviewError {
    /// The role does not allow it.
    Forbidden,
    /// Approving one's own content.
    OwnItem,
    /// Deciding on a version one edited: an approver who changes someone's item would
    /// otherwise approve their own words under the creator's name.
    EditedIt,
    /// Not from this state.
    WrongState {
        /// The current state.
        state: ReviewState,
        /// Vietnamese verb.
        action: &'static str,
        /// English verb.
        action_en: &'static str,
    },
    /// Someone changed it since it was read.
    Conflict,
    /// No such content, or what it refers to.
    NotFound(String),
    /// The input is wrong.
    Invalid(Said),
    /// An edit that changes nothing: no revision is made.
    Unchanged,
    /// The database failed.
    Store(#[from] StoreError),
}

impl ReviewError {
    /// Why the step was refused, in each language.
    pub fn said(&self) -> Said {
        match self {
            ReviewError::Forbidden => {
                said!(
                    "bạn không có quyền làm việc này",
                    "you are not allowed to do this"
                )
            }
            ReviewError::OwnItem => said!(
                "không ai được tự duyệt nội dung của mình",
                "nobody may approve what they wrote"
            ),
            ReviewError::EditedIt => said!(
                "bạn đã sửa bản này nên không được duyệt hay từ chối nó — hãy nhờ một lãnh đạo khác",
                "you edited this version, so you may not approve or reject it — ask another leader"
            ),
            ReviewError::WrongState {
                state,
                action,
                action_en,
            } => {
                let (vi, en) = (state.label_vi(), state.as_str());
                said!(
                    "không thể {action} khi đang ở trạng thái \"{vi}\"",
                    "cannot {action_en} while it is {en}"
                )
            }
            ReviewError::Conflict => said!(
                "vừa có người khác thay đổi — hãy tải lại trang",
                "someone else just changed it — reload the page"
            ),
            ReviewError::NotFound(what) => said!("không tìm thấy {what}", "{what} not found"),
            ReviewError::Invalid(why) => why.clone(),
            ReviewError::Unchanged => said!(
                "không có gì thay đổi nên không tạo bản sửa nào",
                "nothing changed, so no revision was made"
            ),
            ReviewError::Store(e) => e.said(),
        }
    }
}

impl From<rusqlite::Error> for ReviewError {
    fn from(e: rusqlite::Error) -> Self {
        ReviewError::Store(e.into())
    }
}

/// Where a stored thing is in its review, as [`rules`] needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Standing {
    /// Its row id.
    pub id: i64,
    /// Its state.
    pub state: ReviewState,
    /// Its version's number (1 when written, one more for each approved revision).
    pub revision: i64,
    /// Who wrote it (`None`: it came with the demo content).
    pub author: Option<i64>,
    /// Who last changed what it says (`None`: nobody since it was written).
    pub edited_by: Option<i64>,
    /// Everyone who changed this version (with [`Standing::author`], its makers).
    pub editors: Vec<i64>,
    /// Why it was last sent back.
    pub reject_reason: Option<String>,
    /// The revision of approved content waiting for approval: the steps of the review act on
    /// it while there is one.
    pub pending: Option<Box<Standing>>,
}

impl Standing {
    /// The standing of a record whose own fields are given, with its pending `revision`:
    /// the revision's author is the approved one's (their words are in it) and its makers
    /// are everyone who made or changed it.
    pub fn with_pending(self, revision: Option<&Revision>) -> Standing {
        let pending = revision.map(|r| {
            Box::new(Standing {
                id: r.id,
                state: r.state,
                revision: r.revision,
                author: self.author,
                edited_by: r.editors.last().copied(),
                editors: r.editors.clone(),
                reject_reason: r.reject_reason.clone(),
                pending: None,
            })
        });
        Standing { pending, ..self }
    }

    /// The version the review's steps act on now: the pending revision, or this one.
    pub fn in_review(&self) -> &Standing {
        self.pending.as_deref().unwrap_or(self)
    }

    /// Whether `user_id` wrote or changed this version: then they may not decide it, and
    /// pages tell them so instead of offering the buttons.
    pub fn made_by(&self, user_id: i64) -> bool {
        self.author == Some(user_id)
            || self.edited_by == Some(user_id)
            || self.editors.contains(&user_id)
    }
}

/// A kind of content that goes through review. Adding one is implementing this (next to what
/// its checks need) and registering its routes; the rules, the transaction, the audit and the
/// web handlers are the same for all.
pub trait Kind: Send + Sync + 'static {
    /// What staff write: the body of a creation or an edit.
    type Content: Clone + PartialEq + Send + 'static;
    /// A stored one with its review fields, as pages and the API show it.
    type Record: Send + 'static;
    /// What its checks and its effects need besides the database (the panel, for slogans).
    type Context: Clone + Send + Sync + 'static;
    /// Its rows in the store: how one is read, listed, written and replaced.
    type Rows: ReviewedRows<Content = Self::Content, Record = Self::Record>;

    /// The noun of its audit entries: `item` gives `item.approve` about `item:12`.
    const NOUN: &'static str;
    /// What people call one, Vietnamese then English (`("bản tin", "item")`).
    const NAME: (&'static str, &'static str);
    /// Where a stored one is in its review, with its pending revision's standing.
    fn standing(record: &Self::Record) -> Standing;
    /// What a stored one says, as an edit would write it (to tell an edit that changes
    /// nothing, and to copy an approved revision over its approved row).
    fn content_of(record: &Self::Record) -> Self::Content;
    /// Whether `new` says what `old` says: then an edit makes no revision. Default: equal.
    fn unchanged(old: &Self::Content, new: &Self::Content) -> bool {
        old == new
    }
    /// The slow work a creation or an edit needs before its transaction, on a blocking thread
    /// and outside the store's lock (a typed bulletin is read into a recording here); `actor`
    /// is who asked. Default: none.
    fn prepare(
        _ctx: &Self::Context,
        content: Self::Content,
        _actor: &User,
    ) -> Result<Self::Content, ReviewError> {
        Ok(content)
    }
    /// Check and clean what staff wrote.
    fn validate(
        conn: &Connection,
        content: &Self::Content,
        ctx: &Self::Context,
    ) -> Result<Self::Content, ReviewError>;
    /// A last check of a stored one before it is approved (the panel may have changed since
    /// it was written). Default: none.
    fn check_approval(
        _conn: &Connection,
        _record: &Self::Record,
        _ctx: &Self::Context,
    ) -> Result<(), ReviewError> {
        Ok(())
    }
    /// Whether a stored one may be edited as this kind (a typed bulletin's item is edited
    /// through its text, not as a plain item). Default: yes.
    fn check_edit(
        _conn: &Connection,
        _record: &Self::Record,
        _ctx: &Self::Context,
    ) -> Result<(), ReviewError> {
        Ok(())
    }
    /// What the audit entry of a creation says about the content (a JSON object).
    fn described(content: &Self::Content) -> Value;
    /// What the audit entry of an edit adds to its `from` and `to` (a JSON object). Default:
    /// what a creation's says.
    fn edited(content: &Self::Content) -> Value {
        Self::described(content)
    }
    /// After a change to row `id` is committed (`step` `None`: it was created): what the
    /// kind's running parts must do, and what live pages should hear.
    fn committed(
        ctx: &Self::Context,
        id: i64,
        step: Option<Step>,
    ) -> Result<Option<Event>, ReviewError>;
}

/// The version `step` acts on: a pending revision for the review's steps and edits, the
/// content itself for taking it off air and expiry.
pub fn acted_on(standing: &Standing, step: Step) -> &Standing {
    match step {
        Step::TakeOff | Step::Expire => standing,
        _ => standing.in_review(),
    }
}

/// The rulebook: the state `step` leads the version it acts on ([`acted_on`]) to from where
/// `standing` is, if `actor` may take it now. Whoever wrote or changed the version under
/// review may not approve or reject it; `actor` is `None` for the system (expiry). An edit
/// of approved content leads to a draft revision, the approved version staying approved.
pub fn rules(
    standing: &Standing,
    step: Step,
    actor: Option<&User>,
) -> Result<ReviewState, ReviewError> {
    use ReviewState::*;
    let version = acted_on(standing, step);
    let state = version.state;
    if let Some(user) = actor {
        if !user.role.can(step.capability()) {
            return Err(ReviewError::Forbidden);
        }
        if matches!(step, Step::Approve | Step::Reject) {
            if version.author == Some(user.id) {
                return Err(ReviewError::OwnItem);
            }
            if version.made_by(user.id) {
                return Err(ReviewError::EditedIt);
            }
        }
    }
    let next = match (step, state) {
        (Step::Submit, Draft | Rejected) => Submitted,
        (Step::Withdraw, Submitted) => Draft,
        (Step::Approve, Submitted) => Approved,
        (Step::Reject, Submitted) => Rejected,
        // Any change needs a fresh approval: of the draft itself, or of a draft revision
        // beside the approved version.
        (Step::Edit, Draft | Submitted | Approved | Rejected) => Draft,
        (Step::TakeOff, Approved) => Draft,
        (Step::Expire, Draft | Submitted | Approved) => Expired,
        _ => {
            return Err(ReviewError::WrongState {
                state,
                action: step.verb_vi(),
                action_en: step.verb(),
            });
        }
    };
    Ok(next)
}

/// Which steps `user` may take on something in `standing` now: what a page offers as buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    /// Change it.
    pub edit: bool,
    /// Send it to the leaders.
    pub submit: bool,
    /// Take back its submission.
    pub withdraw: bool,
    /// Approve or reject it.
    pub decide: bool,
    /// Take it off air.
    pub take_off: bool,
}

impl Allowed {
    /// The rulebook's answer for each step, so a page never offers what would be refused.
    pub fn of(standing: &Standing, user: &User) -> Allowed {
        let may = |step| rules(standing, step, Some(user)).is_ok();
        Allowed {
            edit: may(Step::Edit),
            submit: may(Step::Submit),
            withdraw: may(Step::Withdraw),
            decide: may(Step::Approve),
            take_off: may(Step::TakeOff),
        }
    }
}

/// A reason for sending something back: cleaned, and required.
pub fn reject_reason(reason: &str) -> Result<String, ReviewError> {
    let reason = clean_line(reason);
    if reason.is_empty() {
        return Err(ReviewError::Invalid(said!(
            "hãy ghi lý do từ chối",
            "give a reason for rejecting"
        )));
    }
    Ok(reason)
}

/// The refusal for an id of kind `K` that names nothing.
pub fn not_found<K: Kind>(id: i64) -> ReviewError {
    let (vi, en) = K::NAME;
    ReviewError::NotFound(format!("{vi} / {en} {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

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

    fn decide(
        state: ReviewState,
        author: i64,
        step: Step,
        actor: &User,
    ) -> Result<ReviewState, ReviewError> {
        rules(&standing(state, Some(author)), step, Some(actor))
    }

    fn standing(state: ReviewState, author: Option<i64>) -> Standing {
        Standing {
            id: 1,
            state,
            author,
            edited_by: None,
            reject_reason: None,
            ..Standing::default()
        }
    }

    #[test]
    fn the_happy_path() {
        let editor = user(1, Role::Editor);
        let leader = user(2, Role::Approver);
        assert_eq!(
            decide(ReviewState::Draft, 1, Step::Submit, &editor).unwrap(),
            ReviewState::Submitted
        );
        assert_eq!(
            decide(ReviewState::Submitted, 1, Step::Approve, &leader).unwrap(),
            ReviewState::Approved
        );
        assert_eq!(
            decide(ReviewState::Submitted, 1, Step::Reject, &leader).unwrap(),
            ReviewState::Rejected
        );
    }

    #[test]
    fn nobody_approves_their_own_item() {
        let leader = user(2, Role::Approver);
        assert!(matches!(
            decide(ReviewState::Submitted, 2, Step::Approve, &leader),
            Err(ReviewError::OwnItem)
        ));
    }

    #[test]
    fn nobody_decides_a_version_they_edited() {
        let leader = user(2, Role::Approver);
        let edited = Standing {
            edited_by: Some(2),
            ..standing(ReviewState::Submitted, Some(1))
        };
        for step in [Step::Approve, Step::Reject] {
            let r = rules(&edited, step, Some(&leader));
            assert!(matches!(r, Err(ReviewError::EditedIt)), "{step:?}");
        }
        assert!(!Allowed::of(&edited, &leader).decide, "no buttons offered");
        let other = user(3, Role::Approver);
        assert_eq!(
            rules(&edited, Step::Approve, Some(&other)).unwrap(),
            ReviewState::Approved
        );
    }

    #[test]
    fn only_approvers_approve() {
        for role in [Role::Admin, Role::Editor, Role::Operator] {
            let r = decide(ReviewState::Submitted, 1, Step::Approve, &user(9, role));
            assert!(matches!(r, Err(ReviewError::Forbidden)), "{role:?}");
        }
    }

    #[test]
    fn changing_an_approved_item_needs_approval_again() {
        assert_eq!(
            decide(ReviewState::Approved, 1, Step::Edit, &user(1, Role::Editor)).unwrap(),
            ReviewState::Draft
        );
    }

    #[test]
    fn approving_twice_is_refused() {
        let r = decide(
            ReviewState::Approved,
            1,
            Step::Approve,
            &user(2, Role::Approver),
        );
        assert!(matches!(r, Err(ReviewError::WrongState { .. })));
    }

    #[test]
    fn every_state_and_action_has_an_answer() {
        let steps = [
            Step::Submit,
            Step::Withdraw,
            Step::Approve,
            Step::Reject,
            Step::Expire,
        ];
        for state in ReviewState::ALL {
            for step in steps {
                let _ = rules(&standing(state, Some(1)), step, None);
            }
        }
    }

    #[test]
    fn pages_offer_exactly_what_the_rules_allow() {
        let editor = user(1, Role::Editor);
        let leader = user(2, Role::Approver);
        let draft = Allowed::of(&standing(ReviewState::Draft, Some(1)), &editor);
        assert!(draft.edit && draft.submit && !draft.withdraw && !draft.decide);
        let own = Allowed::of(&standing(ReviewState::Submitted, Some(2)), &leader);
        assert!(
            own.withdraw && !own.decide,
            "a leader does not decide on their own"
        );
        let demo = Allowed::of(&standing(ReviewState::Submitted, None), &leader);
        assert!(demo.decide, "demo content has no author to protect");
        let expired = Allowed::of(&standing(ReviewState::Expired, Some(1)), &editor);
        assert_eq!(
            expired,
            Allowed {
                edit: false,
                submit: false,
                withdraw: false,
                decide: false,
                take_off: false,
            }
        );
    }
}
