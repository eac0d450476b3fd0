//! Reaching a stream over HTTP(S) with ureq: every request bounded in time (connect, each read,
//! and the whole exchange by the relay's deadline), redirects followed a few times only, and
//! the answer judged before any decoder sees it: an error status, a web page, text, a listing
//! (`.pls`, `.m3u`) that points to the real stream, an HLS playlist, or audio. It does not decode,
//! parse playlists or decide what airs: it hands back bytes and what they are.

use std::io::{self, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ureq::ResponseExt;

use super::error::StreamError;
use super::url::StreamUrl;
use crate::model::Said;
use crate::model::said;

/// HTTP redirects followed for one request; more is a loop.
pub(super) const MAX_REDIRECTS: u32 = 5;
/// Listings (`.pls`, plain `.m3u`) followed to reach the stream itself.
const MAX_LISTINGS: u32 = 3;
/// Longest wait for a TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes looked at before judging what a body is.
const SNIFF_BYTES: usize = 16;
/// Largest listing or playlist read.
pub(super) const MAX_PLAYLIST_BYTES: u64 = 1 << 20;
/// Slice in which waits look at the stop flag and the deadline.
const WAIT_SLICE: Duration = Duration::from_millis(20);

/// The relay's HTTP client: one agent (connections reused for HLS segments), the deadline no
/// request may outlive, and the stop flag the player sets when the relay is taken off air.
#[derive(Clone)]
pub(super) struct Http {
    agent: ureq::Agent,
    deadline: Instant,
    stall: Duration,
    stop: Arc<AtomicBool>,
}

/// What a stream address serves, from its headers and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Served {
    /// Audio symphonia demuxes, known by this extension (`mp3`, `aac`, `ogg`).
    Audio(&'static str),
    /// A continuous MPEG transport stream.
    Ts,
    /// An HLS playlist (master or media).
    Hls,
    /// A `.pls` or plain `.m3u` listing naming the stream.
    Listing,
    /// A web page.
    Html,
    /// Something else, with its declared type.
    Other,
}

/// A response whose status was fine, ready to read.
pub(super) struct Answer {
    /// Where it came from, after redirects.
    pub(super) url: StreamUrl,
    /// `Content-Type` without parameters, lower case.
    pub(super) content_type: String,
    /// `icy-metaint`, when the server interleaves ICY metadata.
    pub(super) icy_interval: Option<usize>,
    body: ureq::Body,
}

impl Http {
    /// A client whose requests all end by `deadline`, and whose reads give up after `stall`
    /// without data.
    pub(super) fn new(deadline: Instant, stall: Duration, stop: Arc<AtomicBool>) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .max_redirects_will_error(true)
            .user_agent(concat!("LoaXa/", env!("CARGO_PKG_VERSION"), " (tiep-song)"))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_per_read(Some(stall))
            .build()
            .into();
        Http {
            agent,
            deadline,
            stall,
            stop,
        }
    }

    /// Time left before the deadline, `None` once it passed or the relay was stopped.
    pub(super) fn remaining(&self) -> Option<Duration> {
        if self.stopped() {
            return None;
        }
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// Whether the relay was taken off air.
    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Wait `d`, or less if the relay stops or its deadline comes first; whether it may go on.
    pub(super) fn wait(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        loop {
            let Some(left) = self.remaining() else {
                return false;
            };
            let now = Instant::now();
            if now >= until {
                return true;
            }
            std::thread::sleep(WAIT_SLICE.min(until - now).min(left));
        }
    }

    /// How long a read may wait for data.
    pub(super) fn stall(&self) -> Duration {
        self.stall
    }

    /// GET `url`, asking for ICY metadata when `icy` (we strip it, and log the titles).
    pub(super) fn get(&self, url: &StreamUrl, icy: bool) -> Result<Answer, StreamError> {
        let Some(left) = self.remaining() else {
            return Err(StreamError::Ended { url: url.clone() });
        };
        let mut request = self.agent.get(url.as_str());
        if icy {
            request = request.header("Icy-MetaData", "1");
        }
        let response = request
            .config()
            .timeout_global(Some(left))
            .build()
            .call()
            .map_err(|e| self.request_error(url, e))?;
        let final_url = response
            .get_uri()
            .to_string()
            .parse::<StreamUrl>()
            .unwrap_or_else(|_| url.clone());
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(StreamError::Status {
                url: final_url,
                code: status,
            });
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let content_type = header("content-type")
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let icy_interval = header("icy-metaint")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=1 << 20).contains(n));
        Ok(Answer {
            url: final_url,
            content_type,
            icy_interval,
            body: response.into_body(),
        })
    }

    /// A whole small body (a playlist, a segment), at most `limit` bytes.
    pub(super) fn fetch(
        &self,
        url: &StreamUrl,
        limit: u64,
    ) -> Result<(StreamUrl, Vec<u8>), StreamError> {
        let mut answer = self.get(url, false)?;
        let bytes = answer
            .body
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| self.read_error(&answer.url, e))?;
        Ok((answer.url, bytes))
    }

    fn request_error(&self, url: &StreamUrl, e: ureq::Error) -> StreamError {
        match e {
            ureq::Error::TooManyRedirects => StreamError::TooManyRedirects {
                url: url.clone(),
                max: MAX_REDIRECTS,
            },
            ureq::Error::Timeout(_) if self.remaining().is_none() => {
                StreamError::Ended { url: url.clone() }
            }
            ureq::Error::Timeout(_) => StreamError::Stalled {
                url: url.clone(),
                seconds: self.stall.as_secs(),
            },
            ureq::Error::HostNotFound => StreamError::HostNotFound { url: url.clone() },
            ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                StreamError::Refused { url: url.clone() }
            }
            other => StreamError::Unreachable {
                url: url.clone(),
                detail: Said::same(other.to_string()),
            },
        }
    }

    fn read_error(&self, url: &StreamUrl, e: ureq::Error) -> StreamError {
        match e {
            ureq::Error::Timeout(_) => StreamError::Stalled {
                url: url.clone(),
                seconds: self.stall.as_secs(),
            },
            ureq::Error::BodyExceedsLimit(limit) => StreamError::Playlist {
                url: url.clone(),
                detail: said!("lớn quá {limit} byte", "larger than {limit} bytes"),
            },
            other => StreamError::Read {
                url: url.clone(),
                detail: Said::same(other.to_string()),
            },
        }
    }

    /// An I/O error from reading a stream's body, as the relay reports it.
    pub(super) fn io_error(&self, url: &StreamUrl, e: &io::Error) -> StreamError {
        let timed_out = e.kind() == io::ErrorKind::TimedOut
            || e.get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)));
        if timed_out {
            StreamError::Stalled {
                url: url.clone(),
                seconds: self.stall.as_secs(),
            }
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            StreamError::Ended { url: url.clone() }
        } else {
            StreamError::Read {
                url: url.clone(),
                detail: Said::same(e.to_string()),
            }
        }
    }
}

