//! The HTML pages. Each handler asks for a [`PageUser`], checks the capability its page needs,
//! builds a view model with everything already formatted, and renders an askama template
//! (which HTML-escapes every value). No handler holds rules or SQL: each calls a use case or the
//! store, and presents.

mod airing;
mod asrun;
mod audit;
mod bulletins;
mod cluster;
mod dashboard;
mod display;
mod emergency;
mod items;
mod library;
mod listing;
mod login;
mod programme;
mod reports;
pub mod review;
mod revision;
mod settings;
mod users;

use askama::Template;
use axum::Router;
use axum::extract::OriginalUri;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;

use super::AppState;
use super::auth::PageUser;
use super::error::{AppError, PageError};
use super::i18n::{Lang, Text};
pub use super::i18n::{local, local_str};
use crate::display::slogans::Slogans;
use crate::model::said;
use crate::model::{Capability, ReviewState};
use crate::review::{Bulletins, Items};
use crate::store::Store;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::store::slogans::SloganRows;

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::set_lang))
        .route(
            "/setup/{token}",
            get(login::setup_form).post(login::setup_submit),
        )
        .route("/library", get(library::page))
        .route("/items", get(items::list))
        .route("/items/new", get(items::new_form).post(items::create))
        .route("/items/{id}", get(items::detail))
        .route(
            "/items/{id}/edit",
            get(items::edit_form).post(items::update),
        )
        .route("/approvals", get(items::approvals))
        .merge(bulletin_routes())
        .merge(programme::routes())
        .route("/display", get(display::page))
        .route(
            "/display/slogans/new",
            get(display::new_form).post(display::create),
        )
        .route(
            "/display/slogans/{id}/edit",
            get(display::edit_form).post(display::update),
        )
        .route("/emergency", get(emergency::page).post(emergency::post))
        .route("/banner", get(emergency::banner))
        .route("/emergency/stop", post(emergency::stop))
        .route("/asrun", get(asrun::page))
        .route("/cluster", get(cluster::page))
        .route("/reports", get(reports::page))
        .route("/audit", get(audit::page))
        .route("/users", get(users::page).post(users::create))
        .route("/users/{id}", post(users::update))
        .route("/users/tokens/{id}/revoke", post(users::revoke_token))
        .route("/settings", get(settings::page))
        .route("/settings/reload", post(settings::reload))
        .merge(review::routes::<Items>("/items"))
        .merge(review::routes::<Slogans>("/display/slogans"))
        .fallback(not_found)
}

/// Any other path: the station's own page saying so, in the visitor's language, with the way
/// back (the API under `/api/v1` answers its own JSON error).
async fn not_found(jar: CookieJar, OriginalUri(uri): OriginalUri) -> PageError {
    let path = uri.path();
    PageError::new(
        AppError::NotFound(said!(
            "không có trang {path} — có thể đường dẫn đã cũ",
            "there is no page {path} — the link may be out of date"
        )),
        Lang::of(&jar),
    )
}

/// Typed bulletins' pages and steps.
fn bulletin_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/bulletins/new",
            get(bulletins::new_form).post(bulletins::create),
        )
        .route("/bulletins/{id}", get(bulletins::detail))
        .route(
            "/bulletins/{id}/edit",
            get(bulletins::edit_form).post(bulletins::update),
        )
        .merge(review::routes::<Bulletins>("/bulletins"))
}

/// The header and menu every signed-in page shares.
pub struct Chrome {
    /// Words.
    pub t: &'static Text,
    /// Language.
    pub lang: Lang,
    /// Token for forms.
    pub csrf: String,
    /// Who is signed in.
    pub user_name: String,
    /// Their role, in words.
    pub role: &'static str,
    /// Which menu entry is lit.
    pub active: &'static str,
    /// Items waiting for approval, for the badge.
    pub pending: usize,
    /// May create and edit items.
    pub can_edit: bool,
    /// May approve.
    pub can_approve: bool,
    /// May take over the speakers.
    pub can_emergency: bool,
    /// May read the audit log.
    pub can_audit: bool,
    /// May read the province's reports.
    pub can_report: bool,
    /// May manage users and settings.
    pub can_admin: bool,
    /// What the page confirms after a redirect ("Đã duyệt"), in its language.
    pub flash: Option<&'static str>,
    /// The emergency on air, shown at the top of every page.
    pub banner: Option<crate::web::banner::Banner>,
}

impl Chrome {
    /// The chrome for `user` on the page `active`.
    pub async fn new(
        store: &Store,
        user: &PageUser,
        active: &'static str,
    ) -> Result<Chrome, PageError> {
        let role = user.authed.user.role;
        let pending = if role.can(Capability::Approve) {
            store
                .run(|c| {
                    let waiting = Some(ReviewState::Submitted);
                    Ok(ItemRows::list(c, waiting)?.len() + SloganRows::list(c, waiting)?.len())
                })
                .await
                .map_err(|e| user.err(e))?
        } else {
            0
        };
        Ok(Chrome {
            t: user.lang.text(),
            lang: user.lang,
            csrf: user.authed.csrf().to_string(),
            user_name: user.authed.user.display_name.clone(),
            role: user.lang.role(&role),
            active,
            pending,
            can_edit: role.can(Capability::Edit),
            can_approve: role.can(Capability::Approve),
            can_emergency: role.can(Capability::Emergency),
            can_audit: role.can(Capability::Audit),
            can_report: role.can(Capability::Report),
            can_admin: role.can(Capability::Administer),
            flash: user.flash.map(|f| f.words(user.lang.text())),
            banner: user.banner.clone(),
        })
    }
}

/// Render a template, or a page saying rendering failed.
pub fn render(page: impl Template, lang: Lang) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            PageError::new(super::error::AppError::Internal(e.to_string()), lang).into_response()
        }
    }
}

/// `m:ss` or `h:mm:ss` for a length in milliseconds.
pub fn duration(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_clocks() {
        assert_eq!(duration(4_029), "0:04");
        assert_eq!(duration(125_000), "2:05");
        assert_eq!(duration(3_725_000), "1:02:05");
    }
}
