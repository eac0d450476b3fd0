//! Programme files: arbitrary and mutated schedules and playlists load with problems a person
//! can act on and plan without a panic; well-formed ones come back as they were written.

use super::*;

/// Write `schedules` and `playlists` (name → text) to a fresh folder pair and load them.
fn load_programme(
    schedules: &[(&str, &str)],
    playlists: &[(&str, &str)],
) -> (files::Programme, Vec<config::Problem>, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let (s, p) = (d.path().join("schedules"), d.path().join("playlists"));
    std::fs::create_dir_all(&s).unwrap();
    std::fs::create_dir_all(&p).unwrap();
    for (name, text) in schedules {
        std::fs::write(s.join(name), text).unwrap();
    }
    for (name, text) in playlists {
        std::fs::write(p.join(name), text).unwrap();
    }
    let (programme, problems) = files::load(&s, &p);
    (programme, problems, d)
}

/// Problems a person can act on, and a programme that only refers to what it holds.
fn check_loaded(
    programme: &files::Programme,
    problems: &[config::Problem],
    texts: &BTreeMap<String, String>,
) -> Result<(), TestCaseError> {
    for p in problems {
        prop_assert!(
            !p.message.to_string().trim().is_empty(),
            "empty message: {p:?}"
        );
        prop_assert!(!p.fix.to_string().trim().is_empty(), "no fix: {p:?}");
        prop_assert!(!p.file.is_empty(), "no file: {p:?}");
        prop_assert!(!p.to_string().is_empty());
        if let Some(line) = p.line {
            let name = Path::new(&p.file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(text) = texts.get(&name) {
                let lines = text.split('\n').count();
                prop_assert!(
                    line >= 1 && line <= lines,
                    "{p:?}: the file has {lines} lines"
                );
            }
        }
    }
    for slot in &programme.slots {
        prop_assert!(
            programme.playlists.contains_key(&slot.playlist),
            "slot {} names a missing playlist {}",
            slot.name,
            slot.playlist
        );
        for h in &slot.holidays {
            prop_assert!(
                programme.holidays.contains_key(h),
                "slot {} names a missing holiday {h}",
                slot.name
            );
        }
    }
    Ok(())
}

/// Plan a few days with what loaded: the planner must take any programme the loader gives it.
fn plan_some_days(programme: &files::Programme, year: i32, day: u32) {
    let from = VN
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
        + chrono::Duration::days(i64::from(day));
    let plan = loaxa::schedule::plan(
        programme,
        &[],
        &[],
        from,
        from + chrono::Duration::days(3),
        VN,
    );
    for cue in &plan.cues {
        assert!(cue.start >= from);
    }
    for h in programme.holidays.values() {
        let _ = h.days_in_year(year);
    }
}

pub(super) fn shipped_texts(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(repo(dir))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

pub(super) fn shipped_tokens() -> Vec<String> {
    let mut t: Vec<String> = shipped_texts("schedules")
        .into_iter()
        .chain(shipped_texts("playlists"))
        .flat_map(|(_, text)| text.lines().map(String::from).collect::<Vec<_>>())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A model of well-formed programme files, to write out and expect back.
#[derive(Debug, Clone)]
struct PlaylistModel {
    title: Option<String>,
    max_minutes: Option<u32>,
    overflow: Option<&'static str>,
    parts: Vec<PartModel>,
}

#[derive(Debug, Clone)]
enum PartModel {
    Jingle(String),
    Items {
        category: Category,
        tier: Option<Tier>,
        holidays_only: bool,
        newest_first: Option<bool>,
        limit: Option<usize>,
    },
}

#[derive(Debug, Clone)]
enum WhenModel {
    Daily(u32, u32, Option<Vec<&'static str>>),
    Cron(String),
    Once(NaiveDateTime),
}

#[derive(Debug, Clone)]
struct SlotModel {
    title: Option<String>,
    when: WhenModel,
    playlist: usize,
    zones: Vec<String>,
    holidays: Vec<usize>,
}

#[derive(Debug, Clone)]
struct HolidayModel {
    title: String,
    date: HolidayDate,
    offset_days: i32,
    days: u32,
    greeting: bool,
}

fn part_model() -> impl Strategy<Value = PartModel> {
    prop_oneof![
        plain_text(20).prop_map(PartModel::Jingle),
        (
            proptest::sample::select(Category::ALL.to_vec()),
            proptest::option::of(proptest::sample::select(Tier::ALL.to_vec())),
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(0usize..1000),
        )
            .prop_map(|(category, tier, holidays_only, newest_first, limit)| {
                PartModel::Items {
                    category,
                    tier,
                    holidays_only,
                    newest_first,
                    limit,
                }
            }),
    ]
}

fn playlist_model() -> impl Strategy<Value = PlaylistModel> {
    (
        proptest::option::of(plain_text(30)),
        proptest::option::of(0u32..600),
        proptest::option::of(proptest::sample::select(vec!["drop", "extend"])),
        prop::collection::vec(part_model(), 0..5),
    )
        .prop_map(|(title, max_minutes, overflow, parts)| PlaylistModel {
            title,
            max_minutes,
            overflow,
            parts,
        })
}

const DAYS: &[&str] = &[
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "t2", "t3", "t4", "t5", "t6", "t7", "cn",
    "MON", "Cn",
];

fn when_model() -> impl Strategy<Value = WhenModel> {
    prop_oneof![
        (
            0u32..24,
            0u32..60,
            proptest::option::of(prop::collection::vec(proptest::sample::select(DAYS), 1..5))
        )
            .prop_map(|(h, m, d)| WhenModel::Daily(h, m, d)),
        prop_oneof![
            (0u32..60, 0u32..24, 0u32..7).prop_map(|(m, h, d)| format!("{m} {h} * * {d}")),
            (1u32..60, 0u32..12).prop_map(|(s, h)| format!("*/{s} {h}-{} * * *", h + 6)),
            (0u32..60, 1u32..29, 1u32..13).prop_map(|(m, d, mo)| format!("{m} 6 {d} {mo} *")),
            proptest::sample::select(vec![
                "0 7 * * 6",
                "30 6 1 * *",
                "0 0 29 2 *",
                "0 12 * * 1-5"
            ])
            .prop_map(String::from),
        ]
        .prop_map(WhenModel::Cron),
        (2000i32..2100, 1u32..=366, 0u32..24, 0u32..60).prop_map(|(y, doy, h, m)| {
            let d = NaiveDate::from_yo_opt(y, doy)
                .or_else(|| NaiveDate::from_yo_opt(y, 365))
                .unwrap();
            WhenModel::Once(d.and_hms_opt(h, m, 0).unwrap())
        }),
    ]
}

fn holiday_model() -> impl Strategy<Value = HolidayModel> {
    let solar = (1u32..=12, 1u32..=31).prop_filter_map("a real month-day", |(m, d)| {
        NaiveDate::from_ymd_opt(2024, m, d).map(|_| HolidayDate::Solar { month: m, day: d })
    });
    let lunar = (1u8..=12, 1u8..=30).prop_map(|(month, day)| HolidayDate::Lunar { month, day });
    (
        plain_text(30),
        prop_oneof![solar, lunar],
        -60i32..=60,
        1u32..=30,
        any::<bool>(),
    )
        .prop_map(|(title, date, offset_days, days, greeting)| HolidayModel {
            title,
            date,
            offset_days,
            days,
            greeting,
        })
}

#[derive(Debug, Clone)]
struct ProgrammeModel {
    playlists: Vec<PlaylistModel>,
    holidays: Vec<HolidayModel>,
    slots: Vec<SlotModel>,
}

fn programme_model() -> impl Strategy<Value = ProgrammeModel> {
    (
        prop::collection::vec(playlist_model(), 1..4),
        prop::collection::vec(holiday_model(), 0..4),
        prop::collection::vec(
            (
                proptest::option::of(plain_text(30)),
                when_model(),
                any::<usize>(),
                prop::collection::vec(plain_text(10), 0..3),
                prop::collection::vec(any::<usize>(), 0..2),
            ),
            0..6,
        ),
    )
        .prop_map(|(playlists, holidays, raw_slots)| {
            let slots = raw_slots
                .into_iter()
                .map(|(title, when, playlist, zones, hs)| SlotModel {
                    title,
                    playlist: playlist % playlists.len(),
                    // Only recurring slots may be tied to holidays.
                    holidays: if holidays.is_empty() || matches!(when, WhenModel::Once(_)) {
                        Vec::new()
                    } else {
                        hs.into_iter().map(|h| h % holidays.len()).collect()
                    },
                    when,
                    zones,
                })
                .collect();
            ProgrammeModel {
                playlists,
                holidays,
                slots,
            }
        })
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn q_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

impl ProgrammeModel {
    fn playlist_name(i: usize) -> String {
        format!("pl-{i}")
    }
    fn holiday_name(i: usize) -> String {
        format!("le-{i}")
    }
    fn slot_name(i: usize) -> String {
        format!("buoi-{i}")
    }

    fn playlist_toml(p: &PlaylistModel) -> String {
        let mut t = String::new();
        if let Some(title) = &p.title {
            t += &format!("title = {}\n", q(title));
        }
        if let Some(m) = p.max_minutes {
            t += &format!("max_minutes = {m}\n");
        }
        if let Some(o) = p.overflow {
            t += &format!("overflow = \"{o}\"\n");
        }
        for part in &p.parts {
            t += "\n[[part]]\n";
            match part {
                PartModel::Jingle(j) => t += &format!("jingle = {}\n", q(j)),
                PartModel::Items {
                    category,
                    tier,
                    holidays_only,
                    newest_first,
                    limit,
                } => {
                    t += &format!("category = \"{category}\"\n");
                    if let Some(tier) = tier {
                        t += &format!("tier = \"{}\"\n", tier.as_str());
                    }
                    if *holidays_only {
                        t += "holidays_only = true\n";
                    }
                    if let Some(n) = newest_first {
                        t += &format!("order = \"{}\"\n", if *n { "newest" } else { "oldest" });
                    }
                    if let Some(l) = limit {
                        t += &format!("limit = {l}\n");
                    }
                }
            }
        }
        t
    }

    fn schedule_toml(&self) -> String {
        let mut t = String::from("# sinh tự động / generated\n");
        for (i, h) in self.holidays.iter().enumerate() {
            t += &format!(
                "\n[[holiday]]\nname = \"{}\"\ntitle = {}\n",
                Self::holiday_name(i),
                q(&h.title)
            );
            match h.date {
                HolidayDate::Solar { month, day } => {
                    t += &format!("solar = \"{month:02}-{day:02}\"\n")
                }
                HolidayDate::Lunar { month, day } => {
                    t += &format!("lunar = \"{month:02}-{day:02}\"\n")
                }
            }
            t += &format!(
                "offset_days = {}\ndays = {}\ngreeting = {}\n",
                h.offset_days, h.days, h.greeting
            );
        }
        for (i, s) in self.slots.iter().enumerate() {
            let table = if matches!(s.when, WhenModel::Once(_)) {
                "once"
            } else {
                "slot"
            };
            t += &format!("\n[[{table}]]\nname = \"{}\"\n", Self::slot_name(i));
            if let Some(title) = &s.title {
                t += &format!("title = {}\n", q(title));
            }
            match &s.when {
                WhenModel::Daily(h, m, days) => {
                    t += &format!("time = \"{h:02}:{m:02}\"\n");
                    if let Some(d) = days {
                        let d: Vec<String> = d.iter().map(|s| s.to_string()).collect();
                        t += &format!("days = {}\n", q_list(&d));
                    }
                }
                WhenModel::Cron(c) => t += &format!("cron = {}\n", q(c)),
                WhenModel::Once(at) => t += &format!("at = \"{}\"\n", at.format("%Y-%m-%d %H:%M")),
            }
            t += &format!("playlist = \"{}\"\n", Self::playlist_name(s.playlist));
            if !s.zones.is_empty() {
                t += &format!("zones = {}\n", q_list(&s.zones));
            }
            if !s.holidays.is_empty() {
                let hs: Vec<String> = s.holidays.iter().map(|h| Self::holiday_name(*h)).collect();
                t += &format!("holidays = {}\n", q_list(&hs));
            }
        }
        t
    }

    fn expected_playlist(i: usize, p: &PlaylistModel) -> Playlist {
        let name = Self::playlist_name(i);
        Playlist {
            title: p.title.clone().unwrap_or_else(|| name.clone()),
            name,
            max_minutes: p.max_minutes.filter(|m| *m > 0),
            overflow: if p.overflow == Some("extend") {
                Overflow::Extend
            } else {
                Overflow::Drop
            },
            parts: p
                .parts
                .iter()
                .map(|part| match part {
                    PartModel::Jingle(j) => Part::Jingle(j.clone()),
                    PartModel::Items {
                        category,
                        tier,
                        holidays_only,
                        newest_first,
                        limit,
                    } => Part::Items {
                        category: *category,
                        tier: *tier,
                        holidays_only: *holidays_only,
                        newest_first: newest_first.unwrap_or(false),
                        limit: *limit,
                    },
                })
                .collect(),
        }
    }
}

fn weekday_of(s: &str) -> Weekday {
    match s.to_lowercase().as_str() {
        "mon" | "t2" => Weekday::Mon,
        "tue" | "t3" => Weekday::Tue,
        "wed" | "t4" => Weekday::Wed,
        "thu" | "t5" => Weekday::Thu,
        "fri" | "t6" => Weekday::Fri,
        "sat" | "t7" => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

proptest! {
    #![proptest_config(pt(200))]

    /// Well-formed programme files load to exactly what they say, with no problem but the
    /// overlap warnings, and plan without trouble.
    #[test]
    fn programme_files_round_trip(model in programme_model(), year in 2000i32..2100, day in 0u32..365) {
        let schedule = model.schedule_toml();
        let playlists: Vec<(String, String)> = model
            .playlists
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{}.toml", ProgrammeModel::playlist_name(i)), ProgrammeModel::playlist_toml(p)))
            .collect();
        let pl: Vec<(&str, &str)> = playlists.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (programme, problems, _dir) = load_programme(&[("lich.toml", &schedule)], &pl);
        let real: Vec<_> = problems.iter().filter(|p| !p.message.to_string().contains("overlap")).collect();
        prop_assert!(real.is_empty(), "{real:#?}\n{schedule}");

        for (i, p) in model.playlists.iter().enumerate() {
            let want = ProgrammeModel::expected_playlist(i, p);
            prop_assert_eq!(programme.playlists.get(&want.name), Some(&want));
        }
        for (i, h) in model.holidays.iter().enumerate() {
            let want = Holiday {
                name: ProgrammeModel::holiday_name(i),
                title: h.title.clone(),
                date: h.date,
                offset_days: h.offset_days,
                days: h.days,
                greeting: h.greeting,
            };
            prop_assert_eq!(programme.holidays.get(&want.name), Some(&want));
        }
        prop_assert_eq!(programme.slots.len(), model.slots.len());
        for (i, s) in model.slots.iter().enumerate() {
            let name = ProgrammeModel::slot_name(i);
            let got = programme.slots.iter().find(|x| x.name == name).unwrap();
            prop_assert_eq!(&got.title, s.title.as_ref().unwrap_or(&name));
            prop_assert_eq!(&got.playlist, &ProgrammeModel::playlist_name(s.playlist));
            prop_assert_eq!(&got.zones, &s.zones);
            let hs: Vec<String> = s.holidays.iter().map(|h| ProgrammeModel::holiday_name(*h)).collect();
            prop_assert_eq!(&got.holidays, &hs);
            match (&s.when, &got.when) {
                (WhenModel::Daily(h, m, days), When::Daily { time, days: got_days }) => {
                    prop_assert_eq!(*time, NaiveTime::from_hms_opt(*h, *m, 0).unwrap());
                    let want: Vec<Weekday> = match days {
                        Some(d) => d.iter().map(|d| weekday_of(d)).collect(),
                        None => vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun],
                    };
                    prop_assert_eq!(got_days, &want);
                }
                (WhenModel::Cron(_), When::Cron(_)) => {}
                (WhenModel::Once(at), When::Once(got_at)) => prop_assert_eq!(at, got_at),
                (a, b) => prop_assert!(false, "{a:?} loaded as {b:?}"),
            }
        }
        let texts: BTreeMap<String, String> = std::iter::once(("lich.toml".to_string(), schedule.clone()))
            .chain(playlists.iter().cloned())
            .collect();
        check_loaded(&programme, &problems, &texts)?;
        plan_some_days(&programme, year, day);
    }

    /// The shipped programme files, edited line by line (deleted, duplicated, swapped,
    /// replaced, cut short): never a panic, problems with a file, a line inside it and a fix,
    /// and the rest of the programme still consistent and plannable.
    #[test]
    fn mutated_programme_files_are_reported_not_fatal(
        which in any::<usize>(),
        edits in prop::collection::vec(edit(shipped_tokens()), 1..6),
        year in 1990i32..2110,
        day in 0u32..365,
    ) {
        let schedules = shipped_texts("schedules");
        let playlists = shipped_texts("playlists");
        let total = schedules.len() + playlists.len();
        let target = which % total;
        let mut all: Vec<(String, String)> = schedules.iter().chain(playlists.iter()).cloned().collect();
        all[target].1 = apply_edits(&all[target].1, &edits);
        let (s, p) = all.split_at(schedules.len());
        let s: Vec<(&str, &str)> = s.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let p: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (programme, problems, _dir) = load_programme(&s, &p);
        check_loaded(&programme, &problems, &all.iter().cloned().collect())?;
        plan_some_days(&programme, year, day);
    }

    /// Documents assembled from the files' own grammar with wrong, huge and odd values.
    #[test]
    fn grammar_fuzzed_programme_files_are_reported_not_fatal(
        schedule in prop::collection::vec(programme_line(), 0..40),
        playlist in prop::collection::vec(programme_line(), 0..20),
        year in 1990i32..2110,
        day in 0u32..365,
    ) {
        let schedule = schedule.join("\n");
        let playlist = playlist.join("\n");
        let shipped = shipped_texts("playlists");
        let mut pls: Vec<(&str, &str)> = shipped.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        pls.push(("p.toml", &playlist));
        let (programme, problems, _dir) = load_programme(&[("a.toml", &schedule)], &pls);
        let texts: BTreeMap<String, String> = [("a.toml".to_string(), schedule.clone()), ("p.toml".to_string(), playlist.clone())]
            .into_iter()
            .chain(shipped.iter().cloned())
            .collect();
        check_loaded(&programme, &problems, &texts)?;
        plan_some_days(&programme, year, day);
    }

    /// Any bytes at all as programme files.
    #[test]
    fn arbitrary_programme_files_are_reported_not_fatal(a in odd_string(200), b in odd_string(200)) {
        let (programme, problems, _dir) = load_programme(&[("a.toml", &a)], &[("b.toml", &b)]);
        let texts: BTreeMap<String, String> = [("a.toml".to_string(), a.clone()), ("b.toml".to_string(), b.clone())].into_iter().collect();
        check_loaded(&programme, &problems, &texts)?;
    }

    /// Holidays' dates in any year the calendar supports (and a margin) never panic.
    #[test]
    fn holiday_dates_in_any_year(h in holiday_model(), year in 1800i32..2300) {
        let holiday = Holiday { name: "x".into(), title: h.title, date: h.date, offset_days: h.offset_days, days: h.days, greeting: h.greeting };
        let days = holiday.days_in_year(year);
        prop_assert!(days.len() <= 30);
    }
}
