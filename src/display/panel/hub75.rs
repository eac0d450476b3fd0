//! `hub75`: P10 and other HUB75 LED modules driven straight from the Pi's GPIO by
//! rpi-led-panel (a pure-Rust port of hzeller's rpi-rgb-led-matrix). It only writes finished
//! frames; what they show is the board's.

use embedded_graphics::prelude::*;
use rpi_led_panel::{Canvas, HardwareMapping, MultiplexMapperType, RGBMatrix, RGBMatrixConfig};

use super::{Frame, Panel, PanelError};
use crate::config::DisplayConfig;

/// The LED modules, refreshed by the driver's own thread; a frame swaps in on the next vsync.
pub struct Hub75 {
    matrix: RGBMatrix,
    canvas: Option<Box<Canvas>>,
}

impl Hub75 {
    /// Start the driver with the wiring in `[display.hub75]`.
    pub fn open(config: &DisplayConfig) -> Result<Self, PanelError> {
        let h = &config.hub75;
        let bad = |what: &str, e: String| PanelError::Driver(format!("{what}: {e}"));
        let hardware_mapping = h
            .hardware_mapping
            .parse::<HardwareMapping>()
            .map_err(|e| bad("display.hub75.hardware_mapping", format!("{e:?}")))?;
        let multiplexing = match h.multiplexing.trim() {
            "" => None,
            m => Some(
                m.parse::<MultiplexMapperType>()
                    .map_err(|e| bad("display.hub75.multiplexing", format!("{e:?}")))?,
            ),
        };
        let matrix_config = RGBMatrixConfig {
            hardware_mapping,
            rows: h.rows,
            cols: h.cols,
            chain_length: h.chain_length,
            parallel: h.parallel,
            multiplexing,
            led_brightness: h.brightness.min(100),
            slowdown: h.slowdown,
            ..RGBMatrixConfig::default()
        };
        let (matrix, canvas) =
            RGBMatrix::new(matrix_config, 0).map_err(|e| PanelError::Driver(e.to_string()))?;
        Ok(Hub75 {
            matrix,
            canvas: Some(canvas),
        })
    }
}

impl Panel for Hub75 {
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError> {
        let Some(mut canvas) = self.canvas.take() else {
            return Ok(());
        };
        let width = frame.width().max(1) as usize;
        let pixels = frame
            .pixels()
            .iter()
            .enumerate()
            .map(|(i, c)| Pixel(Point::new((i % width) as i32, (i / width) as i32), *c));
        let drawn = canvas.draw_iter(pixels);
        self.canvas = Some(self.matrix.update_on_vsync(canvas));
        drawn.map_err(|e| PanelError::Driver(format!("{e:?}")))
    }
}
