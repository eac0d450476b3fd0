//! What the fuzzer sends: seeded choices, strings and numbers that break naive code, CAP
//! alerts, and one request (valid or not) for an operation.

use super::*;

/// The campaign's choices: `fastrand` from the printed seed, so a failing run replays.
pub(super) struct Rng(pub(super) fastrand::Rng);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0.u64(..)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n.max(1))
    }
    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub(super) fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Strings that break naive code: odd Unicode, controls, injections, huge.
pub(super) fn odd_string(rng: &mut Rng, max: usize) -> String {
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

pub(super) fn huge_number(rng: &mut Rng) -> Value {
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
pub(super) fn cut(s: &str, n: usize) -> String {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s[..n].to_string()
}

/// Percent-encode a path segment (everything but unreserved characters).
pub(super) fn encode_segment(s: &str) -> String {
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

pub(super) const CAP_AREA: &str = "12345";

pub(super) fn cap_alert(rng: &mut Rng, status: &str, msg_type: &str, severity: &str) -> String {
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

/// A request to send: method, URI, content type and body.
pub(super) struct Case {
    pub(super) uri: String,
    pub(super) content_type: Option<String>,
    pub(super) body: Vec<u8>,
    pub(super) valid: bool,
}

pub(super) fn make_case(
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
