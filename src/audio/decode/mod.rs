//! Opening any recording staff bring and turning it into interleaved `f32` samples.
//!
//! Symphonia does the demuxing and decoding (libopus through its adapter for Opus). This module
//! owns what symphonia leaves to the application: telling a fake or foreign file from audio
//! before decoding, refusing absurd headers before they cost memory, and telling the truth about
//! a file that stops early: its real length is what decodes, never the header's claim.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

mod mp4;
mod sniff;
mod source;

use crate::model::Said;
use crate::model::said;
pub use sniff::Looks;
use sniff::{Sniffed, UNKNOWN, read_up_to, sniff};
use source::PaddedFile;

/// Highest sample rate we accept from a header: twice the 192 kHz studio maximum.
const MAX_SAMPLE_RATE: u32 = 384_000;
/// Lowest: half the 8 kHz of a telephone line; anything less carries no speech and is a
/// damaged header.
const MIN_SAMPLE_RATE: u32 = 4_000;
/// Loudest sample we pass on, +24 dBFS: float recordings may go past full scale, but never
/// by this much unless the bytes are damaged.
const MAX_SAMPLE: f32 = 16.0;
/// Most channels we accept from a header.
const MAX_CHANNELS: usize = 32;
/// A header asking for bigger packets than this is lying; refuse before allocating for it.
const MAX_FRAMES_PER_PACKET: u64 = 1 << 20;
/// After this many undecodable packets in a row with nothing decoded, the file is not audio.
const MAX_BAD_PACKETS_BEFORE_AUDIO: u32 = 64;

/// Why a recording cannot be opened or decoded.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum DecodeError {
    /// The file cannot be read at all.
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Zero bytes.
    Empty { path: PathBuf },
    /// Not audio at all (text, an image, a document...).
    NotAudio { path: PathBuf, looks_like: Looks },
    /// A real audio format that Loa Xã does not decode.
    UnsupportedFormat { path: PathBuf, format: String },
    /// The container holds no audio track (a silent video, a picture).
    NoAudioTrack { path: PathBuf },
    /// The header says something impossible (a 1 GHz sample rate, 0 channels).
    BadHeader { path: PathBuf, what: String },
    /// Nothing in the file decodes.
    Corrupt { path: PathBuf, detail: String },
    /// The stream changes sample rate or channels part way through.
    FormatChanged { path: PathBuf, detail: String },
    /// Reading failed part way (a disk error, an unplugged USB stick).
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DecodeError {
    /// Why the file cannot be used, in each language.
    pub fn said(&self) -> Said {
        match self {
            DecodeError::Open { path, source } => {
                let path = path.display();
                said!(
                    "không mở được tệp \"{path}\": {source} — hãy kiểm tra đường dẫn và quyền đọc",
                    "cannot open \"{path}\": {source} — check the path and read permission"
                )
            }
            DecodeError::Empty { path } => {
                let path = path.display();
                said!(
                    "tệp \"{path}\" rỗng (0 byte) — hãy chép lại bản ghi",
                    "\"{path}\" is empty (0 bytes) — copy the recording again"
                )
            }
            DecodeError::NotAudio { path, looks_like } => {
                let path = path.display();
                let vi = looks_like.0;
                let en = looks_like.1;
                said!(
                    "tệp \"{path}\" không phải âm thanh (có vẻ là {vi}) — hãy chọn đúng tệp ghi âm",
                    "\"{path}\" is not audio (it looks like {en}) — pick the recording itself"
                )
            }
            DecodeError::UnsupportedFormat { path, format } => {
                let path = path.display();
                said!(
                    "định dạng {format} của \"{path}\" chưa được hỗ trợ — hãy chuyển sang MP3: ffmpeg -i \"{path}\" -c:a libmp3lame -q:a 2 ra.mp3",
                    "{format} (\"{path}\") is not supported — convert it to MP3: ffmpeg -i \"{path}\" -c:a libmp3lame -q:a 2 out.mp3"
                )
            }
            DecodeError::NoAudioTrack { path } => {
                let path = path.display();
                said!(
                    "tệp \"{path}\" không có rãnh âm thanh",
                    "\"{path}\" has no audio track"
                )
            }
            DecodeError::BadHeader { path, what } => {
                let path = path.display();
                said!(
                    "phần đầu tệp \"{path}\" hỏng: {what} — tệp bị hỏng, hãy xuất lại bản ghi",
                    "the header of \"{path}\" is broken: {what} — export the recording again"
                )
            }
            DecodeError::Corrupt { path, detail } => {
                let path = path.display();
                said!(
                    "không giải mã được âm thanh nào trong \"{path}\" ({detail}) — tệp hỏng hoặc bị cắt, hãy chép lại",
                    "no audio could be decoded from \"{path}\" ({detail}) — the file is broken or cut off, copy it again"
                )
            }
            DecodeError::FormatChanged { path, detail } => {
                let path = path.display();
                said!(
                    "\"{path}\" đổi định dạng giữa chừng ({detail}) — hãy chuyển đổi lại bằng ffmpeg",
                    "\"{path}\" changes format part way ({detail}) — re-encode it with ffmpeg"
                )
            }
            DecodeError::Read { path, source } => {
                let path = path.display();
                said!(
                    "lỗi đọc \"{path}\": {source}",
                    "read error on \"{path}\": {source}"
                )
            }
        }
    }
}

