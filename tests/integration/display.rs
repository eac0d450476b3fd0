//! The LED panel through the real router, store, board and panel loop: slogans go up only
//! when approved, every letter is checked, NFD and NFC draw the same pixels, the emergency
//! takes the panel within one frame, and `loaxa display render` writes the frames.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use loaxa::clock::{Clock, SystemClock};
use loaxa::display::Frame;
use loaxa::display::driver::{OpenPanel, PanelDriver};
use loaxa::display::panel::{Panel, PanelError};
use loaxa::emergency::{Message, Start, Trigger};
use loaxa::model::Role;
use serde_json::json;

use crate::nodes::eventually;
use crate::web::{PASSWORD, TestApp};

/// A service whose panel shows only approved slogans (no clock), so an empty panel is dark.
fn app() -> TestApp {
    TestApp::with(|c| {
        c.display.clock_every = 0;
        c.emergency.tts_command = ["khong-co-espeak", "-w", "{out}"]
            .map(String::from)
            .to_vec();
    })
}

/// GET a preview PNG as `role`; (status, decoded width, height, lit LEDs at scale 1).
async fn preview(t: &TestApp, query: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(Method::GET)
        .uri(format!("/api/v1/display/preview.png?scale=1&{query}"))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", t.tokens[&Role::Editor]),
        )
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(t.app(), req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, body.to_vec())
}

/// (width, height, lit pixels) of a scale-1 PNG.
fn lit(png_bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let lit = buf.chunks(3).filter(|p| p.iter().any(|c| *c > 60)).count();
    (info.width, info.height, lit)
}

