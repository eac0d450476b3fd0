//! The programme editor: the web UI's changes to `schedules/*.toml` and `playlists/*.toml`,
//! made in the files themselves, so the files stay the truth and stay readable.
//!
//! A change is made on the file's text with `toml_edit` ([`document`]), then the whole programme
//! with the edited text is checked by [`files::check`] — the same function `loaxa check` and
//! loading use — and the file is replaced (temp file, fsync, rename, fsync of the folder) only
//! when the edit adds no problem. A form carries the [`version`] of the file it was read from;
//! a file changed since is refused, not overwritten. It does not audit or put the programme in
//! force: `station::programme::edit` does both.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::files::{self, Programme};
use crate::config::{Problem, SourceText};
use crate::model::Said;
use crate::model::said;

pub mod document;
mod entries;

pub use document::{Change, Fields, Place, Target, Value};
pub use entries::{
    DAYS, HolidayInput, OnceInput, PartInput, QuietInput, SlotInput, remove, remove_part,
};

/// Why a change was not made; the file is as it was.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum EditError {
    /// The edit would break the programme: what `loaxa check` would say about it.
    Refused(Vec<Problem>),
    /// Someone changed the file since the form was opened.
    Stale(String),
    /// No such entry (removed by someone else, or a wrong link).
    NotFound(String),
    /// No such programme file.
    NoFile(String),
    /// The file cannot be parsed as TOML (what the reader said): it must be fixed by hand
    /// first.
    Unreadable(Said),
    /// The place is written in a shape the editor does not change (an inline array).
    NotEditable(String),
    /// What was typed cannot be a value (a name with no letters).
    Invalid(Said),
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl EditError {
    /// Why the file was not changed, in each language.
    pub fn said(&self) -> Said {
        match self {
            EditError::Refused(problems) => said!(
                "thay đổi này làm hỏng lịch phát, chưa lưu",
                "this change would break the programme, nothing was saved"
            )
            .with(
                ": ",
                &Said::join(
                    &problems.iter().map(Problem::said).collect::<Vec<_>>(),
                    "; ",
                ),
            ),
            EditError::Stale(file) => said!(
                "tệp {file} đã được sửa sau khi bạn mở biểu mẫu; mở lại để thấy bản mới rồi sửa lại",
                "{file} was changed after you opened this form; open it again to see the new version and redo your change"
            ),
            EditError::NotFound(what) => said!("không tìm thấy {what}", "{what} was not found"),
            EditError::NoFile(name) => said!(
                "không có tệp lịch phát \"{name}\"",
                "there is no programme file \"{name}\""
            ),
            EditError::Unreadable(why) => Said::new(
                format!("tệp không đọc được ({}); sửa tay trước", why.vi()),
                format!(
                    "the file cannot be read ({}); fix it by hand first",
                    why.en()
                ),
            ),
            EditError::NotEditable(what) => said!(
                "{what} được viết theo kiểu không sửa được trên trang; sửa trong tệp",
                "{what} is written in a form the page cannot change; edit the file"
            ),
            EditError::Invalid(why) => why.clone(),
            EditError::Io { path, source } => {
                said!("không ghi được {path}: {source}", "could not write {path}")
            }
        }
    }
}

/// Which folder a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `schedules/`: slots, one-offs, holidays, quiet hours, gains.
    Schedule,
    /// `playlists/`: parts.
    Playlist,
}

/// A programme file as a form reads it.
#[derive(Debug, Clone)]
pub struct FileText {
    /// Its name in its folder (`hang-ngay.toml`).
    pub file: String,
    /// Its text.
    pub text: String,
    /// What a form sends back to say which text it was made from.
    pub version: String,
}

/// What a change did.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The file's path.
    pub path: String,
    /// Its version now.
    pub version: String,
    /// Whether the text changed at all (a form saved as it was writes nothing).
    pub written: bool,
}

/// The two folders the programme is in.
#[derive(Debug, Clone)]
pub struct Editor {
    schedules: PathBuf,
    playlists: PathBuf,
}

/// One change at a time, in every editor of this process: the version check and the rename
/// must not interleave.
static WRITING: Mutex<()> = Mutex::new(());

