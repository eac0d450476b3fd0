//! Sessions, setup links and forms as issue 14 item 8 asks: a new session id at every
//! sign-in, an idle end (sooner for operators and admins) on the simulated clock, event streams
//! that end at logout and when the user is disabled (a real client over a real socket), a setup
//! link that expires after 24 hours, the CSRF token kept out of every URL, and the HTTPS
//! certificate's fingerprint on the settings page.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::clock::SimClock;
use loaxa::config::Config;
use loaxa::model::Role;
use loaxa::station::accounts::{self, AccountChange, NewAccount, SetupLink};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::common::loaxa;
use crate::web::{PASSWORD, TestApp, multipart, routes, urlencode};

/// A simulated clock put under `t`'s web layer, starting now.
fn simulated(t: &mut TestApp) -> Arc<SimClock> {
    let sim = Arc::new(SimClock::starting_at(chrono::Utc::now()));
    t.service.state.clock = sim.clone();
    sim
}

/// Whether `session` still opens the dashboard.
async fn signed_in(t: &TestApp, session: &str) -> bool {
    let (status, _, _) = t.page(session, Method::GET, "/", None).await;
    status == StatusCode::OK
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_the_old_one_is_signed_out() {
    let t = TestApp::new();
    let (before, _) = t.login("editor", PASSWORD).await.unwrap();
    // Sign in again from the browser that holds `before` (or was given it by someone).
    let (_, h, _) = t
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let form = h.cookie("loaxa_login").unwrap();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("loaxa_login={form}; loaxa_session={before}"),
        )
        .body(Body::from(format!(
            "name=editor&password={}&form={form}&next=%2F",
            urlencode(PASSWORD)
        )))
        .unwrap();
    let (status, h, _) = t.send(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = h.cookie("loaxa_session").unwrap();
    assert_ne!(after, before, "a new id at sign-in");
    assert!(signed_in(&t, &after).await);
    assert!(!signed_in(&t, &before).await, "the old id is not signed in");
}

#[tokio::test]
async fn an_unused_session_ends_sooner_for_operators_and_admins_than_for_editors() {
    let mut t = TestApp::new();
    let sim = simulated(&mut t);
    let (editor, _) = t.login("editor", PASSWORD).await.unwrap();
    let (operator, _) = t.login("operator", PASSWORD).await.unwrap();
    sim.advance(Duration::from_secs(29 * 60));
    assert!(signed_in(&t, &operator).await, "29 minutes: still in");
    // What an open page fetches by itself is not use.
    sim.advance(Duration::from_secs(20 * 60));
    let (status, _, _) = t.page(&operator, Method::GET, "/api/v1/status", None).await;
    assert_eq!(status, StatusCode::OK);
    sim.advance(Duration::from_secs(11 * 60));
    let (status, h, _) = t.page(&operator, Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "31 minutes unused: out");
    assert!(h.location().contains("expired=1"), "{}", h.location());
    assert!(
        signed_in(&t, &editor).await,
        "an editor's sign-in lasts longer"
    );
    sim.advance(Duration::from_secs(121 * 60));
    assert!(!signed_in(&t, &editor).await, "121 minutes unused: out");
}

#[test]
fn idle_minutes_are_checked() {
    let mut c = Config::default();
    c.web.session_idle_minutes_privileged = 0;
    c.web.session_idle_minutes = 2000;
    let keys: Vec<String> = c.problems().into_iter().map(|(key, _, _)| key).collect();
    assert!(
        keys.contains(&"web.session_idle_minutes".to_string())
            && keys.contains(&"web.session_idle_minutes_privileged".to_string()),
        "{keys:?}"
    );
}

// ---- event streams over a real socket ----

/// A service on a real socket with an admin and an editor, stopped when dropped.
struct Served {
    addr: std::net::SocketAddr,
    store: loaxa::store::Store,
    editor: i64,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn served() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let service = loaxa::service::Service::start(config).unwrap();
    let store = service.state.store.clone();
    let person = |name: &str, role| NewAccount {
        name: name.into(),
        display_name: String::new(),
        role,
        password: PASSWORD.into(),
    };
    accounts::create_user(&store, "test", &person("quantri", Role::Admin)).unwrap();
    let editor = accounts::create_user(&store, "test", &person("bientap", Role::Editor))
        .unwrap()
        .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    Served {
        addr,
        store,
        editor,
        _stop: stop,
        _dir: dir,
    }
}

/// One HTTP/1.1 exchange on its own connection: the whole answer.
async fn exchange(addr: std::net::SocketAddr, request: String) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

fn set_cookie(answer: &str, name: &str) -> String {
    answer
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.trim().split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| panic!("no {name} cookie in {answer}"))
}

