//! "Nghe / Listen": what the output is getting right now, as a live Ogg Opus stream a browser
//! plays from one HTTP response.
//!
//! The player's sink path has a tee ([`sink::Tee`](super::sink::Tee)) that hands every block
//! written to the output (after the arbiter and the gain: exactly the mix) to a [`Monitor`]. The
//! monitor is a bounded broadcast: a listener that reads slowly loses blocks, and the output never
//! waits for a listener. Each [`Listener`] converts the blocks to mono, encodes them to Opus and
//! wraps them in Ogg pages; while nothing airs it streams silence, so the player keeps time.
//!
//! Owns the tee's channel, the listener seats and the encoding. Must not decide what airs, and
//! touches neither the store nor the web (the web serves the bytes and checks who may listen).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opusic_c::{Application, Bitrate, Channels, Encoder, SampleRate};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::convert::{AudioFormat, Converter};

/// Blocks the broadcast holds for a listener that falls behind: the player writes 10 ms
/// blocks, so about 2.5 s; past that the listener skips ahead.
const CAPACITY: usize = 256;
/// What a listener gets: Opus at 48 kHz, one channel (the loudspeakers carry one programme).
const RATE: u32 = 48_000;
/// One Opus packet: 20 ms.
const FRAME: usize = RATE as usize / 50;
/// Packets per Ogg page: a page (and so a piece of the HTTP response) every 200 ms.
const PACKETS_PER_PAGE: u32 = 10;
/// Low bitrate: speech and jingles stay clear, a phone on the commune's Wi-Fi keeps up.
pub const BITRATE: u32 = 32_000;
/// How often a listener looks whether the output went quiet, and how much silence it then adds.
const TICK: Duration = Duration::from_millis(100);

/// One block of the output mix, as the sink got it.
#[derive(Debug, Clone)]
pub struct Block {
    /// The output's rate and channels.
    pub format: AudioFormat,
    /// Interleaved samples.
    pub samples: Arc<[f32]>,
}

/// The tee's far end: hands out listener seats and carries the mix to them. Cheap to clone.
#[derive(Clone)]
pub struct Monitor {
    blocks: broadcast::Sender<Block>,
    seats: Arc<AtomicUsize>,
    /// Why the station airs into this stream alone (no sound card, demo mode), if it does.
    alone: Arc<std::sync::Mutex<Option<String>>>,
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor {
            blocks: broadcast::channel(CAPACITY).0,
            seats: Arc::default(),
            alone: Arc::default(),
        }
    }
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("listeners", &self.listeners())
            .finish_non_exhaustive()
    }
}

/// Why a listener cannot join.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ListenError {
    /// Every seat is taken.
    #[error(
        "đã có {0} người đang nghe, tối đa là {0} — hãy thử lại sau, hoặc tăng web.max_listeners / {0} people are listening already, the most allowed — try again later, or raise web.max_listeners"
    )]
    Full(usize),
    /// libopus refused the encoder's settings.
    #[error("không tạo được bộ mã hoá Opus: {0} / cannot set up the Opus encoder: {0}")]
    Encoder(String),
}

impl Monitor {
    /// Hand a block written to the output to whoever listens. Never blocks; costs nothing
    /// while nobody listens.
    pub fn publish(&self, format: AudioFormat, samples: &[f32]) {
        if self.blocks.receiver_count() == 0 || samples.is_empty() {
            return;
        }
        // Only fails when every receiver went away in between: nobody to tell.
        let _ = self.blocks.send(Block {
            format,
            samples: samples.into(),
        });
    }

    /// How many listen now.
    pub fn listeners(&self) -> usize {
        self.seats.load(Ordering::Relaxed)
    }

    /// A new listener, if fewer than `max` listen already.
    pub fn listen(&self, max: usize) -> Result<Listener, ListenError> {
        let seat = Seat::take(&self.seats, max).ok_or(ListenError::Full(max))?;
        Listener::new(self.blocks.subscribe(), seat)
    }

    /// Say that the station airs into this stream alone, and why (`None`: the speakers get
    /// it too).
    pub fn set_alone(&self, reason: Option<String>) {
        *self.alone.lock().unwrap_or_else(|e| e.into_inner()) = reason;
    }

