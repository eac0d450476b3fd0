//! Fonts: which bitmap glyph draws each character, and drawing a line of it.
//!
//! All text is GNU Unifont as packed by u8g2:
//!
//! * `u8g2_font_unifont_t_vietnamese2` is the main font. It holds U+0020–U+024F
//!   (Latin-1, Latin Extended-A/B: ă â đ ê ô ơ ư…), the combining marks and
//!   U+1E00–U+1EFF (Latin Extended Additional: every toned Vietnamese vowel).
//!   It covers all 134 Vietnamese letters with diacritics, upper and lower case
//!   (its sibling `_vietnamese1` lacks "Ư" U+01AF, so it is not used).
//! * `u8g2_font_unifont_t_symbols` is the fallback for a few signs the main
//!   font lacks (₫ €, arrows, ☀ ☎ ✓ …).
//! * Typographic punctuation missing from both is drawn from a stand-in:
//!   curly quotes as straight quotes, "…" as "...", en/em dashes as drawn rules.
//!
//! No u8g2 font taller than 16 px covers Vietnamese (checked over all 1,998
//! fonts of u8g2-fonts 0.8), so panels 32 px and taller draw the same Unifont
//! glyphs doubled ([`FontChoice::Unifont32`]): identical letter shapes, one
//! source of truth for coverage. [`FontChoice::covers`] and the renderer both
//! go through one glyph lookup (`glyph_for`), so "the checker accepts it" means "it is drawn". It
//! does not decide what is shown or where: the scene and the layout do.

use embedded_graphics::{
    Pixel,
    pixelcolor::Rgb888,
    prelude::*,
    primitives::{PrimitiveStyle, Rectangle},
};
use u8g2_fonts::{
    FontRenderer, fonts,
    types::{FontColor, VerticalPosition},
};

/// Main font: all Vietnamese letters.
static VIETNAMESE: FontRenderer = FontRenderer::new::<fonts::u8g2_font_unifont_t_vietnamese2>();
/// Fallback font for symbols (₫, €, arrows, weather signs).
static SYMBOLS: FontRenderer = FontRenderer::new::<fonts::u8g2_font_unifont_t_symbols>();
/// Fonts tried in order for each character.
static CHAIN: [&FontRenderer; 2] = [&VIETNAMESE, &SYMBOLS];

/// Unifont cell height in font pixels (one line of text at scale 1).
const CELL_HEIGHT: u32 = 16;
/// Distance from the top of the cell to the baseline, in font pixels.
/// Unifont's bounding box spans 14 px above the baseline and 2 below; using
/// the full box (not the ascent) keeps stacked marks such as "Ẩ" inside.
const BASELINE: i32 = 14;
/// Advance of a glyph-less character's visible box, in font pixels.
const MISSING_ADVANCE: i32 = 8;

/// Which look the panel uses for text; chosen from the panel height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontChoice {
    /// Unifont at its native 16 px: one line on a 16 px panel.
    Unifont16,
    /// Unifont doubled to 32 px (each font pixel drawn as 2×2 LEDs): the
    /// bigger look for panels 32 px and taller, same glyphs and coverage.
    Unifont32,
}

impl FontChoice {
    /// Picks the biggest look whose line fits the panel height: 32 px and
    /// taller get [`FontChoice::Unifont32`], anything lower the 16 px font.
    pub fn for_panel_height(height: u32) -> Self {
        if height >= 2 * CELL_HEIGHT {
            Self::Unifont32
        } else {
            Self::Unifont16
        }
    }

    /// LEDs per font pixel, each way.
    pub fn scale(self) -> u32 {
        match self {
            Self::Unifont16 => 1,
            Self::Unifont32 => 2,
        }
    }

    /// Height of one text line in LEDs, marks above capitals included.
    pub fn line_height(self) -> u32 {
        CELL_HEIGHT * self.scale()
    }

    /// True if `c` is drawn with a real glyph (or a faithful stand-in such as
    /// a straight quote for a curly one) — the coverage test for input text.
    pub fn covers(self, c: char) -> bool {
        !matches!(glyph_for(c), Glyph::Missing)
    }

