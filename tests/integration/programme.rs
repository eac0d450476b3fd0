//! The programme: the shipped files, the plan over real holidays, and the runner airing a week
//! on a simulated clock through the real player, with restarts, late starts and bad clocks.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh as VN;
use loaxa::accounts;
use loaxa::audio::player::OutputOptions;
use loaxa::audio::{AudioFormat, Player};
use loaxa::clock::{Clock, SimClock};
use loaxa::config::LoudnessPolicy;
use loaxa::config::OutputSpec;
use loaxa::media::MediaLibrary;
use loaxa::media::library::ImportRequest;
use loaxa::model::Category;
use loaxa::model::Role;
use loaxa::model::asrun::Outcome;
use loaxa::model::{NewItem, Placement, Tier};
use loaxa::review::{self, Action, Items};
use loaxa::schedule::Timetable;
use loaxa::schedule::files::{self, Programme};
use loaxa::schedule::plan::{Content, holidays_between};
use loaxa::schedule::runner::{Runner, RunnerOptions, TimeSync, TrustedTime};
use loaxa::schedule::{Plan, plan_from_store};
use loaxa::store::asrun;
use loaxa::store::{Store, users};

use crate::common::{fixture, read_wav};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn shipped() -> Programme {
    let (p, problems) = files::load(&repo("schedules"), &repo("playlists"));
    assert!(problems.is_empty(), "{problems:#?}");
    p
}

/// The example programme before it relayed VOV: sessions at 06:00 and 17:00 every day, of
/// jingles and items (tests/fixtures/README.md), for the tests that air weeks on the simulated
/// clock or count a year's cues.
fn basic() -> Programme {
    let dir = repo("tests/fixtures/programme");
    let (p, problems) = files::load(&dir.join("schedules"), &dir.join("playlists"));
    assert!(problems.is_empty(), "{problems:#?}");
    p
}

pub(crate) fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    VN.with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A station: store, library with the two jingles, an editor and an approver.
pub(crate) struct Station {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) store: Store,
    pub(crate) library: MediaLibrary,
    editor: loaxa::model::User,
    leader: loaxa::model::User,
}

