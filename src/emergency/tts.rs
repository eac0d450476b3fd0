//! Speaking a typed message: a text-to-speech command (espeak-ng by default, Piper or another
//! engine by config) writes a WAV that the player plays like any recording.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a TTS command may run.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why the message could not be spoken.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// The command is not installed.
    #[error(
        "không có lệnh đọc văn bản \"{0}\" — cài espeak-ng (apt-get install espeak-ng) hoặc sửa emergency.tts_command / the text-to-speech command \"{0}\" is not installed — install espeak-ng or fix emergency.tts_command"
    )]
    Missing(String),
    /// It ran but failed, or wrote nothing.
    #[error("lệnh đọc văn bản lỗi: {0} / the text-to-speech command failed: {0}")]
    Failed(String),
}

/// Run `command` (with `{text}` and `{out}` replaced) to speak `text` into a WAV in `dir`.
pub fn speak(command: &[String], text: &str, dir: &Path) -> Result<PathBuf, TtsError> {
    let Some((program, args)) = command.split_first() else {
        return Err(TtsError::Failed("emergency.tts_command is empty".into()));
    };
    std::fs::create_dir_all(dir).map_err(|e| TtsError::Failed(e.to_string()))?;
    let out = dir.join(format!(
        "tts-{}-{}.wav",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ u128::from(rand_suffix())
    ));
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace("{text}", text)
                .replace("{out}", &out.to_string_lossy())
        })
        .collect();
    let mut child = Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => TtsError::Missing(program.clone()),
            _ => TtsError::Failed(e.to_string()),
        })?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return Err(TtsError::Failed(format!("{status}: {}", err.trim())));
            }
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                return Err(TtsError::Failed(format!(
                    "quá {}s / over {}s",
                    TIMEOUT.as_secs(),
                    TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(TtsError::Failed(e.to_string())),
        }
    }
    match std::fs::metadata(&out) {
        Ok(m) if m.len() > 44 => Ok(out),
        _ => Err(TtsError::Failed(
            "không có âm thanh nào được ghi / no audio was written".into(),
        )),
    }
}

/// A few bits to keep concurrent TTS files apart.
fn rand_suffix() -> u64 {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_command_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let cmd = ["khong-co-lenh-nay", "{text}"].map(String::from);
        let e = speak(&cmd, "xin chào", dir.path()).unwrap_err();
        assert!(matches!(e, TtsError::Missing(_)));
        assert!(e.to_string().contains("espeak-ng"));
    }

    #[test]
    fn a_failing_command_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let cmd = ["false", "{text}"].map(String::from);
        assert!(matches!(
            speak(&cmd, "x", dir.path()),
            Err(TtsError::Failed(_))
        ));
    }
}
