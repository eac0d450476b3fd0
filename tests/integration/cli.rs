//! The `loaxa` binary as a user runs it: exit codes and one-line errors.

use std::process::{Command, Output};

use crate::common::fixture;

fn loaxa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loaxa"))
        .args(args)
        .env_remove("LOAXA_CONFIG")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn play_to_wav_fast_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ra.wav");
    let o = loaxa(&[
        "play",
        "--fast",
        "--output",
        &format!("wav:{}", out.display()),
        fixture("ban-tin.mp3").to_str().unwrap(),
        fixture("tin-nhan.opus").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(out.exists());
}

#[test]
fn seconds_bounds_a_file_play_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ra.wav");
    // A 4-second recording, stopped after 1 s.
    let o = loaxa(&[
        "play",
        "--seconds",
        "1",
        "--output",
        &format!("wav:{}", out.display()),
        fixture("xin-chao-22k.wav").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("dừng / stopped"), "{}", text(&o));
    let seconds = crate::common::read_wav(&out).seconds();
    // Within one output buffer (100 ms) of the bound.
    assert!((0.95..1.2).contains(&seconds), "{seconds} s");
    let o = loaxa(&["play", "--seconds", "0", "--output", "null", "x.mp3"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("--seconds 0"), "{}", text(&o));
}

#[test]
fn bad_inputs_give_one_clear_line_and_a_failure_code() {
    let fake = fixture("gia-mao.mp3");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["play", "--output", "null", "--fast", "khong-co-tep.mp3"],
            "khong-co-tep.mp3",
        ),
        (
            vec!["play", "--output", "null", "--fast", fake.to_str().unwrap()],
            "gia-mao.mp3",
        ),
        (
            vec!["play", "--output", "loa-ngoai-troi", "x.mp3"],
            "loa-ngoai-troi",
        ),
        (
            vec!["play", "--output", "device:khong-co-card", "x.mp3"],
            "khong-co-card",
        ),
    ];
    for (args, names) in cases {
        let o = loaxa(&args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}");
        assert!(out.contains(names), "{args:?} should name {names}: {out}");
        assert!(!out.contains("panicked"), "{out}");
        let error_lines = out.lines().filter(|l| l.contains(names)).count();
        assert!(error_lines <= 2, "{args:?}: the error is short: {out}");
    }
}

#[test]
fn check_reports_file_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loaxa.toml");
    std::fs::write(
        &cfg,
        "timezone = \"Asia/Ha_Noi\"\n[audio]\noutput = \"device\"\nchannels = 0\n",
    )
    .unwrap();
    let o = loaxa(&["check", "--config", cfg.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("loaxa.toml:1"), "{out}");
    assert!(out.contains("loaxa.toml:4"), "{out}");
    assert!(
        out.contains("Asia/Ho_Chi_Minh"),
        "the fix names a valid zone: {out}"
    );

    let repo = env!("CARGO_MANIFEST_DIR");
    std::fs::write(
        &cfg,
        format!("[audio]\noutput = \"null\"\n[schedule]\nschedules_dir = \"{repo}/schedules\"\nplaylists_dir = \"{repo}/playlists\"\n"),
    )
    .unwrap();
    let o = loaxa(&["check", "--config", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("4 buổi / slots"),
        "the shipped programme is checked: {}",
        text(&o)
    );

    // A programme file with a mistake is reported with its file and line.
    let sched = dir.path().join("schedules");
    std::fs::create_dir_all(&sched).unwrap();
    std::fs::write(
        sched.join("sai.toml"),
        "[[slot]]\nname = \"dem\"\ntime = \"25:00\"\nplaylist = \"thuong-ngay\"\n",
    )
    .unwrap();
    std::fs::write(
        &cfg,
        format!("[audio]\noutput = \"null\"\n[schedule]\nplaylists_dir = \"{repo}/playlists\"\n"),
    )
    .unwrap();
    let o = loaxa(&["check", "--config", cfg.to_str().unwrap()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("sai.toml:3"),
        "relative to the config file, with the line: {out}"
    );
}

#[test]
fn devices_lists_the_null_device_and_the_file_outputs() {
    let o = loaxa(&["devices"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("device:null"), "{out}");
    assert!(out.contains("wav:PATH"), "{out}");
    assert!(
        !out.contains("ALSA lib"),
        "alsa-lib chatter is kept out of the listing: {out}"
    );
}

#[test]
fn media_probe_json_has_the_documented_keys() {
    let o = loaxa(&[
        "media",
        "probe",
        "--json",
        fixture("loi-chuc.m4a").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "container",
        "codec",
        "sample_rate",
        "channels",
        "duration_ms",
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["codec"], "aac");
    assert!(v["duration_ms"].as_u64().unwrap().abs_diff(4040) <= 10);
}

#[test]
fn media_import_prints_ids_and_refuses_fakes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loaxa.toml");
    std::fs::write(&cfg, format!("data_dir = \"{}\"\n", dir.path().display())).unwrap();
    let o = loaxa(&[
        "--config",
        cfg.to_str().unwrap(),
        "media",
        "import",
        "--category",
        "greeting",
        "--title",
        "Lời chúc Tết",
        fixture("loi-chuc.m4a").to_str().unwrap(),
        fixture("gia-mao.mp3").to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "one of two failed: {out}");
    let first = String::from_utf8_lossy(&o.stdout);
    assert!(first.starts_with("1\tLời chúc Tết"), "{out}");
    assert!(out.contains("gia-mao.mp3"), "{out}");

    let o = loaxa(&[
        "--config",
        cfg.to_str().unwrap(),
        "media",
        "import",
        "--category",
        "tin-tuc",
        "x.mp3",
    ]);
    assert_eq!(o.status.code(), Some(2), "clap refuses an unknown category");
    assert!(text(&o).contains("bulletin"), "{}", text(&o));
}
