//! Alerts by place from CAP feeds: a test HTTP server publishes an Atom feed (MeteoAlarm and
//! NWS style) of CAP documents written as Vietnam's disaster agency writes them, and junk
//! beside them; the station polls it on a simulated clock, airs what covers the commune once,
//! refuses the rest with reasons, survives the junk, stops an alert its Cancel names, and
//! after a restart does not air anything again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use loaxa::clock::{Clock, SimClock};
use loaxa::config::Config;
use loaxa::emergency::DRILL_TITLE;
use loaxa::emergency::cap::feed::Feeds;
use loaxa::service::Service;
use loaxa::station::cap::{Alerts, CapError, Received};

/// The commune: Tân Lập, on the Hải Phòng coast.
const LOCATION: &str = "20.86,106.68";
/// Roughly the northern coast from Hải Phòng to Quảng Ninh.
const NORTH_COAST: &str = "20.55,106.40 21.60,106.40 21.60,108.10 20.55,108.10 20.55,106.40";
/// Around Cà Mau, far to the south.
const CA_MAU: &str = "8.60,104.70 9.60,104.70 9.60,105.60 8.60,105.60 8.60,104.70";
const SENDER: &str = "canhbao@vndma.gov.vn";

/// A CAP 1.2 alert in the style of the disaster agency's: an English `<info>` first, then the
/// Vietnamese one the station must read.
fn storm(identifier: &str, status: &str, polygon: &str, area: &str, expires: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{SENDER}</sender>
  <sent>2026-09-15T06:00:00+07:00</sent>
  <status>{status}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Typhoon</event>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Observed</certainty>
    <expires>{expires}</expires>
    <senderName>Vietnam Disaster and Dyke Management Authority</senderName>
    <headline>Typhoon No. 3 making landfall</headline>
    <area><areaDesc>{area}</areaDesc><polygon>{polygon}</polygon></area>
  </info>
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>Bão số 3</event>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Observed</certainty>
    <expires>{expires}</expires>
    <senderName>Cục Quản lý đê điều và Phòng, chống thiên tai</senderName>
    <headline>Bão số 3 đổ bộ, gió giật cấp 14</headline>
    <description>Hồi 06 giờ, vị trí tâm bão cách Hải Phòng khoảng 80 km về phía Đông Nam.</description>
    <instruction>Bà con không ra khơi, chằng chống nhà cửa, sơ tán khỏi vùng trũng thấp.</instruction>
    <area><areaDesc>{area}</areaDesc><polygon>{polygon}</polygon></area>
  </info>
</alert>"#
    )
}

/// A Cancel of `identifier`.
fn cancel_of(identifier: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}-HUY</identifier>
  <sender>{SENDER}</sender>
  <sent>2026-09-15T09:00:00+07:00</sent>
  <status>Actual</status>
  <msgType>Cancel</msgType>
  <scope>Public</scope>
  <references>{SENDER},{identifier},2026-09-15T06:00:00+07:00</references>
  <info><language>vi-VN</language><event>Bão số 3</event><urgency>Past</urgency><severity>Extreme</severity><certainty>Observed</certainty><headline>Bão số 3 đã suy yếu</headline><area><areaDesc>Ven biển Bắc Bộ</areaDesc></area></info>
</alert>"#
    )
}

/// One Atom entry: MeteoAlarm style (`type="application/cap+xml"` beside a web page) or
/// NWS style (the entry's one link).
fn entry(id: &str, href: &str, meteoalarm: bool) -> String {
    let links = if meteoalarm {
        format!(
            r#"<link href="https://canhbao.example/trang/{id}" rel="alternate" type="text/html"/><link href="{href}" rel="related" type="application/cap+xml"/>"#
        )
    } else {
        format!(r#"<link href="{href}"/>"#)
    };
    format!(
        "<entry><id>urn:oid:2.49.0.1.704.{id}</id><updated>2026-09-15T06:00:00+07:00</updated><title>{id}</title>{links}<cap:event>Bão</cap:event></entry>"
    )
}

fn atom(entries: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
<id>https://canhbao.example/cap/atom</id><title>Cảnh báo thiên tai</title><updated>2026-09-15T06:00:00+07:00</updated>
{}
</feed>"#,
        entries.join("\n")
    )
}