impl Station {
    pub(crate) fn new() -> Station {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("loaxa.sqlite3")).unwrap();
        let library = MediaLibrary::new(dir.path(), store.clone(), LoudnessPolicy::default());
        for (file, title) in [
            ("pcm-s24.wav", "Nhạc hiệu Đài truyền thanh xã"),
            ("pcm-f32.wav", "Chuông báo"),
        ] {
            let req = ImportRequest {
                original_name: file.into(),
                title: Some(title.into()),
                category: Category::Jingle,
                actor: "test".into(),
            };
            library.import_file(&fixture(file), &req).unwrap();
        }
        let hash = accounts::hash_password("mật khẩu đủ dài").unwrap();
        let (editor, leader) = store
            .with(|c| {
                let tx = c.transaction()?;
                let e = users::insert(&tx, "bien-tap", "Biên tập", Role::Editor, &hash)?;
                let l = users::insert(&tx, "chu-tich", "Chủ tịch", Role::Approver, &hash)?;
                tx.commit()?;
                Ok((users::get(c, e)?.unwrap(), users::get(c, l)?.unwrap()))
            })
            .unwrap();
        Station {
            dir,
            store,
            library,
            editor,
            leader,
        }
    }

    /// An approved item made from a fixture.
    fn approved(
        &self,
        file: &str,
        title: &str,
        category: Category,
        tier: Tier,
        from: NaiveDate,
        until: NaiveDate,
    ) -> i64 {
        self.approved_file(&fixture(file), title, category, tier, from, until)
    }

    /// An approved item made from the recording at `path`.
    pub(crate) fn approved_file(
        &self,
        path: &Path,
        title: &str,
        category: Category,
        tier: Tier,
        from: NaiveDate,
        until: NaiveDate,
    ) -> i64 {
        let req = ImportRequest {
            original_name: path.file_name().unwrap().to_string_lossy().into_owned(),
            title: Some(title.into()),
            category,
            actor: "test".into(),
        };
        let media = self.library.import_file(path, &req).unwrap().media;
        let new = NewItem {
            media_id: media.id,
            title: title.into(),
            category,
            placement: Placement {
                tier,
                air_from: Some(from),
                air_until: Some(until),
                slots: vec![],
                zones: vec![],
            },
        };
        let (editor, leader) = (self.editor.clone(), self.leader.clone());
        self.store
            .with(|c| {
                let item = review::create::<Items>(c, &new, &editor, &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Submit, Some(&editor), &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Approve, Some(&leader), &()).unwrap();
                Ok(item.id)
            })
            .unwrap()
    }

    fn plan(&self, programme: &Programme, from: DateTime<Utc>, to: DateTime<Utc>) -> Plan {
        self.store
            .with(|c| Ok(plan_from_store(c, programme, from, to, VN)?))
            .unwrap()
    }

    fn asrun(&self) -> Vec<loaxa::model::asrun::Entry> {
        self.store
            .with(|c| {
                Ok(asrun::between(
                    c,
                    local(2000, 1, 1, 0, 0),
                    local(2100, 1, 1, 0, 0),
                )?)
            })
            .unwrap()
    }

    fn runner(
        &self,
        clock: Arc<SimClock>,
        programme: Programme,
        sync: Box<dyn TimeSync>,
        out: Option<&Path>,
    ) -> (Runner, Arc<Player>) {
        self.runner_on(clock, programme, sync, out)
    }

    /// A runner and its player on any clock (a real one for relays).
    pub(crate) fn runner_on(
        &self,
        clock: Arc<dyn Clock>,
        programme: Programme,
        sync: Box<dyn TimeSync>,
        out: Option<&Path>,
    ) -> (Runner, Arc<Player>) {
        let spec = out.map_or(OutputSpec::Null, |p| OutputSpec::Wav(p.to_path_buf()));
        let player = Arc::new(
            Player::spawn(OutputOptions::new(
                spec,
                AudioFormat {
                    sample_rate: 48_000,
                    channels: 1,
                },
                clock.clone(),
            ))
            .unwrap(),
        );
        let options = RunnerOptions {
            grace: Duration::from_secs(600),
            preroll: Duration::from_secs(3),
            require_time_sync: true,
            ceiling_dbtp: -1.0,
            master_gain_db: 0.0,
            data_dir: self.dir.path().to_path_buf(),
        };
        let runner = Runner::spawn(
            self.store.clone(),
            player.clone(),
            clock,
            Timetable::fixed(programme, VN),
            options,
            sync,
        )
        .unwrap();
        (runner, player)
    }

    /// Wait (real time) until `done` holds for the as-run log, or fail after `secs`.
    pub(crate) fn wait_for(
        &self,
        secs: u64,
        what: &str,
        done: impl Fn(&[loaxa::model::asrun::Entry]) -> bool,
    ) -> Vec<loaxa::model::asrun::Entry> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let log = self.asrun();
            if done(&log) {
                return log;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}: {log:#?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn shipped_programme_files_are_valid() {
    let p = shipped();
    assert!(p.slots.len() >= 3);
    for name in [
        "tet-duong-lich",
        "tet-nguyen-dan",
        "giao-thua",
        "gio-to-hung-vuong",
        "giai-phong-mien-nam",
        "quoc-te-lao-dong",
        "sinh-nhat-bac",
        "quoc-khanh",
        "thanh-lap-dang",
    ] {
        assert!(p.holidays.contains_key(name), "missing {name}");
    }
}

