//! CAP 1.2 alerts (OASIS Common Alerting Protocol), as national and provincial warning
//! systems send them: parsed, checked, and judged for this commune.
//!
//! An alert airs when it is real (`status` Actual; `Test` and `Exercise` air as drills when
//! `emergency.cap_drills` is on), an `Alert` or `Update`, severe enough (Extreme or Severe), not
//! past its `expires`, and covers the commune ([`area`]: a polygon or circle around
//! `emergency.location`, an area name or geocode in `emergency.cap_areas`). The first `<info>` in
//! Vietnamese is the one read. A `Cancel` stops the emergency it references. Everything else,
//! and a shape that is not one, is refused with the reason.
//!
//! Pure: the time is given. Fetching feeds is [`feed`]'s, acting on a verdict the station's.

pub mod area;
pub mod feed;

use crate::model::Said;
use crate::model::said;
use chrono::{DateTime, Utc};
use serde::Deserialize;

pub use area::Place;

/// The CAP 1.2 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// Largest alert accepted.
pub const MAX_BYTES: usize = 1 << 20;

/// An alert, as much of it as the commune needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename = "alert")]
pub struct Alert {
    /// Unique id from the sender.
    pub identifier: String,
    /// Who sent it.
    pub sender: String,
    /// When.
    pub sent: String,
    /// Actual, Exercise, System, Test, Draft.
    pub status: String,
    /// Alert, Update, Cancel, Ack, Error.
    #[serde(rename = "msgType")]
    pub msg_type: String,
    /// The alerts an Update or Cancel refers to (`sender,identifier,sent` triples).
    #[serde(default)]
    pub references: Option<String>,
    /// One per language.
    #[serde(default)]
    pub info: Vec<Info>,
}

/// One language's text of an alert.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Info {
    /// `vi-VN`, `en-US`...
    #[serde(default)]
    pub language: Option<String>,
    /// What happens ("Bão số 3").
    pub event: String,
    /// Immediate, Expected, Future, Past, Unknown.
    pub urgency: String,
    /// Extreme, Severe, Moderate, Minor, Unknown.
    pub severity: String,
    /// Observed, Likely, Possible, Unlikely, Unknown.
    pub certainty: String,
    /// One line.
    #[serde(default)]
    pub headline: Option<String>,
    /// What is happening.
    #[serde(default)]
    pub description: Option<String>,
    /// What to do.
    #[serde(default)]
    pub instruction: Option<String>,
    /// When it stops being true (`2026-09-15T18:00:00+07:00`); none: until cancelled.
    #[serde(default)]
    pub expires: Option<String>,
    /// Where.
    #[serde(default)]
    pub area: Vec<Area>,
}

/// An area an alert covers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Area {
    /// Its name.
    #[serde(rename = "areaDesc")]
    pub desc: String,
    /// Closed rings of `lat,lon` pairs, space-separated.
    #[serde(default)]
    pub polygon: Vec<String>,
    /// `lat,lon radius_km`.
    #[serde(default)]
    pub circle: Vec<String>,
    /// Coded identifiers.
    #[serde(default)]
    pub geocode: Vec<Geocode>,
}

/// A coded area identifier.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Geocode {
    /// The code system.
    #[serde(rename = "valueName")]
    pub value_name: String,
    /// The code.
    pub value: String,
}

/// Why an alert is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.said())]
pub struct Refused {
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
}

impl Refused {
    /// The refusal, in each language.
    pub fn said(&self) -> Said {
        let Refused { vi, en } = self;
        said!("cảnh báo CAP bị từ chối: {vi}", "CAP alert refused: {en}")
    }
}

pub(crate) fn refuse(vi: impl Into<String>, en: impl Into<String>) -> Refused {
    Refused {
        vi: vi.into(),
        en: en.into(),
    }
}