impl Answer {
    /// The body as a reader, with its first bytes read to judge what it is.
    pub(super) fn into_reader(self, http: &Http) -> Result<Peeked, StreamError> {
        let mut reader: Box<dyn Read + Send> = Box::new(self.body.into_reader());
        if let Some(interval) = self.icy_interval {
            let title = super::icy::Title::default();
            reader = Box::new(super::icy::IcyReader::new(reader, interval, title.clone()));
            return Peeked::read(self.url, self.content_type, reader, Some(title), http);
        }
        Peeked::read(self.url, self.content_type, reader, None, http)
    }
}

/// A body with its first bytes in hand.
pub(super) struct Peeked {
    /// Where it came from.
    pub(super) url: StreamUrl,
    /// What it is.
    pub(super) served: Served,
    /// Its declared type, for messages.
    pub(super) content_type: String,
    /// ICY stream titles, when the server sends them.
    pub(super) title: Option<super::icy::Title>,
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
}

impl Peeked {
    fn read(
        url: StreamUrl,
        content_type: String,
        mut rest: Box<dyn Read + Send>,
        title: Option<super::icy::Title>,
        http: &Http,
    ) -> Result<Peeked, StreamError> {
        let mut head = vec![0u8; SNIFF_BYTES];
        let mut n = 0;
        while n < head.len() {
            match rest.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(http.io_error(&url, &e)),
            }
        }
        head.truncate(n);
        if head.is_empty() {
            return Err(StreamError::Ended { url });
        }
        let served = judge(&content_type, &head);
        Ok(Peeked {
            url,
            served,
            content_type,
            title,
            head,
            rest,
        })
    }

    /// The whole body again, first bytes included.
    pub(super) fn into_reader(self) -> Box<dyn Read + Send> {
        Box::new(Cursor::new(self.head).chain(self.rest))
    }

    /// The rest of a small body (a listing, a playlist), at most `limit` bytes in all.
    pub(super) fn read_all(self, limit: u64, http: &Http) -> Result<Vec<u8>, StreamError> {
        let url = self.url.clone();
        let mut all = Vec::new();
        self.into_reader()
            .take(limit + 1)
            .read_to_end(&mut all)
            .map_err(|e| http.io_error(&url, &e))?;
        if all.len() as u64 > limit {
            return Err(StreamError::Playlist {
                url,
                detail: said!("lớn quá {limit} byte", "larger than {limit} bytes"),
            });
        }
        Ok(all)
    }
}

