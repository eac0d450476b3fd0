//! Linux framebuffer output (`/dev/fbN`): for an HDMI screen or an LED
//! controller that exposes itself as a framebuffer.
//!
//! Geometry comes from sysfs (`/sys/class/graphics/fbN/`): `virtual_size`
//! ("1920,1080"), `bits_per_pixel` (16 or 32), and when present `modes`
//! (the visible mode, which can be smaller than a double-buffered virtual
//! size) and `stride` (bytes per line). The frame is scaled up by the largest
//! whole factor that fits and centred on black. 32 bpp is written as
//! XRGB8888 (bytes B, G, R, X as the Pi's firmware framebuffer expects),
//! 16 bpp as little-endian RGB565. It does not draw: it writes the finished frame it is given.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;

use super::{Frame, Panel, PanelError};

/// Size and pixel layout of a framebuffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FbGeometry {
    /// Visible width in pixels.
    pub width: u32,
    /// Visible height in pixels.
    pub height: u32,
    /// 16 (RGB565) or 32 (XRGB8888).
    pub bits_per_pixel: u32,
    /// Bytes from one line to the next.
    pub stride: u32,
}

impl FbGeometry {
    /// Bytes per pixel.
    fn bytes_per_pixel(self) -> usize {
        self.bits_per_pixel as usize / 8
    }
}

/// Reads the geometry of the framebuffer described by the sysfs folder
/// `sysfs` (e.g. `/sys/class/graphics/fb0`).
pub fn read_geometry(sysfs: &Path) -> Result<FbGeometry, PanelError> {
    let (vw, vh) = parse_pair(&read_attr(sysfs, "virtual_size")?, ',')
        .ok_or_else(|| bad(sysfs, "virtual_size"))?;
    let (width, height) = std::fs::read_to_string(sysfs.join("modes"))
        .ok()
        .and_then(|m| parse_mode(&m))
        .filter(|&(w, h)| w <= vw && h <= vh)
        .unwrap_or((vw, vh));
    let bits_per_pixel: u32 = read_attr(sysfs, "bits_per_pixel")?
        .parse()
        .map_err(|_| bad(sysfs, "bits_per_pixel"))?;
    if !matches!(bits_per_pixel, 16 | 32) {
        return Err(PanelError::UnsupportedDepth { bits_per_pixel });
    }
    let row = width * bits_per_pixel / 8;
    let stride = read_attr(sysfs, "stride")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s >= row)
        .unwrap_or(row);
    if width == 0 || height == 0 {
        return Err(bad(sysfs, "virtual_size"));
    }
    Ok(FbGeometry {
        width,
        height,
        bits_per_pixel,
        stride,
    })
}

/// One trimmed sysfs attribute.
fn read_attr(sysfs: &Path, name: &str) -> Result<String, PanelError> {
    let path = sysfs.join(name);
    std::fs::read_to_string(&path)
        .map(|s| s.trim().to_string())
        .map_err(|e| PanelError::Geometry {
            path,
            detail: e.to_string(),
        })
}

/// The error for an unparsable attribute.
fn bad(sysfs: &Path, name: &str) -> PanelError {
    PanelError::Geometry {
        path: sysfs.join(name),
        detail: "giá trị không hợp lệ / invalid value".to_string(),
    }
}

