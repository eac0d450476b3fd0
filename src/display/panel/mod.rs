//! Outputs apart from drawing: the in-memory [`Frame`] every scene is drawn
//! into, and where a finished frame goes — a PNG for the web preview
//! ([`png`]) or a Linux framebuffer device ([`fbdev`]). Nothing here draws a scene (`render` does)
//! or decides what is shown.

pub mod fbdev;
pub mod frame;
#[cfg(feature = "hub75")]
pub mod hub75;
pub mod png;
#[cfg(feature = "window")]
pub mod window;

use std::path::PathBuf;

use thiserror::Error;

use crate::config::{DisplayConfig, PanelOutput};

pub use fbdev::{FbDev, FbGeometry};
pub use frame::Frame;
pub use png::{PngFile, to_png};

/// Open the panel `output` names; `None` for no panel. Call it on the thread that will
/// present the frames (a desktop window belongs to the thread that made it).
pub fn open(
    output: &PanelOutput,
    #[cfg_attr(
        not(any(feature = "window", feature = "hub75")),
        expect(
            unused_variables,
            reason = "only the window and HUB75 outputs need the sizes"
        )
    )]
    config: &DisplayConfig,
) -> Result<Option<Box<dyn Panel>>, PanelError> {
    let panel: Box<dyn Panel> = match output {
        PanelOutput::None => return Ok(None),
        PanelOutput::Png(path) => Box::new(PngFile::new(path.clone())),
        PanelOutput::Fbdev(device) => Box::new(FbDev::open_device(device)?),
        #[cfg(feature = "window")]
        PanelOutput::Window => Box::new(window::WindowPanel::new(config.width, config.height)),
        #[cfg(feature = "hub75")]
        PanelOutput::Hub75 => Box::new(hub75::Hub75::open(config)?),
        #[allow(unreachable_patterns)]
        other => return Err(PanelError::NotBuiltIn(format!("{other:?}").to_lowercase())),
    };
    Ok(Some(panel))
}

/// A device that can show a finished frame.
///
/// Drawing never fails (it goes into a [`Frame`]); only handing the frame to
/// hardware can, and that is where errors belong.
pub trait Panel {
    /// Shows `frame`, scaling or centring it as the device needs.
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError>;
}

/// Why a frame could not be shown. Messages are one line, Vietnamese first,
/// then " / " and English, for the operator's log and admin page.
#[derive(Debug, Error)]
pub enum PanelError {
    /// The device file does not exist.
    #[error(
        "không tìm thấy màn hình {} — kiểm tra dây nối và cấu hình / \
         display device {} not found — check the cable and configuration",
        .path.display(), .path.display()
    )]
    DeviceMissing {
        /// The device path, e.g. `/dev/fb0`.
        path: PathBuf,
    },
    /// The device exists but this process may not write to it.
    #[error(
        "không có quyền ghi vào {} — thêm người dùng vào nhóm video / \
         no permission to write to {} — add the user to the video group",
        .path.display(), .path.display()
    )]
    NotWritable {
        /// The device path.
        path: PathBuf,
    },
    /// The device's size or depth could not be read or makes no sense.
    #[error(
        "không đọc được kích thước màn hình từ {}: {detail} / \
         cannot read the display geometry from {}: {detail}",
        .path.display(), .path.display()
    )]
    Geometry {
        /// The sysfs file or folder that was read.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// A pixel depth other than 16 (RGB565) or 32 bits.
    #[error(
        "màn hình dùng {bits_per_pixel} bit mỗi điểm ảnh, chỉ hỗ trợ 16 và 32 / \
         the display uses {bits_per_pixel} bits per pixel, only 16 and 32 are supported"
    )]
    UnsupportedDepth {
        /// The depth read from sysfs.
        bits_per_pixel: u32,
    },
    /// This build cannot drive the output (a cargo feature is off).
    #[error(
        "bản dựng này không có đầu ra \"{0}\"; hãy dựng với --features {0} / this build has no \"{0}\" output; build with --features {0}"
    )]
    NotBuiltIn(String),
    /// The LED driver refused to start.
    #[error("không khởi động được bảng LED: {0} / the LED panel did not start: {0}")]
    Driver(String),
    /// Any other input/output failure while writing.
    #[error(
        "lỗi khi ghi vào {}: {source} / error writing to {}: {source}",
        .path.display(), .path.display()
    )]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
