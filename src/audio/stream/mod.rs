//! Relaying a live stream (tiếp sóng): Icecast/Shoutcast MP3 and AAC, Ogg Vorbis and Opus, and
//! HLS (MPEG-TS, packed AAC/MP3 or fMP4 segments), decoded to the player's format as it
//! arrives, with a fallback clip whenever the stream is out.
//!
//! A relay is two halves:
//! - the network side (`link`), one thread per relay: reach the stream (`http`: redirects,
//!   listings, what the server really sends), take the audio out of its packaging (`icy`,
//!   `hls`, `ts`), decode it (symphonia, through [`crate::audio::decode`]), convert it to
//!   the output format, buffer it, and reconnect with capped exponential backoff after any
//!   failure, until the deadline;
//! - the player side ([`RelaySource`]), pulled by the player every 10 ms: it never waits on the
//!   network, and asks the pure `monitor` what goes on air (the stream, silence while it
//!   starts, or the fallback when it is gone, stalled or silent for too long) and reports
//!   every change as a [`RelayEvent`] with its times.
//!
//! Every network call is bounded by a timeout and by the relay's deadline, so a relay ends on
//! time even while a server hangs. On a simulated clock (tests, `--fast` runs of the
//! programme) no network is touched: the relay is out from its first chunk to its end, so its
//! fallback, its outage report and its timing can be tested without a server. This module knows nothing of the programme or the as-run
//! log: it reports, and its caller records.

mod error;
mod fallback;
mod hls;
mod http;
mod icy;
mod link;
mod monitor;
mod source;
mod ts;
mod url;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use error::StreamError;
pub use source::{RelayObserver, RelaySource};
pub use url::StreamUrl;

use crate::audio::clip::Clip;
pub use crate::audio::decode::StreamInfo;

/// Default time a stream may send only silence before the fallback takes over.
pub const DEFAULT_SILENCE: Duration = Duration::from_secs(15);
/// Default time without any data before a stream counts as gone.
pub const DEFAULT_STALL: Duration = Duration::from_secs(5);

/// What to relay, until when, and what to air instead while it is out.
#[derive(Debug, Clone)]
pub struct RelaySpec {
    /// The stream.
    pub url: StreamUrl,
    /// When the relay ends, whatever the stream does.
    pub until: DateTime<Utc>,
    /// Aired in turn while the stream is out (a jingle, or a category's recordings), each at
    /// its own level; none: silence.
    pub fallback: Vec<Clip>,
    /// Only silence for this long is an outage.
    pub silence: Duration,
    /// No data for this long is an outage (and a read gives up).
    pub stall: Duration,
    /// Waits between attempts to reconnect.
    pub retry: Backoff,
}

impl RelaySpec {
    /// Relay `url` until `until`, with the default limits and no fallback.
    pub fn new(url: StreamUrl, until: DateTime<Utc>) -> RelaySpec {
        RelaySpec {
            url,
            until,
            fallback: Vec::new(),
            silence: DEFAULT_SILENCE,
            stall: DEFAULT_STALL,
            retry: Backoff::default(),
        }
    }
}

/// Exponential backoff: `first`, then twice as long each time, never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(15),
        }
    }
}

/// Why the stream was off air.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutageCause {
    /// It could not be reached or read, or it ended.
    Failed(StreamError),
    /// No audio arrived for the stall time.
    Stalled,
    /// Only silence, for longer than the silence limit.
    Silent,
}

impl std::fmt::Display for OutageCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutageCause::Failed(e) => write!(f, "{e}"),
            OutageCause::Stalled => write!(
                f,
                "luồng ngừng gửi dữ liệu / the stream stopped sending data"
            ),
            OutageCause::Silent => write!(f, "luồng chỉ có im lặng / the stream is only silence"),
        }
    }
}

/// What a relay reports, with wall-clock times (when the audio concerned was handed to the
/// output, within one output buffer of being heard).
#[derive(Debug, Clone, PartialEq)]
pub enum RelayEvent {
    /// Connected, and the stream decodes: what it is.
    Connected {
        /// Where the stream is, after redirects and listings.
        url: StreamUrl,
        /// Its container, codec, rate and channels.
        info: StreamInfo,
        /// When.
        at: DateTime<Utc>,
    },
    /// The stream itself was heard for the first time.
    OnAir {
        /// When its first sample went to the output.
        at: DateTime<Utc>,
    },
    /// The stream announced a title (ICY metadata).
    Title {
        /// The title.
        title: String,
        /// When it arrived.
        at: DateTime<Utc>,
    },
    /// An attempt to reach or read the stream failed; the next is in `retry_in`.
    Retrying {
        /// What failed.
        error: StreamError,
        /// Wait before the next attempt.
        retry_in: Duration,
        /// When it failed.
        at: DateTime<Utc>,
    },
    /// The stream went off air.
    OutageStarted {
        /// Why.
        cause: OutageCause,
        /// When listeners stopped hearing it (the data stopped, or the silence began).
        since: DateTime<Utc>,
        /// When the fallback went on air (`since` plus the time it took to be sure).
        fallback_at: DateTime<Utc>,
    },
    /// An outage ended: the stream is back, or the relay's time is up.
    OutageEnded {
        /// Why it had been off air.
        cause: OutageCause,
        /// As in `OutageStarted`.
        since: DateTime<Utc>,
        /// When the stream was heard again, or the relay ended.
        until: DateTime<Utc>,
        /// Whether the stream came back (false: the relay ended during the outage).
        recovered: bool,
    },
}
