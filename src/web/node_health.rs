//! A village node's `/healthz` (`loaxa node`), on a loopback address only: the station's
//! checks (database, output, disk, clock) and the node's own (the link, the plan, the
//! recordings of the next day). 200 when the node airs as it should, 503 with the reasons
//! otherwise. Only reads what [`crate::cluster::node`] shares; must not change it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::health::{self, Check};
use crate::cluster::node::Shared;

/// The node's `/healthz` (and nothing else).
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(shared)
}

/// The node's `/healthz` body.
#[derive(Debug, Serialize)]
struct NodeHealth {
    status: &'static str,
    node: String,
    database: Check,
    audio: Check,
    disk: Check,
    clock: Check,
    link: Check,
    plan: Check,
    media: Check,
}

async fn healthz(State(s): State<Arc<Shared>>) -> (StatusCode, Json<NodeHealth>) {
    let database = health::database(&s.store).await;
    let audio = health::audio(&s.player.status());
    let data_dir = s
        .store
        .path()
        .and_then(|p| p.parent())
        .map(|p| p.to_path_buf());
    let disk = health::disk(&data_dir.unwrap_or_default(), 64);
    let clock = health::clock(true).await;
    let link = link(&s);
    let plan = plan(&s);
    let media = media(&s);
    let checks = [&database, &audio, &disk, &clock, &link, &plan, &media];
    let healthy = checks.iter().all(|c| c.ok);
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = NodeHealth {
        status: if healthy { "ok" } else { "degraded" },
        node: s.end.id.to_string(),
        database,
        audio,
        disk,
        clock,
        link,
        plan,
        media,
    };
    (code, Json(body))
}

fn link(s: &Shared) -> Check {
    if s.connected.load(Ordering::Relaxed) {
        let head = if s.head_end_online.load(Ordering::Relaxed) {
            "trung tâm trực tuyến / head-end online"
        } else {
            "trung tâm ngoại tuyến, vẫn phát theo kế hoạch / head-end offline, airing the plan"
        };
        // A topic the broker refuses (an ACL older than it) is a warning, not a failure: the
        // node airs its plan and emergencies; the words say what to fix.
        let refused: String = s
            .refused_warnings()
            .iter()
            .map(|w| format!("; cảnh báo / warning: {w}"))
            .collect();
        return Check {
            ok: true,
            detail: format!("đã nối broker / linked to the broker; {head}{refused}"),
        };
    }
    let why = s
        .link_problem
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_else(|| "đang kết nối / connecting".into());
    Check {
        ok: false,
        detail: format!(
            "mất liên kết, vẫn phát theo kế hoạch đã có / link down, airing the kept plan: {why}"
        ),
    }
}

fn plan(s: &Shared) -> Check {
    match s.cues.kept(&s.store) {
        Ok(Some(p)) => {
            let now = s.clock.now();
            let ahead = p.cues.iter().filter(|c| c.start >= now).count();
            Check {
                ok: p.to > now,
                detail: format!(
                    "kế hoạch v{} tới {}, còn {ahead} mục / plan v{} until {}, {ahead} cues to come",
                    p.version,
                    p.to.format("%Y-%m-%d %H:%M UTC"),
                    p.version,
                    p.to.format("%Y-%m-%d %H:%M UTC")
                ),
            }
        }
        Ok(None) => Check {
            ok: false,
            detail: "chưa có kế hoạch từ trung tâm / no plan from the head-end yet".into(),
        },
        Err(e) => Check {
            ok: false,
            detail: e.to_string(),
        },
    }
}

fn media(s: &Shared) -> Check {
    let missing = s.missing.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let stats = s.cache.stats();
    match missing.first() {
        None => Check {
            ok: true,
            detail: format!(
                "có đủ bản ghi cho 24 giờ tới ({} bản, {} MB) / every recording of the next 24 h is here ({} items, {} MB)",
                stats.items,
                stats.bytes / 1_000_000,
                stats.items,
                stats.bytes / 1_000_000
            ),
        },
        Some(first) => Check {
            ok: false,
            detail: format!(
                "{} mục chưa có bản ghi, sớm nhất \"{}\" lúc {}: {} / {} cues lack their recording, the first \"{}\" at {}: {}",
                missing.len(),
                first.title,
                first.start.format("%Y-%m-%d %H:%M UTC"),
                first.reason,
                missing.len(),
                first.title,
                first.start.format("%Y-%m-%d %H:%M UTC"),
                first.reason
            ),
        },
    }
}
