//! Village clusters against the real Mosquitto: the setup `loaxa cluster init` and `add-node`
//! write starts a broker, nodes connect with their own credentials and get what is theirs,
//! strangers and trespassing nodes are refused, a killed node's will marks it offline, TLS
//! trusts only the commune's CA, and a bridge carries statuses (never commands) to a province.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use loaxa::cluster::NodeId;
use loaxa::cluster::link::{Down, Incoming, Link, LinkEvent, LinkOptions, Session};
use loaxa::cluster::protocol::{self, Action, CacheStats, NodeReport, NodeStatus};
use loaxa::cluster::session::{self, Target};
use loaxa::cluster::setup::{self, PasswordFile};
use loaxa::cluster::topics::{NodeTopic, Route, Topics};
use loaxa::config::{self, ClusterConfig};
use tokio::sync::mpsc::Receiver;

use crate::common::loaxa;

/// A broker started from a config file, killed when dropped.
pub struct Broker {
    child: Child,
    pub port: u16,
    conf: PathBuf,
}

impl Broker {
    pub fn start(conf: &Path, port: u16) -> Broker {
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto is installed (.ci/run installs it)");
        let broker = Broker {
            child,
            port,
            conf: conf.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        broker
    }
}

impl Broker {
    /// Stop the broker as systemd would (SIGTERM: it saves its persistence), wait until it is
    /// gone, and start it again on the same port.
    pub fn restart(&mut self) {
        crate::common::signal(self.child.id(), nix::sys::signal::Signal::SIGTERM, false);
        self.child.wait().unwrap();
        let again = Broker::start(&self.conf, self.port);
        *self = again;
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run_ok(args: &[&str]) {
    let out = loaxa().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "loaxa {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A commune set up through the CLI, its broker running.
pub struct Commune {
    pub dir: tempfile::TempDir,
    pub broker: Broker,
    pub topics: Topics,
}

impl Commune {
    pub fn new(commune: &str, nodes: &[(&str, &str)], bridge_to: Option<u16>) -> Commune {
        Commune::with(commune, nodes, bridge_to, |_| {})
    }

    /// Set up through the CLI, let `before_start` change DIR, start the broker.
    pub fn with(
        commune: &str,
        nodes: &[(&str, &str)],
        bridge_to: Option<u16>,
        before_start: impl FnOnce(&Path),
    ) -> Commune {
        // The folder itself is DIR: as root, Mosquitto drops to its own user, which must be
        // able to walk into it (a temporary folder's parent is private).
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_string();
        let port = free_port();
        let port_s = port.to_string();
        let bridge = bridge_to.map(|p| format!("127.0.0.1:{p}"));
        let mut args = vec![
            "cluster",
            "init",
            "--dir",
            &d,
            "--port",
            &port_s,
            "--commune",
            commune,
            "--host",
            "127.0.0.1",
        ];
        if let Some(b) = &bridge {
            args.extend(["--bridge-to", b.as_str()]);
        }
        run_ok(&args);
        for (id, zone) in nodes {
            let out = format!("{d}/{id}.toml");
            run_ok(&[
                "cluster", "add-node", id, "--zone", zone, "--dir", &d, "--out", &out,
            ]);
        }
        before_start(dir.path());
        let broker = Broker::start(&dir.path().join("mosquitto.conf"), port);
        Commune {
            dir,
            broker,
            topics: Topics::new(commune.parse().unwrap()),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A node's `[cluster]`, loaded and checked as `loaxa` loads it.
    pub fn node_config(&self, id: &str) -> ClusterConfig {
        let loaded = config::load(Some(&self.path(&format!("{id}.toml"))), []).unwrap();
        assert_eq!(loaded.problems(), vec![], "{id}.toml is a valid loaxa.toml");
        loaded.config.cluster
    }

    /// The head-end's: head-end.toml added to an otherwise empty loaxa.toml.
    pub fn head_end_config(&self) -> ClusterConfig {
        let file = self.path("loaxa.toml");
        std::fs::copy(self.path("head-end.toml"), &file).unwrap();
        let loaded = config::load(Some(&file), []).unwrap();
        assert_eq!(
            loaded.problems(),
            vec![],
            "head-end.toml makes a valid loaxa.toml"
        );
        loaded.config.cluster
    }

    pub fn options(&self, user: &str, password: &str) -> LinkOptions {
        let mut o = LinkOptions::new("127.0.0.1", self.broker.port, user, password);
        o.session = Session::Clean;
        o
    }
}

/// Events until one matches, failing after 10 s.
pub async fn until(
    rx: &mut Receiver<LinkEvent>,
    what: &str,
    hit: impl Fn(&LinkEvent) -> bool,
) -> Vec<LinkEvent> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 10 s; saw {seen:?}"))
            .expect("link ended");
        let done = hit(&e);
        seen.push(e);
        if done {
            return seen;
        }
    }
}

async fn connected(rx: &mut Receiver<LinkEvent>) {
    until(rx, "subscription", |e| {
        matches!(e, LinkEvent::Subscribed { .. })
    })
    .await;
}

fn messages(events: &[LinkEvent]) -> Vec<&Incoming> {
    events
        .iter()
        .filter_map(|e| match e {
            LinkEvent::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn online(at: chrono::DateTime<Utc>) -> NodeStatus {
    NodeStatus::Online(Box::new(NodeReport {
        at,
        version: env!("CARGO_PKG_VERSION").into(),
        started_at: at,
        output_ok: true,
        now_playing: None,
        cache: CacheStats::default(),
        plan_version: None,
        clock_offset_ms: None,
        temperature_c: None,
        under_voltage: None,
        restarts: 0,
        errors: 0,
        missing: Vec::new(),
        queued_asrun: 0,
        refused_topics: Vec::new(),
    }))
}

#[tokio::test]
async fn a_node_gets_the_broadcast_and_its_own_commands_and_strangers_are_refused() {
    let c = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let node_cfg = c.node_config("thon-1");
    assert_eq!(node_cfg.zones, vec!["Thôn 1".to_string()]);
    c.head_end_config();
    // The commands the README gives: a node's file checks, and both ends reach the broker.
    let node_file = c.path("thon-1.toml");
    run_ok(&["--config", node_file.to_str().unwrap(), "check"]);
    for file in ["thon-1.toml", "loaxa.toml"] {
        run_ok(&[
            "--config",
            c.path(file).to_str().unwrap(),
            "cluster",
            "ping",
        ]);
    }
    let mut node = session::node_end(&node_cfg).unwrap();
    // Asking for another node's commands gets nothing: the ACL lets it read only its own.
    let other: NodeId = "thon-2".parse().unwrap();
    node.link.subscriptions.push((
        c.topics.node(&other, NodeTopic::Command),
        loaxa::cluster::link::Delivery::AtLeastOnce,
    ));
    let (_node_link, mut node_rx) = Link::start(node.link).unwrap();
    let head = session::head_end(&c.head_end_config()).unwrap();
    let (head_link, mut head_rx) = Link::start(head.link).unwrap();
    until(
        &mut head_rx,
        "head-end connect",
        |e| matches!(e, LinkEvent::Subscribed { refused } if refused.is_empty()),
    )
    .await;
    // Mosquitto's ACL file grants the SUBSCRIBE and drops, on delivery, what the node may not
    // read (a broker that refuses the filter instead names it in `refused`); either way the
    // node's own filters in the same request work.
    until(&mut node_rx, "node subscription", |e| {
        matches!(e, LinkEvent::Subscribed { .. })
    })
    .await;

    let now = Utc::now();
    let probe =
        |n| protocol::Command::new(Action::ClockProbe, now, Some(chrono::Duration::seconds(n)));
    let (for_other, for_node, for_all) = (probe(60), probe(61), probe(62));
    for (target, cmd) in [
        (Target::Node(other.clone()), &for_other),
        (Target::Node(node.id.clone()), &for_node),
        (Target::Everyone, &for_all),
    ] {
        head_link
            .publish(session::command(&head.topics, &target, cmd, now))
            .unwrap();
    }
    let events = until(
        &mut node_rx,
        "the broadcast",
        |e| matches!(e, LinkEvent::Message(m) if m.topic == c.topics.broadcast()),
    )
    .await;
    let got: Vec<(Route, protocol::Command)> = messages(&events)
        .into_iter()
        .map(|m| {
            (
                c.topics.route(&m.topic).unwrap(),
                protocol::decode(&m.payload).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Route::Node(node.id.clone(), NodeTopic::Command), for_node),
            (Route::Broadcast, for_all),
        ],
        "its own command, then the broadcast; never the other node's"
    );

    // No credentials, a wrong password, a right password for another user: all refused.
    let pw = node_cfg.password.clone();
    for (user, password) in [
        ("", ""),
        ("thon-1", "sai-mat-khau"),
        ("thon-2", pw.as_str()),
    ] {
        let (_l, mut rx) = Link::start(c.options(user, password)).unwrap();
        let events = until(&mut rx, "a refusal", |e| {
            matches!(e, LinkEvent::Down { .. })
        })
        .await;
        assert!(
            matches!(
                events.last(),
                Some(LinkEvent::Down {
                    reason: Down::Refused(_),
                    ..
                })
            ),
            "{user:?}/{password:?}: {events:?}"
        );
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, LinkEvent::Connected { .. }))
        );
    }
}

#[tokio::test]
async fn the_acl_stops_a_node_writing_another_nodes_status_or_any_command() {
    let c = Commune::new("xa", &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")], None);
    let head_cfg = c.head_end_config();
    // A monitor with the head-end's account sees everything of the commune.
    let mut watch = c.options(&head_cfg.user, &head_cfg.password);
    watch.subscriptions = vec![(
        c.topics.everything(),
        loaxa::cluster::link::Delivery::AtLeastOnce,
    )];
    let (_watch, mut watch_rx) = Link::start(watch).unwrap();
    connected(&mut watch_rx).await;
    let node = session::node_end(&c.node_config("thon-1")).unwrap();
    let (node_link, mut node_rx) = Link::start(node.link).unwrap();
    connected(&mut node_rx).await;

    let other: NodeId = "thon-2".parse().unwrap();
    let now = Utc::now();
    let stop = protocol::Command::new(
        Action::EmergencyStop {
            emergency: protocol::MessageId::random(),
        },
        now,
        None,
    );
    let trespasses = [
        session::status(&c.topics, &other, &NodeStatus::Offline),
        session::command(&c.topics, &Target::Everyone, &stop, now),
        session::command(&c.topics, &Target::Node(other.clone()), &stop, now),
        session::command(&c.topics, &Target::Node(node.id.clone()), &stop, now),
    ];
    for t in &trespasses {
        node_link.publish(t.clone()).unwrap();
    }
    // Then its own status: once the monitor has it, anything before it would have arrived.
    node_link
        .publish(session::status(&c.topics, &node.id, &online(now)))
        .unwrap();
    let seen = until(&mut watch_rx, "the node's own status", |e| {
        matches!(e, LinkEvent::Message(m) if m.topic == c.topics.node(&node.id, NodeTopic::Status))
    })
    .await;
    let topics: Vec<&str> = messages(&seen).iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(
        topics,
        vec![c.topics.node(&node.id, NodeTopic::Status).as_str()]
    );
    // MQTT 5 tells the node each refusal.
    let mut refused = 0;
    while refused < trespasses.len() {
        until(&mut node_rx, "refusals", |e| {
            matches!(e, LinkEvent::NotAuthorized(_))
        })
        .await;
        refused += 1;
    }
}

#[tokio::test]
async fn a_killed_nodes_last_will_marks_it_offline_for_everyone() {
    let c = Commune::new("xa", &[("thon-3", "Thôn 3")], None);
    let head = session::head_end(&c.head_end_config()).unwrap();
    let (head_link, mut head_rx) = Link::start(head.link).unwrap();
    connected(&mut head_rx).await;
    let node = session::node_end(&c.node_config("thon-3")).unwrap();
    let status_topic = c.topics.node(&node.id, NodeTopic::Status);
    let (node_link, mut node_rx) = Link::start(node.link).unwrap();
    connected(&mut node_rx).await;
    node_link
        .publish(session::status(&c.topics, &node.id, &online(Utc::now())))
        .unwrap();
    let is_status = |want_online: bool| {
        let topic = status_topic.clone();
        move |e: &LinkEvent| match e {
            LinkEvent::Message(m) if m.topic == topic => {
                matches!(protocol::decode(&m.payload), Ok(NodeStatus::Online(_))) == want_online
            }
            _ => false,
        }
    };
    until(&mut head_rx, "online", is_status(true)).await;
    // Killed: the connection drops without a goodbye, as when the process dies.
    drop(node_link);
    until(&mut head_rx, "the last will", is_status(false)).await;
    // Retained: a head-end starting later learns it too.
    let mut late = c.options("head-end", &c.head_end_config().password);
    late.subscriptions = vec![(
        status_topic.clone(),
        loaxa::cluster::link::Delivery::AtLeastOnce,
    )];
    drop(head_link);
    let (_late, mut late_rx) = Link::start(late).unwrap();
    let seen = until(&mut late_rx, "the retained offline", is_status(false)).await;
    assert!(messages(&seen).last().unwrap().retained);
}

/// A CA and a broker certificate for 127.0.0.1 signed by it, as PEM.
fn certificates() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Loa Xã CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn tls_connects_with_the_communes_ca_and_refuses_any_other() {
    let (ca, cert, key) = certificates();
    let port = free_port();
    let c = Commune::with("xa", &[("thon-4", "Thôn 4")], None, |dir| {
        let tls = dir.join("tls");
        std::fs::create_dir(&tls).unwrap();
        for (name, text) in [("ca.crt", &ca), ("server.crt", &cert), ("server.key", &key)] {
            std::fs::write(tls.join(name), text).unwrap();
        }
        // The TLS listener as the README tells it: one more file in conf.d.
        let t = tls.display();
        std::fs::write(
            dir.join("conf.d/loaxa-tls.conf"),
            format!(
                "listener {port}\ncafile {t}/ca.crt\ncertfile {t}/server.crt\nkeyfile {t}/server.key\n"
            ),
        )
        .unwrap();
    });
    let tls = c.path("tls");
    // Both listeners are up once the TLS one accepts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "no TLS listener on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut cfg = c.node_config("thon-4");
    cfg.broker_port = port;
    cfg.tls_ca_file = tls.join("ca.crt");
    let node = session::node_end(&cfg).unwrap();
    let (_link, mut rx) = Link::start(node.link.clone()).unwrap();
    connected(&mut rx).await;

    let (other_ca, _, _) = certificates();
    let mut stranger = node.link;
    stranger.tls_ca_pem = Some(other_ca.into_bytes());
    let (_l, mut rx) = Link::start(stranger).unwrap();
    let events = until(&mut rx, "a TLS refusal", |e| {
        matches!(e, LinkEvent::Down { .. })
    })
    .await;
    match events.last() {
        Some(LinkEvent::Down {
            reason: Down::Tls(why),
            ..
        }) => {
            assert!(
                why.contains("certificate") || why.contains("Certificate"),
                "{why}"
            )
        }
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
}

/// A provincial broker with an account for each commune's bridge and one for its own monitor.
fn province(communes: &[&str], monitor_password: &str) -> (tempfile::TempDir, Broker, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let mut passwords = PasswordFile::default();
    let mut acl = String::from("user tinh\ntopic readwrite loaxa/#\n");
    let mut bridge_passwords = Vec::new();
    passwords.set("tinh", setup::hash_password(monitor_password).unwrap());
    for c in communes {
        let user = format!("loaxa-bridge-{c}");
        let pw = format!("mat-khau-cau-noi-{c}");
        passwords.set(&user, setup::hash_password(&pw).unwrap());
        acl.push_str(&format!("user {user}\ntopic readwrite loaxa/{c}/#\n"));
        bridge_passwords.push(pw);
    }
    std::fs::write(dir.path().join("passwd"), passwords.render()).unwrap();
    std::fs::write(dir.path().join("acl"), acl).unwrap();
    let port = free_port();
    std::fs::write(
        dir.path().join("mosquitto.conf"),
        format!(
            "listener {port}\nallow_anonymous false\npassword_file {d}/passwd\nacl_file {d}/acl\n"
        ),
    )
    .unwrap();
    let broker = Broker::start(&dir.path().join("mosquitto.conf"), port);
    (dir, broker, bridge_passwords)
}

#[tokio::test]
async fn two_communes_bridged_to_a_province_send_statuses_up_and_no_command_down() {
    let (_pdir, prov, bridge_pw) = province(&["xa-a", "xa-b"], "tinh-mat-khau");
    let mut communes = Vec::new();
    for (name, pw) in ["xa-a", "xa-b"].into_iter().zip(&bridge_pw) {
        // Init writes the bridge with a placeholder; the commune puts the province's password.
        communes.push(Commune::with(
            name,
            &[("thon-1", "Thôn 1")],
            Some(prov.port),
            |dir| {
                let bridge = dir.join("conf.d/loaxa-bridge.conf");
                let text = std::fs::read_to_string(&bridge).unwrap();
                assert!(text.contains(setup::BRIDGE_PASSWORD_PLACEHOLDER));
                std::fs::write(
                    &bridge,
                    text.replace(setup::BRIDGE_PASSWORD_PLACEHOLDER, pw),
                )
                .unwrap();
            },
        ));
    }

    let mut monitor = LinkOptions::new("127.0.0.1", prov.port, "tinh", "tinh-mat-khau");
    monitor.session = Session::Clean;
    monitor.subscriptions = vec![(
        "loaxa/#".into(),
        loaxa::cluster::link::Delivery::AtLeastOnce,
    )];
    let (monitor_link, mut monitor_rx) = Link::start(monitor).unwrap();
    connected(&mut monitor_rx).await;

    let mut nodes = Vec::new();
    for c in &communes {
        let node = session::node_end(&c.node_config("thon-1")).unwrap();
        let (link, mut rx) = Link::start(node.link.clone()).unwrap();
        connected(&mut rx).await;
        nodes.push((node, link, rx));
    }
    // A command at the commune's own broker must not go up, either.
    let a = &communes[0];
    let head = a.head_end_config();
    let mut head_opts = a.options(&head.user, &head.password);
    head_opts.subscriptions.clear();
    let (head_link, _head_rx) = Link::start(head_opts).unwrap();
    let now = Utc::now();
    let probe = protocol::Command::new(Action::ClockProbe, now, Some(chrono::Duration::minutes(5)));
    head_link
        .publish(session::command(&a.topics, &Target::Everyone, &probe, now))
        .unwrap();

    let mut arrived = std::collections::BTreeSet::new();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while arrived.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "statuses at the province: {seen:?}"
        );
        for (node, link, _) in &nodes {
            link.publish(session::status(&node.topics, &node.id, &online(Utc::now())))
                .unwrap();
        }
        let batch = tokio::time::timeout(Duration::from_millis(500), monitor_rx.recv()).await;
        if let Ok(Some(LinkEvent::Message(m))) = batch {
            if m.topic.ends_with("/node/thon-1/status") {
                arrived.insert(m.topic.clone());
            }
            seen.push(m.topic);
        }
    }
    assert_eq!(
        arrived.into_iter().collect::<Vec<_>>(),
        vec![
            "loaxa/xa-a/node/thon-1/status",
            "loaxa/xa-b/node/thon-1/status"
        ]
    );
    assert!(
        seen.iter().all(|t| t.ends_with("/status")),
        "only statuses went up: {seen:?}"
    );

    // The commune's own broadcast reached its node (and, above, not the province).
    until(
        &mut nodes[0].2,
        "the local broadcast",
        |e| matches!(e, LinkEvent::Message(m) if m.topic == a.topics.broadcast()),
    )
    .await;
    for (_, _, rx) in &mut nodes {
        while rx.try_recv().is_ok() {}
    }
    // Commands published at the province never come down to a node.
    for c in &communes {
        let id: NodeId = "thon-1".parse().unwrap();
        for target in [Target::Everyone, Target::Node(id)] {
            monitor_link
                .publish(session::command(&c.topics, &target, &probe, now))
                .unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    for (node, _, rx) in &mut nodes {
        while let Ok(e) = rx.try_recv() {
            assert!(
                !matches!(e, LinkEvent::Message(_)),
                "{}: a command came down from the province: {e:?}",
                node.id
            );
        }
    }
}

#[tokio::test]
async fn a_setup_below_a_private_folder_still_starts_its_broker() {
    // A temporary folder is closed to others: the broker started from it must still read
    // its files (as root it then stays root, and init says so).
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("broker");
    let d = dir.to_str().unwrap();
    let port = free_port();
    let out = loaxa()
        .args(["cluster", "init", "--dir", d, "--port", &port.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let _broker = Broker::start(&dir.join("mosquitto.conf"), port);
    let file = dir.join("loaxa.toml");
    std::fs::copy(dir.join("head-end.toml"), &file).unwrap();
    run_ok(&["--config", file.to_str().unwrap(), "cluster", "ping"]);
}