/// What a body is, from its declared type and its first bytes (which win: servers often
/// declare `application/octet-stream`, or `text/html` for an error page with status 200).
pub(super) fn judge(content_type: &str, head: &[u8]) -> Served {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("#extm3u") || text.starts_with("#ext-x-") {
        // Plain `.m3u` listings start so too; the playlist parser tells them apart.
        return Served::Hls;
    }
    if text.starts_with("[playlist]") {
        return Served::Listing;
    }
    if text.starts_with("<!doctype")
        || text.starts_with("<html")
        || text.starts_with("<head")
        || text.starts_with("<?xml")
        || content_type == "text/html"
        || content_type == "application/xhtml+xml"
    {
        return Served::Html;
    }
    if head.starts_with(b"OggS") {
        return Served::Audio("ogg");
    }
    if super::ts::TsDemux::looks_like(head) {
        return Served::Ts;
    }
    if let Some(ext) = mpeg_audio(head) {
        return Served::Audio(ext);
    }
    match content_type {
        "audio/mpeg" | "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" => Served::Audio("mp3"),
        "audio/aac" | "audio/aacp" | "audio/x-aac" | "audio/adts" => Served::Audio("aac"),
        "audio/ogg" | "application/ogg" | "audio/opus" | "audio/vorbis" | "audio/x-ogg" => {
            Served::Audio("ogg")
        }
        "video/mp2t" | "video/mpeg" => Served::Ts,
        "application/vnd.apple.mpegurl" | "application/x-mpegurl" => Served::Hls,
        "audio/x-mpegurl" | "audio/mpegurl" | "audio/x-scpls" => Served::Listing,
        _ if looks_like_a_url_list(text) => Served::Listing,
        _ => Served::Other,
    }
}

/// MPEG audio or ADTS by its first bytes: an ID3 tag (ID3-tagged streams are MP3; packed HLS
/// audio is handled apart) or a frame sync, ADTS having layer bits 00.
fn mpeg_audio(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"ID3") {
        return Some("mp3");
    }
    match head {
        [0xFF, b, ..] if b & 0xF6 == 0xF0 => Some("aac"),
        [0xFF, b, ..] if b & 0xE0 == 0xE0 && b & 0x06 != 0 => Some("mp3"),
        _ => None,
    }
}

