//! The buttons of every reviewed kind's pages: submit, withdraw, approve and reject post here,
//! and go back to the leaders' queue or to the kind's own page; taking approved content off air
//! asks first on a page of its own. While a revision waits beside approved content, the same
//! buttons act on it. No rules here: each step is the review's, through `station::Reviews`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::revision::PendingView;
use super::{Chrome, local_str, render};
use crate::model::User;
use crate::model::audit::Entry;
use crate::review::{Action, Allowed, Kind, ReviewError};
use crate::station::Reviews;
use crate::store::Store;
use crate::web::AppState;
use crate::web::auth::{CanApprove, CanEdit, Page, PageUser};
use crate::web::error::PageError;
use crate::web::flash::{self, Flash};
use crate::web::review::Reviewed;

/// What a reviewed thing's page shows of its review, the same for every kind: whether the
/// reader made this version, the steps the rules let them take, and its audit history in the
/// commune's time. The templates' `review::actions` and `review::history` show it.
pub struct ReviewFacts {
    /// The reader made or edited this version (so they may not decide it).
    pub own: bool,
    /// The steps the rules let the reader take now.
    pub can_edit: bool,
    /// See [`ReviewFacts::can_edit`].
    pub can_submit: bool,
    /// See [`ReviewFacts::can_edit`].
    pub can_withdraw: bool,
    /// See [`ReviewFacts::can_edit`].
    pub can_decide: bool,
    /// See [`ReviewFacts::can_edit`]: take approved content off air.
    pub can_take_off: bool,
    /// The state of the version the buttons act on (a waiting revision's, if there is one).
    pub state_class: &'static str,
    /// The number of the version that airs or shows (or is being prepared).
    pub revision: i64,
    /// It is approved (an edit makes a revision).
    pub approved: bool,
    /// The revision waiting beside approved content, with what it changes.
    pub pending: Option<PendingView>,
    /// (when, who, action) of each audited step, oldest first.
    pub history: Vec<(String, String, String)>,
}

impl ReviewFacts {
    /// The facts of `record` for `me`, with its audit `log`.
    pub fn of<K: Kind>(record: &K::Record, me: &User, log: Vec<Entry>, tz: chrono_tz::Tz) -> Self {
        let standing = K::standing(record);
        let allowed = Allowed::of(&standing, me);
        ReviewFacts {
            own: standing.in_review().made_by(me.id),
            can_edit: allowed.edit,
            can_submit: allowed.submit,
            can_withdraw: allowed.withdraw,
            can_decide: allowed.decide,
            can_take_off: allowed.take_off,
            state_class: standing.in_review().state.as_str(),
            revision: standing.revision,
            approved: standing.state == crate::model::ReviewState::Approved,
            pending: None,
            history: log
                .into_iter()
                .map(|e| (local_str(&e.at, tz), e.actor, e.action))
                .collect(),
        }
    }

    /// These facts with the waiting revision's view.
    pub fn with_pending(mut self, pending: Option<PendingView>) -> Self {
        self.pending = pending;
        self
    }
}

/// The confirmation after an edit: a revision kept beside approved content, a plain save, or
/// nothing changed (no revision made); any other refusal is returned.
pub fn edited<K: Kind>(result: Result<K::Record, ReviewError>) -> Result<Flash, ReviewError> {
    match result {
        Ok(record) if K::standing(&record).pending.is_some() => Ok(Flash::RevisionSaved),
        Ok(_) => Ok(Flash::Saved),
        Err(ReviewError::Unchanged) => Ok(Flash::Unchanged),
        Err(e) => Err(e),
    }
}

/// The step routes of `K` under `base`: `{base}/{id}/submit`, `…/withdraw`, `…/approve`,
/// `…/reject`, and `…/take-off` (`GET` asks, `POST` does it).
pub fn routes<K: Reviewed>(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/{{id}}/submit"), post(submit::<K>))
        .route(&format!("{base}/{{id}}/withdraw"), post(withdraw::<K>))
        .route(&format!("{base}/{{id}}/approve"), post(approve::<K>))
        .route(&format!("{base}/{{id}}/reject"), post(reject::<K>))
        .route(
            &format!("{base}/{{id}}/take-off"),
            get(take_off_page::<K>).post(take_off::<K>),
        )
}

#[derive(Template)]
#[template(path = "take_off.html")]
struct TakeOffPage {
    c: Chrome,
    /// What is taken off, as people call it.
    label: String,
    /// Where the form posts.
    action: String,
    /// Where "cancel" goes.
    back: String,
}

/// `GET {base}/{id}/take-off`: what taking it off air does, and the button that does it.
async fn take_off_page<K: Reviewed>(
    State(store): State<Store>,
    State(reviews): State<Reviews<K>>,
    user: Page<CanApprove>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let record = reviews
        .get(id)
        .await
        .map_err(|e| user.err(e))?
        .ok_or_else(|| user.err(crate::web::review::missing::<K>(id)))?;
    let c = Chrome::new(&store, &user, K::NAV).await?;
    let page = TakeOffPage {
        c,
        label: K::label(&record),
        action: format!("{}/take-off", K::page_of(id)),
        back: K::page_after(id),
    };
    Ok(render(page, user.lang))
}

/// `POST {base}/{id}/take-off`: off air, back to draft, "Đã gỡ khỏi sóng".
async fn take_off<K: Reviewed>(
    State(reviews): State<Reviews<K>>,
    user: Page<CanApprove>,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&reviews, &user, id, Action::TakeOff, f).await
}

/// What the step buttons post: a reason when rejecting, and where to go back to.
#[derive(Debug, Deserialize)]
pub struct StepForm {
    reason: Option<String>,
    next: Option<String>,
}

/// `POST {base}/{id}/submit`.
async fn submit<K: Reviewed>(
    State(reviews): State<Reviews<K>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&reviews, &user, id, Action::Submit, f).await
}

/// `POST {base}/{id}/withdraw`.
async fn withdraw<K: Reviewed>(
    State(reviews): State<Reviews<K>>,
    user: Page<CanEdit>,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&reviews, &user, id, Action::Withdraw, f).await
}

/// `POST {base}/{id}/approve`.
async fn approve<K: Reviewed>(
    State(reviews): State<Reviews<K>>,
    user: Page<CanApprove>,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    step(&reviews, &user, id, Action::Approve, f).await
}

/// `POST {base}/{id}/reject`.
async fn reject<K: Reviewed>(
    State(reviews): State<Reviews<K>>,
    user: Page<CanApprove>,
    Path(id): Path<i64>,
    Form(mut f): Form<StepForm>,
) -> Result<Response, PageError> {
    let reason = f.reason.take().unwrap_or_default();
    step(&reviews, &user, id, Action::Reject(reason), f).await
}

/// Take the step and go back where the form came from.
async fn step<K: Reviewed>(
    reviews: &Reviews<K>,
    user: &PageUser,
    id: i64,
    action: Action<K::Content>,
    form: StepForm,
) -> Result<Response, PageError> {
    let done = match &action {
        Action::Submit => Flash::Submitted,
        Action::Withdraw => Flash::Withdrawn,
        Action::Approve => Flash::Approved,
        Action::Reject(_) => Flash::Rejected,
        Action::TakeOff => Flash::TakenOff,
        _ => Flash::Saved,
    };
    reviews
        .act(user.authed.user.clone(), id, action)
        .await
        .map_err(|e| user.err(e))?;
    let next = match form.next.as_deref() {
        Some("/approvals") => "/approvals".to_string(),
        _ => K::page_after(id),
    };
    Ok(flash::redirect(&next, done))
}
