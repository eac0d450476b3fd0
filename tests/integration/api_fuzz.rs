//! Schema-driven API fuzzing, in the manner of schemathesis, against the real router: the
//! OpenAPI document is fetched from `/api/v1/openapi.json`, and for every operation requests
//! are generated from it — valid ones, and invalid ones (wrong types, missing fields, huge
//! numbers, odd Unicode, broken bodies) — sent with a token of a role allowed to call it, and
//! again with none.
//!
//! Properties, each its own test over one shared campaign:
//! - no request gets a 5xx, or hangs; without a token every operation answers 401;
//! - every 4xx has the API's JSON error body, `{"error": {"code", "message"}}`;
//! - a valid request gets a status the document declares for it, and a 2xx body that
//!   matches the declared schema.
//!
//! Seeded (`LOAXA_API_FUZZ_SEED`, printed) and bounded: `LOAXA_API_FUZZ_CASES` cases per
//! operation (default 150) within `LOAXA_API_FUZZ_SECONDS` (default 20), round robin over
//! the operations so that the time limit still leaves every one fuzzed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, header};
use loaxa::model::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::fixture;
use crate::web::{TestApp, multipart};

mod cases;
mod doc;

use cases::{CAP_AREA, Case, Rng, make_case};
use doc::{Doc, Op};

/// Ids that exist, by collection (`/media`, `/items`, ...), so valid requests reach real rows.
#[derive(Default)]
struct Pools(BTreeMap<String, Vec<i64>>);

impl Pools {
    fn get(&self, collection: &str) -> &[i64] {
        self.0.get(collection).map(Vec::as_slice).unwrap_or(&[])
    }
    fn add(&mut self, collection: &str, id: i64) {
        let v = self.0.entry(collection.to_string()).or_default();
        if !v.contains(&id) {
            v.push(id);
        }
    }
}

/// `/items/{id}/submit` → `/items`.
fn collection_of(path: &str) -> String {
    path.split("/{").next().unwrap_or(path).to_string()
}

/// The role a caller needs, as this test understands the job: anyone reads, leaders approve
/// and read the audit log, operators run emergencies, editors do the rest. Operations this
/// rule may not fit are checked by a probe in the campaign.
fn guess_role(op: &Op) -> Role {
    let p = op.path.as_str();
    if op.method == Method::GET {
        return if p == "/audit" {
            Role::Approver
        } else {
            Role::Editor
        };
    }
    if p.ends_with("/approve") || p.ends_with("/reject") {
        return Role::Approver;
    }
    if p == "/emergency" || p == "/cap" {
        return Role::Operator;
    }
    Role::Editor
}

/// The role for `op`: the guess, unless valid requests with it are all refused as forbidden
/// and another role is let through.
async fn probe_role(
    t: &TestApp,
    doc: &Doc,
    op: &Op,
    rng: &mut Rng,
    pools: &Pools,
    audio: &[Vec<u8>],
) -> Role {
    let guess = guess_role(op);
    if op.method == Method::GET || matches!(guess, Role::Approver | Role::Operator) {
        return guess;
    }
    let forbidden =
        |r: &Result<(u16, Option<String>, Vec<u8>), String>| matches!(r, Ok((403, _, _)));
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(make_case(doc, op, true, rng, pools, audio));
    }
    let mut all_refused = true;
    for case in &cases {
        all_refused &= forbidden(&send(t, &op.method, case, Some(&t.tokens[&guess])).await);
    }
    if !all_refused {
        return guess;
    }
    for role in [Role::Admin, Role::Approver, Role::Operator] {
        if !forbidden(&send(t, &op.method, &cases[0], Some(&t.tokens[&role])).await) {
            return role;
        }
    }
    guess
}

/// What went wrong, by kind and operation: (count, first example).
type Findings = BTreeMap<(String, String), (usize, String)>;

#[derive(Default)]
struct Report {
    seed: u64,
    operations: usize,
    requests: usize,
    valid: usize,
    statuses: BTreeMap<u16, usize>,
    /// Time spent per operation.
    time: BTreeMap<String, Duration>,
    elapsed: Duration,
    stopped_early: bool,
    /// Kinds: "panic", "5xx", "hang", "no-auth-not-401", "4xx-not-json", "undeclared-status",
    /// "undeclared-content-type", "schema-mismatch", "no-json-2xx".
    findings: Findings,
}

