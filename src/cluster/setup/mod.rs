//! `loaxa cluster init` and `add-node`: a ready Mosquitto setup in one folder, and one
//! `loaxa.toml` per node with its own credentials.
//!
//! ```text
//! DIR/mosquitto.conf          mosquitto -c DIR/mosquitto.conf (persistence in DIR/data)
//! DIR/conf.d/loaxa.conf       listener, no anonymous access, password file, ACL, limits
//! DIR/conf.d/loaxa-bridge.conf   with --bridge-to: status and reports up to the province
//! DIR/passwd                  Mosquitto's $7$ hashes (head-end and every node)
//! DIR/acl                     made from nodes.toml every time it changes
//! DIR/nodes.toml              the registry: commune, broker, media URL, nodes and zones
//! DIR/head-end.toml           the [cluster] section for the head-end's loaxa.toml (0600)
//! DIR/data/                   the broker's persistence
//! ```
//! Every file is written whole (temporary file, fsync, rename). Passwords are random and only
//! their hashes stay in DIR, except the head-end's own in head-end.toml. Run as root, the
//! files the broker reads go to the `mosquitto` user's group, since Mosquitto drops root.
//! Re-running `init` on a DIR that has a setup is refused: it would replace every password. It
//! never starts, stops or reloads Mosquitto.

mod passwd;
mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ids::{CommuneId, IdError, NodeId};
use super::topics::Topics;
pub use passwd::{PasswordFile, hash as hash_password, verify as verify_password};
pub use render::BRIDGE_PASSWORD_PLACEHOLDER;

/// The head-end's user name on the broker.
pub const HEAD_END_USER: &str = "head-end";

/// What went wrong setting up, with the fix.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// DIR already holds a setup.
    #[error(
        "{0} đã có cấu hình broker, không ghi đè (sẽ mất mọi mật khẩu) / already holds a broker \
         setup; not overwritten (every password would be lost). Thêm nút / add nodes with \
         `loaxa cluster add-node`; làm lại từ đầu / to start over, move the folder away first"
    )]
    AlreadySetUp(PathBuf),
    /// DIR has no setup.
    #[error(
        "{0} chưa có cấu hình broker / holds no broker setup: chạy trước / run first \
         `loaxa cluster init --dir {0}`"
    )]
    NotSetUp(PathBuf),
    /// A bad node or commune name.
    #[error(transparent)]
    Name(#[from] IdError),
    /// The node exists.
    #[error("nút \"{0}\" đã có / node \"{0}\" already exists: chọn tên khác / choose another name")]
    Duplicate(NodeId),
    /// The node's file would replace another.
    #[error(
        "{0} đã có, không ghi đè / already exists; not overwritten: chọn --out khác / choose another --out"
    )]
    OutExists(PathBuf),
    /// No zone given.
    #[error("nút cần ít nhất một thôn / a node needs at least one zone: --zone \"Thôn 2\"")]
    NoZone,
    /// A bad `--bridge-to`.
    #[error("--bridge-to \"{0}\": cần HOST:CỔNG / needs HOST:PORT, e.g. mqtt.tinh.example:1883")]
    BadBridge(String),
    /// The OS gave no randomness.
    #[error("hệ điều hành không cho số ngẫu nhiên / the OS random source failed")]
    Random,
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// nodes.toml could not be read.
    #[error("{0}: tệp hỏng / damaged file: {1}")]
    Registry(PathBuf, String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SetupError + '_ {
    move |source| SetupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `DIR/nodes.toml`: the commune's cluster as `loaxa cluster` set it up. The head-end reads it
/// (`[cluster] nodes_file`) to map zones to nodes and to check nodes' media tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    /// The commune's id.
    pub commune: CommuneId,
    /// The broker's host as the nodes reach it.
    pub broker_host: String,
    /// The broker's port.
    pub broker_port: u16,
    /// The head-end's web address nodes fetch recordings from.
    pub media_url: String,
    /// The nodes, in the order they were added.
    #[serde(default, rename = "node")]
    pub nodes: Vec<NodeEntry>,
}

/// One node in the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEntry {
    /// Its id, also its broker user name.
    pub id: NodeId,
    /// What people call it ("Cụm loa Thôn 2").
    pub name: String,
    /// The zones it serves, as the programme names them.
    pub zones: Vec<String>,
    /// SHA-256 of its media token (the token itself is only in the node's loaxa.toml).
    pub token_sha256: String,
}

impl Registry {
    /// A registry with no nodes.
    pub fn new(
        commune: CommuneId,
        broker_host: String,
        broker_port: u16,
        media_url: String,
    ) -> Registry {
        Registry {
            commune,
            broker_host,
            broker_port,
            media_url,
            nodes: Vec::new(),
        }
    }

