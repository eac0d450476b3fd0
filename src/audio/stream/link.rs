//! The relay's network side: one thread per relay that connects, decodes and converts the
//! stream to the output's format into a buffer the player side reads from, and reconnects with
//! exponential backoff while the relay should run. It never decides what goes on air (that is
//! the monitor's, on the player side); it reports what happened and keeps the buffer live.
//!
//! The buffer is a plain `VecDeque` under a mutex, not a lock-free ring: the player takes 10 ms
//! at a time from an ordinary thread, and while the relay is paused (an emergency has the air)
//! this side trims the oldest audio, so that the relay resumes live, which a ring's producer
//! cannot do.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use symphonia::core::io::MediaSource;

use super::error::StreamError;
use super::hls::{HlsReader, SegmentKind};
use super::http::{self, Http, Reached, Served};
use super::icy::Title;
use super::ts::TsStream;
use super::url::StreamUrl;
use super::{Backoff, StreamInfo};
use crate::audio::convert::{AudioFormat, Converter};
use crate::audio::decode::{DecodeError, Decoder};
use crate::model::Said;

/// The player side not asking for audio for this long means the relay is paused.
pub(super) const PAUSE_GAP: Duration = Duration::from_millis(250);
/// A connection that delivered this much audio was a good one: the next failure starts the
/// backoff again from its first step.
const GOOD_RUN: Duration = Duration::from_secs(10);

/// What the network side tells the player side, besides audio.
#[derive(Debug, Clone)]
pub(super) enum Note {
    /// Connected and decoding.
    Connected { url: StreamUrl, info: StreamInfo },
    /// A title announced in the stream.
    Title(String),
    /// An attempt failed; the next one is in `retry_in`.
    Retrying {
        error: StreamError,
        retry_in: Duration,
    },
}

/// How much audio to hold: at most `max`; while paused, what was held at the pause, but at
/// least `floor` (enough to ride out the wait for the next data: a moment for Icecast, a
/// segment for HLS), so that the relay resumes live with the delay it had.
#[derive(Debug, Clone, Copy)]
struct Depth {
    max: Duration,
    floor: Duration,
}

impl Depth {
    const HTTP: Depth = Depth {
        max: Duration::from_secs(20),
        floor: Duration::from_millis(500),
    };

    fn hls(target: Duration) -> Depth {
        Depth {
            max: target * 4 + Duration::from_secs(10),
            floor: target * 3 / 2,
        }
    }
}

/// What both sides share.
pub(super) struct Shared {
    stop: Arc<AtomicBool>,
    inner: Mutex<Inner>,
    format: AudioFormat,
}

/// The state under the lock.
pub(super) struct Inner {
    /// Converted audio, oldest first.
    pub(super) buffer: VecDeque<f32>,
    /// Why the link is down, while it is.
    pub(super) failure: Option<StreamError>,
    /// Reports not yet taken by the player side.
    pub(super) notes: Vec<Note>,
    /// When the player side last took audio.
    pub(super) last_pull: Instant,
    /// Samples left in the buffer after that.
    pub(super) depth_at_pull: usize,
    depth: Depth,
}

impl Shared {
    /// Shared state for a relay producing `format`.
    pub(super) fn new(format: AudioFormat) -> Arc<Shared> {
        Arc::new(Shared {
            stop: Arc::new(AtomicBool::new(false)),
            inner: Mutex::new(Inner {
                buffer: VecDeque::new(),
                failure: None,
                notes: Vec::new(),
                last_pull: Instant::now(),
                depth_at_pull: 0,
                depth: Depth::HTTP,
            }),
            format,
        })
    }

    /// The state, for the player side.
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the relay off air: the network side ends at its next read or wait.
    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn samples(&self, d: Duration) -> usize {
        (d.as_secs_f64() * f64::from(self.format.sample_rate)) as usize
            * usize::from(self.format.channels)
    }

    fn note(&self, note: Note) {
        self.lock().notes.push(note);
    }

    /// Add converted audio; waits while the buffer is full and the player side takes from it,
    /// trims it to the resume depth while the player side is paused. False once the relay
    /// should stop.
    fn push(&self, samples: &[f32], http: &Http) -> bool {
        loop {
            let mut inner = self.lock();
            let paused = inner.last_pull.elapsed() > PAUSE_GAP;
            let max = self.samples(inner.depth.max);
            if paused || inner.buffer.len() + samples.len() <= max {
                inner.buffer.extend(samples);
                if paused {
                    let keep = inner.depth_at_pull.max(self.samples(inner.depth.floor));
                    let excess = inner.buffer.len().saturating_sub(keep);
                    inner.buffer.drain(..excess);
                }
                inner.failure = None;
                return true;
            }
            drop(inner);
            if !http.wait(Duration::from_millis(20)) {
                return false;
            }
        }
    }
}

/// Run the network side until the deadline or a stop: connect, relay, and on any failure
/// report it and try again after the backoff.
pub(super) fn run(
    shared: Arc<Shared>,
    url: StreamUrl,
    deadline: Instant,
    stall: Duration,
    backoff: Backoff,
) {
    let http = Http::new(deadline, stall, shared.stop.clone());
    let mut delay = backoff.first;
    while http.remaining().is_some() {
        let started = Instant::now();
        let (error, delivered) = relay_once(&shared, &url, &http);
        if http.remaining().is_none() {
            break;
        }
        if delivered && started.elapsed() >= GOOD_RUN {
            delay = backoff.first;
        }
        tracing::debug!("{error}");
        {
            let mut inner = shared.lock();
            inner.failure = Some(error.clone());
            inner.notes.push(Note::Retrying {
                error,
                retry_in: delay,
            });
        }
        if !http.wait(delay) {
            break;
        }
        delay = (delay * 2).min(backoff.max.max(backoff.first));
    }
}

