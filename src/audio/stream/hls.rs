//! HLS (`.m3u8`), which many Vietnamese stations publish: a master playlist names variants, a
//! media playlist lists the last few segments of a live stream and is reloaded as new ones
//! appear (the sliding window). [`HlsReader`] turns that into one continuous byte stream for
//! the demuxer: MPEG-TS segments as they are (the TS demuxer runs on top), packed audio
//! (`.aac`, `.mp3`) without the ID3 tag each segment starts with, and fMP4 as its init segment
//! followed by the fragments.
//!
//! Playlists are parsed by `m3u8-rs`; this module owns the choice of variant, the live edge,
//! the reload timing (RFC 8216 §6.3.4) and what to do when the window slides past us. HTTP requests
//! go through [`Http`] (their limits are its); it does not decode audio.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use m3u8_rs::{KeyMethod, MasterPlaylist, MediaPlaylist, Playlist, VariantStream};

use super::error::StreamError;
use super::http::{Http, MAX_PLAYLIST_BYTES};
use super::ts::TsDemux;
use super::url::StreamUrl;
use crate::model::Said;
use crate::model::said;

/// How far from the end of a live playlist to start, in segments (RFC 8216 §6.3.3 advises at
/// least three target durations, so that a slow segment never empties the buffer).
const LIVE_START_SEGMENTS: usize = 3;
/// Largest segment accepted (a minute of 320 kbit/s audio is 2.4 MB).
const MAX_SEGMENT_BYTES: u64 = 32 << 20;
/// Segments in a row that may fail to download before the stream counts as broken.
const MAX_SEGMENT_FAILURES: u32 = 3;
/// Highest variant bandwidth worth the line of a commune (bit/s); above it, the lowest.
const MAX_BANDWIDTH: u64 = 256_000;

/// How a stream's segments are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SegmentKind {
    /// MPEG transport stream.
    Ts,
    /// Bare audio frames (`aac` for ADTS, `mp3`), after an ID3 tag.
    Packed(&'static str),
    /// Fragmented MP4 after an init segment.
    Fmp4,
}

struct Segment {
    url: StreamUrl,
    /// The init segment (`EXT-X-MAP`) it needs.
    map: Option<StreamUrl>,
}

/// A live HLS stream as one byte stream.
pub(super) struct HlsReader {
    http: Http,
    /// The media playlist, after redirects.
    media: StreamUrl,
    kind: SegmentKind,
    queue: VecDeque<Segment>,
    /// Sequence number of the next segment to queue; `None` before the first load.
    next_seq: Option<u64>,
    target: Duration,
    ended: bool,
    last_reload: Instant,
    /// Whether the last reload brought new segments (then the next waits a whole target).
    grew: bool,
    /// When the playlist last brought a new segment.
    last_growth: Instant,
    /// The init segment in use (fMP4).
    map: Option<StreamUrl>,
    current: io::Cursor<Vec<u8>>,
}

