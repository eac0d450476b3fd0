//! On air: an emergency pre-empting a bulletin through the real player into a WAV capture,
//! the relay timeline, replacement, stops, fallbacks, and CAP alerts through the API.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use loaxa::audio::AudioFormat;
use loaxa::audio::arbiter::Priority;
use loaxa::audio::player::{Clip, OutputOptions, PlayRequest, Player, PlayerEvent};
use loaxa::clock::{Clock, SystemClock};
use loaxa::config::LoudnessPolicy;
use loaxa::config::OutputSpec;
use loaxa::config::{EmergencyConfig, HwConfig};
use loaxa::emergency::{Emergency, EmergencyError, Message, Start, Trigger};
use loaxa::hw::{RecordingGpio, Relays};
use loaxa::media::MediaLibrary;
use loaxa::media::library::ImportRequest;
use loaxa::model::Category;
use loaxa::model::asrun::Outcome;
use loaxa::model::{NewItem, Placement, Tier};
use loaxa::review::{self, Action, Items};
use loaxa::store::asrun;
use loaxa::store::{Store, users};

use crate::common::{read_wav, tone_runs, write_tone};

const RATE: u32 = 16_000;

struct Bench {
    dir: tempfile::TempDir,
    store: Store,
    library: MediaLibrary,
    message_item: i64,
}

impl Bench {
    fn new() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("loaxa.sqlite3")).unwrap();
        let library = MediaLibrary::new(dir.path(), store.clone(), LoudnessPolicy::default());
        write_tone(RATE, &dir.path().join("ban-tin.wav"), 440.0, 4.0);
        write_tone(RATE, &dir.path().join("chuong.wav"), 1000.0, 0.5);
        write_tone(RATE, &dir.path().join("canh-bao.wav"), 2000.0, 1.0);
        let hash = loaxa::accounts::hash_password("mật khẩu đủ dài").unwrap();
        let (editor, leader) = store
            .with(|c| {
                let tx = c.transaction()?;
                let e = users::insert(
                    &tx,
                    "bien-tap",
                    "Biên tập",
                    loaxa::model::Role::Editor,
                    &hash,
                )?;
                let l = users::insert(
                    &tx,
                    "chu-tich",
                    "Chủ tịch",
                    loaxa::model::Role::Approver,
                    &hash,
                )?;
                tx.commit()?;
                Ok((users::get(c, e)?.unwrap(), users::get(c, l)?.unwrap()))
            })
            .unwrap();
        let req = ImportRequest {
            original_name: "canh-bao.wav".into(),
            title: Some("Cảnh báo lũ".into()),
            category: Category::Emergency,
            actor: "t".into(),
        };
        let media = library
            .import_file(&dir.path().join("canh-bao.wav"), &req)
            .unwrap()
            .media;
        let new = NewItem {
            media_id: media.id,
            title: "Cảnh báo lũ".into(),
            category: Category::Emergency,
            placement: Placement {
                tier: Tier::Emergency,
                air_from: None,
                air_until: None,
                slots: vec![],
                zones: vec![],
            },
        };
        let message_item = store
            .with(|c| {
                let item = review::create::<Items>(c, &new, &editor, &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Submit, Some(&editor), &()).unwrap();
                review::apply::<Items>(c, item.id, Action::Approve, Some(&leader), &()).unwrap();
                Ok(item.id)
            })
            .unwrap();
        Bench {
            dir,
            store,
            library,
            message_item,
        }
    }

    fn config(&self) -> EmergencyConfig {
        EmergencyConfig {
            gain_db: 0.0,
            ..EmergencyConfig::default()
        }
    }

    fn emergency(&self, player: Arc<Player>, config: EmergencyConfig) -> Emergency {
        let chime = Clip::load(&self.dir.path().join("chuong.wav")).unwrap();
        Emergency::new(
            self.store.clone(),
            player,
            config,
            self.dir.path().to_path_buf(),
            Some(chime),
            loaxa::speech::Speech::default(),
        )
    }

    fn start(
        &self,
        e: &Emergency,
        message: Message,
        repeat: u32,
    ) -> Result<loaxa::emergency::Active, EmergencyError> {
        e.start(Start {
            message,
            repeat: Some(repeat),
            actor: "truc-ban".into(),
            trigger: Trigger::Api,
            reference: None,
            drill: false,
            received_at: Utc::now(),
        })
    }
}

fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<PlayerEvent>,
    secs: u64,
    what: &str,
    mut done: impl FnMut(&PlayerEvent) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        match rx.try_recv() {
            Ok(e) if done(&e) => return,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

#[test]
fn an_emergency_interrupts_a_bulletin_which_then_resumes_where_it_was_cut() {
    let b = Bench::new();
    let wav = b.dir.path().join("loa.wav");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let gpio = Arc::new(RecordingGpio::new(clock.clone()));
    let hw = HwConfig {
        amplifier_pin: Some(17),
        amplifier_warmup_seconds: 0.2,
        amplifier_hold_seconds: 0.3,
        zones: [("Thôn 1".to_string(), 5), ("Thôn 2".to_string(), 6)].into(),
        ..HwConfig::default()
    };
    let relays = Arc::new(Relays::new(gpio.clone(), clock.clone(), &hw));
    let mut options = OutputOptions::new(
        OutputSpec::Wav(wav.clone()),
        AudioFormat {
            sample_rate: RATE,
            channels: 1,
        },
        clock.clone(),
    );
    options.hooks = relays.clone();
    let player = Arc::new(Player::spawn(options).unwrap());
    let mut rx = player.subscribe();
    let emergency = b.emergency(player.clone(), b.config());

    // The bulletin airs to Thôn 1 only; a second in, the operator starts the emergency.
    let bulletin = player.play(PlayRequest {
        zones: vec!["Thôn 1".into()],
        ..PlayRequest::file(b.dir.path().join("ban-tin.wav"), "Bản tin")
    });
    wait_for(
        &mut rx,
        10,
        "the bulletin",
        |e| matches!(e, PlayerEvent::Started { id, .. } if *id == bulletin),
    );
    std::thread::sleep(Duration::from_millis(1000));
    let active = b
        .start(&emergency, Message::Prepared(b.message_item), 2)
        .unwrap();
    assert_eq!(active.panel_text, "Cảnh báo lũ");
    wait_for(
        &mut rx,
        20,
        "the bulletin to finish",
        |e| matches!(e, PlayerEvent::Ended(r) if r.id == bulletin),
    );
    wait_for(&mut rx, 10, "the output to go quiet", |e| {
        matches!(e, PlayerEvent::Idle { .. })
    });
    assert!(
        emergency.active().is_none(),
        "two rounds, then the emergency ends by itself"
    );
    drop(emergency);
    drop(player);

    let captured = read_wav(&wav);
    let runs = tone_runs(&captured.samples, RATE);
    let bands: Vec<u32> = runs.iter().map(|(b, _)| *b).filter(|b| *b != 0).collect();
    assert_eq!(
        bands,
        [440, 1000, 2000, 1000, 2000, 440],
        "bulletin, chime, message ×2, bulletin: {runs:?}"
    );
    let total_bulletin: f64 = runs.iter().filter(|(b, _)| *b == 440).map(|(_, t)| t).sum();
    assert!(
        (total_bulletin - 4.0).abs() < 0.06,
        "nothing of the bulletin lost or repeated: {total_bulletin:.3} s: {runs:?}"
    );
    let first_part = runs[0].1;
    assert!(
        first_part > 0.8 && first_part < 1.5,
        "cut about a second in: {first_part:.3} s"
    );

    // The relays: Thôn 1 only for the bulletin, every zone for the emergency, the amplifier
    // on before the first sample and off after the hold.
    let t = gpio.timeline();
    let on = |pin: u8| {
        t.iter()
            .filter(move |(_, p, v)| *p == pin && *v)
            .map(|(at, _, _)| *at)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on(17).len(),
        1,
        "the amplifier stayed on through the emergency: {t:?}"
    );
    assert!(
        on(6).len() == 1 && on(5).len() == 1,
        "Thôn 2 joined for the emergency: {t:?}"
    );
    let zone2_on = on(6)[0];
    let zone2_off: Vec<_> = t
        .iter()
        .filter(|(_, p, v)| *p == 6 && !*v)
        .map(|(at, _, _)| *at)
        .collect();
    assert!(
        zone2_off.iter().any(|off| *off > zone2_on),
        "Thôn 2 left when the bulletin resumed: {t:?}"
    );
    std::thread::sleep(Duration::from_millis(400));
    relays.settle();
    assert!(
        gpio.timeline().iter().any(|(_, p, v)| *p == 17 && !*v),
        "amplifier off after the hold"
    );

    let log = b
        .store
        .with(|c| {
            Ok(asrun::between(
                c,
                Utc::now() - chrono::Duration::hours(1),
                Utc::now() + chrono::Duration::hours(1),
            )?)
        })
        .unwrap();
    let emergency_lines: Vec<_> = log.iter().filter(|e| e.source == "emergency").collect();
    assert_eq!(
        emergency_lines.len(),
        4,
        "chime and message, twice: {log:#?}"
    );
    assert!(
        emergency_lines
            .iter()
            .all(|e| e.outcome == Outcome::Completed
                && e.first_sample_at.is_some()
                && e.last_sample_at.is_some())
    );
}

#[test]
fn the_newest_emergency_wins_and_stopping_ends_all_of_it() {
    let b = Bench::new();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Null,
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            clock,
        ))
        .unwrap(),
    );
    let mut rx = player.subscribe();
    let emergency = b.emergency(player.clone(), b.config());
    let first = b
        .start(&emergency, Message::Prepared(b.message_item), 0)
        .unwrap();
    wait_for(&mut rx, 5, "the first emergency", |e| {
        matches!(
            e,
            PlayerEvent::Started {
                priority: Priority::Emergency,
                ..
            }
        )
    });
    let second = b
        .start(&emergency, Message::Prepared(b.message_item), 0)
        .unwrap();
    assert!(second.id > first.id);
    assert_eq!(emergency.active().unwrap().id, second.id);
    // The player may fall silent for an instant between the first warning and the second:
    // the silence waited for below must be the one after the stop.
    wait_for(&mut rx, 5, "the second emergency", |e| {
        matches!(
            e,
            PlayerEvent::Started {
                priority: Priority::Emergency,
                ..
            }
        )
    });
    let ended = emergency.stop("truc-ban").unwrap();
    assert_eq!(ended.id, second.id);
    wait_for(&mut rx, 5, "silence", |e| {
        matches!(e, PlayerEvent::Idle { .. })
    });
    assert!(
        matches!(
            emergency.stop("truc-ban"),
            Err(EmergencyError::NothingOnAir)
        ),
        "stop with nothing on air"
    );
    assert!(
        player.status().now_playing.is_none() && player.status().queued == 0,
        "nothing of either is left"
    );
    let log = b
        .store
        .with(|c| Ok(loaxa::store::audit::list(c, &Default::default())?))
        .unwrap();
    let actions: Vec<&str> = log
        .iter()
        .rev()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("emergency"))
        .collect();
    assert_eq!(
        actions,
        [
            "emergency.start",
            "emergency.replace",
            "emergency.start",
            "emergency.stop"
        ]
    );
}