/// What the stream is, as the container and codec declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    /// Container short name: `mp3`, `mp4`, `ogg`, `flac`, `wav`, `mkv`, ...
    pub container: String,
    /// Codec short name: `mp3`, `aac`, `vorbis`, `opus`, `flac`, `pcm_s16le`, ...
    pub codec: String,
    /// Samples per second per channel.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// Frames the header claims, when it claims any. Never trusted for duration.
    pub header_frames: Option<u64>,
}

/// Something worth telling the user about a recording that still plays.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecodeWarning {
    /// The file stops before its header says it should (a cut-off upload).
    Truncated { decoded_frames: u64 },
    /// Some packets were damaged and skipped (a click or a short gap).
    SkippedPackets { count: u32 },
    /// Some float samples were not numbers (or absurdly loud) and were silenced.
    DamagedSamples { count: u64 },
}

impl DecodeWarning {
    /// What the listener will hear wrong, in each language.
    pub fn said(&self) -> Said {
        match self {
            DecodeWarning::Truncated { .. } => said!(
                "tệp bị cắt ngang: chỉ phát được phần đã giải mã",
                "the file is cut off: only the decodable part plays"
            ),
            DecodeWarning::SkippedPackets { count } => {
                said!(
                    "bỏ qua {count} đoạn hỏng",
                    "skipped {count} damaged packets"
                )
            }
            DecodeWarning::DamagedSamples { count } => said!(
                "{count} mẫu hỏng đã thay bằng im lặng",
                "{count} damaged samples replaced by silence"
            ),
        }
    }
}

impl std::fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.said().fmt(f)
    }
}

/// One decoded packet's worth of audio.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    /// Interleaved samples in [-1, 1].
    pub samples: &'a [f32],
    /// Channels they are interleaved over (known for sure from the first block on).
    pub channels: u16,
}

/// An open recording that yields blocks of interleaved `f32` samples in [-1, 1].
pub struct Decoder {
    path: PathBuf,
    format: Box<dyn FormatReader + 'static>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: StreamInfo,
    block: Vec<f32>,
    decoded_frames: u64,
    /// Encoder priming still to drop from the start (AAC in MP4).
    skip_frames: u64,
    bad_packets: u32,
    damaged_samples: u64,
    warnings: Vec<DecodeWarning>,
    finished: bool,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("path", &self.path)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// Open a recording, checking it is real audio we can decode.
    pub fn open(path: &Path) -> Result<Self, DecodeError> {
        Self::open_as(path, path)
    }

