//! The LED panel page: the panel as it is now (live), the slogans with their review state and
//! actions, and the slogan form with a preview that follows the typing. No rules or SQL here:
//! slogans go through the review, and the live panel is the driver's.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::review;
use super::revision::{PendingView, slogan_changes};
use super::{Chrome, local_str, render};
use crate::display::slogans::Slogans;
use crate::model::{Effect, NewSlogan, PanelColor, ReviewState, SloganRecord};
use crate::review::{Action, Allowed, Kind};
use crate::station::Reviews;
use std::sync::Arc;

use crate::config::Config;
use crate::display::driver::PanelDriver;
use crate::model::said;
use crate::store::Store;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::review::missing;

/// A slogan as a row shows it.
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) text: String,
    pub(super) color: String,
    pub(super) effect: &'static str,
    pub(super) window: String,
    pub(super) state: &'static str,
    pub(super) state_class: &'static str,
    pub(super) created_by: String,
    pub(super) decided: String,
    pub(super) reject_reason: Option<String>,
    pub(super) can_edit: bool,
    pub(super) can_submit: bool,
    pub(super) can_withdraw: bool,
    pub(super) can_decide: bool,
    pub(super) can_take_off: bool,
    /// The revision waiting beside the slogan the panel shows, with what it changes.
    pub(super) pending: Option<PendingView>,
}

fn row(s: &SloganRecord, user: &PageUser, tz: chrono_tz::Tz) -> Row {
    let allowed = Allowed::of(&Slogans::standing(s), &user.authed.user);
    let c = &s.content;
    Row {
        id: s.id,
        text: c.text.clone(),
        color: c.color.to_hex(),
        effect: user.lang.effect(c.effect),
        window: match (&c.show_from, &c.show_until) {
            (None, None) => user.lang.text().all_day.to_string(),
            (from, until) => format!(
                "{} – {}",
                from.as_deref().unwrap_or("00:00"),
                until.as_deref().unwrap_or("24:00")
            ),
        },
        state: user.lang.state(&s.state),
        state_class: s.state.as_str(),
        created_by: s
            .created_by_name
            .clone()
            .unwrap_or_else(|| user.lang.text().demo_content.to_string()),
        decided: match (&s.decided_by_name, &s.decided_at) {
            (Some(n), Some(at)) => format!("{n} · {}", local_str(at, tz)),
            _ => String::new(),
        },
        reject_reason: s.reject_reason.clone(),
        can_edit: allowed.edit,
        can_submit: allowed.submit,
        can_withdraw: allowed.withdraw,
        can_decide: allowed.decide,
        can_take_off: allowed.take_off,
        pending: None,
    }
}

/// The rows of `list`, each with its waiting revision (and what it changes).
async fn rows(
    list: &[SloganRecord],
    slogans: &Reviews<Slogans>,
    user: &PageUser,
    tz: chrono_tz::Tz,
) -> Result<Vec<(Row, Option<NewSlogan>)>, PageError> {
    let mut rows = Vec::new();
    for s in list {
        let mut r = row(s, user, tz);
        let revision = match &s.pending_revision {
            Some(p) => slogans
                .pending(s.id)
                .await
                .map_err(|e| user.err(e))?
                .map(|rev| {
                    let changes = slogan_changes(&s.content, &rev.content, user.lang);
                    r.pending = Some(PendingView::of(p, changes, user.lang));
                    rev.content
                }),
            None => None,
        };
        rows.push((r, revision));
    }
    Ok(rows)
}

#[derive(Template)]
#[template(path = "display.html")]
struct DisplayPage {
    c: Chrome,
    width: u32,
    height: u32,
    output: String,
    panel_error: Option<String>,
    rows: Vec<Row>,
}

