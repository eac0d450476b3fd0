//! ICY (Shoutcast/Icecast) in-stream metadata: when a server says `icy-metaint: N`, every N
//! bytes of audio are followed by one length byte L and L × 16 bytes of text such as
//! `StreamTitle='Thời sự 5 giờ';`. [`IcyReader`] removes those blocks so the decoder sees only
//! audio, and keeps the latest title for the log. It does not touch the network or the audio bytes:
//! it only takes the metadata blocks out.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// The stream title as last announced, shared with whoever reports it.
pub(super) type Title = Arc<Mutex<Option<String>>>;

/// Audio bytes of an ICY stream, without its metadata blocks.
pub(super) struct IcyReader<R> {
    inner: R,
    interval: usize,
    /// Audio bytes left before the next metadata block.
    left: usize,
    title: Title,
}

impl<R: Read> IcyReader<R> {
    /// Strip the metadata blocks `inner` carries every `interval` bytes (the `icy-metaint`
    /// header), keeping the latest title in `title`.
    pub(super) fn new(inner: R, interval: usize, title: Title) -> Self {
        IcyReader {
            inner,
            interval,
            left: interval,
            title,
        }
    }

    fn skip_metadata(&mut self) -> io::Result<()> {
        let mut len = [0u8; 1];
        self.inner.read_exact(&mut len)?;
        let mut block = vec![0u8; usize::from(len[0]) * 16];
        self.inner.read_exact(&mut block)?;
        if let Some(t) = stream_title(&block) {
            *self.title.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
        }
        self.left = self.interval;
        Ok(())
    }
}

impl<R: Read> Read for IcyReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.skip_metadata()?;
        }
        let want = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n;
        Ok(n)
    }
}

/// The `StreamTitle='…';` of a metadata block, if it names one (empty titles are none).
fn stream_title(block: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(block);
    let text = text.trim_end_matches('\0');
    let start = text.find("StreamTitle='")? + "StreamTitle='".len();
    let rest = &text[start..];
    // The title ends at the quote that closes the field: `';` (a title may hold apostrophes).
    let end = rest.find("';").unwrap_or(rest.len());
    let title = unescape(rest[..end].trim());
    (!title.is_empty()).then_some(title)
}

/// Icecast writes letters outside ASCII as XML character references (`Th&#7901;i s&#7921;`)
/// unless the mount's charset is set: read them back, and the usual named ones.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ICY stream: `audio` with a metadata block after every `interval` bytes.
    fn interleave(audio: &[u8], interval: usize, meta: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut blocks = meta.iter().cycle();
        for chunk in audio.chunks(interval) {
            out.extend_from_slice(chunk);
            if chunk.len() == interval {
                let text = blocks.next().copied().unwrap_or("");
                let len = text.len().div_ceil(16);
                out.push(len as u8);
                let mut padded = text.as_bytes().to_vec();
                padded.resize(len * 16, 0);
                out.extend_from_slice(&padded);
            }
        }
        out
    }

    #[test]
    fn metadata_blocks_are_removed_whatever_the_read_sizes() {
        let audio: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let wire = interleave(
            &audio,
            1000,
            &[
                "StreamTitle='Thời sự 5 giờ';StreamUrl='';",
                "",
                "StreamTitle='';",
            ],
        );
        for step in [1, 7, 999, 1000, 1001, 4096] {
            let title = Title::default();
            let mut r = IcyReader::new(wire.as_slice(), 1000, title.clone());
            let mut got = Vec::new();
            let mut buf = vec![0u8; step];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, audio, "read size {step}");
            assert_eq!(title.lock().unwrap().as_deref(), Some("Thời sự 5 giờ"));
        }
    }

    #[test]
    fn titles_with_apostrophes_and_empty_titles() {
        assert_eq!(
            stream_title(b"StreamTitle='Giai \xc4\x91i\xe1\xbb\x87u 'X';StreamUrl='';\0\0"),
            Some("Giai điệu 'X".to_string())
        );
        assert_eq!(stream_title(b"StreamTitle='';\0\0\0"), None);
        // As Icecast 2.4 sends a title set through its admin page.
        assert_eq!(
            stream_title(
                b"StreamTitle='Th&#7901;i s&#7921; &amp; &#x110;\xe1\xbb\x9di s\xe1\xbb\x91ng';"
            ),
            Some("Thời sự & Đời sống".to_string())
        );
        assert_eq!(unescape("R&B &x; &#99999999; &"), "R&B &x; &#99999999; &");
        assert_eq!(stream_title(b"\0\0\0\0"), None);
    }

    #[test]
    fn a_stream_cut_inside_a_metadata_block_is_an_error_not_audio() {
        let mut wire = vec![1u8; 100];
        wire.push(2); // announces 32 bytes of metadata, only 3 follow
        wire.extend_from_slice(b"Str");
        let mut r = IcyReader::new(wire.as_slice(), 100, Title::default());
        let mut got = Vec::new();
        let err = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(got, vec![1u8; 100]);
    }
}
