//! Typed bulletins' pages: the form (write the notice, choose the voice and rate, and when and
//! where it airs), and the detail page with the recording the voice made, the text and what
//! the voice read. A refusal (a voice not installed, a text with nothing to read) comes back in
//! the form with what was typed. Steps (submit, approve…) go through [`super::review`]. No rules or
//! SQL here: the review and the store do them, and the narrator reads the text aloud.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;

use super::airing::Choices;
use super::items::{View, view};
use super::review::{self, ReviewFacts};
use super::revision::{PendingView, bulletin_changes};
use super::{Chrome, render};
use crate::config::Config;
use crate::model::Said;
use crate::model::said;
use crate::model::{Bulletin, Category, NewBulletin, Placement, Tier};
use crate::review::bulletins::Narrator;
use crate::review::{Action, Bulletins, ReviewError};
use crate::schedule::Timetable;
use crate::schedule::airing;
use crate::speech::NATURAL_RATE;
use crate::station::Reviews;
use crate::store::bulletins::BulletinRows;
use crate::store::review::ReviewedRows;
use crate::store::{Store, audit};
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::i18n::Lang;
use crate::web::input::joined;
use crate::web::review::{known_places, missing, refused_places};

/// A voice's name as people choose it: the dialect, then the name the API takes.
pub(super) fn voice_label(lang: Lang, name: &str) -> String {
    let (vi, en) = match name {
        "vi" => ("Giọng Bắc", "Northern"),
        "vi-central" => ("Giọng Trung", "Central"),
        "vi-south" => ("Giọng Nam", "Southern"),
        _ => ("Giọng Piper", "Piper voice"),
    };
    let file = name.rsplit('/').next().unwrap_or(name);
    match lang {
        Lang::Vi => format!("{vi} ({file})"),
        Lang::En => format!("{en} ({file})"),
    }
}

/// A bulletin as its detail page and the approval card show it.
pub(super) struct BulletinView {
    /// The item it airs as.
    pub(super) item: View,
    /// The text as written.
    pub(super) text: String,
    /// What the voice read.
    pub(super) reading: String,
    /// The voice, in words.
    pub(super) voice: String,
    /// Words per minute.
    pub(super) rate: u16,
}

/// `b` as `user` reads it, times in `tz`.
pub(super) fn bulletin_view(b: &Bulletin, user: &PageUser, tz: chrono_tz::Tz) -> BulletinView {
    BulletinView {
        item: view(&b.item, user, tz),
        text: b.text.clone(),
        reading: b.reading.clone(),
        voice: voice_label(user.lang, &b.voice),
        rate: b.rate,
    }
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct DetailPage {
    c: Chrome,
    b: BulletinView,
    review: ReviewFacts,
}

/// `GET /bulletins/{id}`.
pub async fn detail(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    user: Page<CanView>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "items").await?;
    let (bulletin, log, revision) = store
        .run(move |c| {
            let bulletin = BulletinRows::get(c, id)?;
            let revision = BulletinRows::pending(c, id)?;
            // Its own steps, and those taken on it as an item (expiry, the items' buttons).
            let mut log = audit::for_subject(c, &format!("bulletin:{id}"))?;
            log.extend(audit::for_subject(c, &format!("item:{id}"))?);
            log.sort_by(|a, b| a.at.cmp(&b.at));
            Ok((bulletin, log, revision))
        })
        .await
        .map_err(|e| user.err(e))?;
    let bulletin = bulletin.ok_or_else(|| user.err(missing::<Bulletins>(id)))?;
    let tz = config.timezone;
    let pending = match (&bulletin.item.pending_revision, &revision) {
        (Some(r), Some(rev)) => {
            let changes = bulletin_changes(&bulletin, rev, &timetable.programme(), user.lang);
            Some(
                PendingView::of(r, changes, user.lang)
                    .with_recordings(bulletin.item.media_id, rev.item.media_id),
            )
        }
        _ => None,
    };
    let page = DetailPage {
        review: ReviewFacts::of::<Bulletins>(&bulletin, &user.authed.user, log, tz)
            .with_pending(pending),
        b: BulletinView {
            item: view(&bulletin.item, &user, tz).airing(&bulletin.item, &timetable, user.lang),
            ..bulletin_view(&bulletin, &user, tz)
        },
        c,
    };
    Ok(render(page, user.lang))
}

