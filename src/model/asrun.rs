//! The as-run log's lines: what really aired, and what did not and why. Plain data: it knows
//! nothing of SQL or the player that writes them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a play ended (or why it never started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// On air now.
    Started,
    /// Played to the end.
    Completed,
    /// Cut off by something more important.
    Interrupted,
    /// Stopped by a person.
    Stopped,
    /// Could not play.
    Failed,
    /// Its time passed without it airing (clock not set, service down).
    Missed,
    /// Left out on purpose (the slot was full, the item expired).
    Skipped,
    /// A relayed stream was off air (its fallback aired): a line of its own, with the times
    /// listeners stopped and started hearing the stream.
    Outage,
}

names!(Outcome {
    Started => "started", "Đang phát",
    Completed => "completed", "Đã phát",
    Interrupted => "interrupted", "Bị ngắt",
    Stopped => "stopped", "Đã dừng",
    Failed => "failed", "Lỗi",
    Missed => "missed", "Lỡ giờ",
    Skipped => "skipped", "Bỏ qua",
    Outage => "outage", "Mất sóng",
});

/// One line of the as-run log.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Row id.
    pub id: i64,
    /// The cue it played, for scheduled plays.
    pub cue_key: Option<String>,
    /// The item, if any.
    pub item_id: Option<i64>,
    /// The recording, if any.
    pub media_id: Option<i64>,
    /// What it was.
    pub label: String,
    /// `schedule`, `manual`, `emergency`, `live` or `cli`.
    pub source: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why (for failed, missed, skipped, interrupted).
    pub reason: Option<String>,
    /// When it was meant to start.
    pub planned_at: Option<DateTime<Utc>>,
    /// When its first sample reached the output.
    pub first_sample_at: Option<DateTime<Utc>>,
    /// When its last sample reached the output.
    pub last_sample_at: Option<DateTime<Utc>>,
    /// The village node that aired it; `None`: this machine's own speakers.
    pub node: Option<String>,
}

/// A new as-run line.
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    /// Cue key (scheduled plays).
    pub cue_key: Option<&'a str>,
    /// Item.
    pub item_id: Option<i64>,
    /// Recording.
    pub media_id: Option<i64>,
    /// Label.
    pub label: &'a str,
    /// Source.
    pub source: &'a str,
    /// Planned start.
    pub planned_at: Option<DateTime<Utc>>,
}
