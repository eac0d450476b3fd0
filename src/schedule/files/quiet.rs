//! `[quiet]` and `[[volume]]` in `schedules/*.toml`: the commune's and the zones' quiet hours
//! (giờ yên tĩnh) and the gains by time of day, each checked with its line and a fix; and the
//! check that flags a slot timed inside quiet hours. It does not read the files (they come as
//! `SourceText`); holding cues back is the gate's.

use serde::Deserialize;

use super::{Programme, Slot, When};
use crate::config::{Problem, SourceText};
use crate::model::Said;
use crate::model::said;
use crate::schedule::hours::{DaySpan, Volume};

/// Quietest and loudest gain a `[[volume]]` rule may set, in dB.
const GAIN_RANGE: std::ops::RangeInclusive<f32> = -30.0..=6.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuiet {
    #[serde(default)]
    hours: Vec<String>,
    #[serde(default)]
    zones: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVolume {
    hours: Vec<String>,
    #[serde(default)]
    zones: Vec<String>,
    gain_db: f32,
}

/// The fix for a span of hours that is not one.
fn fix_span() -> Said {
    Said::new(
        "viết \"HH:MM-HH:MM\", ví dụ hours = [\"21:30-05:30\"]",
        "write \"HH:MM-HH:MM\", e.g. hours = [\"21:30-05:30\"]",
    )
}

/// Spans from `texts` at `path`, each bad one reported on its line.
fn spans(
    src: &SourceText,
    path: &[&str],
    texts: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<DaySpan> {
    texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t.parse::<DaySpan>() {
            Ok(s) if s.from != s.to => Some(s),
            Ok(_) => {
                let mut at = path.to_vec();
                let idx = i.to_string();
                at.push(&idx);
                problems.push(src.problem(
                    &at,
                    said!(
                        "\"{t}\" không có độ dài (bắt đầu = kết thúc)",
                        "\"{t}\" is empty (starts where it ends)"
                    ),
                    fix_span(),
                ));
                None
            }
            Err(e) => {
                let mut at = path.to_vec();
                let idx = i.to_string();
                at.push(&idx);
                problems.push(src.problem(&at, e, fix_span()));
                None
            }
        })
        .collect()
}

/// Add one file's `[quiet]` and `[[volume]]` to the programme.
pub(super) fn read(
    src: &SourceText,
    quiet: Option<&RawQuiet>,
    volume: &[RawVolume],
    programme: &mut Programme,
    problems: &mut Vec<Problem>,
) {
    if let Some(q) = quiet {
        let hours = spans(src, &["quiet", "hours"], &q.hours, problems);
        programme.quiet.hours.extend(hours);
        for (zone, texts) in &q.zones {
            let hours = spans(src, &["quiet", "zones", zone], texts, problems);
            programme
                .quiet
                .zones
                .entry(zone.clone())
                .or_default()
                .extend(hours);
        }
    }
    for (i, v) in volume.iter().enumerate() {
        let idx = i.to_string();
        let hours = spans(src, &["volume", &idx, "hours"], &v.hours, problems);
        if !GAIN_RANGE.contains(&v.gain_db) {
            problems.push(src.problem(
                &["volume", &idx, "gain_db"],
                {
                    let gain = v.gain_db;
                    said!(
                        "gain_db = {gain} nằm ngoài −30…+6",
                        "gain_db = {gain} is outside −30…+6"
                    )
                },
                said!(
                    "nhỏ hơn sau 21:00 thường là -6",
                    "quieter after 21:00 is usually -6"
                ),
            ));
            continue;
        }
        if hours.is_empty() {
            continue;
        }
        programme.volume.push(Volume {
            hours,
            zones: v.zones.clone(),
            gain_db: v.gain_db,
        });
    }
}

/// A slot timed inside quiet hours: it will not air there (the commune's), or not in a zone
/// (a zone's own). Reported on the slot's `time` or `at` line; a slot that airs through quiet
/// hours has nothing to report.
pub(super) fn slot_in_quiet_hours(
    src: &SourceText,
    path: &[&str],
    slot: &Slot,
    programme: &Programme,
) -> Option<Problem> {
    if slot.through_quiet_hours {
        return None;
    }
    let (time, key) = match &slot.when {
        When::Daily { time, .. } => (*time, "time"),
        When::Once(at) => (at.time(), "at"),
        When::Cron(_) => return None,
    };
    let mut at = path.to_vec();
    at.push(key);
    let fix = |span: &DaySpan| {
        let after = span.to.format("%H:%M");
        said!(
            "dời buổi ra ngoài {span} (ví dụ \"{after}\"), hoặc sửa [quiet]",
            "move the slot outside {span} (e.g. \"{after}\"), or change [quiet]"
        )
    };
    let (name, at_time) = (&slot.name, time.format("%H:%M"));
    if let Some(span) = programme.quiet.hours.iter().find(|s| s.contains(time)) {
        return Some(src.problem(
            &at,
            said!(
                "buổi \"{name}\" lúc {at_time} nằm trong giờ yên tĩnh {span}: sẽ không phát",
                "slot \"{name}\" at {at_time} is inside the quiet hours {span}: it will not air"
            ),
            fix(span),
        ));
    }
    let (zone, span) = programme.quiet.zones.iter().find_map(|(zone, spans)| {
        let reached = slot.zones.is_empty() || slot.zones.contains(zone);
        let span = spans.iter().find(|s| s.contains(time))?;
        reached.then_some((zone, span))
    })?;
    Some(src.problem(
        &at,
        said!(
            "buổi \"{name}\" lúc {at_time} nằm trong giờ yên tĩnh {span} của {zone}: {zone} sẽ không nghe",
            "slot \"{name}\" at {at_time} is inside {zone}'s quiet hours {span}: {zone} will not hear it"
        ),
        fix(span),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::load_texts;

    const LIST: &str = "[[part]]\ncategory = \"bulletin\"\n";

    #[test]
    fn quiet_hours_and_gains_are_read_for_the_commune_and_for_zones() {
        let text = "[quiet]\nhours = [\"21:30-05:30\"]\n[quiet.zones]\n\"Thôn Chợ\" = [\"20:00-06:00\", \"11:30-13:30\"]\n[[volume]]\nhours = [\"21:00-05:30\"]\ngain_db = -6\n[[volume]]\nhours = [\"19:00-21:00\"]\nzones = [\"Thôn Chợ\"]\ngain_db = -3.5\n";
        let (p, problems) = load_texts(text, LIST);
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(p.quiet.hours[0].to_string(), "21:30–05:30");
        assert_eq!(p.quiet.zones["Thôn Chợ"].len(), 2);
        assert_eq!(p.volume.len(), 2);
        assert_eq!(
            (p.volume[1].zones.as_slice(), p.volume[1].gain_db),
            (&["Thôn Chợ".to_string()][..], -3.5)
        );
        assert_eq!(p.known_zones(), ["Thôn Chợ"]);
    }

    #[test]
    fn bad_hours_and_gains_are_refused_on_their_line() {
        let cases = [
            (
                "[quiet]\nhours = [\n  \"21:30-05:30\",\n  \"21h30-5h30\",\n]\n",
                4,
                "HH:MM-HH:MM",
            ),
            ("[quiet]\nhours = [\"06:00-06:00\"]\n", 2, "empty"),
            (
                "[quiet.zones]\n\"Thôn 2\" = [\"25:00-01:00\"]\n",
                2,
                "span of hours",
            ),
            (
                "[[volume]]\nhours = [\"21:00-05:30\"]\ngain_db = -50\n",
                3,
                "outside",
            ),
            ("[quiet]\nhour = [\"21:30-05:30\"]\n", 2, "unknown field"),
        ];
        for (text, line, says) in cases {
            let (_, problems) = load_texts(text, LIST);
            assert_eq!(problems.len(), 1, "{text}: {problems:#?}");
            assert_eq!(problems[0].line, Some(line), "{text}: {problems:#?}");
            assert!(
                problems[0].message.to_string().contains(says),
                "{text}: {problems:#?}"
            );
            crate::config::assert_apart(&problems[0]);
        }
    }

    #[test]
    fn a_slot_inside_quiet_hours_is_flagged_on_its_time_line_with_a_fix() {
        let quiet =
            "[quiet]\nhours = [\"21:30-05:30\"]\n[quiet.zones]\n\"Thôn Chợ\" = [\"20:00-06:00\"]\n";
        let slots = "[[slot]]\nname = \"som\"\ntime = \"05:00\"\nplaylist = \"p\"\n[[slot]]\nname = \"toi\"\ntime = \"20:30\"\nzones = [\"Thôn Chợ\", \"Thôn Đông\"]\nplaylist = \"p\"\n[[slot]]\nname = \"chieu\"\ntime = \"17:00\"\nplaylist = \"p\"\n[[once]]\nname = \"hop\"\nat = \"2027-03-02 22:15\"\nplaylist = \"p\"\n";
        let (p, problems) = load_texts(&format!("{quiet}{slots}"), LIST);
        assert_eq!(
            p.slots.len(),
            4,
            "flagged slots still load (what is outside the hours airs)"
        );
        let found: Vec<(Option<usize>, &str)> =
            problems.iter().map(|p| (p.line, p.message.en())).collect();
        assert_eq!(found.len(), 3, "{problems:#?}");
        assert_eq!(found[0].0, Some(7));
        assert!(
            found[0]
                .1
                .contains("\"som\" at 05:00 is inside the quiet hours 21:30–05:30")
        );
        assert!(
            problems[0].fix.to_string().contains("\"05:30\""),
            "{}",
            problems[0].fix
        );
        assert_eq!(found[1].0, Some(11));
        assert!(found[1].1.contains("Thôn Chợ will not hear it"));
        assert_eq!(found[2].0, Some(20));
    }

    #[test]
    fn a_relay_until_before_its_slot_starts_is_refused_on_the_slot() {
        let list = "[[part]]\nrelay = \"https://str.example.vn/vov1.m3u8\"\ntitle = \"VOV1\"\nuntil = \"05:00\"\nfallback = \"Nhạc hiệu\"\n";
        let slot = "[[slot]]\nname = \"sang\"\ntime = \"05:30\"\nplaylist = \"p\"\n";
        let (_, problems) = load_texts(slot, list);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].line, Some(3));
        assert!(
            problems[0]
                .message
                .en()
                .contains("relays VOV1 until 05:00, before slot \"sang\" starts at 05:30")
        );
        let (_, problems) = load_texts(&slot.replace("05:30", "04:30"), list);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
