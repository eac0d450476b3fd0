//! Where reviewed content is in its life. Broadcast items, panel slogans and typed bulletins
//! share these states; the rules that move between them are `review`'s. It does not move anything
//! between them.

use serde::{Deserialize, Serialize};

/// Where a reviewed thing (an item, a slogan) is in its life.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Being prepared.
    #[default]
    Draft,
    /// Waiting for a leader.
    Submitted,
    /// May air (or show) inside its window.
    Approved,
    /// Sent back with a reason.
    Rejected,
    /// Its window has passed.
    Expired,
}

names!(ReviewState {
    Draft => "draft", "Nháp",
    Submitted => "submitted", "Chờ duyệt",
    Approved => "approved", "Đã duyệt",
    Rejected => "rejected", "Bị từ chối",
    Expired => "expired", "Hết hạn",
});

/// A change to approved content waiting for its own approval, as the approved one carries it:
/// the approved version keeps airing (or showing) until this one is approved, then this one
/// replaces it. Its content is read in full by the store when a page shows what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Revision {
    /// Its own row id (the approved one's URLs act on it: `…/{id}/submit` of the approved id
    /// submits this revision).
    pub id: i64,
    /// Its number: the approved version's plus one.
    pub revision: i64,
    /// Where it is in its review.
    pub state: ReviewState,
    /// Who made it and everyone who changed it since (user ids): none of them may decide it.
    pub editors: Vec<i64>,
    /// Why it was last sent back.
    pub reject_reason: Option<String>,
    /// Last changed (UTC).
    pub updated_at: String,
}
