//! The `/api/v1` operations every reviewed kind has: list, create, get, edit, and the four
//! review steps. The work is written once, generic over the kind; `reviewed_api!` gives each
//! kind its routes and their OpenAPI description (the description is per kind: utoipa
//! describes concrete functions), each a one-line call into the generic code. No rules here (they
//! are `review`'s) and no SQL (the store's).

use axum::http::StatusCode;
use serde::Deserialize;

use super::extract::Json;
use crate::model::{ReviewState, User};
use crate::review::{Action, Kind, ReviewError};
use crate::schedule::Timetable;
use crate::station::Reviews;
use crate::web::error::ApiError;
use crate::web::review::{Reviewed, known_places, missing};

/// Filter of a reviewed kind's list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only those in this state.
    pub state: Option<ReviewState>,
}

/// Why something is sent back.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Rejection {
    /// The reason, shown to the person who wrote it.
    pub reason: String,
}

/// All of kind `K` in the state asked for.
pub async fn list<K: Kind>(
    reviews: &Reviews<K>,
    q: ListQuery,
) -> Result<Json<Vec<K::Record>>, ApiError> {
    Ok(Json(reviews.list(q.state).await?))
}

/// Row `id` of kind `K` as the API shows it (items with when they air), or 404.
pub async fn one<K: Reviewed>(
    reviews: &Reviews<K>,
    timetable: &Timetable,
    id: i64,
) -> Result<Json<K::Shown>, ApiError> {
    let record = reviews
        .get(id)
        .await?
        .ok_or_else(|| ApiError(missing::<K>(id)))?;
    let now = chrono::Utc::now();
    Ok(Json(K::shown(
        record,
        &timetable.programme(),
        now,
        timetable.tz(),
    )))
}

