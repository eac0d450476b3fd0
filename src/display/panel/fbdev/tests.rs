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
    let err = FbDev::open_at(Path::new("/nonexistent/fb9"), Path::new("/nonexistent")).unwrap_err();
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
