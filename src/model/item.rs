//! Broadcast items: a recording with the days and slots it may air in, and how urgent it is. Plain
//! data: it knows nothing of SQL, HTTP or the player.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::media::Category;
use super::review::ReviewState;

/// How urgent an item is (Thông tư 39/2020/TT-BTTTT).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Thường: what an item is unless it says otherwise.
    #[default]
    Normal,
    /// Ưu tiên: airs before normal items in a slot.
    Priority,
    /// Khẩn cấp.
    Emergency,
}

names!(Tier { Normal => "normal", "Thường", Priority => "priority", "Ưu tiên", Emergency => "emergency", "Khẩn cấp" });

/// A broadcast item with the names people need to see.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Item {
    /// Row id.
    pub id: i64,
    /// The recording.
    pub media_id: i64,
    /// Title.
    pub title: String,
    /// What it is.
    pub category: Category,
    /// How urgent.
    pub tier: Tier,
    /// Where in its life.
    pub state: ReviewState,
    /// First day it may air (local date), if limited.
    pub air_from: Option<NaiveDate>,
    /// Last day it may air, if limited.
    pub air_until: Option<NaiveDate>,
    /// Slots or playlists it belongs in; empty: wherever its category fits.
    pub slots: Vec<String>,
    /// Zones (thôn) it airs in; empty: all.
    pub zones: Vec<String>,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
    /// Who made it.
    pub created_by: i64,
    /// Their name.
    pub created_by_name: String,
    /// Who last changed what it says, if anyone did: with its creator, the maker of the
    /// version under review (neither may decide it).
    pub edited_by: Option<i64>,
    /// Who approved or rejected it.
    pub decided_by: Option<i64>,
    /// Their name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
    /// Length of the recording.
    pub duration_ms: u64,
    /// The recording's file, relative to the data folder.
    #[serde(skip)]
    pub file: String,
    /// The recording's playback gain.
    pub gain_db: f64,
    /// Which version this is: 1 when written, one more each time a revision is approved.
    pub revision: i64,
    /// Everyone who changed this version since it was written or last approved (user ids).
    pub editors: Vec<i64>,
    /// A change waiting for approval while this version airs, if there is one.
    pub pending_revision: Option<super::Revision>,
}

impl Item {
    /// What it says, as an edit writes it: its form shows it again, and an edit saying the
    /// same makes no revision.
    pub fn content(&self) -> NewItem {
        NewItem {
            media_id: self.media_id,
            title: self.title.clone(),
            category: self.category,
            placement: Placement {
                tier: self.tier,
                air_from: self.air_from,
                air_until: self.air_until,
                slots: self.slots.clone(),
                zones: self.zones.clone(),
            },
        }
    }
}

/// Where and when a broadcast airs and how urgent it is: what items and typed bulletins are
/// scheduled by (their category, which says what they are, stays beside it). Flattened into
/// both, so their JSON has these fields at the top.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, utoipa::ToSchema)]
pub struct Placement {
    /// Tier.
    #[serde(default)]
    pub tier: Tier,
    /// First day (YYYY-MM-DD).
    #[serde(default)]
    pub air_from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD).
    #[serde(default)]
    pub air_until: Option<NaiveDate>,
    /// Slots or playlists.
    #[serde(default)]
    pub slots: Vec<String>,
    /// Zones.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// What an item says, as staff enter it.
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct NewItem {
    /// The recording.
    pub media_id: i64,
    /// Title.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Category.
    pub category: Category,
    /// Where and when it airs.
    #[serde(flatten)]
    pub placement: Placement,
}