    /// Open `source`, naming it `name` in every message (an upload is read from a temporary
    /// file, but the user knows it by the name it had on their phone).
    pub fn open_as(source: &Path, name: &Path) -> Result<Self, DecodeError> {
        let open_err = |source| DecodeError::Open {
            path: name.to_path_buf(),
            source,
        };
        let mut file = File::open(source).map_err(open_err)?;
        let meta = file.metadata().map_err(open_err)?;
        if meta.is_dir() {
            return Err(open_err(std::io::Error::other(
                "đây là thư mục / this is a folder",
            )));
        }
        if meta.len() == 0 {
            return Err(DecodeError::Empty {
                path: name.to_path_buf(),
            });
        }
        // Enough to see past the LIST and fact chunks of a WAV to its data chunk.
        let mut head = vec![0u8; 4096];
        let n = read_up_to(&mut file, &mut head).map_err(open_err)?;
        head.truncate(n);
        file.seek(SeekFrom::Start(0)).map_err(open_err)?;
        check_sniffed(&head, name)?;
        let padded = PaddedFile::new(file, meta.len(), sniff::looks_like_mpeg_audio(&head))
            .with_wav_sizes_fixed(&head);
        let mss = MediaSourceStream::new(Box::new(padded), MediaSourceStreamOptions::default());
        let mut hint = Hint::new();
        if let Some(ext) = name.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let mut decoder = Self::from_stream(name, mss, &hint)?;
        if decoder.info.container == "mp4" && decoder.info.codec == "aac" {
            decoder.skip_frames = File::open(source)
                .ok()
                .and_then(|mut f| mp4::priming_frames(&mut f, decoder.info.sample_rate))
                .unwrap_or(0);
        }
        Ok(decoder)
    }

    /// Open a live stream that cannot seek (a relay's network source), named `name` in
    /// messages; `extension` (`mp3`, `aac`, `ogg`, `mp4`) tells the demuxer what the bytes
    /// are, as a file's extension would. Reads block on `source` until the format is known.
    pub fn open_stream(
        name: &Path,
        source: Box<dyn MediaSource>,
        extension: &str,
    ) -> Result<Self, DecodeError> {
        let mss = MediaSourceStream::new(source, MediaSourceStreamOptions::default());
        let mut hint = Hint::new();
        hint.with_extension(extension);
        Self::from_stream(name, mss, &hint)
    }

    fn from_stream(
        path: &Path,
        mss: MediaSourceStream<'static>,
        hint: &Hint,
    ) -> Result<Self, DecodeError> {
        let format = guarded(DAMAGED_HEADER, || {
            symphonia::default::get_probe().probe(
                hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
        })
        .map_err(|e| match e {
            SymError::IoError(source) if source.kind() != std::io::ErrorKind::UnexpectedEof => {
                DecodeError::Read {
                    path: path.to_path_buf(),
                    source,
                }
            }
            _ => DecodeError::NotAudio {
                path: path.to_path_buf(),
                looks_like: UNKNOWN,
            },
        })?;
        let bad_header = |what: String| DecodeError::BadHeader {
            path: path.to_path_buf(),
            what,
        };
        let track =
            format
                .default_track(TrackType::Audio)
                .ok_or_else(|| DecodeError::NoAudioTrack {
                    path: path.to_path_buf(),
                })?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| DecodeError::NoAudioTrack {
                path: path.to_path_buf(),
            })?
            .clone();
        let track_id = track.id;
        let header_frames = track.num_frames;
        check_header(&params).map_err(bad_header)?;
        let decoder = guarded(DAMAGED_HEADER, || {
            codecs().make_audio_decoder(&params, &AudioDecoderOptions::default())
        })
        .map_err(|e| match e {
            // The codec's setup data (an AAC or FLAC header) is damaged.
            SymError::DecodeError(what) => bad_header(what.to_string()),
            _ => DecodeError::UnsupportedFormat {
                path: path.to_path_buf(),
                format: format!(
                    "codec {}",
                    codec_name_guess(format.format_info().short_name)
                ),
            },
        })?;
        let sample_rate = params
            .sample_rate
            .ok_or_else(|| bad_header("không có tần số lấy mẫu / no sample rate".into()))?;
        // Some containers only learn the channel layout from the first packet (AAC in MP4
        // without a full ESDS); decoders then report it, and `next_block` checks it.
        let channels = params
            .channels
            .as_ref()
            .map(|c| c.count())
            .or_else(|| decoder.codec_params().channels.as_ref().map(|c| c.count()))
            .unwrap_or(0);
        let info = StreamInfo {
            container: container_name(format.format_info().short_name).to_string(),
            codec: decoder.codec_info().short_name.to_string(),
            sample_rate,
            channels: u16::try_from(channels).unwrap_or(0),
            header_frames,
        };
        Ok(Decoder {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            info,
            block: Vec::new(),
            decoded_frames: 0,
            skip_frames: 0,
            bad_packets: 0,
            damaged_samples: 0,
            warnings: Vec::new(),
            finished: false,
        })
    }

