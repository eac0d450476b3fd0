//! `device` and `device:NAME`: a real sound card through cpal (ALSA on a Pi).
//!
//! The player thread pushes samples into a lock-free ring buffer (rtrb) that the audio
//! callback drains. The ring holds about [`DEFAULT_BUFFER`] of audio, which bounds how late
//! a pre-empting emergency can be; a pre-emption does not wait for the ring to empty but marks
//! everything written so far as discarded, and the callback skips it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, StreamConfig};

use super::{Cleared, DEFAULT_BUFFER, Sink, SinkError};
use crate::audio::convert::AudioFormat;

/// Callback period we ask for: about 10 ms, so a card adds little latency of its own.
const PERIOD: Duration = Duration::from_millis(10);
/// A callback silent for this long means the card is gone even if nobody said so.
const STALL: Duration = Duration::from_secs(3);

/// A sound card output seen by `loaxa devices`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutputDevice {
    /// The name to put after `device:`.
    pub name: String,
    /// What the driver calls it.
    pub description: String,
    /// The format the card prefers.
    pub default_format: Option<AudioFormat>,
    /// Lowest and highest sample rate it takes.
    pub rates: Option<(u32, u32)>,
    /// Most channels it takes.
    pub max_channels: Option<u16>,
}

/// Every output device the sound system knows, the default first.
pub fn list_output_devices() -> Vec<OutputDevice> {
    let _quiet = QuietAlsa::new();
    let host = cpal::default_host();
    let mut list = Vec::new();
    if let Some(d) = host.default_output_device() {
        list.push(describe(&d, "default".to_string()));
    }
    if let Ok(devices) = host.output_devices() {
        for d in devices {
            if let Ok(id) = d.id() {
                let name = id.to_string();
                let name = name
                    .split_once(':')
                    .map_or(name.clone(), |(_, n)| n.to_string());
                if name != "default" {
                    list.push(describe(&d, name));
                }
            }
        }
    }
    list
}

fn describe(d: &cpal::Device, name: String) -> OutputDevice {
    let default_format = d.default_output_config().ok().map(|c| AudioFormat {
        sample_rate: c.sample_rate(),
        channels: c.channels(),
    });
    let ranges: Vec<_> = d
        .supported_output_configs()
        .map(|it| it.collect())
        .unwrap_or_default();
    let rates = ranges
        .iter()
        .map(|r| (r.min_sample_rate(), r.max_sample_rate()))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    OutputDevice {
        name,
        description: d
            .description()
            .map(|x| x.name().to_string())
            .unwrap_or_default(),
        default_format,
        rates,
        max_channels: ranges.iter().map(|r| r.channels()).max(),
    }
}

/// While alive, alsa-lib's messages on this thread ("cannot find card '0'"...) go to the debug
/// log instead of the user's terminal; our own errors say the same thing in plain words.
struct QuietAlsa {
    #[cfg(target_os = "linux")]
    buffer: Option<std::rc::Rc<std::cell::RefCell<alsa::Output>>>,
}

impl QuietAlsa {
    fn new() -> Self {
        QuietAlsa {
            #[cfg(target_os = "linux")]
            buffer: alsa::Output::local_error_handler().ok(),
        }
    }
}

impl Drop for QuietAlsa {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(b) = &self.buffer {
            let text = b.borrow().to_string();
            if !text.trim().is_empty() {
                tracing::debug!("alsa-lib: {}", text.trim());
            }
        }
    }
}

/// State shared between the player thread and the audio callback.
#[derive(Default)]
struct Shared {
    /// Samples the callback has taken from the ring (played or skipped).
    consumed: AtomicU64,
    /// The callback skips samples until `consumed` reaches this (pre-emption).
    discard_until: AtomicU64,
    /// Audio is promised up to this sample; running dry before it is an underrun.
    promised: AtomicU64,
    underruns: AtomicU64,
    /// Card latency reported by the last callback (playback minus callback time), in ns.
    latency_ns: AtomicU64,
    /// Set by the stream's error callback.
    lost: Mutex<Option<String>>,
}