#[derive(Template)]
#[template(path = "bulletin_form.html")]
struct FormPage {
    c: Chrome,
    editing: Option<i64>,
    error: Option<String>,
    title: String,
    text: String,
    voices: Vec<(String, String, bool)>,
    rate: String,
    categories: Vec<(&'static str, &'static str, bool)>,
    tiers: Vec<(&'static str, &'static str, bool)>,
    air_from: String,
    air_until: String,
    choices: Choices,
    /// The field the server refused (`slots`, `zones`), if it was one of those.
    field: &'static str,
}

/// What the form shows in its fields: a stored bulletin's, a new one's defaults, or what was
/// typed into a refused one.
#[derive(Debug, Default)]
struct Typed {
    title: String,
    text: String,
    voice: String,
    rate: String,
    category: String,
    tier: String,
    air_from: String,
    air_until: String,
    slots: String,
    zones: String,
}

impl Typed {
    fn of(b: &Bulletin) -> Typed {
        let date = |d: Option<NaiveDate>| d.map_or(String::new(), |d| d.to_string());
        Typed {
            title: b.item.title.clone(),
            text: b.text.clone(),
            voice: b.voice.clone(),
            rate: b.rate.to_string(),
            category: b.item.category.as_str().into(),
            tier: b.item.tier.as_str().into(),
            air_from: date(b.item.air_from),
            air_until: date(b.item.air_until),
            slots: b.item.slots.join(", "),
            zones: b.item.zones.join(", "),
        }
    }

    fn fresh(today: NaiveDate) -> Typed {
        Typed {
            voice: "vi".into(),
            rate: NATURAL_RATE.to_string(),
            category: Category::Notice.as_str().into(),
            tier: Tier::Normal.as_str().into(),
            air_from: today.to_string(),
            air_until: (today + chrono::Duration::days(7)).to_string(),
            ..Typed::default()
        }
    }

    fn from_form(f: &HashMap<String, String>) -> Typed {
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        Typed {
            title: get("title"),
            text: get("text"),
            voice: get("voice"),
            rate: get("rate"),
            category: get("category"),
            tier: get("tier"),
            air_from: get("air_from"),
            air_until: get("air_until"),
            slots: get("slots"),
            zones: get("zones"),
        }
    }

    /// What the bulletin says, or why the fields cannot say it.
    fn parse(&self) -> Result<NewBulletin, AppError> {
        let bad = |what: Said| AppError::BadRequest(what);
        let trimmed = |s: &str| s.trim().to_string();
        let date = |v: &str| -> Result<Option<NaiveDate>, AppError> {
            let v = v.trim();
            (!v.is_empty())
                .then(|| {
                    v.parse().map_err(|_| {
                        bad(said!(
                            "ngày \"{v}\" không hợp lệ (YYYY-MM-DD)",
                            "\"{v}\" is not a date (YYYY-MM-DD)"
                        ))
                    })
                })
                .transpose()
        };
        let rate = match self.rate.trim() {
            "" => NATURAL_RATE,
            r => r.parse().map_err(|_| {
                bad(said!(
                    "tốc độ \"{r}\" không phải số",
                    "the rate \"{r}\" is not a number"
                ))
            })?,
        };
        Ok(NewBulletin {
            title: trimmed(&self.title),
            text: self.text.clone(),
            voice: trimmed(&self.voice),
            rate,
            category: self.category.trim().parse().map_err(bad)?,
            placement: Placement {
                tier: self.tier.trim().parse().map_err(bad)?,
                air_from: date(&self.air_from)?,
                air_until: date(&self.air_until)?,
                slots: names(&self.slots),
                zones: names(&self.zones),
            },
            media_id: None,
            reading: None,
        })
    }
}

/// The names in a comma-separated field (the slot and zone checkboxes arrive joined).
fn names(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The parts of the station the form needs besides the store.
type FormParts<'a> = (&'a Store, &'a Narrator, &'a Timetable);