    /// Width of `text` drawn on one line, in LEDs.
    pub fn text_width(self, text: &str) -> u32 {
        let width: i32 = text.chars().map(|c| glyph_for(c).advance()).sum();
        u32::try_from(width).unwrap_or(0) * self.scale()
    }
}

/// Breaks `text` into at most `max_lines` lines no wider than `max_width`
/// LEDs, or `None` if it cannot fit (or one word alone is too wide).
///
/// Uses as few lines as greedy filling would, and within that count prefers
/// breaking after punctuation ("Không hách dịch," / "cửa quyền"), else
/// lines of even length, so a sign never ends on a lone dangling word.
pub(crate) fn wrap(
    font: FontChoice,
    text: &str,
    max_width: u32,
    max_lines: usize,
) -> Option<Vec<String>> {
    let space = font.text_width(" ");
    let words: Vec<(&str, u32)> = text.split(' ').map(|w| (w, font.text_width(w))).collect();
    // Never start a line with a dash.
    let any = |i: usize| {
        !words
            .get(i + 1)
            .is_some_and(|w| w.0.starts_with(['—', '–']))
    };
    let needed = pack(&words, space, max_width, &any)?.len();
    if needed > max_lines {
        return None;
    }
    let after_punct = |i: usize| {
        let last = words.get(i).and_then(|w| w.0.chars().last());
        i + 1 == words.len() || matches!(last, Some(',' | ';' | ':' | '.' | '!' | '?' | '—' | '–'))
    };
    let lines = pack(&words, space, max_width, &after_punct)
        .filter(|l| l.len() == needed)
        .or_else(|| balanced(&words, space, max_width, needed, &any))?;
    Some(lines.into_iter().map(|r| join(&words[r])).collect())
}

/// Greedy filling, breaking only after words for which `can_break` holds.
fn pack(
    words: &[(&str, u32)],
    space: u32,
    width: u32,
    can_break: &dyn Fn(usize) -> bool,
) -> Option<Vec<core::ops::Range<usize>>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let (mut used, mut last_break, mut end) = (0, None, start);
        while end < words.len() {
            let add = words[end].1 + if end > start { space } else { 0 };
            if used + add > width {
                break;
            }
            used += add;
            if can_break(end) {
                last_break = Some(end);
            }
            end += 1;
        }
        // The last word always allows a break, so a full fit ends there.
        let stop = last_break?;
        lines.push(start..stop + 1);
        start = stop + 1;
    }
    Some(lines)
}

/// Narrowest greedy filling that still needs only `lines` lines.
fn balanced(
    words: &[(&str, u32)],
    space: u32,
    width: u32,
    lines: usize,
    any: &dyn Fn(usize) -> bool,
) -> Option<Vec<core::ops::Range<usize>>> {
    let (mut lo, mut hi) = (words.iter().map(|w| w.1).max().unwrap_or(0), width);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match pack(words, space, mid, any) {
            Some(l) if l.len() <= lines => hi = mid,
            _ => lo = mid + 1,
        }
    }
    pack(words, space, hi, any)
}

/// The words of one line, space-separated.
fn join(words: &[(&str, u32)]) -> String {
    words.iter().map(|w| w.0).collect::<Vec<_>>().join(" ")
}

/// How one character is drawn, in font pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Glyph {
    /// A glyph of a u8g2 font (possibly a stand-in character).
    Font {
        font: &'static FontRenderer,
        ch: char,
        advance: i32,
    },
    /// Several copies of one stand-in glyph ("…" drawn as "...").
    Repeat {
        font: &'static FontRenderer,
        ch: char,
        advance: i32,
        count: i32,
    },
    /// A horizontal rule at hyphen height: en/em dashes.
    Rule { advance: i32, lead: i32, len: i32 },
    /// No glyph anywhere: drawn as a hollow box so the fault shows.
    Missing,
}

