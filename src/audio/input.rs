//! The live microphone or line-in. The player reads an [`Input`] like any other source; the
//! card's, [`LiveInput`] through cpal, hands samples from its callback through a lock-free ring
//! buffer. The player opens inputs through an [`Opener`] (the card's unless replaced: a test
//! feeds a tone), and [`tapped`] hands what it reads to a [`Tap`], for the head-end to relay
//! to its village nodes. It does not mix, level or decide what airs: the player does that
//! with what it reads here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use tokio::sync::broadcast;

use super::convert::AudioFormat;
use super::listen::Block;
use super::sink::SinkError;

/// A microphone delivering no samples for this long is gone.
const SILENT_INPUT: Duration = Duration::from_secs(3);
/// Reads the tap holds for a relay that falls behind (about 2.5 s of a card's 10 ms reads).
const TAP_CAPACITY: usize = 256;

/// A live input as the player reads it.
pub trait Input: Send {
    /// The rate and channels of what [`Input::read`] returns.
    fn format(&self) -> AudioFormat;
    /// The samples that arrived since the last read, waiting briefly for some (like a card,
    /// it is paced by the time that passes); `None` once the input is gone.
    fn read(&mut self) -> Option<&[f32]>;
}

/// Opens the named input (`None`: the default one).
pub type Opener =
    Arc<dyn Fn(Option<&str>) -> Result<Box<dyn Input>, SinkError> + Send + Sync + 'static>;

/// The sound card's input: [`LiveInput::open`].
pub fn open_device(name: Option<&str>) -> Result<Box<dyn Input>, SinkError> {
    Ok(Box::new(LiveInput::open(name)?))
}

/// What the microphone gave the player, block by block, for whoever relays it. A bounded
/// broadcast: it costs nothing while nobody listens and never makes the player wait.
#[derive(Clone)]
pub struct Tap {
    blocks: broadcast::Sender<Block>,
}

impl Default for Tap {
    fn default() -> Self {
        Tap {
            blocks: broadcast::channel(TAP_CAPACITY).0,
        }
    }
}

impl Tap {
    /// Hand on a block the player read.
    fn publish(&self, format: AudioFormat, samples: &[f32]) {
        if self.blocks.receiver_count() == 0 || samples.is_empty() {
            return;
        }
        // Only fails when every receiver went away in between: nobody to tell.
        let _ = self.blocks.send(Block {
            format,
            samples: samples.into(),
        });
    }

    /// What the microphone gives from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Block> {
        self.blocks.subscribe()
    }
}

/// `open`, with every input it opens handing what is read from it to `tap`.
pub fn tapped(open: Opener, tap: Tap) -> Opener {
    Arc::new(move |name| {
        let input = open(name)?;
        Ok(Box::new(Tapped {
            input,
            tap: tap.clone(),
        }) as Box<dyn Input>)
    })
}

struct Tapped {
    input: Box<dyn Input>,
    tap: Tap,
}

impl Input for Tapped {
    fn format(&self) -> AudioFormat {
        self.input.format()
    }

    fn read(&mut self) -> Option<&[f32]> {
        let format = self.input.format();
        let block = self.input.read()?;
        self.tap.publish(format, block);
        Some(block)
    }
}

/// An open input device.
pub struct LiveInput {
    format: AudioFormat,
    consumer: rtrb::Consumer<f32>,
    block: Vec<f32>,
    lost: Arc<AtomicBool>,
    _stream: cpal::Stream,
}

impl LiveInput {
    /// Open the named input (`None`: the default microphone).
    pub fn open(name: Option<&str>) -> Result<LiveInput, SinkError> {
        let label = name.unwrap_or("default").to_string();
        let host = cpal::default_host();
        let device = match name {
            None | Some("default") => host.default_input_device(),
            Some(n) => format!("{}:{n}", host.id().name().to_lowercase())
                .parse::<cpal::DeviceId>()
                .ok()
                .and_then(|id| host.device_by_id(&id)),
        }
        .ok_or_else(|| SinkError::DeviceMissing(format!("micrô / microphone {label}")))?;
        let unavailable = |detail: String| SinkError::DeviceUnavailable {
            name: format!("micrô / microphone {label}"),
            detail,
        };
        let config = device
            .default_input_config()
            .map_err(|e| unavailable(e.to_string()))?;
        let format = AudioFormat {
            sample_rate: config.sample_rate(),
            channels: config.channels(),
        };
        // Half a second of room: the player reads every 10 ms.
        let (producer, consumer) =
            rtrb::RingBuffer::new((format.sample_rate as usize / 2) * usize::from(format.channels));
        let lost = Arc::new(AtomicBool::new(false));
        let stream = match config.sample_format() {
            SampleFormat::I16 => build::<i16>(&device, &config.config(), producer, lost.clone()),
            SampleFormat::I32 => build::<i32>(&device, &config.config(), producer, lost.clone()),
            _ => build::<f32>(&device, &config.config(), producer, lost.clone()),
        }
        .map_err(|e| unavailable(e.to_string()))?;
        stream.play().map_err(|e| unavailable(e.to_string()))?;
        Ok(LiveInput {
            format,
            consumer,
            block: Vec::new(),
            lost,
            _stream: stream,
        })
    }
}

impl Input for LiveInput {
    fn format(&self) -> AudioFormat {
        self.format
    }

    fn read(&mut self) -> Option<&[f32]> {
        let started = Instant::now();
        loop {
            if self.lost.load(Ordering::Relaxed) || started.elapsed() > SILENT_INPUT {
                return None;
            }
            let n = self.consumer.slots();
            if n > 0 {
                self.block.clear();
                if let Ok(chunk) = self.consumer.read_chunk(n) {
                    let (a, b) = chunk.as_slices();
                    self.block.extend_from_slice(a);
                    self.block.extend_from_slice(b);
                    chunk.commit_all();
                }
                return Some(&self.block);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut producer: rtrb::Producer<f32>,
    lost: Arc<AtomicBool>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let on_error = move |err: cpal::Error| {
        if !matches!(err.kind(), cpal::ErrorKind::Xrun) {
            lost.store(true, Ordering::Relaxed);
        }
    };
    device.build_input_stream(
        *config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            let n = data.len().min(producer.slots());
            if let Ok(chunk) = producer.write_chunk_uninit(n) {
                chunk.fill_from_iter(data[..n].iter().map(|s| s.to_sample::<f32>()));
            }
        },
        on_error,
        None,
    )
}