#[test]
fn a_missing_text_to_speech_falls_back_to_the_chime_and_says_so() {
    let b = Bench::new();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Null,
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            clock,
        ))
        .unwrap(),
    );
    let config = EmergencyConfig {
        tts_command: ["khong-co-espeak", "-w", "{out}"]
            .map(String::from)
            .to_vec(),
        ..b.config()
    };
    let emergency = b.emergency(player.clone(), config);
    let active = b
        .start(&emergency, Message::Text("Bão số 3 đổ bộ".into()), 1)
        .unwrap();
    assert_eq!(
        active.panel_text, "Bão số 3 đổ bộ",
        "the panel still shows the text"
    );
    // The chime is on air while the voice is tried; its failure is told when it is known.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let warnings = loop {
        let warnings = emergency.active().map(|a| a.warnings).unwrap_or_default();
        if !warnings.is_empty() {
            break warnings;
        }
        assert!(std::time::Instant::now() < deadline, "no warning came");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(
        warnings
            .iter()
            .any(|w| w.en().contains("espeak-ng") && w.en().contains("only the chime")),
        "{warnings:?}"
    );
    emergency.stop("t").unwrap();
}

#[test]
fn a_typed_text_is_read_by_the_voice_after_the_chime() {
    let b = Bench::new();
    let wav = b.dir.path().join("loa.wav");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Wav(wav.clone()),
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            clock,
        ))
        .unwrap(),
    );
    let mut rx = player.subscribe();
    // The default config: no tts_command, so [speech]'s espeak-ng voice reads it.
    let emergency = b.emergency(player.clone(), b.config());
    let active = b
        .start(
            &emergency,
            Message::Text("Bão số 3 đổ bộ lúc 7h30, bà con ở trong nhà".into()),
            1,
        )
        .unwrap();
    assert!(active.warnings.is_empty(), "{:?}", active.warnings);
    wait_for(&mut rx, 30, "the chime", |e| {
        matches!(e, PlayerEvent::Started { .. })
    });
    // The text is read aloud while the chime plays; on a busy machine the player may fall
    // idle between the two, so wait for the voice's own start, then for the end.
    wait_for(&mut rx, 30, "the voice", |e| {
        matches!(e, PlayerEvent::Started { .. })
    });
    wait_for(&mut rx, 30, "the emergency to end", |e| {
        matches!(e, PlayerEvent::Idle { .. })
    });
    drop(emergency);
    drop(player);
    let pcm = read_wav(&wav);
    // The 0.5 s chime, then several seconds of speech ("bảy giờ ba mươi phút" included).
    let speech: Vec<f32> = pcm.samples[(RATE as usize * 6 / 10)..].to_vec();
    let rms = (speech.iter().map(|s| s * s).sum::<f32>() / speech.len() as f32).sqrt();
    assert!(pcm.seconds() > 3.0, "{} s", pcm.seconds());
    assert!(rms > 0.01, "the text was read: rms {rms}");
    let spoken_files = std::fs::read_dir(b.dir.path().join("tmp")).map_or(0, |d| d.count());
    assert_eq!(
        spoken_files, 0,
        "the spoken WAV is removed when the emergency ends"
    );
}