    /// The stream as declared. `channels` may be 0 until the first block for a few AAC files.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// The file this decoder reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frames decoded so far: the true length once `next_block` has returned `None`.
    pub fn decoded_frames(&self) -> u64 {
        self.decoded_frames
    }

    /// What went wrong but did not stop playback.
    pub fn warnings(&self) -> &[DecodeWarning] {
        &self.warnings
    }

    /// The next block of interleaved samples, or `None` at the end of the audio.
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>, DecodeError> {
        while !self.finished {
            let packet = match guarded(DAMAGED_CONTAINER, || self.format.next_packet()) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.finish()?;
                    break;
                }
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.truncated();
                    self.finish()?;
                    break;
                }
                Err(SymError::IoError(source)) => {
                    return Err(DecodeError::Read {
                        path: self.path.clone(),
                        source,
                    });
                }
                Err(e) => {
                    // A broken container part way through: keep what decoded, stop here.
                    if self.decoded_frames == 0 {
                        return Err(self.corrupt(e.to_string()));
                    }
                    self.truncated();
                    self.finish()?;
                    break;
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let decoded = guarded(DAMAGED_AUDIO, || {
                // The buffer borrows the decoder: copy it out while it lives.
                self.decoder.decode(&packet).map(|buf| {
                    let spec = buf.spec();
                    let (rate, channels) = (spec.rate(), spec.channels().count());
                    buf.copy_to_vec_interleaved(&mut self.block);
                    (buf.frames(), rate, channels)
                })
            });
            let frames = match decoded {
                Ok((0, _, _)) => continue,
                Ok((frames, rate, channels)) => {
                    if self.info.channels == 0 && self.decoded_frames == 0 {
                        self.info.channels = u16::try_from(channels).unwrap_or(0);
                    }
                    if rate != self.info.sample_rate || channels != usize::from(self.info.channels)
                    {
                        return Err(DecodeError::FormatChanged {
                            path: self.path.clone(),
                            detail: format!(
                                "{} Hz/{} kênh → {rate} Hz/{channels} kênh",
                                self.info.sample_rate, self.info.channels
                            ),
                        });
                    }
                    let skip = (self.skip_frames as usize).min(frames);
                    self.skip_frames -= skip as u64;
                    self.block.drain(..skip * channels);
                    self.damaged_samples += silence_damaged(&mut self.block);
                    frames - skip
                }
                Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                    self.bad_packets += 1;
                    if self.decoded_frames == 0 && self.bad_packets > MAX_BAD_PACKETS_BEFORE_AUDIO {
                        return Err(
                            self.corrupt("mọi đoạn đều hỏng / every packet is damaged".into())
                        );
                    }
                    continue;
                }
                Err(e) => return Err(self.corrupt(e.to_string())),
            };
            if frames == 0 {
                continue;
            }
            self.decoded_frames += frames as u64;
            return Ok(Some(Block {
                samples: &self.block,
                channels: self.info.channels,
            }));
        }
        Ok(None)
    }

    fn truncated(&mut self) {
        if !self
            .warnings
            .iter()
            .any(|w| matches!(w, DecodeWarning::Truncated { .. }))
        {
            self.warnings.push(DecodeWarning::Truncated {
                decoded_frames: self.decoded_frames,
            });
        }
    }

    fn finish(&mut self) -> Result<(), DecodeError> {
        self.finished = true;
        if self.decoded_frames == 0 {
            return Err(self.corrupt("không có âm thanh / no audio".into()));
        }
        if self.damaged_samples > 0 {
            self.warnings.push(DecodeWarning::DamagedSamples {
                count: self.damaged_samples,
            });
        }
        if self.bad_packets > 0 {
            self.warnings.push(DecodeWarning::SkippedPackets {
                count: self.bad_packets,
            });
        }
        // A header that promised much more than decoded means the file was cut off, even when
        // the demuxer ended cleanly (an MP3 simply runs out of frames).
        if let Some(claimed) = self.info.header_frames {
            let missing = claimed.saturating_sub(self.decoded_frames);
            if missing > u64::from(self.info.sample_rate) / 2 {
                self.truncated();
            }
        }
        Ok(())
    }

    fn corrupt(&self, detail: String) -> DecodeError {
        DecodeError::Corrupt {
            path: self.path.clone(),
            detail,
        }
    }
}