/// Sign in over HTTP: the session cookie and its CSRF token.
async fn sign_in(addr: std::net::SocketAddr, name: &str) -> (String, String) {
    let form = exchange(
        addr,
        "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    let pairing = set_cookie(&form, "loaxa_login");
    let body = format!(
        "name={name}&password={}&form={pairing}&next=%2F",
        urlencode(PASSWORD)
    );
    let answer = exchange(
        addr,
        format!(
            "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: loaxa_login={pairing}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    let session = set_cookie(&answer, "loaxa_session");
    let page = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: loaxa_session={session}\r\n\r\n"),
    )
    .await;
    let csrf = page
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    (session, csrf)
}

/// An open event stream: its connection, past the answer's head.
async fn open_stream(addr: std::net::SocketAddr, session: &str) -> tokio::net::TcpStream {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        format!("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nConnection: close\r\nCookie: loaxa_session={session}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut byte))
            .await
            .expect("the stream's head within 5 s")
            .unwrap();
        assert_eq!(
            n,
            1,
            "closed before the head: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    conn
}

/// Seconds until the stream's connection closes (at most 10).
async fn seconds_until_closed(mut conn: tokio::net::TcpStream) -> f64 {
    let start = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut rest))
        .await
        .expect("the stream was still open after 10 s")
        .unwrap();
    start.elapsed().as_secs_f64()
}

#[tokio::test]
async fn event_streams_end_at_logout_and_when_the_user_is_disabled() {
    let server = served().await;
    let (admin, csrf) = sign_in(server.addr, "quantri").await;
    let stream = open_stream(server.addr, &admin).await;
    // It stays open while the session does.
    let mut probe = [0u8; 64];
    let mut conn = stream;
    let early = tokio::time::timeout(Duration::from_secs(3), conn.read(&mut probe)).await;
    assert!(early.is_err(), "the stream stays open while signed in");
    let answer = exchange(
        server.addr,
        format!("POST /logout HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: loaxa_session={admin}\r\nX-CSRF-Token: {csrf}\r\nContent-Length: 0\r\n\r\n"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    let took = seconds_until_closed(conn).await;
    assert!(took < 5.0, "closed {took:.1} s after logout");

    let (editor, _) = sign_in(server.addr, "bientap").await;
    let stream = open_stream(server.addr, &editor).await;
    let (store, id) = (server.store.clone(), server.editor);
    tokio::task::spawn_blocking(move || {
        let change = AccountChange {
            display_name: "bientap".into(),
            role: Role::Editor,
            active: false,
            password: None,
        };
        accounts::update_user(&store, "quantri", id, &change)
    })
    .await
    .unwrap()
    .unwrap();
    let took = seconds_until_closed(stream).await;
    assert!(took < 5.0, "closed {took:.1} s after the user was disabled");
}

// ---- setup links ----

#[tokio::test]
async fn a_setup_link_a_day_old_says_what_to_run_and_makes_no_admin() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let mut service = loaxa::service::Service::start(config).unwrap();
    let sim = Arc::new(SimClock::starting_at(chrono::Utc::now()));
    service.state.clock = sim.clone();
    let link = service.first_run_link().unwrap().unwrap();
    let app = || loaxa::web::app(service.state.clone());
    let get = |app: axum::Router| async {
        let res = app
            .oneshot(Request::get(&link).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    sim.advance(Duration::from_secs(23 * 3600 + 59 * 60));
    assert!(
        get(app()).await.contains("name=\"password2\""),
        "the form, a minute before"
    );
    sim.advance(Duration::from_secs(60));
    let page = get(app()).await;
    assert!(page.contains("hết hạn"), "{page}");
    assert!(
        page.contains("loaxa --config /etc/loaxa/loaxa.toml setup-link"),
        "{page}"
    );
    assert!(!page.contains("name=\"password\""), "no form");
    let body = format!(
        "name=quantri&display_name=Qu%E1%BA%A3n+tr%E1%BB%8B&password={p}&password2={p}",
        p = urlencode(PASSWORD)
    );
    let res = app()
        .oneshot(
            Request::post(&link)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(
        res.headers().get(header::SET_COOKIE).is_none(),
        "nobody signed in"
    );
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("setup-link"));
    let users = service
        .state
        .store
        .with(|c| Ok(loaxa::store::users::count(c)?))
        .unwrap();
    assert_eq!(users, 0, "no admin from an expired link");
}

#[test]
fn loaxa_setup_link_prints_a_new_link_that_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loaxa.toml");
    std::fs::write(&cfg, format!("data_dir = \"{}\"\n", dir.path().display())).unwrap();
    let link = || {
        let out = loaxa()
            .arg("--config")
            .arg(&cfg)
            .arg("setup-link")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (
            out.status.code(),
            text,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let token = |text: &str| {
        text.split("/setup/")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or_else(|| panic!("no link in {text}"))
            .to_string()
    };
    let (code, first, err) = link();
    assert_eq!(code, Some(0), "{err}");
    assert!(first.contains("http://localhost:8080/setup/"), "{first}");
    assert!(first.contains("24"), "says how long it works: {first}");
    let (_, second, _) = link();
    let (old, new) = (token(&first), token(&second));
    assert_ne!(old, new);
    let store = loaxa::store::Store::open(&dir.path().join("loaxa.sqlite3")).unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        accounts::setup_link(&store, &old, now).unwrap(),
        SetupLink::Gone
    );
    assert_eq!(
        accounts::setup_link(&store, &new, now).unwrap(),
        SetupLink::Open
    );
    let person = NewAccount {
        name: "quantri".into(),
        display_name: String::new(),
        role: Role::Admin,
        password: PASSWORD.into(),
    };
    accounts::create_user(&store, "test", &person).unwrap();
    let (code, _, err) = link();
    assert_eq!(code, Some(1));
    assert!(err.contains("loaxa user add"), "{err}");
}

// ---- CSRF out of URLs ----

/// Every `href`, `action` and `src` value in a page.
fn addresses(page: &str) -> Vec<String> {
    ["href=\"", "action=\"", "src=\""]
        .iter()
        .flat_map(|attr| {
            page.split(attr)
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn no_page_puts_the_csrf_token_in_an_address_for_any_role() {
    let t = TestApp::new();
    let (_, item) = t.item_by(Role::Editor, "Bản tin").await;
    let mut seen = 0;
    for role in Role::ALL {
        let (session, csrf) = t.login(role.as_str(), PASSWORD).await.unwrap();
        assert_eq!(csrf.len(), 64);
        for (method, template, _) in routes() {
            if method != Method::GET || template.starts_with("/api/") {
                continue;
            }
            let path = template
                .replace("{i}", &item.to_string())
                .replace("{u}", &t.ids[&role].to_string());
            let (status, _, page) = t.page(&session, Method::GET, &path, None).await;
            if status != StatusCode::OK {
                continue;
            }
            seen += 1;
            for a in addresses(&page) {
                assert!(
                    !a.contains("csrf") && !a.contains(&csrf),
                    "{role:?} {path}: {a}"
                );
            }
        }
    }
    assert!(seen > 40, "pages looked at: {seen}");
}

#[tokio::test]
async fn a_multipart_upload_carries_its_csrf_token_as_its_first_field_not_in_the_url() {
    let t = TestApp::new();
    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    let audio = std::fs::read(crate::common::fixture("ban-tin.mp3")).unwrap();
    let post = |uri: String, parts: Vec<(&'static str, Vec<u8>, Option<&'static str>)>| {
        let parts: Vec<(&str, &[u8], Option<&str>)> = parts
            .iter()
            .map(|(n, b, f)| (*n, b.as_slice(), *f))
            .collect();
        let (ct, body) = multipart(&parts);
        Request::post(uri)
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, format!("loaxa_session={session}"))
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let token = || ("csrf", csrf.clone().into_bytes(), None);
    let file = || ("file", audio.clone(), Some("ban-tin.mp3"));
    // In the URL only: refused, as the old page sent it.
    let (status, _, body) = t
        .send(post(format!("/api/v1/media?csrf={csrf}"), vec![file()]))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // After the file: refused without reading the file.
    let (status, _, _) = t
        .send(post("/api/v1/media".into(), vec![file(), token()]))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = t
        .send(post(
            "/api/v1/media".into(),
            vec![("csrf", b"sai".to_vec(), None), file()],
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, list) = t
        .send(
            Request::get("/api/v1/media")
                .header(header::COOKIE, format!("loaxa_session={session}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.trim(), "[]", "nothing was stored");
    // First, as the page's form sends it: taken.
    let (status, _, body) = t
        .send(post("/api/v1/media".into(), vec![token(), file()]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The item form too (its multipart post without JavaScript).
    let (status, _, body) = t
        .send(post(
            "/items/new".into(),
            vec![
                token(),
                ("title", "Tin sáng".as_bytes().to_vec(), None),
                ("category", b"bulletin".to_vec(), None),
                ("tier", b"normal".to_vec(), None),
                file(),
            ],
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
}

// ---- the certificate's fingerprint ----

#[tokio::test]
async fn the_settings_page_shows_the_https_certificates_fingerprint() {
    let certs = tempfile::tempdir().unwrap();
    let made = loaxa::web::tls::make_certificate(certs.path(), &["loa-xa.local".into()]).unwrap();
    let (cert, key) = (made.cert.clone(), made.key.clone());
    let t = TestApp::with(move |c| {
        c.web.tls_cert = cert;
        c.web.tls_key = key;
    });
    let (session, _) = t.login("admin", PASSWORD).await.unwrap();
    let (status, _, page) = t.page(&session, Method::GET, "/settings", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("id=\"tls-fingerprint\">{}<", made.fingerprint)),
        "{}",
        made.fingerprint
    );
    let plain = TestApp::new();
    let (session, _) = plain.login("admin", PASSWORD).await.unwrap();
    let (_, _, page) = plain.page(&session, Method::GET, "/settings", None).await;
    assert!(
        !page.contains("tls-fingerprint"),
        "no HTTPS, no fingerprint"
    );
}
