//! How text fits a panel: which font and lines a still text takes, how fast and how long a
//! marquee runs, and where the clock's lines go and how they pan.
//!
//! Pure measurement, shared by the scene (which sizes each slot of the rotation from it) and the
//! renderer (which draws at the positions it gives). Depends only on the fonts; must not draw
//! or decide what is shown.

use serde::{Deserialize, Serialize};

use super::font::{FontChoice, wrap};
use crate::model::{Effect, PanelColor};

/// Scroll speed used when a slogan asks for 0 px/s, per font scale.
pub const DEFAULT_SPEED_PX_S: u16 = 24;
/// Pause at each end of a clock line that is too wide and pans.
pub(crate) const PAN_PAUSE_MS: i64 = 1_500;
/// Panning speed of too-wide clock lines, per font scale.
const PAN_SPEED_PX_S: i64 = 24;
/// Separator between the parts of a combined date line.
const SEP: &str = " · ";

/// What the clock says and in which colours, as the scene decides it at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockFace {
    /// "07:30".
    pub time: String,
    /// "Thứ Sáu".
    pub weekday: String,
    /// "T6" ("CN" on Sunday), used when the full name does not fit.
    pub weekday_short: String,
    /// "27/11/2026".
    pub solar_date: String,
    /// "Mùng 1 tháng Giêng", if shown.
    pub lunar: Option<String>,
    /// Colour of the time.
    pub time_color: PanelColor,
    /// Colour of the date line(s).
    pub date_color: PanelColor,
}

/// Scroll speed of a slogan on a panel of this height, in LEDs per second.
pub(crate) fn speed_px_s(requested: u16, height: u32) -> i64 {
    if requested > 0 {
        i64::from(requested)
    } else {
        i64::from(DEFAULT_SPEED_PX_S) * i64::from(FontChoice::for_panel_height(height).scale())
    }
}

/// Milliseconds a marquee of `text_width` needs to cross `panel_width`.
pub(crate) fn marquee_ms(text_width: u32, panel_width: u32, speed: i64) -> i64 {
    let distance = i64::from(text_width) + i64::from(panel_width);
    (distance * 1000 + speed - 1) / speed.max(1)
}

/// Top edge that centres a line of `font` in `height`.
pub(crate) fn centred_top(font: FontChoice, height: u32) -> i32 {
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

/// True if a text moves: marquees always, still ones when they cannot
/// fit (see [`static_layout`]). The scene uses it to size the slot.
pub(crate) fn scrolls(effect: Effect, text: &str, width: u32, height: u32) -> bool {
    effect == Effect::Scroll || static_layout(text, width, height).is_none()
}

/// One line of the clock layout, in its own horizontal strip of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClockLine {
    /// What it says.
    pub(crate) text: String,
    /// Its font.
    pub(crate) font: FontChoice,
    /// Top edge, relative to the panel.
    pub(crate) top: i32,
    /// Left edge of its strip, relative to the panel.
    pub(crate) left: i32,
    /// Width of its strip: centred inside, or panning if wider.
    pub(crate) width: u32,
    /// Its colour.
    pub(crate) color: PanelColor,
}

/// Lays the clock out for a `width`×`height` panel: the time on the first
/// line (32 px tall from 48 px panels up, else 16 px), then the date line —
/// weekday, solar date and lunar date together, or solar and lunar on two
/// lines when there is room (64 px). On a 16 px panel the time stays pinned
/// at the left and the date line uses the rest. The weekday is shortened
/// ("T6") or dropped if that makes a line fit.
pub(crate) fn clock_lines(face: &ClockFace, width: u32, height: u32) -> Vec<ClockLine> {
    let ClockFace {
        time,
        weekday,
        weekday_short,
        solar_date,
        lunar,
        time_color: tc,
        date_color: dc,
    } = face;
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

/// Panning speed of a clock line.
pub(crate) fn pan_speed(font: FontChoice) -> i64 {
    PAN_SPEED_PX_S * i64::from(font.scale())
}

/// One pan of a line `overflow` px too wide: pause, slide left, pause.
fn pan_period_ms(overflow: u32, speed: i64) -> i64 {
    2 * PAN_PAUSE_MS + (i64::from(overflow) * 1000 + speed - 1) / speed.max(1)
}

/// Left edge of a panning line: starts left-aligned, slides until its end
/// is visible, rests, then starts over.
pub(crate) fn pan_x(elapsed_ms: i64, overflow: u32, speed: i64) -> i32 {
    let t = elapsed_ms.rem_euclid(pan_period_ms(overflow, speed));
    let shift = ((t - PAN_PAUSE_MS).max(0) * speed / 1000).min(i64::from(overflow));
    i32::try_from(-shift).unwrap_or(0)
}

/// Time the clock needs for its widest line to pan once (0 if all fit):
/// the scene uses it to size the clock slot.
pub(crate) fn clock_pan_ms(face: &ClockFace, width: u32, height: u32) -> i64 {
    clock_lines(face, width, height)
        .iter()
        .filter_map(|l| {
            let overflow = l.font.text_width(&l.text).checked_sub(l.width)?;
            (overflow > 0).then(|| pan_period_ms(overflow, pan_speed(l.font)))
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(lunar: Option<&str>) -> ClockFace {
        ClockFace {
            time: "07:30".into(),
            weekday: "Thứ Sáu".into(),
            weekday_short: "T6".into(),
            solar_date: "27/11/2026".into(),
            lunar: lunar.map(str::to_string),
            time_color: PanelColor::AMBER,
            date_color: PanelColor::GREEN,
        }
    }

    #[test]
    fn clock_layouts_by_panel_size() {
        let c = clock(Some("Mùng 1 tháng Giêng"));
        let texts = |w, h| -> Vec<(String, u32, i32)> {
            clock_lines(&c, w, h)
                .into_iter()
                .map(|l| (l.text, l.font.line_height(), l.top))
                .collect()
        };
        assert_eq!(
            texts(192, 32),
            [
                ("07:30".to_string(), 16, 0),
                (
                    "Thứ Sáu, 27/11/2026 · Mùng 1 tháng Giêng".to_string(),
                    16,
                    16
                )
            ]
        );
        assert_eq!(
            texts(128, 64),
            [
                ("07:30".to_string(), 32, 0),
                ("T6, 27/11/2026".to_string(), 16, 32),
                ("Mùng 1 tháng Giêng".to_string(), 16, 48)
            ]
        );
        // 16 px: time pinned left (40 px), a blank cell, the date in 144 px.
        let one_line: Vec<(String, i32, u32)> = clock_lines(&c, 192, 16)
            .into_iter()
            .map(|l| (l.text, l.left, l.width))
            .collect();
        assert_eq!(
            one_line,
            [
                ("07:30".to_string(), 0, 40),
                (
                    "Thứ Sáu, 27/11/2026 · Mùng 1 tháng Giêng".to_string(),
                    48,
                    144
                )
            ]
        );
        let no_lunar = clock(None);
        assert_eq!(
            clock_lines(&no_lunar, 192, 32)[1].text,
            "Thứ Sáu, 27/11/2026"
        );
    }
}
