//! The demo's typed bulletins: three notices of the kind a commune reads every week (a
//! vaccination day, a village meeting, a storm warning), read aloud and approved, so the
//! programme, the approvals and the as-run log have something real in them from the first run.
//!
//! They go through the review lifecycle exactly as staff's do (`review::create`, then
//! `review::apply` to submit and to approve, each with its audit entry): written and submitted
//! by a demo editor, approved by a demo leader. Those two accounts are locked (no password
//! matches them and they are inactive), so they sign nobody in, and the first-run link still
//! appears. Must not touch the web or the player.

use std::sync::Arc;

use rusqlite::Connection;

use super::error::DemoError;
use crate::model::{Category, NewBulletin, Placement, Role, Tier, User};
use crate::review::bulletins::Narrator;
use crate::review::{self, Action, Bulletins, Kind, ReviewError};
use crate::schedule::airing;
use crate::schedule::files::Programme;
use crate::store::bulletins::BulletinRows;
use crate::store::review::ReviewedRows;
use crate::store::{Store, audit, users};

/// One of the demo's locked accounts: login name, name shown, role.
struct DemoAccount(&'static str, &'static str, Role);

/// Writes and submits the demo bulletins.
const EDITOR: DemoAccount = DemoAccount(
    "demo-bientap",
    "Cán bộ biên tập (nội dung mẫu)",
    Role::Editor,
);
/// Approves them: a leader other than their author, as the rules want.
const LEADER: DemoAccount = DemoAccount(
    "demo-lanhdao",
    "Lãnh đạo duyệt (nội dung mẫu)",
    Role::Approver,
);

/// A typed bulletin of the demo content.
struct DemoBulletin {
    title: &'static str,
    text: &'static str,
    category: Category,
    tier: Tier,
    /// The shipped programme's slots it names (none: every slot whose playlist takes it,
    /// the demo's session too).
    slots: &'static [&'static str],
}

/// What the demo reads aloud. The first names no slot, so the demo's own session airs it.
const BULLETINS: &[DemoBulletin] = &[
    DemoBulletin {
        title: "Ngày tiêm chủng mở rộng tại Trạm Y tế xã",
        text: "Trạm Y tế xã thông báo: ngày tiêm chủng mở rộng tháng này được tổ chức vào sáng thứ Năm, từ 7h30 đến 11h00, tại Trạm Y tế xã.\n\
               Đề nghị các gia đình có trẻ dưới 5 tuổi mang theo sổ tiêm chủng và đưa trẻ đi tiêm đúng lịch. Trẻ đang sốt hoặc mệt, xin báo cho cán bộ y tế trước khi tiêm.",
        category: Category::Notice,
        tier: Tier::Normal,
        slots: &[],
    },
    DemoBulletin {
        title: "Mời họp dân bàn quy ước nếp sống văn minh",
        text: "Ủy ban nhân dân xã kính mời đại diện các hộ gia đình dự họp bàn quy ước nếp sống văn minh trong việc cưới, việc tang và lễ hội.\n\
               Thời gian: 19h30 tối thứ Bảy tuần này. Địa điểm: nhà văn hóa các thôn. Đề nghị bà con đến đúng giờ và đóng góp ý kiến.",
        category: Category::Bulletin,
        tier: Tier::Normal,
        slots: &["chieu"],
    },
    DemoBulletin {
        title: "Cảnh báo mưa bão, chủ động phòng tránh",
        text: "Ban Chỉ huy phòng thủ dân sự xã thông báo: theo bản tin dự báo, trong hai ngày tới khu vực ta có mưa to đến rất to, gió giật mạnh.\n\
               Đề nghị bà con chằng chống nhà cửa, cắt tỉa cành cây gần nhà, không đi qua ngầm tràn và khu vực nước chảy xiết, theo dõi thông báo trên loa truyền thanh của xã.",
        category: Category::Bulletin,
        tier: Tier::Priority,
        slots: &["sang", "chieu"],
    },
];

impl DemoBulletin {
    /// What staff would have typed in the bulletin form.
    fn content(&self) -> NewBulletin {
        NewBulletin {
            title: self.title.to_string(),
            text: self.text.to_string(),
            voice: "vi".into(),
            rate: 140,
            category: self.category,
            placement: Placement {
                tier: self.tier,
                slots: self.slots.iter().map(|s| s.to_string()).collect(),
                ..Placement::default()
            },
            media_id: None,
            reading: None,
        }
    }
}

/// Write, submit and approve each demo bulletin not there yet (by its title, from the demo
/// editor), read aloud by `narrator`. One naming a slot or zone `programme` does not have is
/// left out with a warning, as the forms refuse it. Returns how many were added.
pub fn seed_bulletins(
    store: &Store,
    narrator: &Arc<Narrator>,
    programme: &Programme,
) -> Result<usize, DemoError> {
    let editor = demo_account(store, &EDITOR)?;
    let leader = demo_account(store, &LEADER)?;
    let mut added = 0;
    for demo in BULLETINS {
        let content = demo.content();
        let unknown = airing::unknown_places(
            programme,
            &content.placement.slots,
            &content.placement.zones,
        );
        if !unknown.is_empty() {
            let why: Vec<String> = unknown.iter().map(ToString::to_string).collect();
            tracing::warn!("{}: {}", demo.title, why.join("; "));
            continue;
        }
        if store.with(|c| Ok(written_by(c, &editor, demo.title)?))? {
            continue;
        }
        let content = Bulletins::prepare(narrator, content, &editor)?;
        store.with(|c| Ok(publish(c, &content, &editor, &leader, narrator)))??;
        added += 1;
    }
    Ok(added)
}

/// Whether `editor` wrote a bulletin titled `title` already (in any state: one taken off
/// air by the commune stays off).
fn written_by(conn: &Connection, editor: &User, title: &str) -> rusqlite::Result<bool> {
    Ok(BulletinRows::list(conn, None)?
        .iter()
        .any(|b| b.item.created_by == editor.id && b.item.title == title))
}

/// The lifecycle of a bulletin read already: created and submitted by `editor`, approved by
/// `leader`, each step with its audit entry.
fn publish(
    conn: &mut Connection,
    content: &NewBulletin,
    editor: &User,
    leader: &User,
    narrator: &Arc<Narrator>,
) -> Result<(), ReviewError> {
    let created = review::create::<Bulletins>(conn, content, editor, narrator)?;
    let id = created.item.id;
    review::apply::<Bulletins>(conn, id, Action::Submit, Some(editor), narrator)?;
    review::apply::<Bulletins>(conn, id, Action::Approve, Some(leader), narrator)?;
    Ok(())
}

/// The demo account `account`, made locked (no password, inactive) if it is not there yet.
fn demo_account(store: &Store, account: &DemoAccount) -> Result<User, DemoError> {
    let DemoAccount(name, display, role) = *account;
    let user = store.with(|c| {
        if let Some((user, _)) = users::by_name_with_hash(c, name)? {
            return Ok(Some(user));
        }
        let tx = c.transaction()?;
        let id = users::insert(&tx, name, display, role, users::LOCKED)?;
        users::update(&tx, id, display, role, false)?;
        audit::record(
            &tx,
            "demo",
            "user.create",
            &format!("user:{id}"),
            &serde_json::json!({"name": name, "role": role, "locked": true}),
        )?;
        tx.commit()?;
        Ok(users::get(c, id)?)
    })?;
    user.ok_or_else(|| DemoError::Account(name.to_string()))
}
