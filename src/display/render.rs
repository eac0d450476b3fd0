//! Drawing a [`Scene`] at an instant onto any `embedded-graphics` target.
//!
//! Sizes come from `target.bounding_box()` only, so the same code drives a
//! 192×32 mono panel, a 128×64 RGB panel and the web preview. Every drawing
//! goes through a clipped view of that box: nothing is written outside it
//! whatever the text length or scroll offset. Panels too small for one line
//! of text (under 8×16) are cleared and left dark rather than showing
//! half-cut letters.

use chrono::{DateTime, FixedOffset};
use embedded_graphics::{pixelcolor::Rgb888, prelude::*, primitives::Rectangle};

use super::color::PanelColor;
use super::font::{FontChoice, draw_line, wrap};
use super::scene::{Effect, PAN_PAUSE_MS, Scene, Slogan, marquee_ms, speed_px_s};

/// Narrowest panel that can show one letter.
const MIN_WIDTH: u32 = 8;
/// Lowest panel that can show a letter with its marks (one Unifont cell).
const MIN_HEIGHT: u32 = 16;
/// Blink period (1 Hz): on for the first half, off for the second.
const BLINK_PERIOD_MS: i64 = 1_000;
/// Panning speed of too-wide clock lines, per font scale.
const PAN_SPEED_PX_S: i64 = 24;
/// Blank cells between repeats of a scrolling emergency warning.
const TICKER_GAP_CELLS: u32 = 4;
/// Separator between the parts of a combined date line.
const SEP: &str = " · ";

/// Draws `scene` as it looks at `t`, filling the whole target.
pub fn render<D>(scene: &Scene, t: DateTime<FixedOffset>, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = target.bounding_box();
    target.fill_solid(&area, Rgb888::BLACK)?;
    if area.size.width < MIN_WIDTH || area.size.height < MIN_HEIGHT {
        return Ok(());
    }
    let mut canvas = target.clipped(&area);
    match scene {
        Scene::Blank => Ok(()),
        Scene::Slogan {
            slogan,
            color,
            started_at,
        } => draw_slogan(&mut canvas, slogan, *color, ms_between(*started_at, t)),
        Scene::Clock { started_at, .. } => {
            let lines = clock_lines(scene, area.size.width, area.size.height);
            draw_clock(&mut canvas, &lines, ms_between(*started_at, t))
        }
        Scene::Emergency {
            text,
            since,
            phases,
        } => {
            let elapsed = ms_between(*since, t);
            let (fg, bg) = phases[usize::from(!blink_on(elapsed))];
            draw_emergency(&mut canvas, text, fg, bg, elapsed)
        }
    }
}

