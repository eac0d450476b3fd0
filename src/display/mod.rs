//! Drawing core of the LED slogan panel.
//!
//! This module owns everything between "these slogans are approved" and
//! "these bytes go to the LEDs":
//!
//! * [`text`] — cleaning and checking incoming text (NFC, whitespace,
//!   characters the panel cannot show), with bilingual error messages;
//! * [`font`] — the bitmap fonts (GNU Unifont via u8g2) and which letters
//!   they cover; the same glyph lookup serves the checker and the renderer;
//! * [`color`] — requested colours and what a given panel kind can show;
//! * [`mod@scene`] — the pure decision of what the panel shows at an instant;
//! * [`mod@render`] — drawing a scene onto any `embedded-graphics` target;
//! * [`panel`] — the in-memory [`Frame`] and the outputs (PNG preview,
//!   Linux framebuffer).
//!
//! Nothing here keeps hidden state: the same scene input and instant always
//! give the same pixels, which is what makes the web preview trustworthy.

pub mod board;
pub mod color;
pub mod driver;
pub mod font;
pub mod panel;
pub mod render;
pub mod scene;
pub mod slogans;
pub mod text;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;

pub use color::{PanelColor, PanelKind};
pub use font::FontChoice;
pub use panel::{Frame, Panel, PanelError};
pub use render::render;
pub use scene::{
    ClockSettings, Effect, EmergencyText, PanelSpec, Scene, SceneInput, Slogan, scene,
};
pub use text::{TextError, check_text};
