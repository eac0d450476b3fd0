//! Typed bulletins (bản tin văn bản) through the real router, store, library and espeak-ng: an
//! editor writes a notice, the station reads it into a measured recording, the approver's page
//! carries that recording, the text and what the voice read, and approval puts it in the plan
//! for its slot. Refusals (a voice not installed, nothing to read, too long) are clear, in the
//! form and over the API.

use axum::http::{Method, StatusCode};
use loaxa::model::Role;
use serde_json::json;

use crate::common::decode;
use crate::web::{TestApp, urlencode};

const NOTICE: &str = "UBND xã thông báo: họp dân lúc 7h30 ngày 31/8/2026 tại nhà văn hoá thôn 2.\n\
    Mang theo CCCD và thẻ BHYT.";

fn app() -> TestApp {
    TestApp::with(|c| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        c.schedule.schedules_dir = root.join("schedules");
        c.schedule.playlists_dir = root.join("playlists");
    })
}

/// A bulletin written by `role` over the API: (status, answer).
async fn write(
    app: &TestApp,
    role: Role,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    app.api(role, Method::POST, "/bulletins", Some(body)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_writes_it_the_approver_hears_it_and_it_airs_in_its_slot() {
    let app = app();
    let (s, b) = write(
        &app,
        Role::Editor,
        json!({"title": "Họp dân thôn 2", "text": NOTICE, "voice": "vi-south", "rate": 150,
               "category": "notice", "slots": ["sang"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_i64().unwrap();
    let media_id = b["media_id"].as_i64().unwrap();
    assert_eq!(b["state"], "draft");
    assert_eq!(b["voice"], "vi-south");
    let reading = b["reading"].as_str().unwrap();
    assert!(reading.contains("ủy ban nhân dân"), "{reading}");
    assert!(reading.contains("bảy giờ ba mươi"), "{reading}");
    assert!(reading.contains("căn cước công dân"), "{reading}");

    // The recording is in the library, measured and levelled like an upload.
    let (s, m) = app
        .api(
            Role::Editor,
            Method::GET,
            &format!("/media/{media_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["codec"], "pcm_s16le", "{m}");
    let lufs = m["integrated_lufs"].as_f64().unwrap();
    assert!((-40.0..-5.0).contains(&lufs), "loudness {lufs}");
    assert!(m["gain_db"].as_f64().is_some(), "{m}");
    let wav = app.service.state.library.path_of(
        &app.service
            .state
            .store
            .with(|c| Ok(loaxa::store::media::get(c, media_id)?))
            .unwrap()
            .unwrap(),
    );
    let pcm = decode(&wav);
    assert!(pcm.seconds() > 5.0, "{} s", pcm.seconds());
    let loud = pcm.samples.iter().filter(|s| s.abs() > 0.05).count();
    assert!(
        loud as f64 > pcm.samples.len() as f64 * 0.05,
        "mostly silent"
    );
    assert!((m["duration_ms"].as_f64().unwrap() / 1000.0 - pcm.seconds()).abs() < 0.1);

    let (s, _) = app
        .api(
            Role::Editor,
            Method::POST,
            &format!("/bulletins/{id}/submit"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // The approver's queue: the recording to listen to, the text, and what the voice read.
    let (session, _) = app.login("approver", crate::web::PASSWORD).await.unwrap();
    let (s, _, page) = app.page(&session, Method::GET, "/approvals", None).await;
    assert_eq!(s, StatusCode::OK);
    let card = page
        .split(&format!("id=\"bulletin-{id}\""))
        .nth(1)
        .expect("a card for the bulletin");
    let card = card.split("</section>").next().unwrap();
    assert!(
        card.contains(&format!("/api/v1/media/{media_id}/audio")),
        "{card}"
    );
    assert!(card.contains("Mang theo CCCD và thẻ BHYT."), "{card}");
    assert!(card.contains("bảy giờ ba mươi"), "{card}");
    assert!(card.contains(&format!("/bulletins/{id}/approve")), "{card}");
    assert_eq!(
        page.matches(&format!("/api/v1/media/{media_id}/audio"))
            .count(),
        1,
        "shown once, not also as a plain item"
    );

    // The editor cannot approve their own; the approver can.
    let (s, _) = app
        .api(
            Role::Editor,
            Method::POST,
            &format!("/bulletins/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = app
        .api(
            Role::Approver,
            Method::POST,
            &format!("/bulletins/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "approved");

    // It airs as an item in its slot, with the recording the approver heard.
    let tt = &app.service.state.timetable;
    let now = chrono::Utc::now();
    let plan = app
        .service
        .state
        .store
        .with(|c| Ok(tt.plan(c, now, now + chrono::Duration::days(2))?))
        .unwrap();
    let cues: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| matches!(c.content, loaxa::schedule::plan::Content::Item { item_id, .. } if item_id == id))
        .collect();
    assert!(!cues.is_empty(), "{plan:#?}");
    for cue in &cues {
        assert_eq!(cue.slot, "sang");
        let loaxa::schedule::plan::Content::Item { media_id: m, .. } = cue.content else {
            unreachable!()
        };
        assert_eq!(m, media_id);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn editing_the_text_reads_it_again_and_sends_it_back_to_review() {
    let app = app();
    let (_, b) = write(
        &app,
        Role::Editor,
        json!({"title": "Cắt điện", "text": "Cắt điện từ 13h đến 15h45."}),
    )
    .await;
    let id = b["id"].as_i64().unwrap();
    let first = b["media_id"].as_i64().unwrap();
    app.api(
        Role::Editor,
        Method::POST,
        &format!("/bulletins/{id}/submit"),
        None,
    )
    .await;
    let (s, _) = app
        .api(
            Role::Approver,
            Method::POST,
            &format!("/bulletins/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = app
        .api(
            Role::Editor,
            Method::PUT,
            &format!("/bulletins/{id}"),
            Some(json!({"title": "Cắt điện", "text": "Cắt điện từ 8h đến 11h30."})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Approved, it keeps airing its recording; the new text is a draft revision.
    assert_eq!(b["state"], "approved");
    assert_eq!(
        b["media_id"].as_i64().unwrap(),
        first,
        "the approved recording airs"
    );
    assert_eq!(b["pending_revision"]["state"], "draft", "{b}");
    for (role, step) in [(Role::Editor, "submit"), (Role::Approver, "approve")] {
        let (s, r) = app
            .api(role, Method::POST, &format!("/bulletins/{id}/{step}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{step}: {r}");
    }
    let (_, b) = app
        .api(
            Role::Operator,
            Method::GET,
            &format!("/bulletins/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (b["state"].as_str(), b["revision"].as_i64()),
        (Some("approved"), Some(2))
    );
    assert_ne!(b["media_id"].as_i64().unwrap(), first, "a new recording");
    assert!(b["reading"].as_str().unwrap().contains("tám giờ"), "{b}");
    assert!(b["text"].as_str().unwrap().contains("11h30"), "{b}");
    // Its item cannot be edited as a plain item (its recording is its text's).
    let (s, e) = app
        .api(
            Role::Editor,
            Method::PUT,
            &format!("/items/{id}"),
            Some(json!({"media_id": first, "title": "x", "category": "notice"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/bulletins/"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_texts_and_voices_are_refused_clearly() {
    let app = TestApp::with(|c| c.speech.voice = "piper:/nonexistent/vi_VN-test.onnx".into());
    let cases = [
        (json!({"title": "x", "text": "🎉🎉🎉 !!!"}), "no letters"),
        (
            json!({"title": "x", "text": "a ".repeat(5_000)}),
            "over 5000",
        ),
        (
            json!({"title": "x", "text": "Họp dân.", "voice": "en"}),
            "not offered",
        ),
        (
            json!({"title": "x", "text": "Họp dân.", "rate": 20}),
            "80–450",
        ),
        (
            json!({"title": "x", "text": "Họp dân.", "voice": "piper:/nonexistent/vi_VN-test.onnx"}),
            "not installed",
        ),
    ];
    for (body, says) in cases {
        let (s, e) = write(&app, Role::Editor, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} → {e}");
        let msg = e["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{body} → {msg}");
    }
    let (s, list) = app.api(Role::Editor, Method::GET, "/bulletins", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing kept: {list}");
    let (_, media) = app.api(Role::Editor, Method::GET, "/media", None).await;
    assert_eq!(
        media.as_array().map_or(0, Vec::len),
        0,
        "no recording kept: {media}"
    );

    // In the form: the page comes back with the error and what was typed.
    let (session, csrf) = app.login("editor", crate::web::PASSWORD).await.unwrap();
    let (s, _, form) = app
        .page(&session, Method::GET, "/bulletins/new", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains("vi_VN-test.onnx"),
        "the configured Piper voice is offered"
    );
    let body = format!(
        "csrf={csrf}&title={}&text={}&voice={}&rate=140&category=notice&tier=normal",
        urlencode("Họp dân"),
        urlencode("Họp dân lúc 7h30."),
        urlencode("piper:/nonexistent/vi_VN-test.onnx")
    );
    let (s, _, page) = app
        .page(&session, Method::POST, "/bulletins/new", Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("id=\"form-error\""), "{page}");
    assert!(page.contains("chưa có trên máy"), "{page}");
    assert!(page.contains("copy the Piper voice"), "{page}");
    assert!(page.contains("Họp dân lúc 7h30."), "what was typed is kept");
    // Without the form's token, nothing happens.
    let no_csrf = body.replacen(&format!("csrf={csrf}&"), "", 1);
    let (s, _, _) = app
        .page(&session, Method::POST, "/bulletins/new", Some(no_csrf))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_and_body_limits_hold() {
    let app = app();
    let body = json!({"title": "x", "text": "Họp dân."});
    for role in [Role::Operator] {
        let (s, _) = write(&app, role, body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role:?}");
    }
    let huge = json!({"title": "x", "text": "a".repeat(200 * 1024)});
    let (s, e) = write(&app, Role::Editor, huge).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    let (s, doc) = app
        .api(Role::Editor, Method::GET, "/openapi.json", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["paths"]["/bulletins"]["post"].is_object(), "documented");
    assert!(doc["paths"]["/bulletins/{id}/approve"]["post"].is_object());
    assert!(doc["components"]["schemas"]["NewBulletin"]["properties"]["media_id"].is_null());
}
