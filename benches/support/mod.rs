//! What the benches share: test files made with ffmpeg from a fixture.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A path as the `&str` a command line wants.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// A speech MP3 of `minutes` minutes (128 kbit/s, 44.1 kHz stereo), made from a fixture.
pub fn make_mp3(dir: &Path, minutes: u32) -> Option<PathBuf> {
    let out = dir.join(format!("tin-{minutes}-phut.mp3"));
    if out.exists() {
        return Some(out);
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xin-chao-22k.wav");
    let loops = (minutes * 60 / 4).to_string();
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-stream_loop", &loops, "-i", s(&src)])
        .args([
            "-t",
            &(minutes * 60).to_string(),
            "-ar",
            "44100",
            "-ac",
            "2",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            s(&out),
        ])
        .status()
        .is_ok_and(|st| st.success());
    ok.then_some(out)
}
