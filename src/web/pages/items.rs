//! Broadcast items: the list, the form (with an optional upload), the detail page with its
//! audio player and actions, and the leaders' approval queue. No rules or SQL here: steps go
//! through the review, rows through the store.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::airing::{AiringView, Choices};
use super::listing::{Pager, href, page_of};
use super::review::{self, ReviewFacts};
use super::revision::{PendingView, item_changes, slot_titles};
use super::{Chrome, duration, local_str, render};
use crate::model::{Category, Item, NewItem, Placement, ReviewState, Tier};
use crate::review::{Action, Allowed, Bulletins, Items, Kind};
use crate::station::Reviews;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::store::{Store, audit, bulletins, media};
use crate::text::Search;
use std::sync::Arc;

use crate::config::Config;
use crate::display::slogans::Slogans;
use crate::model::said;
use crate::schedule::Timetable;
use crate::schedule::airing;
use crate::web::auth::*;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{self, Flash};
use crate::web::review::{missing, refused_places};
use crate::web::upload::{self, Uploads};

/// An item as a list row or a detail page shows it.
pub(super) struct View {
    pub(super) id: i64,
    pub(super) media_id: i64,
    pub(super) title: String,
    pub(super) category: &'static str,
    pub(super) tier: &'static str,
    pub(super) tier_class: &'static str,
    pub(super) state: &'static str,
    pub(super) state_class: &'static str,
    pub(super) window: String,
    pub(super) slots: String,
    pub(super) zones: String,
    pub(super) duration: String,
    pub(super) created_by: String,
    pub(super) decided: String,
    pub(super) reject_reason: Option<String>,
    /// When it airs next or why not; empty on list rows (set by [`View::airing`]).
    pub(super) airing: AiringView,
}

impl View {
    /// This view saying what the programme does with `item` now.
    pub(super) fn airing(
        mut self,
        item: &Item,
        timetable: &Timetable,
        lang: crate::web::i18n::Lang,
    ) -> View {
        let now = chrono::Utc::now();
        let programme = timetable.programme();
        self.slots = slot_titles(&programme, &item.slots, lang.text());
        self.airing = AiringView::of(item, &programme, now, timetable.tz(), lang);
        self
    }
}

/// `item` as `user` reads it, times in `tz`.
pub(super) fn view(item: &Item, user: &PageUser, tz: chrono_tz::Tz) -> View {
    let t = user.lang.text();
    let fmt =
        |d: Option<NaiveDate>| d.map_or("…".to_string(), |d| d.format("%d/%m/%Y").to_string());
    let list = |l: &[String]| {
        if l.is_empty() {
            t.all.to_string()
        } else {
            l.join(", ")
        }
    };
    View {
        id: item.id,
        media_id: item.media_id,
        title: item.title.clone(),
        category: user.lang.category(&item.category),
        tier: user.lang.tier(&item.tier),
        tier_class: item.tier.as_str(),
        state: user.lang.state(&item.state),
        state_class: item.state.as_str(),
        window: format!("{} – {}", fmt(item.air_from), fmt(item.air_until)),
        slots: list(&item.slots),
        zones: list(&item.zones),
        duration: duration(item.duration_ms),
        created_by: item.created_by_name.clone(),
        decided: match (&item.decided_by_name, &item.decided_at) {
            (Some(n), Some(at)) => format!("{n} · {}", local_str(at, tz)),
            _ => String::new(),
        },
        reject_reason: item.reject_reason.clone(),
        airing: AiringView::default(),
    }
}

#[derive(Template)]
#[template(path = "items.html")]
struct ItemsPage {
    c: Chrome,
    rows: Vec<View>,
    filter: String,
    q: String,
    pager: Pager,
    states: Vec<(&'static str, &'static str)>,
}

/// The items list's filters, kept in its address.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

/// `GET /items`: newest first, a page at a time, by state and by words of the title, the
/// author or the category.
pub async fn list(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(items): State<Reviews<Items>>,
    user: Page<CanView>,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "items").await?;
    let filter: Option<ReviewState> = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok());
    let search = Search::new(&q.q);
    let list = items.list(filter).await.map_err(|e| user.err(e))?;
    let tz = config.timezone;
    let found = list
        .iter()
        .map(|i| view(i, &user, tz))
        .filter(|v| search.finds(&[&v.title, &v.created_by, v.category]))
        .collect();
    let state = filter.map_or("", |f| f.as_str());
    let (rows, pager) = page_of(found, q.page, |n| {
        href(
            "/items",
            &[("state", state), ("q", &q.q), ("page", &n.to_string())],
        )
    });
    let page = ItemsPage {
        c,
        rows,
        filter: state.to_string(),
        q: q.q.clone(),
        pager,
        states: ReviewState::ALL
            .iter()
            .map(|s| (s.as_str(), user.lang.state(s)))
            .collect(),
    };
    Ok(render(page, user.lang))
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    rows: Vec<(View, bool, Option<PendingView>)>,
    bulletins: Vec<(super::bulletins::BulletinView, bool, Option<PendingView>)>,
    slogans: Vec<super::display::Pending>,
}

