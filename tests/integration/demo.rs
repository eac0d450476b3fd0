//! `loaxa serve --demo` on a newcomer's machine: the demo content (typed bulletins read
//! aloud, approved through the review by the demo's locked accounts, in the plan), the demo's
//! own session every five minutes airing on the simulated clock (and nowhere without the
//! demo), and with no sound card (`audio.listen_alone`, which the demo turns on) plays air into the "Nghe" stream
//! alone, and the dashboard says so.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use axum::http::Method;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh as VN;
use loaxa::audio::player::OutputOptions;
use loaxa::audio::{AudioFormat, Outcome, PlayRequest, Player, PlayerEvent};
use loaxa::clock::SimClock;
use loaxa::config::{Config, OutputSpec};
use loaxa::demo::session;
use loaxa::model::asrun::{self, Outcome as Aired};
use loaxa::model::{Bulletin, ReviewState, Role, Tier};
use loaxa::schedule::Timetable;
use loaxa::schedule::plan::Content;
use loaxa::schedule::runner::{Runner, RunnerOptions, TrustedTime};
use loaxa::station::accounts;
use loaxa::store::asrun as asrun_log;
use loaxa::store::bulletins::BulletinRows;
use loaxa::store::review::ReviewedRows;
use loaxa::store::{Store, audit};

use crate::common::write_tone;
use crate::web::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_sound_card_the_demo_airs_into_the_listen_stream_and_says_so() {
    let t = TestApp::with(|c| {
        c.audio.output = OutputSpec::Device(Some("khong-co-card-nay".into()));
        c.audio.listen_alone = true;
    });
    let player = &t.service.state.player;
    assert!(
        player.monitor().alone().is_some(),
        "the missing card is the reason"
    );
    let dir = tempfile::tempdir().unwrap();
    let tone = dir.path().join("tone.wav");
    write_tone(48_000, &tone, 1000.0, 0.5);
    let mut events = player.subscribe();
    let id = player.play(PlayRequest::file(&tone, "tone"));
    let report = loop {
        match events.recv().await.unwrap() {
            PlayerEvent::Ended(r) if r.id == id => break r,
            _ => {}
        }
    };
    assert_eq!(report.outcome, Outcome::Completed, "it aired, into Nghe");
    assert_eq!(report.frames, 24_000);
    let (session, _) = t.login(Role::Editor.as_str(), PASSWORD).await.unwrap();
    let (_, _, page) = t.page(&session, Method::GET, "/", None).await;
    assert!(
        page.contains("bản demo chỉ phát vào luồng Nghe"),
        "the dashboard says the demo airs into Nghe alone"
    );
}