/// The feed server's documents and how often each path was asked for.
#[derive(Default)]
struct Published {
    docs: HashMap<String, String>,
    hits: HashMap<String, usize>,
}

type Shared = Arc<Mutex<Published>>;

async fn serve_doc(State(p): State<Shared>, Path(name): Path<String>) -> Response {
    let doc = {
        let mut p = p.lock().unwrap();
        *p.hits.entry(name.clone()).or_default() += 1;
        p.docs.get(&name).cloned()
    };
    match name.as_str() {
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "<alert/>".into_response()
        }
        "big" => "<feed>".repeat(300_000).into_response(),
        "trang" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<!doctype html><html><body>Trang web, không phải CAP</body></html>",
        )
            .into_response(),
        _ => match doc {
            Some(d) => ([(header::CONTENT_TYPE, "application/xml")], d).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
    }
}

/// A feed server on a free port of this machine, stopped with the test's runtime.
async fn feed_server() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let app = Router::new()
        .route("/{name}", axum::routing::get(serve_doc))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, shared)
}

fn config(dir: &std::path::Path, feed: &str, drills: bool) -> Config {
    let mut c = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    c.audio.output = loaxa::config::OutputSpec::Null;
    c.emergency.location = Some(LOCATION.parse().unwrap());
    c.emergency.cap_areas = vec!["Hải Phòng".into()];
    c.emergency.cap_drills = drills;
    c.emergency.cap_feeds = vec![feed.into()];
    c
}

fn alerts_of(service: &Service) -> Alerts {
    let s = &service.state;
    Alerts::new(
        s.store.clone(),
        s.emergency.clone(),
        s.events.clone(),
        s.config.emergency.clone(),
    )
}

fn feeds_of(config: &Config) -> Feeds {
    Feeds::new(
        &config.emergency.cap_feeds,
        Duration::from_secs(config.emergency.cap_poll_seconds),
        Duration::from_secs(1),
    )
}

/// The outcomes of a poll by the last part of each document's address.
fn by_name(results: Vec<(String, Result<Received, CapError>)>) -> HashMap<String, String> {
    results
        .into_iter()
        .map(|(url, r)| {
            let name = url.rsplit('/').next().unwrap().to_string();
            let what = match r {
                Ok(Received::Aired(a)) => format!("aired {}", a.title),
                Ok(Received::Cancelled(a)) => format!("cancelled {}", a.title),
                Err(e) => format!("refused {e}"),
            };
            (name, what)
        })
        .collect()
}

