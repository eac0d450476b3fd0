//! A node airs its zones' plan from its cache through an hour without link, and every node
//! joins an emergency (a late one too; one back after the stop stays quiet), the chime at once
//! and the typed text read aloud at the head-end after it, or the chime alone when the
//! head-end cannot read it.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_airs_its_zones_plan_from_its_cache_and_every_play_reaches_the_head_end_once_even_after_an_hour_without_link()
 {
    let commune = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let head = HeadEnd::start(&commune, &TONES).await;
    let cable = Cable::to(commune.broker.port).await;
    let data = tempfile::tempdir().unwrap();
    let wav = data.path().join("thon-2.wav");
    let cfg = node_config(
        &commune,
        "thon-2",
        &data.path().join("data"),
        &format!("wav:{}", wav.display()),
        cable.port,
        &head.url(),
    );
    let t0 = quiet_start();
    let (node, clock, plan) = held_node(&head, cfg, t0).await;
    // Declared after the node, so dropped before it.
    let _release = Release(clock.clone());
    let titles: std::collections::BTreeSet<&str> =
        plan.cues.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Tin Thôn 2", "Tin chung"].into_iter().collect(),
        "Thôn 2's node gets its own zone's items and the commune's, not Thôn 1's"
    );
    assert!(plan.chime.is_some(), "the chime is cached on every node");
    assert!(plan.to - t0 >= chrono::Duration::days(7), "a week ahead");
    let health = reqwest_status(node.health).await;
    assert_eq!(health, 200, "healthz on the node's loopback address");

    // Two slots with the link up: the plays reach the head-end.
    let first = next_slot(t0);
    clock.hold_at(Some(first + chrono::Duration::minutes(16)));
    let up = eventually(20, "the first two slots' rows at the head-end", || {
        let rows = head.rows_of("thon-2");
        (rows.len() >= 4 && node.queued() == 0).then_some(rows)
    })
    .await;
    assert!(
        up.iter().all(|e| e.outcome == Outcome::Completed),
        "{up:#?}"
    );

    // The link is cut for an hour of programme: the node airs on by itself and keeps its rows.
    cable.cut();
    eventually(10, "thon-2 offline at the head-end (its will)", || {
        let nodes = head.state.cluster.as_ref()?.nodes();
        nodes
            .iter()
            .find(|n| n.id == "thon-2" && !n.online)
            .cloned()
    })
    .await;
    let before = node.settled().len();
    clock.hold_at(Some(first + chrono::Duration::minutes(76)));
    eventually(30, "four more slots aired without the link", || {
        (node.settled().len() >= before + 8).then_some(())
    })
    .await;
    let queued = node.queued();
    assert!(queued >= 8, "the rows wait on the node: {queued}");
    assert_eq!(
        head.rows_of("thon-2").len(),
        up.len(),
        "nothing arrived meanwhile"
    );

    // The link comes back: every row arrives, none twice.
    cable.mend();
    let aired = node.settled();
    let arrived = eventually(60, "every row at the head-end", || {
        let rows = head.rows_of("thon-2");
        (rows.len() >= aired.len() && node.queued() == 0).then_some(rows)
    })
    .await;
    assert_eq!(arrived.len(), aired.len(), "none twice");
    let mut keys: Vec<_> = arrived.iter().map(|e| e.cue_key.clone().unwrap()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), arrived.len(), "one row per cue");
    for row in &aired {
        let at_head = arrived
            .iter()
            .find(|e| e.cue_key == row.cue_key)
            .unwrap_or_else(|| panic!("{:?} did not arrive", row.cue_key));
        assert_eq!(at_head.outcome, row.outcome);
        assert_eq!(at_head.first_sample_at, row.first_sample_at);
        assert_eq!(at_head.label, row.label);
    }
    assert!(
        arrived.iter().any(|e| e.item_id.is_some()),
        "rows name the head-end's items"
    );
    province_reports(&head, &arrived).await;
    // What the node's loudspeakers got: its two tones, slot after slot, never Thôn 1's.
    node.stop_held(&clock).await;
    let pcm = read_wav(&wav);
    let runs = tone_runs(&pcm.samples, pcm.rate);
    let heard = |band: u32| runs.iter().filter(|(b, t)| *b == band && *t > 1.0).count();
    assert!(heard(440) >= 6 && heard(1000) >= 6, "{runs:?}");
    assert_eq!(heard(2000), 0, "Thôn 1's item never aired on Thôn 2");
    drop(head);
}

