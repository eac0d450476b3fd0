//! `loaxa speak`: read a text aloud with the service's voice — print what the voice will read,
//! write the WAV, or play it through the output as `loaxa play` does. Parsing and printing only;
//! reading aloud is `speech`'s, playing it `loaxa play`'s.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use loaxa::speech::{RATES, Speech, Voice};

/// Longest text read from standard input.
const MAX_STDIN: u64 = 1 << 20;

/// Options of `loaxa speak`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Văn bản cần đọc; "-" hoặc bỏ trống: đọc từ stdin / the text; "-" or none: read stdin.
    #[arg(long, allow_hyphen_values = true)]
    text: Option<String>,
    /// Giọng đọc / voice: vi, vi-central, vi-south, piper:PATH.onnx (default: speech.voice).
    #[arg(long)]
    voice: Option<String>,
    /// Tốc độ đọc, từ mỗi phút / words per minute, 80–450 (default: speech.rate).
    #[arg(long)]
    rate: Option<u16>,
    /// Ghi ra tệp WAV thay vì phát / write this WAV instead of playing.
    #[arg(long, value_name = "FILE.wav")]
    out: Option<PathBuf>,
    /// Chỉ in ra đúng những gì giọng sẽ đọc / only print exactly what the voice will read.
    #[arg(long)]
    print: bool,
    /// Đầu ra khi phát / output when playing: device, device:NAME, wav:PATH, null.
    #[arg(long, short)]
    output: Option<String>,
}

/// `loaxa play` with its own options, so speaking plays exactly as playing does.
#[derive(Debug, Parser)]
struct PlayCommand {
    #[command(flatten)]
    args: super::play::Args,
}

/// Speak the text; exit 1 with one line on any failure.
pub fn run(config_path: Option<&Path>, args: Args) -> Result<ExitCode> {
    let loaded = super::load_config(config_path)?;
    let text = match args.text.as_deref() {
        None | Some("-") => read_stdin()?,
        Some(t) => t.to_string(),
    };
    let mut speech = Speech::from_config(&loaded.config.speech)?;
    if let Some(v) = &args.voice {
        speech = speech.with_voice(v.parse::<Voice>().map_err(anyhow::Error::msg)?);
    }
    if let Some(r) = args.rate {
        if !RATES.contains(&r) {
            anyhow::bail!(
                "--rate {r} nằm ngoài 80–450 từ/phút / is outside 80–450 words per minute"
            );
        }
        speech = speech.with_rate(r);
    }
    if args.print {
        println!("{}", speech.reading(&text)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(out) = &args.out {
        let spoken = speech.speak(&text, out)?;
        println!(
            "→ {} ({:.1} s, {} Hz, {})",
            spoken.wav.display(),
            spoken.seconds,
            spoken.sample_rate,
            speech.voice()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let dir = tempfile::tempdir()?;
    let spoken = speech.speak(&text, &dir.path().join("loaxa-speak.wav"))?;
    let mut play = vec!["play".to_string()];
    if let Some(o) = args.output {
        play.push(format!("--output={o}"));
    }
    play.push("--".into());
    play.push(spoken.wav.display().to_string());
    let play = PlayCommand::try_parse_from(play)?;
    super::play::run(config_path, play.args)
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_string(&mut text)
        .context("không đọc được văn bản từ stdin / cannot read the text from stdin")?;
    if text.len() as u64 > MAX_STDIN {
        anyhow::bail!("văn bản dài quá 1 MiB / the text is over 1 MiB");
    }
    Ok(text)
}
