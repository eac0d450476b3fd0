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

/// The campaign's choices: `fastrand` from the printed seed, so a failing run replays.
struct Rng(fastrand::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }
    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n.max(1))
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Strings that break naive code: odd Unicode, controls, injections, huge.
fn odd_string(rng: &mut Rng, max: usize) -> String {
    const PIECES: &[&str] = &[
        "Bản tin",
        "Thông báo khẩn",
        "ỡ",
        "e\u{301}",
        "\u{200B}",
        "\u{202E}",
        "\u{FEFF}",
        "\0",
        "\u{7}",
        "\n",
        "\r\n",
        "\t",
        " ",
        "  ",
        "😀",
        "👨‍👩‍👧",
        "中文",
        "\u{10FFFF}",
        "\u{FFFD}",
        "'",
        "\"",
        "\\",
        "<script>",
        "</alert>",
        "&amp;",
        "%00",
        "%",
        "../",
        "${x}",
        "{{x}}",
        "' OR 1=1 --",
        ";",
        "=SUM(A1)",
        "null",
        "-1",
        "1e309",
        "NaN",
        "İ",
        "ß",
        "\u{0345}",
    ];
    let n = rng.below(max + 1);
    let mut s = String::new();
    for _ in 0..n {
        if rng.chance(30) {
            s.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('x'));
        } else {
            s.push_str(rng.pick::<&str>(PIECES));
        }
    }
    s
}

fn huge_number(rng: &mut Rng) -> Value {
    let texts = [
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1e308",
        "-1e308",
        "0.5",
        "-0",
        "4294967296",
        "-1",
    ];
    serde_json::from_str(rng.pick::<&str>(&texts)).unwrap_or(json!(1e308))
}

/// `s` cut to at most `n` bytes, on a character boundary.
fn cut(s: &str, n: usize) -> String {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s[..n].to_string()
}

/// Percent-encode a path segment (everything but unreserved characters).
fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One operation of the document.
#[derive(Debug, Clone)]
struct Op {
    method: Method,
    path: String,
    params: Vec<Param>,
    /// Content type and schema of the body, if it has one.
    body: Option<(String, Value)>,
    /// Declared statuses.
    statuses: BTreeSet<u16>,
    /// Declared JSON schemas of responses, by status.
    schemas: BTreeMap<u16, Value>,
    /// Declared content types of responses, by status.
    content_types: BTreeMap<u16, Vec<String>>,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    in_path: bool,
    required: bool,
    schema: Value,
}

