//! CAP 1.2 alerts: arbitrary, mutated, deeply nested and oversized documents are refused with a
//! reason or judged by the rules; well-formed ones round-trip.

use super::*;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn cap_word(choices: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(choices).prop_map(String::from),
        1 => plain_text(12),
    ]
}

fn info_strategy() -> impl Strategy<Value = Info> {
    let area = (
        plain_text(20),
        prop::collection::vec(
            (
                plain_text(8),
                prop_oneof![Just("12345".to_string()), plain_text(8)],
            )
                .prop_map(|(value_name, value)| Geocode { value_name, value }),
            0..3,
        ),
    )
        .prop_map(|(desc, geocode)| Area {
            desc,
            polygon: Vec::new(),
            circle: Vec::new(),
            geocode,
        });
    (
        proptest::option::of(cap_word(&["vi-VN", "en-US", "vi", "fr"])),
        plain_text(20),
        cap_word(&["Immediate", "Expected", "Future", "Past", "Unknown"]),
        cap_word(&["Extreme", "Severe", "Moderate", "Minor", "Unknown"]),
        cap_word(&["Observed", "Likely", "Possible", "Unlikely", "Unknown"]),
        proptest::option::of(plain_text(60)),
        proptest::option::of(plain_text(120)),
        proptest::option::of(plain_text(80)),
        prop::collection::vec(area, 0..3),
    )
        .prop_map(
            |(
                language,
                event,
                urgency,
                severity,
                certainty,
                headline,
                description,
                instruction,
                area,
            )| Info {
                language,
                event,
                urgency,
                severity,
                certainty,
                headline,
                description,
                instruction,
                expires: None,
                area,
            },
        )
}

fn alert_strategy() -> impl Strategy<Value = Alert> {
    (
        plain_text(20),
        plain_text(20),
        cap_word(&["2026-09-15T06:00:00+07:00"]),
        cap_word(&["Actual", "Exercise", "System", "Test", "Draft"]),
        cap_word(&["Alert", "Update", "Cancel", "Ack", "Error"]),
        proptest::option::of(prop_oneof![
            Just("canhbao@kttv.gov.vn,KTTV-2026-0915,2026-09-15T06:00:00+07:00".to_string()),
            Just("a,b,c d,e,f".to_string()),
            plain_text(40),
        ]),
        prop::collection::vec(info_strategy(), 0..3),
    )
        .prop_map(
            |(identifier, sender, sent, status, msg_type, references, info)| Alert {
                identifier,
                sender,
                sent,
                status,
                msg_type,
                references,
                info,
            },
        )
}

/// One element per line, so line edits are structural edits.
fn alert_xml(a: &Alert) -> String {
    let el = |tag: &str, v: &str| format!("<{tag}>{}</{tag}>\n", xml_escape(v));
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
    );
    x += &el("identifier", &a.identifier);
    x += &el("sender", &a.sender);
    x += &el("sent", &a.sent);
    x += &el("status", &a.status);
    x += &el("msgType", &a.msg_type);
    x += "<scope>Public</scope>\n";
    if let Some(r) = &a.references {
        x += &el("references", r);
    }
    for i in &a.info {
        x += "<info>\n";
        if let Some(l) = &i.language {
            x += &el("language", l);
        }
        x += "<category>Met</category>\n";
        x += &el("event", &i.event);
        x += &el("urgency", &i.urgency);
        x += &el("severity", &i.severity);
        x += &el("certainty", &i.certainty);
        for (tag, v) in [
            ("headline", &i.headline),
            ("description", &i.description),
            ("instruction", &i.instruction),
        ] {
            if let Some(v) = v {
                x += &el(tag, v);
            }
        }
        for a in &i.area {
            x += "<area>\n";
            x += &el("areaDesc", &a.desc);
            for g in &a.geocode {
                x += &format!(
                    "<geocode>{}{}</geocode>\n",
                    el("valueName", &g.value_name).trim_end(),
                    el("value", &g.value).trim_end()
                );
            }
            x += "</area>\n";
        }
        x += "</info>\n";
    }
    x += "</alert>\n";
    x
}

fn check_refused(e: &cap::Refused) -> Result<(), TestCaseError> {
    prop_assert!(!e.vi.trim().is_empty() && !e.en.trim().is_empty(), "{e:?}");
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

/// The rules for a commune answering `areas`, without drills, now.
fn rules(areas: &[String]) -> cap::Rules<'_> {
    cap::Rules {
        place: cap::Place {
            location: None,
            areas,
        },
        drills: false,
        now: chrono::Utc::now(),
    }
}

