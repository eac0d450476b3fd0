//! The byte source under the demuxer.
//!
//! An MP3 cut off part way through a frame loses that whole frame in symphonia, where ffmpeg
//! decodes it padded with zeros. For MPEG audio we serve a few kilobytes of zeros past the end
//! of the file, so the last partial frame decodes too and a cut-off upload reports every
//! millisecond that really plays. The reported length stays the file's, so trailing ID3v1 and
//! APE tags are still found.
//!
//! WAV files from recorders that stream (or that crashed) often claim a data chunk of 4 GB,
//! or of 0 bytes; symphonia refuses those. We serve such headers with the size the file really
//! holds, which is what ffmpeg does too. It does not decode: it only serves the file's bytes (and
//! the padding) to symphonia.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

/// The largest MPEG audio frame (layer II, 384 kbit/s at 32 kHz with padding is 1729 bytes;
/// MPEG 2.5 layer III is smaller), with room to spare.
const MPEG_FRAME_MAX: u64 = 4096;

/// A file, optionally followed by zeros.
pub(super) struct PaddedFile {
    file: File,
    len: u64,
    pos: u64,
    pad: u64,
    /// Little-endian u32 fields to serve with another value: (offset, value).
    patches: Vec<(u64, u32)>,
}

impl PaddedFile {
    /// `file` as is, or followed by one frame of zeros when `mpeg_audio`.
    pub(super) fn new(file: File, len: u64, mpeg_audio: bool) -> Self {
        PaddedFile {
            file,
            len,
            pos: 0,
            pad: if mpeg_audio { MPEG_FRAME_MAX } else { 0 },
            patches: Vec::new(),
        }
    }

    /// Serve a RIFF/WAVE header whose sizes overrun the file with the sizes it really holds.
    /// `head` is the start of the file.
    pub(super) fn with_wav_sizes_fixed(mut self, head: &[u8]) -> Self {
        self.patches = wav_size_patches(head, self.len);
        self
    }

    fn apply_patches(&self, start: u64, buf: &mut [u8]) {
        for &(at, value) in &self.patches {
            for (i, byte) in value.to_le_bytes().into_iter().enumerate() {
                let pos = at + i as u64;
                if pos >= start && pos < start + buf.len() as u64 {
                    buf[(pos - start) as usize] = byte;
                }
            }
        }
    }
}

/// The size fields of a RIFF/WAVE file that claim more (or, for `data`, nothing) than the file
/// holds, with corrected values.
fn wav_size_patches(head: &[u8], file_len: u64) -> Vec<(u64, u32)> {
    let mut patches = Vec::new();
    if head.len() < 12 || &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return patches;
    }
    let le = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let riff_real = u32::try_from(file_len.saturating_sub(8)).unwrap_or(u32::MAX);
    if u64::from(le(4)) + 8 > file_len {
        patches.push((4, riff_real));
    }
    let mut at = 12usize;
    while at + 8 <= head.len() {
        let size = le(at + 4);
        let body = at as u64 + 8;
        if &head[at..at + 4] == b"data" {
            let real = file_len.saturating_sub(body);
            if u64::from(size) > real || size == 0 {
                let even = u32::try_from(real & !1).unwrap_or(u32::MAX - 1);
                patches.push((at as u64 + 4, even));
            }
            break;
        }
        at = match usize::try_from(u64::from(size) + u64::from(size & 1) + body) {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    patches
}

impl Read for PaddedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.len {
            let want = buf.len().min((self.len - self.pos) as usize);
            let n = self.file.read(&mut buf[..want])?;
            if n > 0 {
                self.apply_patches(self.pos, &mut buf[..n]);
                self.pos += n as u64;
                return Ok(n);
            }
            // The file shrank under us: treat what is left as its end.
            self.len = self.pos;
        }
        let end = self.len + self.pad;
        let n = buf.len().min(end.saturating_sub(self.pos) as usize);
        buf[..n].fill(0);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PaddedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => (self.len + self.pad).checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        self.file.seek(SeekFrom::Start(target.min(self.len)))?;
        self.pos = target;
        Ok(target)
    }
}

impl MediaSource for PaddedFile {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn overlong_wav_sizes_are_fixed_to_the_file() {
        let mut head = b"RIFF\xff\xff\xff\xffWAVEfmt \x10\0\0\0".to_vec();
        head.extend_from_slice(&[0u8; 16]);
        head.extend_from_slice(b"data\xff\xff\xff\xff");
        let patches = wav_size_patches(&head, 1044);
        assert_eq!(patches, vec![(4, 1036), (40, 1000)]);
        assert!(wav_size_patches(b"OggS....", 100).is_empty());
    }

    #[test]
    fn serves_the_file_then_zeros_then_the_end() {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        tmp.write_all(b"abc").unwrap();
        let f = File::open(tmp.path()).unwrap();
        let mut p = PaddedFile::new(f, 3, true);
        let mut all = Vec::new();
        p.read_to_end(&mut all).unwrap();
        assert_eq!(&all[..3], b"abc");
        assert_eq!(all.len() as u64, 3 + MPEG_FRAME_MAX);
        assert!(all[3..].iter().all(|b| *b == 0));
        p.seek(SeekFrom::Start(1)).unwrap();
        let mut two = [0u8; 2];
        p.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"bc");
    }
}
