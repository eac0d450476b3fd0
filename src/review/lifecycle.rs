//! The review's steps run against the database, for every kind: a creation or a step is one
//! transaction with its audit entry, every state change conditional on the state it was
//! decided from. An edit of approved content writes or changes its draft revision (the
//! approved row is not touched); the steps of the review then act on that revision, and its
//! approval copies it over the approved row ([`ReviewedRows::merge`]). What is allowed is
//! [`super::rules`]'s to say; the SQL is the store's.

use rusqlite::{Connection, Transaction};
use serde_json::{Map, Value, json};

use super::{Action, Kind, ReviewError, Standing, acted_on, not_found, reject_reason, rules};
use crate::model::{ReviewState, User};
use crate::store::audit;
use crate::store::review::{self, ReviewedRows};

/// Write a draft of kind `K` by `actor`, atomically with its audit entry.
pub fn create<K: Kind>(
    conn: &mut Connection,
    content: &K::Content,
    actor: &User,
    ctx: &K::Context,
) -> Result<K::Record, ReviewError> {
    if !actor.role.can(crate::model::Capability::Edit) {
        return Err(ReviewError::Forbidden);
    }
    let content = K::validate(conn, content, ctx)?;
    let tx = conn.transaction()?;
    let id = K::Rows::insert(&tx, &content, Some(actor.id))?;
    audit::record(
        &tx,
        &actor.name,
        &format!("{}.create", K::NOUN),
        &format!("{}:{id}", K::NOUN),
        &K::described(&content),
    )?;
    let record = K::Rows::get(&tx, id)?.ok_or_else(|| not_found::<K>(id))?;
    tx.commit()?;
    Ok(record)
}

/// Do `action` to row `id` of kind `K` as `actor` (`None`: the system), atomically with its
/// audit entry: on its pending revision when the step is one of the review's and there is
/// one. The audit entry is about row `id` and names the revision (`revision`: its number).
pub fn apply<K: Kind>(
    conn: &mut Connection,
    id: i64,
    action: Action<K::Content>,
    actor: Option<&User>,
    ctx: &K::Context,
) -> Result<K::Record, ReviewError> {
    let tx = conn.transaction()?;
    let current = K::Rows::get(&tx, id)?.ok_or_else(|| not_found::<K>(id))?;
    let standing = K::standing(&current);
    let step = action.step();
    let next = rules(&standing, step, actor)?;
    let version = acted_on(&standing, step).clone();
    let by = actor.map(|u| u.id);
    let mut detail = Map::new();
    let mut revision = version.revision;
    let changed = match &action {
        Action::Edit(content) => {
            K::check_edit(&tx, &current, ctx)?;
            let content = K::validate(&tx, content, ctx)?;
            if let Value::Object(fields) = K::edited(&content) {
                detail = fields;
            }
            let (changed, number) = edit::<K>(&tx, &current, &standing, &content, by)?;
            revision = number;
            changed
        }
        Action::Approve => match &standing.pending {
            Some(p) => {
                let rev = pending_record::<K>(&tx, id)?;
                K::check_approval(&tx, &rev, ctx)?;
                merge::<K>(&tx, id, p, &rev, ReviewState::Approved, by)?
            }
            None => {
                K::check_approval(&tx, &current, ctx)?;
                move_to::<K>(&tx, &version, next, by, None)?
            }
        },
        Action::Reject(reason) => {
            let reason = reject_reason(reason)?;
            detail.insert("reason".into(), json!(reason));
            move_to::<K>(&tx, &version, next, by, Some(&reason))?
        }
        Action::TakeOff => match &standing.pending {
            // The edits in progress are kept: they become the draft of what was on air.
            Some(p) => {
                let rev = pending_record::<K>(&tx, id)?;
                revision = p.revision;
                merge::<K>(&tx, id, p, &rev, ReviewState::Draft, None)?
            }
            None => move_to::<K>(&tx, &version, next, None, None)?,
        },
        Action::Expire => {
            if let Some(p) = &standing.pending {
                review::drop_revision(&tx, K::Rows::TABLE, p.id)?;
            }
            move_to::<K>(&tx, &version, next, None, None)?
        }
        Action::Submit | Action::Withdraw => {
            move_to::<K>(&tx, &version, next, None, version.reject_reason.as_deref())?
        }
    };
    if changed != 1 {
        return Err(ReviewError::Conflict);
    }
    detail.insert("from".into(), json!(version.state));
    detail.insert("to".into(), json!(next));
    detail.insert("revision".into(), json!(revision));
    audit::record(
        &tx,
        actor.map_or("system", |u| u.name.as_str()),
        &format!("{}.{}", K::NOUN, step.verb()),
        &format!("{}:{id}", K::NOUN),
        &Value::Object(detail),
    )?;
    let record = K::Rows::get(&tx, id)?.ok_or_else(|| not_found::<K>(id))?;
    tx.commit()?;
    Ok(record)
}