impl Op {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

struct Doc(Value);

impl Doc {
    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let mut v = &self.0;
                for part in r.trim_start_matches("#/").split('/') {
                    v = &v[part];
                }
                self.resolve(v)
            }
            None => s,
        }
    }

    fn operations(&self) -> Vec<Op> {
        let mut ops = Vec::new();
        for (path, item) in self.0["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let params = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| Param {
                        name: p["name"].as_str().unwrap().to_string(),
                        in_path: p["in"] == "path",
                        required: p["required"].as_bool().unwrap_or(false),
                        schema: p["schema"].clone(),
                    })
                    .collect();
                let body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.iter().next())
                    .map(|(ct, c)| (ct.clone(), c["schema"].clone()));
                let mut statuses = BTreeSet::new();
                let mut schemas = BTreeMap::new();
                let mut content_types = BTreeMap::new();
                for (code, r) in op["responses"].as_object().unwrap() {
                    let code: u16 = code.parse().unwrap();
                    statuses.insert(code);
                    if let Some(c) = r["content"].as_object() {
                        content_types.insert(code, c.keys().cloned().collect::<Vec<_>>());
                    }
                    if let Some(s) = r["content"]["application/json"].get("schema") {
                        schemas.insert(code, s.clone());
                    }
                }
                ops.push(Op {
                    method: method.to_uppercase().parse().unwrap(),
                    path: path.clone(),
                    params,
                    body,
                    statuses,
                    schemas,
                    content_types,
                });
            }
        }
        ops
    }

    /// A value the schema allows. `name` is the property or parameter it is for.
    fn valid(
        &self,
        schema: &Value,
        name: &str,
        rng: &mut Rng,
        pools: &Pools,
        depth: usize,
    ) -> Value {
        let s = self.resolve(schema);
        if let Some(e) = s["enum"].as_array() {
            return rng.pick(e).clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s[key].as_array() {
                // Mostly the non-null branch: null is the dull one.
                let non_null: Vec<&Value> =
                    branches.iter().filter(|b| b["type"] != "null").collect();
                let b = if !non_null.is_empty() && rng.chance(80) {
                    non_null[rng.below(non_null.len())]
                } else {
                    rng.pick(branches)
                };
                return self.valid(b, name, rng, pools, depth);
            }
        }
        if let Some(all) = s["allOf"].as_array() {
            let mut obj = serde_json::Map::new();
            for b in all {
                if let Value::Object(m) = self.valid(b, name, rng, pools, depth) {
                    obj.extend(m);
                }
            }
            return Value::Object(obj);
        }
        let types: Vec<&str> = match &s["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec!["object"],
        };
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        let t = if non_null.is_empty() || (types.len() > non_null.len() && rng.chance(15)) {
            "null"
        } else {
            *rng.pick(&non_null)
        };
        match t {
            "null" => Value::Null,
            "boolean" => json!(rng.chance(50)),
            "integer" => {
                let min = s["minimum"].as_i64().unwrap_or(i64::MIN);
                let pool: &[i64] = match name {
                    "media_id" => pools.get("/media"),
                    "item_id" => pools.get("/items"),
                    n if n.starts_with('@') => pools.get(&n[1..]),
                    _ => &[],
                };
                if !pool.is_empty() && rng.chance(70) {
                    return json!(*rng.pick(pool));
                }
                let max = if s["format"] == "int32" {
                    if min >= 0 {
                        i64::from(u32::MAX)
                    } else {
                        i64::from(i32::MAX)
                    }
                } else {
                    i64::MAX
                };
                let v = match rng.below(4) {
                    0 => rng.below(10) as i64,
                    1 => rng.below(100_000) as i64,
                    2 => max,
                    _ => (rng.next() as i64).clamp(min.max(-1_000_000_000), max),
                };
                json!(v.max(min))
            }
            "number" => json!((rng.next() % 10_000) as f64 / 7.0),
            "string" => match s["format"].as_str() {
                Some("date") => json!(format!(
                    "{:04}-{:02}-{:02}",
                    2000 + rng.below(100),
                    1 + rng.below(12),
                    1 + rng.below(28)
                )),
                Some("date-time") => json!(*rng.pick(&[
                    "2026-09-15T06:00:00Z",
                    "2026-09-15T06:00:00.123+07:00",
                    "1970-01-01T00:00:00Z",
                    "0001-01-01T00:00:00Z",
                    "9999-12-31T23:59:59Z",
                ])),
                _ if name == "text" => json!(format!("Thông báo {}", odd_string(rng, 8))),
                _ if name == "reason" || name == "title" => {
                    if rng.chance(70) {
                        json!(format!("Lý do {}", odd_string(rng, 6)))
                    } else {
                        json!(odd_string(rng, 30))
                    }
                }
                _ => json!(odd_string(rng, 12)),
            },
            "array" => {
                if depth > 3 {
                    return json!([]);
                }
                let n = rng.below(4);
                Value::Array(
                    (0..n)
                        .map(|_| self.valid(&s["items"], name, rng, pools, depth + 1))
                        .collect(),
                )
            }
            _ => {
                let mut obj = serde_json::Map::new();
                let required: BTreeSet<&str> = s["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (k, prop) in s["properties"].as_object().into_iter().flatten() {
                    if required.contains(k.as_str()) || rng.chance(50) {
                        obj.insert(k.clone(), self.valid(prop, k, rng, pools, depth + 1));
                    }
                }
                Value::Object(obj)
            }
        }
    }

    /// A value the schema does not allow (or that stretches it): wrong types, missing or
    /// null required fields, huge numbers, odd strings where an enum is expected.
    fn invalid(&self, schema: &Value, rng: &mut Rng, pools: &Pools) -> Value {
        let mut v = self.valid(schema, "", rng, pools, 0);
        let s = self.resolve(schema);
        if let Value::Object(obj) = &mut v {
            let keys: Vec<String> = s["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let required: Vec<String> = s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(String::from))
                .collect();
            for _ in 0..1 + rng.below(3) {
                match rng.below(6) {
                    0 if !required.is_empty() => {
                        obj.remove(rng.pick(&required));
                    }
                    1 if !keys.is_empty() => {
                        obj.insert(rng.pick(&keys).clone(), Value::Null);
                    }
                    2 if !keys.is_empty() => {
                        obj.insert(rng.pick(&keys).clone(), huge_number(rng));
                    }
                    3 if !keys.is_empty() => {
                        obj.insert(rng.pick(&keys).clone(), json!(odd_string(rng, 20)));
                    }
                    4 if !keys.is_empty() => {
                        let wrong = [
                            json!({}),
                            json!([1, 2]),
                            json!(true),
                            json!([[[[]]]]),
                            json!({"a": {"b": null}}),
                        ];
                        obj.insert(rng.pick(&keys).clone(), rng.pick(&wrong).clone());
                    }
                    _ => {
                        obj.insert(odd_string(rng, 8), json!(odd_string(rng, 8)));
                    }
                }
            }
            return v;
        }
        let wrong = [
            json!(null),
            json!({}),
            json!([]),
            json!("x"),
            json!(true),
            huge_number(rng),
            json!(odd_string(rng, 20)),
        ];
        rng.pick(&wrong).clone()
    }

    /// Problems with `v` against `schema` (a small JSON Schema: type, enum, required,
    /// properties, items, oneOf/anyOf/allOf, minimum, int32/int64, date, date-time).
    fn conforms(&self, v: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
        let s = self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s[key].as_array() {
                let ok = branches.iter().any(|b| {
                    let mut e = Vec::new();
                    self.conforms(v, b, at, &mut e);
                    e.is_empty()
                });
                if !ok {
                    out.push(format!("{at}: {v} matches none of {key}"));
                }
                return;
            }
        }
        if let Some(all) = s["allOf"].as_array() {
            for b in all {
                self.conforms(v, b, at, out);
            }
            return;
        }
        if let Some(e) = s["enum"].as_array()
            && !e.contains(v)
        {
            out.push(format!("{at}: {v} is not one of {e:?}"));
            return;
        }
        let types: Vec<&str> = match &s["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        let is = |t: &str| match t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        };
        if !types.iter().any(|t| is(t)) {
            out.push(format!("{at}: {v} is not {types:?}"));
            return;
        }
        if let (Some(min), Some(n)) = (s["minimum"].as_f64(), v.as_f64())
            && n < min
        {
            out.push(format!("{at}: {n} < minimum {min}"));
        }
        if s["format"] == "int32"
            && let Some(n) = v.as_i64()
            && (n < i64::from(i32::MIN) || n > i64::from(u32::MAX))
        {
            out.push(format!("{at}: {n} is not int32"));
        }
        if let Some(text) = v.as_str() {
            match s["format"].as_str() {
                Some("date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
                    out.push(format!("{at}: {text:?} is not a date"));
                }
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    out.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
                }
                _ => {}
            }
        }
        if let Some(obj) = v.as_object() {
            for r in s["required"].as_array().into_iter().flatten() {
                if let Some(r) = r.as_str()
                    && !obj.contains_key(r)
                {
                    out.push(format!("{at}: required \"{r}\" is missing"));
                }
            }
            for (k, prop) in s["properties"].as_object().into_iter().flatten() {
                if let Some(x) = obj.get(k) {
                    self.conforms(x, prop, &format!("{at}.{k}"), out);
                }
            }
        }
        if let Some(items) = v.as_array() {
            for (i, x) in items.iter().enumerate() {
                self.conforms(x, &s["items"], &format!("{at}[{i}]"), out);
            }
        }
    }
}

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

