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

impl Category {
    /// Every category, in the order menus show them.
    pub const ALL: [Category; 6] = [
        Category::Bulletin,
        Category::Greeting,
        Category::Notice,
        Category::Music,
        Category::Emergency,
        Category::Jingle,
    ];

    /// The name used in the database, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Bulletin => "bulletin",
            Category::Greeting => "greeting",
            Category::Notice => "notice",
            Category::Music => "music",
            Category::Emergency => "emergency",
            Category::Jingle => "jingle",
        }
    }

    /// The Vietnamese name staff see.
    pub fn label_vi(self) -> &'static str {
        match self {
            Category::Bulletin => "Bản tin",
            Category::Greeting => "Lời chúc",
            Category::Notice => "Thông báo",
            Category::Music => "Nhạc",
            Category::Emergency => "Khẩn cấp",
            Category::Jingle => "Nhạc hiệu",
        }
    }
}

impl std::str::FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "không có thể loại \"{s}\"; chọn một trong / no category \"{s}\"; pick one of: {}",
                    Category::ALL.map(Category::as_str).join(", ")
                )
            })
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
