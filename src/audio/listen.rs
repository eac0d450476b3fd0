//! "Nghe / Listen": what the output is getting right now, as a live Ogg Opus stream a browser
//! plays from one HTTP response.
//!
//! The player's sink path has a tee ([`sink::Tee`](super::sink::Tee)) that hands every block
//! written to the output (after the arbiter and the gain: exactly the mix) to a [`Monitor`]. The
//! monitor is a bounded broadcast: a listener that reads slowly loses blocks, and the output never
//! waits for a listener. Each [`Listener`] encodes the blocks to Opus ([`super::opus`], the
//! station's one encoder) and wraps them in Ogg pages; while nothing airs it streams silence,
//! so the player keeps time.
//!
//! Owns the tee's channel, the listener seats and the encoding. Must not decide what airs, and
//! touches neither the store nor the web (the web serves the bytes and checks who may listen).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::convert::AudioFormat;
use super::opus::{self, FRAME, RATE};
use crate::model::Said;
use crate::model::said;

/// Blocks the broadcast holds for a listener that falls behind: the player writes 10 ms
/// blocks, so about 2.5 s; past that the listener skips ahead.
const CAPACITY: usize = 256;
/// Packets per Ogg page: a page (and so a piece of the HTTP response) every 200 ms.
const PACKETS_PER_PAGE: u32 = 10;
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
    alone: Arc<std::sync::Mutex<Option<Said>>>,
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
#[error("{}", self.said())]
pub enum ListenError {
    /// Every seat is taken.
    Full(usize),
    /// libopus refused the encoder's settings.
    Encoder(String),
}

impl ListenError {
    /// Why nobody more can listen, in each language.
    pub fn said(&self) -> Said {
        match self {
            ListenError::Full(f0) => said!(
                "đã có {f0} người đang nghe, tối đa là {f0} — hãy thử lại sau, hoặc tăng web.max_listeners",
                "{f0} people are listening already, the most allowed — try again later, or raise web.max_listeners"
            ),
            ListenError::Encoder(f0) => said!(
                "không tạo được bộ mã hoá Opus: {f0}",
                "cannot set up the Opus encoder: {f0}"
            ),
        }
    }
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
    pub fn set_alone(&self, reason: Option<Said>) {
        *self.alone.lock().unwrap_or_else(|e| e.into_inner()) = reason;
    }

    /// Why nothing but this stream gets the sound, if so: the dashboard says it.
    pub fn alone(&self) -> Option<Said> {
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

/// The output's blocks to Ogg Opus pages: 20 ms packets ([`opus::Packets`]), pages of
/// 200 ms. No channel, no clock: what [`Listener`] runs for each block, and what the bench
/// measures.
pub struct Encoding {
    packets: opus::Packets,
    ogg: OggOpus,
}

impl Encoding {
    /// A new stream; its first bytes are the two Ogg Opus headers.
    pub fn new() -> Result<Encoding, ListenError> {
        let mut packets = opus::Packets::new().map_err(encoder)?;
        let pre_skip = packets.look_ahead().map_err(encoder)?;
        Ok(Encoding {
            packets,
            ogg: OggOpus::new(pre_skip as u16),
        })
    }

    /// Encode a block of the output mix (whole packets now, the rest with the next block).
    pub fn add(&mut self, block: &Block) {
        let ogg = &mut self.ogg;
        self.packets
            .add(block.format, &block.samples, |p| ogg.packet(p));
    }

    /// Encode `d` of silence.
    pub fn silence(&mut self, d: Duration) {
        let ogg = &mut self.ogg;
        self.packets.silence(d, |p| ogg.packet(p));
    }

    /// End the stream: its last page says so.
    pub fn end(&mut self) {
        self.ogg.end();
    }

    /// The pages finished since the last call, if any.
    pub fn take(&mut self) -> Option<Vec<u8>> {
        self.ogg.take()
    }
}

fn encoder(e: opus::OpusError) -> ListenError {
    ListenError::Encoder(e.to_string())
}

/// An Ogg Opus stream (RFC 7845): the two header pages, then one packet per 20 ms.
struct OggOpus {
    ogg: ogg::writing::PacketWriter<'static, Vec<u8>>,
    serial: u32,
    /// 48 kHz samples encoded so far (the Ogg Opus granule; the player drops the pre-skip).
    granule: u64,
    packets: u32,
}

impl OggOpus {
    fn new(pre_skip: u16) -> OggOpus {
        let mut s = OggOpus {
            ogg: ogg::writing::PacketWriter::new(Vec::new()),
            serial: fastrand::u32(..),
            granule: 0,
            packets: 0,
        };
        s.write(head(pre_skip), 0, ogg::writing::PacketWriteEndInfo::EndPage);
        s.write(tags(), 0, ogg::writing::PacketWriteEndInfo::EndPage);
        s
    }

    fn write(&mut self, packet: Vec<u8>, granule: u64, end: ogg::writing::PacketWriteEndInfo) {
        // Writing into a Vec cannot fail.
        let _ = self.ogg.write_packet(packet, self.serial, end, granule);
    }

    /// One 20 ms packet.
    fn packet(&mut self, packet: &[u8]) {
        self.granule += FRAME as u64;
        self.packets += 1;
        let end = if self.packets.is_multiple_of(PACKETS_PER_PAGE) {
            ogg::writing::PacketWriteEndInfo::EndPage
        } else {
            ogg::writing::PacketWriteEndInfo::NormalPacket
        };
        self.write(packet.to_vec(), self.granule, end);
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
