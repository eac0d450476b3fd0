//! The OpenAPI document as the fuzzer reads it: its operations, their parameters and bodies,
//! and the schemas that valid requests are made from and answers are checked against.

use super::cases::*;
use super::*;

/// One operation of the document.
#[derive(Debug, Clone)]
pub(super) struct Op {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) params: Vec<Param>,
    /// Content type and schema of the body, if it has one.
    pub(super) body: Option<(String, Value)>,
    /// Declared statuses.
    pub(super) statuses: BTreeSet<u16>,
    /// Declared JSON schemas of responses, by status.
    pub(super) schemas: BTreeMap<u16, Value>,
    /// Declared content types of responses, by status.
    pub(super) content_types: BTreeMap<u16, Vec<String>>,
}

#[derive(Debug, Clone)]
pub(super) struct Param {
    pub(super) name: String,
    pub(super) in_path: bool,
    pub(super) required: bool,
    pub(super) schema: Value,
}

impl Op {
    pub(super) fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub(super) struct Doc(pub(super) Value);

impl Doc {
    pub(super) fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
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

    pub(super) fn operations(&self) -> Vec<Op> {
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
    pub(super) fn valid(
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
    pub(super) fn invalid(&self, schema: &Value, rng: &mut Rng, pools: &Pools) -> Value {
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
    pub(super) fn conforms(&self, v: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
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