impl HlsReader {
    /// Start reading the stream `playlist` (fetched from `url`) describes, at its live edge.
    /// Fetches the first segment, so that what the stream is is known before decoding.
    pub(super) fn open(
        http: Http,
        url: StreamUrl,
        playlist: &[u8],
    ) -> Result<(HlsReader, SegmentKind), StreamError> {
        let (media, playlist) = match parse(&url, playlist)? {
            Playlist::MediaPlaylist(p) => (url, p),
            Playlist::MasterPlaylist(master) => {
                let uri = choose_variant(&master).ok_or_else(|| StreamError::Playlist {
                    url: url.clone(),
                    detail: said!(
                        "không có luồng nào trong danh sách",
                        "the playlist lists no stream"
                    ),
                })?;
                let variant = url.join(&uri)?;
                let (media, body) = http.fetch(&variant, MAX_PLAYLIST_BYTES)?;
                match parse(&media, &body)? {
                    Playlist::MediaPlaylist(p) => (media, p),
                    Playlist::MasterPlaylist(_) => {
                        return Err(StreamError::Playlist {
                            url: media,
                            detail: said!(
                                "danh sách lồng danh sách",
                                "a master playlist inside another"
                            ),
                        });
                    }
                }
            }
        };
        let now = Instant::now();
        let mut reader = HlsReader {
            http,
            media,
            kind: SegmentKind::Ts,
            queue: VecDeque::new(),
            next_seq: None,
            target: Duration::from_secs(1),
            ended: false,
            last_reload: now,
            grew: true,
            last_growth: now,
            map: None,
            current: io::Cursor::new(Vec::new()),
        };
        reader.take_in(&playlist)?;
        let first = reader
            .next_segment_bytes()
            .map_err(|e| stream_error(&reader.media, e))?
            .ok_or_else(|| StreamError::Ended {
                url: reader.media.clone(),
            })?;
        reader.kind = segment_kind(&first.1).ok_or_else(|| StreamError::Playlist {
            url: reader.media.clone(),
            detail: said!(
                "đoạn không phải MPEG-TS, AAC, MP3 hay fMP4",
                "a segment that is not MPEG-TS, AAC, MP3 or fMP4"
            ),
        })?;
        let bytes = reader
            .prepare(first)
            .map_err(|e| stream_error(&reader.media, e))?;
        reader.current = io::Cursor::new(bytes);
        let kind = reader.kind;
        Ok((reader, kind))
    }

    /// The media playlist, after redirects (a master playlist's chosen variant).
    pub(super) fn media_url(&self) -> &StreamUrl {
        &self.media
    }

    /// The media playlist's target duration: how much a segment may hold.
    pub(super) fn target_duration(&self) -> Duration {
        self.target
    }

    /// Queue the segments of `playlist` not queued yet.
    fn take_in(&mut self, playlist: &MediaPlaylist) -> Result<(), StreamError> {
        if playlist
            .segments
            .iter()
            .any(|s| s.key.as_ref().is_some_and(|k| k.method != KeyMethod::None))
        {
            return Err(StreamError::Playlist {
                url: self.media.clone(),
                detail: said!(
                    "luồng được mã hoá (EXT-X-KEY), không tiếp sóng được",
                    "the stream is encrypted (EXT-X-KEY) and cannot be relayed"
                ),
            });
        }
        self.target = Duration::from_secs(playlist.target_duration.clamp(1, 60));
        self.ended = playlist.end_list;
        let first = playlist.media_sequence;
        let count = playlist.segments.len() as u64;
        if let Some(next) = self.next_seq.filter(|n| *n < first) {
            tracing::warn!(
                "HLS {}: bỏ lỡ {} đoạn / missed {} segments",
                self.media,
                first - next,
                first - next
            );
        }
        let from = window_start(self.next_seq, first, count, playlist.end_list);
        // m3u8-rs attaches EXT-X-MAP only to the segment right after it; it applies to all
        // that follow.
        let mut map = self.map.clone();
        let mut added = 0;
        for (seq, segment) in (first..).zip(&playlist.segments) {
            if let Some(m) = &segment.map {
                map = Some(self.media.join(&m.uri)?);
            }
            if seq >= from {
                self.queue.push_back(Segment {
                    url: self.media.join(&segment.uri)?,
                    map: map.clone(),
                });
                added += 1;
            }
        }
        self.next_seq = Some(from.max(first + count));
        self.grew = added > 0;
        if self.grew {
            self.last_growth = Instant::now();
        }
        Ok(())
    }

