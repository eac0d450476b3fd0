//! The small typed values settings name, parsed from their text once when the config is read:
//! the loudspeaker output, the panel output, the GPIO kind, what a pre-empted item does next,
//! and how each is written in `loaxa.toml` (the same text `Display` gives back). The parts that
//! use them (the player, the panel, the relays) get the value, never the text.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::Said;
use crate::model::said;

/// An output, named as in `--output` and `audio.output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputSpec {
    /// The default sound card (`device`) or a named ALSA/cpal device (`device:NAME`).
    Device(Option<String>),
    /// Capture to a WAV file (`wav:PATH`).
    Wav(PathBuf),
    /// Discard, paced in real time (`null`).
    Null,
}

impl FromStr for OutputSpec {
    type Err = Said;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.split_once(':') {
            None if s == "device" => Ok(OutputSpec::Device(None)),
            None if s == "null" => Ok(OutputSpec::Null),
            Some(("device", name)) if !name.is_empty() => {
                Ok(OutputSpec::Device(Some(name.to_string())))
            }
            Some(("wav", path)) if !path.is_empty() => Ok(OutputSpec::Wav(PathBuf::from(path))),
            _ => Err(said!(
                "không biết đầu ra \"{s}\" — hãy dùng device, device:TÊN, wav:ĐƯỜNG_DẪN hoặc null (xem `loaxa devices`)",
                "unknown output \"{s}\" — use device, device:NAME, wav:PATH or null (see `loaxa devices`)"
            )),
        }
    }
}

impl fmt::Display for OutputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputSpec::Device(None) => write!(f, "device"),
            OutputSpec::Device(Some(name)) => write!(f, "device:{name}"),
            OutputSpec::Wav(p) => write!(f, "wav:{}", p.display()),
            OutputSpec::Null => write!(f, "null"),
        }
    }
}

/// Where the panel's frames go, as `[display] output` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanelOutput {
    /// Nowhere: the web preview only.
    None,
    /// A PNG file, rewritten every second.
    Png(PathBuf),
    /// A Linux framebuffer device (an HDMI screen or TV).
    Fbdev(PathBuf),
    /// A desktop window (builds with the `window` feature).
    Window,
    /// HUB75 LED modules on the Pi's GPIO (builds with the `hub75` feature).
    Hub75,
}

impl FromStr for PanelOutput {
    type Err = Said;

    fn from_str(s: &str) -> Result<Self, Said> {
        let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
        match (kind, arg) {
            ("none", "") => Ok(PanelOutput::None),
            ("png", path) if !path.is_empty() => Ok(PanelOutput::Png(path.into())),
            ("fbdev", "") => Ok(PanelOutput::Fbdev("/dev/fb0".into())),
            ("fbdev", path) => Ok(PanelOutput::Fbdev(path.into())),
            ("window", "") => Ok(PanelOutput::Window),
            ("hub75", "") => Ok(PanelOutput::Hub75),
            _ => Err(said!(
                "không hiểu đầu ra bảng LED \"{s}\"; dùng none, png:TỆP, fbdev[:/dev/fbN], window, hub75",
                "unknown panel output \"{s}\"; use none, png:FILE, fbdev[:/dev/fbN], window, hub75"
            )),
        }
    }
}

impl fmt::Display for PanelOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PanelOutput::None => write!(f, "none"),
            PanelOutput::Png(p) => write!(f, "png:{}", p.display()),
            PanelOutput::Fbdev(p) => write!(f, "fbdev:{}", p.display()),
            PanelOutput::Window => write!(f, "window"),
            PanelOutput::Hub75 => write!(f, "hub75"),
        }
    }
}

/// Which GPIO drives the relays and reads the button (`[hw] gpio`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpioKind {
    /// No relays: a PC, or an amplifier always on.
    #[default]
    None,
    /// The Pi's GPIO through rppal (builds with the `pi` feature).
    Pi,
}

/// What happens to an item after something more urgent cut it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterPreemption {
    /// Carry on from where it stopped (the default: nothing is lost).
    #[default]
    Resume,
    /// Play it again from the start, after what was already waiting.
    Restart,
}

/// Serde for a value written as its text (`FromStr` in, `Display` out), so the config file
/// holds `output = "device"` while the program holds an [`OutputSpec`]. A text that is not one
/// is refused with the value's own message; the loader adds the file, the line and the fix.
pub(crate) mod as_text {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer, de};

    /// Write the value as its text.
    pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    /// Read the value from its text.
    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr<Err: Display>,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(d)?;
        text.parse().map_err(de::Error::custom)
    }
}

/// The time zone an IANA name names.
pub(crate) fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, Said> {
    name.parse().map_err(|_| {
        said!(
            "không biết múi giờ \"{name}\"",
            "unknown time zone \"{name}\""
        )
    })
}

/// The address `address:port` names.
pub(crate) fn parse_listen(text: &str) -> Result<SocketAddr, Said> {
    text.parse().map_err(|_| {
        said!(
            "\"{text}\" không phải địa chỉ:cổng",
            "\"{text}\" is not address:port"
        )
    })
}

/// Serde for the time zone, by its IANA name.
pub(crate) mod time_zone {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::config::values::parse_time_zone;

    /// Write the zone's name.
    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    /// Read a zone from its name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        parse_time_zone(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// Serde for the listening address, `address:port`.
pub(crate) mod listen {
    use std::net::SocketAddr;

    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::config::values::parse_listen;

    /// Write `address:port`.
    pub fn serialize<S: Serializer>(addr: &SocketAddr, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(addr)
    }

    /// Read `address:port`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
        parse_listen(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_parse_and_print_back() {
        for name in [
            "device",
            "device:null",
            "device:hw:CARD=Headphones,DEV=0",
            "wav:/tmp/a.wav",
            "null",
        ] {
            let spec: OutputSpec = name.parse().unwrap();
            assert_eq!(spec.to_string(), name);
        }
    }

    #[test]
    fn unknown_output_names_the_choices() {
        for bad in ["speaker", "wav:", "device:", "hdmi:0"] {
            let err = bad.parse::<OutputSpec>().unwrap_err();
            assert!(err.to_string().contains("device:NAME"), "{err}");
        }
    }

    #[test]
    fn panel_outputs_parse_and_print_back() {
        for text in [
            "none",
            "png:/tmp/bang.png",
            "fbdev:/dev/fb1",
            "window",
            "hub75",
        ] {
            let output: PanelOutput = text.parse().unwrap();
            assert_eq!(output.to_string(), text);
        }
        assert_eq!("fbdev".parse(), Ok(PanelOutput::Fbdev("/dev/fb0".into())));
        let err = "vga".parse::<PanelOutput>().unwrap_err();
        assert!(
            err.vi().contains("dùng none") && err.en().contains("use none"),
            "{err}"
        );
    }
}
