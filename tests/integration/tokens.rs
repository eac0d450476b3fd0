//! API tokens as issue 14 item 8 asks: listed without their secrets, revoked from the CLI or
//! the users page (audited), held to a scope (`cap` posts CAP alerts only, `read` only reads),
//! and a revoked token or a disabled user's told so in JSON.

use std::io::Write;
use std::process::Stdio;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::config::Config;
use loaxa::model::{Role, TokenScope};
use loaxa::station::accounts::{self, AccountChange};
use serde_json::Value;

use crate::common::loaxa;
use crate::web::{PASSWORD, TestApp};

/// A request with `token` as its bearer, and its status and JSON answer.
async fn with_token(
    app: axum::Router,
    token: &str,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    use tower::ServiceExt;
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn cli(cfg: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = loaxa()
        .arg("--config")
        .arg(cfg)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_lists_tokens_without_secrets_and_a_revoked_one_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loaxa.toml");
    std::fs::write(&cfg, format!("data_dir = \"{}\"\n", dir.path().display())).unwrap();
    let (code, _, err) = cli(
        &cfg,
        &["user", "add", "canhbao", "--role", "operator"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    // The create command as before: the secret alone on stdout.
    let (code, cap, err) = cli(
        &cfg,
        &[
            "token", "create", "--user", "canhbao", "--label", "relay", "--scope", "cap",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let cap = cap.trim().to_string();
    assert_eq!(cap.len(), 64, "{cap}");
    let (_, full, _) = cli(&cfg, &["token", "create", "--user", "canhbao"], "");
    let full = full.trim().to_string();
    let (code, _, err) = cli(
        &cfg,
        &["token", "create", "--user", "x", "--scope", "all"],
        "",
    );
    assert_eq!(code, 2, "clap names the scopes: {err}");
    assert!(err.contains("role, cap, read"), "{err}");

    let (code, list, err) = cli(&cfg, &["token", "list"], "");
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "id",
            "user",
            "label",
            "scope",
            "created",
            "last_used",
            "revoked"
        ]
    );
    assert_eq!(rows.len(), 3, "{list}");
    assert_eq!(&rows[1][..4], ["1", "canhbao", "relay", "cap"]);
    assert_eq!(&rows[2][..4], ["2", "canhbao", "script", "role"]);
    assert_eq!(
        (rows[1][5], rows[1][6]),
        ("-", "-"),
        "never used, not revoked"
    );
    assert!(!list.contains(&cap) && !list.contains(&full), "{list}");

    // The service on the same data: the cap token may post CAP alerts and nothing else.
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let service = loaxa::service::Service::start(config).unwrap();
    let app = || loaxa::web::app(service.state.clone());
    let (status, body) = with_token(app(), &cap, Method::GET, "/api/v1/status", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scope cap"),
        "{body}"
    );
    let (status, body) = with_token(
        app(),
        &cap,
        Method::POST,
        "/api/v1/emergency",
        r#"{"text": "Sơ tán ngay"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no emergency text: {body}");
    assert!(service.state.emergency.active().is_none(), "nothing on air");
    let (status, body) = with_token(app(), &cap, Method::POST, "/api/v1/cap", "<alert/>").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "through to the CAP parser: {body}"
    );
    let (status, _) = with_token(app(), &full, Method::GET, "/api/v1/status", "").await;
    assert_eq!(status, StatusCode::OK, "the role-scoped token reads");

    let (_, list, _) = cli(&cfg, &["token", "list"], "");
    let used: Vec<&str> = list.lines().nth(1).unwrap().split('\t').collect();
    assert_ne!(used[5], "-", "the cap token's last use is noted: {list}");

    let (code, out, err) = cli(&cfg, &["token", "revoke", "1"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("revoked token 1 (canhbao, relay)"), "{out}");
    let (status, body) = with_token(app(), &cap, Method::POST, "/api/v1/cap", "<alert/>").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "token_refused", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("was revoked"),
        "{body}"
    );
    let (code, _, err) = cli(&cfg, &["token", "revoke", "1"], "");
    assert_eq!(code, 1);
    assert!(err.contains("revoked already"), "{err}");
    let (code, _, err) = cli(&cfg, &["token", "revoke", "99"], "");
    assert_eq!(code, 1);
    assert!(err.contains("no API token 99"), "{err}");
    let (_, list, _) = cli(&cfg, &["token", "list"], "");
    let revoked: Vec<&str> = list.lines().nth(1).unwrap().split('\t').collect();
    assert_ne!(revoked[6], "-", "{list}");
    let (status, _) = with_token(app(), &full, Method::GET, "/api/v1/status", "").await;
    assert_eq!(status, StatusCode::OK, "the other token still works");
}

#[tokio::test]
async fn a_read_token_reads_and_writes_nothing() {
    let t = TestApp::new();
    let store = &t.service.state.store;
    let read = accounts::create_token(store, "test", "editor", "bảng", TokenScope::Read).unwrap();
    let (status, _) = with_token(t.app(), &read, Method::GET, "/api/v1/items", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = with_token(
        t.app(),
        &read,
        Method::POST,
        "/api/v1/display/slogans",
        r#"{"text": "Chào mừng"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may only read"),
        "{body}"
    );
    let (status, list) = t
        .api(Role::Editor, Method::GET, "/display/slogans", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(0),
        "nothing was made: {list}"
    );
}

#[tokio::test]
async fn a_disabled_users_token_is_refused_with_the_reason() {
    let t = TestApp::new();
    let store = t.service.state.store.clone();
    let id = t.ids[&Role::Operator];
    let change = AccountChange {
        display_name: "Trực ban".into(),
        role: Role::Operator,
        active: false,
        password: None,
    };
    accounts::update_user(&store, "admin", id, &change).unwrap();
    let (status, body) = t.api(Role::Operator, Method::GET, "/status", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "token_refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disabled"),
        "{body}"
    );
}

#[tokio::test]
async fn the_admin_sees_each_users_tokens_and_revokes_one_on_the_users_page() {
    let t = TestApp::new();
    let store = t.service.state.store.clone();
    accounts::create_token(&store, "cli", "operator", "tỉnh CAP", TokenScope::Cap).unwrap();
    let relay = accounts::tokens(&store, None).unwrap().last().unwrap().id;
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let (status, _, page) = t.page(&session, Method::GET, "/users", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("#{relay} tỉnh CAP")), "{page}");
    assert!(page.contains(": cap</span>"), "its scope is shown");
    assert!(
        !t.tokens
            .values()
            .any(|secret| page.contains(secret.as_str())),
        "no secret on the page"
    );
    let revoke = format!("/users/tokens/{relay}/revoke");
    let (status, _, _) = t
        .page(&session, Method::POST, &revoke, Some(String::new()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token, no revoke");
    let (status, h, _) = t
        .page(
            &session,
            Method::POST,
            &revoke,
            Some(format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h.location(), "/users");
    let (_, _, page) = t.page(&session, Method::GET, "/users", None).await;
    assert!(page.contains("Đã thu hồi"), "the page says it is revoked");
    let filter = loaxa::store::audit::Filter {
        action_prefix: Some("token.revoke".into()),
        ..Default::default()
    };
    let audit = store
        .with(|c| Ok(loaxa::store::audit::list(c, &filter)?))
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "admin");
    assert_eq!(audit[0].detail["token"], relay);
    // The operator's own token is another one and still works.
    let (status, _) = t.api(Role::Operator, Method::GET, "/status", None).await;
    assert_eq!(status, StatusCode::OK);
}