    /// Read `nodes.toml`.
    pub fn load(path: &Path) -> Result<Registry, SetupError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        toml::from_str(&text).map_err(|e| SetupError::Registry(path.to_path_buf(), e.to_string()))
    }

    /// The commune's topics.
    pub fn topics(&self) -> Topics {
        Topics::new(self.commune.clone())
    }

    /// The node whose media token is `token`, if any (the head-end's check on media fetches).
    pub fn node_by_token(&self, token: &str) -> Option<&NodeEntry> {
        let hash = crate::accounts::token_hash(token);
        self.nodes.iter().find(|n| n.token_sha256 == hash)
    }

    /// The nodes serving `zone`.
    pub fn nodes_for_zone<'a>(&'a self, zone: &'a str) -> impl Iterator<Item = &'a NodeEntry> {
        self.nodes
            .iter()
            .filter(move |n| n.zones.iter().any(|z| z == zone))
    }
}

/// What `init` is asked.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The folder to write.
    pub dir: PathBuf,
    /// The port the broker listens on.
    pub port: u16,
    /// The commune's id.
    pub commune: CommuneId,
    /// The head-end's host as the nodes reach it (broker and web).
    pub host: String,
    /// The head-end's web address for media; default `http://HOST:8080`.
    pub media_url: Option<String>,
    /// `HOST:PORT` of the province's broker, for a bridge.
    pub bridge_to: Option<String>,
}

/// What `init` wrote.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// `DIR/mosquitto.conf`, absolute.
    pub mosquitto_conf: PathBuf,
    /// `DIR/head-end.toml`.
    pub head_end_toml: PathBuf,
    /// `DIR/conf.d/loaxa-bridge.conf`, when a bridge was asked.
    pub bridge_conf: Option<PathBuf>,
    /// Whether the broker's files were given to the `mosquitto` user's group.
    pub owned_by_broker: bool,
    /// Whether `DIR/mosquitto.conf` keeps the broker root, DIR being out of the `mosquitto`
    /// user's reach (the systemd way is not affected).
    pub broker_stays_root: bool,
}

/// Paths inside a setup folder.
struct Layout {
    dir: PathBuf,
}

impl Layout {
    fn new(dir: &Path) -> Result<Layout, SetupError> {
        let dir = std::path::absolute(dir).map_err(io(dir))?;
        Ok(Layout { dir })
    }
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn conf_d(&self) -> PathBuf {
        self.dir.join("conf.d")
    }
}

/// Write a broker setup into an empty (or new) folder.
pub fn init(opts: &InitOptions) -> Result<InitReport, SetupError> {
    let layout = Layout::new(&opts.dir)?;
    let passwd_path = layout.file("passwd");
    if passwd_path.exists() || layout.file("nodes.toml").exists() {
        return Err(SetupError::AlreadySetUp(layout.dir));
    }
    let bridge = opts.bridge_to.as_deref().map(parse_host_port).transpose()?;
    let owner = BrokerOwner::find();
    for d in [layout.dir.clone(), layout.conf_d()] {
        std::fs::create_dir_all(&d).map_err(io(&d))?;
        owner.share_dir(&d)?;
    }
    let data = layout.file("data");
    std::fs::create_dir_all(&data).map_err(io(&data))?;
    owner.give_dir(&data)?;

    let media_url = opts
        .media_url
        .clone()
        .unwrap_or_else(|| format!("http://{}:8080", opts.host));
    let registry = Registry::new(
        opts.commune.clone(),
        opts.host.clone(),
        opts.port,
        media_url,
    );
    let head_end_password = new_secret()?;
    let mut passwords = PasswordFile::default();
    passwords.set(
        HEAD_END_USER,
        passwd::hash(&head_end_password).ok_or(SetupError::Random)?,
    );

    let mosquitto_conf = layout.file("mosquitto.conf");
    let stay_root = owner.is_some() && !owner.can_reach(&layout.dir);
    write(
        &mosquitto_conf,
        &render::mosquitto_conf(&layout.dir, stay_root),
        0o644,
    )?;
    write(
        &layout.conf_d().join("loaxa.conf"),
        &render::listener_conf(&layout.dir, opts.port),
        0o644,
    )?;
    let bridge_conf = match bridge {
        Some((host, port)) => {
            let path = layout.conf_d().join("loaxa-bridge.conf");
            // It will hold the province's password: the broker's group may read it, no one else.
            write(
                &path,
                &render::bridge_conf(&registry.topics(), &host, port),
                0o640,
            )?;
            owner.share_file(&path)?;
            Some(path)
        }
        None => None,
    };
    write_broker_files(&layout, &registry, &passwords, &owner)?;
    let head_end_toml = layout.file("head-end.toml");
    write(
        &head_end_toml,
        &head_end_section(&registry, &layout, &head_end_password),
        0o600,
    )?;
    Ok(InitReport {
        mosquitto_conf,
        head_end_toml,
        bridge_conf,
        owned_by_broker: owner.is_some(),
        broker_stays_root: stay_root,
    })
}

