//! Operations through the real service: backups taken while it runs and restored only when
//! they check out, uploads refused before the disk fills while the programme keeps airing,
//! `/healthz` and `/api/v1/metrics`, and a stop that open dashboards do not hold up.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::config::Config;
use loaxa::model::Role;
use loaxa::ops::backup::{self, BackupError};

use crate::common::fixture;
use crate::web::TestApp;

fn config_in(dir: &std::path::Path) -> Config {
    let mut c = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    c.audio.output = loaxa::config::OutputSpec::Null;
    c
}

#[tokio::test]
async fn a_backup_taken_while_running_restores_everything_elsewhere() {
    let t = TestApp::new();
    let (media, item) = t.item_by(Role::Editor, "Bản tin trước sao lưu").await;
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = archive_dir.path().join("loaxa.tar");
    let config = t.service.state.config.clone();
    let to = archive.clone();
    let report = tokio::task::spawn_blocking(move || backup::backup(&config, &to))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.manifest.recordings, 1);
    assert!(report.bytes > 10_000);

    // The running service holds its folder: a restore there is refused, nothing touched.
    let config = t.service.state.config.clone();
    let from = archive.clone();
    let refused = tokio::task::spawn_blocking(move || backup::restore(&config, &from))
        .await
        .unwrap();
    assert!(
        matches!(refused, Err(BackupError::ServiceRunning)),
        "{refused:?}"
    );

    // A new machine: restore, then start the service on it.
    let fresh = tempfile::tempdir().unwrap();
    let restored = backup::restore(&config_in(fresh.path()), &archive).unwrap();
    assert_eq!(restored.manifest.recordings, 1);
    assert!(restored.previous.is_none());
    let service = loaxa::service::Service::start(config_in(fresh.path())).unwrap();
    let (item_back, file) = service
        .state
        .store
        .with(|c| {
            let i = <loaxa::store::items::ItemRows as loaxa::store::review::ReviewedRows>::get(
                c, item,
            )?
            .unwrap();
            let m = loaxa::store::media::get(c, media)?.unwrap();
            Ok((i.title, m.file))
        })
        .unwrap();
    assert_eq!(item_back, "Bản tin trước sao lưu");
    assert!(fresh.path().join(file).exists());
}

#[test]
fn a_damaged_backup_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    // A live database to protect.
    drop(loaxa::store::Store::open(&config.database_path()).unwrap());
    let before = std::fs::read(config.database_path()).unwrap();
    let fake = dir.path().join("khong-phai.tar");
    std::fs::write(&fake, b"day khong phai tep sao luu").unwrap();
    let e = backup::restore(&config, &fake).unwrap_err();
    assert!(matches!(e, BackupError::Damaged(_)), "{e}");
    assert!(e.to_string().contains("damaged"), "{e}");
    assert_eq!(std::fs::read(config.database_path()).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".loaxa-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_nearly_full_disk_refuses_uploads_but_the_programme_airs() {
    // A reserve larger than any disk: the disk counts as nearly full.
    let t = TestApp::with(|c| c.web.min_free_mb = u64::MAX / (1 << 21));
    let (s, body) = t
        .upload(
            Role::Editor,
            "ban-tin.mp3",
            &std::fs::read(fixture("ban-tin.mp3")).unwrap(),
            "Bản tin",
        )
        .await;
    assert_eq!(s, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("nearly full") && message.contains("MB"),
        "{message}"
    );
    let incoming = t.service.state.config.data_dir.join("media/incoming");
    let left = std::fs::read_dir(&incoming).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "nothing half-written is left behind");

    // The player still takes and airs work.
    let mut rx = t.service.state.player.subscribe();
    let id = t
        .service
        .state
        .player
        .play(loaxa::audio::player::PlayRequest::file(
            fixture("xin-chao-22k.wav"),
            "Xin chào",
        ));
    let started = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(loaxa::audio::PlayerEvent::Started { id: s, .. }) = rx.recv().await
                && s == id
            {
                return;
            }
        }
    })
    .await;
    assert!(started.is_ok(), "the programme keeps airing");

    let (status, _, body) = t
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["disk"]["ok"], false, "{health}");
    assert!(health["panel"]["ok"].as_bool().unwrap());
    assert!(health["clock"]["detail"].as_str().is_some());
}

