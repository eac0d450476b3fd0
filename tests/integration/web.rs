//! The web layer through the real router, store, library and player: roles on every route,
//! sessions, CSRF, uploads, the approval workflow, escaping and the API's errors.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::accounts;
use loaxa::config::Config;
use loaxa::model::{Role, TokenScope};
use loaxa::service::Service;
use loaxa::store::{audit, users};
use tower::ServiceExt;

use crate::common::fixture;

pub const PASSWORD: &str = "mật khẩu đủ dài";

/// A running service (null output) with one user of each role and an API token for each.
pub struct TestApp {
    pub service: Service,
    pub tokens: HashMap<Role, String>,
    pub ids: HashMap<Role, i64>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn new() -> TestApp {
        Self::with(|_| {})
    }

    /// The service and its data folder, to serve over TCP (a browser test).
    pub fn into_service(self) -> (Service, tempfile::TempDir) {
        (self.service, self._dir)
    }

    pub fn with(tune: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        config.audio.output = loaxa::config::OutputSpec::Null;
        tune(&mut config);
        let service = Service::start(config).unwrap();
        let hash = accounts::hash_password(PASSWORD).unwrap();
        let mut tokens = HashMap::new();
        let mut ids = HashMap::new();
        service
            .state
            .store
            .with(|c| {
                for role in Role::ALL {
                    let tx = c.transaction()?;
                    let id =
                        users::insert(&tx, role.as_str(), &format!("Người {role}"), role, &hash)?;
                    let token = accounts::new_token();
                    users::create_token(
                        &tx,
                        id,
                        "test",
                        &accounts::token_hash(&token),
                        TokenScope::Role,
                    )?;
                    tx.commit()?;
                    tokens.insert(role, token);
                    ids.insert(role, id);
                }
                Ok(())
            })
            .unwrap();
        TestApp {
            service,
            tokens,
            ids,
            _dir: dir,
        }
    }

