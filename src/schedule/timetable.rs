//! The programme as the running station holds it: what the files said when they were last
//! read, what was wrong in them, read again on demand, and the plan it gives with what the
//! database holds now. One [`Timetable`] is shared (cheap clones) by the runner, the pages and
//! the CLI; nobody else keeps a copy of the programme.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;

use super::files::{self, Programme, Sources};
use super::plan::{Jingle, Plan, plan};
use crate::config::Problem;
use crate::model::{Category, Said};
use crate::store::{Store, StoreError, items, media};

/// The programme in force, in the commune's time zone. Cheap to clone; every clone sees a
/// reload.
#[derive(Clone)]
pub struct Timetable {
    loaded: Arc<RwLock<Loaded>>,
    files: Option<(PathBuf, PathBuf)>,
    /// Texts read beside the files, as if they were some (the demo's session).
    extra: Option<Arc<Sources>>,
    tz: Tz,
    /// The zones the speakers reach (`[hw] zones`).
    zones: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Loaded {
    programme: Programme,
    problems: Vec<Problem>,
}

/// What a reload found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// Slots now in the programme.
    pub slots: usize,
    /// Problems found in the files (those parts were left out).
    pub problems: usize,
}

impl Timetable {
    /// Read `schedules/*.toml` and `playlists/*.toml`, logging every problem: the parts with
    /// one are left out, the rest airs. `zones` are the zones the speakers reach, so that a
    /// zone's own quiet hours take only that zone out of a cue for all.
    pub fn load(schedules: &Path, playlists: &Path, tz: Tz, zones: Vec<String>) -> Timetable {
        let timetable = Timetable {
            loaded: Arc::default(),
            files: Some((schedules.to_path_buf(), playlists.to_path_buf())),
            extra: None,
            tz,
            zones,
        };
        timetable.reload();
        timetable
    }

    /// This timetable with `extra` read beside its files on every reload, checked with them
    /// (`serve --demo` adds its session so; nothing writes them to the files).
    pub fn with_extra(mut self, extra: Sources) -> Timetable {
        self.extra = Some(Arc::new(extra));
        self.reload();
        self
    }

    /// A timetable of `programme` as it is, with no files behind it (tests and benches).
    pub fn fixed(programme: Programme, tz: Tz) -> Timetable {
        Timetable {
            zones: programme.speaker_zones.clone(),
            loaded: Arc::new(RwLock::new(Loaded {
                programme,
                problems: Vec::new(),
            })),
            files: None,
            extra: None,
            tz,
        }
    }

    /// Read the files again (after the IT person edited them) and put what they say in force.
    pub fn reload(&self) -> Reloaded {
        let Some((schedules, playlists)) = &self.files else {
            return self.summary();
        };
        let (mut sources, mut problems) = files::read(schedules, playlists);
        if let Some(extra) = &self.extra {
            sources.schedules.extend(extra.schedules.iter().cloned());
            sources.playlists.extend(extra.playlists.iter().cloned());
        }
        let (mut programme, found) = files::check(&sources);
        problems.extend(found);
        programme.speaker_zones = self.zones.clone();
        for p in &problems {
            tracing::warn!("{p}");
        }
        tracing::info!(
            "lịch phát / programme: {} buổi / slots, {} playlist, {} ngày lễ / holidays",
            programme.slots.len(),
            programme.playlists.len(),
            programme.holidays.len()
        );
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Loaded {
            programme,
            problems,
        };
        self.summary()
    }

    fn summary(&self) -> Reloaded {
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        Reloaded {
            slots: loaded.programme.slots.len(),
            problems: loaded.problems.len(),
        }
    }

    /// The programme in force.
    pub fn programme(&self) -> Programme {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .programme
            .clone()
    }

    /// What was wrong in the files when they were last read, each in both languages apart so
    /// that a page shows its own: "file:line: message — fix".
    pub fn problems(&self) -> Vec<Said> {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .problems
            .iter()
            .map(Problem::said)
            .collect()
    }

    /// The editor of the files behind this timetable (none for a fixed programme).
    pub fn editor(&self) -> Option<super::edit::Editor> {
        self.files
            .as_ref()
            .map(|(s, p)| super::edit::Editor::new(s, p))
    }

    /// The commune's time zone, in which slots and holidays fall.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The plan for `[from, to)` with what `conn` holds now.
    pub fn plan(
        &self,
        conn: &Connection,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> rusqlite::Result<Plan> {
        plan_from_store(conn, &self.programme(), from, to, self.tz)
    }

    /// [`Timetable::plan`] from async code.
    pub async fn plan_now(
        &self,
        store: &Store,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Plan, StoreError> {
        let timetable = self.clone();
        store.run(move |c| Ok(timetable.plan(c, from, to)?)).await
    }
}

/// The plan for `[from, to)` of `programme` with the approved items and jingles in the
/// database: what the runner airs, `loaxa plan` prints and the programme page shows.
pub fn plan_from_store(
    conn: &Connection,
    programme: &Programme,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> rusqlite::Result<Plan> {
    let approved = items::approved_between(
        conn,
        from.with_timezone(&tz).date_naive(),
        to.with_timezone(&tz).date_naive(),
    )?;
    Ok(plan(programme, &approved, &jingles(conn)?, from, to, tz))
}

/// The jingles in the library, as the programme names them.
pub fn jingles(conn: &Connection) -> rusqlite::Result<Vec<Jingle>> {
    Ok(media::list(conn, Some(Category::Jingle))?
        .into_iter()
        .map(|m| Jingle {
            media_id: m.id,
            title: m.title,
            file: m.file,
            duration_ms: m.analysis.duration_ms,
            gain_db: m.gain_db,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_in_the_files_are_kept_for_a_page_in_its_own_language() {
        let d = tempfile::tempdir().unwrap();
        let (schedules, playlists) = (d.path().join("s"), d.path().join("p"));
        std::fs::create_dir_all(&schedules).unwrap();
        std::fs::create_dir_all(&playlists).unwrap();
        std::fs::write(
            schedules.join("a.toml"),
            "[[slot]]\nname = \"dem\"\ntime = \"25:00\"\nplaylist = \"p\"\n",
        )
        .unwrap();
        std::fs::write(playlists.join("p.toml"), "[[part]]\njingle = \"J\"\n").unwrap();
        let t = Timetable::load(
            &schedules,
            &playlists,
            chrono_tz::Asia::Ho_Chi_Minh,
            Vec::new(),
        );
        let said = t.problems();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0]
                .vi()
                .contains("a.toml:3: giờ \"25:00\" không hợp lệ — viết HH:MM")
        );
        assert!(
            said[0]
                .en()
                .contains("a.toml:3: \"25:00\" is not a time — write HH:MM")
        );
        let logged = said[0].to_string();
        assert!(
            logged.contains("không hợp lệ") && logged.contains("is not a time"),
            "the log's form keeps both: {logged}"
        );
    }
}
