//! MPEG transport stream (what most HLS stations' segments are, and some stations' plain HTTP
//! streams) to the bare audio inside: the PES payload of the first audio stream the PMT names,
//! AAC in ADTS frames or MPEG audio (MP3), which symphonia's demuxers then read.
//!
//! symphonia has no MPEG-TS demuxer. `mpeg2ts-reader` (kept up by its author, fuzzed, with PSI
//! CRC and continuity checks) parses the packets and tables; this module owns only the glue:
//! finding packet boundaries in bytes that arrive in any sizes (and finding them again after
//! garbage), choosing the audio stream, and collecting its payload. It does not decode audio or
//! reach the network: it takes bytes in and gives the audio bytes out.

use std::io::{self, Read};

use mpeg2ts_reader::demultiplex::{
    Demultiplex, DemuxContext, FilterChangeset, FilterRequest, NullPacketFilter, PatPacketFilter,
    PmtPacketFilter,
};
use mpeg2ts_reader::packet::{Packet, Pid};
use mpeg2ts_reader::pes::{self, ElementaryStreamConsumer, PesContents, PesHeader};
use mpeg2ts_reader::{StreamType, packet_filter_switch, psi};

/// The audio codec carried in a transport stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TsAudio {
    /// AAC in ADTS frames (stream type 0x0F).
    Adts,
    /// MPEG-1/2 audio: MP3 or MP2 (stream types 0x03, 0x04).
    Mpeg,
}

impl TsAudio {
    /// The file extension symphonia knows this elementary stream by.
    pub(super) fn extension(self) -> &'static str {
        match self {
            TsAudio::Adts => "aac",
            TsAudio::Mpeg => "mp3",
        }
    }

    fn from_stream_type(t: StreamType) -> Option<TsAudio> {
        match t {
            StreamType::ADTS => Some(TsAudio::Adts),
            StreamType::ISO_11172_AUDIO | StreamType::ISO_138183_AUDIO => Some(TsAudio::Mpeg),
            _ => None,
        }
    }
}

packet_filter_switch! {
    TsFilter<TsContext> {
        Audio: pes::PesPacketFilter<TsContext, AudioConsumer>,
        Pat: PatPacketFilter<TsContext>,
        Pmt: PmtPacketFilter<TsContext>,
        Null: NullPacketFilter<TsContext>,
    }
}

/// What the demultiplexer's callbacks write into. (`pub` because the filter switch macro makes
/// a `pub` enum over it; the module is private.)
pub struct TsContext {
    changeset: FilterChangeset<TsFilter>,
    /// The audio stream chosen, once a PMT named one.
    audio: Option<(Pid, TsAudio)>,
    /// Audio payload not yet taken.
    out: Vec<u8>,
    /// Times a packet of the audio stream went missing.
    gaps: u64,
}

impl DemuxContext for TsContext {
    type F = TsFilter;

    fn filter_changeset(&mut self) -> &mut FilterChangeset<TsFilter> {
        &mut self.changeset
    }

    fn construct(&mut self, req: FilterRequest<'_, '_>) -> TsFilter {
        match req {
            FilterRequest::ByPid(psi::pat::PAT_PID) => TsFilter::Pat(PatPacketFilter::default()),
            FilterRequest::Pmt {
                pid,
                program_number,
            } => TsFilter::Pmt(PmtPacketFilter::new(pid, program_number)),
            FilterRequest::ByStream {
                stream_type,
                stream_info,
                ..
            } => {
                let pid = stream_info.elementary_pid();
                match (self.audio, TsAudio::from_stream_type(stream_type)) {
                    // The first audio stream, and the same one when a later PMT names it again.
                    (None, Some(codec)) => {
                        self.audio = Some((pid, codec));
                        TsFilter::Audio(pes::PesPacketFilter::new(AudioConsumer))
                    }
                    (Some((chosen, _)), Some(_)) if chosen == pid => {
                        TsFilter::Audio(pes::PesPacketFilter::new(AudioConsumer))
                    }
                    _ => TsFilter::Null(NullPacketFilter::default()),
                }
            }
            FilterRequest::ByPid(_) | FilterRequest::Nit { .. } => {
                TsFilter::Null(NullPacketFilter::default())
            }
        }
    }
}

/// Appends the audio stream's PES payload to the context.
pub struct AudioConsumer;

