//! Recordings: what one is for, what it measured, and its row in the library. Plain data: it does
//! not open, measure or store files (`media` does).

use serde::{Deserialize, Serialize};

use super::Said;

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
}, |s| {
    let names = Category::ALL.map(Category::as_str).join(", ");
    crate::model::said!(
        "không có thể loại \"{s}\"; chọn một trong: {names}",
        "no category \"{s}\"; pick one of: {names}"
    )
});

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a recording is and how loud, as `loaxa media probe` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Analysis {
    /// Container: `mp3`, `mp4`, `ogg`, `flac`, `wav`, `mkv`...
    pub container: String,
    /// Codec: `mp3`, `aac`, `vorbis`, `opus`, `flac`, `pcm_s16le`...
    pub codec: String,
    /// Samples per second.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Length counted from the decoded samples, in milliseconds.
    pub duration_ms: u64,
    /// Integrated loudness in LUFS; `None` for a silent recording.
    pub integrated_lufs: Option<f64>,
    /// Loudness range in LU.
    pub loudness_range_lu: Option<f64>,
    /// Highest true (inter-sample) peak in dBTP; `None` for digital silence.
    pub true_peak_dbtp: Option<f64>,
    /// Problems that do not stop it playing (cut off, damaged packets, too quiet...), each in
    /// both languages; the API sends each as its one "vi / en" string, as it always has.
    #[schema(value_type = Vec<String>)]
    pub warnings: Vec<Said>,
}

impl Analysis {
    /// Duration in seconds.
    pub fn seconds(&self) -> f64 {
        self.duration_ms as f64 / 1000.0
    }
}

/// A recording in the library.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Media {
    /// Row id, what the CLI prints and the API uses.
    pub id: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Path of the file, relative to the data folder.
    pub file: String,
    /// Name the file had when it was brought in.
    pub original_name: String,
    /// Title staff gave it.
    pub title: String,
    /// What it is for.
    pub category: Category,
    /// The measurement taken at import.
    #[serde(flatten)]
    pub analysis: Analysis,
    /// Gain it plays at, from the loudness policy.
    pub gain_db: f64,
    /// File size.
    pub bytes: u64,
    /// When it was imported (UTC, RFC 3339).
    pub created_at: String,
    /// Who imported it.
    pub created_by: String,
}

/// A recording about to be added.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    /// SHA-256, hex.
    pub sha256: &'a str,
    /// Path relative to the data folder.
    pub file: &'a str,
    /// Original file name.
    pub original_name: &'a str,
    /// Title.
    pub title: &'a str,
    /// Category.
    pub category: Category,
    /// Measurement.
    pub analysis: &'a Analysis,
    /// Playback gain.
    pub gain_db: f64,
    /// Size in bytes.
    pub bytes: u64,
    /// Who.
    pub created_by: &'a str,
}