    /// Reload the media playlist, waiting as RFC 8216 asks between two loads.
    fn reload(&mut self) -> Result<(), StreamError> {
        let wait = if self.grew {
            self.target
        } else {
            self.target / 2
        };
        let since = self.last_reload.elapsed();
        if since < wait && !self.http.wait(wait - since) {
            return Err(StreamError::Ended {
                url: self.media.clone(),
            });
        }
        self.last_reload = Instant::now();
        let (_, body) = self.http.fetch(&self.media, MAX_PLAYLIST_BYTES)?;
        match parse(&self.media, &body)? {
            Playlist::MediaPlaylist(p) => self.take_in(&p)?,
            Playlist::MasterPlaylist(_) => {
                return Err(StreamError::Playlist {
                    url: self.media.clone(),
                    detail: said!(
                        "danh sách đổi thành danh sách chính",
                        "the playlist became a master playlist"
                    ),
                });
            }
        }
        // A live playlist that stops growing is a stream that is gone.
        let patience = self.target * 3 + self.http.stall();
        if !self.grew && !self.ended && self.last_growth.elapsed() > patience {
            return Err(StreamError::Stalled {
                url: self.media.clone(),
                seconds: patience.as_secs(),
            });
        }
        Ok(())
    }

    /// The next segment's bytes as downloaded, with the init segment it needs; `None` at the
    /// end of a finished playlist.
    fn next_segment_bytes(&mut self) -> io::Result<Option<(Option<StreamUrl>, Vec<u8>)>> {
        let mut failures = 0;
        loop {
            while self.queue.is_empty() {
                if self.ended {
                    return Ok(None);
                }
                self.reload().map_err(io::Error::other)?;
            }
            let Some(segment) = self.queue.pop_front() else {
                continue;
            };
            match self.http.fetch(&segment.url, MAX_SEGMENT_BYTES) {
                Ok((_, bytes)) => return Ok(Some((segment.map, bytes))),
                // A segment gone before we asked (we fell behind): try the next one.
                Err(e @ StreamError::Status { .. }) if failures + 1 < MAX_SEGMENT_FAILURES => {
                    tracing::warn!("{e}");
                    failures += 1;
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }

    /// What of a segment goes to the demuxer: packed audio without its ID3 tag, the first
    /// fMP4 fragment after its init segment.
    fn prepare(&mut self, (map, bytes): (Option<StreamUrl>, Vec<u8>)) -> io::Result<Vec<u8>> {
        match self.kind {
            SegmentKind::Ts => Ok(bytes),
            SegmentKind::Packed(_) => Ok(bytes[id3_len(&bytes).min(bytes.len())..].to_vec()),
            SegmentKind::Fmp4 if map == self.map => Ok(bytes),
            SegmentKind::Fmp4 if self.map.is_none() => {
                let mut all = match &map {
                    Some(url) => {
                        self.http
                            .fetch(url, MAX_SEGMENT_BYTES)
                            .map_err(io::Error::other)?
                            .1
                    }
                    None => Vec::new(),
                };
                self.map = map;
                all.extend_from_slice(&bytes);
                Ok(all)
            }
            // A new init segment mid-stream: the decoder must start again.
            SegmentKind::Fmp4 => Err(io::Error::other(StreamError::Playlist {
                url: self.media.clone(),
                detail: said!(
                    "đoạn khởi tạo fMP4 đổi giữa chừng",
                    "the fMP4 init segment changed"
                ),
            })),
        }
    }
}

impl Read for HlsReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let Some(next) = self.next_segment_bytes()? else {
                return Ok(0);
            };
            let bytes = self.prepare(next)?;
            self.current = io::Cursor::new(bytes);
        }
    }
}

/// The first sequence number to queue from a playlist whose window is `first..first + count`,
/// given the next one wanted (`None` before the first load).
fn window_start(next: Option<u64>, first: u64, count: u64, ended: bool) -> u64 {
    let live_edge = first + count.saturating_sub(LIVE_START_SEGMENTS as u64);
    match next {
        // First load: the live edge (or the start of a finished playlist).
        None if ended => first,
        None => live_edge,
        // The window slid past what we had (we were slow): carry on from its start.
        Some(next) if next < first => first,
        // The sequence went back (the encoder restarted): start again at the live edge.
        Some(next) if next > first + count + LIVE_START_SEGMENTS as u64 => live_edge,
        Some(next) => next,
    }
}

