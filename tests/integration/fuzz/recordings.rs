//! Recordings: damaged files and lying headers are measured or refused with a message that
//! names the file, never a panic, a hang or a sample that is not a number.

use super::*;

/// How a real recording is damaged.
#[derive(Debug, Clone)]
enum Damage {
    None,
    /// Cut at a fraction (per mille) of its length.
    Truncate(u16),
    /// Flip bits at fractions (per 65536) of its length.
    FlipBits(Vec<(u16, u8)>),
    /// Overwrite a run of bytes at a fraction of its length.
    Overwrite(u16, Vec<u8>),
    /// Zero a run (a lost disk sector).
    Zero(u16, u16),
    /// The head of one recording glued to the body of another.
    Splice(usize, u16),
    /// Repeat a slice (a resumed download that restarted).
    Repeat(u16, u16),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        1 => Just(Damage::None),
        3 => (0u16..1000).prop_map(Damage::Truncate),
        4 => prop::collection::vec((any::<u16>(), 0u8..8), 1..16).prop_map(Damage::FlipBits),
        2 => (any::<u16>(), prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(a, b)| Damage::Overwrite(a, b)),
        1 => (any::<u16>(), 1u16..4096).prop_map(|(a, n)| Damage::Zero(a, n)),
        1 => (any::<usize>(), 0u16..1000).prop_map(|(i, f)| Damage::Splice(i, f)),
        1 => (0u16..1000, 1u16..2048).prop_map(|(f, n)| Damage::Repeat(f, n)),
    ]
}

fn damaged(bytes: &[u8], d: &Damage) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let len = b.len() as u64;
    let at = |frac: u32, scale: u32| (len * u64::from(frac) / u64::from(scale)) as usize;
    match d {
        Damage::None => {}
        Damage::Truncate(f) => {
            let n = at(u32::from(*f), 1000);
            b.truncate(n);
        }
        Damage::FlipBits(flips) => {
            for (pos, bit) in flips {
                let i = at(u32::from(*pos), 65536).min(b.len().saturating_sub(1));
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << bit;
                }
            }
        }
        Damage::Overwrite(pos, with) => {
            let i = at(u32::from(*pos), 65536);
            for (k, v) in with.iter().enumerate() {
                if let Some(x) = b.get_mut(i + k) {
                    *x = *v;
                }
            }
        }
        Damage::Zero(pos, n) => {
            let i = at(u32::from(*pos), 65536);
            let end = (i + usize::from(*n)).min(b.len());
            b[i.min(end)..end].iter_mut().for_each(|x| *x = 0);
        }
        Damage::Splice(other, f) => {
            let other = std::fs::read(fixture(PLAYABLE[other % PLAYABLE.len()])).unwrap();
            let cut = at(u32::from(*f), 1000);
            let head = other.len().min(1024);
            let mut out = other[..head].to_vec();
            out.extend_from_slice(&b[cut..]);
            b = out;
        }
        Damage::Repeat(f, n) => {
            let i = at(u32::from(*f), 1000);
            let end = (i + usize::from(*n)).min(b.len());
            let slice = b[i..end].to_vec();
            b.splice(end..end, slice);
        }
    }
    b
}

/// The first bytes of every format (and of a few that are not audio).
const MAGIC: &[&[u8]] = &[
    b"",
    b"ID3\x03\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x64",
    b"\xff\xf1",
    b"OggS\x00\x02",
    b"fLaC\x00\x00\x00\x22",
    b"RIFF\x24\x08\x00\x00WAVEfmt ",
    b"\x00\x00\x00\x20ftypM4A ",
    b"#!AMR\n",
    b"\x30\x26\xb2\x75\x8e\x66\xcf\x11",
    b"\x1a\x45\xdf\xa3",
    b"FORM\x00\x00\x00\x00AIFF",
    b"%PDF-1.4",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00",
];

const EXTENSIONS: &[&str] = &[
    "mp3", "m4a", "mp4", "ogg", "opus", "flac", "wav", "aac", "wma", "amr", "bin", "txt", "",
];

/// Measure `bytes` as a file named `name.ext` on a worker thread: a panic or a hang (over
/// 30 s) is a failure that names the input.
fn analyze_bytes(
    bytes: &[u8],
    ext: &str,
) -> Result<Result<loaxa::model::Analysis, String>, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(if ext.is_empty() {
        "ghi-am".to_string()
    } else {
        format!("ghi-am.{ext}")
    });
    std::fs::write(&path, bytes).unwrap();
    let (tx, rx) = mpsc::channel();
    let p = path.clone();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| loaxa::media::analyze(&p).map_err(|e| e.to_string()));
        let _ = tx.send(r.map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        }));
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(panic)) => Err(format!("panicked: {panic}")),
        Err(_) => Err("hung for 30 s (or died)".into()),
    }
}