/// What to do with an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Air it: speak `text`, show `panel`.
    Air {
        /// What the loudspeakers say (a drill says so first).
        text: String,
        /// What the LED panel shows.
        panel: String,
        /// A `Test` or `Exercise` alert aired because `emergency.cap_drills` is on.
        drill: bool,
    },
    /// Stop the emergency started by the referenced alert(s).
    Cancel {
        /// Identifiers it cancels.
        identifiers: Vec<String>,
    },
}

/// Parse a CAP 1.2 document.
pub fn parse(xml: &str) -> Result<Alert, Refused> {
    if xml.len() > MAX_BYTES {
        return Err(refuse("tài liệu quá lớn", "the document is too large"));
    }
    if !xml.contains(NAMESPACE) {
        return Err(refuse(
            format!("không phải CAP 1.2 (thiếu không gian tên {NAMESPACE})"),
            format!("not CAP 1.2 (the {NAMESPACE} namespace is missing)"),
        ));
    }
    // CAP documents never carry a DTD; one here is either an attack (entity expansion) or
    // damage, and it can drive the XML reader into a state it panics on.
    if contains_ignoring_case(xml, "<!doctype") || contains_ignoring_case(xml, "<!entity") {
        return Err(refuse(
            "tài liệu có khai báo DOCTYPE/ENTITY, CAP không dùng",
            "the document declares a DOCTYPE or an ENTITY, which CAP never does",
        ));
    }
    // A reader that still trips over damaged input (a panic inside quick-xml) refuses the
    // alert instead of taking the request down with it.
    std::panic::catch_unwind(|| quick_xml::de::from_str::<Alert>(xml))
        .unwrap_or_else(|_| Err(quick_xml::DeError::Custom("unreadable XML".into())))
        .map_err(|e| refuse(format!("XML không hợp lệ: {e}"), format!("malformed: {e}")))
}

/// Whether `haystack` holds `needle` (ASCII, lower case) in any case, as XML readers accept.
pub(crate) fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// What an alert is judged against.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    /// Where the commune is and what it is called.
    pub place: Place<'a>,
    /// Whether `Test` and `Exercise` alerts air, as drills (`emergency.cap_drills`).
    pub drills: bool,
    /// Now, for `expires`.
    pub now: DateTime<Utc>,
}

/// What a drill says before its text, so nobody takes it for a real warning.
pub const DRILL_SPOKEN: &str = "Đây là tin diễn tập, không phải cảnh báo thật.";
/// What a drill shows before its headline on the panel.
pub const DRILL_PANEL: &str = "DIỄN TẬP";

/// Judge an alert for the commune `rules` describe.
pub fn judge(alert: &Alert, rules: &Rules) -> Result<Verdict, Refused> {
    let drill = drill(alert, rules.drills)?;
    match alert.msg_type.as_str() {
        "Cancel" => cancel(alert),
        "Alert" | "Update" => {
            let info = chosen_info(alert, rules)?;
            if !matches!(info.severity.as_str(), "Extreme" | "Severe") {
                return Err(refuse(
                    format!(
                        "mức nghiêm trọng \"{}\" dưới ngưỡng phát (Extreme, Severe)",
                        info.severity
                    ),
                    format!(
                        "severity \"{}\" is below the airing threshold (Extreme, Severe)",
                        info.severity
                    ),
                ));
            }
            Ok(air(info, drill))
        }
        other => Err(refuse(
            format!("loại tin \"{other}\" không cần phát"),
            format!("message type \"{other}\" is not aired"),
        )),
    }
}

/// Whether the alert is a drill (`Test`, `Exercise` with drills on), refusing what is neither
/// real nor an allowed drill.
fn drill(alert: &Alert, drills: bool) -> Result<bool, Refused> {
    match alert.status.as_str() {
        "Actual" => Ok(false),
        "Test" | "Exercise" if drills => Ok(true),
        s @ ("Test" | "Exercise") => Err(refuse(
            format!(
                "trạng thái \"{s}\" là tin thử/diễn tập; đặt emergency.cap_drills = true để phát như diễn tập"
            ),
            format!(
                "status \"{s}\" is a test or exercise, not a real alert; set emergency.cap_drills = true to air it as a drill"
            ),
        )),
        s => Err(refuse(
            format!("trạng thái \"{s}\" không phải cảnh báo thật"),
            format!("status \"{s}\" is not a real alert"),
        )),
    }
}