/// Make a slogan as the editor and send it to the leaders; its id.
async fn submitted(t: &TestApp, slogan: serde_json::Value) -> i64 {
    let (s, created) = t
        .api(Role::Editor, Method::POST, "/display/slogans", Some(slogan))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (s, _) = t
        .api(
            Role::Editor,
            Method::POST,
            &format!("/display/slogans/{id}/submit"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    id
}

/// A scrolling text at its first instant has not come onto the panel yet: the leader's card
/// shows it halfway through a showing, and moves it through the showing.
#[tokio::test]
async fn a_scrolling_slogan_waiting_for_approval_is_seen_on_its_card_and_moves() {
    let t = app();
    let text = "Toàn dân tham gia bảo vệ môi trường, giữ gìn xóm làng xanh sạch đẹp";
    submitted(&t, json!({"text": text, "effect": "scroll"})).await;
    submitted(&t, json!({"text": "Xin cảm ơn", "effect": "static"})).await;
    let (session, _) = t.login("approver", PASSWORD).await.unwrap();
    let (s, _, page) = t.page(&session, Method::GET, "/approvals", None).await;
    assert_eq!(s, StatusCode::OK);
    let moving: Vec<&str> = page.split("data-moving=\"").skip(1).collect();
    assert_eq!(moving.len(), 1, "only the scrolling slogan moves: {page}");
    let attribute = moving[0].split('"').next().unwrap();
    // As the browser reads the attribute (askama writes `&` as `&#38;`).
    let base = attribute.replace("&#38;", "&");
    let showing: i64 = moving[0]
        .split("data-moving-ms=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|ms| ms.parse().ok())
        .unwrap();
    assert!(
        showing > 2_000,
        "a long text takes seconds to cross: {showing} ms"
    );
    let still = format!("src=\"{attribute}&amp;ms={}\"", showing / 2);
    assert!(
        page.contains(&still),
        "the still image is mid-showing: {page}"
    );
    let query = base
        .trim_start_matches("/api/v1/display/preview.png?")
        .replace("&scale=3", "");
    let at = |ms: i64| {
        let q = format!("{query}&ms={ms}");
        let t = &t;
        async move {
            let (s, png) = preview(t, &q).await;
            assert_eq!(s, StatusCode::OK);
            png
        }
    };
    let (start, quarter, half) = (at(0).await, at(showing / 4).await, at(showing / 2).await);
    assert_eq!(lit(&start).2, 0, "at its first instant the panel is dark");
    assert!(lit(&half).2 > 100, "mid-showing the text is on the panel");
    assert_ne!(quarter, half, "it moves");
}

#[tokio::test]
async fn a_slogan_shows_only_once_a_leader_approves_it() {
    let t = app();
    let (_, before) = preview(&t, "").await;
    assert_eq!(
        lit(&before),
        (192, 32, 0),
        "nothing approved: the panel is dark"
    );

    // Typed with combining marks, as phones and Word often send it.
    let nfd = "Xin ca\u{309}m o\u{31B}n";
    let (s, created) = t
        .api(
            Role::Editor,
            Method::POST,
            "/display/slogans",
            Some(json!({"text": nfd, "effect": "static", "color": "vàng"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["text"], "Xin cảm ơn", "stored composed");
    assert_eq!(created["state"], "draft");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/display/slogans/{id}");

    let (s, _) = t
        .api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, still) = preview(&t, "").await;
    assert_eq!(lit(&still).2, 0, "submitted is not approved");
    let (s, body) = t
        .api(Role::Editor, Method::POST, &format!("{path}/approve"), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "editors do not approve: {body}");

    let (s, approved) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("{path}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{approved}");
    let (_, shown) = preview(&t, "").await;
    assert!(lit(&shown).2 > 100, "approved: on the panel");

    // An edit is a draft revision: the approved text stays on the panel meanwhile.
    let (s, edited) = t
        .api(
            Role::Editor,
            Method::PUT,
            &path,
            Some(json!({"text": "Xin phép", "effect": "static"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["state"], "approved");
    assert_eq!(edited["pending_revision"]["state"], "draft", "{edited}");
    let (_, during) = preview(&t, "").await;
    assert_eq!(during, shown, "the approved slogan still shows");
    for (role, step) in [(Role::Editor, "submit"), (Role::Approver, "approve")] {
        let (s, b) = t
            .api(role, Method::POST, &format!("{path}/{step}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{step}: {b}");
    }
    let (_, revised) = preview(&t, "").await;
    assert!(lit(&revised).2 > 100, "the revision shows once approved");
    assert_ne!(revised, shown, "with its own text");
    // Taken off air, it leaves the panel.
    let (s, off) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("{path}/take-off"),
            None,
        )
        .await;
    assert_eq!(
        (s, off["state"].as_str()),
        (StatusCode::OK, Some("draft")),
        "{off}"
    );
    let (_, after) = preview(&t, "").await;
    assert_eq!(lit(&after).2, 0);

    let log = t.service.state.store.with(|c| {
        Ok(loaxa::store::audit::for_subject(
            c,
            &format!("slogan:{id}"),
        )?)
    });
    let actions: Vec<String> = log.unwrap().into_iter().map(|e| e.action).collect();
    for a in [
        "slogan.create",
        "slogan.submit",
        "slogan.approve",
        "slogan.edit",
        "slogan.take_off",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_letter_the_panel_cannot_draw_is_refused_by_name() {
    let t = app();
    for (text, named) in [
        ("Chúc mừng năm mới 🎉", "U+1F389"),
        ("Xin chào\u{7}", "U+0007"),
        ("مرحبا", "U+0645"),
        ("", "trống"),
    ] {
        let (s, body) = t
            .api(
                Role::Editor,
                Method::POST,
                "/display/slogans",
                Some(json!({ "text": text })),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{text:?}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{text:?}: {message}");
    }
    let long = "Xin chào ".repeat(2000);
    let (s, body) = t
        .api(
            Role::Editor,
            Method::POST,
            "/display/slogans",
            Some(json!({ "text": long })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, _) = preview(&t, "text=%F0%9F%98%80").await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "the preview refuses what approval would"
    );

    // A slogan that got in some other way (an older panel font, a hand-edited database) is
    // refused at approval, with the letter named.
    let store = &t.service.state.store;
    let editor = t.ids[&Role::Editor];
    let id = store
        .with(|c| {
            c.execute(
                "INSERT INTO slogans (text, state, created_by) VALUES ('Tết 🧧', 'submitted', ?1)",
                [editor],
            )?;
            Ok(c.last_insert_rowid())
        })
        .unwrap();
    let (s, body) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("/display/slogans/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("U+1F9E7")
    );
}

#[tokio::test]
async fn decomposed_and_composed_text_draw_the_same_pixels() {
    let t = app();
    let nfc = "Luôn lắng nghe, luôn giúp đỡ — Trường Sơn, Huế, Đà Nẵng";
    let nfd: String = unicode_decompose(nfc);
    assert_ne!(nfc, nfd);
    for effect in ["static", "scroll", "blink"] {
        let q = |text: &str| {
            serde_urlencoded::to_string([("text", text), ("effect", effect), ("ms", "1500")])
                .unwrap()
        };
        let (s1, a) = preview(&t, &q(nfc)).await;
        let (s2, b) = preview(&t, &q(&nfd)).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert!(lit(&a).2 > 0);
        assert_eq!(a, b, "{effect}: NFD and NFC give the same PNG");
    }
}

fn unicode_decompose(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().collect()
}

/// A panel that remembers when each frame came and how many LEDs it lit.
/// The machine's clock, noting when the panel loop last asked the time: it asks right before
/// it reads the board for a frame, so a frame presented late (a busy machine) is still known
/// by when it was drawn.
struct DrawClock {
    inner: SystemClock,
    asked: Mutex<Instant>,
}

impl Clock for DrawClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        *self.asked.lock().unwrap() = Instant::now();
        self.inner.now()
    }
    fn elapsed(&self) -> Duration {
        self.inner.elapsed()
    }
    fn sleep(&self, d: Duration) {
        self.inner.sleep(d)
    }
}

/// A panel that keeps, for each frame, when it was drawn and how many LEDs it lit.
struct Recorder {
    clock: Arc<DrawClock>,
    frames: Arc<Mutex<Vec<(Instant, usize)>>>,
}

impl Panel for Recorder {
    fn present(&mut self, frame: &Frame) -> Result<(), PanelError> {
        let drawn = *self.clock.asked.lock().unwrap();
        self.frames.lock().unwrap().push((drawn, frame.lit_count()));
        Ok(())
    }
}

#[tokio::test]
async fn an_emergency_takes_the_panel_within_one_frame_and_gives_it_back() {
    let t = app();
    let state = t.service.state.clone();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let clock = Arc::new(DrawClock {
        inner: SystemClock::new(),
        asked: Mutex::new(Instant::now()),
    });
    let (recorder, drawing) = (frames.clone(), clock.clone());
    let open: OpenPanel = Box::new(move || {
        Ok(Box::new(Recorder {
            clock: drawing.clone(),
            frames: recorder.clone(),
        }) as Box<dyn Panel>)
    });
    let opened = Instant::now();
    let driver = PanelDriver::spawn(state.board.clone(), clock, 30, open).unwrap();
    // Frames drawn after `since`, by when they were drawn: a busy machine draws fewer, later.
    let drawn_after = |since: Instant| {
        let frames = frames.lock().unwrap();
        (frames.iter().filter(|(at, _)| *at > since).count() > 5).then_some(())
    };
    eventually(30, "frames of the dark panel", || drawn_after(opened)).await;

    let emergency = state.emergency.clone();
    let started_at = Instant::now();
    let active = tokio::task::spawn_blocking(move || {
        emergency.start(Start {
            message: Message::Text("Bão số 3 đổ bộ, bà con ở trong nhà".into()),
            repeat: Some(0),
            actor: "truc-ban".into(),
            trigger: Trigger::Api,
            reference: None,
            drill: false,
            received_at: Utc::now(),
        })
    })
    .await
    .unwrap()
    .unwrap();
    let on_board = Instant::now();
    assert_eq!(active.panel_text, "Bão số 3 đổ bộ, bà con ở trong nhà");
    eventually(30, "frames of the warning", || drawn_after(on_board)).await;
    let emergency = state.emergency.clone();
    let stopped_at = Instant::now();
    tokio::task::spawn_blocking(move || emergency.stop("truc-ban"))
        .await
        .unwrap()
        .unwrap();
    let off_board = Instant::now();
    eventually(30, "frames after the warning", || drawn_after(off_board)).await;
    drop(driver);

    let frames = frames.lock().unwrap().clone();
    let dark_before = frames.iter().filter(|(at, _)| *at < started_at);
    assert!(dark_before.clone().count() > 5 && dark_before.clone().all(|(_, n)| *n == 0));
    // A frame drawn while the request was being handled may still be the old one; every frame
    // drawn once the emergency is on the board (the next frame the loop draws) shows the
    // warning, in both of its blink phases.
    let during: Vec<_> = frames
        .iter()
        .filter(|(at, _)| *at > on_board && *at < stopped_at)
        .collect();
    assert!(
        during.len() > 5,
        "{} frames during the emergency",
        during.len()
    );
    assert!(during.iter().all(|(_, n)| *n > 0), "{during:?}");
    let after: Vec<_> = frames.iter().filter(|(at, _)| *at > off_board).collect();
    assert!(
        !after.is_empty() && after.iter().all(|(_, n)| *n == 0),
        "back to dark: {after:?}"
    );
    assert!(
        t.service.state.panel.is_none(),
        "output none: only the preview"
    );
}

#[test]
fn the_cli_renders_a_slogan_and_the_panel_at_a_moment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("xin-chao.png");
    let bin = env!("CARGO_BIN_EXE_loaxa");
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .current_dir(dir.path())
            .env("LOAXA_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap()
    };
    let o = run(&[
        "display",
        "render",
        "--text",
        "Xin chào bà con",
        "--out",
        out.to_str().unwrap(),
        "--size",
        "128x32",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (w, h, on) = lit_scaled(&out, 4);
    assert_eq!((w, h), (128, 32));
    assert!(on > 0);

    let o = run(&[
        "display",
        "render",
        "--text",
        "Xin chào 😀",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("U+1F600"));
    let o = run(&[
        "display",
        "render",
        "--text",
        "x",
        "--size",
        "0x0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());

    // The panel at 07:30 with the demo slogans, and at 03:00 when office hours are over.
    let moment = dir.path().join("bang-led-0730.png");
    let o = run(&[
        "display",
        "render",
        "--at",
        "2026-11-27 07:30",
        "--out",
        moment.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (w, h, on) = lit_scaled(&moment, 4);
    assert_eq!((w, h), (192, 32));
    assert!(on > 0, "the clock shows even without slogans");
}

/// (width, height, lit LEDs) of a PNG written at `scale` pixels per LED.
fn lit_scaled(path: &Path, scale: u32) -> (u32, u32, usize) {
    let bytes = std::fs::read(path).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width / scale, info.height / scale);
    let centre = |x: u32, y: u32| {
        let i = (((y * scale + scale / 2) * info.width + x * scale + scale / 2) * 3) as usize;
        buf[i..i + 3].iter().any(|c| *c > 60)
    };
    let on = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|(x, y)| centre(*x, *y))
        .count();
    (w, h, on)
}

/// Every demo slogan, drawn on the two usual panels into `target/screenshots/panel-*.png`, to
/// be looked at: a wrong tone mark on a government sign is a public mistake.
#[tokio::test]
async fn the_demo_slogans_render_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = loaxa::config::Config {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    config.audio.output = loaxa::config::OutputSpec::Null;
    loaxa::demo::seed(&config).unwrap();
    let store = loaxa::store::Store::open(&config.database_path()).unwrap();
    let slogans = store
        .with(|c| Ok(loaxa::display::board::approved(c)?))
        .unwrap();
    assert!(
        slogans.len() >= 5,
        "the headline, 4 xin, 4 luôn, 5 không, …"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (width, height, kind, tag) in [
        (192, 32, loaxa::model::PanelKind::MonoRed, "192x32"),
        (128, 64, loaxa::model::PanelKind::Rgb, "128x64"),
    ] {
        let spec = loaxa::display::PanelSpec {
            width,
            height,
            kind,
        };
        for s in &slogans {
            let font = loaxa::display::FontChoice::for_panel_height(height);
            // The whole text on one strip as wide as it needs, to see every letter at once.
            let strip = loaxa::display::PanelSpec {
                width: (font.text_width(&s.text) + 8).min(4096),
                ..spec
            };
            let still = loaxa::display::Slogan {
                effect: loaxa::model::Effect::Static,
                ..s.clone()
            };
            let now = Utc::now().fixed_offset();
            let frame = loaxa::display::board::preview(strip, still, now, 0);
            assert!(frame.lit_count() > 0, "{}", s.text);
            let png = loaxa::display::panel::to_png(&frame, 3);
            std::fs::write(shots.join(format!("panel-{tag}-{}.png", s.id)), png).unwrap();
        }
    }
}