/// A cpal output stream fed through a ring buffer.
pub struct DeviceSink {
    name: String,
    format: AudioFormat,
    producer: rtrb::Producer<f32>,
    shared: Arc<Shared>,
    /// Samples pushed into the ring since the stream opened.
    written: u64,
    _stream: cpal::Stream,
}

impl DeviceSink {
    /// Open the named card (`None`: the default one), in `preferred` format if it takes it.
    pub fn open(name: Option<&str>, preferred: AudioFormat) -> Result<Self, SinkError> {
        let label = name.unwrap_or("default").to_string();
        let _quiet = QuietAlsa::new();
        let host = cpal::default_host();
        let device = match name {
            None | Some("default") => host.default_output_device(),
            Some(n) => format!("{}:{n}", host.id().name().to_lowercase())
                .parse::<cpal::DeviceId>()
                .ok()
                .and_then(|id| host.device_by_id(&id)),
        }
        .ok_or_else(|| SinkError::DeviceMissing(label.clone()))?;
        let unavailable = |detail: String| SinkError::DeviceUnavailable {
            name: label.clone(),
            detail,
        };
        let (config, sample_format) = choose_config(&device, preferred).map_err(unavailable)?;
        let format = AudioFormat {
            sample_rate: config.sample_rate,
            channels: config.channels,
        };
        let ring_samples = (DEFAULT_BUFFER.as_secs_f64() * f64::from(format.sample_rate)) as usize
            * usize::from(format.channels);
        let (producer, consumer) = rtrb::RingBuffer::new(ring_samples.max(1024));
        let shared = Arc::new(Shared::default());
        let stream = match sample_format {
            SampleFormat::I16 => build::<i16>(&device, &config, consumer, shared.clone()),
            SampleFormat::I32 => build::<i32>(&device, &config, consumer, shared.clone()),
            SampleFormat::U8 => build::<u8>(&device, &config, consumer, shared.clone()),
            _ => build::<f32>(&device, &config, consumer, shared.clone()),
        }
        .map_err(|e| unavailable(e.to_string()))?;
        stream.play().map_err(|e| unavailable(e.to_string()))?;
        Ok(DeviceSink {
            name: label,
            format,
            producer,
            shared,
            written: 0,
            _stream: stream,
        })
    }

    fn check_alive(&self) -> Result<(), SinkError> {
        let lost = self.shared.lost.lock().unwrap_or_else(|e| e.into_inner());
        match lost.as_ref() {
            Some(detail) => Err(SinkError::DeviceLost {
                name: self.name.clone(),
                detail: detail.clone(),
            }),
            None => Ok(()),
        }
    }

    fn card_latency(&self) -> Duration {
        Duration::from_nanos(self.shared.latency_ns.load(Ordering::Relaxed))
    }

    /// How long a sample pushed now waits to be heard: the audio queued before it (not what a
    /// pre-emption discarded, which the callback skips), plus the card's latency.
    fn queue_latency(&self) -> Duration {
        let consumed = self.shared.consumed.load(Ordering::Acquire);
        let skipped = self.shared.discard_until.load(Ordering::Acquire);
        let queued =
            self.written.saturating_sub(consumed.max(skipped)) / u64::from(self.format.channels);
        Duration::from_secs_f64(queued as f64 / f64::from(self.format.sample_rate))
            + self.card_latency()
    }

    /// When a sample pushed now would be heard.
    fn time_after_queue(&self) -> DateTime<Utc> {
        Utc::now()
            + chrono::Duration::from_std(self.queue_latency()).unwrap_or(chrono::Duration::zero())
    }

    /// Wait for the callback to take more audio, noticing a card that went away.
    fn wait_for_callback(&self, since: &mut (u64, Instant)) -> Result<(), SinkError> {
        self.check_alive()?;
        let consumed = self.shared.consumed.load(Ordering::Acquire);
        if consumed != since.0 {
            *since = (consumed, Instant::now());
        } else if since.1.elapsed() > STALL {
            return Err(SinkError::DeviceLost {
                name: self.name.clone(),
                detail: "card stopped taking audio".into(),
            });
        }
        std::thread::sleep(Duration::from_millis(2));
        Ok(())
    }
}

