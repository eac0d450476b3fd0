//! The board's own health, where the board tells it: the SoC temperature (Linux thermal zone)
//! and whether a Raspberry Pi saw under-voltage (its firmware's "throttled" flags, through
//! sysfs or `vcgencmd`). A village node reports both; a machine without them reports `None`. It
//! only reads: it never changes a setting of the board.

use std::path::Path;
use std::process::{Command, Stdio};

/// The first thermal zone's temperature in °C.
pub fn temperature_c() -> Option<f32> {
    temperature_from(Path::new("/sys/class/thermal/thermal_zone0/temp"))
}

fn temperature_from(path: &Path) -> Option<f32> {
    let milli: f64 = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    Some((milli / 1000.0) as f32)
}

/// Whether the Pi's supply fell under 4.63 V since boot (bit 16 of the throttled flags), or
/// now (bit 0).
pub fn under_voltage() -> Option<bool> {
    let sysfs = Path::new("/sys/devices/platform/soc/soc:firmware/get_throttled");
    let flags = std::fs::read_to_string(sysfs)
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok())
        .or_else(vcgencmd_throttled)?;
    Some(flags & 0x1_0001 != 0)
}

/// `vcgencmd get_throttled` → `throttled=0x50005`, where the firmware tool is installed.
fn vcgencmd_throttled() -> Option<u32> {
    let out = Command::new("vcgencmd")
        .arg("get_throttled")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    parse_throttled(&String::from_utf8_lossy(&out.stdout))
}

fn parse_throttled(s: &str) -> Option<u32> {
    let hex = s
        .trim()
        .strip_prefix("throttled=")?
        .trim_start_matches("0x");
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firmware_flags_and_the_thermal_zone_read_as_the_pi_writes_them() {
        assert_eq!(parse_throttled("throttled=0x50005\n"), Some(0x50005));
        assert_eq!(parse_throttled("throttled=0x0"), Some(0));
        assert_eq!(parse_throttled("error"), None);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("temp");
        std::fs::write(&f, "48312\n").unwrap();
        assert_eq!(temperature_from(&f), Some(48.312));
        std::fs::write(&f, "n/a").unwrap();
        assert_eq!(temperature_from(&f), None);
    }
}
