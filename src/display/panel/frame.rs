//! [`Frame`]: an in-memory RGB888 picture of the whole panel, the one thing
//! the renderer draws into and every output reads from. A plain picture: it does not draw a scene
//! or send itself anywhere.

use core::convert::Infallible;

use embedded_graphics::{Pixel, pixelcolor::Rgb888, prelude::*, primitives::Rectangle};

/// Largest side accepted, in LEDs; bigger requests are clamped so a bad
/// setting cannot allocate gigabytes.
pub const MAX_SIDE: u32 = 4096;

/// An RGB888 framebuffer the size of the panel (like epd-waveshare's
/// `Display`): draw into it with embedded-graphics, then hand it to a
/// [`super::Panel`]. Drawing cannot fail and is clipped to the frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    width: u32,
    height: u32,
    pixels: Vec<Rgb888>,
}

impl Frame {
    /// A black frame of `width`×`height` LEDs (each side at most [`MAX_SIDE`]).
    pub fn new(width: u32, height: u32) -> Self {
        let (width, height) = (width.min(MAX_SIDE), height.min(MAX_SIDE));
        Self {
            width,
            height,
            pixels: vec![Rgb888::BLACK; width as usize * height as usize],
        }
    }

    /// Width in LEDs.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in LEDs.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Colour at (`x`, `y`), `None` outside the frame.
    pub fn pixel(&self, x: i32, y: i32) -> Option<Rgb888> {
        self.index(Point::new(x, y))
            .and_then(|i| self.pixels.get(i).copied())
    }

    /// All pixels, row by row from the top-left.
    pub fn pixels(&self) -> &[Rgb888] {
        &self.pixels
    }

    /// Number of LEDs that are not black: a quick "something is shown" test.
    pub fn lit_count(&self) -> usize {
        self.pixels.iter().filter(|&&p| p != Rgb888::BLACK).count()
    }

    /// Row-major index of `p`, `None` outside the frame.
    fn index(&self, p: Point) -> Option<usize> {
        let x = u32::try_from(p.x).ok().filter(|&x| x < self.width)?;
        let y = u32::try_from(p.y).ok().filter(|&y| y < self.height)?;
        Some(y as usize * self.width as usize + x as usize)
    }
}

/// A summary, not 6,000 pixels: keeps failing test output readable.
impl core::fmt::Debug for Frame {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Frame({}x{}, {} lit)",
            self.width,
            self.height,
            self.lit_count()
        )
    }
}

impl OriginDimensions for Frame {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Frame {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, c) in pixels {
            if let Some(slot) = self.index(p).and_then(|i| self.pixels.get_mut(i)) {
                *slot = c;
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else {
            return Ok(());
        };
        let w = self.width as usize;
        let (x0, x1) = (area.top_left.x as usize, bottom_right.x as usize);
        for y in area.top_left.y as usize..=bottom_right.y as usize {
            if let Some(row) = self.pixels.get_mut(y * w + x0..=y * w + x1) {
                row.fill(color);
            }
        }
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.pixels.fill(color);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use embedded_graphics::primitives::{Line, PrimitiveStyle};

    #[test]
    fn out_of_bounds_drawing_is_clipped() {
        let mut f = Frame::new(4, 3);
        Line::new(Point::new(-5, 1), Point::new(10, 1))
            .into_styled(PrimitiveStyle::with_stroke(Rgb888::RED, 1))
            .draw(&mut f)
            .unwrap();
        f.fill_solid(
            &Rectangle::new(Point::new(-2, -2), Size::new(3, 3)),
            Rgb888::GREEN,
        )
        .unwrap();
        f.fill_solid(
            &Rectangle::new(Point::new(100, 100), Size::new(3, 3)),
            Rgb888::GREEN,
        )
        .unwrap();
        assert_eq!(f.pixel(0, 0), Some(Rgb888::GREEN));
        assert_eq!(f.pixel(3, 1), Some(Rgb888::RED));
        assert_eq!(f.pixel(3, 2), Some(Rgb888::BLACK));
        assert_eq!(f.pixel(4, 1), None);
        assert_eq!(f.pixel(-1, 0), None);
        assert_eq!(f.lit_count(), 4 + 1);
    }

    #[test]
    fn empty_and_huge_frames_are_safe() {
        let mut f = Frame::new(0, 0);
        f.clear(Rgb888::RED).unwrap();
        f.fill_solid(&Rectangle::new(Point::zero(), Size::new(5, 5)), Rgb888::RED)
            .unwrap();
        assert_eq!(f.lit_count(), 0);
        let big = Frame::new(u32::MAX, 1);
        assert_eq!(big.width(), MAX_SIDE);
    }
}