/// The province's reports of that hour, as a leader reads them: the node's plays (by the
/// simulated month they aired in), the one offline period of its cut link, its condition, and
/// the page at phone and desk widths.
async fn province_reports(head: &HeadEnd, arrived: &[Entry]) {
    let leader = loaxa::station::accounts::create_token(
        &head.state.store,
        "test",
        "chu-tich",
        "báo cáo",
        loaxa::model::TokenScope::Read,
    )
    .unwrap();
    let tz = head.state.timetable.tz();
    let month_of = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m").to_string();
    let aired_in = month_of(arrived[0].first_sample_at.unwrap());
    let (status, plays) = head
        .call(
            "GET",
            &format!("/api/v1/reports/plays?month={aired_in}"),
            &leader,
            None,
        )
        .await;
    assert_eq!(status, 200, "{plays}");
    for title in ["Tin chung", "Tin Thôn 2"] {
        let expected = arrived
            .iter()
            .filter(|e| e.label == title && month_of(e.first_sample_at.unwrap()) == aired_in)
            .count();
        let row = plays["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == title)
            .unwrap_or_else(|| panic!("{title} not in {plays}"));
        assert_eq!(row["nodes"]["thon-2"], expected, "{row}");
        assert_eq!(
            (&row["tier"], &row["approver"]),
            (&"normal".into(), &"Chủ tịch".into())
        );
    }
    // The node went offline once (the cut) and came back: one closed offline period. The
    // head-end writes the transition after it sees the status, so wait for it in the report.
    let now_month = month_of(Utc::now());
    let path = format!("/api/v1/reports/connectivity?month={now_month}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let thon2 = loop {
        let (status, body) = head.call("GET", &path, &leader, None).await;
        assert_eq!(status, 200, "{body}");
        let node = body["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["node"] == "thon-2")
            .cloned()
            .unwrap();
        let states: Vec<bool> = node["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["online"].as_bool().unwrap())
            .collect();
        if states.last() == Some(&true) && states.len() >= 3 {
            assert_eq!(states, [true, false, true], "{node}");
            let thon1 = body["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|n| n["node"] == "thon-1");
            assert_eq!(
                thon1.unwrap()["periods"],
                serde_json::json!([]),
                "never heard"
            );
            break node;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no reconnection in {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(thon2["offline_count"], 1);
    let offline = &thon2["periods"][1];
    assert_eq!(offline["ongoing"], false);
    assert!(thon2["offline_ms"].as_i64().unwrap() > 0, "{thon2}");
    assert!(offline["reason"].is_string(), "{offline}");
    let (_, condition) = head
        .call(
            "GET",
            &format!("/api/v1/reports/condition?month={now_month}"),
            &leader,
            None,
        )
        .await;
    let node = condition["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "thon-2")
        .cloned()
        .unwrap();
    assert!(node["samples"].as_u64().unwrap() >= 1, "{condition}");
    assert_eq!(
        node["under_voltage"],
        serde_json::Value::Null,
        "not a Pi: {node}"
    );
    let (status, _) = head.call("GET", &path, &head.token, None).await;
    assert_eq!(status, 403, "an operator does not read the reports");

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (_driver, client) = crate::browser::start_driver().await;
    let site = crate::browser::Site {
        base: head.url(),
        shots,
        client,
    };
    site.login("chu-tich").await;
    site.go(&format!("/reports?report=plays&month={aired_in}"))
        .await;
    let text = site.text().await;
    for seen in [
        "Báo cáo",
        "Số lần phát theo bản tin",
        "Tin Thôn 2",
        "thon-2",
        "Chủ tịch",
    ] {
        assert!(text.contains(seen), "{seen} missing from:\n{text}");
    }
    site.shot("reports-plays").await;
    site.go(&format!("/reports?report=connectivity&month={now_month}"))
        .await;
    let text = site.text().await;
    for seen in [
        "Kết nối của các cụm loa",
        "Ngoại tuyến",
        "Trực tuyến",
        "chưa nghe thấy",
    ] {
        assert!(text.contains(seen), "{seen} missing from:\n{text}");
    }
    site.shot("reports-connectivity").await;
    site.go(&format!("/reports?report=condition&month={now_month}"))
        .await;
    site.shot("reports-condition").await;
}

/// The status code of the node's `/healthz`.
async fn reqwest_status(addr: SocketAddr) -> u16 {
    let url = format!("http://{addr}/healthz");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        agent
            .get(&url)
            .call()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
    .await
    .unwrap()
}

/// The node's first emergency chime and first play of `text`, once both have aired in that
/// order: the message's first sample after the chime's last.
fn chime_then_message(node: &RunningNode, text: &str) -> Option<(Entry, Entry)> {
    let rows = emergency_rows(node);
    let first = |label: &dyn Fn(&str) -> bool| {
        rows.iter()
            .filter(|e| label(&e.label) && e.outcome == Outcome::Completed)
            .min_by_key(|e| e.first_sample_at)
            .cloned()
    };
    let chime = first(&|l| l.starts_with("Chuông báo"))?;
    let message = first(&|l| l == text)?;
    assert!(
        message.first_sample_at >= chime.last_sample_at && chime.last_sample_at.is_some(),
        "the spoken text aired before the chime had ended: {rows:#?}"
    );
    Some((chime, message))
}

/// The node's as-run lines of emergencies.
fn emergency_rows(node: &RunningNode) -> Vec<Entry> {
    all_rows(&node.shared.store)
        .into_iter()
        .filter(|e| e.source == "emergency")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_emergency_reaches_every_node_a_late_one_joins_and_one_back_after_the_stop_stays_quiet()
{
    let commune = Commune::new(
        "xa-an-binh",
        &[
            ("thon-1", "Thôn 1"),
            ("thon-2", "Thôn 2"),
            ("thon-3", "Thôn 3"),
        ],
        None,
    );
    // The head-end's voice (espeak-ng) reads only once the test opens its gate, so the test
    // sees the chime on the nodes while the text is still being read aloud.
    let data = tempfile::tempdir().unwrap();
    let gate = data.path().join("gate");
    let gated = gate.display().to_string();
    let head = HeadEnd::start_with(
        &commune,
        &TONES[..1],
        Arc::new(loaxa::audio::input::open_device),
        |c| {
            c.emergency.tts_command = vec![
                "sh".into(),
                "-c".into(),
                "while [ ! -e \"$1\" ]; do sleep 0.02; done; exec espeak-ng -v vi -w \"$0\" --stdin"
                    .into(),
                "{out}".into(),
                gated,
            ]
        },
    )
    .await;
    let mut cables = Vec::new();
    let mut nodes = Vec::new();
    for id in ["thon-1", "thon-2", "thon-3"] {
        let cable = Cable::to(commune.broker.port).await;
        let cfg = node_config(
            &commune,
            id,
            &data.path().join(id),
            "null",
            cable.port,
            &head.url(),
        );
        nodes.push(RunningNode::start(cfg, Arc::new(SystemClock::new())).await);
        cables.push(cable);
    }
    let (one, two, three) = (&nodes[0], &nodes[1], &nodes[2]);
    eventually(20, "every node online with its chime", || {
        let ready = ["thon-1", "thon-2", "thon-3"]
            .iter()
            .all(|id| head.online(id))
            && nodes.iter().all(|n| n.shared.emergency.has_chime());
        ready.then_some(())
    })
    .await;
    // Thôn 2 and Thôn 3 lose their link before the emergency.
    cables[1].cut();
    cables[2].cut();
    eventually(10, "thôn 2 and 3 offline", || {
        (!head.online("thon-2") && !head.online("thon-3")).then_some(())
    })
    .await;

    let text = "Bão số 3 sắp đổ bộ, bà con khẩn trương gia cố nhà cửa";
    let (status, started) = head
        .call(
            "POST",
            "/api/v1/emergency",
            &head.token,
            Some(serde_json::json!({"text": text, "repeat": 0})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    // Thôn 1: the chime at once from its cache, while the head-end still reads the text…
    eventually(
        15,
        "thôn 1 airing the chime before the text is read",
        || {
            emergency_rows(one)
                .iter()
                .any(|e| e.label.starts_with("Chuông báo") && e.first_sample_at.is_some())
                .then_some(())
        },
    )
    .await;
    let reading = head.state.emergency.active().unwrap();
    assert!(reading.speaking && reading.audio.is_none(), "{reading:?}");
    assert!(
        emergency_rows(one).iter().all(|e| e.label != text),
        "nothing to say yet"
    );
    // …then the text, spoken once at the head-end and handed on, after the chime.
    std::fs::write(&gate, "").unwrap();
    eventually(15, "thôn 1 airing the spoken text after the chime", || {
        chime_then_message(one, text)
    })
    .await;
    // The node's report of its first sample reaches the head-end over the broker a moment after
    // the node has written its own row.
    let id = started["id"].as_u64().unwrap();
    eventually(10, "the head-end seeing thôn 1 on air", || {
        let parts = head.state.cluster.as_ref()?.emergency(id)?;
        parts
            .iter()
            .find(|p| p.node == "thon-1")?
            .first_sample_at
            .map(|_| ())
    })
    .await;
    let (_, on_air) = head
        .call("GET", "/api/v1/emergency", &head.token, None)
        .await;
    let parts = on_air["nodes"].as_array().unwrap().clone();
    let part = |id: &str| parts.iter().find(|p| p["node"] == id).unwrap().clone();
    assert!(part("thon-1")["first_sample_at"].is_string(), "{on_air}");
    assert!(part("thon-1")["latency_ms"].is_i64(), "{on_air}");
    assert!(
        part("thon-2")["why_not"]
            .as_str()
            .unwrap()
            .contains("offline"),
        "{on_air}"
    );

    // Thôn 2 comes back while it lasts: it joins, with the chime and then the spoken text,
    // both commands kept for it by the broker.
    cables[1].mend();
    eventually(
        40,
        "thôn 2 joining with the chime, then the spoken text",
        || chime_then_message(two, text),
    )
    .await;
    eventually(10, "the head-end seeing thôn 2 on air", || {
        let parts = head.state.cluster.as_ref()?.emergency(id)?;
        parts
            .iter()
            .find(|p| p.node == "thon-2")?
            .first_sample_at
            .map(|_| ())
    })
    .await;

    // The stop reaches every node that is linked.
    let (status, _) = head
        .call("DELETE", "/api/v1/emergency", &head.token, None)
        .await;
    assert_eq!(status, 200);
    eventually(10, "thôn 1 and 2 quiet again", || {
        let quiet = [one, two].iter().all(|n| {
            n.shared.emergency.active().is_none() && n.shared.player.status().now_playing.is_none()
        });
        quiet.then_some(())
    })
    .await;

    // Thôn 3 comes back after the stop: the start and the stop the broker kept for it arrive
    // together, and it airs nothing.
    cables[2].mend();
    eventually(40, "thôn 3 online again", || {
        head.online("thon-3").then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        emergency_rows(three).is_empty(),
        "{:?}",
        emergency_rows(three)
    );
    assert!(three.shared.emergency.active().is_none());
    for n in nodes {
        n.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_head_end_cannot_read_the_text_aloud_a_node_repeats_the_chime_and_the_status_says_why()
 {
    let commune = Commune::new("xa-an-binh", &[("thon-1", "Thôn 1")], None);
    let head = HeadEnd::start_with(
        &commune,
        &TONES[..1],
        Arc::new(loaxa::audio::input::open_device),
        |c| {
            c.emergency.tts_command = ["khong-co-espeak", "-w", "{out}"]
                .map(String::from)
                .to_vec()
        },
    )
    .await;
    let data = tempfile::tempdir().unwrap();
    let node = thon_1_ready(&commune, &head, data.path()).await;
    // An open page (the emergency page, the dashboard) listens to the station's events.
    let mut page_events = head.state.events.subscribe();
    let text = "Lũ quét ở suối Nậm Mu, bà con lên vùng cao";
    let (status, started) = head
        .call(
            "POST",
            "/api/v1/emergency",
            &head.token,
            Some(serde_json::json!({"text": text, "repeat": 0})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    // The node repeats the chime, round after round, and never waits for a voice that fails.
    let rows = eventually(20, "thôn 1 airing two rounds of the chime", || {
        let rows = emergency_rows(&node);
        let chimes = rows
            .iter()
            .filter(|e| e.label.starts_with("Chuông báo") && e.outcome == Outcome::Completed)
            .count();
        (chimes >= 2).then_some(rows)
    })
    .await;
    assert!(
        rows.iter().all(|e| e.label.starts_with("Chuông báo")),
        "only the chime: {rows:#?}"
    );
    let (_, status) = head.call("GET", "/api/v1/status", &head.token, None).await;
    let warnings = status["emergency"]["warnings"].to_string();
    assert!(
        warnings.contains("espeak-ng") && warnings.contains("only the chime airs"),
        "the head-end's status says why: {status}"
    );
    // A page already open hears that the emergency changed and redraws its banner, which
    // says why, in the page's language only.
    let mut banner = String::new();
    while !banner.contains("chỉ phát chuông") {
        let event = tokio::time::timeout(Duration::from_secs(10), page_events.recv())
            .await
            .unwrap_or_else(|_| panic!("no event brought the warning to the page: {banner}"));
        if event.is_ok_and(|e| e == loaxa::model::Event::Emergency) {
            let (status, html) = head.call_text("GET", "/banner", &head.token, None).await;
            assert_eq!(status, 200, "{html}");
            banner = html;
        }
    }
    assert!(
        banner.contains("espeak-ng") && !banner.contains("only the chime"),
        "{banner}"
    );
    let (status, _) = head
        .call("DELETE", "/api/v1/emergency", &head.token, None)
        .await;
    assert_eq!(status, 200);
    eventually(10, "thôn 1 quiet again", || {
        node.shared.emergency.active().is_none().then_some(())
    })
    .await;
    node.stop().await;
}