    /// Why nothing but this stream gets the sound, if so: the dashboard says it.
    pub fn alone(&self) -> Option<String> {
        self.alone.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One of the `max` places to listen; given back when the listener goes.
struct Seat(Arc<AtomicUsize>);

impl Seat {
    fn take(seats: &Arc<AtomicUsize>, max: usize) -> Option<Seat> {
        seats
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Seat(seats.clone()))
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One browser listening: its receiver and its [`Encoding`].
pub struct Listener {
    blocks: broadcast::Receiver<Block>,
    encoding: Encoding,
    /// Made on the first read, inside the runtime.
    tick: Option<tokio::time::Interval>,
    /// Whether a block came since the last tick (then the output is not quiet).
    heard_since_tick: bool,
    ended: bool,
    _seat: Seat,
}

impl Listener {
    fn new(blocks: broadcast::Receiver<Block>, seat: Seat) -> Result<Listener, ListenError> {
        Ok(Listener {
            blocks,
            encoding: Encoding::new()?,
            tick: None,
            heard_since_tick: true,
            ended: false,
            _seat: seat,
        })
    }

    /// The next piece of the stream: the Ogg headers first, then a page every 200 ms of audio
    /// or silence. `None` once the output is gone (the service stops).
    pub async fn next_bytes(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(bytes) = self.encoding.take() {
                return Some(bytes);
            }
            if self.ended {
                return None;
            }
            let tick = self.tick.get_or_insert_with(|| {
                let mut t = tokio::time::interval(TICK);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                t
            });
            tokio::select! {
                got = self.blocks.recv() => match got {
                    Ok(block) => {
                        self.heard_since_tick = true;
                        self.encoding.add(&block);
                    }
                    // Too slow: what was missed is gone, the stream goes on from now.
                    Err(RecvError::Lagged(n)) => tracing::debug!("listener skipped {n} blocks"),
                    Err(RecvError::Closed) => {
                        self.ended = true;
                        self.encoding.end();
                    }
                },
                _ = tick.tick() => {
                    if !std::mem::replace(&mut self.heard_since_tick, false) {
                        // The output is quiet: silence for the time that passed.
                        self.encoding.silence(TICK);
                    }
                }
            }
        }
    }
}

/// The output's blocks to Ogg Opus pages: to 48 kHz mono, 20 ms packets, pages of 200 ms. No
/// channel, no clock: what [`Listener`] runs for each block, and what the bench measures.
pub struct Encoding {
    /// Converts the output's format (the first) to 48 kHz mono; rebuilt if the output's
    /// format changes.
    converter: Option<(AudioFormat, Converter)>,
    /// Mono samples waiting for a whole packet.
    pending: Vec<f32>,
    ogg: OggOpus,
}

impl Encoding {
    /// A new stream; its first bytes are the two Ogg Opus headers.
    pub fn new() -> Result<Encoding, ListenError> {
        Ok(Encoding {
            converter: None,
            pending: Vec::with_capacity(FRAME * 4),
            ogg: OggOpus::new()?,
        })
    }

    /// Encode a block of the output mix (whole packets now, the rest with the next block).
    pub fn add(&mut self, block: &Block) {
        let target = AudioFormat {
            sample_rate: RATE,
            channels: 1,
        };
        let stale = self
            .converter
            .as_ref()
            .is_none_or(|(from, _)| *from != block.format);
        if stale {
            match Converter::new(block.format, target) {
                Ok(c) => self.converter = Some((block.format, c)),
                Err(e) => {
                    tracing::warn!("{e}");
                    return;
                }
            }
        }
        if let Some((_, c)) = self.converter.as_mut() {
            self.pending.extend_from_slice(c.process(&block.samples));
        }
        self.encode_pending();
    }

    /// Encode `d` of silence.
    pub fn silence(&mut self, d: Duration) {
        let samples = (d.as_secs_f64() * f64::from(RATE)).round() as usize;
        self.pending.resize(self.pending.len() + samples, 0.0);
        self.encode_pending();
    }

    /// End the stream: its last page says so.
    pub fn end(&mut self) {
        self.ogg.end();
    }

    /// The pages finished since the last call, if any.
    pub fn take(&mut self) -> Option<Vec<u8>> {
        self.ogg.take()
    }

    fn encode_pending(&mut self) {
        let whole = self.pending.len() / FRAME * FRAME;
        for frame in self.pending[..whole].chunks_exact(FRAME) {
            if let Err(e) = self.ogg.packet(frame) {
                tracing::warn!("{e}");
            }
        }
        self.pending.drain(..whole);
    }
}

/// An Ogg Opus stream (RFC 7845): the two header pages, then one packet per 20 ms.
struct OggOpus {
    opus: Encoder,
    ogg: ogg::writing::PacketWriter<'static, Vec<u8>>,
    serial: u32,
    /// 48 kHz samples encoded so far (the Ogg Opus granule; the player drops the pre-skip).
    granule: u64,
    packets: u32,
    out: Vec<u8>,
}

impl OggOpus {
    fn new() -> Result<OggOpus, ListenError> {
        let fail = |e: opusic_c::ErrorCode| ListenError::Encoder(format!("{e:?}"));
        let mut opus =
            Encoder::new(Channels::Mono, SampleRate::Hz48000, Application::Audio).map_err(fail)?;
        opus.set_bitrate(Bitrate::Value(BITRATE)).map_err(fail)?;
        // Constant bitrate: silence costs as much as sound, so a browser's player fills its
        // buffer and starts at once on a quiet station instead of waiting for kilobytes.
        opus.set_vbr(false).map_err(fail)?;
        opus.set_complexity(5).map_err(fail)?;
        let pre_skip = opus.get_look_ahead().map_err(fail)?;
        let mut s = OggOpus {
            opus,
            ogg: ogg::writing::PacketWriter::new(Vec::new()),
            serial: fastrand::u32(..),
            granule: 0,
            packets: 0,
            out: Vec::with_capacity(512),
        };
        s.write(
            head(pre_skip as u16),
            0,
            ogg::writing::PacketWriteEndInfo::EndPage,
        );
        s.write(tags(), 0, ogg::writing::PacketWriteEndInfo::EndPage);
        Ok(s)
    }

    fn write(&mut self, packet: Vec<u8>, granule: u64, end: ogg::writing::PacketWriteEndInfo) {
        // Writing into a Vec cannot fail.
        let _ = self.ogg.write_packet(packet, self.serial, end, granule);
    }

    /// Encode 20 ms of 48 kHz mono.
    fn packet(&mut self, frame: &[f32]) -> Result<(), ListenError> {
        self.out.clear();
        self.opus
            .encode_float_to_vec(frame, &mut self.out)
            .map_err(|e| ListenError::Encoder(format!("{e:?}")))?;
        self.granule += FRAME as u64;
        self.packets += 1;
        let end = if self.packets.is_multiple_of(PACKETS_PER_PAGE) {
            ogg::writing::PacketWriteEndInfo::EndPage
        } else {
            ogg::writing::PacketWriteEndInfo::NormalPacket
        };
        let packet = self.out.clone();
        self.write(packet, self.granule, end);
        Ok(())
    }

    /// End the stream (the last page says so).
    fn end(&mut self) {
        self.write(
            Vec::new(),
            self.granule,
            ogg::writing::PacketWriteEndInfo::EndStream,
        );
    }

    /// Whole pages written since the last call.
    fn take(&mut self) -> Option<Vec<u8>> {
        let bytes = std::mem::take(self.ogg.inner_mut());
        (!bytes.is_empty()).then_some(bytes)
    }
}

/// The identification header: version 1, one channel, the encoder's pre-skip, 48 kHz.
fn head(pre_skip: u16) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.push(1);
    h.push(1);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&RATE.to_le_bytes());
    h.extend_from_slice(&0i16.to_le_bytes());
    h.push(0);
    h
}

/// The comment header: who made the stream, no tags.
fn tags() -> Vec<u8> {
    let vendor = b"Loa Xa";
    let mut t = b"OpusTags".to_vec();
    t.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    t.extend_from_slice(vendor);
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_limited_and_given_back() {
        let m = Monitor::default();
        let a = m.listen(2).unwrap();
        let _b = m.listen(2).unwrap();
        assert!(matches!(m.listen(2), Err(ListenError::Full(2))));
        assert_eq!(m.listeners(), 2);
        drop(a);
        assert_eq!(m.listeners(), 1);
        assert!(m.listen(2).is_ok());
    }

    #[test]
    fn publishing_without_listeners_or_to_a_stalled_one_never_blocks() {
        let m = Monitor::default();
        let format = AudioFormat {
            sample_rate: 48_000,
            channels: 2,
        };
        m.publish(format, &[0.1; 960]);
        let _stalled = m.listen(1).unwrap();
        // Ten times what the broadcast holds: the writer goes on, the listener will skip.
        for _ in 0..CAPACITY * 10 {
            m.publish(format, &[0.1; 960]);
        }
    }
}