    pub fn app(&self) -> Router {
        loaxa::web::app(self.service.state.clone())
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMapLite, String) {
        let res = self.app().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = HeaderMapLite(res.headers().clone());
        let body = axum::body::to_bytes(res.into_body(), 16 << 20)
            .await
            .unwrap_or_default();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    /// Call the API as `role` with its token.
    pub async fn api(
        &self,
        role: Role,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens[&role]),
            );
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, _, text) = self.send(req.body(body).unwrap()).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Upload a file through the API as `role`.
    pub async fn upload(
        &self,
        role: Role,
        name: &str,
        bytes: &[u8],
        title: &str,
    ) -> (StatusCode, serde_json::Value) {
        let (ct, body) = multipart(&[
            ("title", title.as_bytes(), None),
            ("file", bytes, Some(name)),
        ]);
        let req = Request::post("/api/v1/media")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens[&role]),
            )
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        let (status, _, text) = self.send(req).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Sign in through the login form; returns (session cookie, csrf token).
    pub async fn login(
        &self,
        name: &str,
        password: &str,
    ) -> Result<(String, String), (StatusCode, String)> {
        let (_, h, _) = self
            .send(Request::get("/login").body(Body::empty()).unwrap())
            .await;
        let form_cookie = h.cookie("loaxa_login").unwrap();
        let body = format!(
            "name={}&password={}&form={form_cookie}&next=%2F",
            urlencode(name),
            urlencode(password)
        );
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("loaxa_login={form_cookie}"))
            .body(Body::from(body))
            .unwrap();
        let (status, h, text) = self.send(req).await;
        let Some(session) = h.cookie("loaxa_session").filter(|c| !c.is_empty()) else {
            return Err((status, text));
        };
        let (_, _, page) = self
            .send(
                Request::get("/")
                    .header(header::COOKIE, format!("loaxa_session={session}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let csrf = page
            .split("name=\"csrf\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        Ok((session, csrf))
    }

    /// A page or form request with a session.
    pub async fn page(
        &self,
        session: &str,
        method: Method,
        path: &str,
        form: Option<String>,
    ) -> (StatusCode, HeaderMapLite, String) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, format!("loaxa_session={session}"));
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        self.send(req.body(form.map(Body::from).unwrap_or_default()).unwrap())
            .await
    }

    /// A recording in the library, and an item of `role` made from it (as draft).
    pub async fn item_by(&self, role: Role, title: &str) -> (i64, i64) {
        let (s, m) = self
            .upload(
                Role::Editor,
                "ban-tin.mp3",
                &std::fs::read(fixture("ban-tin.mp3")).unwrap(),
                "Bản tin",
            )
            .await;
        assert!(s.is_success(), "{s} {m}");
        let media = m["media"]["id"].as_i64().unwrap();
        let (s, item) = self
            .api(
                role,
                Method::POST,
                "/items",
                Some(
                    serde_json::json!({"media_id": media, "title": title, "category": "bulletin"}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{item}");
        (media, item["id"].as_i64().unwrap())
    }
}

pub struct HeaderMapLite(pub axum::http::HeaderMap);

impl HeaderMapLite {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.0
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
    pub fn location(&self) -> String {
        self.0
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .unwrap()
        .trim_start_matches("x=")
        .to_string()
}

/// A multipart body: (field, content, file name).
pub fn multipart(parts: &[(&str, &[u8], Option<&str>)]) -> (String, Vec<u8>) {
    let boundary = "----loaxa-test-boundary";
    let mut body = Vec::new();
    for (name, content, file) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What a route needs, as this test (not the code under test) understands the job.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Need {
    View,
    Edit,
    Approve,
    Audit,
    Admin,
    Emergency,
    Report,
}

pub fn allowed(role: Role, need: Need) -> bool {
    match need {
        Need::View => true,
        Need::Edit => matches!(role, Role::Admin | Role::Approver | Role::Editor),
        Need::Approve => role == Role::Approver,
        Need::Audit => matches!(role, Role::Admin | Role::Approver),
        Need::Admin => role == Role::Admin,
        Need::Emergency => matches!(role, Role::Admin | Role::Operator),
        Need::Report => matches!(role, Role::Admin | Role::Approver),
    }
}

/// Every route with what it needs. `{m}` is a recording id, `{i}` an item id, `{u}` a user id,
/// `{t}` an API token's id.
pub fn routes() -> Vec<(Method, &'static str, Need)> {
    use Need::*;
    vec![
        (Method::GET, "/", View),
        (Method::GET, "/library", View),
        (Method::GET, "/items", View),
        (Method::GET, "/items/new", Edit),
        (Method::POST, "/items/new", Edit),
        (Method::GET, "/items/{i}", View),
        (Method::GET, "/items/{i}/edit", Edit),
        (Method::POST, "/items/{i}/edit", Edit),
        (Method::POST, "/items/{i}/submit", Edit),
        (Method::POST, "/items/{i}/withdraw", Edit),
        (Method::POST, "/items/{i}/approve", Approve),
        (Method::POST, "/items/{i}/reject", Approve),
        (Method::POST, "/items/{i}/take-off", Approve),
        (Method::GET, "/items/{i}/take-off", Approve),
        (Method::GET, "/approvals", Approve),
        (Method::GET, "/bulletins/new", Edit),
        (Method::POST, "/bulletins/new", Edit),
        (Method::GET, "/bulletins/{i}", View),
        (Method::GET, "/bulletins/{i}/edit", Edit),
        (Method::POST, "/bulletins/{i}/edit", Edit),
        (Method::POST, "/bulletins/{i}/submit", Edit),
        (Method::POST, "/bulletins/{i}/withdraw", Edit),
        (Method::POST, "/bulletins/{i}/approve", Approve),
        (Method::POST, "/bulletins/{i}/reject", Approve),
        (Method::POST, "/bulletins/{i}/take-off", Approve),
        (Method::GET, "/bulletins/{i}/take-off", Approve),
        (Method::GET, "/api/v1/bulletins", View),
        (Method::POST, "/api/v1/bulletins", Edit),
        (Method::GET, "/api/v1/bulletins/{i}", View),
        (Method::PUT, "/api/v1/bulletins/{i}", Edit),
        (Method::POST, "/api/v1/bulletins/{i}/submit", Edit),
        (Method::POST, "/api/v1/bulletins/{i}/withdraw", Edit),
        (Method::POST, "/api/v1/bulletins/{i}/approve", Approve),
        (Method::POST, "/api/v1/bulletins/{i}/reject", Approve),
        (Method::POST, "/api/v1/bulletins/{i}/take-off", Approve),
        (Method::GET, "/programme", View),
        (Method::GET, "/asrun", View),
        (Method::GET, "/cluster", View),
        (Method::GET, "/audit", Audit),
        (Method::GET, "/users", Admin),
        (Method::POST, "/users", Admin),
        (Method::POST, "/users/{u}", Admin),
        (Method::POST, "/users/tokens/{t}/revoke", Admin),
        (Method::GET, "/settings", Admin),
        (Method::POST, "/settings/reload", Admin),
        (Method::GET, "/api/v1/media", View),
        (Method::POST, "/api/v1/media", Edit),
        (Method::GET, "/api/v1/media/{m}", View),
        (Method::GET, "/api/v1/media/{m}/audio", View),
        (Method::GET, "/api/v1/items", View),
        (Method::POST, "/api/v1/items", Edit),
        (Method::GET, "/api/v1/items/{i}", View),
        (Method::PUT, "/api/v1/items/{i}", Edit),
        (Method::POST, "/api/v1/items/{i}/submit", Edit),
        (Method::POST, "/api/v1/items/{i}/withdraw", Edit),
        (Method::POST, "/api/v1/items/{i}/approve", Approve),
        (Method::POST, "/api/v1/items/{i}/reject", Approve),
        (Method::POST, "/api/v1/items/{i}/take-off", Approve),
        (Method::GET, "/api/v1/status", View),
        (Method::GET, "/api/v1/asrun", View),
        (Method::GET, "/api/v1/nodes", View),
        (Method::GET, "/api/v1/audit", Audit),
        (Method::GET, "/reports", Report),
        (Method::GET, "/api/v1/reports/plays", Report),
        (Method::GET, "/api/v1/reports/connectivity", Report),
        (Method::GET, "/api/v1/reports/condition", Report),
        (Method::GET, "/api/v1/events", View),
        (Method::GET, "/api/v1/listen", View),
        (Method::GET, "/emergency", Emergency),
        (Method::GET, "/banner", View),
        (Method::POST, "/emergency", Emergency),
        (Method::POST, "/emergency/stop", Emergency),
        (Method::GET, "/api/v1/emergency", View),
        (Method::POST, "/api/v1/emergency", Emergency),
        (Method::DELETE, "/api/v1/emergency", Emergency),
        (Method::POST, "/api/v1/cap", Emergency),
        (Method::GET, "/display", View),
        (Method::GET, "/display/slogans/new", Edit),
        (Method::POST, "/display/slogans/new", Edit),
        (Method::GET, "/display/slogans/{i}/edit", Edit),
        (Method::POST, "/display/slogans/{i}/edit", Edit),
        (Method::POST, "/display/slogans/{i}/submit", Edit),
        (Method::POST, "/display/slogans/{i}/withdraw", Edit),
        (Method::POST, "/display/slogans/{i}/approve", Approve),
        (Method::POST, "/display/slogans/{i}/reject", Approve),
        (Method::POST, "/display/slogans/{i}/take-off", Approve),
        (Method::GET, "/display/slogans/{i}/take-off", Approve),
        (Method::GET, "/api/v1/display", View),
        (Method::GET, "/api/v1/metrics", View),
        (Method::GET, "/api/v1/display/preview.png", View),
        (Method::GET, "/api/v1/display/slogans", View),
        (Method::POST, "/api/v1/display/slogans", Edit),
        (Method::GET, "/api/v1/display/slogans/{i}", View),
        (Method::PUT, "/api/v1/display/slogans/{i}", Edit),
        (Method::POST, "/api/v1/display/slogans/{i}/submit", Edit),
        (Method::POST, "/api/v1/display/slogans/{i}/withdraw", Edit),
        (Method::POST, "/api/v1/display/slogans/{i}/approve", Approve),
        (Method::POST, "/api/v1/display/slogans/{i}/reject", Approve),
        (
            Method::POST,
            "/api/v1/display/slogans/{i}/take-off",
            Approve,
        ),
    ]
}

/// Routes that are open to everyone by design.
const PUBLIC: &[&str] = &[
    "/login",
    "/logout",
    "/lang/{code}",
    "/setup/{token}",
    "/healthz",
    "/static/{*path}",
    "/favicon.ico",
    "/manifest.webmanifest",
    "/api/v1/openapi.json",
];

/// Routes for village nodes, by their media token, and for no person (the cluster tests
/// check that every person is refused there).
const NODES_ONLY: &[&str] = &["/api/v1/cluster/media/{sha256}"];

/// Routes that answer a part of a page, which open pages redraw in place (the emergency
/// banner), not a page of their own.
pub const PAGE_PARTS: &[&str] = &["/banner"];

#[test]
fn the_role_table_covers_every_route_in_the_code() {
    let covered: Vec<String> = routes()
        .iter()
        .map(|(_, p, _)| {
            p.replace("{i}", "{id}")
                .replace("{m}", "{id}")
                .replace("{u}", "{id}")
                .replace("{t}", "{id}")
        })
        .collect();
    for (file, prefix) in [
        ("src/web/pages/mod.rs", ""),
        ("src/web/api/mod.rs", "/api/v1"),
        ("src/web/health.rs", ""),
        ("src/web/assets.rs", ""),
    ] {
        let src =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
                .unwrap();
        for part in src.split(".route(\"").skip(1) {
            let path = format!("{prefix}{}", part.split('"').next().unwrap());
            assert!(
                PUBLIC.contains(&path.as_str())
                    || NODES_ONLY.contains(&path.as_str())
                    || covered.contains(&path),
                "route {path} in {file} has no entry in the role test"
            );
        }
    }
}

#[tokio::test]
async fn every_route_checks_every_role() {
    let t = TestApp::new();
    // An item by the editor, submitted, so approvers may act on it.
    let (media, item) = t.item_by(Role::Editor, "Bản tin kiểm tra quyền").await;
    let mut sessions = HashMap::new();
    for role in Role::ALL {
        sessions.insert(role, t.login(role.as_str(), PASSWORD).await.unwrap());
    }
    let user = t.ids[&Role::Operator];
    let store = &t.service.state.store;
    loaxa::station::accounts::create_token(store, "test", "operator", "t", TokenScope::Read)
        .unwrap();
    let token = loaxa::station::accounts::tokens(store, None)
        .unwrap()
        .last()
        .unwrap()
        .id;
    for (method, template, need) in routes() {
        let path = template
            .replace("{m}", &media.to_string())
            .replace("{i}", &item.to_string())
            .replace("{u}", &user.to_string())
            .replace("{t}", &token.to_string());
        // Nobody signed in.
        let (status, h, _) = t
            .send(
                Request::builder()
                    .method(method.clone())
                    .uri(&path)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        if path.starts_with("/api/") {
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "anonymous {method} {path}"
            );
        } else {
            assert_eq!(status, StatusCode::SEE_OTHER, "anonymous {method} {path}");
            assert!(
                h.location().starts_with("/login"),
                "{method} {path} → {}",
                h.location()
            );
        }
        for role in Role::ALL {
            let (session, csrf) = &sessions[&role];
            // Only the status: some answers (the event stream) never end.
            let req = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(header::COOKIE, format!("loaxa_session={session}"))
                .header("x-csrf-token", csrf)
                .body(Body::empty())
                .unwrap();
            let status = t.app().oneshot(req).await.unwrap().status();
            if allowed(role, need) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role:?} may {method} {path} but got {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role:?} may not {method} {path}"
                );
            }
        }
    }
}

#[tokio::test]
async fn unsafe_requests_without_the_csrf_token_are_refused() {
    let t = TestApp::new();
    let (_, item) = t.item_by(Role::Editor, "CSRF").await;
    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    let (status, _, body) = t
        .page(
            &session,
            Method::POST,
            &format!("/items/{item}/submit"),
            Some(String::new()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("CSRF"), "{body}");
    let (status, _, _) = t
        .page(
            &session,
            Method::POST,
            &format!("/items/{item}/submit"),
            Some("csrf=sai".into()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, h, _) = t
        .page(
            &session,
            Method::POST,
            &format!("/items/{item}/submit"),
            Some(format!("csrf={csrf}")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the right token works");
    assert_eq!(h.location(), format!("/items/{item}"));
}

#[tokio::test]
async fn wrong_passwords_are_told_and_throttled() {
    let t = TestApp::new();
    for _ in 0..5 {
        let err = t.login("editor", "sai mật khẩu rồi").await.unwrap_err();
        assert_eq!(err.0, StatusCode::OK);
        assert!(
            err.1.contains("Sai tên đăng nhập hoặc mật khẩu"),
            "{}",
            err.1
        );
    }
    let err = t.login("editor", PASSWORD).await.unwrap_err();
    assert_eq!(
        err.0,
        StatusCode::TOO_MANY_REQUESTS,
        "the sixth try is refused even with the right password"
    );
    assert!(err.1.contains("giây"), "{}", err.1);
}

#[tokio::test]
async fn an_ended_session_sends_the_user_to_sign_in_again() {
    let t = TestApp::new();
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    t.service
        .state
        .store
        .with(|c| {
            Ok(c.execute(
                "UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z'",
                [],
            )?)
        })
        .unwrap();
    let (status, h, _) = t.page(&session, Method::GET, "/items", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h.location(), "/login?next=%2Fitems&expired=1");
    let (_, _, page) = t
        .send(
            Request::get("/login?expired=1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.contains("Phiên đăng nhập đã hết hạn"));
}

#[tokio::test]
async fn uploads_report_measurements_and_refuse_bad_files_clearly() {
    let t = TestApp::with(|c| c.web.max_upload_mb = 1);
    let mp3 = std::fs::read(fixture("ban-tin.mp3")).unwrap();
    let (status, body) = t
        .upload(
            Role::Editor,
            "../../etc/ban-tin.mp3",
            &mp3,
            "Bản tin <script>alert(1)</script>",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        body["media"]["duration_ms"]
            .as_u64()
            .unwrap()
            .abs_diff(4030)
            < 15
    );
    assert!(body["media"]["integrated_lufs"].as_f64().is_some());
    assert_eq!(
        body["media"]["original_name"], "ban-tin.mp3",
        "the path is dropped"
    );
    let (status, again) = t.upload(Role::Editor, "copy.mp3", &mp3, "x").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["duplicate"], true);

    let (status, body) = t
        .upload(
            Role::Editor,
            "gia-mao.mp3",
            &std::fs::read(fixture("gia-mao.mp3")).unwrap(),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "unsupported_media");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("không phải âm thanh")
    );

    let big = vec![7u8; 3_000_000];
    let (status, body) = t.upload(Role::Editor, "lon.wav", &big, "").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("1 MB"),
        "{body}"
    );
    let media = t
        .service
        .state
        .store
        .with(|c| Ok(loaxa::store::media::list(c, None)?))
        .unwrap();
    assert_eq!(media.len(), 1, "nothing half-stored");
    let incoming = t.service.state.config.data_dir.join("media/incoming");
    assert!(
        std::fs::read_dir(incoming).unwrap().next().is_none(),
        "no half file left"
    );

    // The title is shown escaped.
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let (_, _, page) = t.page(&session, Method::GET, "/library", None).await;
    assert!(page.contains("&#60;script&#62;alert(1)"), "escaped");
    assert!(!page.contains("<script>alert"), "never raw");
}

#[tokio::test]
async fn the_approval_workflow_through_the_api() {
    let t = TestApp::new();
    let (_, item) = t.item_by(Role::Editor, "Thông báo tiêm chủng").await;
    let (s, _) = t
        .api(
            Role::Editor,
            Method::POST,
            &format!("/items/{item}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "editors do not approve");
    let (s, body) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("/items/{item}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "not submitted yet: {body}");
    let (s, body) = t
        .api(
            Role::Editor,
            Method::POST,
            &format!("/items/{item}/submit"),
            None,
        )
        .await;
    assert_eq!(
        (s, body["state"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );
    let (s, body) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("/items/{item}/reject"),
            Some(serde_json::json!({"reason": " "})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a rejection needs a reason: {body}"
    );

    // Two leaders approve at the same moment: exactly one wins.
    let path = format!("/items/{item}/approve");
    let a = t.api(Role::Approver, Method::POST, &path, None);
    let b = t.api(Role::Approver, Method::POST, &path, None);
    let ((sa, _), (sb, _)) = tokio::join!(a, b);
    let mut got = [sa, sb];
    got.sort();
    assert_eq!(got, [StatusCode::OK, StatusCode::CONFLICT]);

    // Replacing the audio of an approved item makes a draft revision: the approved version
    // stays approved (and airs) until the revision is approved.
    let ogg = std::fs::read(fixture("canh-bao.ogg")).unwrap();
    let (_, m2) = t
        .upload(Role::Editor, "canh-bao.ogg", &ogg, "Bản mới")
        .await;
    let edit = serde_json::json!({"media_id": m2["media"]["id"], "title": "Thông báo tiêm chủng (sửa)", "category": "notice"});
    let (s, body) = t
        .api(
            Role::Editor,
            Method::PUT,
            &format!("/items/{item}"),
            Some(edit.clone()),
        )
        .await;
    assert_eq!(
        (s, body["state"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{body}"
    );
    assert_eq!(
        body["title"], "Thông báo tiêm chủng",
        "the approved words stay"
    );
    assert_eq!(body["pending_revision"]["state"], "draft", "{body}");
    assert_eq!(body["pending_revision"]["revision"], 2, "{body}");
    // The same edit again changes nothing: no new revision, and the answer says what is.
    let (s, again) = t
        .api(
            Role::Editor,
            Method::PUT,
            &format!("/items/{item}"),
            Some(edit),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(
        again["pending_revision"]["updated_at"],
        body["pending_revision"]["updated_at"]
    );
    // Submitted and approved by a leader who did not make it, it replaces the approved one.
    for (role, step) in [(Role::Editor, "submit"), (Role::Approver, "approve")] {
        let (s, b) = t
            .api(role, Method::POST, &format!("/items/{item}/{step}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{step}: {b}");
    }
    let (_, now) = t
        .api(Role::Operator, Method::GET, &format!("/items/{item}"), None)
        .await;
    assert_eq!(now["state"], "approved", "{now}");
    assert_eq!(now["revision"], 2);
    assert_eq!(now["media_id"], m2["media"]["id"]);
    assert_eq!(now["title"], "Thông báo tiêm chủng (sửa)");
    assert!(now["pending_revision"].is_null(), "{now}");

    let log = t
        .service
        .state
        .store
        .with(|c| Ok(audit::for_subject(c, &format!("item:{item}"))?))
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "item.create",
            "item.submit",
            "item.approve",
            "item.edit",
            "item.submit",
            "item.approve"
        ]
    );
    let revisions: Vec<i64> = log
        .iter()
        .map(|e| e.detail["revision"].as_i64().unwrap_or(1))
        .collect();
    assert_eq!(
        revisions,
        [1, 1, 1, 2, 2, 2],
        "the audit names each revision"
    );
}

#[tokio::test]
async fn nobody_approves_their_own_item() {
    let t = TestApp::new();
    let (_, item) = t.item_by(Role::Approver, "Của lãnh đạo").await;
    t.api(
        Role::Approver,
        Method::POST,
        &format!("/items/{item}/submit"),
        None,
    )
    .await;
    let (s, body) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("/items/{item}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tự duyệt"),
        "{body}"
    );
}

#[tokio::test]
async fn api_errors_are_json_with_code_and_message() {
    let t = TestApp::new();
    let (s, body) = t
        .api(Role::Editor, Method::GET, "/items/424242", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let req = Request::get("/api/v1/items")
        .header(header::AUTHORIZATION, "Bearer sai")
        .body(Body::empty())
        .unwrap();
    let (s, _, text) = t.send(req).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(text.contains("\"unauthorized\""));
    let (s, body) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(serde_json::json!({"media_id": 1})),
        )
        .await;
    assert!(s.is_client_error(), "{s} {body}");
}

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let t = TestApp::new();
    let (s, _, text) = t
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/media",
        "/media/{id}/audio",
        "/items",
        "/items/{id}/approve",
        "/status",
        "/asrun",
        "/audit",
    ] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
}

#[tokio::test]
async fn audio_is_served_with_ranges_for_listening() {
    let t = TestApp::new();
    let (media, _) = t.item_by(Role::Editor, "Nghe thử").await;
    let req = Request::get(format!("/api/v1/media/{media}/audio"))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", t.tokens[&Role::Approver]),
        )
        .header(header::RANGE, "bytes=0-99")
        .body(Body::empty())
        .unwrap();
    let res = t.app().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("audio/")
    );
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(body.len(), 100);
}

#[tokio::test]
async fn first_start_offers_a_one_time_admin_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let service = Service::start(config).unwrap();
    let link = service.first_run_link().unwrap().unwrap();
    let app = || loaxa::web::app(service.state.clone());
    let form = format!(
        "name=quantri&display_name=Qu%E1%BA%A3n+tr%E1%BB%8B&password={p}&password2={p}",
        p = urlencode(PASSWORD)
    );
    let post = || {
        Request::post(link.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.clone()))
            .unwrap()
    };
    let res = app().oneshot(post()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let n = service.state.store.with(|c| Ok(users::list(c)?)).unwrap();
    assert_eq!((n.len(), n[0].role), (1, Role::Admin));
    // Used once: the same link does nothing now.
    let res = app().oneshot(post()).await.unwrap();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("đã được dùng"));
    assert_eq!(
        service.state.store.with(|c| Ok(users::count(c)?)).unwrap(),
        1
    );
    assert!(
        service.first_run_link().unwrap().is_none(),
        "no link once an admin exists"
    );
}

/// The web app put together from its parts, on an in-memory database and a null output,
/// without a running service: each handler takes only the parts it uses, so this is all a
/// test (or `loaxa node`) needs.
#[tokio::test]
async fn the_web_app_runs_on_an_in_memory_store_and_a_null_output() {
    use std::sync::Arc;

    use loaxa::audio::AudioFormat;
    use loaxa::audio::player::{OutputOptions, Player};
    use loaxa::clock::SystemClock;
    use loaxa::config::OutputSpec;
    use loaxa::display::board::Board;
    use loaxa::emergency::Emergency;
    use loaxa::media::MediaLibrary;
    use loaxa::schedule::{Programme, Timetable};
    use loaxa::station::accounts::{self as accounts_of, NewAccount};
    use loaxa::station::{Bus, Station};
    use loaxa::store::Store;
    use loaxa::web::AppState;

    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let store = Store::open_in_memory().unwrap();
    let format = AudioFormat {
        sample_rate: 48_000,
        channels: 1,
    };
    let clock = Arc::new(SystemClock::new());
    let player =
        Arc::new(Player::spawn(OutputOptions::new(OutputSpec::Null, format, clock)).unwrap());
    let emergency = Emergency::new(
        store.clone(),
        player.clone(),
        config.emergency.clone(),
        dir.path().to_path_buf(),
        None,
        loaxa::speech::Speech::default(),
    );
    let board = Board::new(
        store.clone(),
        config.display.clone(),
        config.timezone,
        Some(emergency.panel()),
    )
    .unwrap();
    let station = Station {
        store: store.clone(),
        library: MediaLibrary::new(dir.path(), store.clone(), config.loudness),
        player,
        timetable: Timetable::fixed(Programme::default(), config.timezone),
        events: Bus::default(),
        emergency,
        board: Arc::new(board),
        panel: None,
        clock: Arc::new(loaxa::clock::SystemClock::new()),
    };
    let app = loaxa::web::app(AppState::new(Arc::new(config), station));
    let account = |name: &str, role| NewAccount {
        name: name.into(),
        display_name: String::new(),
        role,
        password: PASSWORD.into(),
    };
    accounts_of::create_user(&store, "test", &account("bientap", Role::Editor)).unwrap();
    accounts_of::create_user(&store, "chutich", &account("chutich", Role::Approver)).unwrap();
    let token =
        |name| accounts_of::create_token(&store, "test", name, "test", TokenScope::Role).unwrap();
    let (editor, leader) = (token("bientap"), token("chutich"));
    let call = |token: &str, method: Method, path: &str, body: Option<serde_json::Value>| {
        let req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
        app.clone().oneshot(req.body(body).unwrap())
    };
    let body = |res: axum::response::Response| async move {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default()
    };
    // A slogan goes through its review on this app.
    let res = call(
        &editor,
        Method::POST,
        "/display/slogans",
        Some(serde_json::json!({"text": "Xin chào bà con"})),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = body(res).await["id"].as_i64().unwrap();
    let res = call(
        &editor,
        Method::POST,
        &format!("/display/slogans/{id}/submit"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        &leader,
        Method::POST,
        &format!("/display/slogans/{id}/approve"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(body(res).await["state"], "approved");
    let res = call(
        &leader,
        Method::GET,
        "/display/slogans?state=approved",
        None,
    )
    .await
    .unwrap();
    assert_eq!(body(res).await[0]["id"], id);
    let res = call(&leader, Method::GET, "/status", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["player"]["output"], "null");
    let page = app
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}
