//! People: who can sign in, their role, and what each role may do.
//!
//! Who may do what is decided here, in one pure function, [`Role::can`]; the web layer asks it
//! on every route, the review rules ask it for every step, and a test walks every route with
//! every role against it. Plain data: it knows nothing of SQL, HTTP or sessions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A person's job in the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The commune's IT person: users, devices, settings.
    Admin,
    /// Chairman or vice-chairman: approves or rejects broadcasts.
    Approver,
    /// Public Service Center staff: uploads and submits broadcasts.
    Editor,
    /// Operator on duty: emergency announcements.
    Operator,
}

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See the dashboard, library, programme, as-run log.
    View,
    /// Upload recordings, create, edit and submit items.
    Edit,
    /// Approve or reject submitted items.
    Approve,
    /// Start and stop emergency announcements.
    Emergency,
    /// Read the audit log.
    Audit,
    /// Read and export the monthly reports for the province.
    Report,
    /// Manage users, tokens and settings.
    Administer,
}

impl Role {
    /// Whether this role may do `c`. Admins do not approve: broadcasts are approved by the
    /// commune's leaders, not by its IT person.
    pub fn can(self, c: Capability) -> bool {
        use Capability::*;
        match self {
            Role::Admin => matches!(c, View | Edit | Emergency | Audit | Report | Administer),
            Role::Approver => matches!(c, View | Edit | Approve | Audit | Report),
            Role::Editor => matches!(c, View | Edit),
            Role::Operator => matches!(c, View | Emergency),
        }
    }
}

names!(Role {
    Admin => "admin", "Quản trị",
    Approver => "approver", "Lãnh đạo duyệt",
    Editor => "editor", "Cán bộ biên tập",
    Operator => "operator", "Trực ban",
}, |s| crate::model::said!("không có vai trò \"{s}\": admin, approver, editor, operator", "no role \"{s}\": admin, approver, editor, operator"));

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may do, within its user's role: a CAP relay's token needs to post alerts
/// and nothing else, a dashboard's to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Whatever the user's role allows (tokens made before scopes existed).
    Role,
    /// Only `POST /api/v1/cap`: CAP alerts from a relay or a province feed.
    Cap,
    /// Only reading (GET and HEAD).
    Read,
}

names!(TokenScope {
    Role => "role", "theo vai trò",
    Cap => "cap", "chỉ gửi cảnh báo CAP",
    Read => "read", "chỉ đọc",
}, |s| crate::model::said!("không có phạm vi \"{s}\": role, cap, read", "no scope \"{s}\": role, cap, read"));

impl std::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API token as the admin sees it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Row id, what `loaxa token revoke` takes.
    pub id: i64,
    /// The user it acts as.
    pub user_id: i64,
    /// Their login name.
    pub user_name: String,
    /// What it is for.
    pub label: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was last used, if ever.
    pub last_used_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Name shown on pages ("Ông Nguyễn Văn A — Chủ tịch").
    pub display_name: String,
    /// What they may do.
    pub role: Role,
    /// Disabled users cannot sign in.
    pub active: bool,
    /// When the account was made.
    pub created_at: String,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The CSRF token forms must send back.
    pub csrf: String,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// When it was last used (it ends after a while without use).
    pub last_seen_at: DateTime<Utc>,
}

/// How long a session may go unused before it ends, by role: operators and admins can take
/// over the loudspeakers or change who may, so an unattended phone of theirs ends sooner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLimits {
    /// Editors and approvers.
    pub staff: chrono::Duration,
    /// Operators and admins.
    pub privileged: chrono::Duration,
}

impl IdleLimits {
    /// The limit for `role`.
    pub fn of(&self, role: Role) -> chrono::Duration {
        match role {
            Role::Operator | Role::Admin => self.privileged,
            Role::Editor | Role::Approver => self.staff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_leaders_approve_and_only_operators_and_admins_take_over_the_speakers() {
        for role in Role::ALL {
            assert!(role.can(Capability::View));
            assert_eq!(role.can(Capability::Approve), role == Role::Approver);
            assert_eq!(
                role.can(Capability::Emergency),
                matches!(role, Role::Operator | Role::Admin)
            );
            assert_eq!(role.can(Capability::Administer), role == Role::Admin);
            assert_eq!(
                role.can(Capability::Report),
                matches!(role, Role::Approver | Role::Admin),
                "the province's reports are the leaders' and the IT person's"
            );
        }
    }
}