fn looks_like_a_url_list(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

/// The first stream a `.pls` or plain `.m3u` listing names.
pub(super) fn listing_entry(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    text.lines().map(str::trim).find_map(|line| {
        let value = match line.split_once('=') {
            // `.pls`: `File1=http://…`
            Some((key, value)) if key.to_ascii_lowercase().starts_with("file") => value.trim(),
            _ if line.starts_with('#') || line.is_empty() => return None,
            _ => line,
        };
        (value.starts_with("http://") || value.starts_with("https://")).then(|| value.to_string())
    })
}

/// What an address leads to, once listings are followed.
pub(super) enum Reached {
    /// A stream of audio or of MPEG-TS, its first bytes read.
    Stream(Peeked),
    /// An HLS playlist, read whole.
    Hls {
        /// Where it came from, after redirects: its entries are relative to this.
        url: StreamUrl,
        /// Its text.
        playlist: Vec<u8>,
    },
}

/// Follow listings from `url` until something that is not one.
pub(super) fn reach(http: &Http, url: &StreamUrl) -> Result<Reached, StreamError> {
    let mut url = url.clone();
    for _ in 0..=MAX_LISTINGS {
        let peeked = http.get(&url, true)?.into_reader(http)?;
        let listing = match peeked.served {
            Served::Html => return Err(StreamError::Html { url: peeked.url }),
            Served::Other => {
                return Err(StreamError::NotAudio {
                    content_type: if peeked.content_type.is_empty() {
                        "?".to_string()
                    } else {
                        peeked.content_type.clone()
                    },
                    url: peeked.url,
                });
            }
            Served::Audio(_) | Served::Ts => return Ok(Reached::Stream(peeked)),
            Served::Hls | Served::Listing => {
                let base = peeked.url.clone();
                let body = peeked.read_all(MAX_PLAYLIST_BYTES, http)?;
                if is_hls(&body) {
                    return Ok(Reached::Hls {
                        url: base,
                        playlist: body,
                    });
                }
                (base, body)
            }
        };
        let (base, body) = listing;
        let entry =
            listing_entry(&body).ok_or_else(|| StreamError::EmptyListing { url: base.clone() })?;
        url = base.join(&entry)?;
    }
    Err(StreamError::TooManyRedirects {
        url,
        max: MAX_LISTINGS,
    })
}

/// An HLS playlist, as opposed to a plain `.m3u` listing: it has HLS's own tags.
fn is_hls(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.contains("#EXT-X-TARGETDURATION") || text.contains("#EXT-X-STREAM-INF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_judged_by_their_bytes_first() {
        assert_eq!(judge("audio/mpeg", b"<!DOCTYPE html><html>"), Served::Html);
        assert_eq!(judge("text/html", b"\xff\xfb\x90\x00"), Served::Html);
        assert_eq!(
            judge("application/octet-stream", b"OggS\0\x02"),
            Served::Audio("ogg")
        );
        assert_eq!(judge("", b"\xff\xf1\x50\x80"), Served::Audio("aac"));
        assert_eq!(judge("", b"\xff\xfb\x90\x64"), Served::Audio("mp3"));
        assert_eq!(judge("audio/aacp", b"\0\0\0\0junk"), Served::Audio("aac"));
        assert_eq!(
            judge("text/plain", b"#EXTM3U\n#EXT-X-VERSION:3"),
            Served::Hls
        );
        assert_eq!(
            judge("audio/x-scpls", b"[playlist]\nFile1="),
            Served::Listing
        );
        assert_eq!(
            judge("text/plain", b"http://radio/a.mp3\n"),
            Served::Listing
        );
        assert_eq!(judge("application/json", b"{\"error\": 1}"), Served::Other);
        assert_eq!(judge("image/png", b"\x89PNG\r\n\x1a\n"), Served::Other);
    }

    #[test]
    fn listings_name_their_first_stream() {
        let pls = b"[playlist]\nNumberOfEntries=2\nFile1=http://s1.example.vn:8000/vov1\nTitle1=VOV1\nFile2=http://s2/\n";
        assert_eq!(
            listing_entry(pls).as_deref(),
            Some("http://s1.example.vn:8000/vov1")
        );
        let m3u = b"#EXTM3U\n#EXTINF:-1,VOV Giao thong\nhttps://s.example.vn/live.aac\n";
        assert_eq!(
            listing_entry(m3u).as_deref(),
            Some("https://s.example.vn/live.aac")
        );
        assert_eq!(listing_entry(b"[playlist]\nNumberOfEntries=0\n"), None);
        assert!(!is_hls(m3u));
        assert!(is_hls(
            b"#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n"
        ));
        assert!(is_hls(
            b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000\nchunklist.m3u8\n"
        ));
        assert_eq!(listing_entry(b"File1=file:///etc/passwd\n"), None);
    }
}