/// The shipped sessions in the usual order: VOV1, the provincial station, then the commune's
/// own, Monday to Saturday at 05:30 and 17:00 (after the quiet hours 21:30–05:30), each relay
/// with a demo jingle to fall back on; the New Year's Eve greeting at 21:00, 6 dB quieter.
#[test]
fn the_shipped_sessions_relay_vov_then_the_province_then_air_the_communes_own() {
    let s = Station::new();
    let p = shipped();
    assert_eq!(
        p.quiet
            .hours
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["21:30–05:30"]
    );
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin xã",
        Category::Bulletin,
        Tier::Normal,
        d(1, 1),
        d(12, 31),
    );
    s.approved(
        "loi-chuc.m4a",
        "Lời chúc Tết",
        Category::Greeting,
        Tier::Normal,
        d(2, 1),
        d(2, 10),
    );
    // Monday 1 March 2027.
    let plan = s.plan(&p, local(2027, 3, 1, 0, 0), local(2027, 3, 2, 0, 0));
    let morning: Vec<&loaxa::schedule::Cue> =
        plan.cues.iter().filter(|c| c.slot == "sang").collect();
    let titles: Vec<&str> = morning.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "VOV1 — Đài Tiếng nói Việt Nam",
            "Đài Phát thanh và Truyền hình tỉnh",
            "Nhạc hiệu Đài truyền thanh xã",
            "Bản tin xã",
            "Chuông báo"
        ]
    );
    assert_eq!(morning[0].start, local(2027, 3, 1, 5, 30));
    let Content::Stream {
        until, fallback, ..
    } = &morning[0].content
    else {
        panic!("{:?}", morning[0])
    };
    assert_eq!((*until, fallback.len()), (local(2027, 3, 1, 5, 45), 1));
    let Content::Stream {
        until, fallback, ..
    } = &morning[1].content
    else {
        panic!("{:?}", morning[1])
    };
    assert_eq!(
        (*until, fallback.len()),
        (local(2027, 3, 1, 5, 55), 2),
        "every demo jingle"
    );
    assert_eq!(
        morning[2].start,
        local(2027, 3, 1, 5, 55),
        "the commune's own at the relay's end"
    );
    assert!(
        plan.cues
            .iter()
            .any(|c| c.slot == "chieu" && c.start == local(2027, 3, 1, 17, 0))
    );
    assert!(plan.left_out.is_empty() && plan.cues.iter().all(|c| c.volume_db == 0.0));
    // Sunday 7 March: no session.
    let sunday = s.plan(&p, local(2027, 3, 7, 0, 0), local(2027, 3, 8, 0, 0));
    assert!(
        sunday
            .cues
            .iter()
            .all(|c| c.slot != "sang" && c.slot != "chieu")
    );
    // Giao thừa (5 February 2027) at 21:00, after 21:00 6 dB quieter.
    let eve = s.plan(&p, local(2027, 2, 5, 20, 0), local(2027, 2, 5, 22, 0));
    let greeting = eve
        .cues
        .iter()
        .find(|c| c.title == "Lời chúc Tết")
        .expect("the greeting");
    assert_eq!(
        (greeting.slot.as_str(), greeting.volume_db),
        ("giao-thua", -6.0)
    );
}

