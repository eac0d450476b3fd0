//! Where the audio goes: a sound card, a WAV capture, or nowhere, behind one small trait.
//!
//! Every output is named by one string, the same in the CLI and the config (an
//! [`OutputSpec`], the config's). The player thread is the only user of a sink; sinks block in `write` to
//! pace the player, and report when the samples they were given reach the output, which is
//! what the as-run log and the emergency latency figures are made of. No sink decides what airs or
//! keeps a log: the player does both. It does not decide what airs or keep a log.

mod device;
mod null;
mod pacer;
mod tee;
mod wav;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::audio::convert::AudioFormat;
use crate::clock::Clock;
use crate::config::OutputSpec;
use crate::model::Said;
use crate::model::said;

pub use device::{DeviceSink, OutputDevice, list_output_devices};
pub use null::NullSink;
pub use tee::{Tee, tee};
pub use wav::WavSink;

/// How much audio an output may hold ahead of the speaker. Small, so that a pre-empting
/// emergency is heard within one buffer; large enough to ride out a slow SD card read.
pub const DEFAULT_BUFFER: Duration = Duration::from_millis(100);

/// Why an output cannot be opened or written.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.said())]
pub enum SinkError {
    /// No such sound card, or none at all.
    DeviceMissing(String),
    /// The card exists but will not open (busy, wrong format, no permission).
    DeviceUnavailable { name: String, detail: String },
    /// The card went away while playing.
    DeviceLost { name: String, detail: String },
    /// The capture file cannot be written.
    File { path: PathBuf, detail: String },
}

impl SinkError {
    /// Why the output cannot be used, in each language.
    pub fn said(&self) -> Said {
        match self {
            SinkError::DeviceMissing(f0) => said!(
                "không tìm thấy card âm thanh \"{f0}\" — hãy cắm card hoặc chọn đầu ra khác (xem `loaxa devices`)",
                "sound card \"{f0}\" not found — plug it in or pick another output (see `loaxa devices`)"
            ),
            SinkError::DeviceUnavailable { name, detail } => said!(
                "không mở được card âm thanh \"{name}\": {detail} — có thể chương trình khác đang dùng card, hoặc tài khoản thiếu nhóm audio",
                "cannot open sound card \"{name}\": {detail} — another program may be using it, or the account lacks the audio group"
            ),
            SinkError::DeviceLost { name, detail } => said!(
                "mất card âm thanh \"{name}\": {detail} — đang thử mở lại",
                "lost sound card \"{name}\": {detail} — retrying"
            ),
            SinkError::File { path, detail } => {
                let path = path.display();
                said!(
                    "không ghi được tệp \"{path}\": {detail} — hãy kiểm tra thư mục và dung lượng đĩa",
                    "cannot write \"{path}\": {detail} — check the folder and free disk space"
                )
            }
        }
    }
}

/// What a pre-emption cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleared {
    /// When the output stopped playing the cut audio: the last sample that was heard.
    pub at: DateTime<Utc>,
    /// Frames that were queued but never heard, so a resumed item can replay them.
    pub discarded_frames: u64,
}

/// A place audio goes. Used only from the player thread.
pub trait Sink: Send {
    /// The rate and channels this output takes; the player converts to it.
    fn format(&self) -> AudioFormat;

    /// Queue interleaved samples, blocking while the output's buffer is full. Returns the
    /// wall-clock time at which the first of these samples reaches the output.
    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError>;

    /// Drop audio queued but not yet played (pre-emption).
    fn clear(&mut self) -> Cleared;

    /// Let everything queued play out, then go idle. Returns when the last sample reached the
    /// output. Idle time is not an underrun.
    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError>;

    /// How many times the output ran dry while it was expecting audio.
    fn underruns(&self) -> u64;

    /// How long a sample written now takes to be heard (what is queued plus the card's own
    /// delay), so a timed cue can be written early by that much. Paced outputs hear it now.
    fn latency(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

/// How the player opens its output, at start and again each time it retries after losing it.
///
/// The service always uses [`open`]; this is a seam at the edge, like the other devices, so
/// that tests (and future outputs) can supply their own: a sound card that can be unplugged on
/// demand proves the player keeps running and recovers by itself without a real USB card.
pub type Opener = Arc<
    dyn Fn(&OutputSpec, AudioFormat, Arc<dyn Clock>) -> Result<Box<dyn Sink>, SinkError>
        + Send
        + Sync,
>;

/// Open the output named by `spec`, producing `preferred` where the output lets us choose.
pub fn open(
    spec: &OutputSpec,
    preferred: AudioFormat,
    clock: Arc<dyn Clock>,
) -> Result<Box<dyn Sink>, SinkError> {
    Ok(match spec {
        OutputSpec::Device(name) => Box::new(DeviceSink::open(name.as_deref(), preferred)?),
        OutputSpec::Wav(path) => Box::new(WavSink::create(path, preferred, clock)?),
        OutputSpec::Null => Box::new(NullSink::new(preferred, clock)),
    })
}
