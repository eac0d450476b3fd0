//! The service's router on a real store and player.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use loaxa::config::Config;
use loaxa::service::Service;
use tower::ServiceExt;

fn config(dir: &std::path::Path, output: &str) -> Config {
    let mut c = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    c.audio.output = output.parse().unwrap();
    c
}

async fn healthz(service: &Service) -> (StatusCode, serde_json::Value) {
    let app = loaxa::web::app(service.state.clone());
    let res = app
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn healthz_is_ok_with_a_working_output() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(config(dir.path(), "null")).unwrap();
    let (status, body) = healthz(&service).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    assert!(dir.path().join("loaxa.sqlite3").exists());
}

#[tokio::test]
async fn service_keeps_running_without_its_sound_card_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(config(dir.path(), "device:card-da-rut")).unwrap();
    let (status, body) = healthz(&service).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"]["ok"], true);
    assert_eq!(body["audio"]["ok"], false);
    assert!(
        body["audio"]["detail"]
            .as_str()
            .unwrap()
            .contains("card-da-rut"),
        "{body}"
    );
    // Still answering later: the player retries in the background.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, _) = healthz(&service).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}