/// A refusal a person can act on: it names the file.
fn readable(msg: &str) -> bool {
    msg.contains("ghi-am")
}

fn check_analysis(a: &loaxa::model::Analysis) -> Result<(), TestCaseError> {
    prop_assert!((1..=384_000).contains(&a.sample_rate), "{a:?}");
    prop_assert!((1..=32).contains(&a.channels), "{a:?}");
    prop_assert!(!a.container.is_empty() && !a.codec.is_empty(), "{a:?}");
    for v in [a.integrated_lufs, a.loudness_range_lu, a.true_peak_dbtp]
        .into_iter()
        .flatten()
    {
        prop_assert!(v.is_finite(), "{a:?}");
    }
    for w in &a.warnings {
        prop_assert!(!w.vi().trim().is_empty() && !w.en().trim().is_empty());
    }
    Ok(())
}

fn full_analysis(name: &str) -> loaxa::model::Analysis {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<BTreeMap<String, loaxa::model::Analysis>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(a) = cache.lock().unwrap().get(name) {
        return a.clone();
    }
    let a = loaxa::media::analyze(&fixture(name)).unwrap();
    cache.lock().unwrap().insert(name.to_string(), a.clone());
    a
}

proptest! {
    #![proptest_config(pt(300))]

    /// Real recordings, damaged: cut short, bits flipped, bytes overwritten or zeroed, glued
    /// to another's header, partly repeated; named with their own or a wrong extension.
    /// Measured or refused with a message naming the file; never a panic or a hang; a cut-off
    /// recording never measures longer than the whole one.
    #[test]
    fn damaged_recordings_are_measured_or_refused(
        which in 0..PLAYABLE.len(),
        d in damage(),
        own_ext in any::<bool>(),
        ext in proptest::sample::select(EXTENSIONS),
    ) {
        let name = PLAYABLE[which];
        let bytes = damaged(&std::fs::read(fixture(name)).unwrap(), &d);
        let ext = if own_ext { name.rsplit('.').next().unwrap() } else { ext };
        match analyze_bytes(&bytes, ext).map_err(TestCaseError::fail)? {
            Ok(a) => {
                check_analysis(&a)?;
                let full = full_analysis(name);
                if matches!(d, Damage::Truncate(_)) {
                    prop_assert!(a.duration_ms <= full.duration_ms + 50, "cut {name} measures {} ms, whole {} ms", a.duration_ms, full.duration_ms);
                }
                if matches!(d, Damage::None) && own_ext {
                    prop_assert_eq!(&a, &full, "the same bytes measure the same");
                }
            }
            Err(msg) => prop_assert!(readable(&msg), "{msg}"),
        }
    }

    /// Random bytes, and random bytes behind the magic numbers of every format.
    #[test]
    fn random_bytes_are_refused_clearly(
        magic in proptest::sample::select(MAGIC),
        body in prop::collection::vec(any::<u8>(), 0..4096),
        ext in proptest::sample::select(EXTENSIONS),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&body);
        match analyze_bytes(&bytes, ext).map_err(TestCaseError::fail)? {
            Ok(a) => check_analysis(&a)?,
            Err(msg) => prop_assert!(readable(&msg), "{msg}"),
        }
    }
}

/// A float WAV whose samples are not numbers (NaN, ±infinity), as a damaged file or a float
/// header spliced onto other data gives: the decoder promises finite samples in [-1, 1], the
/// measurement finite numbers. Found by `damaged_recordings_are_measured_or_refused` (a
/// pcm-f32.wav header spliced onto pcm-u8.wav measured `true_peak_dbtp: Some(inf)`).
#[test]
fn float_samples_that_are_not_numbers_are_not_played() {
    let mut b = std::fs::read(fixture("pcm-f32.wav")).unwrap();
    let data = b.windows(4).position(|w| w == b"data").unwrap() + 8;
    for (i, v) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30]
        .into_iter()
        .enumerate()
    {
        let at = data + 4000 + i * 4;
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hong.wav");
    std::fs::write(&path, &b).unwrap();
    let pcm = crate::common::decode(&path);
    let bad = pcm.samples.iter().filter(|s| !s.is_finite()).count();
    let a = loaxa::media::analyze(&path).unwrap();
    assert!(
        bad == 0 && a.true_peak_dbtp.is_none_or(f64::is_finite),
        "{bad} non-finite samples decoded; measured {a:?}"
    );
}

