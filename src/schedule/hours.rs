//! Times of day the programme files name: the quiet hours (giờ yên tĩnh) of the commune and of
//! single zones, which normal and priority programme never enters, and the gain by time of
//! day (quieter after 21:00). Pure: spans of the local day and the questions the plan asks of
//! them; the files parse them, the plan applies them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Duration, NaiveDateTime, NaiveTime};
use serde::Serialize;

use crate::model::Said;

/// `06:00`, `6:00`, `17:30`; nothing past 23:59. The one reading of a time of day that
/// slots, relay ends and quiet hours share.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// A span of the local day, `21:30-05:30`: from `from` up to (not including) `to`, across
/// midnight when `to` is earlier. `00:00-00:00` is the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    /// Where it starts.
    pub from: NaiveTime,
    /// Where it ends (exclusive).
    pub to: NaiveTime,
}

impl FromStr for DaySpan {
    type Err = Said;

    /// `HH:MM-HH:MM` (an en dash or spaces around the dash are fine).
    fn from_str(s: &str) -> Result<Self, Said> {
        let refused = || {
            crate::model::said!(
                "\"{s}\" không phải khoảng giờ — viết \"HH:MM-HH:MM\", ví dụ \"21:30-05:30\"",
                "\"{s}\" is not a span of hours — write \"HH:MM-HH:MM\", e.g. \"21:30-05:30\""
            )
        };
        let (a, b) = s.split_once(['-', '–']).ok_or_else(refused)?;
        let from = parse_time(a).ok_or_else(refused)?;
        let to = parse_time(b).ok_or_else(refused)?;
        Ok(DaySpan { from, to })
    }
}

impl fmt::Display for DaySpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            self.from.format("%H:%M"),
            self.to.format("%H:%M")
        )
    }
}

impl Serialize for DaySpan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl DaySpan {
    /// Whether local time `t` falls inside.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from < self.to {
            self.from <= t && t < self.to
        } else {
            // Across midnight (or the whole day when both ends are equal).
            t >= self.from || t < self.to
        }
    }

    /// The first moment of `[start, end)` (local) inside the span, if any.
    pub fn first_inside(&self, start: NaiveDateTime, end: NaiveDateTime) -> Option<NaiveDateTime> {
        if end <= start {
            return None;
        }
        if self.contains(start.time()) {
            return Some(start);
        }
        // Outside at `start`: the span's next beginning, if it comes before `end`.
        let mut begin = start.date().and_time(self.from);
        if begin <= start {
            begin += Duration::days(1);
        }
        (begin < end).then_some(begin)
    }

    /// Its length.
    pub fn length(&self) -> Duration {
        let d = self.to.signed_duration_since(self.from);
        if d > Duration::zero() {
            d
        } else {
            d + Duration::days(1)
        }
    }
}

/// The first of `spans` that `[start, end)` enters, and when.
pub fn first_entered(
    spans: &[DaySpan],
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Option<(DaySpan, NaiveDateTime)> {
    spans
        .iter()
        .filter_map(|s| s.first_inside(start, end).map(|t| (*s, t)))
        .min_by_key(|(_, t)| *t)
}

/// `[quiet]`: hours in which no normal or priority programme airs (emergencies do), for the
/// whole commune and for single zones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quiet {
    /// The commune's (`hours = ["21:30-05:30"]`).
    pub hours: Vec<DaySpan>,
    /// A zone's own, beside the commune's (`[quiet.zones] "Thôn Chợ" = ["20:00-06:00"]`).
    pub zones: BTreeMap<String, Vec<DaySpan>>,
}

/// `[[volume]]`: a gain over the usual level during some hours, for some zones or all.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// When it applies.
    pub hours: Vec<DaySpan>,
    /// Where; empty: every zone.
    pub zones: Vec<String>,
    /// How much louder (negative: quieter), in dB.
    pub gain_db: f32,
}

/// The gain for a play starting at local time `t` that reaches `zones` (empty: every zone):
/// the lowest of the rules that apply there and then, 0 dB when none does. One output
/// carries the play to all its zones at once, so the quietest zone sets the level; a village
/// node, which serves its own zones only, gets each zone's own.
pub fn volume_at(rules: &[Volume], t: NaiveTime, zones: &[String]) -> f32 {
    rules
        .iter()
        .filter(|r| r.hours.iter().any(|h| h.contains(t)))
        .filter(|r| {
            r.zones.is_empty() || zones.is_empty() || r.zones.iter().any(|z| zones.contains(z))
        })
        .map(|r| r.gain_db)
        .reduce(f32::min)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn dt(day: u32, h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2027, 3, day)
            .unwrap()
            .and_time(at(h, m))
    }

    #[test]
    fn a_span_across_midnight_holds_the_late_evening_and_the_early_morning() {
        let night: DaySpan = "21:30-05:30".parse().unwrap();
        assert!(night.contains(at(21, 30)) && night.contains(at(23, 59)));
        assert!(night.contains(at(0, 0)) && night.contains(at(5, 29)));
        assert!(!night.contains(at(5, 30)) && !night.contains(at(12, 0)));
        assert_eq!(night.to_string(), "21:30–05:30");
        assert_eq!(night.length(), Duration::hours(8));
        let noon: DaySpan = "11:30 – 13:30".parse().unwrap();
        assert!(noon.contains(at(12, 0)) && !noon.contains(at(13, 30)));
        for bad in ["21:30", "25:00-01:00", "9h-10h", ""] {
            assert!(bad.parse::<DaySpan>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_play_enters_the_span_at_its_start_or_later_or_never() {
        let night: DaySpan = "21:30-05:30".parse().unwrap();
        assert_eq!(
            night.first_inside(dt(1, 21, 0), dt(1, 21, 40)),
            Some(dt(1, 21, 30)),
            "runs into it"
        );
        assert_eq!(
            night.first_inside(dt(2, 5, 0), dt(2, 5, 10)),
            Some(dt(2, 5, 0))
        );
        assert_eq!(
            night.first_inside(dt(2, 5, 30), dt(2, 6, 0)),
            None,
            "ends at 05:30"
        );
        assert_eq!(night.first_inside(dt(1, 17, 0), dt(1, 21, 30)), None);
        let spans = ["12:00-13:00".parse().unwrap(), night];
        assert_eq!(
            first_entered(&spans, dt(1, 11, 0), dt(1, 23, 0)).map(|(s, t)| (s.to_string(), t)),
            Some(("12:00–13:00".to_string(), dt(1, 12, 0)))
        );
    }

    #[test]
    fn the_quietest_rule_that_applies_sets_the_gain() {
        let rules = vec![
            Volume {
                hours: vec!["21:00-05:30".parse().unwrap()],
                zones: vec![],
                gain_db: -4.0,
            },
            Volume {
                hours: vec!["20:00-23:00".parse().unwrap()],
                zones: vec!["Thôn Chợ".into()],
                gain_db: -8.0,
            },
        ];
        let cho = vec!["Thôn Chợ".to_string()];
        let dong = vec!["Thôn Đông".to_string()];
        assert_eq!(volume_at(&rules, at(17, 0), &[]), 0.0);
        assert_eq!(volume_at(&rules, at(20, 30), &dong), 0.0);
        assert_eq!(volume_at(&rules, at(20, 30), &cho), -8.0);
        assert_eq!(volume_at(&rules, at(21, 15), &dong), -4.0);
        assert_eq!(
            volume_at(&rules, at(21, 15), &[]),
            -8.0,
            "all zones: the market's"
        );
    }
}