/// Milliseconds from `from` to `to` (negative if `to` is earlier).
fn ms_between(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> i64 {
    (to - from).num_milliseconds()
}

/// First half of each second: lit.
fn blink_on(elapsed_ms: i64) -> bool {
    elapsed_ms.rem_euclid(BLINK_PERIOD_MS) < BLINK_PERIOD_MS / 2
}

/// Left edge of a right-to-left marquee `elapsed_ms` after it started:
/// enters at the right edge, leaves fully at the left, then repeats.
fn marquee_x(elapsed_ms: i64, text_width: u32, panel_width: u32, speed: i64) -> i32 {
    let period_ms = marquee_ms(text_width, panel_width, speed).max(1);
    let travelled = elapsed_ms.rem_euclid(period_ms) * speed / 1000;
    let x = i64::from(panel_width) - travelled;
    i32::try_from(x).unwrap_or(0)
}

/// Left edge that centres `text_width` in `panel_width`.
fn centred_x(text_width: u32, panel_width: u32) -> i32 {
    (i64::from(panel_width) - i64::from(text_width)).div_euclid(2) as i32
}

/// Top edge that centres a line of `font` in `height`.
fn centred_top(font: FontChoice, height: u32) -> i32 {
    (height.saturating_sub(font.line_height()) / 2) as i32
}

/// How a still (static or blinking) text fits the panel: the biggest font
/// whose word-wrapped lines all fit — one line of the panel's own font
/// first, then wrapped lines of it, then wrapped 16 px lines (two on a
/// 32 px panel). `None`: it cannot stand still and must scroll.
pub(crate) fn static_layout(
    text: &str,
    width: u32,
    height: u32,
) -> Option<(FontChoice, Vec<String>)> {
    let own = FontChoice::for_panel_height(height);
    [own, FontChoice::Unifont16].into_iter().find_map(|font| {
        let max_lines = (height / font.line_height()) as usize;
        wrap(font, text, width, max_lines).map(|lines| (font, lines))
    })
}

/// True if a slogan moves: marquees always, still ones when they cannot
/// fit (see [`static_layout`]). The scene uses it to size the slot.
pub(crate) fn scrolls(s: &Slogan, width: u32, height: u32) -> bool {
    s.effect == Effect::Scroll || static_layout(&s.text, width, height).is_none()
}

/// A slogan: marquee in the panel's font, or still/blinking lines.
fn draw_slogan<D>(
    canvas: &mut D,
    s: &Slogan,
    color: PanelColor,
    elapsed: i64,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    let (w, h) = (area.size.width, area.size.height);
    let still = match s.effect {
        Effect::Scroll => None,
        Effect::Static | Effect::Blink => static_layout(&s.text, w, h),
    };
    let Some((font, lines)) = still else {
        let font = FontChoice::for_panel_height(h);
        let x = marquee_x(
            elapsed,
            font.text_width(&s.text),
            w,
            speed_px_s(s.speed_px_s, h),
        );
        let origin = area.top_left + Point::new(x, centred_top(font, h));
        return draw_line(canvas, font, &s.text, origin, color.into()).map(|_| ());
    };
    if s.effect == Effect::Blink && !blink_on(elapsed) {
        return Ok(());
    }
    draw_block(canvas, font, &lines, color)
}

/// Still lines, each centred, the block centred vertically.
fn draw_block<D>(
    canvas: &mut D,
    font: FontChoice,
    lines: &[String],
    color: PanelColor,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    let (w, h) = (area.size.width, area.size.height);
    let block = font.line_height() * lines.len() as u32;
    let mut top = (h.saturating_sub(block) / 2) as i32;
    for line in lines {
        let x = centred_x(font.text_width(line), w);
        let origin = area.top_left + Point::new(x, top);
        draw_line(canvas, font, line, origin, color.into())?;
        top += font.line_height() as i32;
    }
    Ok(())
}

/// The emergency warning on its phase background: still and whole if it
/// fits (wrapped like a still slogan), else a seamless ticker that starts
/// readable (text at the left edge) the moment the warning is raised and
/// never leaves the panel empty.
fn draw_emergency<D>(
    canvas: &mut D,
    text: &str,
    fg: PanelColor,
    bg: PanelColor,
    elapsed: i64,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    canvas.fill_solid(&area, bg.into())?;
    let (w, h) = (area.size.width, area.size.height);
    if let Some((font, lines)) = static_layout(text, w, h) {
        return draw_block(canvas, font, &lines, fg);
    }
    let font = FontChoice::for_panel_height(h);
    let top = area.top_left.y + centred_top(font, h);
    let period = font.text_width(text) + TICKER_GAP_CELLS * font.line_height() / 2;
    let travelled = elapsed.max(0) * speed_px_s(0, h) / 1000;
    let mut x = -(travelled.rem_euclid(i64::from(period)) as i32);
    while x < w as i32 {
        let origin = Point::new(area.top_left.x + x, top);
        draw_line(canvas, font, text, origin, fg.into())?;
        x += period as i32;
    }
    Ok(())
}

/// One line of the clock layout, in its own horizontal strip of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClockLine {
    /// What it says.
    text: String,
    /// Its font.
    font: FontChoice,
    /// Top edge, relative to the panel.
    top: i32,
    /// Left edge of its strip, relative to the panel.
    left: i32,
    /// Width of its strip: centred inside, or panning if wider.
    width: u32,
    /// Its colour.
    color: PanelColor,
}

/// Lays the clock out for a `width`×`height` panel: the time on the first
/// line (32 px tall from 48 px panels up, else 16 px), then the date line —
/// weekday, solar date and lunar date together, or solar and lunar on two
/// lines when there is room (64 px). On a 16 px panel the time stays pinned
/// at the left and the date line uses the rest. The weekday is shortened
/// ("T6") or dropped if that makes a line fit.
pub(crate) fn clock_lines(scene: &Scene, width: u32, height: u32) -> Vec<ClockLine> {
    let Scene::Clock {
        time,
        weekday,
        weekday_short,
        solar_date,
        lunar,
        time_color: tc,
        date_color: dc,
        ..
    } = scene
    else {
        return Vec::new();
    };
    let (big, small) = (FontChoice::Unifont32, FontChoice::Unifont16);
    let solar = [
        format!("{weekday}, {solar_date}"),
        format!("{weekday_short}, {solar_date}"),
        solar_date.clone(),
    ];
    let dated = solar.clone().map(|d| match lunar {
        Some(l) => format!("{d}{SEP}{l}"),
        None => d,
    });
    let fit = |options: [String; 3], room: u32| first_fitting(options, small, room);
    let rows = match lunar {
        Some(l) if height >= 64 => vec![
            (time.clone(), big, *tc),
            (fit(solar, width), small, *dc),
            (l.clone(), small, *dc),
        ],
        _ if height >= 48 => vec![(time.clone(), big, *tc), (fit(dated, width), small, *dc)],
        _ if height >= 32 => vec![(time.clone(), small, *tc), (fit(dated, width), small, *dc)],
        _ => return side_by_side(time, dated, (*tc, *dc), width, height),
    };
    stack(rows, width, height)
}