impl Glyph {
    /// Horizontal space taken, in font pixels.
    pub(crate) fn advance(self) -> i32 {
        match self {
            Self::Font { advance, .. } | Self::Rule { advance, .. } => advance,
            Self::Repeat { advance, count, .. } => advance * count,
            Self::Missing => MISSING_ADVANCE,
        }
    }
}

/// Finds the glyph for `c` in the font chain, then among the stand-ins. Looking a character up
/// in u8g2's tables is a search, and the panel asks for the same few dozen letters 30 times a
/// second, so each thread remembers what it found.
pub(crate) fn glyph_for(c: char) -> Glyph {
    thread_local! {
        static FOUND: std::cell::RefCell<std::collections::HashMap<char, Glyph>> =
            std::cell::RefCell::default();
    }
    /// More distinct characters than any sign uses: forget and start again.
    const MAX_REMEMBERED: usize = 4096;
    FOUND.with(|found| {
        let mut found = found.borrow_mut();
        if found.len() >= MAX_REMEMBERED && !found.contains_key(&c) {
            found.clear();
        }
        *found.entry(c).or_insert_with(|| look_up(c))
    })
}

/// [`glyph_for`] without the memory.
fn look_up(c: char) -> Glyph {
    if let Some(g) = font_glyph(c) {
        return g;
    }
    match c {
        '\u{2013}' => Glyph::Rule {
            advance: 8,
            lead: 1,
            len: 6,
        },
        '\u{2014}' | '\u{2015}' => Glyph::Rule {
            advance: 8,
            lead: 0,
            len: 8,
        },
        '\u{2026}' => repeat_of('.', 3),
        _ => stand_in(c).and_then(font_glyph).unwrap_or(Glyph::Missing),
    }
}

/// Looks `c` up in the font chain.
fn font_glyph(c: char) -> Option<Glyph> {
    CHAIN.iter().find_map(|font| {
        font.get_rendered_dimensions(c, Point::zero(), VerticalPosition::Baseline)
            .ok()
            .map(|d| Glyph::Font {
                font,
                ch: c,
                advance: d.advance.x,
            })
    })
}

/// `count` copies of the glyph of `c`.
fn repeat_of(c: char, count: i32) -> Glyph {
    match font_glyph(c) {
        Some(Glyph::Font { font, ch, advance }) => Glyph::Repeat {
            font,
            ch,
            advance,
            count,
        },
        _ => Glyph::Missing,
    }
}

/// A plain character that stands in for typographic punctuation.
fn stand_in(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Some('"'),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => Some('-'),
        '\u{2022}' | '\u{2027}' | '\u{2219}' => Some('\u{00B7}'),
        '\u{2039}' => Some('<'),
        '\u{203A}' => Some('>'),
        _ => None,
    }
}

/// Draws `text` on one line whose top-left corner is `origin` (in LEDs).
///
/// Glyphs wholly outside the target are skipped (scrolling long text stays
/// cheap); partly visible ones are left to the target's clipping. Returns
/// the drawn width in LEDs.
pub(crate) fn draw_line<D>(
    target: &mut D,
    font: FontChoice,
    text: &str,
    origin: Point,
    color: Rgb888,
) -> Result<u32, D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let area = target.bounding_box();
    let scale = font.scale() as i32;
    let margin = 16 * scale;
    let (vis_left, vis_right) = (
        area.top_left.x - margin,
        area.top_left.x + area.size.width as i32 + margin,
    );
    let mut canvas = Scaled {
        inner: target,
        scale: font.scale(),
        offset: origin,
    };
    let mut x = 0;
    for c in text.chars() {
        let glyph = glyph_for(c);
        let left = origin.x + x * scale;
        if left > vis_right {
            break;
        }
        if left + glyph.advance() * scale >= vis_left {
            draw_glyph(&mut canvas, glyph, x, color)?;
        }
        x += glyph.advance();
    }
    Ok(u32::try_from(x).unwrap_or(0) * font.scale())
}