/// `GET /approvals`: the leaders' queue, with a player for each.
pub async fn approvals(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    State(items): State<Reviews<Items>>,
    State(slogans): State<Reviews<Slogans>>,
    State(bulletins_reviews): State<Reviews<Bulletins>>,
    user: Page<CanApprove>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "approvals").await?;
    let waiting = Some(ReviewState::Submitted);
    let list = items.list(waiting).await.map_err(|e| user.err(e))?;
    // Submitted themselves, or with a submitted revision waiting.
    let typed = bulletins_reviews
        .list(waiting)
        .await
        .map_err(|e| user.err(e))?;
    let tz = config.timezone;
    let me = &user.authed.user;
    // A typed bulletin is an item too: its card shows its text, so it is not shown twice.
    let programme = timetable.programme();
    let mut rows = Vec::new();
    for i in list
        .iter()
        .filter(|i| !typed.iter().any(|b| b.item.id == i.id))
    {
        let decide = Allowed::of(&Items::standing(i), me).decide;
        // A revision waiting: its card shows the revision, and what it changes.
        let (shown, pending) = match items.pending(i.id).await.map_err(|e| user.err(e))? {
            Some(rev) => {
                let changes = item_changes(i, &rev, &programme, user.lang);
                let p = i.pending_revision.as_ref().map(|r| {
                    PendingView::of(r, changes, user.lang).with_recordings(i.media_id, rev.media_id)
                });
                let mut v = view(&rev, &user, tz).airing(&rev, &timetable, user.lang);
                v.id = i.id;
                (v, p)
            }
            None => (view(i, &user, tz).airing(i, &timetable, user.lang), None),
        };
        rows.push((shown, !decide, pending));
    }
    let mut bulletins = Vec::new();
    for b in &typed {
        let decide = Allowed::of(&Bulletins::standing(b), me).decide;
        let rev = bulletins_reviews
            .pending(b.item.id)
            .await
            .map_err(|e| user.err(e))?;
        let shown_of = rev.as_ref().unwrap_or(b);
        let mut shown = super::bulletins::bulletin_view(shown_of, &user, tz);
        shown.item = shown.item.airing(&shown_of.item, &timetable, user.lang);
        shown.item.id = b.item.id;
        let pending = rev.as_ref().and_then(|rev| {
            let changes = super::revision::bulletin_changes(b, rev, &programme, user.lang);
            b.item.pending_revision.as_ref().map(|r| {
                PendingView::of(r, changes, user.lang)
                    .with_recordings(b.item.media_id, rev.item.media_id)
            })
        });
        bulletins.push((shown, !decide, pending));
    }
    let slogans = super::display::pending(config.timezone, &slogans, &user).await?;
    let page = ApprovalsPage {
        c,
        rows,
        bulletins,
        slogans,
    };
    Ok(render(page, user.lang))
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    c: Chrome,
    item: View,
    review: ReviewFacts,
    /// What the import found wrong with the recording (cut off, too quiet).
    recording_warnings: Vec<String>,
}

/// `GET /items/{id}`; a typed bulletin's item is shown on its own page.
pub async fn detail(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    user: Page<CanView>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    if is_bulletin(&store, &user, id).await? {
        return Ok(Redirect::to(&format!("/bulletins/{id}")).into_response());
    }
    let c = Chrome::new(&store, &user, "items").await?;
    let (item, log, recording, revision) = store
        .run(move |c| {
            let item = ItemRows::get(c, id)?;
            let log = audit::for_subject(c, &format!("item:{id}"))?;
            let recording = match &item {
                Some(i) => media::get(c, i.media_id)?,
                None => None,
            };
            Ok((item, log, recording, ItemRows::pending(c, id)?))
        })
        .await
        .map_err(|e| user.err(e))?;
    let item = item.ok_or_else(|| user.err(missing::<Items>(id)))?;
    let tz = config.timezone;
    let pending = match (&item.pending_revision, &revision) {
        (Some(r), Some(rev)) => {
            let changes = item_changes(&item, rev, &timetable.programme(), user.lang);
            Some(
                PendingView::of(r, changes, user.lang).with_recordings(item.media_id, rev.media_id),
            )
        }
        _ => None,
    };
    let page = ItemPage {
        review: ReviewFacts::of::<Items>(&item, &user.authed.user, log, tz).with_pending(pending),
        recording_warnings: recording
            .map_or(Vec::new(), |m| user.lang.say_all(&m.analysis.warnings)),
        item: view(&item, &user, tz).airing(&item, &timetable, user.lang),
        c,
    };
    Ok(render(page, user.lang))
}

