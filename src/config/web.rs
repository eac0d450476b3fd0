//! `[web]`: the browser interface and API: where it listens, how big an upload may be, how
//! long a sign-in lasts.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::values::listen;
use super::{Findings, bad};

/// `[web]`: the browser interface and API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address and port to listen on. Default `0.0.0.0:8080` (the whole LAN).
    #[serde(with = "listen")]
    pub listen: SocketAddr,
    /// Largest upload, in MB. Default 200 (a three-hour MP3).
    pub max_upload_mb: u64,
    /// How long a sign-in lasts, in hours. Default 12 (a working day).
    pub session_hours: u32,
    /// Mark cookies `Secure`: set when the UI is served over HTTPS (a reverse proxy).
    /// Default false; requests arriving with `X-Forwarded-Proto: https` get it anyway.
    pub secure_cookies: bool,
    /// Uploads are refused while less than this many MB would stay free on the data disk, so
    /// the database and the as-run log always have room. Default 128.
    pub min_free_mb: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            max_upload_mb: 200,
            session_hours: 12,
            secure_cookies: false,
            min_free_mb: 128,
        }
    }
}

impl WebConfig {
    /// What is wrong in `[web]`.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        if !(1..=4096).contains(&self.max_upload_mb) {
            bad(
                &mut out,
                "web.max_upload_mb",
                format!(
                    "{} MB nằm ngoài 1…4096 / is outside 1…4096",
                    self.max_upload_mb
                ),
                "thường là 200 / usually 200",
            );
        }
        if !(1..=24 * 30).contains(&self.session_hours) {
            bad(
                &mut out,
                "web.session_hours",
                format!("{} giờ / hours", self.session_hours),
                "dùng 1…720, thường là 12 / use 1…720, usually 12",
            );
        }
        out
    }
}
