//! End to end in a real headless Chromium (Debian's chromium and chromium-driver, which
//! `.ci/run` installs): the first admin, users, an upload with its progress bar, submission,
//! a leader listening and approving, and the item in the programme. Screenshots of the main
//! pages, at phone and desktop width, go to `target/screenshots/` to be looked at.

use std::net::TcpListener as StdListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use loaxa::config::Config;
use loaxa::service::Service;

use crate::common::fixture;
use crate::web::PASSWORD;

mod listen;
mod programme;
mod revision;
mod walk;

/// The phone every page must fit: 390×844 CSS pixels.
pub const PHONE: (u32, u32) = (390, 844);

/// chromedriver in a process group of its own, with the Chromium it starts.
pub struct Driver(Child);

impl Drop for Driver {
    /// Kills the whole group: killing chromedriver alone leaves its Chromium running (dozens of
    /// them by the end of a suite, each slowing the tests after it).
    fn drop(&mut self) {
        crate::common::signal(self.0.id(), nix::sys::signal::Signal::SIGKILL, true);
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
        .process_group(0)
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

    /// Click the first `css`, as a thumb would: scrolled into view, and again for a moment if
    /// the page is still laying it out (a menu opening).
    pub async fn click(&self, css: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        let mut last = None;
        for _ in 0..40 {
            let arg = serde_json::to_value(&el).unwrap();
            let _ = self
                .client
                .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
                .await;
            match el.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} could not be clicked: {last:?}");
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

    /// Sign out as a person does: on a phone, the menu (☰) opens first.
    pub async fn logout(&self) {
        let button = self
            .client
            .find(Locator::Css("form[action='/logout'] button"))
            .await
            .unwrap();
        // Asked again until the button shows: right after a screenshot at desktop width the
        // window may still be taking the phone's layout, where the menu is closed.
        for _ in 0..40 {
            if button.is_displayed().await.unwrap() {
                break;
            }
            let closed = self
                .client
                .execute(
                    "return !document.getElementById('menu-toggle').checked;",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            let label = self.client.find(Locator::Css("label.menu-button")).await;
            let phone = match label {
                Ok(l) => l.is_displayed().await.unwrap_or(false),
                Err(_) => false,
            };
            if closed && phone {
                self.click("label.menu-button").await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.click_to_next_page("form[action='/logout'] button")
            .await;
        assert_eq!(self.path().await, "/login");
    }

    /// A screenshot of the whole page at the window's width, as
    /// `target/screenshots/{name}.png`; the window is back at its size after.
    async fn save_shot(&self, name: &str) {
        let (_, _, w, h) = self.client.get_window_rect().await.unwrap();
        // The window's frame takes some of its height: the page needs that much more.
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollHeight, window.innerHeight];",
                vec![],
            )
            .await
            .unwrap();
        let (page, inner) = (
            sizes[0].as_u64().unwrap_or(h),
            sizes[1].as_u64().unwrap_or(h),
        );
        let full = (page + h.saturating_sub(inner)).clamp(h, 6000);
        if full > h {
            self.client
                .set_window_size(w as u32, full as u32)
                .await
                .unwrap();
        }
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
        if full > h {
            self.client
                .set_window_size(w as u32, h as u32)
                .await
                .unwrap();
        }
    }

    /// Plays the page's first `audio` matching `selector`, muted, until it has advanced past
    /// 0.1 s (or 15 s went by): its duration and position then.
    pub async fn play_audio(&self, selector: &str) -> (f64, f64) {
        let played = self
            .client
            .execute(
                "const a = document.querySelector(arguments[0]); a.muted = true; \
                 return a.play().then(() => new Promise(r => { \
                   const done = () => r([a.duration, a.currentTime]); \
                   a.addEventListener('timeupdate', () => { if (a.currentTime > 0.1) done(); }); \
                   setTimeout(done, 15000); }));",
                vec![serde_json::json!(selector)],
            )
            .await
            .unwrap();
        (played[0].as_f64().unwrap(), played[1].as_f64().unwrap())
    }

    /// The page at 390×844 (where it must fit) and 1366×900, into `target/screenshots/`; the
    /// window stays at phone size.
    pub async fn shot(&self, name: &str) {
        self.client.set_window_size(1366, 900).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.save_shot(&format!("{name}-desktop")).await;
        self.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.save_shot(&format!("{name}-phone")).await;
        self.assert_fits(name).await;
    }

    /// The one confirmation the page shows after a redirect, if any.
    async fn flash(&self) -> Option<String> {
        match self.client.find(Locator::Css(".alert.flash")).await {
            Ok(el) => Some(el.text().await.unwrap()),
            Err(_) => None,
        }
    }

    /// The value of the form field `css` as the browser holds it.
    async fn value(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn add_user(&self, name: &str, display: &str, role: &str) {
        self.go("/users").await;
        assert_eq!(
            self.value("form[action='/users'] select[name=role]").await,
            "editor",
            "a new user starts with the least privilege, not admin"
        );
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
        assert_eq!(
            self.flash().await.as_deref(),
            Some("✔ Đã tạo người dùng."),
            "the new user is confirmed"
        );
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
    // A copy of the shipped programme: the admin changes it in the browser.
    for folder in ["schedules", "playlists"] {
        crate::programme_edit::copy_dir(&root.join(folder), &dir.path().join(folder));
    }
    config.schedule.schedules_dir = dir.path().join("schedules");
    config.schedule.playlists_dir = dir.path().join("playlists");
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
    site.add_user("trucban", "Phạm Văn Trực — Trực ban", "operator")
        .await;
    a_taken_name_keeps_the_form(&site).await;
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
    site.logout().await;

    // The chairman listens in the approval queue, then approves.
    site.login("chutich").await;
    site.go("/approvals").await;
    site.shot("approvals").await;
    let (duration, position) = site.play_audio("audio[data-must-listen]").await;
    assert!(
        (duration - 4.03).abs() < 0.2 && position > 0.1,
        "the recording plays in the page: {duration} s long, at {position} s"
    );
    site.click_to_next_page(".approval form[action$='/approve'] button")
        .await;
    assert_eq!(site.path().await, "/approvals");
    assert!(site.text().await.contains("Không có bản tin nào chờ duyệt"));
    assert_eq!(
        site.flash().await.as_deref(),
        Some("✔ Đã duyệt — sẽ phát theo lịch.")
    );
    site.go("/approvals").await;
    assert_eq!(site.flash().await, None, "the confirmation shows once");
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
    site.logout().await;
    site.login("quantri").await;
    site.go("/audit").await;
    assert!(
        site.text().await.contains("Nội dung · duyệt"),
        "the approval is in the audit log, in words"
    );
    site.logout().await;

    typed_bulletin_journey(&site).await;
    let tet = tet_greeting_journey(&site).await;
    slogan_and_cut_off_recording(&site).await;
    the_waiting_slogan_moves_on_its_card(&site).await;
    revision::journey(
        &site,
        (&item_path, "Thông báo tiêm phòng dại cho chó mèo"),
        &tet,
    )
    .await;
    programme::admin_adds_a_slot(&site, &dir.path().join("schedules")).await;
    programme::admin_adds_a_holiday_and_a_part(&site, dir.path()).await;

    // Every page each role reaches fits the phone (with a slogan waiting for approval, an
    // approved item and bulletin, a recording with a warning in the library).
    let mut shot = std::collections::BTreeSet::new();
    for who in ["chutich", "bientap", "quantri", "trucban"] {
        site.login(who).await;
        let walked = walk::every_page(&site, who, &mut shot).await;
        assert!(walked.len() >= 6, "{who} walked {walked:?}");
        site.logout().await;
    }
    site.go("/khong-co-trang-nay").await;
    assert!(
        site.text().await.contains("Không tìm thấy"),
        "the station's own 404 page"
    );
    site.shot("not-found").await;
    operator_emergency(&site).await;
    listen::the_dashboard_plays_the_air(&site).await;
    println!("screenshots: {}", site.shots.display());

    site.client.close().await.ok();
    let _ = stop_tx.send(());
    let _ = server.await;
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
    site.shot("bulletin-new").await;
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
    site.shot("bulletin-submitted").await;
    site.logout().await;

    site.login("chutich").await;
    site.go("/approvals").await;
    let card = site.text().await;
    assert!(card.contains("Lịch cắt điện thôn 3"), "{card}");
    assert!(
        card.contains("không chín một hai"),
        "the phone read digit by digit: {card}"
    );
    site.shot("bulletin-approval").await;
    let (duration, position) = site.play_audio("[id^=bulletin-] audio").await;
    assert!(
        duration > 4.0 && position > 0.1,
        "the spoken recording plays in the page: {duration} s long, at {position} s"
    );
    site.click_to_next_page("[id^=bulletin-] form[action$='/approve'] button")
        .await;
    assert_eq!(site.path().await, "/approvals");
    site.go(&path).await;
    assert!(site.text().await.contains("Đã duyệt"));
    site.shot("bulletin-approved").await;
    site.go("/programme").await;
    assert!(
        site.text().await.contains("Lịch cắt điện thôn 3"),
        "in the programme"
    );
    site.logout().await;
}

/// The admin adds a login name that is taken: the form comes back with what was typed, says
/// why, and points at the name.
async fn a_taken_name_keeps_the_form(site: &Site) {
    site.go("/users").await;
    site.fill("form[action='/users'] input[name=name]", "bientap")
        .await;
    site.fill(
        "form[action='/users'] input[name=display_name]",
        "Trần Văn Khác — Văn phòng",
    )
    .await;
    site.fill("form[action='/users'] input[name=password]", PASSWORD)
        .await;
    site.click_to_next_page("form[action='/users'] button")
        .await;
    let page = site.text().await;
    assert!(page.contains("\"bientap\" đã có"), "{page}");
    assert_eq!(
        site.value("form[action='/users'] input[name=display_name]")
            .await,
        "Trần Văn Khác — Văn phòng",
        "what was typed is kept"
    );
    let name = site
        .client
        .find(Locator::Css("form[action='/users'] input[name=name]"))
        .await
        .unwrap();
    assert_eq!(
        name.prop("value").await.unwrap().as_deref(),
        Some("bientap")
    );
    assert_eq!(
        name.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true"),
        "the name field is marked"
    );
    site.shot("user-taken").await;
}

/// The editor saves a slogan with only its text (the form as it opens) and submits it, and
/// uploads a cut-off MP3, which is accepted with a warning that says so.
async fn slogan_and_cut_off_recording(site: &Site) {
    site.login("bientap").await;
    site.go("/display/slogans/new").await;
    site.fill("textarea[name=text]", "Toàn dân tham gia bảo vệ môi trường")
        .await;
    site.click_to_next_page("form[data-slogan-form] button.primary")
        .await;
    assert_eq!(site.path().await, "/display");
    assert_eq!(site.flash().await.as_deref(), Some("✔ Đã lưu."));
    assert!(
        site.text()
            .await
            .contains("Toàn dân tham gia bảo vệ môi trường")
    );
    site.click_to_next_page("form[action$='/submit'] button")
        .await;
    assert_eq!(site.flash().await.as_deref(), Some("✔ Đã gửi duyệt."));

    site.go("/library").await;
    let file = site
        .client
        .find(Locator::Css("form[data-upload] input[type=file]"))
        .await
        .unwrap();
    file.send_keys(fixture("cut-ngang.mp3").to_str().unwrap())
        .await
        .unwrap();
    site.fill("form[data-upload] input[name=title]", "Bản ghi bị cắt")
        .await;
    site.click_to_next_page("form[data-upload] button.primary")
        .await;
    let el = site
        .client
        .find(Locator::Css("form[data-upload] .upload-status"))
        .await
        .unwrap();
    let status = format!(
        "{} | {}",
        el.attr("class").await.unwrap().unwrap_or_default(),
        el.text().await.unwrap()
    );
    assert!(
        status.starts_with("upload-status warn")
            && status.contains("Đã nhận, nhưng cần xem lại: Bản ghi bị cắt")
            && status.contains("tệp bị cắt ngang")
            && !status.contains("cut off"),
        "a cut-off recording is accepted with its warning in Vietnamese only, not a green 'received': {status}"
    );
    site.shot("library-warning").await;
    site.logout().await;
}

/// The chairman sees the scrolling slogan that waits for him move on its card, as it will on
/// the panel (its first frame alone would be a dark panel).
async fn the_waiting_slogan_moves_on_its_card(site: &Site) {
    site.login("chutich").await;
    site.go("/approvals").await;
    let shown = || async {
        site.client
            .execute(
                "const img = document.querySelector('img[data-moving]'); return img && img.complete && img.naturalWidth > 0 ? img.src : null;",
                vec![],
            )
            .await
            .unwrap()
    };
    let first = shown().await;
    assert!(
        first.is_string(),
        "the slogan's preview is drawn on its card"
    );
    let mut moved = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = shown().await;
        if now.is_string() && now != first {
            moved = true;
            break;
        }
    }
    assert!(moved, "the preview moves on: still {first}");
    site.shot("approvals-slogan").await;
    site.logout().await;
}

/// The operator on duty starts a typed emergency and stops it; each step is confirmed and the
/// page fits the phone while it is on air.
async fn operator_emergency(site: &Site) {
    site.login("trucban").await;
    start_emergency(site, "Bão số 3 sắp đổ bộ. Đề nghị bà con ở trong nhà.").await;
    site.shot("emergency-on-air").await;
    // Every page says it is on air, who started it and since when.
    site.go("/programme").await;
    let banner = site
        .client
        .find(Locator::Css(".emergency-banner"))
        .await
        .expect("the banner on every page")
        .text()
        .await
        .unwrap();
    assert!(
        banner.contains("Bão số 3 sắp đổ bộ") && banner.contains("trucban"),
        "{banner}"
    );
    site.shot("programme-emergency").await;
    stop_emergency(site).await;
    site.logout().await;
}

/// On the emergency page: type `text`, once, and press the button, saying yes when asked.
async fn start_emergency(site: &Site, text: &str) {
    site.go("/emergency").await;
    site.fill("textarea[name=text]", text).await;
    site.client
        .find(Locator::Css("select[name=repeat]"))
        .await
        .unwrap()
        .select_by_value("0")
        .await
        .unwrap();
    // The button asks once; the operator says yes.
    site.client
        .execute("window.confirm = () => true; return true;", vec![])
        .await
        .unwrap();
    site.click_to_next_page(".emergency-form button.emergency-button")
        .await;
    assert_eq!(
        site.flash().await.as_deref(),
        Some("✔ Đã bắt đầu phát khẩn cấp.")
    );
}

/// Stop the emergency from its page, and read the confirmation.
async fn stop_emergency(site: &Site) {
    site.go("/emergency").await;
    site.client
        .execute("window.confirm = () => true; return true;", vec![])
        .await
        .unwrap();
    site.click_to_next_page("form[action='/emergency/stop'] button")
        .await;
    assert_eq!(
        site.flash().await.as_deref(),
        Some("✔ Đã dừng phát khẩn cấp. Chương trình tiếp tục.")
    );
}

/// On a machine whose sound card is gone, the operator on duty starts an emergency: the page
/// and the dashboard say plainly that the speakers are silent and why, and it stops as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_sound_card_the_operator_is_told_the_speakers_are_silent() {
    let (service, _dir) =
        crate::web::TestApp::with(|c| c.audio.output = "device:card-da-rut".parse().unwrap())
            .into_service();
    let state = service.state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(service.serve(listener, async {
        let _ = stop_rx.await;
    }));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_driver, client) = start_driver().await;
    let site = Site {
        base,
        shots: root.join("target/screenshots"),
        client,
    };
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    site.login("operator").await;
    start_emergency(&site, "Lũ quét ở suối Nậm Mu, bà con lên vùng cao").await;
    stop_emergency(&site).await;
    // A dashboard already open hears of an emergency started elsewhere (the API, a CAP
    // alert) and draws its banner, with what it says about the speakers, without a reload.
    site.go("/").await;
    site.client
        .execute("window.stillOpen = true; return true;", vec![])
        .await
        .unwrap();
    let text = "Đê sông Hồng báo động 3, bà con di dời";
    let start = loaxa::emergency::Start {
        message: loaxa::emergency::Message::Text(text.into()),
        repeat: Some(0),
        actor: "truc-ban".into(),
        trigger: loaxa::emergency::Trigger::Api,
        reference: None,
        drill: false,
        received_at: chrono::Utc::now(),
    };
    loaxa::station::emergency::start(&state.emergency, &state.events, start)
        .await
        .unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        page = site.text().await;
        if page.contains(text) && page.contains("LOA KHÔNG CÓ TIẾNG") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        page.contains(text) && page.contains("LOA KHÔNG CÓ TIẾNG"),
        "the open dashboard shows the emergency: {page}"
    );
    let kept = site
        .client
        .execute("return window.stillOpen === true;", vec![])
        .await
        .unwrap();
    assert_eq!(kept, serde_json::json!(true), "without a reload");
    loaxa::station::emergency::stop(&state.emergency, &state.events, "truc-ban".into())
        .await
        .unwrap();
    start_emergency(&site, "Lũ quét ở suối Nậm Mu, bà con lên vùng cao").await;
    for path in ["/emergency", "/"] {
        site.go(path).await;
        let page = site.text().await;
        assert!(
            page.contains("LOA KHÔNG CÓ TIẾNG") && page.contains("card-da-rut"),
            "{path} says the speakers are silent and why: {page}"
        );
        assert!(!page.contains("SILENT"), "in Vietnamese only: {page}");
    }
    // The dashboard's "on air" card does not say "nothing on air" as if all were well.
    let label = site
        .client
        .find(Locator::Css("#onair-label"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(label.starts_with("Loa không có tiếng"), "{label}");
    site.shot("dashboard-no-sound").await;
    stop_emergency(&site).await;
    site.client.close().await.ok();
    let _ = stop_tx.send(());
    let _ = server.await;
}

/// On the phone, the editor makes the chairman's greeting for the New Year's Eve slot, picked
/// from the programme's own slots by its title, and submits it; the chairman sees on the card
/// when it will air (the shipped programme's Giao thừa slot, 21:00 on the eve of Tết) and
/// approves; the item page says the same.
async fn tet_greeting_journey(site: &Site) -> String {
    site.login("bientap").await;
    site.go("/items/new").await;
    let media = site
        .client
        .find(Locator::Css("select[name=media_id]"))
        .await
        .unwrap();
    media
        .select_by_index(1)
        .await
        .expect("a recording to choose");
    site.fill("input[name=title]", "Thư chúc Tết của Chủ tịch UBND xã")
        .await;
    site.client
        .find(Locator::Css("select[name=category]"))
        .await
        .unwrap()
        .select_by_value("greeting")
        .await
        .unwrap();
    // Until Tết has passed: no last day.
    site.fill("input[name=air_until]", "").await;
    site.client
        .execute(
            "document.querySelector('input[name=air_until]').value = ''; return true;",
            vec![],
        )
        .await
        .unwrap();
    let slot = site
        .client
        .find(Locator::XPath(
            "//fieldset[@id='field-slots']//label[contains(., 'Giao thừa')]",
        ))
        .await
        .expect("the New Year's Eve slot is offered by its title");
    slot.click().await.unwrap();
    site.shot("item-new-tet").await;
    site.click_to_next_page("form[data-item-form] button.primary")
        .await;
    let path = site.path().await;
    assert!(path.starts_with("/items/"), "the item page: {path}");
    let page = site.text().await;
    assert!(page.contains("Sẽ phát:"), "{page}");
    assert!(page.contains("21:00"), "{page}");
    site.logout().await;

    site.login("chutich").await;
    site.go("/approvals").await;
    let card = site
        .client
        .find(Locator::XPath(
            "//section[contains(@class,'approval')][.//a[contains(., 'Thư chúc Tết')]]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("Sẽ phát:") && card.contains("21:00") && card.contains("Giao thừa"),
        "the card says when it airs: {card}"
    );
    assert!(card.contains("tháng Chạp"), "with the lunar day: {card}");
    site.shot("approval-tet").await;
    site.click_to_next_page(".approval form[action$='/approve'] button")
        .await;
    site.go(&path).await;
    let page = site.text().await;
    assert!(
        page.contains("Đã duyệt") && page.contains("21:00"),
        "{page}"
    );
    site.shot("item-tet-approved").await;
    site.logout().await;
    path
}
