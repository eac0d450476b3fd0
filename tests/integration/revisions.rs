//! Revisions, not regressions, through the real router, store and shipped programme: an edit of
//! approved content is a draft revision while the approved version keeps airing (the plan says
//! so), whoever made or changed the revision cannot decide it (403, pages offer no buttons),
//! another leader sees what changed field by field and approves it, and taking content off
//! air asks first and is audited.

use axum::http::{Method, StatusCode};
use loaxa::model::Role;
use loaxa::schedule::plan::Content;
use serde_json::json;

use crate::common::fixture;
use crate::web::{PASSWORD, TestApp};

/// A service on the programme files shipped in `schedules/` and `playlists/`, with a second
/// leader (`lanh-dao-2`): its API token.
fn shipped() -> (TestApp, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = TestApp::with(|c| {
        c.schedule.schedules_dir = root.join("schedules");
        c.schedule.playlists_dir = root.join("playlists");
    });
    let hash = loaxa::accounts::hash_password(PASSWORD).unwrap();
    let token = t
        .service
        .state
        .store
        .with(|c| {
            let tx = c.transaction()?;
            let id = loaxa::store::users::insert(
                &tx,
                "lanh-dao-2",
                "Lãnh đạo 2",
                Role::Approver,
                &hash,
            )?;
            let token = loaxa::accounts::new_token();
            loaxa::store::users::create_token(
                &tx,
                id,
                "t",
                &loaxa::accounts::token_hash(&token),
                loaxa::model::TokenScope::Role,
            )?;
            tx.commit()?;
            Ok(token)
        })
        .unwrap();
    (t, token)
}

/// `method path` on the API as the holder of `token`.
async fn api_as(
    t: &TestApp,
    token: &str,
    method: Method,
    path: &str,
) -> (StatusCode, serde_json::Value) {
    let req = axum::http::Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"))
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (s, _, text) = t.send(req).await;
    (s, serde_json::from_str(&text).unwrap_or_default())
}

/// The recordings the plan airs for item `id` in the coming week.
async fn airs(t: &TestApp, id: i64) -> Vec<i64> {
    let now = chrono::Utc::now();
    let state = &t.service.state;
    let plan = state
        .timetable
        .plan_now(&state.store, now, now + chrono::Duration::days(7))
        .await
        .unwrap();
    plan.cues
        .iter()
        .filter_map(|c| match c.content {
            Content::Item {
                item_id, media_id, ..
            } if item_id == id => Some(media_id),
            _ => None,
        })
        .collect()
}