impl Report {
    fn note(&mut self, kind: &str, op: &str, example: String) {
        let e = self
            .findings
            .entry((kind.to_string(), op.to_string()))
            .or_insert((0, example));
        e.0 += 1;
    }

    fn of(&self, kinds: &[&str]) -> Vec<String> {
        self.findings
            .iter()
            .filter(|((k, _), _)| kinds.contains(&k.as_str()))
            .map(|((k, op), (n, ex))| format!("[{k}] {op}: {n}× — e.g. {ex}"))
            .collect()
    }

    fn summary(&self) -> String {
        format!(
            "api fuzz: seed {} (LOAXA_API_FUZZ_SEED), {} operations, {} requests ({} valid) in {:.1} s{}; statuses {:?}",
            self.seed,
            self.operations,
            self.requests,
            self.valid,
            self.elapsed.as_secs_f64(),
            if self.stopped_early {
                " (time budget reached)"
            } else {
                ""
            },
            self.statuses
        )
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn send(
    t: &TestApp,
    method: &Method,
    case: &Case,
    token: Option<&str>,
) -> Result<(u16, Option<String>, Vec<u8>), String> {
    let mut req = Request::builder().method(method.clone()).uri(&case.uri);
    if let Some(ct) = &case.content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(tok) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {tok}"));
    }
    let req = req
        .body(Body::from(case.body.clone()))
        .map_err(|e| format!("unsendable: {e}"))?;
    // On its own task, as the server runs each connection: a panic in a handler is caught and
    // reported with the request (hyper would drop the connection without an answer).
    let app = t.app();
    let call = async move {
        let res = tokio::spawn(app.oneshot(req))
            .await
            .map_err(|e| {
                if e.is_panic() {
                    format!("panic: {}", panic_text(e))
                } else {
                    e.to_string()
                }
            })?
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((status, ct, body.to_vec()))
    };
    match tokio::time::timeout(Duration::from_secs(20), call).await {
        Ok(r) => r,
        Err(_) => Err("hang".into()),
    }
}

fn error_kind(e: &str) -> &'static str {
    if e == "hang" {
        "hang"
    } else if e.starts_with("panic") {
        "panic"
    } else {
        "unsendable"
    }
}

