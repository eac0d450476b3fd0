//! Loa Xã — the commune loudspeaker and LED panel controller.
//!
//! # Layout
//! - [`config`]: the one `Config`, from `loaxa.toml` and `LOAXA_*` variables, with checks
//!   that name the file, the line and the fix.
//! - [`store`]: SQLite (WAL, migrations); all SQL lives there.
//! - [`audio`]: the playback engine: decode, convert, gain, sinks, the player thread.
//! - [`media`]: the library: probe, loudness, content-addressed files.
//! - [`text`]: normalising text people type.
//! - [`clock`]: real and simulated time, injected wherever something waits.
//! - [`service`]: `loaxa serve`, wiring the parts together until shutdown.
//! - [`accounts`]: roles, capabilities, passwords and tokens.
//! - [`workflow`]: broadcast items from draft to approved, as one rulebook.
//! - [`web`]: the HTTP service: pages, JSON API, sessions.

/// For an enum stored and shown by name: `ALL`, `as_str` (the name in the database, the API
/// and the CLI), `label_vi` (the Vietnamese name people see) and `FromStr`, whose refusal is
/// `$refusal` (with `$s` the text refused) or a generic one listing the names.
macro_rules! names {
    ($ty:ident { $($v:ident => $s:literal, $vi:literal),* $(,)? }) => {
        names!($ty { $($v => $s, $vi),* }, |s| format!(
            "\"{s}\" không hợp lệ / is not valid: {}",
            [$($s),*].join(", ")
        ));
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
            type Err = String;
            fn from_str($refused: &str) -> Result<Self, String> {
                match $refused {
                    $($s => Ok($ty::$v),)*
                    _ => Err($refusal),
                }
            }
        }
    };
}

pub mod accounts;
pub mod audio;
pub mod clock;
pub mod config;
pub mod demo;
pub mod display;
pub mod emergency;
pub mod hw;
pub mod media;
pub mod ops;
pub mod schedule;
pub mod service;
pub mod store;
pub mod text;
pub mod web;
pub mod workflow;
