//! The one thing symphonia's MP4 reader leaves out: the edit list that says how many priming
//! samples an AAC encoder put before the audio (1024 for ffmpeg and Android, 2112 for Apple).
//! Without it every phone recording would start with ~25–50 ms of encoder silence and report a
//! longer duration than ffmpeg decodes. It only reads boxes from the reader it is given; it does
//! not open files or decode audio.

use std::io::{Read, Seek, SeekFrom};

/// How deep boxes nest before we give up (a hostile file could nest forever).
const MAX_DEPTH: usize = 8;
/// How many boxes we look at before giving up.
const MAX_BOXES: usize = 10_000;

/// Frames to drop from the start of the first audio track, at its own sample rate, if the file
/// says so. Any malformed structure yields `None`: the audio then simply keeps its priming.
pub(super) fn priming_frames<R: Read + Seek>(r: &mut R, sample_rate: u32) -> Option<u64> {
    let end = r.seek(SeekFrom::End(0)).ok()?;
    let mut budget = MAX_BOXES;
    let moov = find_child(r, 0, end, b"moov", &mut budget)?;
    let mut pos = moov.0;
    while let Some((start, size, kind)) = next_box(r, pos, moov.1, &mut budget) {
        pos = start + size;
        if &kind == b"trak"
            && let Some(frames) =
                audio_trak_priming(r, start, start + size, sample_rate, &mut budget)
        {
            return Some(frames);
        }
    }
    None
}

fn audio_trak_priming<R: Read + Seek>(
    r: &mut R,
    start: u64,
    end: u64,
    sample_rate: u32,
    budget: &mut usize,
) -> Option<u64> {
    let (trak_body, trak_end) = (start + 8, end);
    let mdia = find_child(r, trak_body, trak_end, b"mdia", budget)?;
    let hdlr = find_child(r, mdia.0, mdia.1, b"hdlr", budget)?;
    // hdlr: version/flags (4), pre_defined (4), handler_type (4).
    if read_at::<4>(r, hdlr.0 + 8)? != *b"soun" {
        return None;
    }
    let mdhd = find_child(r, mdia.0, mdia.1, b"mdhd", budget)?;
    let version = read_at::<1>(r, mdhd.0)?[0];
    let timescale_at = if version == 1 {
        mdhd.0 + 20
    } else {
        mdhd.0 + 12
    };
    let timescale = u32::from_be_bytes(read_at::<4>(r, timescale_at)?);
    let edts = find_child(r, trak_body, trak_end, b"edts", budget)?;
    let elst = find_child(r, edts.0, edts.1, b"elst", budget)?;
    let version = read_at::<1>(r, elst.0)?[0];
    let count = u32::from_be_bytes(read_at::<4>(r, elst.0 + 4)?);
    if count == 0 || timescale == 0 {
        return None;
    }
    // First entry: segment_duration then media_time (32- or 64-bit by version).
    let media_time = if version == 1 {
        i64::from_be_bytes(read_at::<8>(r, elst.0 + 16)?)
    } else {
        i64::from(i32::from_be_bytes(read_at::<4>(r, elst.0 + 12)?))
    };
    let frames = u64::try_from(media_time).ok()?;
    // Priming is a few thousand samples at most; anything bigger is not priming.
    let frames = frames * u64::from(sample_rate) / u64::from(timescale);
    (frames > 0 && frames < u64::from(sample_rate)).then_some(frames)
}

/// The body range (after the header) of the first child of type `kind` in `[start, end)`.
fn find_child<R: Read + Seek>(
    r: &mut R,
    start: u64,
    end: u64,
    kind: &[u8; 4],
    budget: &mut usize,
) -> Option<(u64, u64)> {
    let mut pos = start;
    for _ in 0..MAX_DEPTH * 64 {
        let (at, size, k) = next_box(r, pos, end, budget)?;
        if &k == kind {
            let header = header_len(r, at)?;
            return Some((at + header, at + size));
        }
        pos = at + size;
    }
    None
}

/// The box at `pos`: (start, total size, type). `None` at the end or on nonsense.
fn next_box<R: Read + Seek>(
    r: &mut R,
    pos: u64,
    end: u64,
    budget: &mut usize,
) -> Option<(u64, u64, [u8; 4])> {
    *budget = budget.checked_sub(1)?;
    if pos + 8 > end {
        return None;
    }
    let header = read_at::<8>(r, pos)?;
    let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let kind = [header[4], header[5], header[6], header[7]];
    let size = match size32 {
        0 => end - pos,
        1 => u64::from_be_bytes(read_at::<8>(r, pos + 8)?),
        n => u64::from(n),
    };
    (size >= 8 && pos + size <= end).then_some((pos, size, kind))
}

fn header_len<R: Read + Seek>(r: &mut R, pos: u64) -> Option<u64> {
    let size32 = u32::from_be_bytes(read_at::<4>(r, pos)?);
    Some(if size32 == 1 { 16 } else { 8 })
}

fn read_at<const N: usize>(r: &mut (impl Read + Seek), pos: u64) -> Option<[u8; N]> {
    r.seek(SeekFrom::Start(pos)).ok()?;
    let mut buf = [0u8; N];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn movie(media_time: i32, handler: &[u8; 4]) -> Vec<u8> {
        let hdlr = mp4_box(b"hdlr", &[&[0u8; 8][..], handler, &[0u8; 12]].concat());
        let mut mdhd_body = vec![0u8; 12];
        mdhd_body.extend_from_slice(&44_100u32.to_be_bytes());
        mdhd_body.extend_from_slice(&[0u8; 8]);
        let mdhd = mp4_box(b"mdhd", &mdhd_body);
        let mdia = mp4_box(b"mdia", &[mdhd, hdlr].concat());
        let mut elst_body = vec![0u8; 4];
        elst_body.extend_from_slice(&1u32.to_be_bytes());
        elst_body.extend_from_slice(&441_000u32.to_be_bytes());
        elst_body.extend_from_slice(&media_time.to_be_bytes());
        elst_body.extend_from_slice(&[0, 1, 0, 0]);
        let edts = mp4_box(b"edts", &mp4_box(b"elst", &elst_body));
        let trak = mp4_box(
            b"trak",
            &[mp4_box(b"tkhd", &[0u8; 84]), edts, mdia].concat(),
        );
        [mp4_box(b"ftyp", b"M4A \0\0\0\0"), mp4_box(b"moov", &trak)].concat()
    }

    #[test]
    fn reads_the_priming_of_the_audio_track() {
        let mut c = Cursor::new(movie(2112, b"soun"));
        assert_eq!(priming_frames(&mut c, 44_100), Some(2112));
        let mut c = Cursor::new(movie(1024, b"soun"));
        assert_eq!(priming_frames(&mut c, 22_050), Some(512));
    }

    #[test]
    fn ignores_video_tracks_and_nonsense() {
        assert_eq!(
            priming_frames(&mut Cursor::new(movie(1024, b"vide")), 44_100),
            None
        );
        assert_eq!(
            priming_frames(&mut Cursor::new(movie(-1, b"soun")), 44_100),
            None
        );
        let mut cut = movie(1024, b"soun");
        cut.truncate(40);
        assert_eq!(priming_frames(&mut Cursor::new(cut), 44_100), None);
        assert_eq!(
            priming_frames(&mut Cursor::new(vec![0xFFu8; 64]), 44_100),
            None
        );
    }
}
