//! The plain types every layer shares: what the store keeps, the rules decide on, the pages
//! show and the API sends, in one place at the bottom of the crate.
//!
//! Owns the content kinds' records ([`item`], [`slogan`], [`bulletin`], [`media`]), their review state
//! ([`review`]), people ([`account`]), the logs' lines ([`asrun`], [`audit`]), the CAP alerts
//! acted on ([`alert`]), what the head-end and the nodes keep about each other ([`cluster`]),
//! the panel's colours ([`panel`]), places ([`geo`]), what live pages hear ([`event`]) and
//! what the station says to people in both its languages ([`said`]). Types
//! here hold data and the pure facts about it (a role's capabilities, a colour a panel can show); they know
//! nothing of SQL, HTTP, devices or time. This module must not import any other module of the
//! crate: everything else imports it.

/// For an enum stored and shown by name: `ALL`, `as_str` (the name in the database, the API
/// and the CLI), `label_vi` (the Vietnamese name people see) and `FromStr`, whose refusal is
/// `$refusal` (with `$s` the text refused) or a generic one listing the names.
macro_rules! names {
    ($ty:ident { $($v:ident => $s:literal, $vi:literal),* $(,)? }) => {
        names!($ty { $($v => $s, $vi),* }, |s| {
            let names = [$($s),*].join(", ");
            $crate::model::said!("\"{s}\" không hợp lệ: {names}", "\"{s}\" is not valid: {names}")
        });
    };
    ($ty:ident { $($v:ident => $s:literal, $vi:literal),* $(,)? }, |$refused:ident| $refusal:expr) => {
        impl $ty {
            /// Every value, in the order menus show them.
            pub const ALL: [$ty; [$($s),*].len()] = [$($ty::$v),*];
            /// The name in the database, the API and the CLI.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),* }
            }
            /// The Vietnamese name people see.
            pub fn label_vi(self) -> &'static str {
                match self { $($ty::$v => $vi),* }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::model::Said;
            fn from_str($refused: &str) -> Result<Self, $crate::model::Said> {
                match $refused {
                    $($s => Ok($ty::$v),)*
                    _ => Err($refusal),
                }
            }
        }
    };
}

pub mod account;
pub mod alert;
pub mod asrun;
pub mod audit;
pub mod bulletin;
pub mod cluster;
pub mod event;
pub mod geo;
pub mod item;
pub mod media;
pub mod panel;
pub mod review;
pub mod said;
pub mod slogan;

pub use account::{ApiToken, Capability, Role, TokenScope, User};
pub use alert::CapAction;
pub use bulletin::{Bulletin, NewBulletin};
pub use event::Event;
pub use geo::GeoPoint;
pub use item::{Item, NewItem, Placement, Tier};
pub use media::{Analysis, Category, Media, NewMedia};
pub use panel::{PanelColor, PanelKind};
pub use review::{ReviewState, Revision};
pub use said::Said;
pub(crate) use said::said;
pub use slogan::{Effect, NewSlogan, SloganRecord};
