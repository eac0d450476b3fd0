//! Where reviewed content is in its life. Broadcast items, panel slogans and typed bulletins
//! share these states; the rules that move between them are `review`'s. It does not move anything
//! between them.

use serde::{Deserialize, Serialize};

/// Where a reviewed thing (an item, a slogan) is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Being prepared.
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