/// The identifiers a Cancel names.
fn cancel(alert: &Alert) -> Result<Verdict, Refused> {
    let identifiers = references(alert)
        .into_iter()
        .map(|(_, identifier)| identifier)
        .collect::<Vec<_>>();
    if identifiers.is_empty() {
        return Err(refuse(
            "lệnh huỷ không nêu cảnh báo nào",
            "the cancel references no alert",
        ));
    }
    Ok(Verdict::Cancel { identifiers })
}

/// The (sender, identifier) pairs of an alert's `references` (`sender,identifier,sent`
/// triples, space-separated).
pub fn references(alert: &Alert) -> Vec<(String, String)> {
    alert
        .references
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|triple| {
            let mut parts = triple.split(',');
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .filter(|(_, identifier)| !identifier.is_empty())
        .collect()
}

/// The `<info>` to read: among those covering the commune and not expired, the first in
/// Vietnamese, else the first. Refused when the alert names no area, a shape is not one, none
/// covers the commune, or every one that does has expired.
fn chosen_info<'a>(alert: &'a Alert, rules: &Rules) -> Result<&'a Info, Refused> {
    if alert.info.iter().all(|i| i.area.is_empty()) {
        return Err(refuse(
            "cảnh báo không nêu vùng nào (<area>)",
            "the alert names no area (<area>)",
        ));
    }
    let mut ours = Vec::new();
    for info in &alert.info {
        let mut covered = false;
        for a in &info.area {
            let shapes = area::shapes(a)?;
            covered |= area::covers(a, &shapes, &rules.place);
        }
        if covered {
            ours.push(info);
        }
    }
    if ours.is_empty() {
        return Err(refuse(
            "cảnh báo không dành cho vùng của xã (emergency.location, emergency.cap_areas)",
            "the alert is not for this commune's area (emergency.location, emergency.cap_areas)",
        ));
    }
    let mut current = Vec::new();
    let mut expired = None;
    for info in ours {
        match expires(info)? {
            Some(at) if at <= rules.now => expired = Some(at),
            _ => current.push(info),
        }
    }
    if let (true, Some(at)) = (current.is_empty(), expired) {
        return Err(refuse(
            format!("cảnh báo đã hết hạn lúc {}", at.to_rfc3339()),
            format!("the alert expired at {}", at.to_rfc3339()),
        ));
    }
    let vietnamese = current.iter().copied().find(|i| is_vietnamese(i));
    vietnamese
        .or_else(|| current.first().copied())
        .ok_or_else(|| refuse("cảnh báo không có nội dung", "the alert has no content"))
}

/// When `info` expires, refusing a time that cannot be read.
fn expires(info: &Info) -> Result<Option<DateTime<Utc>>, Refused> {
    let Some(text) = info.expires.as_deref().map(str::trim) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| {
            refuse(
                format!("không đọc được thời hạn (expires) \"{text}\": {e}"),
                format!("cannot read expires \"{text}\": {e}"),
            )
        })
}

/// Whether `info` is in Vietnamese (`vi`, `vi-VN`).
fn is_vietnamese(info: &Info) -> bool {
    let language = info.language.as_deref().unwrap_or("").trim();
    language.eq_ignore_ascii_case("vi")
        || language
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("vi-"))
}

