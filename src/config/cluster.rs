//! `[cluster]`: whether this Pi is a station alone, a commune's head-end, or a village node,
//! and how it reaches the commune's broker. `loaxa cluster init` and `add-node` write this
//! section; a config without it is a station alone, exactly as before clusters. Only the keys and
//! their checks live here: `cluster` reaches the broker.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Findings;
use crate::model::Said;
use crate::model::said;

/// What this Pi is in a commune of villages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterRole {
    /// A station alone: no broker (the default).
    #[default]
    None,
    /// The People's Committee's Pi: web UI, store, approvals; sends plans and commands.
    HeadEnd,
    /// A village's Pi: airs its plan from its own cache and clock.
    Node,
}

/// `[cluster]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// `none` (default), `head-end` or `node`.
    pub role: ClusterRole,
    /// The commune's id, the topic level under `loaxa/` (`xa-an-binh`).
    pub commune: String,
    /// The broker's host name or address. Default `127.0.0.1` (the head-end's own).
    pub broker_host: String,
    /// The broker's port. Default 1883 (8883 is usual with TLS).
    pub broker_port: u16,
    /// The CA certificate (PEM) that signed the broker's; empty: plain TCP. With TLS,
    /// `broker_host` must be a name (or address) the broker's certificate carries.
    pub tls_ca_file: PathBuf,
    /// This Pi's user name on the broker.
    pub user: String,
    /// This Pi's password on the broker (`LOAXA_CLUSTER_PASSWORD` keeps it out of the file).
    pub password: String,
    /// Seconds between pings: a vanished node shows offline after about 1.5 times this.
    /// Default 10.
    pub keepalive_seconds: u16,
    /// Head-end: the node registry `loaxa cluster` keeps (ids, zones, token hashes).
    pub nodes_file: PathBuf,
    /// The head-end's web address that nodes fetch recordings from (`http://HOST:8080`).
    pub media_url: String,
    /// Node: its id (`thon-2`).
    pub node_id: String,
    /// Node: the zones (thôn) it serves, as the programme names them (`Thôn 2`).
    pub zones: Vec<String>,
    /// Node: its token for fetching recordings from the head-end.
    pub node_token: String,
    /// Node: the most its media cache may hold, in MB. Default 4000.
    pub cache_mb: u64,
    /// Node: where `/healthz` answers; only this machine may ask (a loopback address).
    /// Default `127.0.0.1:8080`.
    pub health_listen: String,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            role: ClusterRole::None,
            commune: String::new(),
            broker_host: "127.0.0.1".into(),
            broker_port: 1883,
            tls_ca_file: PathBuf::new(),
            user: String::new(),
            password: String::new(),
            keepalive_seconds: 10,
            nodes_file: PathBuf::new(),
            media_url: String::new(),
            node_id: String::new(),
            zones: Vec::new(),
            node_token: String::new(),
            cache_mb: 4000,
            health_listen: "127.0.0.1:8080".into(),
        }
    }
}

/// Where `loaxa cluster init` writes things and what to run, for the fixes below.
const FIX_INIT: (&str, &str) = (
    "xem head-end.toml do `loaxa cluster init` viết",
    "see the head-end.toml `loaxa cluster init` wrote",
);
const FIX_NODE: (&str, &str) = (
    "dùng tệp `loaxa cluster add-node` viết",
    "use the file `loaxa cluster add-node` wrote",
);

/// A file a key names that is not there.
fn no_such_file(path: &Path) -> Said {
    let path = path.display();
    said!("không có tệp: {path}", "no such file: {path}")
}