#[test]
fn tet_and_national_day_fall_on_the_right_days() {
    let p = shipped();
    // Vietnamese Tết (lunar 1/1 at UTC+7) and Giao thừa the evening before.
    for (year, tet) in [
        (2027, (2, 6)),
        (2028, (1, 26)),
        (2029, (2, 13)),
        (2030, (2, 2)),
        (2031, (1, 23)),
    ] {
        let day = NaiveDate::from_ymd_opt(year, tet.0, tet.1).unwrap();
        let map = holidays_between(
            &p,
            day - chrono::Duration::days(1),
            day + chrono::Duration::days(3),
        );
        let names = |d: NaiveDate| {
            map.get(&d)
                .map(|v| v.iter().map(|h| h.name.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(
            names(day - chrono::Duration::days(1)),
            ["giao-thua"],
            "{year}"
        );
        for i in 0..3 {
            assert!(
                names(day + chrono::Duration::days(i)).contains(&"tet-nguyen-dan".to_string()),
                "{year} day {i}"
            );
        }
        assert!(names(day + chrono::Duration::days(3)).is_empty());
    }
    let map = holidays_between(
        &p,
        NaiveDate::from_ymd_opt(2027, 9, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 9, 4).unwrap(),
    );
    assert!(map.contains_key(&NaiveDate::from_ymd_opt(2027, 9, 2).unwrap()));
    assert!(map.contains_key(&NaiveDate::from_ymd_opt(2027, 9, 3).unwrap()));
    assert!(!map.contains_key(&NaiveDate::from_ymd_opt(2027, 9, 1).unwrap()));
}

#[test]
fn the_greeting_airs_on_the_holiday_and_priority_goes_first() {
    let s = Station::new();
    let p = basic();
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    let greeting = s.approved(
        "loi-chuc.m4a",
        "Lời chúc Tết của Chủ tịch",
        Category::Greeting,
        Tier::Normal,
        d(2, 1),
        d(2, 10),
    );
    let normal = s.approved(
        "ban-tin.mp3",
        "Bản tin thường",
        Category::Bulletin,
        Tier::Normal,
        d(2, 1),
        d(2, 10),
    );
    let urgent = s.approved(
        "canh-bao.ogg",
        "Bản tin ưu tiên",
        Category::Bulletin,
        Tier::Priority,
        d(2, 1),
        d(2, 10),
    );
    let plan = s.plan(&p, local(2027, 2, 4, 0, 0), local(2027, 2, 8, 0, 0));
    let in_slot = |day: u32, hour: u32| -> Vec<String> {
        plan.cues
            .iter()
            .filter(|c| c.slot_start == local(2027, 2, day, hour, 0))
            .map(|c| c.title.clone())
            .collect()
    };
    // 4 February is an ordinary day: no greeting; priority before normal, between jingles.
    assert_eq!(
        in_slot(4, 6),
        [
            "Nhạc hiệu Đài truyền thanh xã",
            "Bản tin ưu tiên",
            "Bản tin thường",
            "Chuông báo"
        ]
    );
    // Tết (6 February 2027): the greeting opens the session.
    assert_eq!(in_slot(6, 17)[1], "Lời chúc Tết của Chủ tịch");
    // Giao thừa, 5 February at 23:50: the New Year slot airs the greeting.
    let eve: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| c.slot == "giao-thua")
        .map(|c| &c.content)
        .collect();
    assert!(
        eve.iter()
            .any(|c| matches!(c, Content::Item { item_id, .. } if *item_id == greeting)),
        "{eve:?}"
    );
    assert_eq!(
        plan.cues.iter().filter(|c| c.slot == "giao-thua").count(),
        2
    );
    // Cues in a slot follow each other without gaps.
    let morning: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| c.slot_start == local(2027, 2, 4, 6, 0))
        .collect();
    for pair in morning.windows(2) {
        assert_eq!(
            pair[1].start,
            pair[0].start + chrono::Duration::milliseconds(pair[0].length_ms as i64)
        );
    }
    let _ = (normal, urgent);
}

#[test]
fn an_item_that_does_not_fit_says_so() {
    let s = Station::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("s")).unwrap();
    std::fs::create_dir_all(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("s/a.toml"),
        "[[slot]]\nname = \"ngan\"\ntime = \"07:00\"\nplaylist = \"ngan\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p/ngan.toml"),
        "max_minutes = 1\n[[part]]\ncategory = \"bulletin\"\n",
    )
    .unwrap();
    let (p, problems) = files::load(&dir.path().join("s"), &dir.path().join("p"));
    assert!(problems.is_empty(), "{problems:?}");
    let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    // Sixteen 4-second items fit in a minute; the seventeenth does not.
    for i in 0..17 {
        s.approved(
            if i % 2 == 0 {
                "ban-tin.mp3"
            } else {
                "canh-bao.ogg"
            },
            &format!("Bản tin {i}"),
            Category::Bulletin,
            Tier::Normal,
            d,
            d,
        );
    }
    let plan = s.plan(&p, local(2027, 3, 1, 0, 0), local(2027, 3, 2, 0, 0));
    assert!(
        plan.cues.len() >= 14 && plan.cues.len() < 17,
        "{}",
        plan.cues.len()
    );
    assert!(!plan.left_out.is_empty());
    assert!(plan.left_out[0].reason.contains("no room"));
}

#[test]
fn planning_a_year_is_quick_enough_to_do_anytime() {
    let s = Station::new();
    let p = basic();
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    for i in 0..20 {
        s.approved(
            "ban-tin.mp3",
            &format!("Bản tin {i}"),
            Category::Bulletin,
            Tier::Normal,
            d(1, 1),
            d(12, 31),
        );
    }
    let plan = s.plan(&p, local(2027, 1, 1, 0, 0), local(2028, 1, 1, 0, 0));
    // Two daily sessions every day of the year, each with all 20 bulletins.
    assert!(plan.cues.len() > 365 * 2 * 20, "{}", plan.cues.len());
}

