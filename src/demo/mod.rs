//! Demo content for `loaxa serve --demo`: what a new commune sees on first start, so every
//! page has something real in it. Seeding is idempotent: content already there is left alone.
//!
//! Writes through the media library, the review lifecycle ([`bulletins`]) and the store like
//! any upload; must not touch the web or the player.

pub mod bulletins;
mod error;
pub mod session;

pub use error::DemoError;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::media::MediaLibrary;
use crate::media::library::{ImportError, ImportRequest};
use crate::model::{Category, Effect, NewSlogan, PanelColor, ReviewState};
use crate::review::ReviewError;
use crate::review::bulletins::Narrator;
use crate::schedule::files;
use crate::store::review::{self, Reviewed, ReviewedRows};
use crate::store::slogans::{self, SloganRows};
use crate::store::{Store, StoreError, audit};

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

/// One slogan of the demo content.
struct DemoSlogan {
    text: &'static str,
    color: PanelColor,
    effect: Effect,
    /// Shown only between these local times (office hours).
    hours: Option<(&'static str, &'static str)>,
}

/// The panel content of the commune's plan for a friendly administration: the headline, the
/// "4 xin", "4 luôn" and "5 không" of staff conduct, the office hours (shown only around them)
/// and where to find the leaders' hotlines.
const SLOGANS: &[DemoSlogan] = &[
    DemoSlogan {
        text: "Chính quyền thân thiện, vì Nhân dân phục vụ",
        color: PanelColor::YELLOW,
        effect: Effect::Static,
        hours: None,
    },
    DemoSlogan {
        text: "4 XIN: Xin chào · Xin lỗi · Xin cảm ơn · Xin phép",
        color: PanelColor::RED,
        effect: Effect::Scroll,
        hours: None,
    },
    DemoSlogan {
        text: "4 LUÔN: Luôn mỉm cười · Luôn nhẹ nhàng · Luôn lắng nghe · Luôn giúp đỡ",
        color: PanelColor::GREEN,
        effect: Effect::Scroll,
        hours: None,
    },
    DemoSlogan {
        text: "5 KHÔNG: Không nói trống không · Không gắt gỏng, nạt nộ · Không nói thiếu văn hóa · Không gây khó khăn, phiền hà · Không vòi vĩnh, tiêu cực",
        color: PanelColor::AMBER,
        effect: Effect::Scroll,
        hours: None,
    },
    DemoSlogan {
        text: "Giờ làm việc: sáng 7h30–11h30, chiều 13h30–17h00, thứ Hai đến thứ Sáu",
        color: PanelColor::CYAN,
        effect: Effect::Scroll,
        hours: Some(("07:00", "17:30")),
    },
    DemoSlogan {
        text: "Đường dây nóng của Chủ tịch và các Phó Chủ tịch UBND xã: xem bảng công khai tại Trung tâm",
        color: PanelColor::WHITE,
        effect: Effect::Scroll,
        hours: None,
    },
];

/// Put the plan's slogans on an empty panel, approved (they are the commune's published plan;
/// editing one sends it through approval like any other). Returns how many were added.
pub fn seed_slogans(store: &Store) -> Result<usize, StoreError> {
    store.with(|c| {
        if slogans::count(c)? > 0 {
            return Ok(0);
        }
        let tx = c.transaction()?;
        for (position, demo) in SLOGANS.iter().enumerate() {
            let new = NewSlogan {
                text: crate::text::normalize(demo.text),
                color: demo.color,
                effect: demo.effect,
                speed_px_s: 0,
                hold_s: 6,
                show_from: demo.hours.map(|(from, _)| from.to_string()),
                show_until: demo.hours.map(|(_, until)| until.to_string()),
                position: position as i64,
            };
            let id = SloganRows::insert(&tx, &new, None)?;
            review::set_state(
                &tx,
                Reviewed::Slogans,
                id,
                ReviewState::Draft,
                ReviewState::Approved,
                None,
                None,
            )?;
            let subject = format!("slogan:{id}");
            audit::record(
                &tx,
                "demo",
                "slogan.create",
                &subject,
                &serde_json::json!({ "text": new.text }),
            )?;
            audit::record(
                &tx,
                "demo",
                "slogan.approve",
                &subject,
                &serde_json::json!({ "from": "draft", "to": "approved" }),
            )?;
        }
        tx.commit()?;
        Ok(SLOGANS.len())
    })
}

/// Everything `serve --demo` adds: the jingles, the panel's slogans and the typed bulletins
/// (read aloud with `[speech]`, placed on the programme's slots). Done before the service
/// starts, so the emergency chime is there from the first run.
pub fn seed(config: &Config) -> Result<usize, DemoError> {
    let store = Store::open(&config.database_path())?;
    let library = MediaLibrary::new(&config.data_dir, store.clone(), config.loudness);
    let media = seed_media(&library, &assets_dir())?;
    let slogans = seed_slogans(&store)?;
    let narrator = Arc::new(Narrator::new(&config.speech, library));
    let (programme, _) = files::load(
        &config.schedule.schedules_dir,
        &config.schedule.playlists_dir,
    );
    let bulletins = match bulletins::seed_bulletins(&store, &narrator, &programme) {
        // No voice on this machine (espeak-ng missing): the rest of the demo still runs.
        Err(DemoError::Review(ReviewError::Invalid(why))) => {
            tracing::warn!(
                "nội dung mẫu không có bản tin văn bản / the demo has no typed bulletins: {why}"
            );
            0
        }
        other => other?,
    };
    Ok(media + slogans + bulletins)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{FontChoice, check_text};

    #[test]
    fn every_demo_slogan_can_be_drawn_on_every_panel_height() {
        for DemoSlogan { text, .. } in SLOGANS {
            for height in [16, 32, 64] {
                let font = FontChoice::for_panel_height(height);
                assert!(
                    check_text(text, &font).is_ok(),
                    "{text} at {height} LEDs high"
                );
            }
        }
    }
}