impl ClusterConfig {
    /// Problems as (dotted key, what is wrong, how to fix it); none for a station alone.
    pub fn problems(&self) -> Findings {
        let mut out = Findings::new();
        let mut bad = |key: &str, message: Said, fix: Said| {
            out.push((format!("cluster.{key}"), message, fix));
        };
        if self.role == ClusterRole::None {
            return out;
        }
        let (vi, en) = if self.role == ClusterRole::Node {
            FIX_NODE
        } else {
            FIX_INIT
        };
        let fix = || Said::new(vi, en);
        if let Err(e) = self.commune.parse::<crate::cluster::CommuneId>() {
            bad("commune", e.said(), fix());
        }
        if self.broker_host.trim().is_empty() {
            bad("broker_host", said!("trống", "empty"), fix());
        }
        if self.broker_port == 0 {
            bad(
                "broker_port",
                said!("cổng 0", "port 0"),
                said!("thường là 1883", "usually 1883"),
            );
        }
        if self.user.is_empty() || self.password.is_empty() {
            bad(
                "password",
                said!(
                    "thiếu tên hoặc mật khẩu với broker",
                    "the broker user or password is missing"
                ),
                fix(),
            );
        }
        let keepalive = self.keepalive_seconds;
        if !(5..=60).contains(&keepalive) {
            bad(
                "keepalive_seconds",
                said!("{keepalive} giây", "{keepalive} seconds"),
                said!("dùng 5…60, thường là 10", "use 5…60, usually 10"),
            );
        }
        if !self.tls_ca_file.as_os_str().is_empty() && !self.tls_ca_file.is_file() {
            bad(
                "tls_ca_file",
                no_such_file(&self.tls_ca_file),
                said!(
                    "chép chứng chỉ CA của broker vào đây, hoặc để trống",
                    "copy the broker's CA certificate here, or leave it empty"
                ),
            );
        }
        let media_url = &self.media_url;
        if !media_url.starts_with("http://") && !media_url.starts_with("https://") {
            bad(
                "media_url",
                said!(
                    "\"{media_url}\" không phải địa chỉ web",
                    "\"{media_url}\" is not a web address"
                ),
                said!(
                    "ví dụ \"http://192.168.1.10:8080\"",
                    "e.g. \"http://192.168.1.10:8080\""
                ),
            );
        }
        match self.role {
            ClusterRole::Node => {
                if let Err(e) = crate::cluster::NodeId::new_node(&self.node_id) {
                    bad("node_id", e.said(), fix());
                }
                if self.zones.iter().all(|z| z.trim().is_empty()) {
                    bad(
                        "zones",
                        said!("nút không phục vụ thôn nào", "the node serves no zone"),
                        said!("ví dụ zones = [\"Thôn 2\"]", "e.g. zones = [\"Thôn 2\"]"),
                    );
                }
                if self.node_token.is_empty() {
                    bad("node_token", said!("trống", "empty"), fix());
                }
                if self.cache_mb < 50 {
                    bad(
                        "cache_mb",
                        Said::same(format!("{} MB", self.cache_mb)),
                        said!("ít nhất 50, thường là 4000", "at least 50, usually 4000"),
                    );
                }
                let loopback = self
                    .health_listen
                    .parse::<std::net::SocketAddr>()
                    .is_ok_and(|a| a.ip().is_loopback());
                if !loopback {
                    bad(
                        "health_listen",
                        Said::same(format!("\"{}\"", self.health_listen)),
                        said!(
                            "một địa chỉ 127.0.0.1:CỔNG: nút không mở web ra ngoài",
                            "a 127.0.0.1:PORT address: a node serves nothing to the network"
                        ),
                    );
                }
            }
            ClusterRole::HeadEnd => {
                if !self.nodes_file.is_file() {
                    bad("nodes_file", no_such_file(&self.nodes_file), fix());
                }
            }
            ClusterRole::None => {}
        }
        out
    }

    /// Make relative files relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        for p in [&mut self.tls_ca_file, &mut self.nodes_file] {
            if !p.as_os_str().is_empty() && p.is_relative() && !base.as_os_str().is_empty() {
                *p = base.join(&*p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_with_a_vietnamese_id_is_told_so_in_each_language_apart() {
        let node = ClusterConfig {
            role: ClusterRole::Node,
            node_id: "Thôn 2".into(),
            keepalive_seconds: 1,
            ..ClusterConfig::default()
        };
        let found = node.problems();
        let (_, message, fix) = found
            .iter()
            .find(|(k, _, _)| k == "cluster.node_id")
            .unwrap();
        assert!(message.vi().contains("chỉ dùng a–z"), "{message:?}");
        assert!(message.en().contains("try \"thon-2\""), "{message:?}");
        for (_, message, fix) in &found {
            crate::config::assert_one_language(message);
            crate::config::assert_one_language(fix);
        }
        assert!(fix.en().contains("add-node"));
    }
}
