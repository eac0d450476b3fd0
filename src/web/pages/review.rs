//! The buttons of every reviewed kind's pages: submit, withdraw, approve and reject post here,
//! and go back to the leaders' queue or to the kind's own page. No rules here: each step is the
//! review's, through `station::Reviews`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::local_str;
use crate::model::User;
use crate::model::audit::Entry;
use crate::review::{Action, Allowed, Kind};
use crate::station::Reviews;
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
    /// (when, who, action) of each audited step, oldest first.
    pub history: Vec<(String, String, String)>,
}

impl ReviewFacts {
    /// The facts of `record` for `me`, with its audit `log`.
    pub fn of<K: Kind>(record: &K::Record, me: &User, log: Vec<Entry>, tz: chrono_tz::Tz) -> Self {
        let standing = K::standing(record);
        let allowed = Allowed::of(&standing, me);
        ReviewFacts {
            own: standing.made_by(me.id),
            can_edit: allowed.edit,
            can_submit: allowed.submit,
            can_withdraw: allowed.withdraw,
            can_decide: allowed.decide,
            history: log
                .into_iter()
                .map(|e| (local_str(&e.at, tz), e.actor, e.action))
                .collect(),
        }
    }
}

/// The step routes of `K` under `base`: `{base}/{id}/submit`, `…/withdraw`, `…/approve`,
/// `…/reject`.
pub fn routes<K: Reviewed>(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/{{id}}/submit"), post(submit::<K>))
        .route(&format!("{base}/{{id}}/withdraw"), post(withdraw::<K>))
        .route(&format!("{base}/{{id}}/approve"), post(approve::<K>))
        .route(&format!("{base}/{{id}}/reject"), post(reject::<K>))
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
