//! `[web]`: the browser interface and API — where it listens, HTTPS, the limits every request
//! keeps, how long a sign-in lasts and which proxies may say who the client is.
//!
//! Only the keys and their checks live here; the server that uses them is `web::server`. Nothing
//! here listens or serves.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::values::listen;
use super::{Findings, bad};
use crate::model::Said;
use crate::model::account::IdleLimits;
use crate::model::said;

/// `[web]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address and port to listen on. Default `0.0.0.0:8080` (the whole LAN).
    #[serde(with = "listen")]
    pub listen: SocketAddr,
    /// Largest upload, in MB. Default 200 (a three-hour MP3). Only the recording uploads take
    /// bodies this large; forms take 64 KiB and CAP alerts 1 MiB.
    pub max_upload_mb: u64,
    /// How long a sign-in lasts at most, in hours. Default 12 (a working day).
    pub session_hours: u32,
    /// Minutes an editor's or approver's sign-in may go unused before it ends. Default 120.
    pub session_idle_minutes: u32,
    /// Minutes an operator's or admin's sign-in may go unused before it ends: they can take
    /// over the loudspeakers or change who may, so a phone left signed in ends sooner.
    /// Default 30.
    pub session_idle_minutes_privileged: u32,
    /// Mark cookies `Secure` although this server speaks plain HTTP: set when a reverse proxy
    /// serves the UI over HTTPS. Default false; on by itself when `tls_cert` is set, or when a
    /// trusted proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Uploads are refused while less than this many MB would stay free on the data disk, so
    /// the database and the as-run log always have room. Default 128.
    pub min_free_mb: u64,
    /// Reverse proxies (their IP addresses) whose `X-Forwarded-For` and `X-Forwarded-Proto`
    /// are believed. Default none: the address a connection comes from is the client's.
    pub trusted_proxies: Vec<String>,
    /// The server's certificate chain (PEM). Set: the UI is served over HTTPS on `listen`
    /// (`loaxa tls init` makes one for this Pi). Empty (default): plain HTTP.
    pub tls_cert: PathBuf,
    /// The certificate's private key (PEM), with `tls_cert`.
    pub tls_key: PathBuf,
    /// With HTTPS, also listen here with plain HTTP that only redirects to HTTPS (e.g.
    /// `0.0.0.0:80`). Empty (default): no such listener.
    pub http_redirect_listen: String,
    /// Seconds a client has to send a request's headers, and to send a small request whole
    /// (forms, API calls). Default 30.
    pub request_timeout_seconds: u32,
    /// Seconds an upload may pause between two pieces before it is dropped (uploads have no
    /// total limit: a slow phone on a weak signal still gets there). Default 60.
    pub upload_idle_seconds: u32,
    /// How many browsers may listen to the output mix at once ("Nghe / Listen"): each one
    /// costs an Opus encoder on the Pi. Default 3.
    pub max_listeners: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            max_upload_mb: 200,
            session_hours: 12,
            session_idle_minutes: 120,
            session_idle_minutes_privileged: 30,
            secure_cookies: false,
            min_free_mb: 128,
            trusted_proxies: Vec::new(),
            tls_cert: PathBuf::new(),
            tls_key: PathBuf::new(),
            http_redirect_listen: String::new(),
            request_timeout_seconds: 30,
            upload_idle_seconds: 60,
            max_listeners: 3,
        }
    }
}

impl WebConfig {
    /// Whether the UI is served over HTTPS by this binary.
    pub fn tls(&self) -> bool {
        !self.tls_cert.as_os_str().is_empty()
    }

    /// How long sessions may go unused, by role.
    pub fn idle_limits(&self) -> IdleLimits {
        let minutes = |m: u32| chrono::Duration::minutes(i64::from(m));
        IdleLimits {
            staff: minutes(self.session_idle_minutes),
            privileged: minutes(self.session_idle_minutes_privileged),
        }
    }

