//! PNG output for the web preview and the test pictures.
//!
//! Encoded with the `png` crate (pure Rust, already what
//! embedded-graphics-simulator uses underneath; the simulator itself only
//! offers saving to a file or base64, not PNG bytes, without extra crates).
//! From scale 3 up each LED is drawn as a dot with a dark gap around it and
//! unlit LEDs faintly visible, so the preview looks like the real panel. It does not decide what is
//! shown: it encodes the frame it is given.

use embedded_graphics::{pixelcolor::Rgb888, prelude::*};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{Frame, Panel, PanelError};

/// Largest scale accepted (bigger requests are clamped).
pub const MAX_SCALE: u32 = 16;
/// Colour of an unlit LED in the preview.
const UNLIT: [u8; 3] = [28, 28, 28];
/// Colour between LEDs in the preview.
const GAP: [u8; 3] = [0, 0, 0];

/// Encodes `frame` as a PNG, each LED `scale`×`scale` pixels (1–16).
///
/// At scale 3 and above LEDs are drawn as dots. An empty frame gives a 1×1
/// black picture. Encoding into memory cannot fail for valid sizes; should
/// the encoder ever refuse, the result is empty rather than a panic.
pub fn to_png(frame: &Frame, scale: u32) -> Vec<u8> {
    let scale = scale.clamp(1, MAX_SCALE);
    let (w, h) = (frame.width() * scale, frame.height() * scale);
    if w == 0 || h == 0 {
        return encode(1, 1, &GAP).unwrap_or_default();
    }
    let mask = dot_mask(scale);
    let dots = scale >= 3;
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            let led = frame.pixel((x / scale) as i32, (y / scale) as i32);
            let inside = mask[((y % scale) * scale + x % scale) as usize];
            data.extend_from_slice(&led_rgb(led, inside, dots));
        }
    }
    encode(w, h, &data).unwrap_or_default()
}

/// Colour of one preview pixel: the LED, the unlit dot or the gap
/// (exact colours when `dots` is off).
fn led_rgb(led: Option<Rgb888>, inside_dot: bool, dots: bool) -> [u8; 3] {
    match led {
        Some(c) if inside_dot && (c != Rgb888::BLACK || !dots) => [c.r(), c.g(), c.b()],
        Some(_) if inside_dot => UNLIT,
        _ => GAP,
    }
}

/// Which pixels of a `scale`×`scale` cell belong to the LED dot: a disc
/// one pixel smaller than the cell (full cell below scale 3).
fn dot_mask(scale: u32) -> Vec<bool> {
    if scale < 3 {
        return vec![true; (scale * scale) as usize];
    }
    let r = f64::from(scale - 1) / 2.0;
    (0..scale * scale)
        .map(|i| {
            let (x, y) = (
                f64::from(i % scale) + 0.5 - r,
                f64::from(i / scale) + 0.5 - r,
            );
            x * x + y * y <= r * r + 0.3
        })
        .collect()
}

/// PNG bytes of an RGB8 image.
fn encode(w: u32, h: u32, rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// A [`Panel`] that keeps the current frame in a PNG file, rewritten at most once a second
/// (atomically: a reader never sees half a picture), for a kiosk, a monitoring page or a
/// machine with no LEDs.
#[derive(Debug)]
pub struct PngFile {
    path: PathBuf,
    scale: u32,
    written: Option<Instant>,
}

impl PngFile {
    /// LED size in the picture.
    const SCALE: u32 = 4;
    /// Shortest time between two rewrites.
    const EVERY: Duration = Duration::from_secs(1);

    /// Frames go to `path`.
    pub fn new(path: PathBuf) -> Self {
        PngFile {
            path,
            scale: Self::SCALE,
            written: None,
        }
    }
}

impl Panel for PngFile {
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError> {
        if self.written.is_some_and(|t| t.elapsed() < Self::EVERY) {
            return Ok(());
        }
        self.written = Some(Instant::now());
        let io = |source| PanelError::Io {
            path: self.path.clone(),
            source,
        };
        let tmp = self.path.with_extension("png.tmp");
        std::fs::write(&tmp, to_png(frame, self.scale)).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn scale_one_is_exact() {
        let mut f = Frame::new(3, 2);
        Pixel(Point::new(1, 0), Rgb888::new(200, 100, 50))
            .draw(&mut f)
            .unwrap();
        let (w, h, data) = decode(&to_png(&f, 1));
        assert_eq!((w, h), (3, 2));
        assert_eq!(&data[3..6], &[200, 100, 50]);
        assert_eq!(&data[0..3], &[0, 0, 0]);
    }

    #[test]
    fn scale_four_draws_dots_with_gaps() {
        let mut f = Frame::new(2, 1);
        Pixel(Point::new(0, 0), Rgb888::RED).draw(&mut f).unwrap();
        let (w, h, data) = decode(&to_png(&f, 4));
        assert_eq!((w, h), (8, 4));
        let px = |x: usize, y: usize| &data[(y * 8 + x) * 3..(y * 8 + x) * 3 + 3];
        assert_eq!(px(1, 1), &[255, 0, 0]);
        assert_eq!(px(3, 3), &GAP, "gap after each LED");
        assert_eq!(px(5, 1), &UNLIT, "unlit LED stays faintly visible");
    }

    #[test]
    fn empty_frame_gives_a_valid_picture() {
        let (w, h, _) = decode(&to_png(&Frame::new(0, 0), 4));
        assert_eq!((w, h), (1, 1));
    }

    #[test]
    fn png_file_holds_the_current_frame_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bang-led.png");
        let mut p = PngFile::new(path.clone());
        p.present(&Frame::new(5, 5)).unwrap();
        assert_eq!(decode(&std::fs::read(&path).unwrap()).0, 5 * PngFile::SCALE);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