/// `GET /display`.
pub async fn page(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(panel): State<Option<Arc<PanelDriver>>>,
    State(slogans): State<Reviews<Slogans>>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "display").await?;
    let list = slogans.list(None).await.map_err(|e| user.err(e))?;
    let tz = config.timezone;
    let d = &config.display;
    let page = DisplayPage {
        c,
        width: d.width,
        height: d.height,
        output: d.output.to_string(),
        panel_error: panel.as_ref().and_then(|p| p.health().error),
        rows: rows(&list, &slogans, &user, tz)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .collect(),
    };
    Ok(render(page, user.lang))
}

#[derive(Template)]
#[template(path = "slogan_form.html")]
struct FormPage {
    c: Chrome,
    editing: Option<i64>,
    error: Option<String>,
    mono: bool,
    form: SloganForm,
    effects: Vec<(&'static str, &'static str)>,
}

/// What the slogan form posts (and shows again, with the error, when it is refused). Every
/// field but the text may be left empty (its default then applies), so numbers arrive as
/// text and are read in [`SloganForm::to_new`], where a wrong one gets a clear message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SloganForm {
    text: String,
    color: String,
    effect: String,
    speed_px_s: String,
    hold_s: String,
    show_from: String,
    show_until: String,
    position: String,
}

/// The number typed in a form field, `default` when it was left empty.
fn number_or<T: std::str::FromStr>(
    typed: &str,
    default: T,
    (vi, en): (&str, &str),
) -> Result<T, AppError> {
    match typed.trim() {
        "" => Ok(default),
        v => v.parse().map_err(|_| {
            AppError::BadRequest(said!(
                "{vi}: \"{v}\" không phải số hợp lệ",
                "{en}: \"{v}\" is not a valid number"
            ))
        }),
    }
}

impl SloganForm {
    fn of(s: &NewSlogan) -> SloganForm {
        SloganForm {
            text: s.text.clone(),
            color: s.color.to_hex(),
            effect: s.effect.as_str().to_string(),
            speed_px_s: s.speed_px_s.to_string(),
            hold_s: s.hold_s.to_string(),
            show_from: s.show_from.clone().unwrap_or_default(),
            show_until: s.show_until.clone().unwrap_or_default(),
            position: s.position.to_string(),
        }
    }

    fn to_new(&self) -> Result<NewSlogan, AppError> {
        let bad = AppError::BadRequest;
        let color = match self.color.trim() {
            "" => PanelColor::RED,
            c => PanelColor::try_from(c.to_string()).map_err(bad)?,
        };
        let effect = match self.effect.as_str() {
            "" => Effect::default(),
            e => e.parse().map_err(bad)?,
        };
        let time = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(NewSlogan {
            text: self.text.clone(),
            color,
            effect,
            speed_px_s: number_or(&self.speed_px_s, 0, ("tốc độ", "speed"))?,
            hold_s: number_or(&self.hold_s, 5, ("thời gian hiện", "time shown"))?,
            show_from: time(&self.show_from),
            show_until: time(&self.show_until),
            position: number_or(&self.position, 0, ("thứ tự", "place"))?,
        })
    }
}