impl ElementaryStreamConsumer<TsContext> for AudioConsumer {
    fn start_stream(&mut self, _: &mut TsContext) {}

    fn begin_packet(&mut self, ctx: &mut TsContext, header: PesHeader<'_>) {
        match header.contents() {
            PesContents::Parsed(Some(parsed)) => ctx.out.extend_from_slice(parsed.payload()),
            PesContents::Payload(payload) => ctx.out.extend_from_slice(payload),
            PesContents::Parsed(None) => {}
        }
    }

    fn continue_packet(&mut self, ctx: &mut TsContext, data: &[u8]) {
        ctx.out.extend_from_slice(data);
    }

    fn end_packet(&mut self, _: &mut TsContext) {}

    fn continuity_error(&mut self, ctx: &mut TsContext) {
        // ADTS and MPEG audio frames carry their own sync words: the decoder finds the next
        // frame by itself, so a gap costs only the frame it fell in.
        ctx.gaps += 1;
    }
}

/// A transport stream demultiplexer fed with bytes in any sizes.
pub(super) struct TsDemux {
    ctx: TsContext,
    demux: Demultiplex<TsContext>,
    /// Bytes not yet making a whole packet.
    pending: Vec<u8>,
}

impl TsDemux {
    /// A demultiplexer waiting for its first PAT.
    pub(super) fn new() -> TsDemux {
        let mut ctx = TsContext {
            changeset: FilterChangeset::default(),
            audio: None,
            out: Vec::new(),
            gaps: 0,
        };
        let demux = Demultiplex::new(&mut ctx);
        TsDemux {
            ctx,
            demux,
            pending: Vec::new(),
        }
    }

    /// Take in more of the stream.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        while at + Packet::SIZE <= self.pending.len() {
            if !Packet::is_sync_byte(self.pending[at]) {
                at += 1;
                continue;
            }
            // A sync byte inside a payload is not a packet start: the next packet must begin
            // with one too, when we already have its first byte.
            let next = at + Packet::SIZE;
            if next < self.pending.len() && !Packet::is_sync_byte(self.pending[next]) {
                at += 1;
                continue;
            }
            let packet = &self.pending[at..next];
            let (demux, ctx) = (&mut self.demux, &mut self.ctx);
            // The library is not expected to panic on damaged input, but a relay must not take
            // the player thread down if it does: drop the packet instead.
            let pushed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                demux.push(ctx, packet);
            }));
            if pushed.is_err() {
                tracing::warn!("gói MPEG-TS hỏng bị bỏ / dropped a damaged MPEG-TS packet");
            }
            at = next;
        }
        self.pending.drain(..at);
    }

    /// The audio stream, once the tables named one.
    pub(super) fn audio(&self) -> Option<TsAudio> {
        self.ctx.audio.map(|(_, codec)| codec)
    }

    /// The audio payload demultiplexed so far, emptying it.
    pub(super) fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.ctx.out)
    }

    /// Whether `head` starts like a transport stream (a sync byte every 188 bytes).
    pub(super) fn looks_like(head: &[u8]) -> bool {
        let syncs = head
            .iter()
            .step_by(Packet::SIZE)
            .take(3)
            .filter(|b| Packet::is_sync_byte(**b))
            .count();
        !head.is_empty() && syncs == head.len().div_ceil(Packet::SIZE).min(3)
    }
}

/// Most bytes read looking for the audio stream before giving up (a video-only stream).
const MAX_SEARCH_BYTES: usize = 2 << 20;

/// The audio inside a transport stream read from `inner`, as a byte stream.
pub(super) struct TsStream<R> {
    inner: R,
    demux: TsDemux,
    out: io::Cursor<Vec<u8>>,
}

impl<R: Read> TsStream<R> {
    /// Read until the tables name an audio stream and its first bytes arrive.
    pub(super) fn open(inner: R) -> io::Result<(TsStream<R>, TsAudio)> {
        let mut stream = TsStream {
            inner,
            demux: TsDemux::new(),
            out: io::Cursor::new(Vec::new()),
        };
        let mut searched = 0;
        loop {
            let n = stream.fill()?;
            searched += n;
            if let (Some(codec), false) = (stream.demux.audio(), stream.out.get_ref().is_empty()) {
                return Ok((stream, codec));
            }
            if n == 0 || searched > MAX_SEARCH_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "không có âm thanh AAC hay MP3 trong luồng MPEG-TS / no AAC or MP3 audio in the MPEG-TS stream",
                ));
            }
        }
    }

    /// Read some of the transport stream and demultiplex it; bytes read (0 at its end).
    fn fill(&mut self) -> io::Result<usize> {
        let mut buf = [0u8; Packet::SIZE * 32];
        let n = self.inner.read(&mut buf)?;
        self.demux.push(&buf[..n]);
        let mut out = std::mem::take(self.out.get_mut());
        out.drain(..(self.out.position() as usize).min(out.len()));
        out.extend(self.demux.take());
        self.out = io::Cursor::new(out);
        Ok(n)
    }
}

