//! Typed bulletins (bản tin văn bản) as reviewed content: a notice an editor writes, read by a
//! voice into a recording in the library before anyone reviews it. The approver hears that
//! recording; once approved it is an item like any other (its row is in `items`, so the plan
//! and the runner air it with no change). Editing the text reads it again into a new recording
//! and sends it back to draft, as any edit does.
//!
//! Owns the checks of what staff write (text, voice, rate) and the [`Narrator`] that reads a
//! text into the library: the speech engine (`speech`) for the voice, the library's import
//! (`media::library`) for measuring and levelling, exactly as an upload is. No SQL here (the
//! store's `BulletinRows` does it) and nothing of the web.

use std::path::Path;

use rusqlite::Connection;
use serde_json::{Value, json};

use super::{Kind, ReviewError, Standing, Step, items::Items};
use crate::media::MediaLibrary;
use crate::media::library::{ImportError, ImportRequest};
use crate::model::said;
use crate::model::{Bulletin, Event, NewBulletin, User};
use crate::speech::{RATES, Speech, SpeechConfig, Voice};
use crate::store::bulletins::{self, BulletinRows};
use crate::text::clean_line;

/// Longest text, in characters (about five minutes read at the natural rate).
pub const MAX_TEXT: usize = 5000;

/// The espeak-ng voices every station has, by the names forms and the API use.
const ESPEAK_VOICES: [&str; 3] = ["vi", "vi-central", "vi-south"];

/// Reads bulletins aloud into the library: the commune's speech engine (its abbreviations and
/// time limit), the voices offered, and the library that measures and keeps the recordings.
#[derive(Debug, Clone)]
pub struct Narrator {
    speech: Speech,
    voices: Vec<String>,
    library: MediaLibrary,
}

impl Narrator {
    /// The narrator `[speech]` describes, keeping its recordings in `library`. The voices
    /// offered are espeak-ng's three and the Piper voice `[speech] voice` names, if it does.
    pub fn new(config: &SpeechConfig, library: MediaLibrary) -> Narrator {
        let speech = Speech::from_config(config).unwrap_or_else(|e| {
            tracing::error!("{e}");
            Speech::default()
        });
        let mut voices: Vec<String> = ESPEAK_VOICES.map(String::from).to_vec();
        if let Ok(piper @ Voice::Piper(_)) = config.voice.parse::<Voice>() {
            voices.push(piper.to_string());
        }
        Narrator {
            speech,
            voices,
            library,
        }
    }

    /// The voices a bulletin may be read in, as forms list them.
    pub fn voices(&self) -> &[String] {
        &self.voices
    }

    /// The voice `name` names, if it is one offered here (aliases such as `vi-vn-x-south`
    /// are taken).
    fn voice(&self, name: &str) -> Result<Voice, ReviewError> {
        let refused = || {
            let voices = self.voices.join(", ");
            ReviewError::Invalid(said!(
                "giọng đọc \"{name}\" không có ở đài này; chọn một trong: {voices}",
                "the voice \"{name}\" is not offered here; choose one of: {voices}"
            ))
        };
        let voice: Voice = name.parse().map_err(|_| refused())?;
        if self.voices.contains(&voice.to_string()) {
            Ok(voice)
        } else {
            Err(refused())
        }
    }

    /// What the voice will read for `text` in `voice` (like `loaxa speak --print`).
    pub fn reading(&self, text: &str, voice: &str) -> Result<String, ReviewError> {
        let speech = self.speech.clone().with_voice(self.voice(voice)?);
        speech.reading(text).map_err(spoken)
    }

    /// Read `new` aloud into the library as `actor`: the recording's id and what was read.
    fn read_into_library(
        &self,
        new: &NewBulletin,
        actor: &User,
    ) -> Result<(i64, String), ReviewError> {
        let speech = self
            .speech
            .clone()
            .with_voice(self.voice(&new.voice)?)
            .with_rate(new.rate);
        let scratch = self.library.scratch_path().map_err(imported)?;
        let result = speech
            .speak(&new.text, &scratch)
            .map_err(spoken)
            .and_then(|spoken| {
                let request = ImportRequest {
                    original_name: "ban-tin-van-ban.wav".into(),
                    title: Some(new.title.clone()),
                    category: new.category,
                    actor: actor.name.clone(),
                };
                let media = self.library.import_file(&spoken.wav, &request);
                Ok((media.map_err(imported)?.media.id, spoken.said))
            });
        remove_scratch(&scratch);
        result
    }
}