/// What `add-node` is asked.
#[derive(Debug, Clone)]
pub struct NewNode {
    /// Its id (an ASCII slug).
    pub id: String,
    /// What people call it; default its zones.
    pub name: Option<String>,
    /// The zones it serves.
    pub zones: Vec<String>,
}

/// Add a node to the setup in `dir`: its credentials and ACL lines, and its `loaxa.toml`
/// written to `out` (mode 0600; an existing file is never replaced). The node file is written
/// first, so a failure leaves no node registered whose password nobody has.
pub fn add_node(dir: &Path, node: &NewNode, out: &Path) -> Result<NodeEntry, SetupError> {
    if out.exists() {
        return Err(SetupError::OutExists(out.to_path_buf()));
    }
    let layout = Layout::new(dir)?;
    let registry_path = layout.file("nodes.toml");
    if !registry_path.exists() {
        return Err(SetupError::NotSetUp(layout.dir));
    }
    let mut registry = Registry::load(&registry_path)?;
    let id = NodeId::new_node(&node.id)?;
    let passwd_path = layout.file("passwd");
    let mut passwords =
        PasswordFile::parse(&std::fs::read_to_string(&passwd_path).map_err(io(&passwd_path))?);
    if registry.nodes.iter().any(|n| n.id == id) || passwords.contains(id.as_str()) {
        return Err(SetupError::Duplicate(id));
    }
    let zones: Vec<String> = node
        .zones
        .iter()
        .map(|z| crate::text::clean_line(z))
        .filter(|z| !z.is_empty())
        .collect();
    if zones.is_empty() {
        return Err(SetupError::NoZone);
    }
    let password = new_secret()?;
    let token = new_secret()?;
    passwords.set(
        id.as_str(),
        passwd::hash(&password).ok_or(SetupError::Random)?,
    );
    let entry = NodeEntry {
        id: id.clone(),
        name: node
            .name
            .as_deref()
            .map(crate::text::clean_line)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| zones.join(", ")),
        zones,
        token_sha256: crate::accounts::token_hash(&token),
    };
    registry.nodes.push(entry.clone());
    write(out, &node_file(&registry, &entry, &password, &token), 0o600)?;
    if let Err(e) = write_broker_files(&layout, &registry, &passwords, &BrokerOwner::find()) {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(entry)
}

/// The password file, the ACL and the registry, always written together.
fn write_broker_files(
    layout: &Layout,
    registry: &Registry,
    passwords: &PasswordFile,
    owner: &BrokerOwner,
) -> Result<(), SetupError> {
    for (name, text) in [
        ("passwd", passwords.render()),
        ("acl", render::acl(registry)),
    ] {
        let path = layout.file(name);
        write(&path, &text, 0o640)?;
        owner.share_file(&path)?;
    }
    let text = toml::to_string(registry)
        .map_err(|e| SetupError::Registry(layout.file("nodes.toml"), e.to_string()))?;
    let header = "# Loa Xã: the commune's nodes, kept by `loaxa cluster`; do not edit by hand.\n";
    write(
        &layout.file("nodes.toml"),
        &format!("{header}{text}"),
        0o644,
    )
}

fn head_end_section(registry: &Registry, layout: &Layout, password: &str) -> String {
    let mut keys = toml::Table::new();
    let mut put = |k: &str, v: toml::Value| {
        keys.insert(k.into(), v);
    };
    put("role", "head-end".into());
    put("commune", registry.commune.as_str().into());
    // The broker runs beside the head-end.
    put("broker_host", "127.0.0.1".into());
    put("broker_port", i64::from(registry.broker_port).into());
    put("user", HEAD_END_USER.into());
    put("password", password.into());
    put(
        "nodes_file",
        layout.file("nodes.toml").display().to_string().into(),
    );
    put("media_url", registry.media_url.as_str().into());
    render::cluster_section(
        "The [cluster] section for the head-end's loaxa.toml (`loaxa cluster init` wrote it).\n\
         Add it to /etc/loaxa/loaxa.toml; it holds the head-end's broker password.\n\
         Phần [cluster] cho loaxa.toml của trung tâm; chứa mật khẩu broker của trung tâm.",
        keys,
    )
}