impl<R: Read> Read for TsStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.out.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            if self.fill()? == 0 {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap()
    }

    /// All the audio payload of `ts`, pushed in pieces of `step` bytes.
    fn demux_all(ts: &[u8], step: usize) -> (Option<TsAudio>, Vec<u8>) {
        let mut d = TsDemux::new();
        let mut out = Vec::new();
        for piece in ts.chunks(step) {
            d.push(piece);
            out.extend(d.take());
        }
        (d.audio(), out)
    }

    #[test]
    fn aac_in_ts_comes_out_as_adts_frames_whatever_the_piece_sizes() {
        let ts = fixture("tieng-440-aac.ts");
        let (codec, whole) = demux_all(&ts, ts.len());
        assert_eq!(codec, Some(TsAudio::Adts));
        // ADTS frames back to back: each starts with the 0xFFF sync and says its length.
        let mut at = 0;
        let mut frames = 0;
        while at + 7 <= whole.len() {
            assert_eq!(whole[at], 0xFF, "frame {frames} at {at}");
            assert_eq!(whole[at + 1] & 0xF6, 0xF0);
            let len = (usize::from(whole[at + 3] & 0x03) << 11)
                | (usize::from(whole[at + 4]) << 3)
                | usize::from(whole[at + 5] >> 5);
            at += len;
            frames += 1;
        }
        assert_eq!(at, whole.len(), "the payload ends on a frame boundary");
        // One second of 44.1 kHz AAC is 43 frames of 1024 samples.
        assert!((40..=50).contains(&frames), "{frames} frames");
        for step in [1, 100, 188, 189, 4096] {
            assert_eq!(demux_all(&ts, step).1, whole, "pieces of {step}");
        }
    }

    #[test]
    fn mp3_in_ts_is_found_too() {
        let (codec, payload) = demux_all(&fixture("tieng-1000-mp3.ts"), 1000);
        assert_eq!(codec, Some(TsAudio::Mpeg));
        assert_eq!(payload[0], 0xFF);
        assert_eq!(payload[1] & 0xE0, 0xE0);
    }

    #[test]
    fn garbage_before_and_inside_is_skipped() {
        let ts = fixture("tieng-440-aac.ts");
        let clean = demux_all(&ts, 4096).1;
        let mut damaged = b"HTTP junk \x47\x47 more junk".to_vec();
        damaged.extend_from_slice(&ts[..188 * 20]);
        damaged.extend_from_slice(&[0x47, 1, 2, 3, 4, 5]);
        damaged.extend_from_slice(&ts[188 * 20..]);
        let (codec, payload) = demux_all(&damaged, 333);
        assert_eq!(codec, Some(TsAudio::Adts));
        // Everything but what the garbage replaced is still there.
        assert!(
            payload.len() + 188 * 2 >= clean.len(),
            "{} of {}",
            payload.len(),
            clean.len()
        );
        let mut noise = TsDemux::new();
        noise.push(
            &(0..50_000u32)
                .map(|i| (i * 7919 % 256) as u8)
                .collect::<Vec<_>>(),
        );
        assert_eq!(noise.audio(), None);
        assert!(noise.take().is_empty());
    }

    #[test]
    fn transport_streams_are_told_from_other_bytes() {
        let ts = fixture("tieng-440-aac.ts");
        assert!(TsDemux::looks_like(&ts[..600]));
        assert!(TsDemux::looks_like(&ts[..100]));
        assert!(!TsDemux::looks_like(b"ID3\x04\0\0\0\0\0\0"));
        assert!(!TsDemux::looks_like(&[]));
        let mut shifted = vec![0u8];
        shifted.extend_from_slice(&ts[..600]);
        assert!(!TsDemux::looks_like(&shifted));
    }
}
