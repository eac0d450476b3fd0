//! The audit log's lines: who changed what, and when. Plain data: it knows nothing of SQL or who
//! writes them.

use serde::Serialize;

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Row id.
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who: a user name, `cli`, `scheduler`, `gpio`...
    pub actor: String,
    /// What, as `noun.verb` (`item.approve`).
    pub action: String,
    /// What it was done to (`item:12`).
    pub subject: String,
    /// Details as JSON.
    pub detail: serde_json::Value,
}
