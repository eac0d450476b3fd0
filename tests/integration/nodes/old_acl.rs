//! A commune whose broker ACL was written before the live microphone (no `topic read …/live`
//! line): Mosquitto refuses that one subscription, and the node still comes online, airs an
//! emergency's chime, and says what line to add, in its `/healthz` and in `/api/v1/nodes` —
//! unless its head-end, of an older release, sends no live microphone to miss.

use loaxa::cluster::link::{Delivery, Link, LinkEvent, Outgoing};

use crate::cluster::{Commune, until};

use super::*;

/// The commune's ACL without thôn 1's line for `live`.
fn commune_without_the_live_line() -> Commune {
    let live_line = "topic read loaxa/xa-an-binh/live\n";
    Commune::with("xa-an-binh", &[("thon-1", "Thôn 1")], None, |dir| {
        let acl = dir.join("acl");
        let text = std::fs::read_to_string(&acl).unwrap();
        assert!(text.contains(live_line), "{text}");
        std::fs::write(&acl, text.replace(live_line, "")).unwrap();
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_whose_acl_lacks_the_live_line_still_airs_an_emergency_and_says_how_to_fix_it() {
    let commune = commune_without_the_live_line();
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let data = tempfile::tempdir().unwrap();
    let node = thon_1_ready(&commune, &head, data.path()).await;
    // The node tells the drop when the head-end's status reaches it without the beacon, which
    // may come after the head-end already counts it online.
    eventually(10, "thôn 1 names the refused live topic", || {
        (node.shared.refused() == ["loaxa/xa-an-binh/live"]).then_some(())
    })
    .await;

    // The head-end lists the warning with the line to add.
    let warning = eventually(10, "the warning in /api/v1/nodes", || {
        let nodes = head.state.cluster.as_ref()?.nodes();
        let n = nodes.into_iter().find(|n| n.id == "thon-1")?;
        n.warnings
            .into_iter()
            .map(|w| w.to_string())
            .find(|w| w.contains("live"))
    })
    .await;
    let (status, listed) = head.call("GET", "/api/v1/nodes", &head.token, None).await;
    assert_eq!(status, 200);
    let listed = listed.to_string();
    assert!(listed.contains(&warning.replace('"', "\\\"")), "{listed}");
    for words in [
        "`topic read loaxa/xa-an-binh/live` under `user thon-1`",
        "loaxa cluster add-node",
        "reload mosquitto",
    ] {
        assert!(warning.contains(words), "{warning}");
    }
    // The node's own /healthz: still healthy, with the same advice.
    let (code, body) = get(format!("http://{}/healthz", node.health), vec![]).await;
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.contains("`topic read loaxa/xa-an-binh/live` under `user thon-1`")
            && body.contains("live microphone will not reach this node"),
        "{body}"
    );
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["link"]["ok"], true, "{body} ({code})");

    // Commands still arrive: an emergency's chime airs on the node.
    let text = "Nước lên nhanh, bà con di chuyển lên chỗ cao";
    let (status, started) = head
        .call(
            "POST",
            "/api/v1/emergency",
            &head.token,
            Some(serde_json::json!({"text": text, "repeat": 0})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    eventually(15, "thôn 1 airing the emergency's chime", || {
        all_rows(&node.shared.store)
            .iter()
            .any(|e| {
                e.source == "emergency"
                    && e.label.starts_with("Chuông báo")
                    && e.first_sample_at.is_some()
            })
            .then_some(())
    })
    .await;
    let (status, _) = head
        .call("DELETE", "/api/v1/emergency", &head.token, None)
        .await;
    assert_eq!(status, 200);
    node.stop().await;
}

/// A head-end of an older release relays no microphone: its status says only that it is up,
/// and it leaves no beacon on `live`. Its node cannot read `live` either, and has nothing to
/// miss: no warning, in its status or its `/healthz`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_behind_an_older_head_end_raises_no_warning_about_live() {
    let commune = commune_without_the_live_line();
    let head_cfg = commune.head_end_config();
    let (older, mut rx) = Link::start(commune.options(&head_cfg.user, &head_cfg.password)).unwrap();
    until(&mut rx, "the older head-end linked", |e| {
        matches!(e, LinkEvent::Connected { .. })
    })
    .await;
    older
        .publish(Outgoing {
            topic: commune.topics.head_end_status(),
            payload: loaxa::cluster::protocol::encode(&serde_json::json!({"online": true})),
            delivery: Delivery::AtLeastOnce,
            retain: true,
            expiry_seconds: None,
        })
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-1",
        &data.path().join("thon-1"),
        "null",
        commune.broker.port,
        "http://127.0.0.1:9",
    );
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    // The status is judged (beacon or not) as it arrives, before the node takes it in.
    eventually(20, "thôn 1 hearing the older head-end is up", || {
        node.shared
            .head_end_online
            .load(Ordering::Relaxed)
            .then_some(())
    })
    .await;
    assert_eq!(node.shared.refused(), Vec::<String>::new());
    assert_eq!(node.shared.refused_warnings(), Vec::<String>::new());
    let (_, body) = get(format!("http://{}/healthz", node.health), vec![]).await;
    let body = String::from_utf8_lossy(&body);
    assert!(!body.contains("xa-an-binh/live"), "{body}");
    node.stop().await;
    drop(older);
}
