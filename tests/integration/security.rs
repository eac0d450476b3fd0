//! The attacks of issue 14, re-run: each test is one try an attacker made, against the real
//! router and store (or a real socket where the attack is on the connection), and checks that
//! it now fails the way a user would notice.

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::config::Config;
use loaxa::model::Role;
use loaxa::ops::backup::{self, BackupError};
use loaxa::web::throttle::SignInGate;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::web::{PASSWORD, TestApp, urlencode};

/// The login form's pairing cookie, as a browser gets it.
async fn login_cookie(t: &TestApp) -> String {
    let (_, h, _) = t
        .send(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    h.cookie("loaxa_login").unwrap()
}

/// A sign-in form post, with `next` and extra headers.
fn login_request(
    cookie: &str,
    name: &str,
    password: &str,
    next: &str,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let body = format!(
        "name={}&password={}&form={cookie}&next={}",
        urlencode(name),
        urlencode(password),
        urlencode(next)
    );
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("loaxa_login={cookie}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body)).unwrap()
}

fn checks(t: &TestApp) -> u64 {
    t.service.state.sign_ins.checks()
}

// ---- 3. open redirect ----

#[tokio::test]
async fn the_language_switch_and_sign_in_only_go_to_pages_of_this_site() {
    let t = TestApp::new();
    for next in [
        "/%09/evil.example",
        "%2F%09%2Fevil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "/x%0d%0aSet-Cookie:%20a=b",
        "%2Fx%0D%0ALocation:%20https://evil.example",
    ] {
        let (status, h, _) = t
            .send(
                Request::get(format!("/lang/en?next={next}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}: no 500");
        assert_eq!(h.location(), "/", "{next}");
    }
    // A Referer from elsewhere that would read as another site goes home too.
    let (_, h, _) = t
        .send(
            Request::get("/lang/vi")
                .header(header::REFERER, "http://loa-xa.local/\t/evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(h.location(), "/");
    // A page of this site is kept.
    let (_, h, _) = t
        .send(
            Request::get("/lang/en?next=%2Fitems%3Fstatus%3Ddraft")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(h.location(), "/items?status=draft");

    // After signing in.
    let cookie = login_cookie(&t).await;
    let (status, h, _) = t
        .send(login_request(
            &cookie,
            "editor",
            PASSWORD,
            "/\t/evil.example",
            &[],
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.location(),
        "/",
        "signed in, sent home, not to evil.example"
    );
}

// ---- 5. body limits and timeouts ----

#[tokio::test]
async fn a_megabyte_to_the_sign_in_and_setup_forms_is_refused_before_any_work() {
    let t = TestApp::new();
    let cookie = login_cookie(&t).await;
    let big = format!(
        "name=editor&password={}&form={cookie}&next=%2F",
        "a".repeat(1 << 20)
    );
    // Declared large: refused from its Content-Length, before a byte is read.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("loaxa_login={cookie}"))
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let (status, _, _) = t.send(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Sent in chunks with no length: refused once it passes the limit.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(8192)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("loaxa_login={cookie}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let (status, _, _) = t.send(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(checks(&t), 0, "no password was checked");

    // The first-run link: an empty database gets one; a huge form does not create the admin.
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let service = loaxa::service::Service::start(config).unwrap();
    let setup = service.first_run_link().unwrap().unwrap();
    let body = format!(
        "name=admin&display_name=A&password={p}&password2={p}",
        p = "b".repeat(1 << 20)
    );
    let res = tower::ServiceExt::oneshot(
        loaxa::web::app(service.state.clone()),
        Request::post(setup.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let users = service
        .state
        .store
        .with(|c| Ok(loaxa::store::users::list(c)?))
        .unwrap();
    assert!(users.is_empty(), "no admin was made");
}

/// A service on a real socket, stopped when dropped.
struct Running {
    addr: std::net::SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn running(tune: impl FnOnce(&mut Config)) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    tune(&mut config);
    let service = loaxa::service::Service::start(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        _stop: stop,
        _dir: dir,
    }
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let server = running(|c| c.web.request_timeout_seconds = 1).await;
    let mut conn = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The headers never end; the server closes the connection instead of waiting forever.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection was still open after 10 s");
}

#[tokio::test]
async fn a_form_body_that_never_ends_times_out() {
    let server = running(|c| c.web.request_timeout_seconds = 1).await;
    let mut conn = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    conn.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=a",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "no answer after 10 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

// ---- 4. sign-in throttling ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_wrong_passwords_cost_five_checks() {
    let t = TestApp::new();
    let cookie = login_cookie(&t).await;
    let tries = (0..40).map(|i| {
        let app = t.app();
        let req = login_request(&cookie, "operator", &format!("sai {i}"), "/", &[]);
        tokio::spawn(async move { tower::ServiceExt::oneshot(app, req).await.unwrap().status() })
    });
    let mut refused = 0;
    for status in futures_util::future::join_all(tries).await {
        if status.unwrap() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    let checked = checks(&t);
    // Five free tries; then 1 s, 2 s… between tries. A machine loaded enough to take over a
    // second to deliver the forty lets one more through per wait that passed meanwhile.
    let free = u64::from(SignInGate::FREE_TRIES);
    assert!(
        (free..=free + 2).contains(&checked),
        "argon2 ran {checked} times for 40 parallel guesses"
    );
    assert_eq!(refused, 40 - checked);
}

#[tokio::test]
async fn unknown_names_cost_a_check_like_known_ones() {
    let t = TestApp::new();
    let cookie = login_cookie(&t).await;
    let (status, _, page) = t
        .send(login_request(&cookie, "khong-ai-ca", "sai rồi", "/", &[]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sai tên đăng nhập hoặc mật khẩu"), "{page}");
    assert_eq!(checks(&t), 1, "argon2 ran for a name that does not exist");
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // No proxy configured: X-Forwarded-For is the attacker's to write, and ignored.
    let t = TestApp::new();
    let cookie = login_cookie(&t).await;
    for i in 0..SignInGate::FREE_TRIES {
        let forged = format!("198.51.100.{i}");
        let req = login_request(
            &cookie,
            "editor",
            "sai",
            "/",
            &[("x-forwarded-for", &forged)],
        );
        assert_eq!(t.send(req).await.0, StatusCode::OK);
    }
    let req = login_request(
        &cookie,
        "editor",
        PASSWORD,
        "/",
        &[("x-forwarded-for", "203.0.113.9")],
    );
    assert_eq!(
        t.send(req).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged address does not get a fresh budget"
    );

    // Behind a configured proxy (this machine), each client is its own address.
    let t = TestApp::with(|c| c.web.trusted_proxies = vec!["127.0.0.1".into()]);
    let cookie = login_cookie(&t).await;
    for _ in 0..SignInGate::FREE_TRIES {
        let req = login_request(
            &cookie,
            "editor",
            "sai",
            "/",
            &[("x-forwarded-for", "198.51.100.7")],
        );
        assert_eq!(t.send(req).await.0, StatusCode::OK);
    }
    let guesser = login_request(
        &cookie,
        "editor",
        "sai",
        "/",
        &[("x-forwarded-for", "198.51.100.7")],
    );
    assert_eq!(t.send(guesser).await.0, StatusCode::TOO_MANY_REQUESTS);
    let staff = login_request(
        &cookie,
        "editor",
        PASSWORD,
        "/",
        &[("x-forwarded-for", "198.51.100.8")],
    );
    let (status, h, _) = t.send(staff).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the real editor still signs in"
    );
    assert!(h.cookie("loaxa_session").is_some_and(|c| !c.is_empty()));
}
// ---- 2. deciding a version one edited ----

/// A second leader, with an API token: the one who may decide what the first one edited.
fn second_leader(t: &TestApp) -> String {
    let hash = loaxa::accounts::hash_password(PASSWORD).unwrap();
    t.service
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
        .unwrap()
}

async fn api_as(
    t: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    let (s, _, text) = t.send(req.body(body).unwrap()).await;
    (s, serde_json::from_str(&text).unwrap_or_default())
}

/// Edit `path` as the approver, submit it as the editor, and check the approver can neither
/// approve nor reject it (while another leader can approve it).
async fn edited_by_the_approver_then_decided(t: &TestApp, path: &str, edit: serde_json::Value) {
    let (s, body) = t.api(Role::Approver, Method::PUT, path, Some(edit)).await;
    assert_eq!(s, StatusCode::OK, "the approver edits: {body}");
    let (s, body) = t
        .api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    for (step, why) in [
        ("approve", None),
        ("reject", Some(json!({"reason": "không ổn"}))),
    ] {
        let (s, body) = t
            .api(Role::Approver, Method::POST, &format!("{path}/{step}"), why)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} {step}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("bạn đã sửa bản này"), "{message}");
        assert!(message.contains("you edited this version"), "{message}");
    }
    let other = second_leader(t);
    let (s, body) = api_as(t, &other, Method::POST, &format!("{path}/approve"), None).await;
    assert_eq!(s, StatusCode::OK, "another leader approves: {body}");
    assert_eq!(body["state"], "approved");
}

#[tokio::test]
async fn a_leader_who_edited_an_item_cannot_approve_or_reject_it() {
    let t = TestApp::new();
    let (media, item) = t.item_by(Role::Editor, "Của cán bộ").await;
    // The page offers the approver no buttons for it once they edited it.
    let (session, _) = t.login("approver", PASSWORD).await.unwrap();
    let path = format!("/items/{item}");
    let edit = json!({"media_id": media, "title": "Lời của lãnh đạo", "category": "bulletin"});
    let (s, body) = t.api(Role::Approver, Method::PUT, &path, Some(edit)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    t.api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    let (_, _, queue) = t.page(&session, Method::GET, "/approvals", None).await;
    assert!(
        queue.contains(&format!("/items/{item}\"")),
        "listed: {queue}"
    );
    assert!(
        !queue.contains(&format!("action=\"/items/{item}/approve\"")),
        "no approve button for a version they edited"
    );
    // Edited once more by the approver, then over the API: refused both ways.
    let edit =
        json!({"media_id": media, "title": "Lời của lãnh đạo, lần hai", "category": "bulletin"});
    edited_by_the_approver_then_decided(&t, &path, edit).await;
}

#[tokio::test]
async fn a_leader_who_edited_a_slogan_cannot_approve_or_reject_it() {
    let t = TestApp::new();
    let (s, created) = t
        .api(
            Role::Editor,
            Method::POST,
            "/display/slogans",
            Some(json!({"text": "Chào mừng", "effect": "static", "color": "vàng"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let path = format!("/display/slogans/{}", created["id"]);
    let edit = json!({"text": "Lời của lãnh đạo", "effect": "static", "color": "vàng"});
    edited_by_the_approver_then_decided(&t, &path, edit).await;
}

// ---- 7. restore trusts nothing ----

/// A real backup's entries: (name, bytes).
async fn real_backup_entries() -> Vec<(String, Vec<u8>)> {
    let t = TestApp::new();
    t.item_by(Role::Editor, "Bản tin thật").await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("that.tar");
    let config = t.service.state.config.clone();
    let to = archive.clone();
    tokio::task::spawn_blocking(move || backup::backup(&config, &to))
        .await
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    let mut tar = tar::Archive::new(std::fs::File::open(&archive).unwrap());
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        out.push((name, bytes));
    }
    out
}

/// One crafted entry: its raw name (no checks: an attacker's tar has none), its kind, its
/// content and, for links, their target.
struct Crafted {
    name: String,
    kind: tar::EntryType,
    bytes: Vec<u8>,
    link: Option<String>,
}

fn regular(name: &str, bytes: &[u8]) -> Crafted {
    Crafted {
        name: name.into(),
        kind: tar::EntryType::Regular,
        bytes: bytes.to_vec(),
        link: None,
    }
}

fn write_tar(path: &Path, entries: &[Crafted]) {
    let mut tar = tar::Builder::new(std::fs::File::create(path).unwrap());
    for e in entries {
        let mut h = tar::Header::new_old();
        let old = h.as_old_mut();
        old.name[..e.name.len()].copy_from_slice(e.name.as_bytes());
        if let Some(link) = &e.link {
            old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        h.set_entry_type(e.kind);
        h.set_size(e.bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append(&h, e.bytes.as_slice()).unwrap();
    }
    tar.finish().unwrap();
}

#[tokio::test]
async fn crafted_archives_are_refused_and_write_nothing_outside_the_data_folder() {
    let real = real_backup_entries().await;
    let recording = real
        .iter()
        .find(|(n, _)| n.contains("/media/objects/"))
        .unwrap()
        .0
        .clone();
    let with = |replace: &str, by: Crafted| -> Vec<Crafted> {
        real.iter()
            .filter(|(n, _)| n != replace)
            .map(|(n, b)| regular(n, b))
            .chain([by])
            .collect()
    };
    let recording_bytes = real
        .iter()
        .find(|(n, _)| *n == recording)
        .unwrap()
        .1
        .clone();
    // A file outside whose content matches the recording's hash: a link to it passes a hash
    // check, so only refusing links keeps it out.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, &recording_bytes).unwrap();
    let victim_name = victim.to_str().unwrap().to_string();

    // The archived database naming a recording outside the data folder.
    let db_dir = tempfile::tempdir().unwrap();
    let db_path = db_dir.path().join("db");
    let db = &real
        .iter()
        .find(|(n, _)| n.ends_with("loaxa.sqlite3"))
        .unwrap()
        .1;
    std::fs::write(&db_path, db).unwrap();
    rusqlite::Connection::open(&db_path)
        .unwrap()
        .execute("UPDATE media SET file = '../../escaped.mp3'", [])
        .unwrap();
    let escaping_db = std::fs::read(&db_path).unwrap();

    let link = |kind, target: &str| Crafted {
        name: recording.clone(),
        kind,
        bytes: Vec::new(),
        link: Some(target.into()),
    };
    let cases: Vec<(&str, Vec<Crafted>)> = vec![
        (
            "symlink",
            with(&recording, link(tar::EntryType::Symlink, &victim_name)),
        ),
        (
            "hardlink",
            with(&recording, link(tar::EntryType::Link, &victim_name)),
        ),
        (
            "../x",
            with("", regular("loaxa-backup/../../escaped", b"x")),
        ),
        (
            "absolute",
            with(
                "",
                regular(&format!("{}/abs", outside.path().display()), b"x"),
            ),
        ),
        (
            "a name no backup writes",
            with("", regular("loaxa-backup/run-me.sh", b"#!/bin/sh")),
        ),
        (
            "wrong hash",
            with(&recording, regular(&recording, b"not the recording")),
        ),
        (
            "device",
            with(
                "",
                Crafted {
                    name: "loaxa-backup/media/objects/ab/dev".into(),
                    kind: tar::EntryType::Char,
                    bytes: Vec::new(),
                    link: None,
                },
            ),
        ),
        (
            "database naming ../",
            with(
                "loaxa-backup/loaxa.sqlite3",
                regular("loaxa-backup/loaxa.sqlite3", &escaping_db),
            ),
        ),
    ];
    for (what, entries) in cases {
        let home = tempfile::tempdir().unwrap();
        let data = home.path().join("data");
        let config = {
            let mut c = Config {
                data_dir: data.clone(),
                ..Config::default()
            };
            c.audio.output = loaxa::config::OutputSpec::Null;
            c
        };
        std::fs::create_dir_all(&data).unwrap();
        drop(loaxa::store::Store::open(&config.database_path()).unwrap());
        let before = std::fs::read(config.database_path()).unwrap();
        let archive = home.path().join("crafted.tar");
        write_tar(&archive, &entries);
        let e = backup::restore(&config, &archive).unwrap_err();
        assert!(matches!(e, BackupError::Damaged(_)), "{what}: {e}");
        assert_eq!(
            std::fs::read(config.database_path()).unwrap(),
            before,
            "{what}: the old database is intact"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), recording_bytes, "{what}");
        let outside_now: Vec<_> = std::fs::read_dir(outside.path()).unwrap().collect();
        assert_eq!(
            outside_now.len(),
            1,
            "{what}: something was written outside"
        );
        let beside: Vec<String> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            beside.len(),
            2,
            "{what}: written beside the data folder: {beside:?}"
        );
        assert!(
            !data.join("media").exists(),
            "{what}: no recording was placed"
        );
    }
}

// ---- 8. the low ones ----

#[tokio::test]
async fn health_details_go_only_to_signed_in_callers_and_this_machine() {
    let t = TestApp::new();
    let from = |ip: [u8; 4], token: Option<&str>| {
        let mut req = Request::get("/healthz");
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let mut req = req.body(Body::empty()).unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                ip, 5555,
            ))));
        req
    };
    let (_, _, outsider) = t.send(from([192, 0, 2, 7], None)).await;
    let v: serde_json::Value = serde_json::from_str(&outsider).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1, "status only: {outsider}");
    assert!(v["status"].is_string(), "{outsider}");
    let (_, _, local) = t.send(from([127, 0, 0, 1], None)).await;
    assert!(
        local.contains("\"database\""),
        "a local monitor gets the details: {local}"
    );
    let token = t.tokens[&Role::Operator].clone();
    let (_, _, staff) = t.send(from([192, 0, 2, 7], Some(&token))).await;
    assert!(
        staff.contains("\"audio\""),
        "staff get the details: {staff}"
    );
}

#[tokio::test]
async fn signed_in_pages_are_not_kept_in_caches() {
    let t = TestApp::new();
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    for page in ["/", "/items", "/library"] {
        let (_, h, _) = t.page(&session, Method::GET, page, None).await;
        assert_eq!(
            h.0.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{page}"
        );
    }
}

// ---- 6. HTTPS ----

#[tokio::test]
async fn https_answers_a_real_tls_client_with_secure_cookies_and_hsts_and_refuses_plain_http() {
    use rustls::pki_types::pem::PemObject;
    let certs = tempfile::tempdir().unwrap();
    let made =
        loaxa::web::tls::make_certificate(certs.path(), &["localhost".into(), "127.0.0.1".into()])
            .unwrap();
    let (cert, key) = (made.cert.clone(), made.key.clone());
    let server = running(move |c| {
        c.web.tls_cert = cert;
        c.web.tls_key = key;
    })
    .await;

    // A TLS client that trusts this certificate only, as a phone does once staff accept it.
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(&made.cert).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let presented = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
    assert_eq!(
        loaxa::web::tls::fingerprint(&presented),
        made.fingerprint,
        "the fingerprint staff are shown is the certificate served"
    );
    tls.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let lines: Vec<String> = answer.lines().map(str::to_lowercase).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("strict-transport-security: max-age=")),
        "HSTS: {answer}"
    );
    let cookie = lines
        .iter()
        .find(|l| l.starts_with("set-cookie: loaxa_login="))
        .expect("the login form's cookie");
    assert!(cookie.contains("; secure"), "{cookie}");

    // Plain HTTP to the HTTPS port: a short plain answer saying to use https://, then closed.
    let mut plain = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), plain.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("https://"), "{answer}");
}
