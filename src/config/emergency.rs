//! `[emergency]`: how an emergency sounds, and which CAP alerts this commune answers. Only the keys
//! and their checks live here: `emergency` sounds the alarm and judges CAP alerts.

use serde::{Deserialize, Serialize};

use super::{Findings, bad};
use crate::model::said;
use crate::model::{GeoPoint, Said};

/// Polls of `cap_feeds` at most this often, in seconds (a feed is someone else's server).
const MIN_POLL_SECONDS: u64 = 10;
/// And at least this often (a warning an hour late is no warning).
const MAX_POLL_SECONDS: u64 = 3600;

/// `[emergency]`: how an emergency sounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmergencyConfig {
    /// The attention chime: the title of a jingle in the library, or a file path.
    /// Default `Chuông báo` (the demo chime).
    pub chime: String,
    /// A custom text-to-speech command for typed messages instead of `[speech] voice`: the
    /// text comes on its standard input, `{out}` is the WAV file to write (without `{out}`, the
    /// WAV is what it prints). `{text}` is refused. Default empty: `[speech]`.
    pub tts_command: Vec<String>,
    /// How many times the message repeats; 0 repeats until stopped. Default 3.
    pub repeat: u32,
    /// Gain of emergencies over the normal loudness, in dB. Default +3.
    pub gain_db: f32,
    /// The commune's centre, `"lat,lon"` in decimal degrees: a CAP alert whose polygon or
    /// circle contains it is for this commune. Default none.
    pub location: Option<GeoPoint>,
    /// CAP area names this commune answers (an area's name containing one, ignoring case and
    /// tone marks: "Hải Phòng" finds "Thành phố Hải Phòng") or geocode values (a commune or
    /// province code). Empty, with no `location`: accept none.
    pub cap_areas: Vec<String>,
    /// Whether CAP alerts with status `Test` or `Exercise` air, marked as drills. Default off:
    /// they are refused.
    pub cap_drills: bool,
    /// CAP or Atom-of-CAP feeds (`http(s)://` addresses) polled for alerts. Default none.
    pub cap_feeds: Vec<String>,
    /// How often the feeds are polled, in seconds (10–3600). Default 60.
    pub cap_poll_seconds: u64,
}

impl Default for EmergencyConfig {
    fn default() -> Self {
        EmergencyConfig {
            chime: "Chuông báo".into(),
            tts_command: Vec::new(),
            repeat: 3,
            gain_db: 3.0,
            location: None,
            cap_areas: Vec::new(),
            cap_drills: false,
            cap_feeds: Vec::new(),
            cap_poll_seconds: 60,
        }
    }
}

impl EmergencyConfig {
    /// What is wrong in `[emergency]` (its text-to-speech command is `[speech]`'s to check).
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let (gain, poll) = (self.gain_db, self.cap_poll_seconds);
        if !(-20.0..=12.0).contains(&gain) {
            bad(
                &mut out,
                "emergency.gain_db",
                said!(
                    "{gain} dB nằm ngoài −20…+12",
                    "{gain} dB is outside −20…+12"
                ),
                said!("thường là +3", "usually +3"),
            );
        }
        if !(MIN_POLL_SECONDS..=MAX_POLL_SECONDS).contains(&poll) {
            bad(
                &mut out,
                "emergency.cap_poll_seconds",
                said!(
                    "{poll} giây nằm ngoài {MIN_POLL_SECONDS}…{MAX_POLL_SECONDS}",
                    "{poll} s is outside {MIN_POLL_SECONDS}…{MAX_POLL_SECONDS}"
                ),
                said!("thường là 60", "usually 60"),
            );
        }
        for feed in &self.cap_feeds {
            if let Err(why) = feed_url(feed) {
                bad(
                    &mut out,
                    "emergency.cap_feeds",
                    why,
                    said!(
                        "dùng địa chỉ http:// hoặc https:// đầy đủ",
                        "use a full http:// or https:// address"
                    ),
                );
            }
        }
        out
    }
}

/// The address of a CAP feed, if it is an `http(s)://` one.
pub fn feed_url(text: &str) -> Result<url::Url, Said> {
    match url::Url::parse(text.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        Ok(_) => Err(said!(
            "\"{text}\" không phải địa chỉ http(s)",
            "\"{text}\" is not an http(s) address"
        )),
        Err(e) => Err(said!(
            "\"{text}\" không phải địa chỉ: {e}",
            "\"{text}\" is not an address: {e}"
        )),
    }
}
