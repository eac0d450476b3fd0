//! `loaxa serve --demo` on a newcomer's machine with no sound card (`audio.listen_alone`, which
//! the demo turns on): plays air into the "Nghe" stream alone, and the dashboard says so.

use axum::http::Method;
use loaxa::audio::{Outcome, PlayRequest, PlayerEvent};
use loaxa::config::OutputSpec;
use loaxa::model::Role;

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