/// "1920,1080" → (1920, 1080).
fn parse_pair(s: &str, sep: char) -> Option<(u32, u32)> {
    let (a, b) = s.split_once(sep)?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// First line of `modes`, "U:1920x1080p-60" → (1920, 1080).
fn parse_mode(modes: &str) -> Option<(u32, u32)> {
    let line = modes.lines().next()?;
    let size = line.split_once(':').map_or(line, |(_, s)| s);
    let (w, rest) = size.split_once('x')?;
    let h: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((w.parse().ok()?, h.parse().ok()?))
}

/// The whole framebuffer contents showing `frame`: scaled up by the largest
/// whole factor that fits (at least 1, cropped if the frame is larger),
/// centred, black around.
pub fn encode(frame: &Frame, g: FbGeometry) -> Vec<u8> {
    let bpp = g.bytes_per_pixel();
    let mut out = vec![0u8; g.stride as usize * g.height as usize];
    let (fw, fh) = (frame.width(), frame.height());
    if fw == 0 || fh == 0 {
        return out;
    }
    let scale = (g.width / fw).min(g.height / fh).max(1);
    let left = g.width.saturating_sub(fw * scale) / 2;
    let top = g.height.saturating_sub(fh * scale) / 2;
    for y in 0..g.height.min(fh * scale) {
        let start = (top + y) as usize * g.stride as usize;
        for x in 0..g.width.min(fw * scale) {
            let c = frame
                .pixel((x / scale) as i32, (y / scale) as i32)
                .unwrap_or(Rgb888::BLACK);
            let at = start + (left + x) as usize * bpp;
            if let Some(dst) = out.get_mut(at..at + bpp) {
                write_pixel(dst, c);
            }
        }
    }
    out
}

/// One pixel in the framebuffer's format (`dst` is 2 or 4 bytes long).
fn write_pixel(dst: &mut [u8], c: Rgb888) {
    if dst.len() == 2 {
        let v =
            (u16::from(c.r() >> 3) << 11) | (u16::from(c.g() >> 2) << 5) | u16::from(c.b() >> 3);
        dst.copy_from_slice(&v.to_le_bytes());
    } else {
        dst.copy_from_slice(&[c.b(), c.g(), c.r(), 0xFF]);
    }
}

/// An open Linux framebuffer device.
#[derive(Debug)]
pub struct FbDev {
    path: PathBuf,
    geometry: FbGeometry,
    file: File,
}

impl FbDev {
    /// Opens a device by path (`/dev/fb1`), with its geometry from sysfs.
    pub fn open_device(device: &Path) -> Result<Self, PanelError> {
        let name = device.file_name().unwrap_or_default();
        Self::open_at(device, &Path::new("/sys/class/graphics").join(name))
    }

    /// Opens `device` with geometry from the sysfs folder `sysfs` (separate
    /// so tests and unusual setups can point elsewhere).
    pub fn open_at(device: &Path, sysfs: &Path) -> Result<Self, PanelError> {
        let file = OpenOptions::new()
            .write(true)
            .open(device)
            .map_err(|e| io_error(device, e))?;
        let geometry = read_geometry(sysfs)?;
        Ok(Self {
            path: device.to_path_buf(),
            geometry,
            file,
        })
    }

    /// The geometry read when the device was opened.
    pub fn geometry(&self) -> FbGeometry {
        self.geometry
    }
}

impl Panel for FbDev {
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError> {
        let bytes = encode(frame, self.geometry);
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.write_all(&bytes))
            .and_then(|()| self.file.flush())
            .map_err(|e| io_error(&self.path, e))
    }
}

