//! Choices, not typing, through the real router, store and shipped programme: slot and zone
//! names the programme does not have are refused (API 422 naming them, forms back with the
//! field marked), and `GET /api/v1/items/{id}` and the pages say when an item airs or why not.

use axum::http::{Method, StatusCode};
use loaxa::model::Role;

use crate::web::{PASSWORD, TestApp, urlencode};

/// A service on the programme files shipped in `schedules/` and `playlists/`.
fn shipped() -> TestApp {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    TestApp::with(|c| {
        c.schedule.schedules_dir = root.join("schedules");
        c.schedule.playlists_dir = root.join("playlists");
    })
}

#[tokio::test]
async fn names_the_programme_does_not_have_are_refused_by_the_api_naming_them() {
    let t = shipped();
    let (media, _) = t.item_by(Role::Editor, "Có sẵn").await;
    let (status, body) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(
                serde_json::json!({"media_id": media, "title": "Chúc Tết", "category": "greeting",
                "slots": ["Buổi sáng"], "zones": ["Thôn 1"]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let said = body["error"]["message"].as_str().unwrap();
    assert!(
        said.contains("\"Buổi sáng\"") && said.contains("\"Thôn 1\""),
        "{said}"
    );

    let (status, body) = t
        .api(
            Role::Editor,
            Method::POST,
            "/bulletins",
            Some(serde_json::json!({"title": "Cắt điện", "text": "Cắt điện ngày mai.", "zones": ["Thôn 9"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("Thôn 9"), "{body}");

    // Edits are held to the same names.
    let (_, item) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(serde_json::json!({"media_id": media, "title": "Đúng", "category": "bulletin", "slots": ["sang"]})),
        )
        .await;
    let id = item["id"].as_i64().unwrap();
    let (status, body) = t
        .api(
            Role::Editor,
            Method::PUT,
            &format!("/items/{id}"),
            Some(serde_json::json!({"media_id": media, "title": "Đúng", "category": "bulletin", "slots": ["toi"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn an_item_says_when_it_airs_next_or_why_not() {
    let t = shipped();
    let (media, _) = t.item_by(Role::Editor, "Có sẵn").await;
    let (_, item) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(serde_json::json!({"media_id": media, "title": "Bản tin nông nghiệp", "category": "bulletin"})),
        )
        .await;
    let (status, got) = t
        .api(
            Role::Operator,
            Method::GET,
            &format!("/items/{}", item["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        got["title"], "Bản tin nông nghiệp",
        "the item is all there: {got}"
    );
    let next = got["next_airings"].as_array().unwrap();
    assert_eq!(next.len(), 3, "{got}");
    let slots: Vec<&str> = next.iter().map(|a| a["slot"].as_str().unwrap()).collect();
    assert!(
        slots.iter().all(|s| ["sang", "chieu"].contains(s)),
        "the daily sessions: {slots:?}"
    );
    assert_eq!(got["will_not_air"], serde_json::json!([]));

    // Music: no playlist takes it.
    let (_, music) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(serde_json::json!({"media_id": media, "title": "Bài hát", "category": "music"})),
        )
        .await;
    let (_, got) = t
        .api(
            Role::Editor,
            Method::GET,
            &format!("/items/{}", music["id"]),
            None,
        )
        .await;
    assert_eq!(got["next_airings"], serde_json::json!([]));
    let why = got["will_not_air"][0].as_str().unwrap();
    assert!(
        why.contains("không buổi phát nào nhận thể loại Nhạc"),
        "{why}"
    );

    // The page says it too, in red, and the dashboard warns once it is approved.
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let (_, _, page) = t
        .page(
            &session,
            Method::GET,
            &format!("/items/{}", music["id"]),
            None,
        )
        .await;
    assert!(page.contains("airing never"), "{page}");
    let (s, _) = t
        .api(
            Role::Editor,
            Method::POST,
            &format!("/items/{}/submit", music["id"]),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("/items/{}/approve", music["id"]),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, _, dashboard) = t.page(&session, Method::GET, "/", None).await;
    assert!(
        dashboard.contains("«Bài hát» sẽ không được phát"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn a_typed_bulletin_form_naming_an_unknown_slot_comes_back_with_the_field_marked() {
    let t = shipped();
    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    let body = format!(
        "csrf={csrf}&title={}&text={}&voice=vi&rate=140&category=notice&tier=normal&slots=sang&slots={}",
        urlencode("Họp dân"),
        urlencode("Mời bà con họp lúc 8 giờ."),
        urlencode("Buổi tối")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/bulletins/new", Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("\"Buổi tối\""), "{page}");
    assert!(
        page.contains("class=\"choices invalid\" id=\"field-slots\""),
        "the slot field is marked: {page}"
    );
    assert!(
        page.contains("value=\"sang\" checked"),
        "what was ticked stays ticked"
    );
    assert!(
        page.contains("Mời bà con họp lúc 8 giờ."),
        "the text is kept"
    );
}