/// Draws one glyph with its left edge at `x` font pixels.
fn draw_glyph<D>(canvas: &mut D, glyph: Glyph, x: i32, color: Rgb888) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let baseline = Point::new(x, BASELINE);
    match glyph {
        Glyph::Font { font, ch, .. } => draw_char(canvas, font, ch, baseline, color),
        Glyph::Repeat {
            font,
            ch,
            advance,
            count,
        } => (0..count).try_for_each(|i| {
            draw_char(
                canvas,
                font,
                ch,
                baseline + Point::new(i * advance, 0),
                color,
            )
        }),
        Glyph::Rule { lead, len, .. } => {
            let (y, h) = hyphen_band();
            let bar = Rectangle::new(Point::new(x + lead, y), Size::new(len.max(0) as u32, h));
            canvas.fill_solid(&bar, color)
        }
        Glyph::Missing => Rectangle::new(Point::new(x + 1, 2), Size::new(6, 12))
            .into_styled(PrimitiveStyle::with_stroke(color, 1))
            .draw(canvas),
    }
}

/// Draws a u8g2 glyph; lookup failures cannot happen (the glyph was found
/// when it was chosen) and are ignored rather than turned into a panic.
fn draw_char<D>(
    canvas: &mut D,
    font: &FontRenderer,
    ch: char,
    baseline: Point,
    color: Rgb888,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = Rgb888>,
{
    let drawn = font.render(
        ch,
        baseline,
        VerticalPosition::Baseline,
        FontColor::Transparent(color),
        canvas,
    );
    match drawn {
        Err(u8g2_fonts::Error::DisplayError(e)) => Err(e),
        _ => Ok(()),
    }
}

/// Row and thickness of the hyphen, so drawn dashes line up with "-".
fn hyphen_band() -> (i32, u32) {
    VIETNAMESE
        .get_rendered_dimensions('-', Point::new(0, BASELINE), VerticalPosition::Baseline)
        .ok()
        .and_then(|d| d.bounding_box)
        .map_or((BASELINE - 6, 1), |b| (b.top_left.y, b.size.height))
}

/// A draw target seen through a magnifier: each pixel drawn on it becomes a
/// `scale`×`scale` block on `inner`, shifted by `offset` (in inner pixels, so
/// scrolling stays smooth LED by LED even at 2×).
struct Scaled<'a, D> {
    inner: &'a mut D,
    scale: u32,
    offset: Point,
}

impl<D> Dimensions for Scaled<'_, D>
where
    D: DrawTarget<Color = Rgb888>,
{
    fn bounding_box(&self) -> Rectangle {
        let outer = self.inner.bounding_box();
        let s = self.scale.max(1);
        Rectangle::new(
            (outer.top_left - self.offset) / s as i32,
            Size::new(outer.size.width / s + 1, outer.size.height / s + 1),
        )
    }
}