/// What airs for `info`: its headline, description and instruction read aloud (a drill says
/// so first), its headline on the panel.
fn air(info: &Info, drill: bool) -> Verdict {
    let parts: Vec<&str> = [
        info.headline.as_deref(),
        info.description.as_deref(),
        info.instruction.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect();
    let mut text = if parts.is_empty() {
        info.event.clone()
    } else {
        parts.join(". ")
    };
    let mut panel = info.headline.clone().unwrap_or_else(|| info.event.clone());
    if drill {
        text = format!("{DRILL_SPOKEN} {text}");
        panel = format!("{DRILL_PANEL}: {panel}");
    }
    Verdict::Air {
        text: crate::text::clean_line(&text),
        panel: crate::text::clean_line(&panel),
        drill,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(status: &str, msg_type: &str, severity: &str, geocode: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KTTV-2026-0915</identifier>
  <sender>canhbao@kttv.gov.vn</sender>
  <sent>2026-09-15T06:00:00+07:00</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Bão số 3</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Observed</certainty>
    <headline>Bão số 3 đổ bộ &amp; gió giật cấp 12</headline>
    <description>Bão đổ bộ vào đất liền trong 6 giờ tới.</description>
    <instruction>Bà con ở trong nhà, tránh xa bờ sông.</instruction>
    <area><areaDesc>Xã Tân Lập</areaDesc><geocode><valueName>MA_XA</valueName><value>{geocode}</value></geocode></area>
  </info>
</alert>"#
        )
    }

    /// The rules at 07:00 on the sample's day, for a commune answering `areas`.
    fn rules(areas: &[String]) -> Rules<'_> {
        Rules {
            place: Place {
                location: None,
                areas,
            },
            drills: false,
            now: DateTime::parse_from_rfc3339("2026-09-15T07:00:00+07:00")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn ours() -> Vec<String> {
        vec!["12345".into()]
    }

    #[test]
    fn a_severe_alert_for_our_commune_airs_its_text() {
        let alert = parse(&sample("Actual", "Alert", "Severe", "12345")).unwrap();
        match judge(&alert, &rules(&ours())).unwrap() {
            Verdict::Air { text, panel, drill } => {
                assert!(
                    text.starts_with("Bão số 3 đổ bộ & gió giật cấp 12. Bão đổ bộ"),
                    "{text}"
                );
                assert!(text.ends_with("tránh xa bờ sông."));
                assert_eq!(panel, "Bão số 3 đổ bộ & gió giật cấp 12");
                assert!(!drill);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            judge(&alert, &rules(&["xa tan lap".into()])).is_ok(),
            "the area name works too, without tone marks"
        );
    }

    #[test]
    fn foreign_minor_test_and_malformed_alerts_are_refused_with_a_reason() {
        let foreign = parse(&sample("Actual", "Alert", "Severe", "99999")).unwrap();
        assert!(
            judge(&foreign, &rules(&ours()))
                .unwrap_err()
                .en
                .contains("area")
        );
        let minor = parse(&sample("Actual", "Alert", "Minor", "12345")).unwrap();
        assert!(
            judge(&minor, &rules(&ours()))
                .unwrap_err()
                .en
                .contains("severity")
        );
        let test = parse(&sample("Test", "Alert", "Extreme", "12345")).unwrap();
        assert!(
            judge(&test, &rules(&ours()))
                .unwrap_err()
                .en
                .contains("cap_drills = true")
        );
        let draft = parse(&sample("Draft", "Alert", "Extreme", "12345")).unwrap();
        let areas = ours();
        let drills = Rules {
            drills: true,
            ..rules(&areas)
        };
        assert!(judge(&draft, &drills).unwrap_err().en.contains("status"));
        assert!(parse("<alert><identifier>x</alert>").is_err());
        assert!(parse("không phải XML").unwrap_err().en.contains("CAP 1.2"));
        let broken = sample("Actual", "Alert", "Severe", "12345").replace("</info>", "");
        assert!(parse(&broken).is_err());
        // Found by the property tests: a DTD inside an element made quick-xml panic.
        let dtd = sample("Actual", "Alert", "Severe", "12345").replace(
            "<sender>",
            "<sender>\"\"\n<!DOCTYPE alert [<!ENTITY a \"aaaa\">]>\n",
        );
        assert!(parse(&dtd).unwrap_err().en.contains("DOCTYPE"));
        let lower = dtd.replace("<!DOCTYPE", "<!doctype");
        assert!(parse(&lower).unwrap_err().en.contains("DOCTYPE"));
    }

    #[test]
    fn exercises_air_as_drills_when_drills_are_on() {
        let exercise = parse(&sample("Exercise", "Alert", "Extreme", "12345")).unwrap();
        let areas = ours();
        let drills = Rules {
            drills: true,
            ..rules(&areas)
        };
        let Verdict::Air { text, panel, drill } = judge(&exercise, &drills).unwrap() else {
            panic!("a drill airs")
        };
        assert!(drill);
        assert!(text.starts_with(DRILL_SPOKEN), "{text}");
        assert!(panel.starts_with("DIỄN TẬP: Bão số 3"), "{panel}");
    }

    #[test]
    fn an_expired_alert_is_refused_and_one_still_current_airs() {
        let with_expiry = |at: &str| {
            sample("Actual", "Alert", "Severe", "12345")
                .replace("<headline>", &format!("<expires>{at}</expires><headline>"))
        };
        let past = parse(&with_expiry("2026-09-15T06:30:00+07:00")).unwrap();
        assert!(
            judge(&past, &rules(&ours()))
                .unwrap_err()
                .en
                .contains("expired at 2026-09-14T23:30:00+00:00")
        );
        let future = parse(&with_expiry("2026-09-15T18:00:00+07:00")).unwrap();
        assert!(judge(&future, &rules(&ours())).is_ok());
        let garbled = parse(&with_expiry("chiều nay")).unwrap();
        assert!(
            judge(&garbled, &rules(&ours()))
                .unwrap_err()
                .en
                .contains("cannot read expires")
        );
    }

    #[test]
    fn the_vietnamese_info_is_read_and_an_alert_without_area_is_refused() {
        let english = r#"<info><language>en-US</language><event>Typhoon</event><urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty><headline>Typhoon No. 3</headline><area><areaDesc>Tan Lap commune</areaDesc><geocode><valueName>MA_XA</valueName><value>12345</value></geocode></area></info>
  <info>"#;
        let both = sample("Actual", "Alert", "Severe", "12345").replacen("<info>", english, 1);
        let alert = parse(&both).unwrap();
        assert_eq!(alert.info[0].language.as_deref(), Some("en-US"));
        let Verdict::Air { panel, .. } = judge(&alert, &rules(&ours())).unwrap() else {
            panic!("it airs")
        };
        assert_eq!(panel, "Bão số 3 đổ bộ & gió giật cấp 12");
        let nowhere = sample("Actual", "Alert", "Severe", "12345");
        let start = nowhere.find("<area>").unwrap();
        let end = nowhere.find("</area>").unwrap() + "</area>".len();
        let nowhere = format!("{}{}", &nowhere[..start], &nowhere[end..]);
        assert!(
            judge(&parse(&nowhere).unwrap(), &rules(&ours()))
                .unwrap_err()
                .en
                .contains("names no area")
        );
    }

    #[test]
    fn a_cancel_names_what_it_cancels() {
        let xml = sample("Actual", "Cancel", "Severe", "12345").replace(
            "<scope>Public</scope>",
            "<scope>Public</scope><references>canhbao@kttv.gov.vn,KTTV-2026-0915,2026-09-15T06:00:00+07:00</references>",
        );
        let alert = parse(&xml).unwrap();
        assert_eq!(
            judge(&alert, &rules(&[])).unwrap(),
            Verdict::Cancel {
                identifiers: vec!["KTTV-2026-0915".into()]
            }
        );
        assert_eq!(
            references(&alert),
            [(
                "canhbao@kttv.gov.vn".to_string(),
                "KTTV-2026-0915".to_string()
            )]
        );
    }
}