/// Refuse, by name, what the first bytes show is not audio or not a format we decode.
fn check_sniffed(head: &[u8], name: &Path) -> Result<(), DecodeError> {
    match sniff(head) {
        Sniffed::NotAudio(looks_like) => Err(DecodeError::NotAudio {
            path: name.to_path_buf(),
            looks_like,
        }),
        Sniffed::Unsupported(format) => Err(DecodeError::UnsupportedFormat {
            path: name.to_path_buf(),
            format: format.to_string(),
        }),
        Sniffed::Candidate => Ok(()),
    }
}

/// What a panic inside symphonia becomes, by where it happened: while reading the header the
/// file is not audio we can open; in the container, what decoded so far is kept; in the audio,
/// the file is refused as damaged.
const DAMAGED_HEADER: SymError = SymError::DecodeError("the header is damaged");
const DAMAGED_CONTAINER: SymError = SymError::DecodeError("the container is damaged");
const DAMAGED_AUDIO: SymError = SymError::LimitError("the audio data is damaged");

/// Run a call into the demuxer or decoder, turning a panic on damaged data (an arithmetic
/// overflow or an index out of range inside the library) into `on_panic`, so that a bad file
/// never takes an upload or the player thread down with it.
fn guarded<T>(on_panic: SymError, f: impl FnOnce() -> Result<T, SymError>) -> Result<T, SymError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(Err(on_panic))
}

/// Silence the samples a damaged float file holds (NaN, infinities, absurd values) so they
/// reach neither the loudness meter nor the resampler; how many there were.
fn silence_damaged(samples: &mut [f32]) -> u64 {
    let mut damaged = 0;
    for s in samples
        .iter_mut()
        .filter(|s| !s.is_finite() || s.abs() > MAX_SAMPLE)
    {
        *s = 0.0;
        damaged += 1;
    }
    damaged
}

fn check_header(
    params: &symphonia::core::codecs::audio::AudioCodecParameters,
) -> Result<(), String> {
    match params.sample_rate {
        Some(r) if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&r) => {
            return Err(format!(
                "tần số lấy mẫu {r} Hz là vô lý / a sample rate of {r} Hz is absurd"
            ));
        }
        _ => {}
    }
    if let Some(ch) = &params.channels {
        let n = ch.count();
        if n == 0 {
            return Err("0 kênh / 0 channels".into());
        }
        if n > MAX_CHANNELS {
            return Err(format!("{n} kênh là vô lý / {n} channels is absurd"));
        }
    }
    if params
        .max_frames_per_packet
        .is_some_and(|n| n > MAX_FRAMES_PER_PACKET)
    {
        return Err("kích thước gói vô lý / absurd packet size".into());
    }
    Ok(())
}

/// All symphonia codecs plus libopus, which symphonia lacks.
fn codecs() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    })
}

fn container_name(short: &str) -> &str {
    match short {
        "isomp4" => "mp4",
        "wave" => "wav",
        "matroska" => "mkv",
        other => other,
    }
}

fn codec_name_guess(container: &str) -> &'static str {
    match container {
        "isomp4" => "trong MP4 (có thể là AMR/ALAC lạ) / in MP4 (perhaps AMR)",
        "matroska" => "trong MKV / in MKV",
        _ => "lạ / unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_file() {
        let err = Decoder::open(Path::new("khong-co.mp3")).unwrap_err();
        assert!(matches!(err, DecodeError::Open { .. }));
        assert!(err.to_string().contains("khong-co.mp3"));
    }

    #[test]
    fn empty_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rong.mp3");
        std::fs::write(&p, b"").unwrap();
        assert!(matches!(Decoder::open(&p), Err(DecodeError::Empty { .. })));
    }

    #[test]
    fn random_bytes_are_refused_without_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ngau-nhien.bin");
        // A deterministic pseudo-random sequence (xorshift) with no valid headers.
        let mut x: u32 = 0x9E37_79B9;
        let bytes: Vec<u8> = (0..64 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        std::fs::write(&p, bytes).unwrap();
        let result = Decoder::open(&p).and_then(|mut d| {
            while d.next_block()?.is_some() {}
            Ok(d.decoded_frames())
        });
        assert!(result.is_err(), "random bytes decoded as {result:?}");
    }
}
