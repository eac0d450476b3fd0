//! The head-end's live microphone on every village node: a tone spoken into the head-end's
//! microphone comes out of each node's speakers (its WAV capture), a node whose link comes
//! back mid-way joins it, and the stop ends it everywhere.

use loaxa::audio::AudioFormat;
use loaxa::audio::input::{Input, Opener};

use super::*;

/// What the head-end's microphone hears: a tone of its own pitch (the chime is near 1 kHz).
const MIC_HZ: f32 = 2000.0;
const MIC_LEVEL: f32 = 0.5;
/// What the live emergency is called, at the head-end and on the nodes.
const LIVE_TITLE: &str = "Phát trực tiếp qua micrô / live microphone";

/// A microphone hearing a steady tone, 10 ms a read; the player's output paces it, as a
/// card's clock paces a real one.
struct ToneMic {
    n: u64,
    block: Vec<f32>,
}

impl Input for ToneMic {
    fn format(&self) -> AudioFormat {
        AudioFormat {
            sample_rate: 48_000,
            channels: 1,
        }
    }

    fn read(&mut self) -> Option<&[f32]> {
        self.block.clear();
        for _ in 0..480 {
            let t = self.n as f32 / 48_000.0;
            self.block
                .push(MIC_LEVEL * (std::f32::consts::TAU * MIC_HZ * t).sin());
            self.n += 1;
        }
        Some(&self.block)
    }
}

fn tone_mic() -> Opener {
    Arc::new(|_| {
        Ok(Box::new(ToneMic {
            n: 0,
            block: Vec::new(),
        }) as Box<dyn Input>)
    })
}

/// The samples of a mono capture so far, read while its sink still writes it (its header
/// tells the length only once it is finished).
fn captured(path: &Path) -> Vec<f32> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let Some(at) = bytes.windows(4).position(|w| w == b"data") else {
        return Vec::new();
    };
    bytes
        .get(at + 8..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / f32::from(i16::MAX))
        .collect()
}

/// How long the microphone's tone is heard in `samples`, and its RMS level there: the 20 ms
/// windows whose zero crossings say `MIC_HZ`.
fn mic_tone(samples: &[f32], rate: u32) -> (f64, f32) {
    let window = rate as usize / 50;
    let (mut secs, mut energy, mut n) = (0.0, 0.0f32, 0usize);
    for w in samples.chunks_exact(window) {
        let crossings = w
            .windows(2)
            .filter(|p| (p[0] >= 0.0) != (p[1] >= 0.0))
            .count();
        let freq = crossings as f32 * rate as f32 / (2.0 * window as f32);
        if (freq - MIC_HZ).abs() < 100.0 && w.iter().any(|s| s.abs() > 0.05) {
            secs += 0.02;
            energy += w.iter().map(|s| s * s).sum::<f32>();
            n += w.len();
        }
    }
    (secs, (energy / n.max(1) as f32).sqrt())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_head_ends_microphone_airs_on_every_node_one_back_mid_way_joins_and_the_stop_ends_it() {
    let commune = Commune::new(
        "xa-an-binh",
        &[("thon-1", "Thôn 1"), ("thon-2", "Thôn 2")],
        None,
    );
    let head = HeadEnd::start_with_microphone(&commune, &TONES[..1], tone_mic()).await;
    let data = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    let mut cables = Vec::new();
    let mut wavs = Vec::new();
    let mut gain_db = 0.0;
    for id in ["thon-1", "thon-2"] {
        let cable = Cable::to(commune.broker.port).await;
        let wav = data.path().join(format!("{id}.wav"));
        let cfg = node_config(
            &commune,
            id,
            &data.path().join(id),
            &format!("wav:{}", wav.display()),
            cable.port,
            &head.url(),
        );
        assert_eq!(cfg.audio.channels, 1, "the captures are read as mono");
        gain_db = cfg.emergency.gain_db;
        nodes.push(RunningNode::start(cfg, Arc::new(SystemClock::new())).await);
        cables.push(cable);
        wavs.push(wav);
    }
    let (one, two) = (&nodes[0], &nodes[1]);
    eventually(20, "both nodes online with their chime", || {
        let ready = head.online("thon-1")
            && head.online("thon-2")
            && nodes.iter().all(|n| n.shared.emergency.has_chime());
        ready.then_some(())
    })
    .await;
    // Thôn 2 loses its link before the operator takes the microphone.
    cables[1].cut();
    eventually(10, "thôn 2 offline", || {
        (!head.online("thon-2")).then_some(())
    })
    .await;

    let (status, started) = head
        .call(
            "POST",
            "/api/v1/emergency",
            &head.token,
            Some(serde_json::json!({"microphone": true})),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let rate = 48_000;
    eventually(
        20,
        "the microphone's tone out of thôn 1's speakers",
        || (mic_tone(&captured(&wavs[0]), rate).0 >= 1.0).then_some(()),
    )
    .await;

    // Thôn 2 is back while the operator speaks: after its chime it airs the microphone from
    // the packet that comes next.
    cables[1].mend();
    eventually(
        40,
        "the microphone's tone out of thôn 2's speakers",
        || (mic_tone(&captured(&wavs[1]), rate).0 >= 0.5).then_some(()),
    )
    .await;

    let (status, _) = head
        .call("DELETE", "/api/v1/emergency", &head.token, None)
        .await;
    assert_eq!(status, 200);
    eventually(10, "both nodes quiet again", || {
        let quiet = [one, two].iter().all(|n| {
            n.shared.emergency.active().is_none() && n.shared.player.status().now_playing.is_none()
        });
        quiet.then_some(())
    })
    .await;
    for node in [one, two] {
        let live = all_rows(&node.shared.store)
            .into_iter()
            .find(|e| e.source == "emergency" && e.label == LIVE_TITLE)
            .expect("the live message in the node's as-run log");
        assert_eq!(live.outcome, Outcome::Stopped, "{live:?}");
        assert!(live.first_sample_at.is_some(), "{live:?}");
    }
    for n in nodes {
        n.stop().await;
    }

    // The captures, finished: the tone at the microphone's pitch and level (the node's
    // emergency gain on top, through Opus).
    let expected = MIC_LEVEL / std::f32::consts::SQRT_2 * 10f32.powf(gain_db / 20.0);
    for (wav, least) in [(&wavs[0], 1.0), (&wavs[1], 0.5)] {
        let pcm = read_wav(wav);
        assert_eq!(pcm.rate, rate);
        let (secs, rms) = mic_tone(&pcm.samples, pcm.rate);
        assert!(secs >= least, "{}: {secs} s of the tone", wav.display());
        let off_db = 20.0 * (rms / expected).log10();
        assert!(
            off_db.abs() < 1.5,
            "{}: the tone at {rms} RMS, {off_db:.1} dB from {expected}",
            wav.display()
        );
        let runs = tone_runs(&pcm.samples, pcm.rate);
        assert!(
            runs.iter().any(|(band, t)| *band == 2000 && *t >= least),
            "{runs:?}"
        );
    }
}
