//! Demo content for `loaxa serve --demo`: what a new commune sees on first start, so every
//! page has something real in it. Seeding is idempotent: content already there is left alone.

use std::path::{Path, PathBuf};

use crate::media::library::{ImportError, ImportRequest};
use crate::media::{Category, MediaLibrary};

/// The sounds in `assets/`, with their titles.
const JINGLES: &[(&str, &str)] = &[
    ("chuong-bao.ogg", "Chuông báo"),
    ("nhac-hieu-dai.ogg", "Nhạc hiệu Đài truyền thanh xã"),
];

/// Where the bundled assets are: next to the binary's source tree, or installed beside it.
pub fn assets_dir() -> PathBuf {
    let candidates = [
        PathBuf::from("assets"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets"),
        PathBuf::from("/usr/share/loaxa/assets"),
    ];
    candidates
        .iter()
        .find(|p| p.join(JINGLES[0].0).exists())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

/// Import the demo sounds from `assets` into the library. Returns how many were new.
pub fn seed_media(library: &MediaLibrary, assets: &Path) -> Result<usize, ImportError> {
    let mut added = 0;
    for (file, title) in JINGLES {
        let req = ImportRequest {
            original_name: file.to_string(),
            title: Some(title.to_string()),
            category: Category::Jingle,
            actor: "demo".into(),
        };
        if !library.import_file(&assets.join(file), &req)?.duplicate {
            added += 1;
        }
    }
    Ok(added)
}