fn panic_text(e: tokio::task::JoinError) -> String {
    let p = e.into_panic();
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn is_json_error(ct: &Option<String>, body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    ct.as_deref()
        .is_some_and(|c| c.starts_with("application/json"))
        && v["error"]["code"].as_str().is_some_and(|s| !s.is_empty())
        && v["error"]["message"]
            .as_str()
            .is_some_and(|s| !s.trim().is_empty())
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(160).collect();
    format!("{s:?}")
}

async fn campaign() -> Report {
    let seed = env_num(
        "LOAXA_API_FUZZ_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    let per_op = env_num("LOAXA_API_FUZZ_CASES", 150) as usize;
    let budget = Duration::from_secs(env_num("LOAXA_API_FUZZ_SECONDS", 20));
    let mut rng = Rng::new(seed);
    let mut report = Report {
        seed,
        ..Report::default()
    };
    let started = Instant::now();
    let t = TestApp::with(|c| {
        c.emergency.cap_areas = vec![CAP_AREA.into()];
        c.emergency.repeat = 1;
        c.web.max_upload_mb = 4;
    });
    let (s, _, text) = t
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s.as_u16(), 200);
    let doc = Doc(serde_json::from_str(&text).unwrap());
    let ops = doc.operations();
    report.operations = ops.len();
    // Real rows for valid requests to reach: recordings, and items in several states.
    let audio: Vec<Vec<u8>> = ["pcm-u8.wav", "pcm-s24.wav", "tin-nhan.opus"]
        .iter()
        .map(|f| std::fs::read(fixture(f)).unwrap())
        .collect();
    let mut pools = Pools::default();
    for i in 0..4 {
        let (media, item) = t.item_by(Role::Editor, &format!("Bản tin gốc {i}")).await;
        pools.add("/media", media);
        pools.add("/items", item);
        if i > 0 {
            t.api(
                Role::Editor,
                Method::POST,
                &format!("/items/{item}/submit"),
                None,
            )
            .await;
        }
        if i > 1 {
            t.api(
                Role::Approver,
                Method::POST,
                &format!("/items/{item}/approve"),
                None,
            )
            .await;
        }
    }
    let mut roles: BTreeMap<String, Role> = BTreeMap::new();
    for op in &ops {
        let role = probe_role(&t, &doc, op, &mut rng, &pools, &audio).await;
        if role != guess_role(op) {
            println!("  {}: role {role:?} by probe", op.name());
        }
        roles.insert(op.name(), role);
    }
    // Round robin over the operations, so a time limit still leaves every one fuzzed.
    'cases: for i in 0..per_op {
        for op in &ops {
            if started.elapsed() > budget {
                report.stopped_early = true;
                break 'cases;
            }
            let op_started = Instant::now();
            let name = op.name();
            let case = make_case(&doc, op, i % 2 == 0, &mut rng, &pools, &audio);
            let role = roles[&name];
            let token = t.tokens[&role].clone();
            // Without a token: always 401, JSON.
            if i % 4 < 2 {
                report.requests += 1;
                match send(&t, &op.method, &case, None).await {
                    Ok((s, ct, body)) => {
                        *report.statuses.entry(s).or_default() += 1;
                        // An empty path parameter names no route at all: 404 before any
                        // sign-in check is right (but it should still be JSON).
                        let no_route = s == 404
                            && (case.uri.contains("//")
                                || case.uri.split('?').next().is_some_and(|p| p.ends_with('/')));
                        if s != 401 && !no_route {
                            report.note(
                                "no-auth-not-401",
                                &name,
                                format!("{} {} → {s} {}", op.method, case.uri, show(&body)),
                            );
                        } else if !is_json_error(&ct, &body) {
                            report.note(
                                "4xx-not-json",
                                &name,
                                format!(
                                    "{} {} without a token → {s} {}",
                                    op.method,
                                    case.uri,
                                    show(&body)
                                ),
                            );
                        }
                    }
                    Err(e) => report.note(
                        error_kind(&e),
                        &name,
                        format!("{} {} (no token) → {e}", op.method, case.uri),
                    ),
                }
            }
            report.requests += 1;
            report.valid += usize::from(case.valid);
            let (s, ct, body) = match send(&t, &op.method, &case, Some(&token)).await {
                Ok(r) => r,
                Err(e) => {
                    let req = format!(
                        "{} {} [{}] {}",
                        op.method,
                        case.uri,
                        case.content_type.as_deref().unwrap_or("-"),
                        show(&case.body)
                    );
                    report.note(error_kind(&e), &name, format!("{req} → {e}"));
                    continue;
                }
            };
            *report.statuses.entry(s).or_default() += 1;
            let req = format!(
                "{} {} [{}] {}",
                op.method,
                case.uri,
                case.content_type.as_deref().unwrap_or("-"),
                show(&case.body)
            );
            if s >= 500 {
                report.note("5xx", &name, format!("{req} → {s} {}", show(&body)));
            }
            if (400..500).contains(&s) && !is_json_error(&ct, &body) {
                report.note(
                    "4xx-not-json",
                    &name,
                    format!("{req} → {s} {}", show(&body)),
                );
            }
            if case.valid {
                if !op.statuses.contains(&s) && s < 500 {
                    report.note(
                        "undeclared-status",
                        &name,
                        format!("{req} → {s} {} (declared {:?})", show(&body), op.statuses),
                    );
                }
                if (200..300).contains(&s)
                    && let Some(declared) = op.content_types.get(&s)
                {
                    let got = ct
                        .as_deref()
                        .unwrap_or("")
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    let fits = declared.iter().any(|d| {
                        d == &got
                            || d.strip_suffix("/*")
                                .is_some_and(|family| got.starts_with(family))
                    });
                    if !fits {
                        report.note(
                            "undeclared-content-type",
                            &name,
                            format!("{req} → {s} {got} (declared {declared:?})"),
                        );
                    }
                }
                if (200..300).contains(&s)
                    && ct
                        .as_deref()
                        .is_some_and(|c| c.starts_with("application/json"))
                    && let Some(schema) = op.schemas.get(&s)
                {
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(v) => {
                            let mut problems = Vec::new();
                            doc.conforms(&v, schema, "body", &mut problems);
                            if !problems.is_empty() {
                                report.note(
                                    "schema-mismatch",
                                    &name,
                                    format!("{req} → {s}: {}", problems.join("; ")),
                                );
                            }
                        }
                        Err(_) => report.note(
                            "no-json-2xx",
                            &name,
                            format!("{req} → {s} {}", show(&body)),
                        ),
                    }
                }
            }
            *report.time.entry(name.clone()).or_default() += op_started.elapsed();
            // New rows join the pools.
            if (200..300).contains(&s)
                && let Ok(v) = serde_json::from_slice::<Value>(&body)
            {
                if let Some(id) = v["media"]["id"].as_i64() {
                    pools.add("/media", id);
                } else if let Some(id) = v["id"].as_i64() {
                    pools.add(&collection_of(&op.path), id);
                }
            }
        }
    }
    report.elapsed = started.elapsed();
    drop(t);
    report
}

