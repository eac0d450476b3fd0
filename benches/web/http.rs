//! HTTP from the bench: a hyper client, requests as a signed-in user or with a token,
//! multipart uploads and distinct MP3s to upload.

use super::*;

/// An answer, read to the end.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) cookies: Vec<String>,
    pub(super) body: Bytes,
}

impl Answer {
    pub(super) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub(super) fn client() -> Http {
    Client::builder(TokioExecutor::new()).build_http::<Body>()
}

pub(super) async fn send(
    http: &Http,
    req: Request<Body>,
    limit: Duration,
) -> Result<Answer, String> {
    let work = async {
        let res = http.request(req).await.map_err(|e| format!("{e:?}"))?;
        let status = res.status().as_u16();
        let cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let body = axum::body::to_bytes(Body::new(res.into_body()), 64 << 20)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            cookies,
            body,
        })
    };
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| format!("no answer within {} s", limit.as_secs()))?
}

/// Who a request is from.
#[derive(Clone)]
pub(super) enum Who {
    Nobody,
    Session(String),
    Token(String),
}

pub(super) fn get(base: &str, path: &str, who: &Who) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::GET)
        .uri(format!("{base}{path}"));
    match who {
        Who::Nobody => {}
        Who::Session(s) => b = b.header(header::COOKIE, format!("loaxa_session={s}")),
        Who::Token(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
    b.body(Body::empty()).unwrap_or_default()
}

/// Sign in through the login form, as a browser does; returns the session cookie.
pub(super) async fn login(http: &Http, base: &str) -> Result<String, String> {
    let form = send(
        http,
        get(base, "/login", &Who::Nobody),
        Duration::from_secs(30),
    )
    .await?;
    let token = form
        .cookie("loaxa_login")
        .ok_or_else(|| format!("GET /login set no form cookie ({})", form.status))?;
    let body = serde_urlencoded::to_string([
        ("name", EDITOR),
        ("password", PASSWORD),
        ("form", token.as_str()),
        ("next", "/"),
    ])
    .map_err(|e| e.to_string())?;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("loaxa_login={token}"))
        .body(Body::from(body))
        .map_err(|e| e.to_string())?;
    let answer = send(http, req, Duration::from_secs(30)).await?;
    answer
        .cookie("loaxa_session")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            format!(
                "sign-in refused ({}): {}",
                answer.status,
                answer.text().chars().take(200).collect::<String>()
            )
        })
}

/// A multipart body with text fields and one file.
pub(super) fn multipart(
    fields: &[(&str, &str)],
    file: &[u8],
    file_name: &str,
) -> (String, Vec<u8>) {
    let boundary = "----loaxa-load-boundary-7d1f";
    let mut body = Vec::with_capacity(file.len() + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: audio/mpeg\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The same MP3 with its own ID3v2 title in front: a different file (SHA-256) for each
/// editor, so every upload is stored and measured rather than found as a duplicate.
pub(super) fn unique_mp3(mp3: &[u8], n: usize) -> Vec<u8> {
    let audio = match mp3 {
        [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..] => {
            let size = (usize::from(*s0 & 0x7f) << 21)
                | (usize::from(*s1 & 0x7f) << 14)
                | (usize::from(*s2 & 0x7f) << 7)
                | usize::from(*s3 & 0x7f);
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            &mp3[(10 + size + footer).min(mp3.len())..]
        }
        _ => mp3,
    };
    let title = format!("Ban tin tai len so {n}");
    let mut frame = b"TIT2".to_vec();
    frame.extend_from_slice(&(title.len() as u32 + 1).to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0]);
    frame.extend_from_slice(title.as_bytes());
    let size = frame.len();
    let mut out = b"ID3\x03\x00\x00".to_vec();
    out.extend_from_slice(&[
        ((size >> 21) & 0x7f) as u8,
        ((size >> 14) & 0x7f) as u8,
        ((size >> 7) & 0x7f) as u8,
        (size & 0x7f) as u8,
    ]);
    out.extend_from_slice(&frame);
    out.extend_from_slice(audio);
    out
}
