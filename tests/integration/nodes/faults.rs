//! Faults with the real broker: recordings only for node tokens (resumable, a damaged copy
//! fetched again), the broker restarted mid-programme, a node killed mid-bulletin.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn recordings_go_only_to_node_tokens_resume_where_they_broke_off_and_a_damaged_copy_is_fetched_again()
 {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let (sha, file) = recording(&head, "Tin chung");
    let original = std::fs::read(&file).unwrap();
    let node_token = commune.node_config("thon-2").node_token;
    let url = |sha: &str| format!("{}/api/v1/cluster/media/{sha}", head.url());
    let bearer = |t: &str| vec![("Authorization", format!("Bearer {t}"))];

    // Only a node's token opens it; people are refused even with a valid token of theirs.
    assert_eq!(get(url(&sha), vec![]).await.0, 401);
    assert_eq!(get(url(&sha), bearer("doan-bua")).await.0, 401);
    assert_eq!(get(url(&sha), bearer(&head.token)).await.0, 403);
    assert_eq!(
        get(url("../../etc/passwd"), bearer(&node_token)).await.0,
        404
    );
    assert_eq!(get(url("ABC"), bearer(&node_token)).await.0, 400);
    assert_eq!(get(url(&"0".repeat(64)), bearer(&node_token)).await.0, 404);
    let (status, whole) = get(url(&sha), bearer(&node_token)).await;
    assert_eq!((status, whole == original), (200, true));
    let mut ranged = bearer(&node_token);
    ranged.push(("Range", "bytes=100-199".into()));
    let (status, part) = get(url(&sha), ranged).await;
    assert_eq!((status, part.as_slice()), (206, &original[100..200]));

    // A node that had fetched half before a cut asks only for the rest.
    let web = Cable::to(head.addr.port()).await;
    let data = tempfile::tempdir().unwrap();
    let node_data = data.path().join("data");
    std::fs::create_dir_all(node_data.join("cache/partial")).unwrap();
    let half = original.len() / 2;
    std::fs::write(
        node_data.join(format!("cache/partial/{sha}.part")),
        &original[..half],
    )
    .unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &node_data,
        "null",
        commune.broker.port,
        &format!("http://127.0.0.1:{}", web.port),
    );
    let node = RunningNode::start(cfg.clone(), Arc::new(SystemClock::new())).await;
    let cached = node.shared.cache.path(&sha);
    eventually(15, "the recording in the node's cache", || {
        (std::fs::read(&cached).ok()? == original).then_some(())
    })
    .await;
    node.stop().await;
    let came = web.bytes_down() as usize;
    // The chime came whole; of the bulletin only the second half (plus the headers).
    let chime = std::fs::metadata(recording(&head, "Chuông báo").1)
        .unwrap()
        .len() as usize;
    assert!(
        came < chime + (original.len() - half) + 4096,
        "{came} bytes came for {} + {chime}",
        original.len()
    );

    // A copy damaged on the node's disk is found when the node starts, and fetched again.
    let mut damaged = original.clone();
    for b in &mut damaged[half..half + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&cached, &damaged).unwrap();
    let node = RunningNode::start(cfg, Arc::new(SystemClock::new())).await;
    eventually(15, "the damaged copy replaced by a good one", || {
        (std::fs::read(&cached).ok()? == original).then_some(())
    })
    .await;
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_broker_restarts_mid_programme_the_node_airs_on_and_its_rows_still_arrive() {
    let mut commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..2]).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        "null",
        commune.broker.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, _) = held_node(&head, cfg, t0).await;
    let _release = Release(clock.clone());
    let first = next_slot(t0);
    clock.hold_at(Some(first + chrono::Duration::minutes(1)));
    eventually(20, "the first slot's rows at the head-end", || {
        (head.rows_of("thon-2").len() >= 2).then_some(())
    })
    .await;
    // The broker goes down and comes back while two more slots air.
    commune.broker.restart();
    clock.hold_at(Some(first + chrono::Duration::minutes(31)));
    eventually(20, "two more slots aired", || {
        (node.settled().len() >= 6).then_some(())
    })
    .await;
    let (aired, arrived) = eventually(60, "every row at the head-end after the restart", || {
        let aired = node.settled();
        let rows = head.rows_of("thon-2");
        (node.queued() == 0 && rows.len() >= aired.len()).then_some((aired, rows))
    })
    .await;
    let keys = |rows: &[Entry]| -> Vec<(Option<String>, Outcome)> {
        let mut k: Vec<_> = rows
            .iter()
            .map(|e| (e.cue_key.clone(), e.outcome))
            .collect();
        k.sort_by(|a, b| a.0.cmp(&b.0));
        k
    };
    assert_eq!(keys(&arrived), keys(&aired), "none lost, none twice");
    eventually(20, "the node online again", || {
        head.online("thon-2").then_some(())
    })
    .await;
    node.stop_held(&clock).await;
}