/// A new draft by `actor`: 201 with it; 422 naming a slot or zone the programme lacks.
pub async fn create<K: Reviewed>(
    reviews: &Reviews<K>,
    timetable: &Timetable,
    actor: User,
    content: K::Content,
) -> Result<(StatusCode, Json<K::Record>), ApiError> {
    known_places::<K>(&timetable.programme(), &content)?;
    let record = reviews.create(actor, content, false).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// `action` on row `id` by `actor`: 200 with the row as it is now (an edit of approved
/// content: still approved, its `pending_revision` the draft revision); an edit naming a slot
/// or zone the programme lacks is 422; an edit that changes nothing makes no revision and
/// answers 200 with the row as it was.
pub async fn act<K: Reviewed>(
    reviews: &Reviews<K>,
    timetable: &Timetable,
    actor: User,
    id: i64,
    action: Action<K::Content>,
) -> Result<Json<K::Record>, ApiError> {
    if let Action::Edit(content) = &action {
        known_places::<K>(&timetable.programme(), content)?;
    }
    match reviews.act(actor, id, action).await {
        Err(ReviewError::Unchanged) => {
            let record = reviews.get(id).await?;
            Ok(Json(record.ok_or_else(|| ApiError(missing::<K>(id)))?))
        }
        done => Ok(Json(done?)),
    }
}

/// The API of one reviewed kind: a module `$module` with a handler per operation (each with
/// its OpenAPI description) and `routes()`, to merge into the `/api/v1` router. `$content` and
/// `$record` name the kind's model types.
macro_rules! reviewed_api {
    (
        mod $module:ident for $kind:path {
            tag: $tag:literal,
            paths: { list: $list:literal, one: $one:literal, submit: $submit:literal,
                withdraw: $withdraw:literal, approve: $approve:literal, reject: $reject:literal,
                take_off: $take_off:literal $(,)? },
            content: $content:ident,
            record: $record:ident,
            shown: $shown:ty,
            create_responses: [$($created:tt)*],
            docs: { list: $d_list:literal, create: $d_create:literal, get: $d_get:literal,
                edit: $d_edit:literal, submit: $d_submit:literal, withdraw: $d_withdraw:literal,
                approve: $d_approve:literal, reject: $d_reject:literal,
                take_off: $d_take_off:literal $(,)? } $(,)?
        }
    ) => {
        #[doc = concat!("`/api/v1", $list, "`: ", $tag, ", through the one review lifecycle.")]
        pub mod $module {
            use axum::extract::State;
            use axum::http::StatusCode;
            use axum::routing::{get as read, post};

            use crate::model::{$content, $record};
            use crate::review::Action;
            use crate::schedule::Timetable;
            use crate::station::Reviews;
            use crate::web::api::ErrorBody;
            use crate::web::api::extract::{Json, Path, Query};
            use crate::web::api::review::{self, ListQuery, Rejection};
            use crate::web::auth::{Api, CanApprove, CanEdit, CanView};
            use crate::web::error::ApiError;

            type K = $kind;

            #[doc = $d_list]
            #[utoipa::path(get, path = $list, params(ListQuery), tag = $tag,
                responses((status = 200, body = [$record])))]
            pub async fn list(
                State(r): State<Reviews<K>>,
                _: Api<CanView>,
                Query(q): Query<ListQuery>,
            ) -> Result<Json<Vec<$record>>, ApiError> {
                review::list(&r, q).await
            }

            #[doc = $d_create]
            #[utoipa::path(post, path = $list, tag = $tag, request_body = $content,
                responses((status = 201, body = $record), $($created)*))]
            pub async fn create(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanEdit>,
                Json(new): Json<$content>,
            ) -> Result<(StatusCode, Json<$record>), ApiError> {
                review::create(&r, &t, user.authed.user, new).await
            }

            #[doc = $d_get]
            #[utoipa::path(get, path = $one, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $shown), (status = 404, body = ErrorBody)))]
            pub async fn get(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                _: Api<CanView>,
                Path(id): Path<i64>,
            ) -> Result<Json<$shown>, ApiError> {
                review::one(&r, &t, id).await
            }

            #[doc = $d_edit]
            #[utoipa::path(put, path = $one, tag = $tag, params(("id" = i64, Path)),
                request_body = $content,
                responses((status = 200, body = $record), (status = 409, body = ErrorBody)))]
            pub async fn edit(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanEdit>,
                Path(id): Path<i64>,
                Json(new): Json<$content>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::Edit(new)).await
            }

            #[doc = $d_submit]
            #[utoipa::path(post, path = $submit, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $record), (status = 409, body = ErrorBody)))]
            pub async fn submit(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanEdit>,
                Path(id): Path<i64>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::Submit).await
            }

            #[doc = $d_withdraw]
            #[utoipa::path(post, path = $withdraw, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $record), (status = 409, body = ErrorBody)))]
            pub async fn withdraw(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanEdit>,
                Path(id): Path<i64>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::Withdraw).await
            }

            #[doc = $d_approve]
            #[utoipa::path(post, path = $approve, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $record), (status = 403, body = ErrorBody),
                    (status = 409, body = ErrorBody)))]
            pub async fn approve(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanApprove>,
                Path(id): Path<i64>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::Approve).await
            }

            #[doc = $d_reject]
            #[utoipa::path(post, path = $reject, tag = $tag, params(("id" = i64, Path)),
                request_body = Rejection,
                responses((status = 200, body = $record), (status = 400, body = ErrorBody),
                    (status = 409, body = ErrorBody)))]
            pub async fn reject(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanApprove>,
                Path(id): Path<i64>,
                Json(why): Json<Rejection>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::Reject(why.reason)).await
            }

            #[doc = $d_take_off]
            #[utoipa::path(post, path = $take_off, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $record), (status = 403, body = ErrorBody),
                    (status = 409, body = ErrorBody)))]
            pub async fn take_off(
                State(r): State<Reviews<K>>,
                State(t): State<Timetable>,
                user: Api<CanApprove>,
                Path(id): Path<i64>,
            ) -> Result<Json<$record>, ApiError> {
                review::act(&r, &t, user.authed.user, id, Action::TakeOff).await
            }

            /// The routes, relative to `/api/v1`.
            pub fn routes() -> axum::Router<crate::web::AppState> {
                axum::Router::new()
                    .route($list, read(list).post(create))
                    .route($one, read(get).put(edit))
                    .route($submit, post(submit))
                    .route($withdraw, post(withdraw))
                    .route($approve, post(approve))
                    .route($reject, post(reject))
                    .route($take_off, post(take_off))
            }
        }
    };
}

