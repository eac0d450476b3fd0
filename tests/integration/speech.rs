//! Typed text read aloud by the real espeak-ng: `loaxa speak` (print, WAV, stdin, errors), the
//! WAVs measured (length, loudness, rate), hostile text that looks like options, long text,
//! emoji and other scripts, voices that are not installed, a custom command's timeout and
//! stderr.

use std::path::Path;
use std::time::Duration;

use loaxa::speech::{Abbreviations, EspeakVoice, Speech, SpeechError, Voice};

use crate::common::{loaxa, read_wav};

/// Length, loudness and rate of a WAV a voice wrote.
struct Measured {
    seconds: f64,
    rate: u32,
    rms: f32,
    peak: f32,
}

fn measure(path: &Path) -> Measured {
    let pcm = read_wav(path);
    let n = pcm.samples.len().max(1) as f32;
    Measured {
        seconds: pcm.seconds(),
        rate: pcm.rate,
        rms: (pcm.samples.iter().map(|s| s * s).sum::<f32>() / n).sqrt(),
        peak: pcm.samples.iter().fold(0.0, |m, s| m.max(s.abs())),
    }
}

fn espeak(voice: EspeakVoice) -> Speech {
    Speech::new(Voice::Espeak(voice), 140, Abbreviations::default())
}

