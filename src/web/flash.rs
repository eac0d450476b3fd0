//! The one confirmation a page shows after a redirect ("Đã duyệt", "Đã tạo người dùng", "Đã
//! dừng phát khẩn cấp"): a handler that succeeded answers [`redirect`], which names a
//! [`Flash`] in a short-lived cookie; the next page shows it once at the top (through
//! `pages::Chrome`), and [`forget_once_shown`] removes the cookie with that page.
//!
//! Only the known confirmations travel in the cookie, so nothing typed by anyone is echoed
//! back from it. Must not hold page content or decide anything: it only carries the word.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::i18n::Text;

/// The cookie that carries a confirmation to the next page.
pub const COOKIE: &str = "loaxa_flash";

/// Something that just succeeded, confirmed on the page the browser is sent on to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// Saved (a draft, a slogan, a user's changes).
    Saved,
    /// Sent for approval.
    Submitted,
    /// Taken back from approval.
    Withdrawn,
    /// Approved: it airs or shows on the programme.
    Approved,
    /// Rejected, with its reason.
    Rejected,
    /// A new user can sign in.
    UserCreated,
    /// An emergency is on air.
    EmergencyStarted,
    /// The emergency ended; the programme carries on.
    EmergencyStopped,
    /// Approved content taken off air.
    TakenOff,
    /// An edit of approved content kept as a revision; the approved version airs meanwhile.
    RevisionSaved,
    /// An edit that changed nothing: no revision made.
    Unchanged,
}

impl Flash {
    const ALL: [Flash; 11] = [
        Flash::Saved,
        Flash::Submitted,
        Flash::Withdrawn,
        Flash::Approved,
        Flash::Rejected,
        Flash::UserCreated,
        Flash::EmergencyStarted,
        Flash::EmergencyStopped,
        Flash::TakenOff,
        Flash::RevisionSaved,
        Flash::Unchanged,
    ];

    /// Its name in the cookie.
    fn key(self) -> &'static str {
        match self {
            Flash::Saved => "saved",
            Flash::Submitted => "submitted",
            Flash::Withdrawn => "withdrawn",
            Flash::Approved => "approved",
            Flash::Rejected => "rejected",
            Flash::UserCreated => "user-created",
            Flash::EmergencyStarted => "emergency-started",
            Flash::EmergencyStopped => "emergency-stopped",
            Flash::TakenOff => "taken-off",
            Flash::RevisionSaved => "revision-saved",
            Flash::Unchanged => "unchanged",
        }
    }

    /// The confirmation a request carries, if any (an unknown value is none).
    pub fn of(jar: &CookieJar) -> Option<Flash> {
        let value = jar.get(COOKIE)?.value().to_string();
        Flash::ALL.into_iter().find(|f| f.key() == value)
    }

    /// What the page says, in its language.
    pub fn words(self, t: &'static Text) -> &'static str {
        match self {
            Flash::Saved => t.flash_saved,
            Flash::Submitted => t.flash_submitted,
            Flash::Withdrawn => t.flash_withdrawn,
            Flash::Approved => t.flash_approved,
            Flash::Rejected => t.flash_rejected,
            Flash::UserCreated => t.flash_user_created,
            Flash::EmergencyStarted => t.flash_emergency_started,
            Flash::EmergencyStopped => t.flash_emergency_stopped,
            Flash::TakenOff => t.flash_taken_off,
            Flash::RevisionSaved => t.flash_revision_saved,
            Flash::Unchanged => t.flash_unchanged,
        }
    }
}

/// Go on to `to` and confirm `flash` there.
pub fn redirect(to: &str, flash: Flash) -> Response {
    let cookie = Cookie::build((COOKIE, flash.key()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::minutes(2))
        .build();
    (CookieJar::new().add(cookie), Redirect::to(to)).into_response()
}

/// Middleware: once a page (HTML, not a redirect) answered a request that carried a
/// confirmation, the cookie goes, so a reload or the next page does not say it again.
pub async fn forget_once_shown(request: Request, next: Next) -> Response {
    let carried = CookieJar::from_headers(request.headers())
        .get(COOKIE)
        .is_some();
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if carried && is_page && !response.status().is_redirection() {
        let gone = Cookie::build((COOKIE, ""))
            .path("/")
            .max_age(time::Duration::ZERO)
            .build();
        if let Ok(v) = gone.to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_confirmations_are_read_back() {
        for f in Flash::ALL {
            let mut h = axum::http::HeaderMap::new();
            let cookie = format!("{COOKIE}={}", f.key());
            h.insert(header::COOKIE, cookie.parse().unwrap());
            assert_eq!(Flash::of(&CookieJar::from_headers(&h)), Some(f));
        }
        let mut h = axum::http::HeaderMap::new();
        let forged = format!("{COOKIE}=<script>alert(1)</script>");
        h.insert(header::COOKIE, forged.parse().unwrap());
        assert_eq!(Flash::of(&CookieJar::from_headers(&h)), None);
    }
}