/// 16 px panels: the time pinned at the left, the date line beside it.
fn side_by_side(
    time: &str,
    dated: [String; 3],
    (tc, dc): (PanelColor, PanelColor),
    width: u32,
    height: u32,
) -> Vec<ClockLine> {
    let font = FontChoice::Unifont16;
    // One blank cell between the time and the date strip, so a glyph cut
    // by panning never looks like part of the time.
    let time_w = font.text_width(time);
    let date_left = time_w + font.text_width(" ");
    let room = width.saturating_sub(date_left);
    let top = centred_top(font, height);
    let line = |text: String, left: u32, width: u32, color| ClockLine {
        text,
        font,
        top,
        left: left as i32,
        width,
        color,
    };
    vec![
        line(time.to_string(), 0, time_w.min(width), tc),
        line(first_fitting(dated, font, room), date_left, room, dc),
    ]
}

/// The first option that fits `width`, else the first (fullest) one.
fn first_fitting(options: [String; 3], font: FontChoice, width: u32) -> String {
    let fits = options
        .iter()
        .position(|o| font.text_width(o) <= width)
        .unwrap_or(0);
    options.into_iter().nth(fits).unwrap_or_default()
}

/// Stacks full-width rows top to bottom, the block centred vertically.
fn stack(rows: Vec<(String, FontChoice, PanelColor)>, width: u32, height: u32) -> Vec<ClockLine> {
    let block: u32 = rows.iter().map(|r| r.1.line_height()).sum();
    let mut top = (height.saturating_sub(block) / 2) as i32;
    rows.into_iter()
        .map(|(text, font, color)| {
            let line = ClockLine {
                text,
                font,
                top,
                left: 0,
                width,
                color,
            };
            top += font.line_height() as i32;
            line
        })
        .collect()
}

/// Draws the clock lines, each centred in its strip or panning inside it.
fn draw_clock<D>(canvas: &mut D, lines: &[ClockLine], elapsed: i64) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = canvas.bounding_box();
    for line in lines {
        let corner = area.top_left + Point::new(line.left, line.top);
        let strip = Rectangle::new(corner, Size::new(line.width, line.font.line_height()));
        let text_w = line.font.text_width(&line.text);
        let x = if text_w > line.width {
            pan_x(elapsed, text_w - line.width, pan_speed(line.font))
        } else {
            centred_x(text_w, line.width)
        };
        let origin = corner + Point::new(x, 0);
        let mut strip_canvas = canvas.clipped(&strip);
        draw_line(
            &mut strip_canvas,
            line.font,
            &line.text,
            origin,
            line.color.into(),
        )?;
    }
    Ok(())
}

/// Panning speed of a clock line.
fn pan_speed(font: FontChoice) -> i64 {
    PAN_SPEED_PX_S * i64::from(font.scale())
}

/// One pan of a line `overflow` px too wide: pause, slide left, pause.
fn pan_period_ms(overflow: u32, speed: i64) -> i64 {
    2 * PAN_PAUSE_MS + (i64::from(overflow) * 1000 + speed - 1) / speed.max(1)
}

/// Left edge of a panning line: starts left-aligned, slides until its end
/// is visible, rests, then starts over.
fn pan_x(elapsed_ms: i64, overflow: u32, speed: i64) -> i32 {
    let t = elapsed_ms.rem_euclid(pan_period_ms(overflow, speed));
    let shift = ((t - PAN_PAUSE_MS).max(0) * speed / 1000).min(i64::from(overflow));
    i32::try_from(-shift).unwrap_or(0)
}

/// Time the clock needs for its widest line to pan once (0 if all fit):
/// the scene uses it to size the clock slot.
pub(crate) fn clock_pan_ms(scene: &Scene, width: u32, height: u32) -> i64 {
    clock_lines(scene, width, height)
        .iter()
        .filter_map(|l| {
            let overflow = l.font.text_width(&l.text).checked_sub(l.width)?;
            (overflow > 0).then(|| pan_period_ms(overflow, pan_speed(l.font)))
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
