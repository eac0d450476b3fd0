//! Running a voice's program: the text goes on its standard input (never in an argument, where
//! it could start an option), it is killed past a time limit, and what it said on stderr comes
//! back in the error.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a run went wrong.
#[derive(Debug)]
pub enum ChildError {
    /// The program is not installed (not on PATH).
    NotFound,
    /// It could not be started or waited for.
    Io(std::io::Error),
    /// It ran longer than allowed and was killed.
    TimedOut(Duration),
    /// It ended with a failure status; its stderr, shortened.
    Failed(String),
}

/// Most of a program's stderr kept in an error.
const STDERR_KEPT: usize = 2000;

/// Run `program args`, feeding `input` on stdin; its stdout goes to `stdout_to` (or nowhere).
pub fn run(
    program: &str,
    args: &[String],
    input: &str,
    stdout_to: Option<&Path>,
    timeout: Duration,
) -> Result<(), ChildError> {
    let mut stderr_file = tempfile::tempfile().map_err(ChildError::Io)?;
    let stdout = match stdout_to {
        Some(p) => Stdio::from(std::fs::File::create(p).map_err(ChildError::Io)?),
        None => Stdio::null(),
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::from(
            stderr_file.try_clone().map_err(ChildError::Io)?,
        ))
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ChildError::NotFound,
            _ => ChildError::Io(e),
        })?;
    // A writer thread, so a program that writes before it has read everything cannot block us.
    let feeder = child.stdin.take().map(|mut stdin| {
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(ChildError::Io)? {
            Some(status) => break status,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ChildError::TimedOut(timeout));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    if status.success() {
        return Ok(());
    }
    let mut said = String::new();
    let _ = stderr_file.rewind();
    let _ = stderr_file.read_to_string(&mut said);
    // One line, so the error fits the one line a command prints.
    let said = said.trim().replace(['\n', '\r'], " | ");
    let tail: String = said
        .chars()
        .rev()
        .take(STDERR_KEPT)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(ChildError::Failed(format!("{status}: {tail}")))
}
