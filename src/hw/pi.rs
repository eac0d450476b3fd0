//! Real GPIO on a Raspberry Pi, through rppal (feature `pi`). It holds no rules: which relay
//! switches when is the caller's.

use std::collections::HashMap;
use std::sync::Mutex;

use rppal::gpio::{Gpio as RpGpio, InputPin, OutputPin};

use super::{Gpio, HwError};
use crate::config::HwConfig;

/// The relays and the button as rppal pins, claimed at start.
pub struct PiGpio {
    outputs: Mutex<HashMap<u8, OutputPin>>,
    inputs: HashMap<u8, InputPin>,
}

impl PiGpio {
    /// Claim every pin `[hw]` names.
    pub fn open(config: &HwConfig) -> Result<PiGpio, HwError> {
        let gpio = RpGpio::new().map_err(|e| HwError {
            pin: 0,
            detail: e.to_string(),
        })?;
        let err = |pin: u8| {
            move |e: rppal::gpio::Error| HwError {
                pin,
                detail: e.to_string(),
            }
        };
        let mut outputs = HashMap::new();
        for pin in config.zones.values().copied().chain(config.amplifier_pin) {
            let p = gpio.get(pin).map_err(err(pin))?.into_output_low();
            outputs.insert(pin, p);
        }
        let mut inputs = HashMap::new();
        if let Some(pin) = config.emergency_button_pin {
            inputs.insert(pin, gpio.get(pin).map_err(err(pin))?.into_input_pullup());
        }
        Ok(PiGpio {
            outputs: Mutex::new(outputs),
            inputs,
        })
    }
}

impl Gpio for PiGpio {
    fn set(&self, pin: u8, on: bool) -> Result<(), HwError> {
        let mut outputs = self.outputs.lock().unwrap_or_else(|e| e.into_inner());
        let p = outputs.get_mut(&pin).ok_or(HwError {
            pin,
            detail: "chân chưa khai trong [hw] / pin not in [hw]".into(),
        })?;
        if on {
            p.set_high()
        } else {
            p.set_low()
        }
        Ok(())
    }

    fn pressed(&self, pin: u8) -> Result<bool, HwError> {
        let p = self.inputs.get(&pin).ok_or(HwError {
            pin,
            detail: "chân chưa khai trong [hw] / pin not in [hw]".into(),
        })?;
        Ok(p.is_low())
    }
}
