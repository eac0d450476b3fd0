//! Receiving a recording from a browser or a script: the multipart body is streamed to disk
//! chunk by chunk under the size limit, then handed to the media library, which measures it on
//! a blocking thread. Memory stays flat whatever the upload's size. It does not measure or keep the
//! recording: the media library does.

use axum::extract::Multipart;
use std::collections::HashMap;
use std::path::PathBuf;

use super::error::AppError;
use crate::config::Config;
use crate::media::MediaLibrary;
use crate::media::library::{ImportRequest, Imported};
use crate::model::Category;
use crate::model::said;
use std::sync::Arc;

/// An upload: the imported recording (if a file came) and the other form fields.
#[derive(Debug)]
pub struct Upload {
    /// What the library made of the file, if the form carried one.
    pub imported: Option<Imported>,
    /// The text fields that came with it (title, category, ...).
    pub fields: HashMap<String, String>,
}

/// Where uploads go and the limits they keep. Cheap to clone.
#[derive(Clone)]
pub struct Uploads {
    library: MediaLibrary,
    /// Uploads measured at once. Measuring takes a whole core for seconds; fifty at once
    /// would starve the pages (and, on a Pi, everything else), so the rest wait their turn.
    measuring: Arc<tokio::sync::Semaphore>,
    /// Largest upload, in MB (`web.max_upload_mb`).
    max_mb: u64,
    /// Room that must stay free on the data disk, in bytes (`web.min_free_mb`).
    reserve: u64,
    /// The data folder, whose disk the reserve is kept on.
    data_dir: PathBuf,
}

impl Uploads {
    /// Uploads into `library`, within `config`'s limits.
    pub fn new(library: MediaLibrary, config: &Config) -> Uploads {
        Uploads {
            library,
            measuring: Arc::new(tokio::sync::Semaphore::new(measuring_slots())),
            max_mb: config.web.max_upload_mb,
            reserve: config.web.min_free_mb.saturating_mul(1024 * 1024),
            data_dir: config.data_dir.clone(),
        }
    }

    /// The largest upload, in MB.
    pub fn max_mb(&self) -> u64 {
        self.max_mb
    }
}

/// How many uploads may be measured at once: every core but one, which stays free for the
/// pages and the programme (at least one).
fn measuring_slots() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1)
}

/// Read a multipart body with an optional `file` field (and text fields) into the library.
pub async fn receive(
    uploads: &Uploads,
    mut form: Multipart,
    actor: &str,
) -> Result<Upload, AppError> {
    let limit = uploads.max_mb.saturating_mul(1_000_000);
    let library = uploads.library.clone();
    let mut texts = Vec::new();
    let mut incoming = None;
    let mut original_name = String::new();
    let limit_mb = uploads.max_mb;
    let bad_form = |e| bad_form(e, limit_mb);
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            let value = field.text().await.map_err(bad_form)?;
            texts.push((name, value));
            continue;
        }
        original_name = safe_file_name(field.file_name().unwrap_or("ghi-am"));
        if field.file_name().is_none_or(str::is_empty) {
            // A form whose file input was left empty.
            while field.chunk().await.map_err(bad_form)?.is_some() {}
            continue;
        }
        ensure_room(uploads)?;
        let lib = library.clone();
        let mut part = tokio::task::spawn_blocking(move || lib.begin(limit)).await??;
        let mut checked = 0;
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            // Small synchronous writes; the OS page cache absorbs them.
            part.write(&chunk)?;
            if part.bytes() - checked >= ROOM_CHECK_EVERY {
                checked = part.bytes();
                ensure_room(uploads)?;
            }
        }
        incoming = Some(part);
    }
    // Ticked checkboxes (slots, zones) come as one field each: joined, as forms post them.
    let fields = super::input::joined(texts);
    let Some(incoming) = incoming else {
        return Ok(Upload {
            imported: None,
            fields,
        });
    };
    if incoming.bytes() == 0 {
        return Err(AppError::Unsupported(said!(
            "tệp \"{original_name}\" rỗng (0 byte)",
            "\"{original_name}\" is empty (0 bytes)"
        )));
    }
    let category = match fields.get("category").map(String::as_str) {
        None | Some("") => Category::Bulletin,
        Some(c) => c.parse().map_err(AppError::BadRequest)?,
    };
    let req = ImportRequest {
        original_name,
        title: fields
            .get("title")
            .filter(|t| !t.trim().is_empty())
            .cloned(),
        category,
        actor: actor.to_string(),
    };
    // Waiting here keeps the file safe in `incoming`; it is measured when a core is free.
    let turn = uploads
        .measuring
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let imported = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        library.finish(incoming, &req)
    })
    .await??;
    let result = if imported.duplicate {
        "duplicate"
    } else {
        "accepted"
    };
    metrics::counter!(crate::ops::metrics::UPLOADS, "result" => result).increment(1);
    Ok(Upload {
        imported: Some(imported),
        fields,
    })
}

/// How often (in bytes received) an upload checks that the disk keeps its reserve.
const ROOM_CHECK_EVERY: u64 = 8 << 20;

/// Refuse to take more if the data disk keeps less than `web.min_free_mb`: the database and
/// the as-run log must always have room, whatever staff upload.
fn ensure_room(uploads: &Uploads) -> Result<(), AppError> {
    let space = crate::ops::disk::space(&uploads.data_dir)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match crate::ops::disk::refuse_write(space, uploads.reserve) {
        Some(why) => {
            metrics::counter!(crate::ops::metrics::UPLOADS, "result" => "refused").increment(1);
            Err(AppError::InsufficientStorage(why))
        }
        None => Ok(()),
    }
}

impl Upload {
    /// The recording, or the error saying none was chosen.
    pub fn require_file(self) -> Result<(Imported, HashMap<String, String>), AppError> {
        match self.imported {
            Some(i) => Ok((i, self.fields)),
            None => Err(AppError::BadRequest(said!(
                "chưa chọn tệp ghi âm",
                "no recording was chosen"
            ))),
        }
    }
}

fn bad_form(e: axum::extract::multipart::MultipartError, limit_mb: u64) -> AppError {
    // A body over the limit surfaces here as a stream error: say it as the library would.
    let msg = e.body_text();
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::from(crate::media::library::ImportError::TooLarge { limit_mb })
    } else {
        AppError::BadRequest(said!(
            "biểu mẫu tải lên bị lỗi",
            "the upload form is broken: {msg}"
        ))
    }
}

/// The last path component of a browser-supplied name, without control characters: a name
/// like `../../etc/passwd` or `C:\tin.mp3` is only a label, never a path.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "ghi-am".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_paths() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\tin.mp3"), "tin.mp3");
        assert_eq!(safe_file_name(".."), "ghi-am");
        assert_eq!(safe_file_name("bản tin\n.mp3"), "bản tin.mp3");
    }
}