    /// The trusted proxies' addresses (those that parse; `problems` names the others).
    pub fn proxies(&self) -> Vec<IpAddr> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    }

    /// What is wrong in `[web]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let mut note = |key: &str, message: Said, fix: Said| {
            bad(&mut out, &format!("web.{key}"), message, fix);
        };
        let (upload, listeners, hours) =
            (self.max_upload_mb, self.max_listeners, self.session_hours);
        if !(1..=4096).contains(&upload) {
            note(
                "max_upload_mb",
                said!(
                    "{upload} MB nằm ngoài 1…4096",
                    "{upload} MB is outside 1…4096"
                ),
                said!("thường là 200", "usually 200"),
            );
        }
        if !(1..=50).contains(&listeners) {
            note(
                "max_listeners",
                said!("{listeners} nằm ngoài 1…50", "{listeners} is outside 1…50"),
                said!("thường là 3", "usually 3"),
            );
        }
        if !(1..=24 * 30).contains(&hours) {
            note(
                "session_hours",
                said!("{hours} giờ", "{hours} hours"),
                said!("dùng 1…720, thường là 12", "use 1…720, usually 12"),
            );
        }
        for (key, minutes) in [
            ("session_idle_minutes", self.session_idle_minutes),
            (
                "session_idle_minutes_privileged",
                self.session_idle_minutes_privileged,
            ),
        ] {
            if !(1..=24 * 60).contains(&minutes) {
                note(
                    key,
                    said!("{minutes} phút", "{minutes} minutes"),
                    said!(
                        "dùng 1…1440 (thường 120, và 30 cho trực ban và quản trị)",
                        "use 1…1440 (usually 120, and 30 for operators and admins)"
                    ),
                );
            }
        }
        for (key, seconds) in [
            ("request_timeout_seconds", self.request_timeout_seconds),
            ("upload_idle_seconds", self.upload_idle_seconds),
        ] {
            if !(1..=3600).contains(&seconds) {
                note(
                    key,
                    said!("{seconds} giây", "{seconds} seconds"),
                    said!("dùng 1…3600", "use 1…3600"),
                );
            }
        }
        let addr = &self.http_redirect_listen;
        if !addr.is_empty() && addr.parse::<SocketAddr>().is_err() {
            note(
                "http_redirect_listen",
                said!(
                    "\"{addr}\" không phải địa chỉ:cổng",
                    "\"{addr}\" is not address:port"
                ),
                said!("ví dụ \"0.0.0.0:80\"", "e.g. \"0.0.0.0:80\""),
            );
        }
        for p in &self.trusted_proxies {
            if p.trim().parse::<IpAddr>().is_err() {
                note(
                    "trusted_proxies",
                    said!(
                        "\"{p}\" không phải địa chỉ IP",
                        "\"{p}\" is not an IP address"
                    ),
                    said!(
                        "ví dụ [\"127.0.0.1\"] cho nginx trên cùng máy",
                        "e.g. [\"127.0.0.1\"] for nginx on this machine"
                    ),
                );
            }
        }
        if self.tls() == self.tls_key.as_os_str().is_empty() {
            note(
                "tls_key",
                said!(
                    "cần cả tls_cert và tls_key",
                    "tls_cert and tls_key go together"
                ),
                said!(
                    "chạy `loaxa tls init` để tạo cả hai",
                    "run `loaxa tls init` to make both"
                ),
            );
        }
        if !self.http_redirect_listen.is_empty() && !self.tls() {
            note(
                "http_redirect_listen",
                said!(
                    "chỉ dùng khi đã bật HTTPS (tls_cert)",
                    "only with HTTPS on (tls_cert)"
                ),
                said!(
                    "đặt tls_cert và tls_key, hoặc bỏ dòng này",
                    "set tls_cert and tls_key, or remove it"
                ),
            );
        }
        out
    }

    /// Make the certificate paths relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        for p in [&mut self.tls_cert, &mut self.tls_key] {
            if !p.as_os_str().is_empty() && p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
    }
}