#[derive(Template)]
#[template(path = "item_form.html")]
struct FormPage {
    c: Chrome,
    editing: Option<i64>,
    media: Vec<(i64, String, bool)>,
    categories: Vec<(&'static str, &'static str, bool)>,
    tiers: Vec<(&'static str, &'static str, bool)>,
    title: String,
    air_from: String,
    air_until: String,
    choices: Choices,
    max_mb: u64,
    /// Why the server refused what was posted, and the field it is about.
    error: Option<String>,
    field: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    media: Option<i64>,
}

/// The item form: empty (`draft` `None`, with `chosen_media` picked), an item's values, or
/// what was posted with the refusal `refused` (message, field) and status 400.
struct Form {
    editing: Option<i64>,
    draft: Option<NewItem>,
    chosen_media: Option<i64>,
    refused: Option<(String, &'static str)>,
}

async fn form_page(
    store: &Store,
    config: &Config,
    timetable: &Timetable,
    user: &PageUser,
    form: Form,
) -> Result<Response, PageError> {
    let c = Chrome::new(store, user, "items").await?;
    let library = store
        .run(|c| Ok(media::list(c, None)?))
        .await
        .map_err(|e| user.err(e))?;
    let existing = form.draft.as_ref();
    let chosen = existing.map(|i| i.media_id).or(form.chosen_media);
    let chosen_media = library.iter().find(|m| Some(m.id) == chosen);
    let category = existing
        .map(|i| i.category)
        .or(chosen_media.map(|m| m.category))
        .unwrap_or(Category::Bulletin);
    let tier = existing.map_or(Tier::Normal, |i| i.placement.tier);
    let today = chrono::Utc::now()
        .with_timezone(&config.timezone)
        .date_naive();
    let date = |d: Option<NaiveDate>| d.map_or(String::new(), |d| d.to_string());
    let places = airing::places(&timetable.programme());
    let none: &[String] = &[];
    let (error, field) = form.refused.map_or((None, ""), |(e, f)| (Some(e), f));
    let page = FormPage {
        c,
        editing: form.editing,
        media: library
            .iter()
            .map(|m| {
                (
                    m.id,
                    format!("{} ({})", m.title, duration(m.analysis.duration_ms)),
                    Some(m.id) == chosen,
                )
            })
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|x| (x.as_str(), user.lang.category(x), *x == category))
            .collect(),
        tiers: Tier::ALL
            .iter()
            .map(|x| (x.as_str(), user.lang.tier(x), *x == tier))
            .collect(),
        title: existing
            .map(|i| i.title.clone())
            .or(chosen_media.map(|m| m.title.clone()))
            .unwrap_or_default(),
        air_from: existing.map_or(today.to_string(), |i| date(i.placement.air_from)),
        air_until: existing.map_or((today + chrono::Duration::days(7)).to_string(), |i| {
            date(i.placement.air_until)
        }),
        choices: Choices::of(
            &places,
            existing.map_or(none, |i| &i.placement.slots),
            existing.map_or(none, |i| &i.placement.zones),
        ),
        max_mb: config.web.max_upload_mb,
        error,
        field,
    };
    let mut page = render(page, user.lang);
    if !field.is_empty() {
        *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(page)
}

/// `GET /items/new`.
pub async fn new_form(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    user: Page<CanEdit>,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = Form {
        editing: None,
        draft: None,
        chosen_media: q.media,
        refused: None,
    };
    form_page(&store, &config, &timetable, &user, form).await
}

/// Whether item `id` is a typed bulletin (edited and shown through its text).
async fn is_bulletin(store: &Store, user: &PageUser, id: i64) -> Result<bool, PageError> {
    store
        .run(move |c| Ok(bulletins::is_bulletin(c, id)?))
        .await
        .map_err(|e| user.err(e))
}

/// `GET /items/{id}/edit`; a typed bulletin's text is edited on its own form.
pub async fn edit_form(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    State(items): State<Reviews<Items>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    if is_bulletin(&store, &user, id).await? {
        return Ok(Redirect::to(&format!("/bulletins/{id}/edit")).into_response());
    }
    let item = items.get(id).await.map_err(|e| user.err(e))?;
    let item = item.ok_or_else(|| user.err(missing::<Items>(id)))?;
    // A revision waiting is what the editor goes on changing.
    let item = items
        .pending(id)
        .await
        .map_err(|e| user.err(e))?
        .unwrap_or(item);
    let form = Form {
        editing: Some(id),
        draft: Some(item.content()),
        chosen_media: None,
        refused: None,
    };
    form_page(&store, &config, &timetable, &user, form).await
}

/// Turn form fields (and a freshly uploaded recording) into what an item says.
pub fn new_item_from(
    fields: &HashMap<String, String>,
    uploaded: Option<&crate::model::Media>,
) -> Result<NewItem, AppError> {
    let get = |k: &str| fields.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let bad = AppError::BadRequest;
    let media_id = match uploaded {
        Some(m) => m.id,
        None => get("media_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                bad(said!(
                    "hãy chọn bản ghi hoặc tải bản ghi mới",
                    "choose a recording or upload one"
                ))
            })?,
    };
    let date = |k: &str| -> Result<Option<NaiveDate>, AppError> {
        get(k)
            .map(|v| {
                v.parse().map_err(|_| {
                    bad(said!(
                        "ngày \"{v}\" không hợp lệ (YYYY-MM-DD)",
                        "\"{v}\" is not a date (YYYY-MM-DD)"
                    ))
                })
            })
            .transpose()
    };
    let list = |k: &str| {
        get(k).map_or(Vec::new(), |v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    };
    Ok(NewItem {
        media_id,
        title: get("title")
            .map(String::from)
            .or(uploaded.map(|m| m.title.clone()))
            .unwrap_or_default(),
        category: match get("category") {
            Some(c) => c.parse().map_err(AppError::BadRequest)?,
            None => uploaded.map_or(Category::Bulletin, |m| m.category),
        },
        placement: Placement {
            tier: get("tier")
                .map_or(Ok(Tier::Normal), str::parse)
                .map_err(AppError::BadRequest)?,
            air_from: date("air_from")?,
            air_until: date("air_until")?,
            slots: list("slots"),
            zones: list("zones"),
        },
    })
}