/// A week of programme airs through the real player on a simulated clock (in seconds),
/// and the as-run log says exactly what the plan said.
#[test]
fn a_week_airs_as_planned_on_a_fast_clock() {
    let s = Station::new();
    let p = basic();
    let d = |day| NaiveDate::from_ymd_opt(2027, 3, day).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin tuần",
        Category::Bulletin,
        Tier::Normal,
        d(1),
        d(7),
    );
    s.approved(
        "canh-bao.ogg",
        "Thông báo tiêm phòng",
        Category::Notice,
        Tier::Priority,
        d(3),
        d(5),
    );
    let (from, to) = (local(2027, 3, 1, 0, 0), local(2027, 3, 8, 0, 0));
    let plan = s.plan(&p, from, to);
    assert!(plan.cues.len() >= 14 * 3, "{}", plan.cues.len());
    let clock = Arc::new(SimClock::starting_at(from));
    let (runner, _player) = s.runner(clock.clone(), p, Box::new(TrustedTime), None);
    let log = s.wait_for(60, "the week to air", |log| {
        log.iter()
            .filter(|e| e.outcome == Outcome::Completed && e.planned_at.is_some_and(|t| t < to))
            .count()
            >= plan.cues.len()
    });
    drop(runner);
    for cue in &plan.cues {
        let e = log
            .iter()
            .find(|e| e.cue_key.as_deref() == Some(cue.key.as_str()))
            .unwrap_or_else(|| panic!("{} not in the as-run log", cue.key));
        assert_eq!(e.outcome, Outcome::Completed, "{}", cue.key);
        let first = e.first_sample_at.unwrap();
        let drift = (first - cue.start).num_milliseconds().abs();
        assert!(
            drift <= 25,
            "{}: first sample {first} vs planned {} ({drift} ms)",
            cue.key,
            cue.start
        );
    }
}

/// The shipped daily playlist in a single 06:00 slot.
fn morning_only() -> Programme {
    let dir = tempfile::tempdir().unwrap();
    let (sched, lists) = (dir.path().join("s"), dir.path().join("p"));
    std::fs::create_dir_all(&sched).unwrap();
    std::fs::create_dir_all(&lists).unwrap();
    std::fs::write(
        sched.join("a.toml"),
        "[[slot]]\nname = \"sang\"\ntime = \"06:00\"\nplaylist = \"thuong-ngay\"\n",
    )
    .unwrap();
    std::fs::copy(
        repo("playlists/thuong-ngay.toml"),
        lists.join("thuong-ngay.toml"),
    )
    .unwrap();
    let (p, problems) = files::load(&sched, &lists);
    assert!(problems.is_empty(), "{problems:?}");
    p
}

#[test]
fn after_a_restart_nothing_airs_twice_and_the_slot_goes_on() {
    let s = Station::new();
    let p = morning_only();
    let d = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin một",
        Category::Bulletin,
        Tier::Normal,
        d,
        d,
    );
    s.approved(
        "canh-bao.ogg",
        "Bản tin hai",
        Category::Bulletin,
        Tier::Normal,
        d,
        d,
    );
    let slot = local(2027, 3, 2, 6, 0);
    let plan = s.plan(&p, slot, slot + chrono::Duration::hours(1));
    assert_eq!(plan.cues.len(), 4, "station ID, two bulletins, chime");
    // Before the "crash": the station ID aired, the first bulletin was on air.
    s.store
        .with(|c| {
            for (cue, outcome) in plan.cues.iter().zip([Outcome::Completed, Outcome::Started]) {
                let new = loaxa::model::asrun::NewEntry {
                    cue_key: Some(&cue.key),
                    item_id: None,
                    media_id: None,
                    label: &cue.title,
                    source: "schedule",
                    planned_at: Some(cue.start),
                };
                asrun::upsert_cue(c, &new, outcome, None, Some(cue.start), None)?;
            }
            Ok(())
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("sau-khoi-dong.wav");
    let clock = Arc::new(SimClock::starting_at(slot + chrono::Duration::seconds(9)));
    let (runner, player) = s.runner(clock, p, Box::new(TrustedTime), Some(&wav));
    let log = s.wait_for(30, "the rest of the slot", |log| {
        log.iter()
            .filter(|e| e.outcome == Outcome::Completed)
            .count()
            == 4
    });
    drop(runner);
    drop(player);
    // Exactly four lines: the station ID was not aired again.
    assert_eq!(log.len(), 4, "{log:#?}");
    // What played after the restart: the interrupted bulletin (again), the second, the chime.
    let aired = read_wav(&wav).seconds();
    let expected: f64 = plan.cues[1..]
        .iter()
        .map(|c| c.length_ms as f64 / 1000.0)
        .sum();
    assert!(
        (aired - expected).abs() < 0.05,
        "aired {aired} s, expected {expected} s"
    );
}

#[test]
fn a_cue_later_than_the_grace_window_is_missed_not_aired() {
    let s = Station::new();
    let p = basic();
    let d = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin",
        Category::Bulletin,
        Tier::Normal,
        d,
        d,
    );
    // The service comes up at 06:30 (20 minutes past the 10-minute grace) after running at 05:00.
    s.store
        .with(|c| {
            Ok(loaxa::store::meta::set(
                c,
                "runner.heartbeat",
                &local(2027, 3, 2, 5, 0).to_rfc3339(),
            )?)
        })
        .unwrap();
    let clock = Arc::new(SimClock::starting_at(local(2027, 3, 2, 6, 30)));
    let (runner, _player) = s.runner(clock, p, Box::new(TrustedTime), None);
    let log = s.wait_for(30, "the evening slot", |log| {
        log.iter().any(|e| {
            e.outcome == Outcome::Completed && e.planned_at.unwrap() >= local(2027, 3, 2, 17, 0)
        })
    });
    drop(runner);
    let morning: Vec<_> = log
        .iter()
        .filter(|e| e.planned_at.unwrap() < local(2027, 3, 2, 7, 0))
        .collect();
    assert_eq!(morning.len(), 3);
    assert!(
        morning
            .iter()
            .all(|e| e.outcome == Outcome::Missed && e.first_sample_at.is_none()),
        "{morning:#?}"
    );
}

