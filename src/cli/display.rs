//! `loaxa display render`: one frame of the LED panel as a PNG, for checking a slogan's letters
//! before it goes up, or what the panel will show at a given moment. It draws nothing itself: the
//! frame is the board's (`display::board`), and only the PNG is written here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use loaxa::display::board::{Board, preview};
use loaxa::display::panel::to_png;
use loaxa::display::slogans;
use loaxa::display::{FontChoice, PanelSpec};
use loaxa::model::NewSlogan;
use loaxa::model::{Effect, PanelColor, PanelKind};
use loaxa::store::Store;

/// `loaxa display …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Vẽ một khung hình ra tệp PNG / draw one frame of the panel to a PNG file.
    Render(RenderArgs),
}

/// Options of `loaxa display render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Một khẩu hiệu, vẽ riêng / one text, drawn alone (checked like a slogan at approval).
    #[arg(long, conflicts_with = "at")]
    text: Option<String>,
    /// Bảng LED lúc này: khẩu hiệu đã duyệt, đồng hồ / the panel at this moment, with the
    /// approved slogans and the clock: "2026-11-27 07:30", "07:30" (today) or RFC 3339.
    #[arg(long)]
    at: Option<String>,
    /// Tệp PNG ghi ra / the PNG file to write.
    #[arg(long)]
    out: PathBuf,
    /// Kích thước / panel size WxH in LEDs, default from [display] (e.g. 192x32).
    #[arg(long, value_name = "WxH")]
    size: Option<String>,
    /// Loại bảng / panel kind: mono_red, mono_amber, rgb (default from [display]).
    #[arg(long)]
    kind: Option<String>,
    /// Màu chữ / text colour for --text: #rrggbb or a name (đỏ, vàng, xanh lá…).
    #[arg(long)]
    color: Option<String>,
    /// Hiệu ứng / effect for --text: scroll, static, blink.
    #[arg(long, default_value = "static")]
    effect: String,
    /// Mili giây kể từ lúc khẩu hiệu bắt đầu / milliseconds into the text's slot (scrolling).
    #[arg(long, default_value_t = 0)]
    ms: i64,
    /// Cỡ mỗi bóng LED trong ảnh / pixels per LED in the picture, 1–16.
    #[arg(long, default_value_t = 4)]
    scale: u32,
}

/// Run `loaxa display`.
pub fn run(config_path: Option<&Path>, command: Command) -> Result<ExitCode> {
    match command {
        Command::Render(args) => render(config_path, args),
    }
}

fn render(config_path: Option<&Path>, args: RenderArgs) -> Result<ExitCode> {
    let mut config = super::load_config(config_path)?.config;
    if let Some(size) = &args.size {
        (config.display.width, config.display.height) = parse_size(size)?;
    }
    if let Some(kind) = &args.kind {
        config.display.kind = parse_kind(kind)?;
    }
    let spec = PanelSpec {
        width: config.display.width,
        height: config.display.height,
        kind: config.display.kind,
    };
    let tz = config.timezone;
    let frame = match &args.text {
        Some(text) => {
            let color = match &args.color {
                Some(c) => PanelColor::try_from(c.clone()).map_err(anyhow::Error::msg)?,
                None => PanelColor::RED,
            };
            let effect: Effect = args.effect.parse().map_err(anyhow::Error::msg)?;
            let new = NewSlogan {
                text: text.clone(),
                color,
                effect,
                speed_px_s: 0,
                hold_s: 5,
                show_from: None,
                show_until: None,
                position: 0,
            };
            let new = slogans::validate(&new, FontChoice::for_panel_height(spec.height))?;
            let now = Utc::now().with_timezone(&tz).fixed_offset();
            preview(spec, new.to_scene(0), now, args.ms)
        }
        None => {
            let at = match &args.at {
                Some(s) => parse_at(s, tz)?,
                None => Utc::now(),
            };
            let store = Store::open(&config.database_path())?;
            let board = Board::new(store, config.display.clone(), tz, None)?;
            board.frame_at(at)
        }
    };
    std::fs::write(&args.out, to_png(&frame, args.scale))
        .with_context(|| format!("không ghi được / cannot write {}", args.out.display()))?;
    println!(
        "{} ({}×{} LED, {} LED sáng / lit)",
        args.out.display(),
        frame.width(),
        frame.height(),
        frame.lit_count()
    );
    Ok(ExitCode::SUCCESS)
}

/// "192x32" → (192, 32), within what a panel can be.
fn parse_size(s: &str) -> Result<(u32, u32)> {
    let parsed = s
        .split_once(['x', 'X', '×'])
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h)) if (8..=4096).contains(&w) && (8..=4096).contains(&h) => Ok((w, h)),
        Some((w, h)) => bail!(
            "bảng LED {w}×{h} nằm ngoài 8…4096 điểm mỗi chiều / a {w}×{h} panel is outside 8…4096 LEDs each way"
        ),
        None => bail!(
            "kích thước \"{s}\" không hợp lệ, hãy viết như 192x32 / size \"{s}\" is not valid, write it like 192x32"
        ),
    }
}

fn parse_kind(s: &str) -> Result<PanelKind> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        anyhow::anyhow!(
            "loại bảng \"{s}\" không hợp lệ: mono_red, mono_amber, rgb / unknown panel kind \"{s}\": mono_red, mono_amber, rgb"
        )
    })
}

/// A moment on the commune's clock: RFC 3339, "YYYY-MM-DD HH:MM", or "HH:MM" today.
fn parse_at(s: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .or_else(|_| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map(|t| Utc::now().with_timezone(&tz).date_naive().and_time(t))
        })
        .map_err(|_| {
            anyhow::anyhow!(
                "thời điểm \"{s}\" không hợp lệ: dùng \"2026-11-27 07:30\" hoặc \"07:30\" / the moment \"{s}\" is not valid: use \"2026-11-27 07:30\" or \"07:30\""
            )
        })?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| anyhow::anyhow!("{s}: không có giờ này / no such local time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_zero_is_refused() {
        assert_eq!(parse_size("192x32").ok(), Some((192, 32)));
        assert_eq!(parse_size("128×64").ok(), Some((128, 64)));
        assert!(parse_size("0x32").is_err());
        assert!(parse_size("192").is_err());
    }

    #[test]
    fn moments_read_in_the_communes_time() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let t = parse_at("2026-11-27 07:30", tz).ok();
        assert_eq!(
            t.map(|t| t.to_rfc3339()),
            Some("2026-11-27T00:30:00+00:00".into())
        );
        assert!(parse_at("hôm qua", tz).is_err());
    }
}