/// The same kind of file through the player: one NaN sample in a 22 kHz float WAV reaches the
/// FFT resampler, which panics (`rubato` synchro.rs: "Imaginary part of first value was
/// non-zero") on the `loaxa-player` thread. The player is gone: `loaxa play` waits forever,
/// and in `loaxa serve` nothing airs again — emergencies included — until a restart. The
/// upload is accepted (it measures −69.95 LUFS, "too quiet", +20 dB).
#[test]
fn a_recording_with_a_nan_sample_does_not_kill_the_player() {
    let mut b = std::fs::read(fixture("pcm-f32.wav")).unwrap();
    let data = b.windows(4).position(|w| w == b"data").unwrap() + 8;
    b[data + 4000..data + 4004].copy_from_slice(&f32::NAN.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("mot-nan.wav"), dir.path().join("ra.wav"));
    std::fs::write(&input, &b).unwrap();
    let mut child = crate::common::loaxa()
        .args(["play", "--fast", "--output"])
        .arg(format!("wav:{}", output.display()))
        .arg(&input)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        status.is_some() && !err.contains("panicked"),
        "loaxa play {}: {err}",
        if status.is_none() {
            "hung for 30 s"
        } else {
            "ended"
        }
    );
}

/// Found by a 30 000-case run: one flipped bit in the channel mask of an extensible WAV made
/// symphonia's RIFF reader overflow a shift (a panic in a debug build, garbage in release).
#[test]
fn a_flipped_bit_in_a_channel_mask_is_measured_or_refused() {
    let name = "pcm-s32.wav";
    let bytes = damaged(
        &std::fs::read(fixture(name)).unwrap(),
        &Damage::FlipBits(vec![(33, 5)]),
    );
    match analyze_bytes(&bytes, "mp3") {
        Ok(Ok(a)) => check_analysis(&a).unwrap(),
        Ok(Err(msg)) => assert!(readable(&msg), "{msg}"),
        Err(e) => panic!("{name} with a flipped bit: {e}"),
    }
}

/// WAV headers that lie: every field of the fmt chunk set to 0, tiny, its maximum or a huge
/// value, one at a time — the usual way to ask a decoder for absurd allocations or divisions
/// by zero. Measured or refused with a message; never a panic or a hang.
#[test]
fn lying_wav_headers_are_refused_or_measured() {
    let good = std::fs::read(fixture("pcm-u8.wav")).unwrap();
    let fmt = good.windows(4).position(|w| w == b"fmt ").unwrap() + 8;
    let fields: [(usize, usize); 6] = [(0, 2), (2, 2), (4, 4), (8, 4), (12, 2), (14, 2)];
    let mut bad = Vec::new();
    for (off, len) in fields {
        for v in [
            0u32,
            1,
            4,
            11,
            100,
            0xFFFF,
            0xFFFF_FFFF,
            384_000,
            384_001,
            0x7FFF_FFFF,
        ] {
            let mut b = good.clone();
            b[fmt + off..fmt + off + len].copy_from_slice(&v.to_le_bytes()[..len]);
            match analyze_bytes(&b, "wav") {
                Ok(Ok(a)) if a.sample_rate == 0 || a.channels == 0 => {
                    bad.push(format!("fmt+{off} = {v:#x}: measured as {a:?}"));
                }
                Ok(Ok(_)) => {}
                Ok(Err(msg)) if msg.trim().is_empty() => {
                    bad.push(format!("fmt+{off} = {v:#x}: an empty message"));
                }
                Ok(Err(_)) => {}
                Err(e) => bad.push(format!("fmt+{off} = {v:#x}: {e}")),
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A WAV whose header says 1–11 samples per second (a flipped bit in the rate) is refused as
/// "cannot measure loudness: NoMem": the message names neither the file nor what to do. Every
/// other broken header names the file and says "export the recording again".
#[test]
fn absurdly_low_sample_rates_are_refused_as_a_broken_header() {
    let good = std::fs::read(fixture("pcm-u8.wav")).unwrap();
    let fmt = good.windows(4).position(|w| w == b"fmt ").unwrap() + 8;
    for rate in [1u32, 4, 11] {
        let mut b = good.clone();
        b[fmt + 4..fmt + 8].copy_from_slice(&rate.to_le_bytes());
        let msg = analyze_bytes(&b, "wav").unwrap().unwrap_err();
        assert!(msg.contains("ghi-am"), "{rate} Hz: {msg}");
    }
}