/// Move `version` (the row itself or its pending revision) to `to`, if it is still where it
/// was read; the rows changed.
fn move_to<K: Kind>(
    tx: &Transaction<'_>,
    version: &Standing,
    to: ReviewState,
    decided_by: Option<i64>,
    reason: Option<&str>,
) -> Result<usize, ReviewError> {
    Ok(review::set_state(
        tx,
        K::Rows::TABLE,
        version.id,
        version.state,
        to,
        decided_by,
        reason,
    )?)
}

/// The pending revision of row `id` in full (gone meanwhile: someone else decided it).
fn pending_record<K: Kind>(tx: &Transaction<'_>, id: i64) -> Result<K::Record, ReviewError> {
    K::Rows::pending(tx, id)?.ok_or(ReviewError::Conflict)
}

/// Copy revision `p` (its record `rev`) over row `id`, which goes to `state`.
fn merge<K: Kind>(
    tx: &Transaction<'_>,
    id: i64,
    p: &Standing,
    rev: &K::Record,
    state: ReviewState,
    decided_by: Option<i64>,
) -> Result<usize, ReviewError> {
    if p.state != ReviewState::Submitted && state == ReviewState::Approved {
        return Err(ReviewError::Conflict);
    }
    let revision = crate::model::Revision {
        id: p.id,
        revision: p.revision,
        state: p.state,
        editors: p.editors.clone(),
        reject_reason: None,
        updated_at: String::new(),
    };
    Ok(K::Rows::merge(
        tx,
        id,
        &revision,
        &K::content_of(rev),
        state,
        decided_by,
    )?)
}