impl Sink for DeviceSink {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn write(&mut self, samples: &[f32]) -> Result<DateTime<Utc>, SinkError> {
        self.check_alive()?;
        let at = self.time_after_queue();
        let mut rest = samples;
        let mut progress = (self.shared.consumed.load(Ordering::Acquire), Instant::now());
        while !rest.is_empty() {
            let n = self.producer.slots().min(rest.len());
            if n == 0 {
                self.wait_for_callback(&mut progress)?;
                continue;
            }
            if let Ok(chunk) = self.producer.write_chunk_uninit(n) {
                chunk.fill_from_iter(rest[..n].iter().copied());
                self.written += n as u64;
                rest = &rest[n..];
            }
        }
        // Promise continuous audio only once some is queued, so the callback that runs just
        // before the first write does not count an underrun.
        self.shared.promised.store(u64::MAX, Ordering::Release);
        Ok(at)
    }

    fn clear(&mut self) -> Cleared {
        let consumed = self.shared.consumed.load(Ordering::Acquire);
        self.shared
            .discard_until
            .store(self.written, Ordering::Release);
        let latency =
            chrono::Duration::from_std(self.card_latency()).unwrap_or(chrono::Duration::zero());
        Cleared {
            at: Utc::now() + latency,
            discarded_frames: self.written.saturating_sub(consumed)
                / u64::from(self.format.channels),
        }
    }

    fn drain(&mut self) -> Result<DateTime<Utc>, SinkError> {
        self.shared.promised.store(self.written, Ordering::Release);
        let mut progress = (self.shared.consumed.load(Ordering::Acquire), Instant::now());
        while self.shared.consumed.load(Ordering::Acquire) < self.written {
            self.wait_for_callback(&mut progress)?;
        }
        let latency = self.card_latency();
        std::thread::sleep(latency);
        Ok(Utc::now())
    }

    fn underruns(&self) -> u64 {
        self.shared.underruns.load(Ordering::Relaxed)
    }

    fn latency(&self) -> Duration {
        self.queue_latency()
    }
}

/// Pick a stream config: the preferred rate and channels if the card takes them (f32 first,
/// then integer formats), otherwise the card's own default.
fn choose_config(
    device: &cpal::Device,
    preferred: AudioFormat,
) -> Result<(StreamConfig, SampleFormat), String> {
    let ranges: Vec<_> = device
        .supported_output_configs()
        .map_err(|e| e.to_string())?
        .collect();
    let usable = [
        SampleFormat::F32,
        SampleFormat::I32,
        SampleFormat::I16,
        SampleFormat::U8,
    ];
    let matching = usable.iter().find_map(|fmt| {
        ranges.iter().find(|r| {
            r.sample_format() == *fmt
                && r.channels() == preferred.channels
                && (r.min_sample_rate()..=r.max_sample_rate()).contains(&preferred.sample_rate)
        })
    });
    let supported = match matching {
        Some(r) => r.with_sample_rate(preferred.sample_rate),
        None => {
            let d = device.default_output_config().map_err(|e| e.to_string())?;
            if !usable.contains(&d.sample_format()) {
                return Err(format!("sample format {} not supported", d.sample_format()));
            }
            d
        }
    };
    let period = (f64::from(supported.sample_rate()) * PERIOD.as_secs_f64()) as u32;
    let buffer_size = match supported.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&period) => {
            cpal::BufferSize::Fixed(period)
        }
        _ => cpal::BufferSize::Default,
    };
    let sample_format = supported.sample_format();
    let mut config: StreamConfig = supported.config();
    config.buffer_size = buffer_size;
    Ok((config, sample_format))
}