/// An item by the editor in the morning slot, approved by the first leader, and a second
/// recording: (item, first recording, second recording).
async fn approved_item(t: &TestApp) -> (i64, i64, i64) {
    let (first, _) = t.item_by(Role::Editor, "Nháp").await;
    let (s, item) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(json!({"media_id": first, "title": "Lịch tiêm chủng", "category": "bulletin", "slots": ["sang"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let id = item["id"].as_i64().unwrap();
    for (role, step) in [(Role::Editor, "submit"), (Role::Approver, "approve")] {
        let (s, b) = t
            .api(role, Method::POST, &format!("/items/{id}/{step}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{step}: {b}");
    }
    let ogg = std::fs::read(fixture("canh-bao.ogg")).unwrap();
    let (_, m2) = t
        .upload(Role::Editor, "canh-bao.ogg", &ogg, "Bản mới")
        .await;
    (id, first, m2["media"]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn an_approver_who_edits_an_approved_item_cannot_approve_it_and_the_old_version_airs_meanwhile()
 {
    let (t, other) = shipped();
    let (id, first, second) = approved_item(&t).await;
    assert!(!airs(&t, id).await.is_empty(), "the morning slot airs it");
    assert!(airs(&t, id).await.iter().all(|m| *m == first));

    let path = format!("/items/{id}");
    let edit = json!({"media_id": second, "title": "Lịch tiêm chủng (mới)", "category": "bulletin", "slots": ["sang", "chieu"]});
    let (s, body) = t.api(Role::Approver, Method::PUT, &path, Some(edit)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "approved");
    assert_eq!(body["pending_revision"]["state"], "draft");
    assert_eq!(
        body["pending_revision"]["editors"],
        json!([t.ids[&Role::Approver]])
    );
    assert!(
        airs(&t, id).await.iter().all(|m| *m == first),
        "still the approved one"
    );

    // Draft or submitted, the approver who made it cannot decide it.
    for submit_first in [false, true] {
        if submit_first {
            let (s, b) = t
                .api(
                    Role::Approver,
                    Method::POST,
                    &format!("{path}/submit"),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "the maker submits: {b}");
        }
        for (step, why) in [("approve", None), ("reject", Some(json!({"reason": "x"})))] {
            let (s, b) = t
                .api(Role::Approver, Method::POST, &format!("{path}/{step}"), why)
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{step}: {b}");
            let said = b["error"]["message"].as_str().unwrap();
            assert!(said.contains("you edited this version"), "{said}");
        }
    }
    assert!(airs(&t, id).await.iter().all(|m| *m == first));

    let (s, b) = api_as(&t, &other, Method::POST, &format!("{path}/approve")).await;
    assert_eq!(s, StatusCode::OK, "another leader approves: {b}");
    assert_eq!(
        (b["revision"].as_i64(), b["media_id"].as_i64()),
        (Some(2), Some(second))
    );
    let now = airs(&t, id).await;
    assert!(
        !now.is_empty() && now.iter().all(|m| *m == second),
        "{now:?}"
    );

    let log = t
        .service
        .state
        .store
        .with(|c| Ok(loaxa::store::audit::for_subject(c, &format!("item:{id}"))?))
        .unwrap();
    let approvals: Vec<(String, i64)> = log
        .iter()
        .filter(|e| e.action == "item.approve")
        .map(|e| (e.actor.clone(), e.detail["revision"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        approvals,
        [("approver".to_string(), 1), ("lanh-dao-2".to_string(), 2)]
    );
}

#[tokio::test]
async fn the_other_leader_sees_what_changed_and_taking_off_air_asks_first() {
    let (t, _) = shipped();
    let (id, first, second) = approved_item(&t).await;
    let edit = json!({"media_id": second, "title": "Lịch tiêm chủng (mới)", "category": "notice", "slots": ["sang", "chieu"]});
    let path = format!("/items/{id}");
    t.api(Role::Approver, Method::PUT, &path, Some(edit)).await;
    t.api(
        Role::Approver,
        Method::POST,
        &format!("{path}/submit"),
        None,
    )
    .await;

    // The maker's page: what changed, and no approve button.
    let (maker, _) = t.login("approver", PASSWORD).await.unwrap();
    let (_, _, mine) = t.page(&maker, Method::GET, &path, None).await;
    assert!(
        !mine.contains(&format!("action=\"{path}/approve\"")),
        "{mine}"
    );
    assert!(mine.contains("Bạn đã viết hoặc sửa bản này"), "told why");

    // The other leader's: each change old → new, slots by their titles, both recordings.
    let (session, csrf) = t.login("lanh-dao-2", PASSWORD).await.unwrap();
    let (s, _, page) = t.page(&session, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "Bản sửa đang chờ",
        "Lịch tiêm chủng (mới)",
        "Buổi sáng, Buổi chiều",
        &format!("/api/v1/media/{first}/audio"),
        &format!("/api/v1/media/{second}/audio"),
        &format!("action=\"{path}/approve\""),
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    assert!(
        !page.contains(">sang<") && !page.contains("sang, chieu"),
        "titles, not names"
    );
    let (_, _, queue) = t.page(&session, Method::GET, "/approvals", None).await;
    assert!(
        queue.contains("Bản sửa đang chờ") && queue.contains("Buổi sáng, Buổi chiều"),
        "{queue}"
    );

    // Taking it off air: a page that asks, then the post.
    let (s, _, ask) = t
        .page(&session, Method::GET, &format!("{path}/take-off"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        ask.contains(&format!("action=\"{path}/take-off\"")) && ask.contains("Gỡ khỏi sóng?"),
        "{ask}"
    );
    let (s, h, _) = t
        .page(
            &session,
            Method::POST,
            &format!("{path}/take-off"),
            Some(format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.cookie("loaxa_flash").as_deref(), Some("taken-off"));
    let req = axum::http::Request::get(&path)
        .header(
            axum::http::header::COOKIE,
            format!("loaxa_session={session}; loaxa_flash=taken-off"),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, _, after) = t.send(req).await;
    assert!(after.contains("Đã gỡ khỏi sóng"), "the flash says it");
    assert!(airs(&t, id).await.is_empty(), "off air");
    let (_, item) = t.api(Role::Operator, Method::GET, &path, None).await;
    assert_eq!(item["state"], "draft");
    assert_eq!(
        item["title"], "Lịch tiêm chủng (mới)",
        "the edits in progress kept"
    );
    let log = t
        .service
        .state
        .store
        .with(|c| Ok(loaxa::store::audit::for_subject(c, &format!("item:{id}"))?))
        .unwrap();
    let off = log.iter().find(|e| e.action == "item.take_off").unwrap();
    assert_eq!(
        (off.actor.as_str(), off.detail["revision"].as_i64()),
        ("lanh-dao-2", Some(2))
    );
}

#[tokio::test]
async fn a_slogan_form_saved_unchanged_makes_no_revision_and_says_so() {
    let (t, _) = shipped();
    let (s, created) = t
        .api(
            Role::Editor,
            Method::POST,
            "/display/slogans",
            Some(json!({"text": "Chào mừng", "effect": "static"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/display/slogans/{id}");
    t.api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    t.api(
        Role::Approver,
        Method::POST,
        &format!("{path}/approve"),
        None,
    )
    .await;

    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    let form = |text: &str| {
        format!(
            "csrf={csrf}&text={}&color=%23ff0000&effect=static&speed_px_s=&hold_s=5&show_from=&show_until=&position=0",
            crate::web::urlencode(text)
        )
    };
    let (s, h, _) = t
        .page(
            &session,
            Method::POST,
            &format!("{path}/edit"),
            Some(form("Chào mừng")),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.cookie("loaxa_flash").as_deref(), Some("unchanged"));
    let (_, same) = t.api(Role::Operator, Method::GET, &path, None).await;
    assert!(same["pending_revision"].is_null(), "{same}");

    let (_, h, _) = t
        .page(
            &session,
            Method::POST,
            &format!("{path}/edit"),
            Some(form("Chào mừng năm mới")),
        )
        .await;
    assert_eq!(h.cookie("loaxa_flash").as_deref(), Some("revision-saved"));
    let (_, _, display) = t.page(&session, Method::GET, "/display", None).await;
    assert!(
        display.contains("Bản sửa đang chờ") && display.contains("Chào mừng năm mới"),
        "{display}"
    );
    let (_, now) = t.api(Role::Operator, Method::GET, &path, None).await;
    assert_eq!(
        (now["state"].as_str(), now["text"].as_str()),
        (Some("approved"), Some("Chào mừng"))
    );
    // Rejected, the revision leaves the approved text on the panel.
    t.api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    let (s, r) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("{path}/reject"),
            Some(json!({"reason": "Dài quá"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["state"].as_str(), r["pending_revision"]["state"].as_str()),
        (Some("approved"), Some("rejected"))
    );
    let shown = t.service.state.board.input_at(chrono::Utc::now()).slogans;
    assert_eq!(
        shown.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
        ["Chào mừng"]
    );
}