/// A playlist's text, parsed; a parser panic on damaged text is an error like any other.
fn parse(url: &StreamUrl, body: &[u8]) -> Result<Playlist, StreamError> {
    let broken = |detail: Said| StreamError::Playlist {
        url: url.clone(),
        detail,
    };
    let parsed = std::panic::catch_unwind(|| {
        m3u8_rs::parse_playlist_res(body)
            .map_err(|e| e.to_string().chars().take(200).collect::<String>())
    })
    .map_err(|_| broken(said!("danh sách hỏng", "the playlist is damaged")))?;
    parsed.map_err(|e| broken(Said::same(e)))
}

/// Which variant of a master playlist to play: the best audio-only one within a commune's
/// line, else a separate audio rendition, else the smallest variant (audio muxed with video).
fn choose_variant(master: &MasterPlaylist) -> Option<String> {
    let variants: Vec<&VariantStream> = master.variants.iter().filter(|v| !v.is_i_frame).collect();
    let audio_only: Vec<&&VariantStream> = variants.iter().filter(|v| is_audio_only(v)).collect();
    if let Some(best) = audio_only
        .iter()
        .filter(|v| v.bandwidth <= MAX_BANDWIDTH)
        .max_by_key(|v| v.bandwidth)
        .or_else(|| audio_only.iter().min_by_key(|v| v.bandwidth))
    {
        return Some(best.uri.clone());
    }
    if let Some(rendition) = master
        .alternatives
        .iter()
        .filter(|a| a.media_type == m3u8_rs::AlternativeMediaType::Audio)
        .filter_map(|a| a.uri.as_ref().map(|u| (a.default, u)))
        .max_by_key(|(default, _)| *default)
    {
        return Some(rendition.1.clone());
    }
    variants
        .iter()
        .min_by_key(|v| v.bandwidth)
        .map(|v| v.uri.clone())
}

fn is_audio_only(v: &VariantStream) -> bool {
    match &v.codecs {
        Some(codecs) => codecs.split(',').all(|c| {
            let c = c.trim().to_ascii_lowercase();
            ["mp4a", "mp3", "ac-3", "ec-3", "opus"]
                .iter()
                .any(|a| c.starts_with(a))
        }),
        None => v.resolution.is_none() && v.video.is_none(),
    }
}

/// How a segment is packed, from its first bytes.
fn segment_kind(bytes: &[u8]) -> Option<SegmentKind> {
    if TsDemux::looks_like(bytes) {
        return Some(SegmentKind::Ts);
    }
    if bytes.len() >= 8 && matches!(&bytes[4..8], b"ftyp" | b"styp" | b"moof" | b"sidx") {
        return Some(SegmentKind::Fmp4);
    }
    let audio = &bytes[id3_len(bytes).min(bytes.len())..];
    match audio {
        [0xFF, b, ..] if b & 0xF6 == 0xF0 => Some(SegmentKind::Packed("aac")),
        [0xFF, b, ..] if b & 0xE0 == 0xE0 => Some(SegmentKind::Packed("mp3")),
        _ => None,
    }
}

/// Length of the ID3v2 tag at the start of `bytes` (0 if none).
fn id3_len(bytes: &[u8]) -> usize {
    match bytes {
        [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..] => {
            let size = [s0, s1, s2, s3]
                .iter()
                .fold(0usize, |acc, b| (acc << 7) | usize::from(**b & 0x7F));
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            10 + size + footer
        }
        _ => 0,
    }
}