impl<D> DrawTarget for Scaled<'_, D>
where
    D: DrawTarget<Color = Rgb888>,
{
    type Color = Rgb888;
    type Error = D::Error;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        let (s, offset) = (self.scale, self.offset);
        if s == 1 {
            let moved = pixels.into_iter().map(|Pixel(p, c)| Pixel(p + offset, c));
            return self.inner.draw_iter(moved);
        }
        for Pixel(p, c) in pixels {
            let block = Rectangle::new(p * s as i32 + offset, Size::new(s, s));
            self.inner.fill_solid(&block, c)?;
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let s = self.scale;
        let block = Rectangle::new(
            area.top_left * s as i32 + self.offset,
            Size::new(area.size.width * s, area.size.height * s),
        );
        self.inner.fill_solid(&block, color)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use embedded_graphics::mock_display::MockDisplay;

    #[test]
    fn panel_height_picks_the_look() {
        assert_eq!(FontChoice::for_panel_height(0), FontChoice::Unifont16);
        assert_eq!(FontChoice::for_panel_height(16), FontChoice::Unifont16);
        assert_eq!(FontChoice::for_panel_height(31), FontChoice::Unifont16);
        assert_eq!(FontChoice::for_panel_height(32), FontChoice::Unifont32);
        assert_eq!(FontChoice::for_panel_height(64), FontChoice::Unifont32);
        assert_eq!(FontChoice::Unifont32.line_height(), 32);
    }

    #[test]
    fn widths_follow_unifont_cells() {
        assert_eq!(FontChoice::Unifont16.text_width("Xin chào"), 64);
        assert_eq!(FontChoice::Unifont32.text_width("Xin chào"), 128);
        assert_eq!(FontChoice::Unifont16.text_width(""), 0);
        assert_eq!(FontChoice::Unifont16.text_width("—"), 8);
    }

    #[test]
    fn symbols_and_punctuation_are_covered_cjk_and_emoji_are_not() {
        let f = FontChoice::Unifont16;
        for c in "₫€°·«»“”‘’…–—→☀✓".chars() {
            assert!(f.covers(c), "{c} should be covered");
        }
        for c in "😀中あ한\u{1F1FB}".chars() {
            assert!(!f.covers(c), "{c} should not be covered");
        }
    }

    #[test]
    fn hyphen_pattern_on_mock_display() {
        let mut display = MockDisplay::<Rgb888>::new();
        draw_line(
            &mut display,
            FontChoice::Unifont16,
            "-",
            Point::zero(),
            Rgb888::RED,
        )
        .unwrap();
        let area = display.affected_area();
        assert_eq!(area.size.height, 1, "a hyphen is one LED thick");
        assert!(area.size.width >= 4 && area.size.width <= 8);
        let (y, h) = hyphen_band();
        assert_eq!((area.top_left.y, area.size.height), (y, h));
    }

    #[test]
    fn doubled_font_draws_2x2_blocks() {
        let mut small = MockDisplay::<Rgb888>::new();
        let mut big = MockDisplay::<Rgb888>::new();
        draw_line(
            &mut small,
            FontChoice::Unifont16,
            "ệ",
            Point::zero(),
            Rgb888::RED,
        )
        .unwrap();
        draw_line(
            &mut big,
            FontChoice::Unifont32,
            "ệ",
            Point::zero(),
            Rgb888::RED,
        )
        .unwrap();
        for y in 0..16 {
            for x in 0..8 {
                let want = small.get_pixel(Point::new(x, y));
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    assert_eq!(big.get_pixel(Point::new(2 * x + dx, 2 * y + dy)), want);
                }
            }
        }
    }

    #[test]
    fn wraps_on_spaces_within_width_and_line_count() {
        let f = FontChoice::Unifont16;
        let lines = wrap(f, "Không hách dịch, cửa quyền", 128, 2).unwrap();
        assert_eq!(lines, ["Không hách dịch,", "cửa quyền"]);
        let lines = wrap(f, "Không hách dịch, cửa quyền", 192, 2).unwrap();
        assert_eq!(lines, ["Không hách dịch,", "cửa quyền"], "after the comma");
        let lines = wrap(f, "Không làm việc riêng trong giờ hành chính", 192, 2).unwrap();
        assert_eq!(
            lines,
            ["Không làm việc riêng", "trong giờ hành chính"],
            "balanced"
        );
        let lines = wrap(f, "Chính quyền thân thiện — vì nhân dân phục vụ", 192, 2).unwrap();
        assert_eq!(lines, ["Chính quyền thân thiện —", "vì nhân dân phục vụ"]);
        assert_eq!(wrap(f, "Không hách dịch, cửa quyền", 128, 1), None);
        assert_eq!(wrap(f, "Xin", 16, 3), None, "a word wider than the panel");
        assert_eq!(wrap(f, "Xin chào", 64, 1).unwrap(), ["Xin chào"]);
    }

    #[test]
    fn missing_glyph_is_a_visible_box_not_a_blank() {
        let mut display = MockDisplay::<Rgb888>::new();
        draw_line(
            &mut display,
            FontChoice::Unifont16,
            "😀",
            Point::zero(),
            Rgb888::RED,
        )
        .unwrap();
        assert_eq!(
            display.affected_area(),
            Rectangle::new(Point::new(1, 2), Size::new(6, 12))
        );
    }
}