/// The slogan form; shown again with `error` (and status 400) when the server refused it.
async fn form_page(
    slogans: &Reviews<Slogans>,
    user: &PageUser,
    editing: Option<i64>,
    form: SloganForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let refused = error.is_some();
    let c = Chrome::new(&slogans.store, user, "display").await?;
    let page = FormPage {
        c,
        editing,
        error,
        mono: slogans.ctx.spec().kind.is_mono(),
        form,
        effects: Effect::ALL
            .iter()
            .map(|e| (e.as_str(), user.lang.effect(*e)))
            .collect(),
    };
    let mut page = render(page, user.lang);
    if refused {
        *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(page)
}

/// `GET /display/slogans/new`.
pub async fn new_form(
    State(slogans): State<Reviews<Slogans>>,
    user: Page<CanEdit>,
) -> Result<Response, PageError> {
    let blank = SloganForm {
        color: PanelColor::RED.to_hex(),
        effect: Effect::Scroll.as_str().into(),
        hold_s: "5".into(),
        ..SloganForm::default()
    };
    form_page(&slogans, &user, None, blank, None).await
}

/// `POST /display/slogans/new`: save a draft, or show the form again with what was wrong.
pub async fn create(
    State(slogans): State<Reviews<Slogans>>,
    user: Page<CanEdit>,
    Form(f): Form<SloganForm>,
) -> Result<Response, PageError> {
    let new = match f.to_new() {
        Ok(n) => n,
        Err(e) => {
            return form_page(
                &slogans,
                &user,
                None,
                f,
                Some(user.lang.say(&e.said()).to_string()),
            )
            .await;
        }
    };
    let saved = slogans.create(user.authed.user.clone(), new, false).await;
    match saved {
        Ok(_) => Ok(flash::redirect("/display", Flash::Saved)),
        Err(e) => {
            form_page(
                &slogans,
                &user,
                None,
                f,
                Some(user.lang.say(&e.said()).to_string()),
            )
            .await
        }
    }
}

/// `GET /display/slogans/{id}/edit`.
pub async fn edit_form(
    State(slogans): State<Reviews<Slogans>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let record = slogans
        .get(id)
        .await
        .map_err(|e| user.err(e))?
        .ok_or_else(|| user.err(missing::<Slogans>(id)))?;
    // A revision waiting is what the editor goes on changing.
    let record = slogans
        .pending(id)
        .await
        .map_err(|e| user.err(e))?
        .unwrap_or(record);
    form_page(
        &slogans,
        &user,
        Some(id),
        SloganForm::of(&record.content),
        None,
    )
    .await
}

/// `POST /display/slogans/{id}/edit`: an approved slogan goes back to draft and off the panel.
pub async fn update(
    State(slogans): State<Reviews<Slogans>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
    Form(f): Form<SloganForm>,
) -> Result<Response, PageError> {
    let result = match f.to_new() {
        Ok(new) => review::edited::<Slogans>(
            slogans
                .act(user.authed.user.clone(), id, Action::Edit(new))
                .await,
        )
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => Ok(flash::redirect("/display", done)),
        Err(e) => {
            form_page(
                &slogans,
                &user,
                Some(id),
                f,
                Some(user.lang.say(&e.said()).to_string()),
            )
            .await
        }
    }
}

/// A submitted slogan in the leaders' queue: its row and the preview of it on the panel.
pub(super) struct Pending {
    /// The row.
    pub(super) row: Row,
    /// `/api/v1/display/preview.png?…` for this slogan, without the moment (`ms`).
    pub(super) preview: String,
    /// The moment the still image shows: halfway through a showing, when a scrolling text is
    /// on the panel (at its start it has not come in yet, and the panel is dark).
    pub(super) still_ms: i64,
    /// How long one showing lasts, to loop the preview over; 0 for a still slogan.
    pub(super) moving_ms: i64,
}

/// The slogans waiting for a leader, for the approval queue.
pub(super) async fn pending(
    tz: chrono_tz::Tz,
    slogans: &Reviews<Slogans>,
    user: &PageUser,
) -> Result<Vec<Pending>, PageError> {
    let list = slogans
        .list(Some(ReviewState::Submitted))
        .await
        .map_err(|e| user.err(e))?;
    let panel = slogans.ctx.spec();
    Ok(rows(&list, slogans, user, tz)
        .await?
        .into_iter()
        .zip(&list)
        .map(|((row, revision), s)| {
            // The preview is of what the leader approves: the revision, while one waits.
            let c = revision.as_ref().unwrap_or(&s.content);
            let query = serde_urlencoded::to_string([
                ("text", c.text.as_str()),
                ("color", &c.color.to_hex()),
                ("effect", c.effect.as_str()),
                ("speed_px_s", &c.speed_px_s.to_string()),
                ("scale", "3"),
            ])
            .unwrap_or_default();
            let showing_ms = c.to_scene(s.id).slot_ms(panel);
            Pending {
                row,
                preview: format!("/api/v1/display/preview.png?{query}"),
                still_ms: showing_ms / 2,
                moving_ms: if c.effect == Effect::Static {
                    0
                } else {
                    showing_ms
                },
            }
        })
        .collect())
}
