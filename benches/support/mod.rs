//! What the benches share: test files made with ffmpeg from a fixture.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A path as the `&str` a command line wants.
#[allow(dead_code, reason = "only the benches that make MP3s need it")]
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// A speech MP3 of `minutes` minutes (128 kbit/s, 44.1 kHz stereo), made from a fixture.
#[allow(dead_code, reason = "not every bench needs a long MP3")]
pub fn make_mp3(dir: &Path, minutes: u32) -> Option<PathBuf> {
    let out = dir.join(format!("tin-{minutes}-phut.mp3"));
    if out.exists() {
        return Some(out);
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xin-chao-22k.wav");
    let loops = (minutes * 60 / 4).to_string();
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-stream_loop", &loops, "-i", s(&src)])
        .args([
            "-t",
            &(minutes * 60).to_string(),
            "-ar",
            "44100",
            "-ac",
            "2",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            s(&out),
        ])
        .status()
        .is_ok_and(|st| st.success());
    ok.then_some(out)
}

/// The percentile `q` (0–1) of sorted values.
#[allow(dead_code, reason = "not every bench reports percentiles")]
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// An editor and a leader, and a recording of `path` approved as an item of `category`:
/// what staff would have prepared through the web UI.
#[allow(dead_code, reason = "not every bench needs approved items")]
pub fn approved_item(
    store: &loaxa::store::Store,
    library: &loaxa::media::MediaLibrary,
    path: &Path,
    title: &str,
    category: loaxa::model::Category,
) -> Result<i64, String> {
    use loaxa::model::Role;
    use loaxa::model::{NewItem, Placement, Tier};
    use loaxa::review::{self, Action, Items};
    use loaxa::store::users;
    let req = loaxa::media::library::ImportRequest {
        original_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        title: Some(title.into()),
        category,
        actor: "bench".into(),
    };
    let media = library
        .import_file(path, &req)
        .map_err(|e| e.to_string())?
        .media;
    let hash =
        loaxa::accounts::hash_password("mật khẩu đủ dài cho bench").map_err(|e| e.to_string())?;
    store
        .with(|c| {
            let find = |c: &rusqlite::Connection, name: &str| -> rusqlite::Result<Option<i64>> {
                Ok(users::list(c)?
                    .into_iter()
                    .find(|u| u.name == name)
                    .map(|u| u.id))
            };
            let tx = c.transaction()?;
            let editor = match find(&tx, "bien-tap")? {
                Some(id) => id,
                None => users::insert(&tx, "bien-tap", "Biên tập", Role::Editor, &hash)?,
            };
            let leader = match find(&tx, "chu-tich")? {
                Some(id) => id,
                None => users::insert(&tx, "chu-tich", "Chủ tịch", Role::Approver, &hash)?,
            };
            tx.commit()?;
            let (Some(editor), Some(leader)) = (users::get(c, editor)?, users::get(c, leader)?)
            else {
                return Ok(None);
            };
            let new = NewItem {
                media_id: media.id,
                title: title.into(),
                category,
                placement: Placement {
                    tier: Tier::Normal,
                    air_from: None,
                    air_until: None,
                    slots: vec![],
                    zones: vec![],
                },
            };
            let approved = review::create::<Items>(c, &new, &editor, &())
                .ok()
                .and_then(|item| {
                    review::apply::<Items>(c, item.id, Action::Submit, Some(&editor), &()).ok()?;
                    review::apply::<Items>(c, item.id, Action::Approve, Some(&leader), &()).ok()?;
                    Some(item.id)
                });
            Ok(approved)
        })
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("could not approve {title}"))
}
