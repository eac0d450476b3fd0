//! The media library: measurement accuracy against ffmpeg, bad input, storage and crashes.

use std::path::Path;

use loaxa::config::LoudnessPolicy;
use loaxa::media::library::{ImportError, ImportRequest};
use loaxa::media::{MediaLibrary, analyze};
use loaxa::model::Category;
use loaxa::store::{Store, audit};
use proptest::prelude::*;

use crate::common::fixture;

/// Figures from ffmpeg 5.1 on the same files: `ffmpeg -i F -af ebur128=peak=true -f null -`
/// for loudness and true peak, and the decoded sample count (`ffmpeg -i F -f s16le -`) for the
/// duration. (file, duration ms, integrated LUFS, true peak dBTP)
const FFMPEG: &[(&str, u64, f64, f64)] = &[
    ("xin-chao-22k.wav", 4030, -18.3, 0.0),
    ("ban-tin-16k.wav", 4030, -18.3, 0.0),
    ("ban-tin.mp3", 4030, -18.8, -3.3),
    ("ban-tin-vbr.mp3", 4030, -18.3, 0.2),
    ("loi-chuc.m4a", 4040, -18.6, -0.1),
    ("canh-bao.ogg", 4030, -18.3, 0.2),
    ("tin-nhan.opus", 4030, -18.5, 0.0),
    ("thong-bao-24bit.flac", 1500, -18.9, 0.0),
    ("pcm-u8.wav", 500, -17.0, 0.0),
    ("pcm-s24.wav", 500, -17.0, 0.0),
    ("pcm-s32.wav", 500, -17.0, 0.0),
    ("pcm-f32.wav", 500, -17.0, 0.0),
    ("pcm-extensible-3ch.wav", 500, -17.0, -3.0),
    ("cut-ngang.mp3", 1804, -19.8, -3.5),
    ("flac-ten-mp3.mp3", 1500, -18.9, 0.0),
];

#[test]
fn measurements_match_ffmpeg() {
    for &(name, ms, lufs, peak) in FFMPEG {
        let a = analyze(&fixture(name)).unwrap();
        let got_lufs = a.integrated_lufs.unwrap();
        let got_peak = a.true_peak_dbtp.unwrap();
        assert!(
            a.duration_ms.abs_diff(ms) <= 10,
            "{name}: {} ms vs {ms}",
            a.duration_ms
        );
        // ffmpeg prints one decimal, so allow its rounding on top of the 0.3 LU / 0.5 dB.
        assert!(
            (got_lufs - lufs).abs() <= 0.35,
            "{name}: {got_lufs:.2} LUFS vs {lufs}"
        );
        assert!(
            (got_peak - peak).abs() <= 0.55,
            "{name}: {got_peak:.2} dBTP vs {peak}"
        );
    }
}

#[test]
fn formats_are_named_truthfully() {
    for (name, container, codec) in [
        ("ban-tin.mp3", "mp3", "mp3"),
        ("loi-chuc.m4a", "mp4", "aac"),
        ("canh-bao.ogg", "ogg", "vorbis"),
        ("tin-nhan.opus", "ogg", "opus"),
        ("flac-ten-mp3.mp3", "flac", "flac"),
        ("pcm-s24.wav", "wav", "pcm_s24le"),
    ] {
        let a = analyze(&fixture(name)).unwrap();
        assert_eq!(
            (a.container.as_str(), a.codec.as_str()),
            (container, codec),
            "{name}"
        );
    }
    let a = analyze(&fixture("chuong-192k.flac")).unwrap();
    assert_eq!(a.sample_rate, 192_000);
    assert!(
        a.integrated_lufs.is_some(),
        "a 0.3 s chime still has a loudness"
    );
}

#[test]
fn truncated_file_reports_what_really_decodes() {
    let a = analyze(&fixture("cut-ngang.mp3")).unwrap();
    assert!(
        a.duration_ms < 2000,
        "not the header's 4 s: {}",
        a.duration_ms
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.vi().contains("cắt ngang") && w.en().contains("cut off")),
        "{:?}",
        a.warnings
    );
}

