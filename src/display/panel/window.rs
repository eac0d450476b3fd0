//! `window`: the panel in a desktop window, through embedded-graphics-simulator and SDL2, for
//! working on scenes without LEDs (`cargo run --features window`). It does not decide what is
//! shown: it displays the frame it is given.

use embedded_graphics::{pixelcolor::Rgb888, prelude::*};
use embedded_graphics_simulator::{
    OutputSettingsBuilder, SimulatorDisplay, SimulatorEvent, Window,
};

use super::{Frame, Panel, PanelError};

/// LED size on the screen, in screen pixels.
const SCALE: u32 = 4;

/// A window showing the panel with LED-like dots.
pub struct WindowPanel {
    display: SimulatorDisplay<Rgb888>,
    window: Window,
}

impl WindowPanel {
    /// A window for a `width`×`height` panel (it opens on the first frame).
    pub fn new(width: u32, height: u32) -> Self {
        let settings = OutputSettingsBuilder::new()
            .scale(SCALE)
            .pixel_spacing(1)
            .build();
        WindowPanel {
            display: SimulatorDisplay::new(Size::new(width, height)),
            window: Window::new("Loa Xã — bảng LED", &settings),
        }
    }
}

impl Panel for WindowPanel {
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError> {
        let width = frame.width() as usize;
        let pixels = frame.pixels().iter().enumerate().map(|(i, c)| {
            let (x, y) = (i % width.max(1), i / width.max(1));
            Pixel(Point::new(x as i32, y as i32), *c)
        });
        // Drawing into the simulator's buffer cannot fail.
        let Ok(()) = self.display.draw_iter(pixels);
        self.window.update(&self.display);
        if self.window.events().any(|e| e == SimulatorEvent::Quit) {
            return Err(PanelError::Driver(
                "cửa sổ đã đóng / the window was closed".into(),
            ));
        }
        Ok(())
    }
}
