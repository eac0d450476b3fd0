//! The text of each file `loaxa cluster` writes: Mosquitto's config, its ACL, the bridge, and
//! the `[cluster]` sections of the head-end's and a node's `loaxa.toml`. Pure functions of the
//! registry; writing them (atomically, with the right owners) is `setup`'s job.

use std::path::Path;

use super::{HEAD_END_USER, Registry};
use crate::cluster::topics::Topics;

/// `DIR/mosquitto.conf`: what a broker of its own needs (persistence in DIR), then the
/// commune's settings from `DIR/conf.d/`, which Debian's broker can read on its own.
/// `stay_root`: DIR sits under a folder the `mosquitto` user cannot enter, so a broker started
/// as root must not drop to it (or it could not read its own files).
pub fn mosquitto_conf(dir: &Path, stay_root: bool) -> String {
    let d = dir.display();
    let user = if stay_root {
        "# A folder above this one is closed to the mosquitto user, so this broker stays root\n\
         # to read its files. Better: keep the setup where that user can reach it (under /etc\n\
         # or /var/lib), or use the systemd way above, and run init again there.\n\
         user root\n\n"
    } else {
        ""
    };
    format!(
        "# Loa Xã: the commune's MQTT broker, written by `loaxa cluster init`.\n\
         # Start it in the foreground:\n\
         #     mosquitto -c {d}/mosquitto.conf\n\
         # Or under systemd, with Debian's mosquitto.service (which keeps its own persistence\n\
         # and reads /etc/mosquitto/conf.d/*.conf): link the files of {d}/conf.d there,\n\
         #     ln -s {d}/conf.d/*.conf /etc/mosquitto/conf.d/ && systemctl restart mosquitto\n\
         \n\
         {user}\
         # Retained plans and statuses and the messages queued for absent nodes survive a\n\
         # restart; saved every minute, so a power cut loses at most a minute of them.\n\
         persistence true\n\
         persistence_location {d}/data/\n\
         autosave_interval 60\n\
         \n\
         include_dir {d}/conf.d\n"
    )
}

/// `DIR/conf.d/loaxa.conf`: the listener, the accounts and the limits.
pub fn listener_conf(dir: &Path, port: u16) -> String {
    let d = dir.display();
    format!(
        "# Loa Xã broker: listener, accounts and limits (written by `loaxa cluster init`).\n\
         listener {port}\n\
         # Nobody without an account; each account reaches only what the ACL lists.\n\
         allow_anonymous false\n\
         password_file {d}/passwd\n\
         acl_file {d}/acl\n\
         # A client's id is its user name, so no node can take over another node's session.\n\
         use_username_as_clientid true\n\
         # Messages kept for a node that is away (its plan is retained apart from these).\n\
         max_queued_messages 1000\n\
         # A week's plan is tens of kB; nothing the cluster sends comes near 1 MB.\n\
         max_packet_size 1048576\n\
         # Every message is sent at once, not held until the last one's ACK is back (Nagle's\n\
         # algorithm): a node hears an emergency a round trip sooner on a slow link.\n\
         set_tcp_nodelay true\n\
         # Nodes ping every 10 s; nobody may ask for more than a minute.\n\
         max_keepalive 60\n\
         # The queued messages of a node that never comes back are dropped after 30 days.\n\
         persistent_client_expiration 30d\n"
    )
}

/// The bridge's placeholder password, until the province gives a real one.
pub const BRIDGE_PASSWORD_PLACEHOLDER: &str = "CHANGE-ME";

