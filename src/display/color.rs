//! Colours as the LEDs take them: a [`PanelColor`] (the model's) becomes the pixel colour
//! `embedded-graphics` draws with. What a panel can show is [`PanelKind`](crate::model::PanelKind)'s business, in the
//! model. It draws nothing itself.

use embedded_graphics::pixelcolor::Rgb888;

use crate::model::PanelColor;

impl From<PanelColor> for Rgb888 {
    fn from(c: PanelColor) -> Self {
        Rgb888::new(c.r, c.g, c.b)
    }
}
