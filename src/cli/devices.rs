//! `loaxa devices`: the outputs Loa Xã can play to, with their rates and channels. Parsing and
//! printing only; the devices are listed by `audio::sink`.

use std::process::ExitCode;

use anyhow::Result;
use loaxa::audio::sink::list_output_devices;

/// Options of `loaxa devices`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// In JSON, for scripts.
    #[arg(long)]
    json: bool,
}

/// List the sound cards, then the outputs that always exist.
pub fn run(args: Args) -> Result<ExitCode> {
    let devices = list_output_devices();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&devices)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Đầu ra âm thanh / audio outputs:");
    for d in &devices {
        let name = if d.name == "default" {
            "device".to_string()
        } else {
            format!("device:{}", d.name)
        };
        let format = d
            .default_format
            .map_or("không dùng được / unusable".to_string(), |f| {
                format!("{} Hz, {} kênh/ch", f.sample_rate, f.channels)
            });
        let rates = d
            .rates
            .map_or(String::new(), |(lo, hi)| format!(", {lo}–{hi} Hz"));
        let channels = d
            .max_channels
            .map_or(String::new(), |c| format!(", ≤{c} kênh/ch"));
        println!("  {name:<28} {format}{rates}{channels}  {}", d.description);
    }
    println!(
        "  {:<28} ghi ra tệp WAV / capture to a WAV file",
        "wav:PATH"
    );
    println!(
        "  {:<28} bỏ đi, theo thời gian thực / discard, in real time",
        "null"
    );
    if devices.iter().all(|d| d.default_format.is_none()) {
        println!(
            "\nKhông thấy card âm thanh nào dùng được; device:null luôn có. / No usable sound card found; device:null always exists."
        );
    }
    Ok(ExitCode::SUCCESS)
}