/// The demo's typed bulletins as the store keeps them, by title.
fn demo_bulletins(t: &TestApp) -> Vec<Bulletin> {
    t.service
        .state
        .store
        .with(|c| Ok(BulletinRows::list(c, None)?))
        .unwrap()
        .into_iter()
        .filter(|b| b.item.created_by_name == "Cán bộ biên tập (nội dung mẫu)")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_seeds_bulletins_read_aloud_approved_by_a_leader_and_planned() {
    let t = TestApp::with(|c| {
        let added = loaxa::demo::seed(c).unwrap();
        assert!(added >= 3, "{added}");
    });
    let bulletins = demo_bulletins(&t);
    let titles: Vec<&str> = bulletins.iter().map(|b| b.item.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    let storm = bulletins
        .iter()
        .find(|b| b.item.title.starts_with("Cảnh báo mưa bão"));
    assert_eq!(
        storm.map(|b| b.item.tier),
        Some(Tier::Priority),
        "{titles:?}"
    );
    let vaccination = bulletins
        .iter()
        .find(|b| b.item.title.contains("tiêm chủng"));
    assert!(
        vaccination.is_some_and(|b| b.reading.contains("bảy giờ ba mươi")),
        "the times are read out in words"
    );
    let store = &t.service.state.store;
    for b in &bulletins {
        let item = &b.item;
        assert_eq!(item.state, ReviewState::Approved, "{}", item.title);
        assert_eq!(
            item.decided_by_name.as_deref(),
            Some("Lãnh đạo duyệt (nội dung mẫu)")
        );
        assert!(
            (10_000..120_000).contains(&item.duration_ms),
            "{} is read in {} ms",
            item.title,
            item.duration_ms
        );
        let steps: Vec<(String, String)> = store
            .with(|c| Ok(audit::for_subject(c, &format!("bulletin:{}", item.id))?))
            .unwrap()
            .into_iter()
            .map(|e| (e.actor, e.action))
            .collect();
        let step = |actor: &str, action: &str| (actor.to_string(), action.to_string());
        assert_eq!(
            steps,
            [
                step("demo-bientap", "bulletin.create"),
                step("demo-bientap", "bulletin.submit"),
                step("demo-lanhdao", "bulletin.approve"),
            ],
            "{}",
            item.title
        );
    }
    let from = t.service.state.clock.now();
    let plan = t
        .service
        .state
        .timetable
        .plan_now(store, from, from + chrono::Duration::days(8))
        .await
        .unwrap();
    for b in &bulletins {
        let cues: Vec<&str> = plan
            .cues
            .iter()
            .filter(|c| matches!(c.content, Content::Item { item_id, .. } if item_id == b.item.id))
            .map(|c| c.slot.as_str())
            .collect();
        assert!(!cues.is_empty(), "{} is in no session", b.item.title);
        for slot in &b.item.slots {
            assert!(
                cues.contains(&slot.as_str()),
                "{} not in {slot}",
                b.item.title
            );
        }
    }
    let again = loaxa::demo::seed(&t.service.state.config).unwrap();
    assert_eq!(again, 0, "a second start adds nothing");
    assert_eq!(demo_bulletins(&t).len(), 3);
    for name in ["demo-bientap", "demo-lanhdao"] {
        for password in ["", "!", PASSWORD] {
            assert!(t.login(name, password).await.is_err(), "{name} signed in");
        }
    }
}

#[test]
fn the_demo_authors_leave_the_first_run_link_to_the_commune() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    loaxa::demo::seed(&config).unwrap();
    let store = Store::open(&config.database_path()).unwrap();
    let link = accounts::first_run_link(&store, chrono::Utc::now()).unwrap();
    assert!(
        link.is_some_and(|l| l.starts_with("/setup/")),
        "the demo's locked accounts took the first administrator's place"
    );
}

/// A station seeded as `serve --demo` seeds it, with the shipped programme, the demo's
/// session in it if `demo`.
struct DemoStation {
    dir: tempfile::TempDir,
    store: Store,
    timetable: Timetable,
}

impl DemoStation {
    fn new(demo: bool) -> DemoStation {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        loaxa::demo::seed(&config).unwrap();
        let store = Store::open(&config.database_path()).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let timetable = Timetable::load(
            &repo.join("schedules"),
            &repo.join("playlists"),
            VN,
            Vec::new(),
        );
        assert!(
            timetable.problems().is_empty(),
            "{:?}",
            timetable.problems()
        );
        let timetable = if demo {
            timetable.with_extra(session::sources())
        } else {
            timetable
        };
        assert!(
            timetable.problems().is_empty(),
            "{:?}",
            timetable.problems()
        );
        DemoStation {
            dir,
            store,
            timetable,
        }
    }

    /// The runner airing the programme through a null output on `clock`.
    fn runner(&self, clock: Arc<SimClock>) -> Runner {
        let player = Arc::new(
            Player::spawn(OutputOptions::new(
                OutputSpec::Null,
                AudioFormat {
                    sample_rate: 48_000,
                    channels: 1,
                },
                clock.clone(),
            ))
            .unwrap(),
        );
        let options = RunnerOptions {
            grace: std::time::Duration::from_secs(600),
            preroll: std::time::Duration::from_secs(3),
            require_time_sync: true,
            ceiling_dbtp: -1.0,
            master_gain_db: 0.0,
            data_dir: self.dir.path().to_path_buf(),
        };
        Runner::spawn(
            self.store.clone(),
            player,
            clock,
            self.timetable.clone(),
            options,
            Box::new(TrustedTime),
        )
        .unwrap()
    }

    /// The as-run log once `done` holds for it (waiting in real time, 60 s at most).
    fn asrun_once(&self, done: impl Fn(&[asrun::Entry]) -> bool) -> Vec<asrun::Entry> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let log = self
                .store
                .with(|c| {
                    Ok(asrun_log::between(
                        c,
                        local(2000, 1, 1, 0, 0),
                        local(2100, 1, 1, 0, 0),
                    )?)
                })
                .unwrap();
            if done(&log) {
                return log;
            }
            assert!(std::time::Instant::now() < deadline, "{log:#?}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The demo's vaccination notice, which the demo session airs.
    fn vaccination(&self) -> i64 {
        self.store
            .with(|c| Ok(BulletinRows::list(c, None)?))
            .unwrap()
            .iter()
            .find(|b| b.item.title.contains("tiêm chủng"))
            .map(|b| b.item.id)
            .unwrap()
    }
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    VN.with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Start the demo station at `start` on the simulated clock and wait for the first demo
/// session after it: the chime, then the notice, both completed and in the as-run log. The
/// notice's entry.
fn first_demo_session_after(start: DateTime<Utc>) -> asrun::Entry {
    let s = DemoStation::new(true);
    let notice = s.vaccination();
    let clock = Arc::new(SimClock::starting_at(start));
    let runner = s.runner(clock.clone());
    let aired = |e: &asrun::Entry| {
        e.outcome == Aired::Completed
            && e.cue_key.as_deref().is_some_and(|k| k.starts_with("demo@"))
    };
    // The first demo session after the start (the runner may also air an earlier one late,
    // within its grace).
    let soon = |e: &asrun::Entry| {
        aired(e)
            && e.item_id == Some(notice)
            && e.planned_at
                .is_some_and(|p| p > start && p <= start + chrono::Duration::minutes(5))
    };
    let log = s.asrun_once(|log| log.iter().any(soon));
    drop(runner);
    let bulletin = log.iter().find(|e| soon(e)).unwrap().clone();
    let planned = bulletin.planned_at.unwrap();
    let chime = log.iter().find(|e| {
        aired(e)
            && e.label == "Chuông báo"
            && e.planned_at.is_some_and(|p| p > start && p < planned)
    });
    assert!(chime.is_some(), "the chime opens the session: {log:#?}");
    let first = bulletin.first_sample_at.unwrap();
    assert!(
        first >= planned && first <= start + chrono::Duration::minutes(5),
        "{first}"
    );
    bulletin
}

#[test]
fn in_demo_mode_a_chime_and_a_demo_notice_air_within_five_minutes_and_are_in_the_as_run_log() {
    // A Tuesday morning, a minute after a demo session: the next is four minutes away.
    first_demo_session_after(local(2027, 3, 2, 10, 1));
}

#[test]
fn the_demo_airs_at_23_00_through_the_quiet_hours() {
    // 23:00 in Vietnam is inside the shipped quiet hours (21:30–05:30), which hold back every
    // real slot; the demo's session airs through them.
    let notice = first_demo_session_after(local(2027, 3, 2, 22, 58));
    let planned = notice.planned_at.unwrap();
    assert!(
        planned > local(2027, 3, 2, 23, 0) && planned < local(2027, 3, 2, 23, 3),
        "the 23:00 session's notice follows its chime: {planned}"
    );
}

#[test]
fn without_demo_mode_there_is_no_demo_session() {
    let s = DemoStation::new(false);
    let (from, to) = (local(2027, 3, 2, 0, 0), local(2027, 3, 9, 0, 0));
    let plan = s
        .store
        .with(|c| Ok(s.timetable.plan(c, from, to)?))
        .unwrap();
    assert!(!plan.cues.is_empty(), "the shipped sessions air");
    assert!(
        plan.cues.iter().all(|c| c.slot != session::SLOT),
        "a demo session outside demo mode"
    );
    let demo = DemoStation::new(true);
    let plan = demo
        .store
        .with(|c| Ok(demo.timetable.plan(c, from, to)?))
        .unwrap();
    let sessions: BTreeSet<DateTime<Utc>> = plan
        .cues
        .iter()
        .filter(|c| c.slot == session::SLOT)
        .map(|c| c.slot_start)
        .collect();
    // Every five minutes of 20 hours a day (all but 05, 06, 17 and 21: the shipped sessions'),
    // each day of the week, quiet hours included: nothing of it is left out.
    assert_eq!(
        sessions.len(),
        7 * 20 * 12,
        "{}",
        loaxa::model::Said::join(&plan.warnings, "\n")
    );
    assert!(plan.left_out.is_empty(), "{:#?}", plan.left_out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_programme_page_shows_the_demo_session_apart_only_in_demo_mode() {
    let demo = TestApp::with(|c| c.schedule.demo_session = true);
    let plain = TestApp::new();
    for (t, shown) in [(&demo, true), (&plain, false)] {
        let (session, _) = t.login(Role::Editor.as_str(), PASSWORD).await.unwrap();
        let (status, _, page) = t.page(&session, Method::GET, "/programme", None).await;
        assert!(status.is_success(), "{status}");
        assert_eq!(page.contains("id=\"demo-session\""), shown, "{page}");
        assert_eq!(page.contains("phát cả trong giờ yên tĩnh"), shown);
        // Said once, apart (its title and its rule), not as a slot every five minutes.
        assert_eq!(page.matches("Buổi demo").count(), if shown { 2 } else { 0 });
    }
}