async fn form_page(
    (store, narrator, timetable): FormParts<'_>,
    user: &PageUser,
    editing: Option<i64>,
    typed: Typed,
    error: Option<String>,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "items").await?;
    let programme = timetable.programme();
    let (slots, zones) = (names(&typed.slots), names(&typed.zones));
    // A refused form marks the slot or zone field when a name there is what was wrong.
    let field = match &error {
        Some(_) => refused_places(&programme, &slots, &zones).map_or("", |(_, f)| f),
        None => "",
    };
    let lang = user.lang;
    let mut voices: Vec<(String, String, bool)> = narrator
        .voices()
        .iter()
        .map(|v| (v.clone(), voice_label(lang, v), *v == typed.voice))
        .collect();
    if !typed.voice.is_empty() && !voices.iter().any(|v| v.2) {
        // A stored voice no longer offered (the config changed): shown, so the form says so.
        voices.push((typed.voice.clone(), typed.voice.clone(), true));
    }
    let page = FormPage {
        c,
        editing,
        error,
        voices,
        categories: Category::ALL
            .iter()
            .map(|x| (x.as_str(), lang.category(x), x.as_str() == typed.category))
            .collect(),
        tiers: Tier::ALL
            .iter()
            .map(|x| (x.as_str(), lang.tier(x), x.as_str() == typed.tier))
            .collect(),
        title: typed.title,
        text: typed.text,
        rate: typed.rate,
        air_from: typed.air_from,
        air_until: typed.air_until,
        choices: Choices::of(&airing::places(&programme), &slots, &zones),
        field,
    };
    Ok(render(page, lang))
}

/// `GET /bulletins/new`.
pub async fn new_form(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    State(narrator): State<Arc<Narrator>>,
    user: Page<CanEdit>,
) -> Result<Response, PageError> {
    let today = chrono::Utc::now()
        .with_timezone(&config.timezone)
        .date_naive();
    let parts = (&store, narrator.as_ref(), &timetable);
    form_page(parts, &user, None, Typed::fresh(today), None).await
}

/// `GET /bulletins/{id}/edit`.
pub async fn edit_form(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(bulletins): State<Reviews<Bulletins>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let b = bulletins.get(id).await.map_err(|e| user.err(e))?;
    let b = b.ok_or_else(|| user.err(missing::<Bulletins>(id)))?;
    // A revision waiting is what the editor goes on changing.
    let b = bulletins
        .pending(id)
        .await
        .map_err(|e| user.err(e))?
        .unwrap_or(b);
    let parts = (&store, bulletins.ctx.as_ref(), &timetable);
    form_page(parts, &user, Some(id), Typed::of(&b), None).await
}

/// A refusal of what was typed comes back in the form; anything else is an error page.
async fn refused(
    parts: FormParts<'_>,
    user: &PageUser,
    editing: Option<i64>,
    typed: Typed,
    e: AppError,
) -> Result<Response, PageError> {
    match e {
        AppError::BadRequest(why) | AppError::NotFound(why) | AppError::Unprocessable(why) => {
            let mut page = form_page(
                parts,
                user,
                editing,
                typed,
                Some(user.lang.say(&why).to_string()),
            )
            .await?;
            *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(page)
        }
        other => Err(user.err(other)),
    }
}

/// `POST /bulletins/new`: read the text aloud into the library and keep a draft (submitted at
/// once when asked).
pub async fn create(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(bulletins): State<Reviews<Bulletins>>,
    user: Page<CanEdit>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = joined(fields);
    let typed = Typed::from_form(&fields);
    let submit = fields
        .get("submit_now")
        .is_some_and(|v| v == "on" || v == "1");
    let parsed = typed
        .parse()
        .and_then(|new| known_places::<Bulletins>(&timetable.programme(), &new).map(|()| new));
    let made = match parsed {
        Ok(new) => bulletins
            .create(user.authed.user.clone(), new, submit)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match made {
        Ok(b) => Ok(flash::redirect(
            &format!("/bulletins/{}", b.item.id),
            if submit {
                Flash::Submitted
            } else {
                Flash::Saved
            },
        )),
        Err(e) => {
            let parts = (&store, bulletins.ctx.as_ref(), &timetable);
            refused(parts, &user, None, typed, e).await
        }
    }
}

/// `POST /bulletins/{id}/edit`: read the new text into a new recording; back to draft.
pub async fn update(
    State(store): State<Store>,
    State(timetable): State<Timetable>,
    State(bulletins): State<Reviews<Bulletins>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let typed = Typed::from_form(&joined(fields));
    let parsed = typed
        .parse()
        .and_then(|new| known_places::<Bulletins>(&timetable.programme(), &new).map(|()| new));
    let edited = match parsed {
        Ok(new) => review::edited::<Bulletins>(
            bulletins
                .act(user.authed.user.clone(), id, Action::Edit(new))
                .await,
        )
        .map_err(|e: ReviewError| AppError::from(e)),
        Err(e) => Err(e),
    };
    match edited {
        Ok(done) => Ok(flash::redirect(&format!("/bulletins/{id}"), done)),
        Err(e) => {
            let parts = (&store, bulletins.ctx.as_ref(), &timetable);
            refused(parts, &user, Some(id), typed, e).await
        }
    }
}