/// NTP that synchronises once the (simulated) clock reaches a moment.
struct SyncsAt(Arc<SimClock>, DateTime<Utc>, Arc<AtomicBool>);

impl TimeSync for SyncsAt {
    fn synchronized(&self) -> Option<bool> {
        let ok = self.0.now() >= self.1;
        if !ok {
            self.2.store(true, Ordering::Relaxed);
        }
        Some(ok)
    }
}

#[test]
fn an_unsynchronised_clock_fires_no_backlog() {
    let s = Station::new();
    let p = basic();
    let d = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin",
        Category::Bulletin,
        Tier::Normal,
        d,
        d,
    );
    s.store
        .with(|c| {
            Ok(loaxa::store::meta::set(
                c,
                "runner.heartbeat",
                &local(2027, 3, 2, 5, 0).to_rfc3339(),
            )?)
        })
        .unwrap();
    // A Pi booting at 05:59 with a clock not yet set by NTP; NTP syncs at 06:30.
    let clock = Arc::new(SimClock::starting_at(local(2027, 3, 2, 5, 59)));
    let asked = Arc::new(AtomicBool::new(false));
    let sync = SyncsAt(clock.clone(), local(2027, 3, 2, 6, 30), asked.clone());
    let (runner, _player) = s.runner(clock.clone(), p, Box::new(sync), None);
    // The 06:00 slot is then beyond grace: logged missed, not fired as a backlog.
    let log = s.wait_for(30, "the missed morning", |log| {
        log.iter().filter(|e| e.outcome == Outcome::Missed).count() == 3
    });
    assert!(
        asked.load(Ordering::Relaxed),
        "the runner waited for the clock"
    );
    let before_evening: Vec<_> = log
        .iter()
        .filter(|e| e.planned_at.unwrap() < local(2027, 3, 2, 12, 0))
        .collect();
    assert!(
        before_evening.iter().all(|e| e.outcome == Outcome::Missed),
        "{before_evening:#?}"
    );
    drop(runner);
    assert!(before_evening.iter().all(|e| e.first_sample_at.is_none()));
}

#[test]
fn a_clock_behind_the_last_play_waits() {
    let s = Station::new();
    let p = basic();
    let d = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
    s.approved(
        "ban-tin.mp3",
        "Bản tin",
        Category::Bulletin,
        Tier::Normal,
        d,
        d,
    );
    // Something aired at 17:00; the clock now says 05:50 the same day (a reset RTC).
    s.store
        .with(|c| {
            let new = loaxa::model::asrun::NewEntry {
                cue_key: None,
                item_id: None,
                media_id: None,
                label: "x",
                source: "manual",
                planned_at: None,
            };
            asrun::record(
                c,
                &new,
                Outcome::Completed,
                None,
                Some(local(2027, 3, 2, 17, 0)),
                Some(local(2027, 3, 2, 17, 1)),
            )?;
            Ok(())
        })
        .unwrap();
    let clock = Arc::new(SimClock::starting_at(local(2027, 3, 2, 5, 50)));
    let (runner, _player) = s.runner(clock.clone(), p, Box::new(TrustedTime), None);
    let waited = std::time::Instant::now();
    while clock.now() < local(2027, 3, 2, 6, 5) && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(runner);
    assert_eq!(
        s.asrun().len(),
        1,
        "the 06:00 slot did not air on a clock that went backwards"
    );
}