#[tokio::test]
async fn metrics_count_what_happened_and_need_a_token() {
    let t = TestApp::new();
    t.item_by(Role::Editor, "Bản tin đếm").await;
    let (s, _, _) = t
        .send(Request::get("/api/v1/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let req = Request::get("/api/v1/metrics")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", t.tokens[&Role::Operator]),
        )
        .body(Body::empty())
        .unwrap();
    let (s, h, text) = t.send(req).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h.0[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    for name in [
        "loaxa_uploads_total{result=\"accepted\"}",
        "loaxa_output_up 1",
        "loaxa_output_underruns",
        "loaxa_disk_free_bytes",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
}

#[tokio::test]
async fn stopping_is_not_held_up_by_an_open_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let service = loaxa::service::Service::start(config_in(dir.path())).unwrap();
    let token = service
        .state
        .store
        .with(|c| {
            let hash = loaxa::accounts::hash_password("mật khẩu đủ dài").unwrap();
            let tx = c.transaction()?;
            let id = loaxa::store::users::insert(&tx, "xem", "Xem", Role::Editor, &hash)?;
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
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(service.serve(listener, async {
        let _ = stopped.await;
    }));
    // A dashboard's event stream stays open...
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Body>();
    let req = Request::builder()
        .method(Method::GET)
        .uri(format!("http://{addr}/api/v1/events"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = client.request(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // ... and the service still stops at once.
    stop.send(()).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(done.is_ok(), "the stop waited for the event stream");
    drop(res);
}

/// The night's housekeeping: an approved item whose last day has passed is expired (its
/// audit entry says the system did it), and with `[ops] backup_dir` a backup is written there,
/// of which the newest seven are kept. The work is scheduled for 00:05 in the commune's time.
#[tokio::test]
async fn the_night_expires_past_items_and_keeps_a_week_of_backups() {
    use loaxa::station::housekeeping::{Housekeeping, KEEP, night};

    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().join("sao-luu");
    let t = TestApp::with(|c| c.ops.backup_dir = Some(dir.clone()));
    let (media, item) = t.item_by(Role::Editor, "Lịch tiêm tuần trước").await;
    let tz = t.service.state.config.timezone;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let window = serde_json::json!({
        "media_id": media, "title": "Lịch tiêm tuần trước", "category": "bulletin",
        "air_from": day(-8), "air_until": day(-1),
    });
    let path = format!("/items/{item}");
    let (s, _) = t.api(Role::Editor, Method::PUT, &path, Some(window)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t
        .api(Role::Editor, Method::POST, &format!("{path}/submit"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t
        .api(
            Role::Approver,
            Method::POST,
            &format!("{path}/approve"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Backups of earlier nights already there, the oldest first to go.
    std::fs::create_dir_all(&dir).unwrap();
    for n in 1..=KEEP as i64 {
        std::fs::write(dir.join(format!("loaxa-{}.tar", day(-n))), b"cu").unwrap();
    }
    std::fs::write(dir.join("ghi-chu.txt"), b"not a backup").unwrap();

    let (store, config) = (
        t.service.state.store.clone(),
        t.service.state.config.clone(),
    );
    let results = tokio::task::spawn_blocking(move || night(&store, &config, today))
        .await
        .unwrap();
    let done: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(done[0].expired, 1);
    let written = done[1].backup.clone().unwrap();
    assert_eq!(written, dir.join(format!("loaxa-{today}.tar")));
    assert!(
        std::fs::metadata(&written).unwrap().len() > 10_000,
        "the recording is in it"
    );
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left.len(), KEEP + 1, "{left:?}");
    assert!(
        !left.contains(&format!("loaxa-{}.tar", day(-(KEEP as i64)))),
        "{left:?}"
    );
    assert!(left.contains(&"ghi-chu.txt".to_string()));
    let (_, shown) = t.api(Role::Editor, Method::GET, &path, None).await;
    assert_eq!(shown["state"], "expired");
    let (_, approved) = t
        .api(Role::Editor, Method::GET, "/items?state=approved", None)
        .await;
    assert_eq!(approved, serde_json::json!([]), "it left what may air");
    let history = t
        .service
        .state
        .store
        .with(|c| {
            Ok(loaxa::store::audit::for_subject(
                c,
                &format!("item:{item}"),
            )?)
        })
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("system", "item.expire")
    );

    let mut scheduled = Housekeeping::start(
        t.service.state.store.clone(),
        t.service.state.config.clone(),
    )
    .await
    .unwrap();
    let next = scheduled.next_run().await.unwrap().with_timezone(&tz);
    scheduled.stop().await;
    assert_eq!(next.format("%H:%M").to_string(), "00:05");
    assert!(next.signed_duration_since(chrono::Utc::now()) <= chrono::Duration::hours(24));
}

/// A backup folder that cannot be used (here a file is in its way, as when a USB stick is
/// missing and its mount point is something else) gives an error naming the folder and
/// `[ops] backup_dir`; the night's expiry still runs, and the service keeps serving.
#[tokio::test]
async fn an_unusable_backup_folder_is_reported_and_the_night_goes_on() {
    use loaxa::station::housekeeping::{NightError, night};

    let backups = tempfile::tempdir().unwrap();
    let blocker = backups.path().join("usb");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let dir = blocker.join("sao-luu");
    let t = TestApp::with(|c| c.ops.backup_dir = Some(dir.clone()));
    let (store, config) = (
        t.service.state.store.clone(),
        t.service.state.config.clone(),
    );
    let today = chrono::Utc::now()
        .with_timezone(&config.timezone)
        .date_naive();
    let results = tokio::task::spawn_blocking(move || night(&store, &config, today))
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().expired, 0);
    let err = results[1].as_ref().unwrap_err();
    assert!(matches!(err, NightError::BackupDir { .. }), "{err:?}");
    let said = err.to_string();
    assert!(said.contains(&dir.display().to_string()), "{said}");
    assert!(said.contains("[ops] backup_dir"), "{said}");
    assert!(said.contains("thư mục sao lưu"), "{said}");
    assert!(!dir.exists());
    let (s, _) = t.api(Role::Editor, Method::GET, "/status", None).await;
    assert_eq!(s, StatusCode::OK, "the service still answers");
}