/// Write `content` as an edit by `by`: in place for content not approved, as its draft
/// revision for approved content (a new one, or the one waiting). Refused when it changes
/// nothing. The rows changed and the number of the version written.
fn edit<K: Kind>(
    tx: &Transaction<'_>,
    current: &K::Record,
    standing: &Standing,
    content: &K::Content,
    by: Option<i64>,
) -> Result<(usize, i64), ReviewError> {
    let table = K::Rows::TABLE;
    let (row, written) = match (&standing.pending, standing.state) {
        (Some(p), _) => {
            let rev = pending_record::<K>(tx, standing.id)?;
            if K::unchanged(&K::content_of(&rev), content) {
                return Err(ReviewError::Unchanged);
            }
            let n = K::Rows::replace(tx, p.id, content, p.state, ReviewState::Draft, by)?;
            ((p.id, p.revision), n)
        }
        (None, ReviewState::Approved) => {
            if K::unchanged(&K::content_of(current), content) {
                return Err(ReviewError::Unchanged);
            }
            let maker = by.ok_or(ReviewError::Forbidden)?;
            let number = standing.revision + 1;
            K::Rows::insert_revision(tx, standing.id, number, content, maker, by)?;
            return Ok((1, number));
        }
        (None, state) => {
            if K::unchanged(&K::content_of(current), content) {
                return Err(ReviewError::Unchanged);
            }
            let n = K::Rows::replace(tx, standing.id, content, state, ReviewState::Draft, by)?;
            ((standing.id, standing.revision), n)
        }
    };
    if written == 1
        && let Some(user) = by
    {
        review::add_editor(tx, table, row.0, user)?;
    }
    Ok((written, row.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Item, NewItem, Placement, Role};
    use crate::review::{Allowed, Items, Kind};
    use crate::store::Store;
    use crate::store::items::{ItemRows, approved_between};

    struct Station {
        store: Store,
        editor: User,
        leader: User,
        other_leader: User,
    }

    fn user(c: &Connection, name: &str, role: Role) -> User {
        let id = c
            .query_row(
                "INSERT INTO users (name, display_name, role, password_hash) VALUES (?1, ?1, ?2, 'x')
                 RETURNING id",
                rusqlite::params![name, role.as_str()],
                |r| r.get(0),
            )
            .unwrap();
        User {
            id,
            name: name.into(),
            display_name: name.into(),
            role,
            active: true,
            created_at: String::new(),
        }
    }

    fn recording(c: &Connection, name: &str) -> i64 {
        c.query_row(
            "INSERT INTO media (sha256, file, original_name, title, category, container, codec,
                sample_rate, channels, duration_ms, integrated_lufs, loudness_range_lu,
                true_peak_dbtp, gain_db, warnings, bytes, created_by)
             VALUES (?1, ?2, ?2, ?2, 'bulletin', 'wav', 'pcm', 48000, 1, 1000, -16, 1, -1, 0,
                '[]', 100, 'x') RETURNING id",
            rusqlite::params![format!("{name:0>64}"), format!("media/{name}.wav")],
            |r| r.get(0),
        )
        .unwrap()
    }

    fn station() -> Station {
        let store = Store::open_in_memory().unwrap();
        let (editor, leader, other_leader) = store
            .with(|c| {
                Ok((
                    user(c, "bien-tap", Role::Editor),
                    user(c, "lanh-dao", Role::Approver),
                    user(c, "lanh-dao-2", Role::Approver),
                ))
            })
            .unwrap();
        Station {
            store,
            editor,
            leader,
            other_leader,
        }
    }

    fn item(media_id: i64, title: &str) -> NewItem {
        NewItem {
            media_id,
            title: title.into(),
            category: Category::Bulletin,
            placement: Placement::default(),
        }
    }

    fn act(s: &Station, id: i64, action: Action<NewItem>, who: &User) -> Result<Item, ReviewError> {
        s.store
            .with(|c| Ok(apply::<Items>(c, id, action, Some(who), &())))
            .unwrap()
    }

    /// An approved item written by the editor, approved by the first leader: (its id, the
    /// first recording, a second one).
    fn approved(s: &Station) -> (i64, i64, i64) {
        let (first, second) = s
            .store
            .with(|c| Ok((recording(c, "a"), recording(c, "b"))))
            .unwrap();
        let made = s
            .store
            .with(|c| {
                Ok(create::<Items>(
                    c,
                    &item(first, "Tiêm chủng"),
                    &s.editor,
                    &(),
                ))
            })
            .unwrap()
            .unwrap();
        act(s, made.id, Action::Submit, &s.editor).unwrap();
        act(s, made.id, Action::Approve, &s.leader).unwrap();
        (made.id, first, second)
    }

    fn on_air(s: &Station) -> Vec<(i64, i64, String)> {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        s.store
            .with(|c| Ok(approved_between(c, day, day)?))
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.media_id, i.title))
            .collect()
    }

    #[test]
    fn an_edit_of_approved_content_is_a_revision_and_the_approved_one_keeps_airing() {
        let s = station();
        let (id, first, second) = approved(&s);
        let edited = act(
            &s,
            id,
            Action::Edit(item(second, "Tiêm chủng đợt 2")),
            &s.leader,
        );
        let edited = edited.unwrap();
        assert_eq!(edited.state, ReviewState::Approved, "still approved");
        let pending = edited.pending_revision.clone().expect("a revision waits");
        assert_eq!((pending.revision, pending.state), (2, ReviewState::Draft));
        assert_eq!(pending.editors, vec![s.leader.id]);
        assert_eq!(on_air(&s), vec![(id, first, "Tiêm chủng".into())]);
        let listed = s.store.with(|c| Ok(ItemRows::list(c, None)?)).unwrap();
        assert_eq!(listed.len(), 1, "the revision is not listed on its own");

        // The leader who edited it cannot decide it, even once submitted; another can.
        act(&s, id, Action::Submit, &s.editor).unwrap();
        let refused = act(&s, id, Action::Approve, &s.leader).unwrap_err();
        assert!(matches!(refused, ReviewError::EditedIt), "{refused}");
        let standing = Items::standing(
            &s.store
                .with(|c| Ok(ItemRows::get(c, id)?))
                .unwrap()
                .unwrap(),
        );
        assert!(!Allowed::of(&standing, &s.leader).decide);
        assert!(Allowed::of(&standing, &s.other_leader).decide);
        assert_eq!(on_air(&s), vec![(id, first, "Tiêm chủng".into())]);
        let now = act(&s, id, Action::Approve, &s.other_leader).unwrap();
        assert_eq!((now.revision, now.state), (2, ReviewState::Approved));
        assert!(now.pending_revision.is_none());
        assert_eq!(on_air(&s), vec![(id, second, "Tiêm chủng đợt 2".into())]);
        let left: i64 = s
            .store
            .with(|c| Ok(c.query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(left, 1, "the revision's row is merged away");

        let log = s
            .store
            .with(|c| Ok(audit::for_subject(c, &format!("item:{id}"))?))
            .unwrap();
        let approval = log.last().unwrap();
        assert_eq!(approval.action, "item.approve");
        assert_eq!(approval.detail["revision"], 2);
        let edit = log.iter().find(|e| e.action == "item.edit").unwrap();
        assert_eq!(edit.detail["revision"], 2);
    }

    #[test]
    fn an_edit_that_changes_nothing_makes_no_revision() {
        let s = station();
        let (id, first, _) = approved(&s);
        let same = act(&s, id, Action::Edit(item(first, "Tiêm chủng")), &s.editor);
        assert!(matches!(same, Err(ReviewError::Unchanged)), "{same:?}");
        let now = s
            .store
            .with(|c| Ok(ItemRows::get(c, id)?))
            .unwrap()
            .unwrap();
        assert!(now.pending_revision.is_none());
        assert_eq!(now.state, ReviewState::Approved);
    }

    #[test]
    fn a_rejected_revision_leaves_the_approved_version_on_air() {
        let s = station();
        let (id, first, second) = approved(&s);
        act(&s, id, Action::Edit(item(second, "Sai")), &s.editor).unwrap();
        act(&s, id, Action::Submit, &s.editor).unwrap();
        let now = act(&s, id, Action::Reject("Sai tên".into()), &s.leader).unwrap();
        assert_eq!(now.state, ReviewState::Approved);
        let pending = now.pending_revision.unwrap();
        assert_eq!(pending.state, ReviewState::Rejected);
        assert_eq!(pending.reject_reason.as_deref(), Some("Sai tên"));
        assert_eq!(on_air(&s), vec![(id, first, "Tiêm chủng".into())]);
        // Edited again, the same revision goes back to draft with both editors noted.
        let again = act(&s, id, Action::Edit(item(second, "Đúng")), &s.leader).unwrap();
        let pending = again.pending_revision.unwrap();
        assert_eq!((pending.state, pending.revision), (ReviewState::Draft, 2));
        assert_eq!(pending.editors, vec![s.editor.id, s.leader.id]);
    }

    #[test]
    fn taking_content_off_air_keeps_the_edits_in_progress_as_its_draft() {
        let s = station();
        let (id, _, second) = approved(&s);
        let refused = act(&s, id, Action::TakeOff, &s.editor).unwrap_err();
        assert!(
            matches!(refused, ReviewError::Forbidden),
            "leaders decide what airs"
        );
        act(&s, id, Action::Edit(item(second, "Đang sửa")), &s.editor).unwrap();
        let off = act(&s, id, Action::TakeOff, &s.leader).unwrap();
        assert_eq!(off.state, ReviewState::Draft);
        assert_eq!(off.title, "Đang sửa");
        assert!(off.pending_revision.is_none());
        assert!(on_air(&s).is_empty(), "off air");
        let again = act(&s, id, Action::TakeOff, &s.leader).unwrap_err();
        assert!(matches!(again, ReviewError::WrongState { .. }), "{again}");
        // The editor's change is in this version: the editor is among its makers.
        assert!(off.editors.contains(&s.editor.id));
    }
}