/// The campaign runs once, on its own runtime, for all the tests below.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let r = rt.block_on(campaign());
        println!("{}", r.summary());
        let mut slow: Vec<_> = r.time.iter().collect();
        slow.sort_by_key(|(_, d)| std::cmp::Reverse(**d));
        let slow: Vec<String> = slow
            .iter()
            .take(5)
            .map(|(o, d)| format!("{o} {:.1} s", d.as_secs_f64()))
            .collect();
        println!("  slowest: {}", slow.join(", "));
        for line in r.of(&[
            "panic",
            "5xx",
            "hang",
            "unsendable",
            "no-auth-not-401",
            "4xx-not-json",
            "undeclared-status",
            "undeclared-content-type",
            "schema-mismatch",
            "no-json-2xx",
        ]) {
            println!("  {line}");
        }
        r
    })
}

#[test]
fn no_request_gets_a_server_error_and_every_operation_needs_a_token() {
    let r = report();
    assert!(r.operations >= 19, "{}", r.summary());
    assert!(r.requests > r.operations * 4, "{}", r.summary());
    let bad = r.of(&["panic", "5xx", "hang", "unsendable", "no-auth-not-401"]);
    assert!(bad.is_empty(), "{}\n{}", r.summary(), bad.join("\n"));
}

#[test]
fn every_client_error_is_the_api_s_json_error() {
    let r = report();
    let bad = r.of(&["4xx-not-json"]);
    assert!(bad.is_empty(), "{}\n{}", r.summary(), bad.join("\n"));
}

#[test]
fn valid_requests_get_declared_statuses_and_bodies() {
    let r = report();
    let bad = r.of(&[
        "undeclared-status",
        "undeclared-content-type",
        "schema-mismatch",
        "no-json-2xx",
    ]);
    assert!(bad.is_empty(), "{}\n{}", r.summary(), bad.join("\n"));
}

/// Requests the campaign found to crash a handler (a panic: hyper drops the connection without
/// an answer), kept as fixed cases.
#[tokio::test]
async fn requests_that_once_crashed_a_handler() {
    let t = TestApp::new();
    let token = t.tokens[&Role::Editor].clone();
    let mut bad = Vec::new();
    for uri in [
        "/api/v1/display/preview.png?text=x&ms=9223372036854775807",
        "/api/v1/display/preview.png?text=x&ms=-9223372036854775808",
        "/api/v1/display/preview.png?at=9999-12-31T23:59:59Z",
        "/api/v1/display/preview.png?at=0001-01-01T00:00:00Z",
    ] {
        let case = Case {
            uri: uri.to_string(),
            content_type: None,
            body: Vec::new(),
            valid: true,
        };
        match send(&t, &Method::GET, &case, Some(&token)).await {
            Ok((s, _, _)) if s < 500 => {}
            Ok((s, _, body)) => bad.push(format!("GET {uri} → {s} {}", show(&body))),
            Err(e) => bad.push(format!("GET {uri} → {e}")),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
