//! Telling what a file is from its first bytes, before any demuxer sees it: text, pictures and
//! documents are refused as "not audio", and audio formats we do not decode (AMR, WMA...) are
//! named, so the user learns how to convert them.

use std::io::Read;

/// What a non-audio file looks like, in Vietnamese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Looks(pub &'static str, pub &'static str);

pub(super) const TEXT: Looks = Looks("văn bản", "text");
pub(super) const UNKNOWN: Looks = Looks("một định dạng không nhận ra", "an unrecognised format");

pub(super) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What the first bytes of a file say it is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Sniffed {
    /// Possibly audio: let the demuxers decide.
    Candidate,
    /// A known audio format we do not decode.
    Unsupported(&'static str),
    /// Recognisably not audio.
    NotAudio(Looks),
}

pub(super) fn sniff(head: &[u8]) -> Sniffed {
    const UNSUPPORTED: &[(&[u8], &str)] = &[
        (b"#!AMR-WB", "AMR-WB"),
        (b"#!AMR", "AMR"),
        (&[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11], "WMA/ASF"),
        (b".RMF", "RealAudio"),
        (b".ra\xfd", "RealAudio"),
        (b"MAC ", "Monkey's Audio (APE)"),
        (b"wvpk", "WavPack"),
        (b"MPCK", "Musepack"),
        (b"FORM", "AIFF"),
        (b"#!SILK", "SILK"),
    ];
    const NOT_AUDIO: &[(&[u8], Looks)] = &[
        (b"%PDF", Looks("một tài liệu PDF", "a PDF document")),
        (b"\x89PNG", Looks("một ảnh PNG", "a PNG picture")),
        (b"\xff\xd8\xff", Looks("một ảnh JPEG", "a JPEG picture")),
        (b"GIF8", Looks("một ảnh GIF", "a GIF picture")),
        (
            b"PK\x03\x04",
            Looks("một tệp nén ZIP hoặc Office", "a ZIP or Office file"),
        ),
        (b"\x7fELF", Looks("một chương trình", "a program")),
        (b"<!DOCTYPE", Looks("một trang web", "a web page")),
        (b"<html", Looks("một trang web", "a web page")),
        (b"Rar!", Looks("một tệp nén RAR", "a RAR archive")),
        (
            b"\xd0\xcf\x11\xe0",
            Looks("một tài liệu Office cũ", "an old Office document"),
        ),
    ];
    if let Some((_, name)) = UNSUPPORTED.iter().find(|(m, _)| head.starts_with(m)) {
        return Sniffed::Unsupported(name);
    }
    if let Some((_, what)) = NOT_AUDIO.iter().find(|(m, _)| head.starts_with(m)) {
        return Sniffed::NotAudio(*what);
    }
    // 3GP/3G2 (phone voice memos in AMR) share the MP4 container; their brand names them.
    if head.len() >= 12 && &head[4..8] == b"ftyp" && head[8..11] == *b"3gp" {
        return Sniffed::Candidate;
    }
    if looks_like_text(head) {
        return Sniffed::NotAudio(TEXT);
    }
    Sniffed::Candidate
}

/// MPEG audio (MP3 and its layer I/II cousins): an ID3v2 tag or a frame sync at the start.
pub(super) fn looks_like_mpeg_audio(head: &[u8]) -> bool {
    head.starts_with(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0)
}

/// Text files: printable UTF-8 throughout the head. Audio headers always hold control bytes.
fn looks_like_text(head: &[u8]) -> bool {
    if head.len() < 8 || head.starts_with(b"ID3") || head.starts_with(b"RIFF") {
        return false;
    }
    // Cut at a UTF-8 boundary: the head may split a multi-byte letter.
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(s) if e.error_len().is_none() => s,
            _ => return false,
        },
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_names_text_and_foreign_formats() {
        assert_eq!(
            sniff(b"day la van ban, khong phai am thanh"),
            Sniffed::NotAudio(TEXT)
        );
        assert_eq!(sniff(b"#!AMR\n\x3c\x00"), Sniffed::Unsupported("AMR"));
        assert_eq!(
            sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00"),
            Sniffed::Candidate
        );
        assert_eq!(
            sniff("Bản tin sáng nay".as_bytes()),
            Sniffed::NotAudio(TEXT)
        );
    }
}
