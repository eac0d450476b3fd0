//! The station as an app on a phone's home screen: the web app manifest is served (to anyone:
//! browsers fetch it without cookies) as valid JSON naming PNG icons that are served at the
//! sizes it states, and every page links it with a theme colour.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::model::Role;

use crate::web::{PAGE_PARTS, PASSWORD, TestApp, allowed, routes};

#[tokio::test]
async fn the_manifest_names_icons_that_are_served_at_their_sizes() {
    let t = TestApp::new();
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let (status, h, text) = t.send(get("/manifest.webmanifest")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h.0[header::CONTENT_TYPE],
        "application/manifest+json",
        "the type browsers expect"
    );
    let m: serde_json::Value = serde_json::from_str(&text).expect("the manifest is JSON");
    assert!(m["name"].as_str().unwrap().starts_with("Loa Xã"), "{m}");
    assert_eq!(m["short_name"], "Loa Xã");
    assert_eq!(m["lang"], "vi");
    assert_eq!(m["start_url"], "/");
    assert_eq!(m["display"], "standalone");
    assert!(m["theme_color"].as_str().unwrap().starts_with('#'));
    assert!(m["background_color"].as_str().unwrap().starts_with('#'));
    let mut sizes = Vec::new();
    for icon in m["icons"].as_array().unwrap() {
        if icon["type"] != "image/png" {
            continue;
        }
        let (status, h, _) = t.send(get(icon["src"].as_str().unwrap())).await;
        assert_eq!(status, StatusCode::OK, "{icon}");
        assert_eq!(h.0[header::CONTENT_TYPE], "image/png");
        let png = icon_bytes(&t, icon["src"].as_str().unwrap()).await;
        let (w, h) = png_size(&png);
        assert_eq!(icon["sizes"], format!("{w}x{h}"), "{icon} is {w}×{h}");
        sizes.push(w);
    }
    sizes.sort();
    assert_eq!(sizes, [192, 512], "the two sizes Android asks for");
    let touch = icon_bytes(&t, "/static/apple-touch-icon.png").await;
    assert_eq!(png_size(&touch), (180, 180));
}

#[tokio::test]
async fn every_page_links_the_manifest_and_a_theme_colour() {
    let t = TestApp::new();
    let admin = t.login(Role::Admin.as_str(), PASSWORD).await.unwrap().0;
    let approver = t.login(Role::Approver.as_str(), PASSWORD).await.unwrap().0;
    let mut pages: Vec<(String, String)> = Vec::new();
    for path in ["/login", "/setup/khong-co", "/khong-co-trang-nay"] {
        let (_, _, body) = t
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        pages.push((path.to_string(), body));
    }
    for (method, path, need) in routes() {
        if method != Method::GET
            || path.contains('{')
            || path.starts_with("/api/")
            || PAGE_PARTS.contains(&path)
        {
            continue;
        }
        let session = if allowed(Role::Admin, need) {
            &admin
        } else {
            &approver
        };
        let (status, _, body) = t.page(session, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        pages.push((path.to_string(), body));
    }
    assert!(pages.len() > 10, "{} pages", pages.len());
    for (path, body) in pages {
        assert!(
            body.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#)
                && body.contains(r#"<meta name="theme-color""#)
                && body.contains(r#"rel="apple-touch-icon""#),
            "{path} does not link the manifest"
        );
    }
}

async fn icon_bytes(t: &TestApp, path: &str) -> Vec<u8> {
    use tower::ServiceExt;
    let res = t
        .app()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec()
}

/// Width and height from a PNG's header, refusing anything that is not a PNG.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    (info.width, info.height)
}
