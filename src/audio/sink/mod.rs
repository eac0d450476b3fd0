//! Where the audio goes: a sound card, a WAV capture, or nowhere, behind one small trait.
//!
//! Every output is named by one string, the same in the CLI and the config (see
//! [`OutputSpec`]). The player thread is the only user of a sink; sinks block in `write` to
//! pace the player, and report when the samples they were given reach the output, which is
//! what the as-run log and the emergency latency figures are made of.

mod device;
mod null;
mod pacer;
mod wav;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::audio::convert::AudioFormat;
use crate::clock::Clock;

pub use device::{DeviceSink, OutputDevice, list_output_devices};
pub use null::NullSink;
pub use wav::WavSink;

/// How much audio an output may hold ahead of the speaker. Small, so that a pre-empting
/// emergency is heard within one buffer; large enough to ride out a slow SD card read.
pub const DEFAULT_BUFFER: Duration = Duration::from_millis(100);

/// An output, named as in `--output` and `audio.output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputSpec {
    /// The default sound card (`device`) or a named ALSA/cpal device (`device:NAME`).
    Device(Option<String>),
    /// Capture to a WAV file (`wav:PATH`).
    Wav(PathBuf),
    /// Discard, paced in real time (`null`).
    Null,
}

impl FromStr for OutputSpec {
    type Err = SinkError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.split_once(':') {
            None if s == "device" => Ok(OutputSpec::Device(None)),
            None if s == "null" => Ok(OutputSpec::Null),
            Some(("device", name)) if !name.is_empty() => {
                Ok(OutputSpec::Device(Some(name.to_string())))
            }
            Some(("wav", path)) if !path.is_empty() => Ok(OutputSpec::Wav(PathBuf::from(path))),
            _ => Err(SinkError::UnknownOutput(s.to_string())),
        }
    }
}

impl std::fmt::Display for OutputSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputSpec::Device(None) => write!(f, "device"),
            OutputSpec::Device(Some(name)) => write!(f, "device:{name}"),
            OutputSpec::Wav(p) => write!(f, "wav:{}", p.display()),
            OutputSpec::Null => write!(f, "null"),
        }
    }
}

/// Why an output cannot be opened or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SinkError {
    /// The name is none of `device`, `device:NAME`, `wav:PATH`, `null`.
    #[error(
        "không biết đầu ra \"{0}\" — hãy dùng device, device:TÊN, wav:ĐƯỜNG_DẪN hoặc null (xem `loaxa devices`) / unknown output \"{0}\" — use device, device:NAME, wav:PATH or null (see `loaxa devices`)"
    )]
    UnknownOutput(String),
    /// No such sound card, or none at all.
    #[error(
        "không tìm thấy card âm thanh \"{0}\" — hãy cắm card hoặc chọn đầu ra khác (xem `loaxa devices`) / sound card \"{0}\" not found — plug it in or pick another output (see `loaxa devices`)"
    )]
    DeviceMissing(String),
    /// The card exists but will not open (busy, wrong format, no permission).
    #[error(
        "không mở được card âm thanh \"{name}\": {detail} — có thể chương trình khác đang dùng card, hoặc tài khoản thiếu nhóm audio / cannot open sound card \"{name}\": {detail} — another program may be using it, or the account lacks the audio group"
    )]
    DeviceUnavailable { name: String, detail: String },
    /// The card went away while playing.
    #[error(
        "mất card âm thanh \"{name}\": {detail} — đang thử mở lại / lost sound card \"{name}\": {detail} — retrying"
    )]
    DeviceLost { name: String, detail: String },
    /// The capture file cannot be written.
    #[error(
        "không ghi được tệp \"{path}\": {detail} — hãy kiểm tra thư mục và dung lượng đĩa / cannot write \"{path}\": {detail} — check the folder and free disk space"
    )]
    File { path: PathBuf, detail: String },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_parse_and_print_back() {
        for name in [
            "device",
            "device:null",
            "device:hw:CARD=Headphones,DEV=0",
            "wav:/tmp/a.wav",
            "null",
        ] {
            let spec: OutputSpec = name.parse().unwrap();
            assert_eq!(spec.to_string(), name);
        }
    }

    #[test]
    fn unknown_output_names_the_choices() {
        for bad in ["speaker", "wav:", "device:", "hdmi:0"] {
            let err = bad.parse::<OutputSpec>().unwrap_err();
            assert!(err.to_string().contains("device:NAME"), "{err}");
        }
    }
}