/// `DIR/conf.d/loaxa-bridge.conf`: status, as-run and reports up to the province's broker.
/// Every topic is `out`: nothing the province's broker carries comes down to the nodes.
pub fn bridge_conf(topics: &Topics, host: &str, port: u16) -> String {
    let c = topics.commune();
    let mut out = format!(
        "# Loa Xã: bridge to the province's broker (written by `loaxa cluster init --bridge-to`).\n\
         # Status, as-run rows and reports go up; every topic is \"out\", so no command from\n\
         # the province's broker ever reaches a node.\n\
         # The province gives this commune an account on its broker: put its user name and\n\
         # password below in place of the placeholders, then restart mosquitto.\n\
         connection loaxa-{c}\n\
         address {host}:{port}\n\
         remote_clientid loaxa-bridge-{c}\n\
         remote_username loaxa-bridge-{c}\n\
         remote_password {BRIDGE_PASSWORD_PLACEHOLDER}\n\
         # Messages for the province wait here while its link is down.\n\
         cleansession false\n\
         bridge_protocol_version mqttv311\n\
         # Reconnect after 5 s, backing off to 2 min.\n\
         restart_timeout 5 120\n\
         # The bridge's own up/down state, for the head-end to show; not sent to the province.\n\
         notifications true\n\
         notifications_local_only true\n"
    );
    for filter in topics.to_province() {
        out.push_str(&format!("topic {filter} out 1\n"));
    }
    out
}

/// `DIR/acl`: the head-end reaches the whole commune; each node reads the broadcast, the live
/// microphone and its own plan and commands, and writes only its own status, as-run and acknowledgements.
pub fn acl(registry: &Registry) -> String {
    let topics = registry.topics();
    let mut out = format!(
        "# Loa Xã ACL, written by `loaxa cluster` from nodes.toml: add nodes with\n\
         # `loaxa cluster add-node`, not by hand. Anonymous clients get nothing\n\
         # (allow_anonymous false), and each user reaches only the topics below.\n\
         \n\
         # The head-end: plans and commands to every node; every status, as-run and answer.\n\
         user {HEAD_END_USER}\n\
         topic readwrite {}\n",
        topics.everything()
    );
    for node in &registry.nodes {
        out.push_str(&format!(
            "\n# Node {} ({}), zones: {}\nuser {}\n",
            node.id,
            one_line(&node.name),
            one_line(&node.zones.join(", ")),
            node.id
        ));
        for t in topics.node_reads(&node.id) {
            out.push_str(&format!("topic read {t}\n"));
        }
        for t in topics.node_writes(&node.id) {
            out.push_str(&format!("topic write {t}\n"));
        }
    }
    out
}

/// A display name in a `#` comment: a line break would end the comment and start a rule.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A TOML file of one `[cluster]` table under a comment header.
pub fn cluster_section(header: &str, keys: toml::Table) -> String {
    let mut doc = toml::Table::new();
    doc.insert("cluster".into(), toml::Value::Table(keys));
    let body = toml::to_string(&doc).unwrap_or_default();
    let comment: String = header.lines().map(|l| format!("# {l}\n")).collect();
    format!("{comment}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::setup::NodeEntry;

    #[test]
    fn a_display_name_cannot_add_a_rule_to_the_acl() {
        let mut registry = Registry::new(
            "xa".parse().unwrap(),
            "pi".into(),
            1883,
            "http://pi:8080".into(),
        );
        registry.nodes.push(NodeEntry {
            id: "thon-2".parse().unwrap(),
            name: "Thôn 2\ntopic readwrite #".into(),
            zones: vec!["Thôn 2".into()],
            token_sha256: String::new(),
        });
        let text = acl(&registry);
        assert!(!text.lines().any(|l| l == "topic readwrite #"), "{text}");
        assert!(text.contains("user thon-2\ntopic read loaxa/xa/broadcast\n"));
        assert!(text.contains("topic read loaxa/xa/live\n"));
        assert!(!text.contains("topic write loaxa/xa/live"));
        assert!(text.contains("topic write loaxa/xa/node/thon-2/status\n"));
    }

    #[test]
    fn the_bridge_sends_up_and_never_down() {
        let topics = Topics::new("xa".parse().unwrap());
        let text = bridge_conf(&topics, "tinh.example", 1883);
        let rules: Vec<&str> = text.lines().filter(|l| l.starts_with("topic ")).collect();
        assert!(!rules.is_empty());
        assert!(rules.iter().all(|r| r.ends_with(" out 1")), "{rules:?}");
        assert!(rules.iter().any(|r| r.contains("/node/+/status")));
        assert!(!text.contains("broadcast") && !text.contains("/cmd"));
    }
}