const CAP_AREA: &str = "12345";

fn cap_alert(rng: &mut Rng, status: &str, msg_type: &str, severity: &str) -> String {
    let area = if rng.chance(80) {
        CAP_AREA.to_string()
    } else {
        odd_string(rng, 5)
    };
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KTTV-{}</identifier><sender>canhbao@kttv.gov.vn</sender>
  <sent>2026-09-15T06:00:00+07:00</sent><status>{status}</status><msgType>{msg_type}</msgType>
  <references>canhbao@kttv.gov.vn,KTTV-1,2026-09-15T06:00:00+07:00</references>
  <info><language>vi-VN</language><event>Bão số 3</event><urgency>Immediate</urgency>
    <severity>{severity}</severity><certainty>Observed</certainty>
    <headline>{}</headline>
    <area><areaDesc>Xã Tân Lập</areaDesc><geocode><valueName>MA_XA</valueName><value>{}</value></geocode></area>
  </info>
</alert>"#,
        rng.next() % 1000,
        esc(&format!("Bão {}", odd_string(rng, 6))),
        esc(&area)
    )
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

/// A request to send: method, URI, content type and body.
struct Case {
    uri: String,
    content_type: Option<String>,
    body: Vec<u8>,
    valid: bool,
}

fn make_case(
    doc: &Doc,
    op: &Op,
    valid: bool,
    rng: &mut Rng,
    pools: &Pools,
    audio: &[Vec<u8>],
) -> Case {
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    for p in &op.params {
        let mangle = !valid && rng.chance(40);
        let value = if mangle {
            let bad = [
                "abc",
                "-1",
                "0",
                "9223372036854775808",
                "1.5",
                "1e3",
                "😀",
                "%00",
                "1/2",
                "",
                " 1",
                "０",
                "0x10",
                "null",
                "[]",
                "2026-13-45",
                "99999-01-01",
                "'; DROP TABLE items; --",
            ];
            if rng.chance(70) {
                rng.pick(&bad).to_string()
            } else {
                odd_string(rng, 10)
            }
        } else {
            // A path id draws on the rows of its collection.
            let name = if p.in_path {
                format!("@{}", collection_of(&op.path))
            } else {
                p.name.clone()
            };
            match doc.valid(&p.schema, &name, rng, pools, 0) {
                Value::String(s) => s,
                Value::Null => continue,
                other => other.to_string(),
            }
        };
        if p.in_path {
            path = path.replace(&format!("{{{}}}", p.name), &encode_segment(&value));
        } else if p.required || mangle || rng.chance(60) {
            query.push((p.name.clone(), value));
        }
    }
    if !valid && rng.chance(20) {
        query.push((odd_string(rng, 5), odd_string(rng, 5)));
    }
    let mut uri = format!("/api/v1{path}");
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&serde_urlencoded::to_string(&query).unwrap_or_default());
    }
    let Some((ct, schema)) = &op.body else {
        return Case {
            uri,
            content_type: None,
            body: Vec::new(),
            valid,
        };
    };
    let (content_type, body) = match ct.as_str() {
        "multipart/form-data" => {
            let file: Vec<u8> = if valid || rng.chance(40) {
                rng.pick(audio).clone()
            } else {
                let junk: Vec<u8> = (0..rng.below(2000)).map(|_| rng.next() as u8).collect();
                junk
            };
            let title = if rng.chance(70) {
                format!("Bản tin {}", odd_string(rng, 5))
            } else {
                odd_string(rng, 30)
            };
            let category = if valid || rng.chance(50) {
                rng.pick(&[
                    "bulletin",
                    "notice",
                    "greeting",
                    "music",
                    "jingle",
                    "emergency",
                ])
                .to_string()
            } else {
                odd_string(rng, 8)
            };
            let name = rng
                .pick(&[
                    "ban-tin.wav",
                    "../../x.mp3",
                    "",
                    "tệp ghi âm.ogg",
                    "a\u{202E}3pm.exe",
                ])
                .to_string();
            let mut parts: Vec<(&str, &[u8], Option<&str>)> =
                vec![("title", title.as_bytes(), None)];
            if valid || rng.chance(70) {
                parts.push(("category", category.as_bytes(), None));
            }
            if valid || rng.chance(70) {
                parts.push((
                    "file",
                    &file,
                    Some(if valid { "ban-tin.wav" } else { name.as_str() }),
                ));
            }
            let (ct, mut body) = multipart(&parts);
            if !valid && rng.chance(15) {
                // A broken form: cut short, or a boundary that never comes.
                let n = body.len();
                body.truncate(rng.below(n));
                return Case {
                    uri,
                    content_type: Some(ct),
                    body,
                    valid,
                };
            }
            (ct, body)
        }
        "application/xml" => {
            let xml = if valid {
                let (status, msg_type, severity) = *rng.pick(&[
                    ("Actual", "Alert", "Severe"),
                    ("Actual", "Alert", "Extreme"),
                    ("Actual", "Cancel", "Severe"),
                    ("Actual", "Update", "Extreme"),
                    ("Test", "Alert", "Severe"),
                    ("Actual", "Alert", "Minor"),
                ]);
                cap_alert(rng, status, msg_type, severity)
            } else {
                let base = cap_alert(rng, "Actual", "Alert", "Severe");
                match rng.below(4) {
                    0 => cut(&base, rng.below(base.len())),
                    1 => base.replace("<info>", &"<info>".repeat(1 + rng.below(50))),
                    2 => odd_string(rng, 200),
                    _ => base.replace("Bão số 3", &odd_string(rng, 50)),
                }
            };
            ("application/xml".to_string(), xml.into_bytes())
        }
        _ => {
            let v = if valid {
                doc.valid(schema, "", rng, pools, 0)
            } else {
                doc.invalid(schema, rng, pools)
            };
            let mut text = v.to_string();
            if !valid {
                match rng.below(10) {
                    0 => text = String::new(),
                    1 => text = cut(&text, rng.below(text.len().max(1))),
                    2 => text = "[".repeat(5000),
                    3 => {
                        return Case {
                            uri,
                            content_type: Some("text/plain".into()),
                            body: text.into_bytes(),
                            valid,
                        };
                    }
                    4 => {
                        return Case {
                            uri,
                            content_type: None,
                            body: text.into_bytes(),
                            valid,
                        };
                    }
                    5 => {
                        return Case {
                            uri,
                            content_type: Some("application/json".into()),
                            body: vec![0xff, 0xfe, b'{'],
                            valid,
                        };
                    }
                    _ => {}
                }
            }
            // Emergencies from typed text must pick exactly one message; a valid request
            // in schema terms may still be refused by that rule (400, declared).
            if op.path == "/emergency" && valid && rng.chance(70) {
                let mut v: Value = serde_json::from_str(&text).unwrap_or(json!({}));
                v["item_id"] = Value::Null;
                v["microphone"] = json!(false);
                v["repeat"] = json!(1);
                text = v.to_string();
            }
            ("application/json".to_string(), text.into_bytes())
        }
    };
    Case {
        uri,
        content_type: Some(content_type),
        body,
        valid,
    }
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