fn node_file(registry: &Registry, node: &NodeEntry, password: &str, token: &str) -> String {
    let mut keys = toml::Table::new();
    let mut put = |k: &str, v: toml::Value| {
        keys.insert(k.into(), v);
    };
    put("role", "node".into());
    put("commune", registry.commune.as_str().into());
    put("broker_host", registry.broker_host.as_str().into());
    put("broker_port", i64::from(registry.broker_port).into());
    put("user", node.id.as_str().into());
    put("password", password.into());
    put("node_id", node.id.as_str().into());
    put(
        "zones",
        toml::Value::Array(node.zones.iter().map(|z| z.as_str().into()).collect()),
    );
    put("media_url", registry.media_url.as_str().into());
    put("node_token", token.into());
    render::cluster_section(
        &format!(
            "Loa Xã node \"{}\" ({}), written by `loaxa cluster add-node`.\n\
             Copy it to the node as /etc/loaxa/loaxa.toml (mode 0600: it holds the node's broker\n\
             password and media token) and run `loaxa node`. Every other key keeps its default\n\
             (see loaxa.example.toml): add [audio] and [hw] as the node's amplifier needs.",
            node.id, node.name
        ),
        keys,
    )
}

/// `HOST:PORT`, with a port that is a number.
fn parse_host_port(s: &str) -> Result<(String, u16), SetupError> {
    let bad = || SetupError::BadBridge(s.to_string());
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host_ok = !host.is_empty()
        && !host.starts_with('-')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    if !host_ok || port == 0 {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

/// A new random password or token (256 bits, hex).
fn new_secret() -> Result<String, SetupError> {
    Some(crate::accounts::new_token())
        .filter(|t| !t.is_empty())
        .ok_or(SetupError::Random)
}

/// Write `text` to `path` whole: a temporary file beside it, fsynced, renamed over it.
fn write(path: &Path, text: &str, mode: u32) -> Result<(), SetupError> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    tmp.write_all(text.as_bytes()).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
        .map_err(io(path))?;
    tmp.persist(path).map_err(|e| SetupError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// The `mosquitto` user, when we run as root and it exists: Mosquitto started as root drops to
/// it, so it must be able to read the files and write its persistence.
struct BrokerOwner(Option<(nix::unistd::Uid, nix::unistd::Gid)>);

impl BrokerOwner {
    fn find() -> BrokerOwner {
        if !nix::unistd::geteuid().is_root() {
            return BrokerOwner(None);
        }
        let user = nix::unistd::User::from_name("mosquitto").ok().flatten();
        BrokerOwner(user.map(|u| (u.uid, u.gid)))
    }

    fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// Whether the broker's user can walk down to `dir`: every folder above it lets it pass.
    fn can_reach(&self, dir: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some((uid, gid)) = self.0 else {
            return true;
        };
        dir.ancestors().skip(1).all(|p| {
            std::fs::metadata(p).is_ok_and(|m| {
                let mode = m.mode();
                (m.uid() == uid.as_raw() && mode & 0o100 != 0)
                    || (m.gid() == gid.as_raw() && mode & 0o010 != 0)
                    || mode & 0o001 != 0
            })
        })
    }

    fn chown(&self, path: &Path, user: bool) -> Result<(), SetupError> {
        let Some((uid, gid)) = self.0 else {
            return Ok(());
        };
        nix::unistd::chown(path, user.then_some(uid), Some(gid)).map_err(|e| SetupError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        })
    }

    /// A file the broker reads: root keeps it, the broker's group reads it.
    fn share_file(&self, path: &Path) -> Result<(), SetupError> {
        self.chown(path, false)
    }

    /// A folder anyone may pass through (what is secret inside has its own mode).
    fn share_dir(&self, path: &Path) -> Result<(), SetupError> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io(path))
    }

    /// A folder the broker writes (its persistence).
    fn give_dir(&self, path: &Path) -> Result<(), SetupError> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(io(path))?;
        self.chown(path, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &Path) -> InitOptions {
        InitOptions {
            dir: dir.to_path_buf(),
            port: 1884,
            commune: "xa-an-binh".parse().unwrap(),
            host: "192.168.1.10".into(),
            media_url: None,
            bridge_to: None,
        }
    }

    #[test]
    fn init_then_nodes_give_each_its_account_acl_and_config() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("broker");
        let report = init(&options(&dir)).unwrap();
        let conf = std::fs::read_to_string(dir.join("conf.d/loaxa.conf")).unwrap();
        assert!(conf.contains("listener 1884\n") && conf.contains("allow_anonymous false\n"));
        assert!(conf.contains("set_tcp_nodelay true\n"));
        assert!(conf.contains(&format!("password_file {}/passwd\n", dir.display())));
        assert!(report.bridge_conf.is_none());
        let out = tmp.path().join("thon-2.toml");
        let node = NewNode {
            id: "thon-2".into(),
            name: None,
            zones: vec![" Thôn  2 ".into()],
        };
        let entry = add_node(&dir, &node, &out).unwrap();
        assert_eq!(
            entry.zones,
            vec!["Thôn 2".to_string()],
            "zones are normalised"
        );

        let cfg: crate::config::Config =
            toml::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let c = &cfg.cluster;
        assert_eq!(c.role, crate::config::ClusterRole::Node);
        assert_eq!(
            (c.broker_host.as_str(), c.broker_port),
            ("192.168.1.10", 1884)
        );
        assert_eq!(c.media_url, "http://192.168.1.10:8080");
        let passwords = PasswordFile::parse(&std::fs::read_to_string(dir.join("passwd")).unwrap());
        assert!(passwd::verify(
            &c.password,
            passwords.hash_of("thon-2").unwrap()
        ));
        assert!(passwords.contains(HEAD_END_USER));
        let registry = Registry::load(&dir.join("nodes.toml")).unwrap();
        assert_eq!(
            registry.node_by_token(&c.node_token).map(|n| n.id.as_str()),
            Some("thon-2")
        );
        assert!(registry.node_by_token("doan-bua").is_none());
        assert_eq!(registry.nodes_for_zone("Thôn 2").count(), 1);
        let acl = std::fs::read_to_string(dir.join("acl")).unwrap();
        assert!(acl.contains("user thon-2\n"));
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o600);
        assert_eq!(mode(&report.head_end_toml), 0o600);
    }

    #[test]
    fn nothing_is_overwritten_and_bad_nodes_change_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        init(&options(&dir)).unwrap();
        let before = std::fs::read_to_string(dir.join("passwd")).unwrap();
        assert!(matches!(
            init(&options(&dir)),
            Err(SetupError::AlreadySetUp(_))
        ));
        assert_eq!(std::fs::read_to_string(dir.join("passwd")).unwrap(), before);

        let node = |id: &str, zones: &[&str]| NewNode {
            id: id.into(),
            name: Some("Cụm loa".into()),
            zones: zones.iter().map(|z| z.to_string()).collect(),
        };
        let out = |n: &str| tmp.path().join(n);
        add_node(&dir, &node("thon-1", &["Thôn 1"]), &out("a.toml")).unwrap();
        let after_one = std::fs::read_to_string(dir.join("passwd")).unwrap();
        assert!(matches!(
            add_node(&dir, &node("thon-1", &["Thôn 1"]), &out("b.toml")),
            Err(SetupError::Duplicate(_))
        ));
        let e = add_node(&dir, &node("Thôn 3", &["Thôn 3"]), &out("c.toml")).unwrap_err();
        assert!(e.to_string().contains("thon-3"), "{e}");
        assert!(matches!(
            add_node(&dir, &node("head-end", &["Thôn 1"]), &out("d.toml")),
            Err(SetupError::Name(_))
        ));
        assert!(matches!(
            add_node(&dir, &node("thon-4", &[" "]), &out("e.toml")),
            Err(SetupError::NoZone)
        ));
        assert!(matches!(
            add_node(&dir, &node("thon-5", &["Thôn 5"]), &out("a.toml")),
            Err(SetupError::OutExists(_))
        ));
        assert_eq!(
            std::fs::read_to_string(dir.join("passwd")).unwrap(),
            after_one
        );
        for f in ["b.toml", "c.toml", "d.toml", "e.toml"] {
            assert!(!out(f).exists(), "{f}");
        }
        let missing = tmp.path().join("none");
        assert!(matches!(
            add_node(&missing, &node("thon-6", &["Thôn 6"]), &out("f.toml")),
            Err(SetupError::NotSetUp(_))
        ));
    }

    #[test]
    fn bridge_targets_are_host_and_port() {
        assert_eq!(
            parse_host_port("mqtt.tinh.example:1883").unwrap(),
            ("mqtt.tinh.example".into(), 1883)
        );
        for bad in [
            "tinh",
            "tinh:",
            ":1883",
            "tinh:0",
            "tinh:99999",
            "a b:1",
            "-x\n:1",
        ] {
            assert!(parse_host_port(bad).is_err(), "{bad:?}");
        }
    }
}
