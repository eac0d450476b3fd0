//! LED panel drawing speed: one 192×32 frame of scrolling Vietnamese text (scene decision plus
//! drawing, as the panel loop does it every frame), the same with an emergency on a 128×64 RGB
//! panel, the web preview's PNG, and what a 60 fps marquee costs of one core. The baseline,
//! measured in the same run: ffmpeg's `drawtext` (FreeType) drawing the same text into 192×32
//! frames. Run with `cargo bench --bench render`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::DateTime;
use loaxa::display::panel::to_png;
use loaxa::display::{
    ClockSettings, EmergencyText, Frame, PanelSpec, SceneInput, Slogan, render, scene,
};
use loaxa::model::{Effect, PanelColor, PanelKind};

const TEXT: &str = "Chính quyền thân thiện — vì Nhân dân phục vụ. Không gây khó khăn, phiền hà";
/// Frames drawn per measurement.
const FRAMES: u32 = 20_000;

fn main() {
    let t0 = DateTime::parse_from_rfc3339("2026-11-27T07:30:00+07:00").unwrap_or_default();
    let marquee = input(192, 32, PanelKind::MonoRed);
    let mut frame = Frame::new(192, 32);
    let ours = per_frame(|i| {
        let t = t0 + chrono::Duration::microseconds(i64::from(i) * 16_667);
        let s = scene(t, black_box(&marquee));
        let Ok(()) = render(&s, t, &mut frame);
    });
    let fixed = scene(t0, &marquee);
    let drawing = per_frame(|i| {
        let t = t0 + chrono::Duration::microseconds(i64::from(i % 600) * 16_667);
        let Ok(()) = render(black_box(&fixed), t, &mut frame);
    });
    println!("== one 192×32 frame of scrolling Vietnamese (scene + render), {FRAMES} frames");
    println!(
        "  loaxa                          {:>8.1} µs/frame",
        micros(ours)
    );
    println!(
        "    of which drawing             {:>8.1} µs/frame",
        micros(drawing)
    );
    println!(
        "  a 60 fps marquee               {:>8.2} % of one core",
        ours.as_secs_f64() * 60.0 * 100.0
    );

    let mut alarm = input(128, 64, PanelKind::Rgb);
    alarm.emergency = Some(EmergencyText {
        text: "KHẨN CẤP: Bão số 3 đổ bộ, bà con ở trong nhà, chằng chống nhà cửa".into(),
        since: t0,
    });
    let mut big = Frame::new(128, 64);
    let emergency = per_frame(|i| {
        let t = t0 + chrono::Duration::microseconds(i64::from(i) * 16_667);
        let Ok(()) = render(&scene(t, black_box(&alarm)), t, &mut big);
    });
    println!(
        "  emergency, 128×64 RGB          {:>8.1} µs/frame",
        micros(emergency)
    );
    let png = per_frame(|_| {
        black_box(to_png(black_box(&frame), 4));
    });
    println!("  preview PNG, scale 4           {:>8.1} µs", micros(png));

    match ffmpeg_drawtext() {
        Some(theirs) => println!(
            "  ffmpeg drawtext (FreeType)     {:>8.1} µs/frame   loaxa is {:.1}× faster",
            micros(theirs),
            theirs.as_secs_f64() / ours.as_secs_f64()
        ),
        None => println!("  (ffmpeg with drawtext and fonts-dejavu are needed for the baseline)"),
    }
}

fn input(width: u32, height: u32, kind: PanelKind) -> SceneInput {
    SceneInput {
        slogans: vec![Slogan {
            id: 1,
            text: TEXT.into(),
            color: PanelColor::RED,
            effect: Effect::Scroll,
            speed_px_s: 40,
            hold_s: 5,
            window: None,
        }],
        clock: Some(ClockSettings {
            every_n_slogans: 3,
            hold_s: 5,
            show_lunar: true,
        }),
        lunar_date_text: "Mùng 8 tháng Mười năm Bính Ngọ".into(),
        emergency: None,
        panel: PanelSpec {
            width,
            height,
            kind,
        },
    }
}

/// Mean time of `f` over `FRAMES` calls (after a warm-up), best of three runs.
fn per_frame(mut f: impl FnMut(u32)) -> Duration {
    (0..FRAMES / 10).for_each(&mut f);
    (0..3)
        .map(|_| {
            let start = Instant::now();
            (0..FRAMES).for_each(&mut f);
            start.elapsed() / FRAMES
        })
        .min()
        .unwrap_or_default()
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Per-frame time of ffmpeg drawing the same scrolling text into 192×32 frames.
fn ffmpeg_drawtext() -> Option<Duration> {
    let font = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
    if !Path::new(font).exists() {
        return None;
    }
    let frames = 6_000;
    let text_file = std::env::temp_dir().join("loaxa-bench-drawtext.txt");
    std::fs::write(&text_file, TEXT).ok()?;
    let filter = format!(
        "drawtext=fontfile={font}:textfile={}:fontsize=28:fontcolor=red:x=w-mod(t*40\\,w+tw):y=2",
        text_file.display()
    );
    let run = || {
        let start = Instant::now();
        let ok = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "color=black:s=192x32:r=60",
            ])
            .args([
                "-vf",
                &filter,
                "-frames:v",
                &frames.to_string(),
                "-f",
                "null",
                "-",
            ])
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| start.elapsed() / frames)
    };
    (0..3).filter_map(|_| run()).min()
}