/// The relay's error inside an I/O error from the reader, or one made from it.
fn stream_error(url: &StreamUrl, e: io::Error) -> StreamError {
    match e.get_ref().and_then(|i| i.downcast_ref::<StreamError>()) {
        Some(inner) => inner.clone(),
        None => StreamError::Read {
            url: url.clone(),
            detail: Said::same(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(text: &str) -> MasterPlaylist {
        match m3u8_rs::parse_playlist_res(text.as_bytes()).unwrap() {
            Playlist::MasterPlaylist(m) => m,
            Playlist::MediaPlaylist(_) => panic!("not a master playlist"),
        }
    }

    #[test]
    fn the_audio_variant_within_the_line_is_chosen() {
        let m = master(
            "#EXTM3U\n\
             #EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS=\"avc1.4d401f,mp4a.40.2\",RESOLUTION=1280x720\nvideo.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=320000,CODECS=\"mp4a.40.2\"\nhi.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS=\"mp4a.40.5\"\nlo.m3u8\n\
             #EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\nmid.m3u8\n",
        );
        assert_eq!(choose_variant(&m).as_deref(), Some("mid.m3u8"));
        let video_only = master(
            "#EXTM3U\n\
             #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"Tiếng Việt\",DEFAULT=YES,URI=\"audio/vi.m3u8\"\n\
             #EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"a\",RESOLUTION=640x360\nv.m3u8\n",
        );
        assert_eq!(
            choose_variant(&video_only).as_deref(),
            Some("audio/vi.m3u8")
        );
        let radio = master("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=96000\nchunklist_w1.m3u8\n");
        assert_eq!(choose_variant(&radio).as_deref(), Some("chunklist_w1.m3u8"));
    }

    #[test]
    fn the_window_is_followed_from_the_live_edge() {
        // A live window of segments 100..110: start three from its end.
        assert_eq!(window_start(None, 100, 10, false), 107);
        assert_eq!(window_start(None, 0, 2, false), 0);
        // A finished playlist plays from its start.
        assert_eq!(window_start(None, 100, 10, true), 100);
        // Later loads carry on where we are, even when nothing is new yet.
        assert_eq!(window_start(Some(110), 101, 10, false), 110);
        assert_eq!(window_start(Some(111), 101, 10, false), 111);
        // Slower than the window: from its oldest segment.
        assert_eq!(window_start(Some(90), 101, 10, false), 101);
        // The encoder restarted its numbering: the live edge of the new window.
        assert_eq!(window_start(Some(5000), 0, 6, false), 3);
    }

    #[test]
    fn segments_are_told_apart_by_their_first_bytes() {
        let ts = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/tieng-440-aac.ts"),
        )
        .unwrap();
        assert_eq!(segment_kind(&ts), Some(SegmentKind::Ts));
        let mut packed = b"ID3\x04\x00\x00\x00\x00\x00\x3fPRIV".to_vec();
        packed.resize(10 + 0x3f, 0);
        packed.extend_from_slice(&[0xFF, 0xF1, 0x50, 0x80]);
        assert_eq!(id3_len(&packed), 10 + 0x3f);
        assert_eq!(segment_kind(&packed), Some(SegmentKind::Packed("aac")));
        assert_eq!(
            segment_kind(&[0xFF, 0xFB, 0x90, 0]),
            Some(SegmentKind::Packed("mp3"))
        );
        assert_eq!(segment_kind(b"\0\0\0\x18ftypiso6"), Some(SegmentKind::Fmp4));
        assert_eq!(segment_kind(b"\0\0\0\x18moof\0\0"), Some(SegmentKind::Fmp4));
        assert_eq!(segment_kind(b"<html><body>404</body></html>"), None);
    }

    #[test]
    fn damaged_playlists_are_errors_not_panics() {
        let url: StreamUrl = "http://127.0.0.1/a.m3u8".parse().unwrap();
        proptest::proptest!(|(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400))| {
            let mut text = b"#EXTM3U\n".to_vec();
            text.extend_from_slice(&body);
            let _ = parse(&url, &text);
        });
        for text in [
            "#EXTM3U\n#EXT-X-TARGETDURATION:abc\n",
            "#EXTM3U\n#EXTINF:\n",
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=\n",
            "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999999\n",
        ] {
            let _ = parse(&url, text.as_bytes());
        }
    }
}