/// A WAV header with whatever fields a test wants, followed by `data`.
fn wav_with(channels: u16, rate: u32, bits: u16, data_len: u32, data: &[u8]) -> Vec<u8> {
    let block = channels.saturating_mul(bits / 8);
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&rate.wrapping_mul(u32::from(block)).to_le_bytes());
    v.extend_from_slice(&block.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&data_len.to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn speechlike(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (((i as f32 * 0.05).sin() * 8000.0) as i16).to_le_bytes())
        .collect()
}

#[test]
fn absurd_headers_are_refused_or_measured_truthfully() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "gigahertz.wav",
            wav_with(1, 1_000_000_000, 16, 2000, &speechlike(1000)),
            false,
        ),
        (
            "zero-channels.wav",
            wav_with(0, 16_000, 16, 2000, &speechlike(1000)),
            false,
        ),
        // Claims 4 billion bytes of samples but holds one second: plays that second.
        (
            "four-billion.wav",
            wav_with(1, 16_000, 16, u32::MAX, &speechlike(16_000)),
            true,
        ),
    ];
    for (name, bytes, playable) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        match analyze(&p) {
            Ok(a) => {
                assert!(playable, "{name} should be refused, got {a:?}");
                assert!(
                    a.duration_ms.abs_diff(1000) <= 10,
                    "{name}: {} ms",
                    a.duration_ms
                );
            }
            Err(e) => {
                assert!(!playable, "{name} should play: {e}");
                assert!(
                    e.to_string().contains(name),
                    "{name}: the error names the file: {e}"
                );
            }
        }
    }
}

#[test]
fn foreign_and_fake_files_get_named_errors() {
    for (name, words) in [
        ("ghi-am.wma", "WMA"),
        ("ghi-am.amr", "AMR"),
        ("gia-mao.mp3", "not audio"),
        ("rong.mp3", "empty"),
    ] {
        let e = analyze(&fixture(name)).unwrap_err().to_string();
        assert!(e.contains(words), "{name}: {e}");
        assert!(
            e.contains("ffmpeg") || !matches!(name, "ghi-am.wma" | "ghi-am.amr"),
            "{name} says how to convert: {e}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Arbitrary bytes, and real files with bytes changed: an error or a measurement, never a
    /// panic or a hang.
    #[test]
    fn probe_survives_arbitrary_and_damaged_input(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        which in 0usize..4,
        damage in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16),
        cut in any::<usize>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        std::fs::write(&p, &bytes).unwrap();
        let _ = analyze(&p);
        let base = ["ban-tin.mp3", "loi-chuc.m4a", "canh-bao.ogg", "thong-bao-24bit.flac"][which];
        let mut real = std::fs::read(fixture(base)).unwrap();
        for (at, b) in damage {
            let i = at % real.len();
            real[i] = b;
        }
        real.truncate(cut % real.len() + 1);
        std::fs::write(&p, &real).unwrap();
        let _ = analyze(&p);
    }
}

fn library(dir: &Path) -> (MediaLibrary, Store) {
    let store = Store::open(&dir.join("loaxa.sqlite3")).unwrap();
    (
        MediaLibrary::new(dir, store.clone(), LoudnessPolicy::default()),
        store,
    )
}

fn request(name: &str, title: Option<&str>) -> ImportRequest {
    ImportRequest {
        original_name: name.into(),
        title: title.map(String::from),
        category: Category::Bulletin,
        actor: "tester".into(),
    }
}

#[test]
fn import_stores_once_by_content_with_gain_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, store) = library(dir.path());
    let first = lib
        .import_file(
            &fixture("ban-tin.mp3"),
            &request("ban-tin.mp3", Some("Ba\u{309}n tin sa\u{301}ng")),
        )
        .unwrap();
    assert!(!first.duplicate);
    let m = &first.media;
    assert_eq!(m.title, "Bản tin sáng", "titles are NFC");
    assert!((m.gain_db - (-18.0 - m.analysis.integrated_lufs.unwrap())).abs() < 1e-9);
    let stored = lib.path_of(m);
    assert!(stored.starts_with(dir.path().join("media/objects")));
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        std::fs::read(fixture("ban-tin.mp3")).unwrap()
    );

    // The same bytes under another name: stored once.
    let copy = dir.path().join("ban-sao.mp3");
    std::fs::copy(fixture("ban-tin.mp3"), &copy).unwrap();
    let second = lib
        .import_file(&copy, &request("ban-sao.mp3", None))
        .unwrap();
    assert!(second.duplicate);
    assert_eq!(second.media.id, m.id);
    let objects: Vec<_> = walk(&dir.path().join("media/objects"));
    assert_eq!(objects.len(), 1);
    assert!(
        std::fs::read_dir(dir.path().join("media/incoming"))
            .unwrap()
            .next()
            .is_none()
    );

    let log = store
        .with(|c| Ok(audit::list(c, &audit::Filter::default())?))
        .unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "media.import").count(), 1);
    assert_eq!(log[0].subject, format!("media:{}", m.id));
}