/// What a node killed at this moment leaves on disk, copied to `to`: its recordings, and its
/// database as committed (what SQLite keeps through a power cut).
fn crash_copy(store: &Store, from: &Path, to: &Path) {
    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let name = e.file_name();
            if name.to_string_lossy().starts_with("loaxa.sqlite3") {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                copy_tree(&e.path(), &to.join(&name));
            } else {
                std::fs::copy(e.path(), to.join(&name)).unwrap();
            }
        }
    }
    copy_tree(from, to);
    let db = to.join("loaxa.sqlite3");
    store
        .with(|c| {
            c.execute("VACUUM INTO ?1", [db.to_str().unwrap()])?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_mid_bulletin_airs_it_again_after_its_restart_and_the_head_end_keeps_one_line()
 {
    let commune = Commune::new("xa-an-binh", &[("thon-2", "Thôn 2")], None);
    let head = HeadEnd::start(&commune, &TONES[..1]).await;
    let cable = Cable::to(commune.broker.port).await;
    let data = tempfile::tempdir().unwrap();
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        "null",
        cable.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, _) = held_node(&head, cfg, t0).await;
    let first = next_slot(t0);
    // Hold time one second into the two-second bulletin: it is on air.
    clock.hold_at(Some(first + chrono::Duration::seconds(1)));
    let on_air = eventually(20, "the bulletin on air", || {
        all_rows(&node.shared.store)
            .into_iter()
            .find(|e| e.outcome == Outcome::Started && e.label == "Tin chung")
    })
    .await;

    // Killed there: the node is frozen on its held clock and cut off from the broker (no
    // goodbye: the broker publishes its will); what it leaves on disk boots again on the same
    // Pi a minute later.
    cable.cut();
    let rebooted = tempfile::tempdir().unwrap();
    let disk = rebooted.path().join("data");
    crash_copy(&node.shared.store, &data.path().join("data"), &disk);
    eventually(20, "the killed node offline (its will)", || {
        (!head.online("thon-2")).then_some(())
    })
    .await;
    let later = first + chrono::Duration::minutes(1);
    let clock2 = Arc::new(SimClock::starting_at(later));
    clock2.hold_at(Some(later + chrono::Duration::minutes(4)));
    let cfg2 = node_config(
        &commune,
        "thon-2",
        &disk,
        "null",
        commune.broker.port,
        &head.url(),
    );
    let node2 = RunningNode::start(cfg2, clock2.clone()).await;
    let _release = Release(clock2.clone());

    // Per the station's policy the cut play is marked interrupted and, still within the grace
    // window, airs again from the start; its one line ends completed, and the head-end keeps
    // that line once.
    let rows = eventually(20, "the bulletin aired again and reported", || {
        let rows: Vec<Entry> = head
            .rows_of("thon-2")
            .into_iter()
            .filter(|e| e.cue_key == on_air.cue_key)
            .collect();
        let done = rows.iter().any(|e| e.outcome == Outcome::Completed);
        (done && node2.queued() == 0).then_some(rows)
    })
    .await;
    assert_eq!(rows.len(), 1, "one line for the cue: {rows:#?}");
    assert!(
        rows[0].first_sample_at > on_air.first_sample_at,
        "aired from the start again: {rows:#?}"
    );
    let here: Vec<Entry> = node2
        .settled()
        .into_iter()
        .filter(|e| e.cue_key == on_air.cue_key)
        .collect();
    assert_eq!(here.len(), 1, "{here:#?}");
    assert_eq!(
        (here[0].outcome, here[0].first_sample_at),
        (rows[0].outcome, rows[0].first_sample_at),
        "the node's log says the same"
    );
    node2.stop_held(&clock2).await;
    // The frozen one is let go; it only ever writes to its own, abandoned folder.
    node.stop_held(&clock).await;
}