reviewed_api! {
    mod items for crate::review::Items {
        tag: "items",
        paths: { list: "/items", one: "/items/{id}", submit: "/items/{id}/submit",
            withdraw: "/items/{id}/withdraw", approve: "/items/{id}/approve",
            reject: "/items/{id}/reject", take_off: "/items/{id}/take-off" },
        content: NewItem,
        record: Item,
        shown: crate::web::review::ItemShown,
        create_responses: [(status = 404, description = "No such recording", body = ErrorBody), (status = 422, description = "A slot or zone the programme does not have, named", body = ErrorBody)],
        docs: {
            list: "List items, newest first.",
            create: "Create a draft item from a recording in the library.",
            get: "One item, with its next three airings (`next_airings`, planned as if approved) or, when it will not air, why (`will_not_air`).",
            edit: "Change an item (or its recording). A draft, submitted or rejected item is changed in place and is a draft again. An approved item stays approved and keeps airing: the change is a draft revision, shown as `pending_revision` (`id`, `revision`, `state`, `editors`), which the submit, withdraw, approve and reject steps of this item then act on; approving it replaces the approved version (`revision` goes up by one). An edit that changes nothing makes no revision (200, the item as it was). Whoever made or changed a version (`editors`) may not approve or reject it (403).",
            submit: "Send a draft (or rejected) item, or its draft revision, to the leaders.",
            withdraw: "Take back a submission (of the item or of its revision).",
            approve: "Approve a submitted item or its submitted revision (approvers; never one's own, nor a version one edited: 403). A second approval gets 409. The audit entry's `revision` names the version approved.",
            reject: "Reject a submitted item (or its submitted revision, the approved version staying on air) with a reason.",
            take_off: "Take an approved item off air (approvers): it stops airing and goes back to draft; a revision waiting becomes that draft. Audited as `item.take_off`.",
        },
    }
}

reviewed_api! {
    mod slogans for crate::display::slogans::Slogans {
        tag: "display",
        paths: { list: "/display/slogans", one: "/display/slogans/{id}",
            submit: "/display/slogans/{id}/submit", withdraw: "/display/slogans/{id}/withdraw",
            approve: "/display/slogans/{id}/approve", reject: "/display/slogans/{id}/reject",
            take_off: "/display/slogans/{id}/take-off" },
        content: NewSlogan,
        record: SloganRecord,
        shown: SloganRecord,
        create_responses: [(status = 400, body = ErrorBody), (status = 403, body = ErrorBody)],
        docs: {
            list: "Slogans in rotation order.",
            create: "Write a draft slogan. A letter the panel's font cannot draw is refused, named.",
            get: "One slogan.",
            edit: "Change a slogan. An approved slogan stays on the panel: the change is a draft revision (`pending_revision`) that the steps then act on, shown once approved. An edit that changes nothing makes no revision (200).",
            submit: "Send a draft (or rejected) slogan, or its draft revision, to the leaders.",
            withdraw: "Take back a submission.",
            approve: "Approve a submitted slogan or its revision: the panel shows it from the next frame. Not by whoever made or changed it (403).",
            reject: "Send a submitted slogan (or revision) back with a reason.",
            take_off: "Take an approved slogan off the panel (approvers): back to draft.",
        },
    }
}

reviewed_api! {
    mod bulletins for crate::review::Bulletins {
        tag: "bulletins",
        paths: { list: "/bulletins", one: "/bulletins/{id}", submit: "/bulletins/{id}/submit",
            withdraw: "/bulletins/{id}/withdraw", approve: "/bulletins/{id}/approve",
            reject: "/bulletins/{id}/reject", take_off: "/bulletins/{id}/take-off" },
        content: NewBulletin,
        record: Bulletin,
        shown: Bulletin,
        create_responses: [(status = 400, description = "Nothing to read, too long, or a voice not offered or not installed", body = ErrorBody)],
        docs: {
            list: "Typed bulletins (bản tin văn bản), newest first. Each is also an item (same id) and airs as one.",
            create: "Write a typed bulletin: the station reads `text` in `voice` at `rate` into a recording in the library (measured and levelled like an upload) and keeps a draft. The answer's `media_id` is that recording and `reading` exactly what the voice read. A voice that is not installed is a 400 naming what to install. Body at most 128 KiB, `text` at most 5000 characters.",
            get: "One typed bulletin, with its text, voice, rate, reading and recording.",
            edit: "Change a typed bulletin: it is read again into a new recording. An approved bulletin keeps airing its approved recording: the change is a draft revision (`pending_revision`) until approved. An edit that changes nothing makes no revision (200).",
            submit: "Send a draft (or rejected) bulletin to the leaders.",
            withdraw: "Take back a submission.",
            approve: "Approve a submitted bulletin (approvers; never one's own): it airs as an item in the slots its category and `slots` fit.",
            reject: "Send a submitted bulletin (or revision) back with a reason.",
            take_off: "Take an approved bulletin off air (approvers): back to draft.",
        },
    }
}