#[test]
fn a_flac_named_mp3_is_stored_as_flac() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library(dir.path());
    let m = lib
        .import_file(
            &fixture("flac-ten-mp3.mp3"),
            &request("flac-ten-mp3.mp3", None),
        )
        .unwrap()
        .media;
    assert!(m.file.ends_with(".flac"), "{}", m.file);
}

#[test]
fn silence_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, store) = library(dir.path());
    let p = dir.path().join("im-lang.wav");
    std::fs::write(&p, wav_with(1, 16_000, 16, 64_000, &vec![0u8; 64_000])).unwrap();
    let err = lib
        .import_file(&p, &request("im-lang.wav", None))
        .unwrap_err();
    assert!(matches!(err, ImportError::Policy(_)), "{err}");
    assert!(err.to_string().contains("silent"));
    assert!(walk(&dir.path().join("media/objects")).is_empty());
    let n = store
        .with(|c| Ok(loaxa::store::media::list(c, None)?.len()))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_very_quiet_recording_is_accepted_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (lib, _) = library(dir.path());
    let p = dir.path().join("nho.wav");
    let quiet: Vec<u8> = (0..48_000)
        .flat_map(|i| (((i as f32 * 0.05).sin() * 60.0) as i16).to_le_bytes())
        .collect();
    std::fs::write(&p, wav_with(1, 16_000, 16, quiet.len() as u32, &quiet)).unwrap();
    let m = lib
        .import_file(&p, &request("nho.wav", None))
        .unwrap()
        .media;
    assert_eq!(m.gain_db, 20.0);
    assert!(
        m.analysis
            .warnings
            .iter()
            .any(|w| w.en().starts_with("too quiet") && !w.vi().contains("too quiet")),
        "{:?}",
        m.analysis.warnings
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

/// kill -9 `loaxa media import` at moments spread over the import, many times: the object store
/// never holds a half file, the database passes its integrity check, and the next start sweeps
/// the unfinished upload away.
#[test]
fn power_cut_during_import_leaves_no_half_file() {
    let dir = tempfile::tempdir().unwrap();
    // A 20-minute WAV: big enough that an import takes a while to copy and measure.
    let big = dir.path().join("dai.wav");
    let pcm = speechlike(16_000 * 60 * 20);
    std::fs::write(&big, wav_with(1, 16_000, 16, pcm.len() as u32, &pcm)).unwrap();
    let cfg = dir.path().join("loaxa.toml");
    std::fs::write(
        &cfg,
        format!("data_dir = \"{}\"\n", dir.path().join("data").display()),
    )
    .unwrap();
    for round in 0..12u64 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loaxa"))
            .args(["--config", cfg.to_str().unwrap(), "media", "import"])
            .arg(&big)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20 + round * 37));
        let _ = child.kill();
        let _ = child.wait();
        let data = dir.path().join("data");
        for f in walk(&data.join("media/objects")) {
            let name = f.file_stem().unwrap().to_string_lossy().into_owned();
            let digest = sha256_hex(&std::fs::read(&f).unwrap());
            assert_eq!(name, digest, "round {round}: {} is not whole", f.display());
        }
        if data.join("loaxa.sqlite3").exists() {
            let store = Store::open(&data.join("loaxa.sqlite3")).unwrap();
            assert_eq!(store.check_integrity().unwrap(), Ok(()), "round {round}");
        }
    }
    // The next start sweeps whatever a killed import left in incoming/.
    let (lib, _) = library(&dir.path().join("data"));
    lib.sweep_incoming().unwrap();
    assert!(walk(&dir.path().join("data/media/incoming")).is_empty());
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
