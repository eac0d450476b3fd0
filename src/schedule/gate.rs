//! The gate every planned cue passes: quiet hours (giờ yên tĩnh) hold back normal and
//! priority programme — everywhere for the commune's, in one zone for a zone's own — and the
//! gain by time of day sets how loud what passes airs. Pure, on the programme and the
//! commune's time zone; the plan records what it held back and why.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::files::Programme;
use super::hours::{DaySpan, first_entered, volume_at};

/// Quiet hours and gains, ready to judge cues.
pub(super) struct Gate<'a> {
    programme: &'a Programme,
    tz: Tz,
    /// Every zone a cue for "all zones" reaches.
    all_zones: Vec<String>,
}

/// What the gate says of one cue.
pub(super) struct Judgement {
    /// Quiet hours that keep it out, with the zone whose they are (`None`: the commune's).
    pub held: Vec<(DaySpan, Option<String>)>,
    /// Whether and how it airs.
    pub airs: Verdict,
}

/// Whether a cue airs.
pub(super) enum Verdict {
    /// It airs in these zones (empty: all), this much louder or quieter.
    Airs {
        /// Where.
        zones: Vec<String>,
        /// The gain by time of day, in dB.
        volume_db: f32,
    },
    /// It does not air anywhere.
    Held,
}