fn check_verdict(alert: &Alert, areas: &[String]) -> Result<(), TestCaseError> {
    match cap::judge(alert, &rules(areas)) {
        Err(e) => check_refused(&e)?,
        Ok(Verdict::Air { text, panel, drill }) => {
            prop_assert!(!drill);
            prop_assert_eq!(&alert.status, "Actual");
            prop_assert!(matches!(alert.msg_type.as_str(), "Alert" | "Update"));
            prop_assert_eq!(clean_line(&text), text.clone(), "the spoken text is clean");
            prop_assert_eq!(clean_line(&panel), panel.clone(), "the panel text is clean");
        }
        Ok(Verdict::Cancel { identifiers }) => {
            prop_assert_eq!(&alert.msg_type, "Cancel");
            prop_assert!(!identifiers.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(pt(2000))]

    /// A well-formed alert parses back to what was written, and its verdict follows the
    /// rules: real, severe, ours → air clean text; a cancel names what it cancels.
    #[test]
    fn cap_alerts_round_trip_and_are_judged_by_the_rules(alert in alert_strategy()) {
        let xml = alert_xml(&alert);
        let parsed = cap::parse(&xml);
        prop_assert!(parsed.is_ok(), "{:?}\n{xml}", parsed.err());
        let parsed = parsed.unwrap();
        prop_assert_eq!(&parsed, &alert, "{}", xml);
        let areas = vec!["12345".to_string()];
        check_verdict(&parsed, &areas)?;
        let ours = alert.info.iter().any(|i| i.area.iter().any(|a| a.desc.contains("12345") || a.geocode.iter().any(|g| g.value == "12345")));
        let severe = alert.info.iter().any(|i| matches!(i.severity.as_str(), "Extreme" | "Severe"));
        if alert.status == "Actual" && matches!(alert.msg_type.as_str(), "Alert" | "Update") {
            let verdict = cap::judge(&parsed, &rules(&areas));
            if !ours {
                prop_assert!(verdict.is_err(), "not our area but {verdict:?}");
            }
            if !severe {
                prop_assert!(verdict.is_err(), "not severe but {verdict:?}");
            }
        }
    }

    /// The same alerts with elements deleted, duplicated, swapped, replaced or cut off.
    #[test]
    fn mutated_cap_alerts_are_refused_with_a_reason(
        alert in alert_strategy(),
        edits in prop::collection::vec(edit(vec![
            "<info>".into(), "</info>".into(), "<area>".into(), "</area>".into(),
            "<alert>".into(), "</alert>".into(), "<status>Actual</status>".into(),
            "<msgType>Cancel</msgType>".into(), "<severity>Extreme</severity>".into(),
            "<![CDATA[x]]>".into(), "<!DOCTYPE alert [<!ENTITY a \"aaaa\">]>".into(), "&a;".into(),
            "&#0;".into(), "&#x110000;".into(), "&unknown;".into(), "<?pi x?>".into(),
            "<!-- c -->".into(), "<identifier/>".into(), "<info/>".into(),
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">".into(),
        ]), 1..5),
    ) {
        let xml = apply_edits(&alert_xml(&alert), &edits);
        match cap::parse(&xml) {
            Ok(parsed) => check_verdict(&parsed, &["12345".to_string(), "Xã Tân Lập".to_string()])?,
            Err(e) => check_refused(&e)?,
        }
    }

    /// Any text at all, with and without the namespace in it.
    #[test]
    fn arbitrary_cap_documents_are_refused_with_a_reason(s in odd_string(300), ns in any::<bool>()) {
        let doc = if ns { format!("<alert xmlns=\"{}\">{s}</alert>", cap::NAMESPACE) } else { s };
        match cap::parse(&doc) {
            Ok(parsed) => check_verdict(&parsed, &["12345".to_string()])?,
            Err(e) => check_refused(&e)?,
        }
    }
}

/// Deep nesting and oversized documents: refused or parsed, never a crash. Deep nesting is the
/// classic way to overflow a recursive parser's stack (which aborts the whole service), so the
/// depth goes to what a 1 MB alert can hold.
#[test]
fn cap_deep_nesting_and_size_limits() {
    for depth in [1_000usize, 20_000, 80_000] {
        for tag in ["info", "area", "x"] {
            let mut xml = format!(
                "<alert xmlns=\"{}\"><identifier>x</identifier><sender>s</sender><sent>t</sent><status>Actual</status><msgType>Alert</msgType>",
                cap::NAMESPACE
            );
            xml += &format!("<{tag}>").repeat(depth);
            xml += &format!("</{tag}>").repeat(depth);
            xml += "</alert>";
            if xml.len() > cap::MAX_BYTES {
                continue;
            }
            // A stack overflow would abort this test binary: the report would say so.
            if let Err(e) = cap::parse(&xml) {
                assert!(!e.en.is_empty());
            }
        }
    }
    let big = format!(
        "<alert xmlns=\"{}\">{}</alert>",
        cap::NAMESPACE,
        "a".repeat(cap::MAX_BYTES)
    );
    assert!(cap::parse(&big).unwrap_err().en.contains("too large"));
}