/// One connection, until it fails or the relay ends: why it ended, and whether it delivered
/// audio.
fn relay_once(shared: &Shared, url: &StreamUrl, http: &Http) -> (StreamError, bool) {
    let opened = match open(http, url) {
        Ok(o) => o,
        Err(e) => return (e, false),
    };
    let name = opened.url.to_string();
    let mut decoder = match Decoder::open_stream(Path::new(&name), opened.source, opened.extension)
    {
        Ok(d) => d,
        Err(e) => return (decode_error(http, &opened.url, e), false),
    };
    {
        let mut inner = shared.lock();
        inner.depth = opened.depth;
        inner.notes.push(Note::Connected {
            url: opened.url.clone(),
            info: decoder.info().clone(),
        });
    }
    let mut converter: Option<(AudioFormat, Converter)> = None;
    let mut delivered = false;
    loop {
        if http.remaining().is_none() {
            return (StreamError::Ended { url: opened.url }, delivered);
        }
        let rate = decoder.info().sample_rate;
        let block = match decoder.next_block() {
            Ok(Some(b)) => b,
            Ok(None) => return (StreamError::Ended { url: opened.url }, delivered),
            Err(e) => return (decode_error(http, &opened.url, e), delivered),
        };
        let from = AudioFormat {
            sample_rate: rate,
            channels: block.channels.max(1),
        };
        if converter.as_ref().is_none_or(|(f, _)| *f != from) {
            match Converter::new(from, shared.format) {
                Ok(c) => converter = Some((from, c)),
                Err(e) => {
                    let error = StreamError::Undecodable {
                        url: opened.url.clone(),
                        detail: Said::same(e.to_string()),
                    };
                    return (error, delivered);
                }
            }
        }
        let Some((_, c)) = converter.as_mut() else {
            continue;
        };
        let out = c.process(block.samples);
        if !out.is_empty() {
            if !shared.push(out, http) {
                return (StreamError::Ended { url: opened.url }, delivered);
            }
            delivered = true;
        }
        if let Some(title) = opened.title.as_ref().and_then(take_title) {
            shared.note(Note::Title(title));
        }
    }
}

fn take_title(title: &Title) -> Option<String> {
    title.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// A stream ready for the decoder.
struct Opened {
    source: Box<dyn MediaSource>,
    /// What symphonia knows it by.
    extension: &'static str,
    /// Where it is, after redirects and listings.
    url: StreamUrl,
    depth: Depth,
    title: Option<Title>,
}

/// Reach `url` and make what it serves a byte stream of audio.
fn open(http: &Http, url: &StreamUrl) -> Result<Opened, StreamError> {
    match http::reach(http, url)? {
        Reached::Stream(peeked) => {
            let (url, title, served) = (peeked.url.clone(), peeked.title.clone(), peeked.served);
            let reader = peeked.into_reader();
            let (reader, extension): (Box<dyn Read + Send>, _) = match served {
                Served::Ts => {
                    let (ts, codec) =
                        TsStream::open(reader).map_err(|e| undecodable(http, &url, &e))?;
                    (Box::new(ts), codec.extension())
                }
                Served::Audio(ext) => (reader, ext),
                _ => {
                    return Err(StreamError::NotAudio {
                        url,
                        content_type: "?".into(),
                    });
                }
            };
            Ok(Opened {
                source: Box::new(NetSource(Mutex::new(reader))),
                extension,
                url,
                depth: Depth::HTTP,
                title,
            })
        }
        Reached::Hls { url, playlist } => {
            let (reader, kind) = HlsReader::open(http.clone(), url, &playlist)?;
            let depth = Depth::hls(reader.target_duration());
            let url = reader.media_url().clone();
            let (reader, extension): (Box<dyn Read + Send>, _) = match kind {
                SegmentKind::Ts => {
                    let (ts, codec) =
                        TsStream::open(reader).map_err(|e| undecodable(http, &url, &e))?;
                    (Box::new(ts), codec.extension())
                }
                SegmentKind::Packed(ext) => (Box::new(reader), ext),
                SegmentKind::Fmp4 => (Box::new(reader), "mp4"),
            };
            Ok(Opened {
                source: Box::new(NetSource(Mutex::new(reader))),
                extension,
                url,
                depth,
                title: None,
            })
        }
    }
}

/// An I/O error while finding the audio: the relay's own error inside it, a network error,
/// or audio that is not what it claims.
fn undecodable(http: &Http, url: &StreamUrl, e: &io::Error) -> StreamError {
    match e.get_ref().and_then(|i| i.downcast_ref::<StreamError>()) {
        Some(inner) => inner.clone(),
        None if e.kind() == io::ErrorKind::InvalidData => StreamError::Undecodable {
            url: url.clone(),
            detail: Said::same(e.to_string()),
        },
        None => http.io_error(url, e),
    }
}

fn decode_error(http: &Http, url: &StreamUrl, e: DecodeError) -> StreamError {
    match e {
        DecodeError::Read { source, .. } => undecodable(http, url, &source),
        other => StreamError::Undecodable {
            url: url.clone(),
            detail: Said::same(other.to_string()),
        },
    }
}

/// A network body as symphonia's source: read only, never seekable. (The mutex only makes the
/// reader `Sync`, as symphonia asks; one thread reads it.)
struct NetSource(Mutex<Box<dyn Read + Send>>);

impl Read for NetSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .read(buf)
    }
}

impl Seek for NetSource {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a live stream cannot seek",
        ))
    }
}

impl MediaSource for NetSource {
    fn is_seekable(&self) -> bool {
        false
    }

    fn byte_len(&self) -> Option<u64> {
        None
    }
}