#[test]
fn no_microphone_is_refused_before_anything_airs() {
    let b = Bench::new();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Null,
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            clock,
        ))
        .unwrap(),
    );
    let emergency = b.emergency(player, b.config());
    let e = b
        .start(
            &emergency,
            Message::Microphone(Some("khong-co-micro".into())),
            1,
        )
        .unwrap_err();
    assert!(e.to_string().contains("khong-co-micro"), "{e}");
    assert!(emergency.active().is_none());
}

#[test]
fn a_prepared_message_must_be_an_approved_emergency_item() {
    let b = Bench::new();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Null,
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            clock,
        ))
        .unwrap(),
    );
    let emergency = b.emergency(player, b.config());
    assert!(matches!(
        b.start(&emergency, Message::Prepared(4242), 1),
        Err(EmergencyError::Invalid(_))
    ));
    let _ = &b.library;
}

mod api {
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    use loaxa::model::Role;

    use crate::web::TestApp;

    fn cap(severity: &str, geocode: &str) -> String {
        format!(
            r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>A1</identifier><sender>kttv</sender><sent>2026-09-15T06:00:00+07:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><language>vi-VN</language><event>Lũ quét</event><urgency>Immediate</urgency><severity>{severity}</severity><certainty>Observed</certainty><headline>Nguy cơ lũ quét</headline><instruction>Di chuyển lên vùng cao.</instruction><area><areaDesc>Xã Tân Lập</areaDesc><geocode><valueName>MA_XA</valueName><value>{geocode}</value></geocode></area></info></alert>"#
        )
    }

