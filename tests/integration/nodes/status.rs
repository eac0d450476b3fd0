//! What the head-end shows of its nodes: `/api/v1/nodes` online and offline in time, and the
//! Cụm loa / Clusters page at phone and desk widths.

use super::*;

/// Poll `GET /api/v1/nodes` (as an operator) until node `id` is listed as `done` says, or fail
/// after `secs` saying `what`; gives its entry.
async fn node_in_api(
    head: &HeadEnd,
    id: &str,
    secs: u64,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let (status, body) = head.call("GET", "/api/v1/nodes", &head.token, None).await;
        assert_eq!(status, 200, "{body}");
        let entry = body
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed: {body}"));
        if done(&entry) {
            return entry;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {id} {what}: {entry}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_process_is_online_within_ten_seconds_and_offline_within_thirty_of_hanging() {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let health = crate::cluster::free_port();
    let file = data.path().join("loaxa.toml");
    let mut toml = std::fs::read_to_string(commune.path("thon-2.toml")).unwrap();
    toml = toml.replace(
        "[cluster]",
        &format!(
            "data_dir = \"{}\"\n\n[audio]\noutput = \"null\"\n\n[schedule]\nrequire_time_sync = false\n\n[cluster]\nhealth_listen = \"127.0.0.1:{health}\"",
            data.path().join("data").display()
        ),
    );
    toml = toml.replace("http://127.0.0.1:8080", &head.url());
    std::fs::write(&file, toml).unwrap();
    // Killed when the test ends, passed or not (a stopped one too).
    let child = crate::stream_server::Guard::spawn(
        crate::common::loaxa().args(["node", "--config"]).arg(&file),
    )
    .unwrap();
    let pid = child.id().unwrap();
    let started = std::time::Instant::now();
    let listed = node_in_api(&head, "thon-2", 10, "online in /api/v1/nodes", |n| {
        n["online"] == true
    })
    .await;
    eprintln!("online after {:?}", started.elapsed());
    let keys: Vec<&str> = listed
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "cache",
            "clock_offset_ms",
            "id",
            "last_seen",
            "now_playing",
            "online",
            "output_ok",
            "temperature_c",
            "version",
            "warnings",
            "zones"
        ],
        "{listed}"
    );
    assert!(listed["warnings"].is_array(), "{listed}");
    assert_eq!(listed["zones"], serde_json::json!(["Thôn 2"]));
    assert_eq!(listed["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(listed["output_ok"], true, "{listed}");
    assert!(listed["cache"]["items"].is_u64() && listed["cache"]["bytes"].is_u64());
    assert!(listed["last_seen"].is_string(), "{listed}");
    // Its clock is measured by the head-end's probe, sent to every node once a minute.
    node_in_api(&head, "thon-2", 65, "its clock offset measured", |n| {
        n["clock_offset_ms"].is_i64()
    })
    .await;
    let addr: SocketAddr = format!("127.0.0.1:{health}").parse().unwrap();
    eventually(15, "its healthz answering 200", || {
        let status = std::thread::scope(|_| {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            agent
                .get(&format!("http://{addr}/healthz"))
                .call()
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
        (status == 200).then_some(())
    })
    .await;
    // Hung (stopped by a signal: no goodbye, no ping): offline within 30 s.
    crate::common::signal(pid, nix::sys::signal::Signal::SIGSTOP, false);
    let hung = std::time::Instant::now();
    node_in_api(&head, "thon-2", 30, "offline in /api/v1/nodes", |n| {
        n["online"] == false
    })
    .await;
    eprintln!("offline {:?} after hanging", hung.elapsed());
    crate::common::signal(pid, nix::sys::signal::Signal::SIGCONT, false);
    eventually(40, "the node back online", || {
        head.online("thon-2").then_some(())
    })
    .await;
    drop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clusters_page_shows_each_node_as_a_card_that_fits_a_phone() {
    let commune = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-1",
        &data.path().join("data"),
        "null",
        commune.broker.port,
        &head.url(),
    );
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    node_in_api(&head, "thon-1", 10, "online", |n| n["online"] == true).await;

    // Anyone signed in may look (an operator here).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (_driver, client) = crate::browser::start_driver().await;
    let site = crate::browser::Site {
        base: head.url(),
        shots,
        client,
    };
    site.login("truc-ban").await;
    site.go("/cluster").await;
    let text = site.text().await;
    for seen in [
        "Cụm loa",
        "Thôn 1",
        "Thôn 2",
        "thon-1",
        "Trực tuyến",
        "Ngoại tuyến",
    ] {
        assert!(text.contains(seen), "{seen} missing from:\n{text}");
    }
    assert!(text.contains("1 / 2"), "one of two online:\n{text}");
    site.shot("cluster").await;
    node.stop().await;
}