#[test]
fn print_shows_exactly_what_the_voice_reads() {
    let out = loaxa()
        .args([
            "speak",
            "--print",
            "--text",
            "UBND xã họp lúc 7h30 ngày 31/8, gọi 0912 345 678",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "ủy ban nhân dân xã họp lúc bảy giờ ba mươi phút ngày ba mươi mốt tháng tám, gọi không chín một hai, ba bốn năm, sáu bảy tám.\n"
    );
    // From standard input, with the South's numbers for the South's voice.
    let mut child = loaxa()
        .args(["speak", "--print", "--voice", "vi-south"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Hỗ trợ 1.005 hộ".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Hỗ trợ một ngàn không trăm lẻ năm hộ.\n"
    );
}

#[test]
fn speak_writes_a_wav_that_is_speech_of_a_plausible_length() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("ban-tin.wav");
    let text = "Ủy ban nhân dân xã thông báo: bão số 3 đổ bộ lúc 7h30, bà con ở trong nhà.";
    let out = loaxa()
        .args(["speak", "--text", text, "--out"])
        .arg(&wav)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let m = measure(&wav);
    assert_eq!(m.rate, 22_050, "espeak-ng writes 22.05 kHz");
    // 22 words said at 140 words a minute: about 9 s; espeak-ng's pace varies with the words.
    assert!((4.0..20.0).contains(&m.seconds), "{} s", m.seconds);
    assert!(
        m.rms > 0.02 && m.peak > 0.2,
        "rms {} peak {}",
        m.rms,
        m.peak
    );
    // A slower rate gives a longer reading of the same text.
    let slow = dir.path().join("cham.wav");
    let out = loaxa()
        .args(["speak", "--rate", "90", "--text", text, "--out"])
        .arg(&slow)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(measure(&slow).seconds > m.seconds * 1.3);
}

#[test]
fn text_with_nothing_to_read_fails_with_one_line() {
    for text in ["!!! ???", "🌀🚨📢"] {
        let out = loaxa().args(["speak", "--text", text]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("no letters or numbers to read"), "{err}");
    }
    let out = loaxa()
        .args(["speak", "--print", "--text", "12345"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "mười hai nghìn ba trăm bốn mươi lăm.\n"
    );
}

/// Text shaped like espeak-ng options: it must be read as words, never obeyed.
#[test]
fn text_that_looks_like_options_creates_no_file_and_reads_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    // A long file: read aloud, it would last minutes.
    let secret = dir.path().join("bi-mat.txt");
    std::fs::write(&secret, "mật khẩu quản trị ".repeat(500)).unwrap();
    let hostile = [
        format!("--phonout={d}/x"),
        format!("-w {d}/y"),
        format!("-f {}", secret.display()),
        format!("--stdout -q --path={d}"),
        "--phonout=/tmp/x".to_string(),
        "-f /etc/passwd".to_string(),
        "-w /tmp/y".to_string(),
    ];
    let existed = ["/tmp/x", "/tmp/y"].map(|p| Path::new(p).exists());
    let custom = Voice::Command(
        ["espeak-ng", "-v", "vi", "-w", "{out}", "--stdin"]
            .map(String::from)
            .to_vec(),
    );
    for speech in [
        espeak(EspeakVoice::North),
        espeak(EspeakVoice::North).with_voice(custom),
    ] {
        for (n, text) in hostile.iter().enumerate() {
            let wav = dir.path().join(format!("doc-{n}.wav"));
            // As typed, with no reading rules in between, and through the reader.
            for spoken in [
                speech.voice_only(text, &wav).unwrap(),
                speech.speak(text, &wav).unwrap(),
            ] {
                assert_eq!(spoken.wav, wav);
                assert!(
                    spoken.seconds < 15.0,
                    "{text:?} read something else: {} s",
                    spoken.seconds
                );
            }
        }
    }
    let out = loaxa()
        .args(["speak", "--text", &hostile[0], "--out"])
        .arg(dir.path().join("cli.wav"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for made in ["x", "y"] {
        assert!(!dir.path().join(made).exists(), "{made} was created");
    }
    for (path, existed) in ["/tmp/x", "/tmp/y"].iter().zip(existed) {
        assert!(existed || !Path::new(path).exists(), "{path} was created");
    }
}

#[test]
fn ten_thousand_characters_read_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let sentence = "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em dưới năm tuổi tại trạm y tế xã vào sáng thứ hai tuần tới. ";
    let text: String = sentence.repeat(90).chars().take(10_000).collect();
    let words = text.split_whitespace().count() as f64;
    let spoken = espeak(EspeakVoice::North)
        .speak(&text, &dir.path().join("dai.wav"))
        .unwrap();
    let m = measure(&spoken.wav);
    let expected = words / 140.0 * 60.0;
    assert!(
        (expected * 0.5..expected * 1.5).contains(&m.seconds),
        "{words} words at 140/min: {} s, expected about {expected:.0} s",
        m.seconds
    );
    assert!(m.rms > 0.02, "rms {}", m.rms);
    assert!((spoken.seconds - m.seconds).abs() < 0.01);
}

#[test]
fn emoji_and_other_scripts_are_dropped_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let speech = espeak(EspeakVoice::Central);
    let mixed = "🌀 Bão 北京 số 3 Привет đổ bộ ⚠️";
    assert_eq!(speech.reading(mixed).unwrap(), "Bão số ba đổ bộ.");
    let spoken = speech.speak(mixed, &dir.path().join("tron.wav")).unwrap();
    let plain = speech
        .speak("Bão số ba đổ bộ.", &dir.path().join("sach.wav"))
        .unwrap();
    assert!((spoken.seconds - plain.seconds).abs() < 0.05);
    assert!(matches!(
        speech.speak("🌀北京", &dir.path().join("rong.wav")),
        Err(SpeechError::Reading(_))
    ));
}

#[test]
fn the_three_espeak_voices_read_and_differ() {
    let dir = tempfile::tempdir().unwrap();
    let mut wavs = Vec::new();
    for v in [EspeakVoice::North, EspeakVoice::Central, EspeakVoice::South] {
        let path = dir.path().join(format!("{v:?}.wav"));
        let spoken = espeak(v)
            .speak("Kính mời bà con đến họp lúc 8h.", &path)
            .unwrap();
        let m = measure(&path);
        assert!(
            m.seconds > 1.0 && m.peak > 0.2,
            "{v:?}: {} s, peak {}",
            m.seconds,
            m.peak
        );
        assert_eq!(spoken.sample_rate, m.rate);
        wavs.push(std::fs::read(&path).unwrap());
    }
    assert!(wavs[0] != wavs[1] && wavs[1] != wavs[2] && wavs[0] != wavs[2]);
}

#[test]
fn a_voice_that_is_not_installed_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("x.wav");
    let model = dir.path().join("vi_VN-giong.onnx");
    let speech = Speech::default().with_voice(Voice::Piper(model.clone()));
    let e = speech.speak("xin chào", &wav).unwrap_err().to_string();
    assert!(e.contains(&model.display().to_string()), "{e}");
    // With the model copied in but no `piper` command on this machine.
    std::fs::write(&model, b"onnx").unwrap();
    let e = speech.speak("xin chào", &wav).unwrap_err().to_string();
    assert!(e.contains(".onnx.json"), "{e}");
    std::fs::write(dir.path().join("vi_VN-giong.onnx.json"), b"{}").unwrap();
    let e = speech.speak("xin chào", &wav).unwrap_err().to_string();
    assert!(e.contains("pip install piper-tts"), "{e}");
    // espeak-ng missing: the service's PATH without it.
    let out = loaxa()
        .env("PATH", dir.path())
        .args(["speak", "--text", "xin chào", "--out"])
        .arg(&wav)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("apt-get install espeak-ng"), "{err}");
    assert!(!wav.exists());
}

