//! The voices that read Vietnamese, and the command line each one runs: espeak-ng's three
//! Vietnamese voices, a Piper model the commune copied onto the machine, or a custom command
//! (`emergency.tts_command`). Every command gets the text on standard input; the only thing we
//! put in its arguments is the WAV path we chose, always absolute, so no argument can start an
//! option. It does not run the commands: `speech::child` does, under its time limit.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::reading::Dialect;
use crate::model::Said;

/// A voice that reads the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voice {
    /// An espeak-ng voice: `vi` (Northern), `vi-vn-x-central`, `vi-vn-x-south`.
    Espeak(EspeakVoice),
    /// A Piper model (`.onnx`, with its `.onnx.json` beside it), run by the `piper` command.
    Piper(PathBuf),
    /// A command of the commune's: `{out}` is the WAV to write (without it, the WAV is what the
    /// command prints), the text comes on stdin.
    Command(Vec<String>),
}

/// espeak-ng's Vietnamese voices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EspeakVoice {
    /// `vi`: Northern, the broadcast standard.
    North,
    /// `vi-central`: espeak-ng's `vi-vn-x-central`.
    Central,
    /// `vi-south`: espeak-ng's `vi-vn-x-south`.
    South,
}

impl EspeakVoice {
    /// The name espeak-ng knows it by.
    fn espeak_name(self) -> &'static str {
        match self {
            EspeakVoice::North => "vi",
            EspeakVoice::Central => "vi-vn-x-central",
            EspeakVoice::South => "vi-vn-x-south",
        }
    }
}

/// The voices' names as the config and `loaxa speak --voice` take them.
pub const VOICE_NAMES: &str = "vi, vi-central, vi-south, piper:/ĐƯỜNG/DẪN/giọng.onnx";

impl FromStr for Voice {
    type Err = Said;

    fn from_str(s: &str) -> Result<Voice, Said> {
        match s.trim() {
            "vi" | "vi-north" => Ok(Voice::Espeak(EspeakVoice::North)),
            "vi-central" | "vi-vn-x-central" => Ok(Voice::Espeak(EspeakVoice::Central)),
            "vi-south" | "vi-vn-x-south" => Ok(Voice::Espeak(EspeakVoice::South)),
            other => match other.strip_prefix("piper:") {
                Some(path) if path.ends_with(".onnx") => Ok(Voice::Piper(PathBuf::from(path))),
                _ => Err(crate::model::said!(
                    "không biết giọng đọc \"{s}\"; dùng một trong: {VOICE_NAMES}",
                    "unknown voice \"{s}\"; use one of: vi, vi-central, vi-south, piper:/PATH/TO/voice.onnx"
                )),
            },
        }
    }
}

impl std::fmt::Display for Voice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Voice::Espeak(EspeakVoice::North) => f.write_str("vi"),
            Voice::Espeak(EspeakVoice::Central) => f.write_str("vi-central"),
            Voice::Espeak(EspeakVoice::South) => f.write_str("vi-south"),
            Voice::Piper(p) => write!(f, "piper:{}", p.display()),
            Voice::Command(c) => write!(f, "{}", c.join(" ")),
        }
    }
}

/// A voice's program and arguments for one run.
#[derive(Debug)]
pub struct Invocation {
    /// The program.
    pub program: String,
    /// Its arguments (no text in them).
    pub args: Vec<String>,
    /// Whether the WAV comes on stdout rather than into `out`.
    pub wav_on_stdout: bool,
}

/// Why a command cannot be used as a voice.
pub fn command_problem(command: &[String]) -> Option<Said> {
    let Some(program) = command.first() else {
        return Some(Said::new("lệnh trống", "the command is empty"));
    };
    if program.starts_with('-') || program.contains('{') {
        return Some(crate::model::said!(
            "\"{program}\" không phải tên chương trình",
            "\"{program}\" is not a program name"
        ));
    }
    for arg in &command[1..] {
        if arg.contains("{text}") {
            return Some(Said::new(
                "{text} không còn được dùng: văn bản đi vào đầu vào chuẩn (stdin) của lệnh",
                "{text} is no longer allowed: the text goes to the command's standard input",
            ));
        }
        let placeholders = arg.matches('{').count();
        let outs = arg.matches("{out}").count();
        if placeholders != outs {
            return Some(crate::model::said!(
                "\"{arg}\": chỉ {{out}} được thay",
                "\"{arg}\": only {{out}} is replaced"
            ));
        }
    }
    None
}

impl Voice {
    /// The forms of numbers a listener of this voice expects ("ngàn", "lẻ" in the South).
    pub fn dialect(&self) -> Dialect {
        match self {
            Voice::Espeak(EspeakVoice::South) => Dialect::South,
            _ => Dialect::North,
        }
    }

