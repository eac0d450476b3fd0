//! The attacks of issue 14, re-run: each test is one try an attacker made, against the real
//! router and store (or a real socket where the attack is on the connection), and checks that
//! it now fails the way a user would notice.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use loaxa::config::Config;
use loaxa::web::throttle::SignInGate;
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
