//! What the store keeps about a commune's village nodes: the as-run rows a node sent, the
//! recordings in a node's cache, each node's comings and goings and its condition over time.
//! Plain data; the messages that carry them are `cluster::protocol`'s. It knows nothing of SQL or
//! MQTT.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::asrun::Outcome;

/// An as-run row a node aired, as the head-end stores it: unique on (`node`, `row`).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    /// The node's id.
    pub node: String,
    /// The row's id on that node.
    pub row: String,
    /// Grows with every change of the row on the node; an older revision never replaces a
    /// newer one.
    pub revision: u32,
    /// The plan cue, for scheduled plays.
    pub cue_key: Option<String>,
    /// The head-end's item it played, if any.
    pub item_id: Option<i64>,
    /// What it was.
    pub label: String,
    /// `schedule` or `emergency`.
    pub source: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why.
    pub reason: Option<String>,
    /// When it was meant to start.
    pub planned_at: Option<DateTime<Utc>>,
    /// When its first sample reached the node's output.
    pub first_sample_at: Option<DateTime<Utc>>,
    /// When its last sample did.
    pub last_sample_at: Option<DateTime<Utc>>,
}

/// A recording held in a node's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedMedia {
    /// SHA-256, lowercase hex: its name and its check.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// The file's size when its hash was last checked.
    pub verified_size: u64,
    /// The file's modification time (ns since 1970) when its hash was last checked.
    pub verified_mtime: i64,
    /// When a plan last needed it.
    pub last_needed: DateTime<Utc>,
}

/// A node going online or offline, as the head-end saw it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NodeEvent {
    /// The node's id.
    pub node: String,
    /// When (the head-end's clock).
    pub at: DateTime<Utc>,
    /// Online (`true`) or offline.
    pub online: bool,
    /// Why, when known (a last will, a silence, a goodbye).
    pub reason: Option<String>,
}

/// A sample of a node's condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionSample {
    /// The node's id.
    pub node: String,
    /// When (the head-end's clock).
    pub at: DateTime<Utc>,
    /// When the node's service started.
    pub started_at: DateTime<Utc>,
    /// Service starts the node counted.
    pub restarts: u64,
    /// Errors logged since it started.
    pub errors: u64,
    /// SoC temperature.
    pub temperature_c: Option<f32>,
    /// Under-voltage seen since boot.
    pub under_voltage: Option<bool>,
}