/// The item form's fields and optional new recording (taken into the library by `actor`), as
/// what the item says and the raw fields.
async fn received(
    uploads: &Uploads,
    form: Multipart,
    actor: &crate::model::User,
) -> Result<(NewItem, HashMap<String, String>), AppError> {
    let up = upload::receive(uploads, form, &actor.name).await?;
    let new = new_item_from(&up.fields, up.imported.as_ref().map(|i| &i.media))?;
    Ok((new, up.fields))
}

/// The form again with what was posted when it names a slot or zone the programme does not
/// have (the field marked), or `None` when every name is known.
async fn unknown_places(
    parts: (&Store, &Config, &Timetable),
    user: &PageUser,
    editing: Option<i64>,
    new: &NewItem,
) -> Result<Option<Response>, PageError> {
    let (store, config, timetable) = parts;
    let Some(refused) = refused_places(
        &timetable.programme(),
        &new.placement.slots,
        &new.placement.zones,
    ) else {
        return Ok(None);
    };
    let form = Form {
        editing,
        draft: Some(new.clone()),
        chosen_media: None,
        refused: Some((user.lang.say(&refused.0).to_string(), refused.1)),
    };
    form_page(store, config, timetable, user, form)
        .await
        .map(Some)
}

/// `POST /items/new`: multipart, with an optional new recording. Creates a draft, and submits
/// it when asked.
pub async fn create(
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    State(uploads): State<Uploads>,
    State(items): State<Reviews<Items>>,
    user: Page<CanEdit>,
    form: Multipart,
) -> Result<Response, PageError> {
    let actor = user.authed.user.clone();
    let (new, fields) = received(&uploads, form, &actor)
        .await
        .map_err(|e| user.err(e))?;
    let parts = (&items.store, config.as_ref(), &timetable);
    if let Some(again) = unknown_places(parts, &user, None, &new).await? {
        return Ok(again);
    }
    let submit = fields
        .get("submit_now")
        .is_some_and(|v| v == "on" || v == "1");
    let item = items
        .create(actor, new, submit)
        .await
        .map_err(|e| user.err(e))?;
    let done = if submit {
        Flash::Submitted
    } else {
        Flash::Saved
    };
    Ok(flash::redirect(&format!("/items/{}", item.id), done))
}

/// `POST /items/{id}/edit`: multipart like `create`; any change needs approval again.
pub async fn update(
    State(config): State<Arc<Config>>,
    State(timetable): State<Timetable>,
    State(uploads): State<Uploads>,
    State(items): State<Reviews<Items>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, PageError> {
    let actor = user.authed.user.clone();
    let (new, _) = received(&uploads, form, &actor)
        .await
        .map_err(|e| user.err(e))?;
    let parts = (&items.store, config.as_ref(), &timetable);
    if let Some(again) = unknown_places(parts, &user, Some(id), &new).await? {
        return Ok(again);
    }
    let done = review::edited::<Items>(items.act(actor, id, Action::Edit(new)).await)
        .map_err(|e| user.err(e))?;
    Ok(flash::redirect(&format!("/items/{id}"), done))
}
