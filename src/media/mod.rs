//! The media library: taking in recordings, measuring them, keeping them safe.
//!
//! - [`analyze`] decodes a recording once and measures its true length and loudness;
//! - [`policy`] turns a measurement into the gain it plays at, with warnings;
//! - [`library`] writes recordings content-addressed and records them in the store.

pub mod analyze;
pub mod library;
pub mod policy;

pub use analyze::{Analysis, analyze};
pub use library::{Imported, MediaLibrary};
pub use policy::LoudnessPolicy;

use serde::{Deserialize, Serialize};

/// What a recording is for. It decides where the programme may place it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Bản tin: news and policy bulletins.
    Bulletin,
    /// Lời chúc: the chairman's holiday greetings.
    Greeting,
    /// Thông báo: notices.
    Notice,
    /// Nhạc: music between items.
    Music,
    /// Prepared emergency messages.
    Emergency,
    /// Station ID, chimes.
    Jingle,
}

names!(Category {
    Bulletin => "bulletin", "Bản tin",
    Greeting => "greeting", "Lời chúc",
    Notice => "notice", "Thông báo",
    Music => "music", "Nhạc",
    Emergency => "emergency", "Khẩn cấp",
    Jingle => "jingle", "Nhạc hiệu",
}, |s| format!(
    "không có thể loại \"{s}\"; chọn một trong / no category \"{s}\"; pick one of: {}",
    Category::ALL.map(Category::as_str).join(", ")
));

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
