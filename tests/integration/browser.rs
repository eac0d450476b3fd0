//! End to end in a real headless Chromium (Debian's chromium and chromium-driver, which
//! `.ci/run` installs): the first admin, users, an upload with its progress bar, submission,
//! a leader listening and approving, and the item in the programme. Screenshots of the main
//! pages, at phone and desktop width, go to `target/screenshots/` to be looked at.

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use loaxa::config::Config;
use loaxa::service::Service;

use crate::common::fixture;

const PASSWORD: &str = "mật khẩu đủ dài";

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(program: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/lib/chromium", "/usr/local/bin"] {
        let p = PathBuf::from(dir).join(program);
        if p.exists() {
            return p;
        }
    }
    panic!(
        "{program} is not installed: run `apt-get install chromium chromium-driver` (./quickstart.sh test does it)"
    );
}

/// Chromium under chromedriver on a free port; both end when the [`Driver`] is dropped.
pub async fn start_driver() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(find("chromedriver"))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": find("chromium").to_string_lossy(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    "--autoplay-policy=no-user-gesture-required", "--lang=vi"
                ]
            }
        }))
        .unwrap();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..100 {
        let mut builder = ClientBuilder::new(connector.clone());
        builder.capabilities(caps.clone());
        if let Ok(client) = builder.connect(&format!("http://127.0.0.1:{port}")).await {
            return (driver, client);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not reach chromedriver on port {port}");
}

/// A site in the browser: its base URL, where its screenshots go, the browser.
pub struct Site {
    pub base: String,
    pub shots: PathBuf,
    pub client: Client,
}

impl Site {
    pub async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        el.clear().await.ok();
        el.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Click something that loads a new page (directly or after JavaScript work) and wait for
    /// that page to finish loading.
    pub async fn click_to_next_page(&self, css: &str) {
        self.client
            .execute("window.__oldPage = true; return true;", vec![])
            .await
            .unwrap();
        self.click(css).await;
        for _ in 0..600 {
            let loaded = self
                .client
                .execute(
                    "return window.__oldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "clicking {css} never led to a new page (at {})",
            self.path().await
        );
    }

    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    pub async fn login(&self, name: &str) {
        self.go("/login").await;
        self.fill("input[name=name]", name).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click_to_next_page("form button.primary").await;
        assert!(
            !self.text().await.contains("Sai tên đăng nhập"),
            "{name} could not sign in"
        );
    }

    pub async fn logout(&self) {
        self.click_to_next_page("form[action='/logout'] button")
            .await;
        assert_eq!(self.path().await, "/login");
    }

    /// Screenshots at 390×844 (phone) and 1366×900 (desktop) in `shots`.
    pub async fn shot(&self, name: &str) {
        for (w, h, size) in [(390, 844, "phone"), (1366, 900, "desktop")] {
            self.client.set_window_size(w, h).await.unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(self.shots.join(format!("{name}-{size}.png")), png).unwrap();
        }
    }

    async fn add_user(&self, name: &str, display: &str, role: &str) {
        self.go("/users").await;
        self.fill("form[action='/users'] input[name=name]", name)
            .await;
        self.fill("form[action='/users'] input[name=display_name]", display)
            .await;
        let select = self
            .client
            .find(Locator::Css("form[action='/users'] select[name=role]"))
            .await
            .unwrap();
        select.select_by_value(role).await.unwrap();
        self.fill("form[action='/users'] input[name=password]", PASSWORD)
            .await;
        self.click_to_next_page("form[action='/users'] button")
            .await;
        assert!(self.text().await.contains(name), "{name} was added");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_first_start_to_an_approved_broadcast_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    config.schedule.schedules_dir = root.join("schedules");
    config.schedule.playlists_dir = root.join("playlists");
    let service = Service::start(config).unwrap();
    loaxa::demo::seed_media(&service.state.library, &root.join("assets")).unwrap();
    let setup = service.first_run_link().unwrap().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(service.serve(listener, async {
        let _ = stop_rx.await;
    }));
    let shots = root.join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (_driver, client) = start_driver().await;
    let site = Site {
        base,
        shots,
        client,
    };

    // First start: the one-time link creates the administrator.
    site.go(&setup).await;
    site.shot("setup").await;
    site.fill("input[name=name]", "quantri").await;
    site.fill("input[name=display_name]", "Nguyễn Văn Quản — CNTT")
        .await;
    site.fill("input[name=password]", PASSWORD).await;
    site.fill("input[name=password2]", PASSWORD).await;
    site.click_to_next_page("button.primary").await;
    assert_eq!(site.path().await, "/users");
    site.add_user("bientap", "Trần Thị Biên — Bộ phận một cửa", "editor")
        .await;
    site.add_user("chutich", "Lê Văn Chủ — Chủ tịch UBND xã", "approver")
        .await;
    site.shot("users").await;
    site.logout().await;
    site.shot("login").await;

    // The editor uploads a recording with the progress bar and submits it.
    site.login("bientap").await;
    site.go("/items/new").await;
    let file = site
        .client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap();
    file.send_keys(fixture("ban-tin.mp3").to_str().unwrap())
        .await
        .unwrap();
    site.fill("input[name=title]", "Thông báo tiêm phòng dại cho chó mèo")
        .await;
    site.shot("item-new").await;
    site.click_to_next_page("form[data-item-form] button.primary")
        .await;
    let item_path = site.path().await;
    assert!(
        item_path.starts_with("/items/"),
        "the item page: {item_path}"
    );
    let page = site.text().await;
    assert!(page.contains("Chờ duyệt"), "submitted: {page}");
    site.shot("item-submitted").await;
    site.go("/library").await;
    site.shot("library").await;
    site.logout().await;

    // The chairman listens in the approval queue, then approves.
    site.login("chutich").await;
    site.go("/approvals").await;
    site.shot("approvals").await;
    let played = site
        .client
        .execute(
            "const a = document.querySelector('audio[data-must-listen]'); a.muted = true; \
             return a.play().then(() => new Promise(r => setTimeout(() => r([a.duration, a.currentTime]), 600)));",
            vec![],
        )
        .await
        .unwrap();
    let duration = played[0].as_f64().unwrap();
    let position = played[1].as_f64().unwrap();
    assert!(
        (duration - 4.03).abs() < 0.2 && position > 0.1,
        "the recording plays in the page: {played}"
    );
    site.click_to_next_page(".approval form[action$='/approve'] button")
        .await;
    assert_eq!(site.path().await, "/approvals");
    assert!(site.text().await.contains("Không có bản tin nào chờ duyệt"));
    site.go(&item_path).await;
    assert!(site.text().await.contains("Đã duyệt"));
    site.shot("item-approved").await;

    // It is in the programme: the daily sessions of the coming week air it.
    site.go("/programme").await;
    let week = site.text().await;
    assert!(
        week.contains("Thông báo tiêm phòng dại cho chó mèo"),
        "in the programme: {week}"
    );
    site.shot("programme").await;
    site.go("/").await;
    site.shot("dashboard").await;
    site.go("/asrun").await;
    site.shot("asrun").await;
    site.go("/audit").await;
    site.logout().await;
    site.login("quantri").await;
    site.go("/audit").await;
    assert!(site.text().await.contains("item.approve"));
    site.shot("audit").await;
    site.go("/settings").await;
    site.shot("settings").await;
    site.logout().await;

    typed_bulletin_journey(&site).await;

    site.client.close().await.ok();
    let _ = stop_tx.send(());
    let _ = server.await;
}

/// The page at 390×844 and 1366×900 into `target/screenshots/`, refusing sideways scroll on
/// either; the window stays at desktop size (where the menu is open).
pub async fn shot_phone_and_desktop(site: &Site, name: &str) {
    for (w, h, size) in [(390, 844, "phone"), (1366, 900, "desktop")] {
        site.client.set_window_size(w, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = site.client.screenshot().await.unwrap();
        std::fs::write(site.shots.join(format!("{name}-{size}.png")), png).unwrap();
        let wide = site
            .client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            wide.as_i64().unwrap_or(1) <= 0,
            "{name} scrolls sideways by {wide} px at {w} px"
        );
    }
}

/// An editor writes a typed bulletin on the phone and submits it; the chairman hears the
/// recording the voice made, reads the text and what the voice read, and approves.
async fn typed_bulletin_journey(site: &Site) {
    site.client.set_window_size(390, 844).await.unwrap();
    site.login("bientap").await;
    site.go("/items").await;
    site.click_to_next_page("a[href='/bulletins/new']").await;
    site.fill("input[name=title]", "Lịch cắt điện thôn 3").await;
    site.fill(
        "textarea[name=text]",
        "Điện lực thông báo: cắt điện từ 7h30 đến 11h ngày 12/12/2026 để bảo dưỡng đường dây. Liên hệ 0912 345 678.",
    )
    .await;
    site.client
        .find(Locator::Css("select[name=voice]"))
        .await
        .unwrap()
        .select_by_value("vi-central")
        .await
        .unwrap();
    shot_phone_and_desktop(site, "bulletin-new").await;
    site.click_to_next_page("form[action='/bulletins/new'] button.primary")
        .await;
    let path = site.path().await;
    assert!(path.starts_with("/bulletins/"), "the bulletin page: {path}");
    let page = site.text().await;
    assert!(page.contains("Chờ duyệt"), "submitted: {page}");
    assert!(
        page.contains("bảy giờ ba mươi"),
        "what the voice read: {page}"
    );
    shot_phone_and_desktop(site, "bulletin-submitted").await;
    site.logout().await;

    site.login("chutich").await;
    site.go("/approvals").await;
    let card = site.text().await;
    assert!(card.contains("Lịch cắt điện thôn 3"), "{card}");
    assert!(
        card.contains("không chín một hai"),
        "the phone read digit by digit: {card}"
    );
    shot_phone_and_desktop(site, "bulletin-approval").await;
    let played = site
        .client
        .execute(
            "const a = document.querySelector('[id^=bulletin-] audio'); a.muted = true; \
             return a.play().then(() => new Promise(r => setTimeout(() => r([a.duration, a.currentTime]), 600)));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        played[0].as_f64().unwrap() > 4.0 && played[1].as_f64().unwrap() > 0.1,
        "the spoken recording plays in the page: {played}"
    );
    site.click_to_next_page("[id^=bulletin-] form[action$='/approve'] button")
        .await;
    assert_eq!(site.path().await, "/approvals");
    site.go(&path).await;
    assert!(site.text().await.contains("Đã duyệt"));
    shot_phone_and_desktop(site, "bulletin-approved").await;
    site.go("/programme").await;
    assert!(
        site.text().await.contains("Lịch cắt điện thôn 3"),
        "in the programme"
    );
    site.logout().await;
}
