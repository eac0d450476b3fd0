//! `/healthz`: what works and what needs a person, each with a reason an IT person can act on.
//! Answers 200 when everything works and 503 otherwise, so monitoring can alert on it. Only a
//! signed-in caller or this machine (a local monitor) gets the reasons: device names and
//! database errors tell an outsider on the Wi-Fi too much; others get the status alone. It fixes
//! nothing: it asks each part and reports.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use std::sync::Arc;

use super::AppState;
use crate::audio::Player;
use crate::config::Config;
use crate::display::driver::PanelDriver;
use crate::store::Store;

/// The `/healthz` route.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// One line of `/healthz`.
#[derive(Debug, Serialize)]
pub struct Check {
    /// Whether this part works.
    pub ok: bool,
    /// Why, in words an IT person can act on.
    pub detail: String,
}

/// The `/healthz` body.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// The database.
    pub database: Check,
    /// The loudspeaker output.
    pub audio: Check,
    /// Room on the data disk.
    pub disk: Check,
    /// The LED panel.
    pub panel: Check,
    /// Whether the clock is synchronised (the programme waits for it).
    pub clock: Check,
}

async fn healthz(
    State(store): State<Store>,
    State(player): State<Arc<Player>>,
    State(config): State<Arc<Config>>,
    State(panel): State<Option<Arc<PanelDriver>>>,
    parts: Parts,
) -> Response {
    let database = database(&store).await;
    let audio = audio(&player.status());
    let disk = disk(&config.data_dir, config.web.min_free_mb);
    let panel = panel_check(&config, panel.as_deref());
    let clock = clock(config.schedule.require_time_sync).await;
    let healthy = database.ok && audio.ok && disk.ok && panel.ok && clock.ok;
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let health = Health {
        status: if healthy { "ok" } else { "degraded" },
        database,
        audio,
        disk,
        panel,
        clock,
    };
    let signed_in = super::auth::is_signed_in(&parts);
    if signed_in || super::auth::client_addr(&parts, &config.web).is_loopback() {
        (code, Json(health)).into_response()
    } else {
        (code, Json(serde_json::json!({ "status": health.status }))).into_response()
    }
}

/// Whether the database answers.
pub async fn database(store: &Store) -> Check {
    match store.ping().await {
        Ok(()) => Check {
            ok: true,
            detail: "cơ sở dữ liệu hoạt động / database answers".into(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    }
}

/// Whether the loudspeaker output is open.
pub fn audio(player: &crate::audio::player::PlayerStatus) -> Check {
    match (&player.format, &player.output_error) {
        (Some(f), _) => Check {
            ok: true,
            detail: format!(
                "đầu ra {} sẵn sàng ({} Hz, {} kênh), {} lần thiếu dữ liệu / output {} ready ({} Hz, {} ch), {} underruns",
                player.output,
                f.sample_rate,
                f.channels,
                player.underruns,
                player.output,
                f.sample_rate,
                f.channels,
                player.underruns
            ),
        },
        (None, Some(e)) => Check {
            ok: false,
            detail: e.to_string(),
        },
        (None, None) => Check {
            ok: false,
            detail: format!(
                "đang mở đầu ra {} / opening output {}",
                player.output, player.output
            ),
        },
    }
}

/// Whether the data disk keeps `min_free_mb` free.
pub fn disk(data_dir: &std::path::Path, min_free_mb: u64) -> Check {
    let reserve = min_free_mb.saturating_mul(1024 * 1024);
    match crate::ops::disk::space(data_dir) {
        Ok(space) => match crate::ops::disk::refuse_write(space, reserve) {
            Some(why) => Check {
                ok: false,
                detail: why.to_string(),
            },
            None => {
                let mb = space.free / (1024 * 1024);
                Check {
                    ok: true,
                    detail: format!("còn trống {mb} MB / {mb} MB free"),
                }
            }
        },
        Err(e) => Check {
            ok: false,
            detail: format!(
                "không đọc được dung lượng đĩa / cannot read the disk space of {}: {e}",
                data_dir.display()
            ),
        },
    }
}

fn panel_check(config: &Config, panel: Option<&PanelDriver>) -> Check {
    match panel {
        None => Check {
            ok: true,
            detail: "không có bảng LED gắn vào (display.output = none); chỉ có hình xem trước / no panel attached (display.output = none); preview only".into(),
        },
        Some(driver) => match driver.health() {
            h if h.error.is_some() => Check {
                ok: false,
                detail: h.error.unwrap_or_default(),
            },
            h => Check {
                ok: true,
                detail: format!(
                    "bảng LED {} đang hiện ({} khung hình) / panel {} showing ({} frames)",
                    config.display.output, h.frames, config.display.output, h.frames
                ),
            },
        },
    }
}

/// Whether the clock is synchronised (the programme waits for it when `required`).
pub async fn clock(required: bool) -> Check {
    use crate::schedule::runner::{SystemTimeSync, TimeSync};
    let synced = tokio::task::spawn_blocking(|| SystemTimeSync.synchronized())
        .await
        .ok()
        .flatten();
    match synced {
        Some(true) => Check {
            ok: true,
            detail: "đồng hồ đã đồng bộ NTP / the clock is NTP-synchronised".into(),
        },
        Some(false) => Check {
            ok: !required,
            detail: if required {
                "đồng hồ chưa đồng bộ NTP: lịch phát đang chờ — kiểm tra mạng và timedatectl / the clock is not NTP-synchronised: the programme is waiting — check the network and timedatectl".into()
            } else {
                "đồng hồ chưa đồng bộ NTP (schedule.require_time_sync = false: vẫn phát) / the clock is not NTP-synchronised (require_time_sync is off: airing anyway)".into()
            },
        },
        None => Check {
            ok: true,
            detail: "không kiểm tra được đồng bộ giờ (không có timedatectl) / cannot tell whether the clock is synchronised (no timedatectl)".into(),
        },
    }
}