impl<'a> Gate<'a> {
    /// The gate of `programme`, in time zone `tz`.
    pub(super) fn new(programme: &'a Programme, tz: Tz) -> Gate<'a> {
        Gate {
            programme,
            tz,
            all_zones: programme.known_zones(),
        }
    }

    /// The commune's time zone.
    pub(super) fn tz(&self) -> Tz {
        self.tz
    }

    /// Judge a cue on air over `[start, end)` in `zones` (empty: all). `exempt` (emergency
    /// items) passes quiet hours and keeps its full level; `through_quiet` (a slot that airs
    /// through quiet hours) passes them at the gain by time of day.
    pub(super) fn judge(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        zones: Vec<String>,
        exempt: bool,
        through_quiet: bool,
    ) -> Judgement {
        if exempt {
            return Judgement {
                held: Vec::new(),
                airs: Verdict::Airs {
                    zones,
                    volume_db: 0.0,
                },
            };
        }
        let (from, to) = (
            start.with_timezone(&self.tz).naive_local(),
            end.with_timezone(&self.tz).naive_local(),
        );
        // A zero-length cue still has a moment on air.
        let to = to.max(from + chrono::Duration::seconds(1));
        if through_quiet {
            let volume_db = volume_at(&self.programme.volume, from.time(), &zones);
            return Judgement {
                held: Vec::new(),
                airs: Verdict::Airs { zones, volume_db },
            };
        }
        let quiet = &self.programme.quiet;
        if let Some((span, _)) = first_entered(&quiet.hours, from, to) {
            return Judgement {
                held: vec![(span, None)],
                airs: Verdict::Held,
            };
        }
        let targets = if zones.is_empty() {
            &self.all_zones
        } else {
            &zones
        };
        let held: Vec<(DaySpan, Option<String>)> = quiet
            .zones
            .iter()
            .filter(|(zone, _)| targets.contains(zone))
            .filter_map(|(zone, spans)| {
                first_entered(spans, from, to).map(|(span, _)| (span, Some(zone.clone())))
            })
            .collect();
        let zones = if held.is_empty() {
            zones
        } else {
            let quiet_zone = |z: &String| held.iter().any(|(_, q)| q.as_ref() == Some(z));
            let rest: Vec<String> = targets.iter().filter(|z| !quiet_zone(z)).cloned().collect();
            if rest.is_empty() {
                return Judgement {
                    held,
                    airs: Verdict::Held,
                };
            }
            rest
        };
        let volume_db = volume_at(&self.programme.volume, from.time(), &zones);
        Judgement {
            held,
            airs: Verdict::Airs { zones, volume_db },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Ho_Chi_Minh as VN;

    use super::super::files::tests::load_texts;
    use super::super::plan::{Content, Jingle, Why, plan};
    use crate::model::{Category, Item, ReviewState, Tier};

    fn item(id: i64, tier: Tier, zones: &[&str]) -> Item {
        Item {
            id,
            media_id: 100 + id,
            title: format!("Bản tin {id}"),
            category: Category::Bulletin,
            tier,
            state: ReviewState::Approved,
            air_from: None,
            air_until: None,
            slots: vec![],
            zones: zones.iter().map(|z| z.to_string()).collect(),
            reject_reason: None,
            created_by: 1,
            created_by_name: "x".into(),
            edited_by: None,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            created_at: String::new(),
            updated_at: String::new(),
            duration_ms: 60_000,
            file: format!("media/{id}.wav"),
            gain_db: -3.0,
            revision: 1,
            editors: vec![],
            pending_revision: None,
        }
    }

    fn jingle() -> Jingle {
        Jingle {
            media_id: 1,
            title: "Nhạc hiệu".into(),
            file: "media/j.wav".into(),
            duration_ms: 5_000,
            gain_db: -2.0,
        }
    }

    const QUIET: &str = "[quiet]\nhours = [\"21:30-05:30\"]\n[quiet.zones]\n\"Thôn Chợ\" = [\"20:00-06:00\"]\n[[volume]]\nhours = [\"21:00-05:30\"]\ngain_db = -6\n";

    fn day_plan(schedule: &str, playlist: &str, items: &[Item]) -> super::super::plan::Plan {
        let (mut p, problems) = load_texts(&format!("{QUIET}{schedule}"), playlist);
        assert!(
            problems
                .iter()
                .all(|p| p.message.to_string().contains("quiet hours")),
            "{problems:#?}"
        );
        p.speaker_zones = vec!["Thôn Chợ".into(), "Thôn Đông".into()];
        let from = VN.with_ymd_and_hms(2027, 3, 2, 0, 0, 0).unwrap().to_utc();
        plan(
            &p,
            items,
            &[jingle()],
            from,
            from + chrono::Duration::days(1),
            VN,
        )
    }

    #[test]
    fn the_communes_quiet_hours_hold_back_normal_and_priority_items_with_the_reason() {
        let slot = "[[slot]]\nname = \"toi\"\ntime = \"21:29\"\nplaylist = \"p\"\n";
        let items = [
            item(1, Tier::Normal, &[]),
            item(2, Tier::Priority, &[]),
            item(3, Tier::Emergency, &[]),
        ];
        let plan = day_plan(slot, "[[part]]\ncategory = \"bulletin\"\n", &items);
        // Most urgent first: the emergency item airs at 21:29, the others would enter 21:30.
        let aired: Vec<&str> = plan.cues.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(aired, ["Bản tin 3"]);
        assert_eq!(plan.left_out.len(), 2, "{:#?}", plan.left_out);
        for l in &plan.left_out {
            assert!(matches!(&l.why, Why::QuietHours { zone: None, .. }));
            assert!(
                l.reason.contains("giờ yên tĩnh 21:30–05:30"),
                "{}",
                l.reason
            );
        }
        assert_eq!(plan.cues[0].volume_db, 0.0, "an emergency keeps its level");
    }

    #[test]
    fn only_a_slot_that_says_so_airs_through_quiet_hours_at_the_evening_gain() {
        let slots = "[[slot]]\nname = \"dem\"\ntime = \"23:00\"\nplaylist = \"p\"\nthrough_quiet_hours = true\n[[slot]]\nname = \"khuya\"\ntime = \"23:30\"\nplaylist = \"p\"\n";
        let plan = day_plan(
            slots,
            "[[part]]\ncategory = \"bulletin\"\n",
            &[item(1, Tier::Normal, &[])],
        );
        let aired: Vec<&str> = plan.cues.iter().map(|c| c.slot.as_str()).collect();
        assert_eq!(
            aired,
            ["dem"],
            "the real slot at 23:30 keeps the quiet hours"
        );
        assert!(
            plan.cues[0].zones.is_empty(),
            "every zone, the market's too"
        );
        assert_eq!(
            plan.cues[0].volume_db, -6.0,
            "the night's gain still applies"
        );
        assert!(
            matches!(&plan.left_out[..], [l] if l.slot == "khuya" && matches!(l.why, Why::QuietHours { zone: None, .. })),
            "{:#?}",
            plan.left_out
        );
    }

    #[test]
    fn a_zones_quiet_hours_take_only_that_zone_out_and_the_evening_gain_applies() {
        let slot = "[[slot]]\nname = \"toi\"\ntime = \"21:00\"\nplaylist = \"p\"\n";
        let plan = day_plan(
            slot,
            "[[part]]\ncategory = \"bulletin\"\nlimit = 1\n",
            &[item(1, Tier::Normal, &[])],
        );
        assert_eq!(plan.cues.len(), 1);
        assert_eq!(
            plan.cues[0].zones,
            ["Thôn Đông"],
            "the market is in its quiet hours"
        );
        assert_eq!(plan.cues[0].volume_db, -6.0);
        assert!(
            matches!(&plan.left_out[0].why, Why::QuietHours { zone: Some(z), .. } if z == "Thôn Chợ")
        );
        // An item only for the market does not air at all.
        let plan = day_plan(
            slot,
            "[[part]]\ncategory = \"bulletin\"\n",
            &[item(2, Tier::Normal, &["Thôn Chợ"])],
        );
        assert!(plan.cues.is_empty());
        assert_eq!(plan.left_out[0].item_id, Some(2));
        // In the afternoon everything airs everywhere at the usual level.
        let slot = "[[slot]]\nname = \"chieu\"\ntime = \"17:00\"\nplaylist = \"p\"\n";
        let plan = day_plan(
            slot,
            "[[part]]\ncategory = \"bulletin\"\n",
            &[item(1, Tier::Normal, &[])],
        );
        assert_eq!((plan.cues[0].zones.len(), plan.cues[0].volume_db), (0, 0.0));
        assert!(plan.left_out.is_empty());
    }

    #[test]
    fn a_relay_cue_ends_at_its_until_and_the_bulletin_follows_then() {
        let slot = "[[slot]]\nname = \"sang\"\ntime = \"05:30\"\nplaylist = \"p\"\n";
        let playlist = "[[part]]\njingle = \"Nhạc hiệu\"\n[[part]]\nrelay = \"https://str.example.vn/vov1/playlist.m3u8\"\ntitle = \"VOV1\"\nuntil = \"06:00\"\nfallback = \"Nhạc hiệu\"\nsilence_seconds = 20\n[[part]]\nrelay = \"http://radio.example.vn:8000/live\"\nminutes = 15\nfallback = \"jingle\"\n[[part]]\ncategory = \"bulletin\"\n";
        let plan = day_plan(slot, playlist, &[item(1, Tier::Normal, &[])]);
        let at = |h, m| VN.with_ymd_and_hms(2027, 3, 2, h, m, 0).unwrap().to_utc();
        let starts: Vec<_> = plan
            .cues
            .iter()
            .map(|c| (c.title.as_str(), c.start))
            .collect();
        let after_jingle = at(5, 30) + chrono::Duration::seconds(5);
        assert_eq!(
            starts,
            [
                ("Nhạc hiệu", at(5, 30)),
                ("VOV1", after_jingle),
                ("radio.example.vn", at(6, 0)),
                ("Bản tin 1", at(6, 15)),
            ]
        );
        let Content::Stream {
            until,
            fallback,
            silence_seconds,
            fallback_name,
            ..
        } = &plan.cues[1].content
        else {
            panic!("{:?}", plan.cues[1])
        };
        assert_eq!((*until, *silence_seconds), (at(6, 0), 20));
        assert_eq!(plan.cues[1].length_ms, 30 * 60_000 - 5_000);
        assert_eq!((fallback.len(), fallback[0].gain_db), (1, -2.0));
        assert_eq!(fallback_name, "«Nhạc hiệu»");
        assert!(
            plan.cues[1].key.ends_with("/1/relay"),
            "{}",
            plan.cues[1].key
        );
        // A slot of relays alone still airs.
        let only = "[[part]]\nrelay = \"http://radio.example.vn/live\"\nminutes = 5\nfallback = \"Nhạc hiệu\"\n";
        assert_eq!(day_plan(slot, only, &[]).cues.len(), 1);
    }

    #[test]
    fn a_relay_inside_quiet_hours_is_held_and_a_missing_fallback_is_a_warning() {
        let slot = "[[slot]]\nname = \"khuya\"\ntime = \"21:20\"\nplaylist = \"p\"\n";
        let playlist = "[[part]]\nrelay = \"http://radio.example.vn/live\"\nminutes = 30\nfallback = \"Không có\"\n";
        let plan = day_plan(slot, playlist, &[]);
        assert!(plan.cues.is_empty());
        assert_eq!(plan.left_out[0].item_id, None);
        assert!(plan.left_out[0].reason.contains("21:30–05:30"));
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.vi().contains("«Không có»") && w.en().contains("silent")),
            "{:?}",
            plan.warnings
        );
    }
}
