//! `loaxa serve --demo` on a newcomer's machine: the demo content (typed bulletins read
//! aloud, approved through the review by the demo's locked accounts, in the plan), and with no
//! sound card (`audio.listen_alone`, which the demo turns on) plays air into the "Nghe" stream
//! alone, and the dashboard says so.

use axum::http::Method;
use loaxa::audio::{Outcome, PlayRequest, PlayerEvent};
use loaxa::config::{Config, OutputSpec};
use loaxa::model::{Bulletin, ReviewState, Role, Tier};
use loaxa::schedule::plan::Content;
use loaxa::station::accounts;
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