    async fn post_cap(t: &TestApp, role: Role, xml: String) -> (StatusCode, String) {
        let req = Request::post("/api/v1/cap")
            .header(header::AUTHORIZATION, format!("Bearer {}", t.tokens[&role]))
            .header(header::CONTENT_TYPE, "application/xml")
            .body(Body::from(xml))
            .unwrap();
        let (s, _, body) = t.send(req).await;
        (s, body)
    }

    #[tokio::test]
    async fn cap_alerts_are_filtered_by_area_severity_and_form() {
        let t = TestApp::with(|c| {
            c.emergency.cap_areas = vec!["12345".into()];
            c.emergency.tts_command = ["khong-co-espeak", "-w", "{out}"]
                .map(String::from)
                .to_vec();
        });
        let (s, body) = post_cap(&t, Role::Operator, cap("Severe", "99999")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("area"), "{body}");
        let (s, body) = post_cap(&t, Role::Operator, cap("Moderate", "12345")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (s, _) = post_cap(&t, Role::Operator, "<alert>".into()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = post_cap(&t, Role::Editor, cap("Severe", "12345")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "editors cannot take the speakers");
        let (s, body) = post_cap(&t, Role::Operator, cap("Severe", "12345")).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert!(
            body.contains("Nguy cơ lũ quét. Di chuyển lên vùng cao."),
            "{body}"
        );
        let (s, state) = t.api(Role::Approver, Method::GET, "/emergency", None).await;
        assert_eq!(
            (s, state["trigger"].as_str()),
            (StatusCode::OK, Some("cap"))
        );
        let (s, _) = t
            .api(Role::Operator, Method::DELETE, "/emergency", None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, body) = t
            .api(Role::Operator, Method::DELETE, "/emergency", None)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        let (s, body) = post_cap(&t, Role::Operator, cap("Severe", "12345")).await;
        assert_eq!(
            s,
            StatusCode::CONFLICT,
            "the same alert is acted on once: {body}"
        );
        assert!(body.contains("already acted on"), "{body}");
    }

    #[tokio::test]
    async fn the_api_takes_exactly_one_kind_of_message() {
        let t = TestApp::new();
        let (s, body) = t
            .api(
                Role::Operator,
                Method::POST,
                "/emergency",
                Some(serde_json::json!({"text": "x", "item_id": 1})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        let (s, _) = t
            .api(
                Role::Operator,
                Method::POST,
                "/emergency",
                Some(serde_json::json!({})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

#[test]
fn repeats_left_counts_the_rounds_after_the_one_on_air_2_1_0() {
    let b = Bench::new();
    let player = Arc::new(
        Player::spawn(OutputOptions::new(
            OutputSpec::Wav(b.dir.path().join("loa.wav")),
            AudioFormat {
                sample_rate: RATE,
                channels: 1,
            },
            Arc::new(SystemClock::new()),
        ))
        .unwrap(),
    );
    let emergency = b.emergency(player.clone(), b.config());
    let mut panel = emergency.panel();
    let active = b
        .start(&emergency, Message::Prepared(b.message_item), 3)
        .unwrap();
    assert_eq!(active.repeats_left, Some(2), "before the first is heard");
    // Every snapshot the banner, the page and `/api/v1/status` read, until the end: what they
    // said as each round (a chime, 0.5 s, then the message, 1 s) began.
    let mut said: Vec<Option<u32>> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        assert!(std::time::Instant::now() < deadline, "no end: {said:?}");
        if !panel.has_changed().unwrap() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        let Some(now) = panel.borrow_and_update().clone() else {
            break;
        };
        let status = serde_json::to_value(&now).unwrap();
        let left = status["repeats_left"].as_u64().map(|n| n as u32);
        assert_eq!(left, now.repeats_left, "the status says it: {status}");
        if now.first_sample_at.is_some() && said.last() != Some(&left) {
            said.push(left);
        }
    }
    assert_eq!(said, [Some(2), Some(1), Some(0)]);
    assert!(emergency.active().is_none(), "three rounds, then the end");
}