/// The version of a file's text: a form made from another text is stale.
pub fn version(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Whether two lists of days (`t2`, `mon`…) name the same days.
pub(crate) fn same_days(a: &[String], b: &[String]) -> bool {
    let set = |l: &[String]| -> Option<std::collections::BTreeSet<u32>> {
        l.iter()
            .map(|d| files::parse_day(d).map(|w| w.num_days_from_monday()))
            .collect()
    };
    set(a).is_some() && set(a) == set(b)
}

impl Editor {
    /// An editor of the files in these folders.
    pub fn new(schedules: &Path, playlists: &Path) -> Editor {
        Editor {
            schedules: schedules.to_path_buf(),
            playlists: playlists.to_path_buf(),
        }
    }

    fn dir(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Schedule => &self.schedules,
            FileKind::Playlist => &self.playlists,
        }
    }

    /// The `*.toml` names in a folder, sorted.
    pub fn files(&self, kind: FileKind) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir(kind)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    /// The path of `file` in its folder, if it is one of the folder's programme files (never a
    /// path a form made up).
    fn path_of(&self, kind: FileKind, file: &str) -> Result<PathBuf, EditError> {
        if self.files(kind).iter().any(|f| f == file) {
            Ok(self.dir(kind).join(file))
        } else {
            Err(EditError::NoFile(file.to_string()))
        }
    }

    /// Read a file for a form.
    pub fn read(&self, kind: FileKind, file: &str) -> Result<FileText, EditError> {
        let path = self.path_of(kind, file)?;
        let text = std::fs::read_to_string(&path).map_err(|source| EditError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(FileText {
            file: file.to_string(),
            version: version(&text),
            text,
        })
    }

    /// The file of `kind` holding the entry `name` of `array` (`slot`, `once`, `holiday`).
    pub fn find(&self, kind: FileKind, array: &str, name: &str) -> Option<FileText> {
        self.files(kind)
            .iter()
            .filter_map(|f| self.read(kind, f).ok())
            .find(|f| document::has(&f.text, array, name))
    }

    /// Make `changes` in `file`, in order, if it still is at `at_version` and the programme
    /// stays sound; the programme the edited files make is returned with what was done.
    pub fn change(
        &self,
        kind: FileKind,
        file: &str,
        at_version: &str,
        changes: &[Change],
    ) -> Result<(Changed, Programme), EditError> {
        let _one = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.path_of(kind, file)?;
        let (mut sources, _) = files::read(&self.schedules, &self.playlists);
        let shown = path.display().to_string();
        let list = match kind {
            FileKind::Schedule => &mut sources.schedules,
            FileKind::Playlist => &mut sources.playlists,
        };
        let index = list
            .iter()
            .position(|s| s.name == shown)
            .ok_or_else(|| EditError::NoFile(file.to_string()))?;
        let before_text = list[index].text.clone();
        if version(&before_text) != at_version {
            return Err(EditError::Stale(file.to_string()));
        }
        let mut after_text = before_text.clone();
        for change in changes {
            after_text = document::apply(&after_text, change)?;
        }
        let (_, before) = files::check(&sources);
        let list = match kind {
            FileKind::Schedule => &mut sources.schedules,
            FileKind::Playlist => &mut sources.playlists,
        };
        list[index] = SourceText {
            name: shown.clone(),
            text: after_text.clone(),
        };
        let (programme, after) = files::check(&sources);
        let added = new_problems(&before, &after);
        if !added.is_empty() {
            return Err(EditError::Refused(added));
        }
        let written = after_text != before_text;
        if written {
            write_atomically(&path, &after_text).map_err(|source| EditError::Io {
                path: shown.clone(),
                source,
            })?;
        }
        Ok((
            Changed {
                path: shown,
                version: version(&after_text),
                written,
            },
            programme,
        ))
    }
}

/// The problems in `after` that `before` did not have (lines move with an edit, so a problem
/// is the same by file, message and fix).
fn new_problems(before: &[Problem], after: &[Problem]) -> Vec<Problem> {
    let mut old: Vec<(&str, &Said, &Said)> = before
        .iter()
        .map(|p| (p.file.as_str(), &p.message, &p.fix))
        .collect();
    after
        .iter()
        .filter(|p| {
            let key = (p.file.as_str(), &p.message, &p.fix);
            match old.iter().position(|o| *o == key) {
                Some(i) => {
                    old.swap_remove(i);
                    false
                }
                None => true,
            }
        })
        .cloned()
        .collect()
}

/// Replace `path` with `text` so that a crash leaves the old file or the new one, never half:
/// a temporary file beside it, synced, renamed over it, and the folder synced.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&temp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&temp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests;