fn seven_am() -> DateTime<Utc> {
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2026, 9, 15, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_airs_what_covers_the_commune_once_and_its_cancel_stops_it() {
    let (base, published) = feed_server().await;
    {
        let mut p = published.lock().unwrap();
        let expires = "2026-09-15T18:00:00+07:00";
        p.docs.insert(
            "bao-3".into(),
            storm(
                "VNDMA-2026-0915-03",
                "Actual",
                NORTH_COAST,
                "Vùng ven biển Bắc Bộ",
                expires,
            ),
        );
        p.docs.insert(
            "ca-mau".into(),
            storm(
                "VNDMA-2026-0915-09",
                "Actual",
                CA_MAU,
                "Tỉnh Cà Mau",
                expires,
            ),
        );
        p.docs.insert(
            "het-han".into(),
            storm(
                "VNDMA-2026-0914-01",
                "Actual",
                CA_MAU,
                "Thành phố Hải Phòng",
                "2026-09-15T06:30:00+07:00",
            ),
        );
        p.docs.insert(
            "hong".into(),
            storm(
                "VNDMA-2026-0915-04",
                "Actual",
                "20.55,106.40 21.60,106.40 21.60,108.10 20.55,108.10",
                "Vùng ven biển Bắc Bộ",
                expires,
            ),
        );
        let entries = [
            entry("bao-3", &format!("{base}/bao-3"), true),
            entry("ca-mau", "ca-mau", false),
            entry("het-han", &format!("{base}/het-han"), true),
            entry("hong", &format!("{base}/hong"), false),
            entry("trang", &format!("{base}/trang"), false),
            entry("big", &format!("{base}/big"), true),
            entry("slow", &format!("{base}/slow"), false),
            entry("missing", &format!("{base}/missing"), true),
        ];
        p.docs.insert("atom".into(), atom(&entries));
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &format!("{base}/atom"), false);
    let clock = SimClock::starting_at(seven_am());
    let service = Service::start(cfg.clone()).unwrap();
    let (alerts, feeds) = (alerts_of(&service), feeds_of(&cfg));

    let first = by_name(alerts.poll(&feeds, clock.now()).await.expect("due at once"));
    assert!(
        first["bao-3"].starts_with("aired Bão số 3 đổ bộ, gió giật cấp 14. Hồi 06 giờ"),
        "the Vietnamese info, by the polygon around the commune: {first:#?}"
    );
    assert!(
        first["ca-mau"].contains("not for this commune's area"),
        "{first:#?}"
    );
    assert!(first["het-han"].contains("expired at"), "{first:#?}");
    assert!(first["hong"].contains("does not close"), "{first:#?}");
    assert!(
        first["trang"].contains("CAP 1.2"),
        "HTML is refused: {first:#?}"
    );
    assert_eq!(
        first.len(),
        5,
        "too large, too slow and missing are errors: {first:#?}"
    );
    let on_air = service
        .state
        .emergency
        .active()
        .expect("the storm is on air");
    assert_eq!(on_air.reference.as_deref(), Some("VNDMA-2026-0915-03"));
    assert!(!on_air.drill);

    // Half a poll later nothing is asked; a poll later the same entries are not fetched again.
    clock.sleep(Duration::from_secs(30));
    assert!(alerts.poll(&feeds, clock.now()).await.is_none());
    assert_eq!(published.lock().unwrap().hits["atom"], 1);
    clock.sleep(Duration::from_secs(30));
    let again = alerts.poll(&feeds, clock.now()).await.expect("due");
    let hits = published.lock().unwrap().hits.clone();
    assert_eq!((hits["atom"], hits["bao-3"], hits["trang"]), (2, 1, 1));
    assert_eq!(hits["missing"], 2, "what failed is asked for again");
    assert!(again.is_empty(), "{:#?}", by_name(again));
    assert_eq!(
        service.state.emergency.active().map(|a| a.id),
        Some(on_air.id)
    );

    // The same alert posted through the API is not aired twice either.
    let xml = published.lock().unwrap().docs["bao-3"].clone();
    let twice = alerts.receive(&xml, "api:truc-ban", clock.now()).await;
    assert!(
        matches!(twice, Err(CapError::AlreadyActedOn { .. })),
        "{twice:?}"
    );

    // The agency cancels the storm: it comes off the air.
    {
        let mut p = published.lock().unwrap();
        p.docs
            .insert("huy-bao-3".into(), cancel_of("VNDMA-2026-0915-03"));
        let entries = [entry("huy-bao-3", &format!("{base}/huy-bao-3"), true)];
        p.docs.insert("atom".into(), atom(&entries));
    }
    clock.sleep(Duration::from_secs(60));
    let cancelled = by_name(alerts.poll(&feeds, clock.now()).await.expect("due"));
    assert!(
        cancelled["huy-bao-3"].starts_with("cancelled Bão số 3"),
        "{cancelled:#?}"
    );
    assert!(service.state.emergency.active().is_none());
    let audit = service
        .state
        .store
        .with(|c| {
            Ok(loaxa::store::audit::for_subject(
                c,
                &format!("emergency:{}", on_air.id),
            )?)
        })
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"emergency.start") && actions.contains(&"emergency.stop"),
        "{actions:?}"
    );

    // After a restart, with a fresh poller, the storm and its cancel are known: nothing airs.
    drop(service);
    let service = Service::start(cfg.clone()).unwrap();
    let (alerts, feeds) = (alerts_of(&service), feeds_of(&cfg));
    {
        let mut p = published.lock().unwrap();
        let entries = [
            entry("bao-3", &format!("{base}/bao-3"), true),
            entry("huy-bao-3", &format!("{base}/huy-bao-3"), true),
        ];
        p.docs.insert("atom".into(), atom(&entries));
    }
    clock.sleep(Duration::from_secs(60));
    let after = by_name(alerts.poll(&feeds, clock.now()).await.expect("due at once"));
    assert!(after["bao-3"].contains("already acted on"), "{after:#?}");
    assert!(
        after["huy-bao-3"].contains("already acted on"),
        "{after:#?}"
    );
    assert!(service.state.emergency.active().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exercise_is_refused_unless_drills_are_on_and_then_airs_marked_as_a_drill() {
    let (base, published) = feed_server().await;
    let exercise = storm(
        "VNDMA-DIEN-TAP-01",
        "Exercise",
        CA_MAU,
        "Thành phố Hải Phòng; tỉnh Quảng Ninh",
        "2026-09-15T18:00:00+07:00",
    );
    published
        .lock()
        .unwrap()
        .docs
        .insert("dien-tap".into(), exercise);
    let feed = format!("{base}/dien-tap");
    let clock = SimClock::starting_at(seven_am());

    let dir = tempfile::tempdir().unwrap();
    let off = config(dir.path(), &feed, false);
    let service = Service::start(off.clone()).unwrap();
    let refused = by_name(
        alerts_of(&service)
            .poll(&feeds_of(&off), clock.now())
            .await
            .unwrap(),
    );
    assert!(
        refused["dien-tap"].contains("cap_drills = true"),
        "{refused:#?}"
    );
    drop(service);

    let on = config(dir.path(), &feed, true);
    let service = Service::start(on.clone()).unwrap();
    let aired = by_name(
        alerts_of(&service)
            .poll(&feeds_of(&on), clock.now())
            .await
            .unwrap(),
    );
    assert!(
        aired["dien-tap"].starts_with(&format!(
            "aired {DRILL_TITLE} — Đây là tin diễn tập, không phải cảnh báo thật. Bão số 3"
        )),
        "by the name, ignoring case and tone marks: {aired:#?}"
    );
    let active = service.state.emergency.active().unwrap();
    assert!(
        active.drill && active.panel_text.starts_with("DIỄN TẬP"),
        "{active:?}"
    );
    // With no chime in this library, the first play is the text, queued once it is read
    // aloud (the chime, had there been one, would not have waited for it).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let (audit, asrun) = loop {
        let (audit, asrun) = service
            .state
            .store
            .with(|c| {
                let audit =
                    loaxa::store::audit::for_subject(c, &format!("emergency:{}", active.id))?;
                let asrun = loaxa::store::asrun::between(
                    c,
                    Utc::now() - chrono::Duration::hours(1),
                    Utc::now() + chrono::Duration::hours(1),
                )?;
                Ok((audit, asrun))
            })
            .unwrap();
        if asrun.iter().any(|e| e.label.starts_with(DRILL_TITLE))
            || std::time::Instant::now() > deadline
        {
            break (audit, asrun);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert_eq!(audit[0].detail["drill"], true, "{audit:?}");
    assert!(
        asrun.iter().any(|e| e.label.starts_with(DRILL_TITLE)),
        "{asrun:?}"
    );
}
