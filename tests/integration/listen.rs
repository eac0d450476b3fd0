//! "Nghe / Listen" through the real router and the real player: the stream carries what the
//! output gets (a tone while it airs, silence around it), a listener that never reads does not
//! hold up the output, seats are limited, and only those signed in may listen.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use loaxa::audio::{PlayRequest, PlayerEvent};
use loaxa::model::{Role, TokenScope};
use tower::ServiceExt;

use crate::common::{decode, tone_runs, write_tone};
use crate::nodes::eventually;
use crate::web::TestApp;

/// A `read`-scope token: scripts that only read may listen too.
fn read_token(t: &TestApp) -> String {
    loaxa::station::accounts::create_token(
        &t.service.state.store,
        "nghe",
        "operator",
        "t",
        TokenScope::Read,
    )
    .unwrap()
}

fn listen(token: &str) -> Request<Body> {
    Request::get("/api/v1/listen")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Ogg pages received so far (each carries 200 ms once past the two headers).
fn pages(bytes: &[u8]) -> usize {
    bytes.windows(4).filter(|w| w == b"OggS").count()
}

/// Play `path` and wait until the player says it ended; returns the frames that reached the
/// output.
async fn play_to_the_end(t: &TestApp, path: &std::path::Path) -> u64 {
    let player = &t.service.state.player;
    let mut events = player.subscribe();
    let id = player.play(PlayRequest::file(path, "tone"));
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), events.recv()).await {
            Ok(Ok(PlayerEvent::Ended(r))) if r.id == id => {
                assert_eq!(r.outcome, loaxa::audio::Outcome::Completed, "{r:?}");
                return r.frames;
            }
            Ok(Ok(_)) => {}
            other => panic!("the tone never ended: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_carries_the_tone_that_airs_and_silence_around_it() {
    let t = TestApp::new();
    let dir = tempfile::tempdir().unwrap();
    let tone = dir.path().join("tone.wav");
    write_tone(48_000, &tone, 1000.0, 1.5);

    let res = t.app().oneshot(listen(&read_token(&t))).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "audio/ogg");
    let got = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let got = got.clone();
        tokio::spawn(async move {
            let mut body = res.into_body().into_data_stream();
            while let Some(Ok(bytes)) = body.next().await {
                got.lock().unwrap().extend_from_slice(&bytes);
            }
        })
    };
    // A second of silence first: nothing airs, and the stream keeps time.
    eventually(10, "a second of silence", || {
        (pages(&got.lock().unwrap()) >= 7).then_some(())
    })
    .await;
    let frames = play_to_the_end(&t, &tone).await;
    assert_eq!(frames, 72_000);
    let after = pages(&got.lock().unwrap());
    eventually(10, "a second after the tone", || {
        (pages(&got.lock().unwrap()) >= after + 5).then_some(())
    })
    .await;
    reader.abort();

    let file = dir.path().join("heard.opus");
    std::fs::write(&file, got.lock().unwrap().as_slice()).unwrap();
    let heard = decode(&file);
    assert_eq!((heard.rate, heard.channels), (48_000, 1));
    let runs = tone_runs(&heard.samples, heard.rate);
    println!("heard (Hz, s): {runs:?}");
    let tones: Vec<_> = runs.iter().filter(|(band, _)| *band != 0).collect();
    assert_eq!(tones.len(), 1, "one tone, silence around it: {runs:?}");
    assert_eq!(tones[0].0, 1000, "{runs:?}");
    assert!(
        (tones[0].1 - 1.5).abs() < 0.15,
        "the tone lasts as long as it aired: {runs:?}"
    );
    assert_eq!(
        runs.first().map(|r| r.0),
        Some(0),
        "silence first: {runs:?}"
    );
    assert!(
        runs.first().unwrap().1 >= 0.8,
        "a second of silence before: {runs:?}"
    );
    assert_eq!(runs.last().map(|r| r.0), Some(0), "silence after: {runs:?}");
    // As loud as it aired: the 0.4 sine's RMS is 0.28 (−11 dBFS); Opus at 32 kbit/s keeps it
    // within 1 dB.
    let start = (runs[0].1 * 48_000.0) as usize + 4_800;
    let middle = &heard.samples[start..start + 48_000];
    let rms = (middle.iter().map(|s| s * s).sum::<f32>() / middle.len() as f32).sqrt();
    let db = 20.0 * (rms / (0.4 / 2f32.sqrt())).log10();
    println!("the tone is {db:+.2} dB from what aired");
    assert!(db.abs() < 1.0, "the tone is {db:.2} dB off what aired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_never_reads_does_not_hold_up_the_output() {
    let t = TestApp::new();
    let dir = tempfile::tempdir().unwrap();
    let tone = dir.path().join("tone.wav");
    // Longer than the 2.5 s the monitor holds for a listener.
    write_tone(48_000, &tone, 440.0, 4.0);
    let stalled = t.app().oneshot(listen(&read_token(&t))).await.unwrap();
    assert_eq!(stalled.status(), StatusCode::OK);
    assert_eq!(t.service.state.player.monitor().listeners(), 1);
    // The body is never read: every block the tee hands over piles up for this listener.
    let frames = play_to_the_end(&t, &tone).await;
    assert_eq!(
        frames, 192_000,
        "every frame reached the output while the listener read nothing"
    );
    assert_eq!(t.service.state.player.status().completed, 1);
    drop(stalled);
    assert_eq!(
        t.service.state.player.monitor().listeners(),
        0,
        "a listener gone gives its seat back"
    );
}

#[tokio::test]
async fn only_those_signed_in_listen_and_seats_are_limited() {
    let t = TestApp::with(|c| c.web.max_listeners = 1);
    let anonymous = Request::get("/api/v1/listen").body(Body::empty()).unwrap();
    let (status, _, _) = t.send(anonymous).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let first = t
        .app()
        .oneshot(listen(&t.tokens[&Role::Editor]))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let reader = read_token(&t);
    let (status, _, body) = t.send(listen(&reader)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body.contains("web.max_listeners") && body.contains("người đang nghe"),
        "{body}"
    );
    drop(first);
    let again = t.app().oneshot(listen(&reader)).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the seat came back");
}