    /// What to install or copy when this voice's program or model is missing.
    pub fn install_hint(&self) -> String {
        match self {
            Voice::Espeak(_) => "apt-get install espeak-ng".into(),
            Voice::Piper(_) => "pip install piper-tts".into(),
            Voice::Command(c) => format!(
                "cài \"{}\" hoặc bỏ emergency.tts_command để dùng [speech] voice (apt-get install espeak-ng) / install \"{}\" or drop emergency.tts_command to use [speech] voice (apt-get install espeak-ng)",
                c.first().map_or("", String::as_str),
                c.first().map_or("", String::as_str)
            ),
        }
    }

    /// A file the voice needs that is not there (a Piper model or its config), if any.
    pub fn missing_file(&self) -> Option<PathBuf> {
        let Voice::Piper(model) = self else {
            return None;
        };
        let config = PathBuf::from(format!("{}.json", model.display()));
        [model.clone(), config].into_iter().find(|p| !p.is_file())
    }

    /// The run that reads at `rate` words per minute into `out` (an absolute path).
    pub fn invocation(&self, rate: u16, out: &Path) -> Result<Invocation, Said> {
        let out_arg = out.display().to_string();
        let inv = |program: &str, args: Vec<String>| Invocation {
            program: program.to_string(),
            args,
            wav_on_stdout: false,
        };
        Ok(match self {
            Voice::Espeak(v) => inv(
                "espeak-ng",
                vec![
                    "-v".into(),
                    v.espeak_name().into(),
                    "-s".into(),
                    rate.to_string(),
                    "-w".into(),
                    out_arg,
                    "--stdin".into(),
                ],
            ),
            Voice::Piper(model) => {
                let model = std::path::absolute(model).map_err(|e| {
                    let shown = model.display();
                    crate::model::said!(
                        "không tìm được giọng {shown}: {e}",
                        "cannot find the voice {shown}: {e}"
                    )
                })?;
                inv(
                    "piper",
                    vec![
                        "--model".into(),
                        model.display().to_string(),
                        "--output_file".into(),
                        out_arg,
                        "--length_scale".into(),
                        format!("{:.3}", f32::from(super::NATURAL_RATE) / f32::from(rate)),
                    ],
                )
            }
            Voice::Command(command) => {
                if let Some(problem) = command_problem(command) {
                    return Err(problem);
                }
                let args: Vec<String> = command[1..]
                    .iter()
                    .map(|a| a.replace("{out}", &out_arg))
                    .collect();
                Invocation {
                    wav_on_stdout: !command[1..].iter().any(|a| a.contains("{out}")),
                    program: command[0].clone(),
                    args,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_by_name() {
        assert_eq!("vi".parse(), Ok(Voice::Espeak(EspeakVoice::North)));
        assert_eq!("vi-south".parse(), Ok(Voice::Espeak(EspeakVoice::South)));
        assert_eq!(
            "piper:/srv/giong.onnx".parse(),
            Ok(Voice::Piper("/srv/giong.onnx".into()))
        );
        let e = "en".parse::<Voice>().unwrap_err();
        assert!(
            e.vi().contains("vi-central") && e.en().contains("vi-central"),
            "{e}"
        );
        assert!("piper:/srv/giong".parse::<Voice>().is_err());
    }

    #[test]
    fn no_argument_carries_text_and_the_output_is_absolute() {
        let out = Path::new("/var/lib/loaxa/tmp/a.wav");
        let inv = Voice::Espeak(EspeakVoice::Central)
            .invocation(140, out)
            .unwrap();
        assert_eq!(
            inv.args,
            [
                "-v",
                "vi-vn-x-central",
                "-s",
                "140",
                "-w",
                "/var/lib/loaxa/tmp/a.wav",
                "--stdin"
            ]
        );
        let cmd: Vec<String> = ["say", "--text={text}"].map(String::from).to_vec();
        let problem = command_problem(&cmd).unwrap();
        assert!(problem.vi().contains("{text}") && problem.en().contains("{text}"));
        let cmd: Vec<String> = ["say", "{voice}"].map(String::from).to_vec();
        assert!(command_problem(&cmd).is_some());
        let cmd: Vec<String> = ["-x"].map(String::from).to_vec();
        assert!(command_problem(&cmd).is_some());
        let cmd: Vec<String> = ["rhvoice", "-o", "{out}"].map(String::from).to_vec();
        let inv = Voice::Command(cmd).invocation(140, out).unwrap();
        assert_eq!(inv.args, ["-o", "/var/lib/loaxa/tmp/a.wav"]);
        assert!(!inv.wav_on_stdout);
    }
}