#[test]
fn a_custom_command_is_timed_out_and_its_stderr_kept() {
    let dir = tempfile::tempdir().unwrap();
    let config = loaxa::speech::SpeechConfig {
        timeout_seconds: 1,
        ..Default::default()
    };
    let sleepy = Voice::Command(["sleep", "30"].map(String::from).to_vec());
    let started = std::time::Instant::now();
    let e = Speech::from_config(&config)
        .unwrap()
        .with_voice(sleepy)
        .speak("xin chào", &dir.path().join("a.wav"))
        .unwrap_err();
    assert!(matches!(e, SpeechError::TimedOut(1)), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let failing = Voice::Command(
        ["sh", "-c", "echo 'không mở được giọng' >&2; exit 3"]
            .map(String::from)
            .to_vec(),
    );
    let e = Speech::default()
        .with_voice(failing)
        .speak("xin chào", &dir.path().join("b.wav"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("không mở được giọng") && e.contains("3"), "{e}");
    // A command that writes its WAV on stdout (no {out}).
    let to_stdout = Voice::Command(
        ["espeak-ng", "-v", "vi", "--stdout"]
            .map(String::from)
            .to_vec(),
    );
    let spoken = Speech::default()
        .with_voice(to_stdout)
        .speak("Xin chào bà con", &dir.path().join("c.wav"))
        .unwrap();
    assert!(measure(&spoken.wav).seconds > 0.5);
}

#[test]
fn check_refuses_a_command_that_puts_the_text_in_an_argument() {
    let dir = tempfile::tempdir().unwrap();
    for (command, says) in [
        (
            r#"["espeak-ng", "-v", "vi", "-w", "{out}", "{text}"]"#,
            "{text}",
        ),
        (r#"["piper", "--text={text}", "-f", "{out}"]"#, "{text}"),
        (r#"["say", "{voice}", "{out}"]"#, "{out}"),
        (r#"["-v", "{out}"]"#, "program"),
    ] {
        let path = dir.path().join("loaxa.toml");
        std::fs::write(
            &path,
            format!("[emergency]\nrepeat = 1\ntts_command = {command}\n"),
        )
        .unwrap();
        let out = loaxa()
            .arg("--config")
            .arg(&path)
            .arg("check")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        let said = String::from_utf8(out.stdout).unwrap();
        assert!(
            said.contains("loaxa.toml:3") && said.contains(says),
            "{command}: {said}"
        );
    }
    // The command shipped before is read as the built-in voice, so old configs still start.
    let path = dir.path().join("loaxa.toml");
    let repo = env!("CARGO_MANIFEST_DIR");
    std::fs::write(
        &path,
        format!("[emergency]\ntts_command = [\"espeak-ng\", \"-v\", \"vi\", \"-s\", \"140\", \"-w\", \"{{out}}\", \"{{text}}\"]\n\n[speech]\nvoice = \"vi-south\"\nrate = 150\n\n[schedule]\nschedules_dir = \"{repo}/schedules\"\nplaylists_dir = \"{repo}/playlists\"\n"),
    )
    .unwrap();
    let out = loaxa()
        .arg("--config")
        .arg(&path)
        .arg("check")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // A bad voice and a broken abbreviations file are named with their lines.
    std::fs::write(dir.path().join("viet-tat.toml"), "HTX = \n").unwrap();
    std::fs::write(
        &path,
        "[speech]\nvoice = \"en\"\nabbreviations = \"viet-tat.toml\"\n",
    )
    .unwrap();
    let out = loaxa()
        .arg("--config")
        .arg(&path)
        .arg("check")
        .output()
        .unwrap();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("loaxa.toml:2") && said.contains("vi-central"),
        "{said}"
    );
    assert!(
        said.contains("loaxa.toml:3") && said.contains("viet-tat.toml"),
        "{said}"
    );
}