fn build<T>(
    device: &cpal::Device,
    config: &StreamConfig,
    mut consumer: rtrb::Consumer<f32>,
    shared: Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let on_error = {
        let shared = shared.clone();
        move |err: cpal::Error| {
            // Xruns are counted by the data callback; only a vanished card is fatal.
            if matches!(err.kind(), cpal::ErrorKind::Xrun) {
                return;
            }
            let mut lost = shared.lost.lock().unwrap_or_else(|e| e.into_inner());
            lost.get_or_insert_with(|| err.to_string());
        }
    };
    let mut pace = DevicePace::new(config.sample_rate);
    let channels = usize::from(config.channels);
    device.build_output_stream(
        *config,
        move |out: &mut [T], info: &cpal::OutputCallbackInfo| {
            let ts = info.timestamp();
            let buffered = ts.playback.saturating_duration_since(ts.callback);
            fill(out, buffered, &mut consumer, &shared);
            pace.after_callback(out.len() / channels, buffered);
        },
        on_error,
        None,
    )
}

/// Keeps a device without a clock of its own at real time.
///
/// A sound card asks for audio at its own rate. Some ALSA devices have no clock (the `null`
/// plugin, some loopbacks) and ask as fast as the CPU allows, which would play an hour in a
/// second. A real card is never further ahead of the system clock than its own buffer plus a
/// little (its drift is parts per million and the reference restarts every minute); a device
/// that is, is clockless, and from then on the callback sleeps to hold it at real time.
struct DevicePace {
    rate: u32,
    anchor: Option<Instant>,
    frames: u64,
    clockless: bool,
}

impl DevicePace {
    const CLOCKLESS_LEAD: Duration = Duration::from_millis(200);
    const REANCHOR: Duration = Duration::from_secs(60);

    fn new(rate: u32) -> Self {
        DevicePace {
            rate,
            anchor: None,
            frames: 0,
            clockless: false,
        }
    }

    fn after_callback(&mut self, frames: usize, buffered: Duration) {
        let now = Instant::now();
        let anchor = *self.anchor.get_or_insert(now);
        self.frames += frames as u64;
        let elapsed = now - anchor;
        let played = Duration::from_secs_f64(self.frames as f64 / f64::from(self.rate));
        let lead = played.saturating_sub(elapsed);
        if !self.clockless && lead > Self::CLOCKLESS_LEAD + buffered {
            tracing::debug!("output device has no clock of its own; pacing it in software");
            self.clockless = true;
        }
        if self.clockless {
            // Stay at most one period ahead, like a real card's buffer.
            let period = Duration::from_secs_f64(frames as f64 / f64::from(self.rate));
            if lead > period {
                std::thread::sleep(lead - period);
            }
        } else if elapsed > Self::REANCHOR {
            self.anchor = Some(now);
            self.frames = 0;
        }
    }
}

/// The audio callback: skip discarded audio, play what is queued, count a shortfall.
fn fill<T: SizedSample + FromSample<f32>>(
    out: &mut [T],
    latency: Duration,
    consumer: &mut rtrb::Consumer<f32>,
    shared: &Shared,
) {
    shared
        .latency_ns
        .store(latency.as_nanos() as u64, Ordering::Relaxed);
    let mut consumed = shared.consumed.load(Ordering::Relaxed);
    let discard = shared
        .discard_until
        .load(Ordering::Acquire)
        .saturating_sub(consumed);
    if discard > 0 {
        let n = (discard as usize).min(consumer.slots());
        if let Ok(chunk) = consumer.read_chunk(n) {
            chunk.commit_all();
            consumed += n as u64;
        }
    }
    let n = out.len().min(consumer.slots());
    if let Ok(chunk) = consumer.read_chunk(n) {
        let (a, b) = chunk.as_slices();
        for (o, s) in out.iter_mut().zip(a.iter().chain(b)) {
            *o = T::from_sample(s.clamp(-1.0, 1.0));
        }
        chunk.commit_all();
        consumed += n as u64;
    }
    for o in &mut out[n..] {
        *o = T::EQUILIBRIUM;
    }
    if n < out.len() && consumed < shared.promised.load(Ordering::Acquire) {
        shared.underruns.fetch_add(1, Ordering::Relaxed);
    }
    shared.consumed.store(consumed, Ordering::Release);
}