/// Turns an I/O error on `path` into the operator-facing error.
fn io_error(path: &Path, e: std::io::Error) -> PanelError {
    let path = path.to_path_buf();
    match e.kind() {
        ErrorKind::NotFound => PanelError::DeviceMissing { path },
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            PanelError::NotWritable { path }
        }
        _ => PanelError::Io { path, source: e },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::{Pixel, prelude::*};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh folder under the system temp dir holding a fake sysfs entry.
    fn fake_fb(attrs: &[(&str, &str)]) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "loaxa-fbtest-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, value) in attrs {
            std::fs::write(dir.join(name), value).unwrap();
        }
        dir
    }

    #[test]
    fn reads_geometry_and_prefers_the_visible_mode() {
        let dir = fake_fb(&[
            ("virtual_size", "1920,2160\n"),
            ("modes", "U:1920x1080p-0\n"),
            ("bits_per_pixel", "32\n"),
            ("stride", "7680\n"),
        ]);
        let g = read_geometry(&dir).unwrap();
        assert_eq!(
            g,
            FbGeometry {
                width: 1920,
                height: 1080,
                bits_per_pixel: 32,
                stride: 7680
            }
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_24_bpp_and_garbage() {
        let dir = fake_fb(&[("virtual_size", "64,32"), ("bits_per_pixel", "24")]);
        let err = read_geometry(&dir).unwrap_err();
        assert!(matches!(
            err,
            PanelError::UnsupportedDepth { bits_per_pixel: 24 }
        ));
        assert!(
            err.to_string()
                .contains(" / the display uses 24 bits per pixel")
        );
        let dir2 = fake_fb(&[("virtual_size", "abc"), ("bits_per_pixel", "16")]);
        assert!(matches!(
            read_geometry(&dir2),
            Err(PanelError::Geometry { .. })
        ));
        let dir3 = fake_fb(&[]);
        let msg = read_geometry(&dir3).unwrap_err().to_string();
        assert!(
            msg.starts_with("không đọc được kích thước màn hình"),
            "{msg}"
        );
        for d in [dir, dir2, dir3] {
            std::fs::remove_dir_all(d).unwrap();
        }
    }

    #[test]
    fn encodes_32_bpp_scaled_and_centred() {
        let mut frame = Frame::new(2, 1);
        Pixel(Point::new(0, 0), Rgb888::new(10, 20, 30))
            .draw(&mut frame)
            .unwrap();
        let g = FbGeometry {
            width: 5,
            height: 3,
            bits_per_pixel: 32,
            stride: 20,
        };
        let bytes = encode(&frame, g);
        assert_eq!(bytes.len(), 60);
        // scale 2 → 4×2 image, left margin 0 (5-4)/2, top margin 0 (3-2)/2.
        let px = |x: usize, y: usize| &bytes[y * 20 + x * 4..y * 20 + x * 4 + 4];
        assert_eq!(px(0, 0), &[30, 20, 10, 255]);
        assert_eq!(px(1, 1), &[30, 20, 10, 255]);
        assert_eq!(px(2, 0), &[0, 0, 0, 255]);
        assert_eq!(px(4, 0), &[0, 0, 0, 0], "outside the image stays black");
        assert_eq!(px(0, 2), &[0, 0, 0, 0]);
    }

    #[test]
    fn encodes_16_bpp_as_rgb565() {
        let mut frame = Frame::new(1, 1);
        Pixel(Point::zero(), Rgb888::RED).draw(&mut frame).unwrap();
        let g = FbGeometry {
            width: 1,
            height: 1,
            bits_per_pixel: 16,
            stride: 2,
        };
        assert_eq!(encode(&frame, g), vec![0x00, 0xF8]);
    }

    #[test]
    fn presents_to_a_device_file() {
        let dir = fake_fb(&[("virtual_size", "4,2"), ("bits_per_pixel", "16")]);
        let dev = dir.join("fb-device");
        std::fs::write(&dev, []).unwrap();
        let mut fb = FbDev::open_at(&dev, &dir).unwrap();
        assert_eq!(fb.geometry().stride, 8);
        let mut frame = Frame::new(2, 1);
        Pixel(Point::new(1, 0), Rgb888::WHITE)
            .draw(&mut frame)
            .unwrap();
        fb.present(&frame).unwrap();
        let written = std::fs::read(&dev).unwrap();
        assert_eq!(written.len(), 16);
        assert_eq!(&written[4..6], &[0xFF, 0xFF]);
        assert_eq!(&written[0..2], &[0, 0]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_device_is_a_clear_bilingual_error() {
        let err =
            FbDev::open_at(Path::new("/nonexistent/fb9"), Path::new("/nonexistent")).unwrap_err();
        assert!(matches!(err, PanelError::DeviceMissing { .. }));
        assert_eq!(
            err.to_string(),
            "không tìm thấy màn hình /nonexistent/fb9 — kiểm tra dây nối và cấu hình / \
         display device /nonexistent/fb9 not found — check the cable and configuration"
        );
    }

    #[test]
    fn permission_denied_says_how_to_fix_it() {
        // Tests run as root here, so the error is produced directly.
        let err = io_error(Path::new("/dev/fb0"), ErrorKind::PermissionDenied.into());
        let msg = err.to_string();
        assert!(msg.contains("không có quyền ghi vào /dev/fb0"), "{msg}");
        assert!(
            msg.contains(" / no permission to write to /dev/fb0 — add the user to the video group")
        );
    }
}
