//! CAP 1.2 alerts (OASIS Common Alerting Protocol), as national and provincial warning
//! systems send them: parsed, checked, and judged for this commune.
//!
//! An alert airs when it is real (`status` Actual), an `Alert` or `Update`, severe enough
//! (Extreme or Severe), and names one of the commune's areas (a geocode value or area name from
//! `emergency.cap_areas`). A `Cancel` stops the emergency it references. Everything else is
//! refused with the reason.

use serde::Deserialize;

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
#[error("cảnh báo CAP bị từ chối: {vi} / CAP alert refused: {en}")]
pub struct Refused {
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
}

fn refuse(vi: impl Into<String>, en: impl Into<String>) -> Refused {
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
        /// What the loudspeakers say.
        text: String,
        /// What the LED panel shows.
        panel: String,
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
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Judge an alert for a commune answering `areas` (geocode values or area names).
pub fn judge(alert: &Alert, areas: &[String]) -> Result<Verdict, Refused> {
    if alert.status != "Actual" {
        return Err(refuse(
            format!("trạng thái \"{}\" không phải cảnh báo thật", alert.status),
            format!("status \"{}\" is not a real alert", alert.status),
        ));
    }
    let ours = |info: &Info| {
        info.area.iter().any(|a| {
            areas.iter().any(|mine| {
                mine.eq_ignore_ascii_case(a.desc.trim())
                    || a.geocode.iter().any(|g| g.value.trim() == mine.trim())
            })
        })
    };
    match alert.msg_type.as_str() {
        "Cancel" => {
            let identifiers = alert
                .references
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|triple| triple.split(',').nth(1).map(String::from))
                .collect::<Vec<_>>();
            if identifiers.is_empty() {
                return Err(refuse(
                    "lệnh huỷ không nêu cảnh báo nào",
                    "the cancel references no alert",
                ));
            }
            Ok(Verdict::Cancel { identifiers })
        }
        "Alert" | "Update" => {
            let info = alert
                .info
                .iter()
                .filter(|i| ours(i))
                .min_by_key(|i| !i.language.as_deref().unwrap_or("").starts_with("vi"))
                .ok_or_else(|| {
                    refuse(
                        "cảnh báo không dành cho vùng của xã",
                        "the alert is not for this commune's area",
                    )
                })?;
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
            let text = if parts.is_empty() {
                info.event.clone()
            } else {
                parts.join(". ")
            };
            let panel = info.headline.clone().unwrap_or_else(|| info.event.clone());
            Ok(Verdict::Air {
                text: crate::text::clean_line(&text),
                panel: crate::text::clean_line(&panel),
            })
        }
        other => Err(refuse(
            format!("loại tin \"{other}\" không cần phát"),
            format!("message type \"{other}\" is not aired"),
        )),
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

    #[test]
    fn a_severe_alert_for_our_commune_airs_its_text() {
        let alert = parse(&sample("Actual", "Alert", "Severe", "12345")).unwrap();
        match judge(&alert, &["12345".into()]).unwrap() {
            Verdict::Air { text, panel } => {
                assert!(
                    text.starts_with("Bão số 3 đổ bộ & gió giật cấp 12. Bão đổ bộ"),
                    "{text}"
                );
                assert!(text.ends_with("tránh xa bờ sông."));
                assert_eq!(panel, "Bão số 3 đổ bộ & gió giật cấp 12");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            judge(&alert, &["xã tân lập".into()]).is_ok(),
            "the area name works too"
        );
    }

    #[test]
    fn foreign_minor_test_and_malformed_alerts_are_refused_with_a_reason() {
        let foreign = parse(&sample("Actual", "Alert", "Severe", "99999")).unwrap();
        assert!(
            judge(&foreign, &["12345".into()])
                .unwrap_err()
                .en
                .contains("area")
        );
        let minor = parse(&sample("Actual", "Alert", "Minor", "12345")).unwrap();
        assert!(
            judge(&minor, &["12345".into()])
                .unwrap_err()
                .en
                .contains("severity")
        );
        let test = parse(&sample("Test", "Alert", "Extreme", "12345")).unwrap();
        assert!(
            judge(&test, &["12345".into()])
                .unwrap_err()
                .en
                .contains("status")
        );
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
    fn a_cancel_names_what_it_cancels() {
        let xml = sample("Actual", "Cancel", "Severe", "12345").replace(
            "<scope>Public</scope>",
            "<scope>Public</scope><references>canhbao@kttv.gov.vn,KTTV-2026-0915,2026-09-15T06:00:00+07:00</references>",
        );
        let alert = parse(&xml).unwrap();
        assert_eq!(
            judge(&alert, &[]).unwrap(),
            Verdict::Cancel {
                identifiers: vec!["KTTV-2026-0915".into()]
            }
        );
    }
}
