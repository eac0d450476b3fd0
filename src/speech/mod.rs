//! Typed text read aloud: [`reading`] writes out what a Vietnamese reader would say, then a
//! [`Voice`] (espeak-ng's Vietnamese voices, a Piper model, or a custom command) turns it into a
//! WAV file. Nothing is downloaded: a voice that is not installed is an error naming what to
//! install.
//!
//! A leaf: the emergency path, typed bulletins and `loaxa speak` use it; it knows nothing of
//! the web, the store, the programme or the player. The text never becomes a command argument:
//! it goes on the voice's standard input.

mod child;
pub mod config;
pub mod reading;
mod voice;

use crate::model::Said;
use crate::model::said;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use config::SpeechConfig;
pub use reading::{Abbreviations, Dialect, Reader};
pub use voice::{EspeakVoice, VOICE_NAMES, Voice};

/// Reading speed, in words per minute, at which every voice reads as it was made to; the
/// default. espeak-ng takes words per minute itself; Piper's length scale is this over the rate.
pub const NATURAL_RATE: u16 = 140;
/// The slowest and fastest rates accepted (espeak-ng's own limits are 80 and 450).
pub const RATES: std::ops::RangeInclusive<u16> = 80..=450;

/// Why a text could not be spoken.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum SpeechError {
    /// Nothing in it can be said.
    Reading(#[from] reading::ReadingError),
    /// The voice's program or model is not on this machine.
    NotInstalled {
        /// The voice asked for.
        voice: String,
        /// What is missing (a program, a file).
        missing: String,
        /// What to do.
        install: String,
    },
    /// The voice cannot be used as configured.
    Invalid(Said),
    /// It ran too long and was stopped.
    TimedOut(u64),
    /// It failed; its own message follows.
    Failed {
        /// The voice.
        voice: String,
        /// Exit status and what it printed on stderr.
        detail: String,
    },
    /// It ran but wrote no usable WAV.
    NoAudio {
        /// The voice.
        voice: String,
        /// Why the file is not a WAV with sound in it.
        detail: String,
    },
    /// A file could not be written.
    Io(#[from] std::io::Error),
    /// The commune's abbreviations table cannot be used.
    Abbreviations(#[from] reading::AbbreviationError),
}

impl SpeechError {
    /// Why the text cannot be read aloud, in each language.
    pub fn said(&self) -> Said {
        match self {
            SpeechError::Reading(e) => e.said(),
            SpeechError::NotInstalled {
                voice,
                missing,
                install,
            } => said!(
                "giọng đọc \"{voice}\" chưa có trên máy: {missing} — {install}",
                "the voice \"{voice}\" is not installed: {missing} — {install}"
            ),
            SpeechError::Invalid(f0) => f0.clone(),
            SpeechError::TimedOut(f0) => said!(
                "giọng đọc chạy quá {f0} s và đã bị dừng",
                "the voice ran over {f0} s and was stopped"
            ),
            SpeechError::Failed { voice, detail } => said!(
                "giọng đọc \"{voice}\" lỗi: {detail}",
                "the voice \"{voice}\" failed: {detail}"
            ),
            SpeechError::NoAudio { voice, detail } => said!(
                "giọng đọc \"{voice}\" không ghi ra âm thanh: {detail}",
                "the voice \"{voice}\" wrote no audio: {detail}"
            ),
            SpeechError::Io(f0) => said!(
                "không ghi được tệp âm thanh: {f0}",
                "cannot write the audio file: {f0}"
            ),
            SpeechError::Abbreviations(e) => e.said(),
        }
    }
}

/// A text read into a WAV.
#[derive(Debug, Clone, PartialEq)]
pub struct Spoken {
    /// What the voice was given to read.
    pub said: String,
    /// The WAV written.
    pub wav: PathBuf,
    /// Its length in seconds.
    pub seconds: f64,
    /// Its sample rate, as the voice made it.
    pub sample_rate: u32,
}

/// A reader and a voice at a rate: everything needed to speak a text.
#[derive(Debug, Clone)]
pub struct Speech {
    reader: Reader,
    voice: Voice,
    rate: u16,
    timeout: Duration,
}

impl Default for Speech {
    /// espeak-ng's Northern voice at the natural rate, with the built-in abbreviations.
    fn default() -> Speech {
        Speech::new(
            Voice::Espeak(EspeakVoice::North),
            NATURAL_RATE,
            Abbreviations::default(),
        )
    }
}

impl Speech {
    /// `voice` reading at `rate` words per minute, numbers in the voice's dialect.
    pub fn new(voice: Voice, rate: u16, abbreviations: Abbreviations) -> Speech {
        Speech {
            reader: Reader::new(abbreviations, voice.dialect()),
            voice,
            rate: rate.clamp(*RATES.start(), *RATES.end()),
            timeout: Duration::from_secs(120),
        }
    }

    /// The engine `[speech]` describes, with the commune's abbreviations loaded.
    pub fn from_config(config: &SpeechConfig) -> Result<Speech, SpeechError> {
        let voice: Voice = config.voice.parse().map_err(SpeechError::Invalid)?;
        let abbreviations = match config.abbreviations_file() {
            Some(path) => Abbreviations::with_file(path)?,
            None => Abbreviations::default(),
        };
        let mut speech = Speech::new(voice, config.rate, abbreviations);
        speech.timeout = Duration::from_secs(u64::from(config.timeout_seconds.max(1)));
        Ok(speech)
    }

    /// The same engine with another voice (and that voice's dialect of numbers).
    pub fn with_voice(mut self, voice: Voice) -> Speech {
        self.reader = self.reader.with_dialect(voice.dialect());
        self.voice = voice;
        self
    }

    /// The same engine at another rate, in words per minute.
    pub fn with_rate(mut self, rate: u16) -> Speech {
        self.rate = rate.clamp(*RATES.start(), *RATES.end());
        self
    }

    /// The voice in use.
    pub fn voice(&self) -> &Voice {
        &self.voice
    }

    /// Exactly what the voice will read for `text`.
    pub fn reading(&self, text: &str) -> Result<String, SpeechError> {
        Ok(self.reader.read(text)?)
    }

    /// Read `text` (written out by the reader first) into the WAV file `out`.
    pub fn speak(&self, text: &str, out: &Path) -> Result<Spoken, SpeechError> {
        let said = self.reading(text)?;
        self.voice_only(&said, out)
    }

    /// Give `said` to the voice as it is, with no reading rules, into the WAV file `out`.
    pub fn voice_only(&self, said: &str, out: &Path) -> Result<Spoken, SpeechError> {
        let name = self.voice.to_string();
        if let Some(file) = self.voice.missing_file() {
            return Err(SpeechError::NotInstalled {
                voice: name,
                missing: format!("không có tệp / no file {}", file.display()),
                install: "chép giọng Piper (.onnx và .onnx.json) vào đó / copy the Piper voice (.onnx and .onnx.json) there".into(),
            });
        }
        let out = std::path::absolute(out)?;
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let inv = self
            .voice
            .invocation(self.rate, &out)
            .map_err(SpeechError::Invalid)?;
        let stdout_to = inv.wav_on_stdout.then_some(out.as_path());
        child::run(&inv.program, &inv.args, said, stdout_to, self.timeout).map_err(
            |e| match e {
                child::ChildError::NotFound => SpeechError::NotInstalled {
                    voice: name.clone(),
                    missing: format!("không có lệnh / no command \"{}\"", inv.program),
                    install: self.voice.install_hint(),
                },
                child::ChildError::Io(e) => SpeechError::Io(e),
                child::ChildError::TimedOut(t) => SpeechError::TimedOut(t.as_secs()),
                child::ChildError::Failed(detail) => SpeechError::Failed {
                    voice: name.clone(),
                    detail,
                },
            },
        )?;
        if inv.wav_on_stdout {
            rewrite_streamed_wav(&out).map_err(|detail| SpeechError::NoAudio {
                voice: name.clone(),
                detail,
            })?;
        }
        let (seconds, sample_rate) = wav_length(&out).map_err(|detail| {
            let _ = std::fs::remove_file(&out);
            SpeechError::NoAudio {
                voice: name.clone(),
                detail,
            }
        })?;
        Ok(Spoken {
            said: said.to_string(),
            wav: out,
            seconds,
            sample_rate,
        })
    }
}

/// Give a WAV written to a pipe its true length: a program writing to stdout cannot go back to
/// fill in the header, so it leaves a placeholder size there. The samples are copied up to where
/// they really end.
fn rewrite_streamed_wav(path: &Path) -> Result<(), String> {
    let mut reader = hound::WavReader::open(path).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    let fixed = path.with_extension("fixed.wav");
    let mut writer = hound::WavWriter::create(&fixed, spec).map_err(|e| e.to_string())?;
    match spec.sample_format {
        hound::SampleFormat::Int => {
            for s in reader.samples::<i32>().map_while(Result::ok) {
                writer.write_sample(s).map_err(|e| e.to_string())?;
            }
        }
        hound::SampleFormat::Float => {
            for s in reader.samples::<f32>().map_while(Result::ok) {
                writer.write_sample(s).map_err(|e| e.to_string())?;
            }
        }
    }
    writer.finalize().map_err(|e| e.to_string())?;
    std::fs::rename(&fixed, path).map_err(|e| e.to_string())
}

/// The length in seconds and the sample rate of a WAV with at least one sample.
fn wav_length(path: &Path) -> Result<(f64, u32), String> {
    let reader = hound::WavReader::open(path).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    let frames = reader.duration();
    if frames == 0 || spec.sample_rate == 0 {
        return Err("tệp rỗng / the file is empty".into());
    }
    Ok((
        f64::from(frames) / f64::from(spec.sample_rate),
        spec.sample_rate,
    ))
}