fn remove_scratch(path: &Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("{}: {e}", path.display());
    }
}

/// A speech failure as the form shows it (the voice missing names what to install).
fn spoken(e: crate::speech::SpeechError) -> ReviewError {
    ReviewError::Invalid(e.said())
}

/// An import failure: the database's own, or what was wrong with the recording.
fn imported(e: ImportError) -> ReviewError {
    match e {
        ImportError::Store(e) => ReviewError::Store(e),
        other => ReviewError::Invalid(other.said()),
    }
}

/// The text as kept: each line cleaned (NFC, no control characters), blank lines dropped, so
/// paragraphs stay apart and the reader pauses between them.
fn clean_text(text: &str) -> String {
    text.lines()
        .map(clean_line)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What staff wrote, checked and cleaned: the item's fields as an item's are, a text of 1 to
/// [`MAX_TEXT`] characters with something to read, a voice offered here, a rate in range.
fn checked(narrator: &Narrator, new: &NewBulletin) -> Result<NewBulletin, ReviewError> {
    let text = clean_text(&new.text);
    let chars = text.chars().count();
    if chars == 0 {
        return Err(ReviewError::Invalid(said!(
            "hãy viết nội dung bản tin",
            "write the bulletin's text"
        )));
    }
    if chars > MAX_TEXT {
        return Err(ReviewError::Invalid(said!(
            "nội dung dài {chars} ký tự, quá {MAX_TEXT} — hãy chia thành nhiều bản tin",
            "the text is {chars} characters, over {MAX_TEXT} — split it into several bulletins"
        )));
    }
    if !RATES.contains(&new.rate) {
        let rate = new.rate;
        return Err(ReviewError::Invalid(said!(
            "tốc độ đọc {rate} từ/phút nằm ngoài 80–450",
            "a rate of {rate} words per minute is outside 80–450"
        )));
    }
    let voice = narrator.voice(&new.voice)?.to_string();
    narrator.reading(&text, &voice)?;
    Ok(NewBulletin {
        text,
        voice,
        title: clean_line(&new.title),
        ..new.clone()
    })
}

/// The item checks (title, dates, slots, zones) on the item `new` airs as, read into
/// `media_id`.
fn checked_item(
    conn: &Connection,
    new: &NewBulletin,
    media_id: i64,
) -> Result<NewBulletin, ReviewError> {
    let item = Items::validate(conn, &new.item(media_id), &())?;
    Ok(NewBulletin {
        title: item.title,
        placement: item.placement,
        ..new.clone()
    })
}

/// The kind of typed bulletins (`/bulletins`).
#[derive(Debug, Clone, Copy)]
pub struct Bulletins;

impl Kind for Bulletins {
    type Content = NewBulletin;
    type Record = Bulletin;
    type Context = std::sync::Arc<Narrator>;
    type Rows = BulletinRows;

    const NOUN: &'static str = "bulletin";
    const NAME: (&'static str, &'static str) = ("bản tin văn bản", "typed bulletin");

    fn standing(b: &Bulletin) -> Standing {
        Items::standing(&b.item)
    }

    fn content_of(b: &Bulletin) -> NewBulletin {
        let item = b.item.content();
        NewBulletin {
            title: item.title,
            text: b.text.clone(),
            voice: b.voice.clone(),
            rate: b.rate,
            category: item.category,
            placement: item.placement,
            media_id: Some(item.media_id),
            reading: Some(b.reading.clone()),
        }
    }

    /// The same words, voice, rate and placement: the recording read from them again is the
    /// same, whatever its row.
    fn unchanged(old: &NewBulletin, new: &NewBulletin) -> bool {
        (
            &old.title,
            &old.text,
            &old.voice,
            old.rate,
            old.category,
            &old.placement,
        ) == (
            &new.title,
            &new.text,
            &new.voice,
            new.rate,
            new.category,
            &new.placement,
        )
    }

    fn prepare(
        narrator: &Self::Context,
        new: NewBulletin,
        actor: &User,
    ) -> Result<NewBulletin, ReviewError> {
        let new = checked(narrator, &new)?;
        let (media, reading) = narrator.read_into_library(&new, actor)?;
        Ok(NewBulletin {
            media_id: Some(media),
            reading: Some(reading),
            ..new
        })
    }

    fn validate(
        conn: &Connection,
        new: &NewBulletin,
        narrator: &Self::Context,
    ) -> Result<NewBulletin, ReviewError> {
        let new = checked(narrator, new)?;
        let (media, _) = bulletins::prepared(&new)?;
        checked_item(conn, &new, media)
    }

    fn described(new: &NewBulletin) -> Value {
        json!({
            "title": new.title, "media_id": new.media_id, "category": new.category,
            "tier": new.placement.tier, "voice": new.voice, "rate": new.rate,
            "chars": new.text.chars().count(),
        })
    }

    fn edited(new: &NewBulletin) -> Value {
        json!({ "title": new.title, "media_id": new.media_id, "voice": new.voice, "rate": new.rate })
    }

    fn committed(
        _: &Self::Context,
        id: i64,
        _: Option<Step>,
    ) -> Result<Option<Event>, ReviewError> {
        Ok(Some(Event::Item { id }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn narrator(voice: &str) -> Narrator {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let library = MediaLibrary::new(dir.path(), store, Default::default());
        let config = SpeechConfig {
            voice: voice.into(),
            ..SpeechConfig::default()
        };
        Narrator::new(&config, library)
    }

    fn bulletin(text: &str, voice: &str) -> NewBulletin {
        serde_json::from_value(json!({"title": "Họp dân", "text": text, "voice": voice})).unwrap()
    }

    #[test]
    fn the_configured_piper_voice_is_offered_beside_espeak() {
        let n = narrator("piper:/srv/voices/vi_VN-vais1000.onnx");
        assert_eq!(
            n.voices(),
            [
                "vi",
                "vi-central",
                "vi-south",
                "piper:/srv/voices/vi_VN-vais1000.onnx"
            ]
        );
        assert_eq!(narrator("vi-south").voices().len(), 3);
    }

    #[test]
    fn a_voice_not_offered_is_refused_by_name() {
        let n = narrator("vi");
        let e = checked(&n, &bulletin("Họp lúc 7h30.", "piper:/tmp/x.onnx")).unwrap_err();
        assert!(e.to_string().contains("vi-central"), "{e}");
        let ok = checked(&n, &bulletin("Họp lúc 7h30.", "vi-vn-x-south")).unwrap();
        assert_eq!(ok.voice, "vi-south");
    }

    #[test]
    fn texts_with_nothing_to_read_or_too_long_are_refused() {
        let n = narrator("vi");
        let none = checked(&n, &bulletin("🎉🎉 !!! …", "vi")).unwrap_err();
        assert!(none.to_string().contains("no letters"), "{none}");
        let long = checked(&n, &bulletin(&"a".repeat(10_000), "vi")).unwrap_err();
        assert!(long.to_string().contains("10000"), "{long}");
        let mut slow = bulletin("Họp dân.", "vi");
        slow.rate = 20;
        assert!(
            checked(&n, &slow)
                .unwrap_err()
                .to_string()
                .contains("80–450")
        );
    }

    #[test]
    fn paragraphs_are_kept_and_emoji_are_not_read() {
        let n = narrator("vi");
        let b = checked(&n, &bulletin("  Họp dân 🎉\r\n\r\n\tlúc 7h30  ", "vi")).unwrap();
        assert_eq!(b.text, "Họp dân 🎉\nlúc 7h30");
        let said = n.reading(&b.text, "vi").unwrap();
        assert!(!said.contains('🎉'), "{said}");
        assert!(said.contains("bảy giờ ba mươi"), "{said}");
    }
}
