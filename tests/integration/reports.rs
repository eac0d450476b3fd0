//! The province's monthly reports through the real router and database: the plays report of a
//! single Pi ("trạm chính") beside a node's rows, a month cut at midnight in the commune's time
//! zone (not UTC's), the CSV Excel opens (byte-order mark, Vietnamese header, commas and quotes
//! intact), the same CSV from `loaxa report`, and who may read them. The node-fed reports
//! (connectivity, condition) are checked against the real broker in `nodes::airing`.

use axum::http::Method;
use chrono::{DateTime, Utc};
use loaxa::model::Role;
use loaxa::model::asrun::{NewEntry, Outcome};
use loaxa::model::cluster::NodeRow;
use loaxa::store::{asrun, cluster as table};

use crate::web::TestApp;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An approved item of the editor's, approved by the leader ("Người approver").
async fn approved(app: &TestApp, title: &str) -> i64 {
    let (_, item) = app.item_by(Role::Editor, title).await;
    let (s, b) = app
        .api(
            Role::Editor,
            Method::POST,
            &format!("/items/{item}/submit"),
            None,
        )
        .await;
    assert!(s.is_success(), "{s} {b}");
    let (s, b) = app
        .api(
            Role::Approver,
            Method::POST,
            &format!("/items/{item}/approve"),
            None,
        )
        .await;
    assert!(s.is_success(), "{s} {b}");
    item
}

/// This machine's own play of `item` at `first` for `secs`.
fn own_play(app: &TestApp, cue: &str, item: i64, label: &str, first: &str, secs: i64) {
    let first = t(first);
    let new = NewEntry {
        cue_key: Some(cue),
        item_id: Some(item),
        label,
        source: "schedule",
        planned_at: Some(first),
        ..Default::default()
    };
    let last = first + chrono::Duration::seconds(secs);
    app.service
        .state
        .store
        .with(|c| {
            Ok(asrun::upsert_cue(
                c,
                &new,
                Outcome::Completed,
                None,
                Some(first),
                Some(last),
            )?)
        })
        .unwrap();
}

#[tokio::test]
async fn plays_per_item_by_the_communes_month_as_json_csv_and_from_the_command_line() {
    let app = TestApp::new();
    let greeting = approved(&app, "Chúc mừng ngày Nhà giáo Việt Nam 20/11").await;
    // 31 Oct 16:30 UTC is 23:30 in Hà Nội: October's. 17:30 UTC is already 1 November there.
    own_play(&app, "a", greeting, "x", "2026-10-31T16:30:00Z", 60);
    own_play(&app, "b", greeting, "x", "2026-10-31T17:30:00Z", 60);
    own_play(&app, "c", greeting, "x", "2026-11-20T00:00:00Z", 61);
    // 30 Nov 17:00 UTC is 1 December in Hà Nội: not November's.
    own_play(&app, "d", greeting, "x", "2026-11-30T17:00:00Z", 60);
    // A node's typed emergency, as the head-end stores it from the broker.
    let node_row = NodeRow {
        node: "thon-2".into(),
        row: "r1".into(),
        revision: 2,
        cue_key: None,
        item_id: None,
        label: "Thông báo \"khẩn\", lũ về: di dời ngay".into(),
        source: "emergency".into(),
        outcome: Outcome::Completed,
        reason: None,
        planned_at: None,
        first_sample_at: Some(t("2026-11-10T03:00:00Z")),
        last_sample_at: Some(t("2026-11-10T03:00:30Z")),
    };
    app.service
        .state
        .store
        .with(|c| Ok(table::store_node_row(c, &node_row)?))
        .unwrap();

    let (s, body) = app
        .api(
            Role::Approver,
            Method::GET,
            "/reports/plays?month=2026-11",
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["report"], "plays");
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{body}");
    assert_eq!(rows[0]["item_id"], greeting);
    assert_eq!(
        rows[0]["count"], 2,
        "1 and 20 November, in Hà Nội's time: {body}"
    );
    assert_eq!(rows[0]["total_ms"], 121_000);
    assert_eq!(rows[0]["tier"], "normal");
    assert_eq!(rows[0]["approver"], "Người approver");
    assert_eq!(rows[0]["nodes"], serde_json::json!({"trạm chính": 2}));
    assert_eq!(rows[1]["nodes"], serde_json::json!({"thon-2": 1}));
    assert_eq!(rows[1]["tier"], "emergency");
    let (_, october) = app
        .api(
            Role::Admin,
            Method::GET,
            "/reports/plays?month=2026-10",
            None,
        )
        .await;
    assert_eq!(october["rows"][0]["count"], 1, "{october}");

    // The CSV, as Excel gets it.
    let req = axum::http::Request::builder()
        .uri("/api/v1/reports/plays?month=2026-11&format=csv")
        .header(
            "authorization",
            format!("Bearer {}", app.tokens[&Role::Admin]),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let (s, h, csv) = app.send(req).await;
    assert_eq!(s, 200);
    assert_eq!(h.0["content-type"], "text/csv; charset=utf-8");
    assert!(
        h.0["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bao-cao-phat-2026-11.csv")
    );
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with(
            "\"Tên bản tin\",\"Mã bản tin\",\"Mức ưu tiên\",\"Người duyệt\",\"Số lần phát\""
        ),
        "{csv}"
    );
    assert_eq!(
        lines[1],
        format!(
            "\"Chúc mừng ngày Nhà giáo Việt Nam 20/11\",\"{greeting}\",\"Thường\",\"Người approver\",\
             \"2\",\"0\",\"121\",\"0:02:01\",\"trạm chính (2)\""
        )
    );
    assert_eq!(
        lines[2],
        "\"Thông báo \"\"khẩn\"\", lũ về: di dời ngay\",\"\",\"Khẩn cấp\",\"\",\"1\",\"0\",\"30\",\
         \"0:00:30\",\"thon-2 (1)\""
    );

    // The command line gives the same file from the same database.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("loaxa.toml");
    let data_dir = app.service.state.config.data_dir.clone();
    std::fs::write(&cfg, format!("data_dir = \"{}\"\n", data_dir.display())).unwrap();
    let out = crate::common::loaxa()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "report",
            "plays",
            "--month",
            "2026-11",
            "--csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), csv);
    let out = crate::common::loaxa()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "report",
            "plays",
            "--month",
            "2026-11",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Số lần phát theo bản tin — tháng 11/2026"),
        "{text}"
    );
    assert!(text.contains("trạm chính (2)"), "{text}");
    let out = crate::common::loaxa()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "report",
            "plays",
            "--month",
            "11/2026",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"));

    // Leaders and the admin only; a bad month or format is told.
    for role in [Role::Editor, Role::Operator] {
        let (s, _) = app.api(role, Method::GET, "/reports/plays", None).await;
        assert_eq!(s, 403, "{role:?}");
    }
    let (s, b) = app
        .api(
            Role::Approver,
            Method::GET,
            "/reports/plays?month=2026-13",
            None,
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = app
        .api(
            Role::Approver,
            Method::GET,
            "/reports/condition?format=xls",
            None,
        )
        .await;
    assert_eq!(s, 400);
    // A single Pi has no nodes: the node reports are empty, not an error.
    let (s, b) = app
        .api(Role::Approver, Method::GET, "/reports/connectivity", None)
        .await;
    assert_eq!(
        (s.as_u16(), &b["nodes"]),
        (200, &serde_json::json!([])),
        "{b}"
    );
}
