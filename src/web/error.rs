//! Errors as people and scripts see them: one enum, an explicit status for each variant, a
//! page in the user's language for browsers and `{"error": {"code", "message"}}` for the API.
//! Details of server faults go to the log, never to the client.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::i18n::{Lang, Text};
use crate::emergency::EmergencyError;
use crate::media::library::ImportError;
use crate::model::Said;
use crate::model::said;
use crate::review::ReviewError;
use crate::schedule::edit::EditError;
use crate::station::accounts::AccountsError;
use crate::station::cap::CapError;
use crate::station::programme::ProgrammeError;
use crate::store::StoreError;

/// Something a request cannot have.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum AppError {
    /// Not signed in, or the session ended. 401.
    Unauthorized,
    /// An API token that no longer works (revoked, its user disabled), said why. 401.
    TokenRefused(Said),
    /// Signed in but not allowed. 403.
    Forbidden(Said),
    /// No such thing. 404.
    NotFound(Said),
    /// The input is wrong. 400.
    BadRequest(Said),
    /// Someone else changed it first, or it is in the wrong state. 409.
    Conflict(Said),
    /// Too big. 413.
    TooLarge(Said),
    /// The file is not something we can use. 415.
    Unsupported(Said),
    /// Well-formed but refused on its merits (a CAP alert for another area). 422.
    Unprocessable(Said),
    /// The data disk is nearly full. 507.
    InsufficientStorage(Said),
    /// Slow down. 429.
    TooManyRequests(Said),
    /// The request did not arrive in time. 408.
    Timeout(Said),
    /// Our fault; the details are logged. 500.
    Internal(String),
}

impl AppError {
    /// What the person is told, in both languages; a server fault's detail only goes to the log.
    pub fn said(&self) -> Said {
        match self {
            AppError::Unauthorized => said!("hãy đăng nhập", "please sign in"),
            AppError::Internal(_) => said!(
                "lỗi máy chủ — đã ghi vào nhật ký",
                "server error — written to the log"
            ),
            AppError::TokenRefused(s)
            | AppError::Forbidden(s)
            | AppError::NotFound(s)
            | AppError::BadRequest(s)
            | AppError::Conflict(s)
            | AppError::TooLarge(s)
            | AppError::Unsupported(s)
            | AppError::Unprocessable(s)
            | AppError::InsufficientStorage(s)
            | AppError::TooManyRequests(s)
            | AppError::Timeout(s) => s.clone(),
        }
    }

    /// The HTTP status for each kind of error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized | AppError::TokenRefused(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::TokenRefused(_) => "token_refused",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Unsupported(_) => "unsupported_media",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Timeout(_) => "timeout",
            AppError::InsufficientStorage(_) => "insufficient_storage",
            AppError::Internal(_) => "internal",
        }
    }

    /// Not allowed to do this.
    pub fn forbidden() -> Self {
        AppError::Forbidden(said!(
            "bạn không có quyền làm việc này",
            "you are not allowed to do this"
        ))
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!("{detail}");
            crate::ops::metrics::error("http");
        }
    }
}

impl From<StoreError> for AppError {
    /// A repeated unique value is the caller's conflict (409); anything else the database
    /// says is ours (500).
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => AppError::Conflict(e.said()),
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<crate::station::reports::ReportError> for AppError {
    fn from(e: crate::station::reports::ReportError) -> Self {
        use crate::station::reports::ReportError;
        match e {
            ReportError::Month(_) | ReportError::Kind(_) => AppError::BadRequest(e.said()),
            ReportError::Store(e) => e.into(),
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<ProgrammeError> for AppError {
    /// A change that would break the programme or is badly formed is the caller's (422, 400);
    /// a stale form is a conflict (409).
    fn from(e: ProgrammeError) -> Self {
        let msg = e.said();
        match e {
            ProgrammeError::Edit(EditError::Refused(_))
            | ProgrammeError::Edit(EditError::Unreadable(_))
            | ProgrammeError::Edit(EditError::NotEditable(_)) => AppError::Unprocessable(msg),
            ProgrammeError::Edit(EditError::Stale(_)) => AppError::Conflict(msg),
            ProgrammeError::Edit(EditError::NotFound(_))
            | ProgrammeError::Edit(EditError::NoFile(_)) => AppError::NotFound(msg),
            ProgrammeError::Edit(EditError::Invalid(_)) => AppError::BadRequest(msg),
            ProgrammeError::NoFiles => AppError::Conflict(msg),
            ProgrammeError::Edit(EditError::Io { .. }) | ProgrammeError::Store(_) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<ReviewError> for AppError {
    fn from(e: ReviewError) -> Self {
        let msg = e.said();
        match e {
            ReviewError::Forbidden | ReviewError::OwnItem | ReviewError::EditedIt => {
                AppError::Forbidden(msg)
            }
            ReviewError::WrongState { .. } | ReviewError::Conflict | ReviewError::Unchanged => {
                AppError::Conflict(msg)
            }
            ReviewError::NotFound(_) => AppError::NotFound(msg),
            ReviewError::Invalid(_) => AppError::BadRequest(msg),
            ReviewError::Store(e) => e.into(),
        }
    }
}

impl From<EmergencyError> for AppError {
    fn from(e: EmergencyError) -> Self {
        match e {
            EmergencyError::Invalid(m) => AppError::BadRequest(m),
            EmergencyError::NothingOnAir => AppError::Conflict(e.said()),
            EmergencyError::Store(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<CapError> for AppError {
    fn from(e: CapError) -> Self {
        match e {
            CapError::Refused(_) => AppError::Unprocessable(e.said()),
            CapError::AlreadyActedOn { .. } => AppError::Conflict(e.said()),
            CapError::Emergency(e) => e.into(),
            CapError::Store(e) => e.into(),
        }
    }
}

impl From<AccountsError> for AppError {
    fn from(e: AccountsError) -> Self {
        let msg = e.said();
        match e {
            AccountsError::Invalid(_) => AppError::BadRequest(msg),
            AccountsError::Taken(_) => AppError::Conflict(msg),
            AccountsError::NoSuchUser(_) | AccountsError::NoSuchToken(_) => AppError::NotFound(msg),
            AccountsError::Revoked(_) => AppError::Conflict(msg),
            AccountsError::NoRandom => AppError::Internal(e.to_string()),
            AccountsError::Store(e) => e.into(),
        }
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        let msg = e.said();
        match e {
            ImportError::TooLarge { .. } => AppError::TooLarge(msg),
            ImportError::Analyze(_) | ImportError::Policy(_) => AppError::Unsupported(msg),
            ImportError::Title(_) => AppError::BadRequest(msg),
            ImportError::Io { .. } | ImportError::Store(_) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// An error answered as JSON (API routes).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = serde_json::json!({
            "error": { "code": self.0.code(), "message": self.0.to_string() }
        });
        (self.0.status(), Json(body)).into_response()
    }
}

/// An error answered as a page (browser routes).
#[derive(Debug)]
pub struct PageError {
    /// What went wrong.
    pub error: AppError,
    /// The language to say it in.
    pub lang: Lang,
}

impl PageError {
    /// Wrap an error for a page in `lang`.
    pub fn new(error: impl Into<AppError>, lang: Lang) -> Self {
        PageError {
            error: error.into(),
            lang,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static Text,
    lang: Lang,
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        if matches!(self.error, AppError::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let said = self.error.said();
        let page = ErrorPage {
            t: self.lang.text(),
            lang: self.lang,
            status: self.error.status().as_u16(),
            message: self.lang.say(&said),
        };
        match page.render() {
            Ok(html) => (self.error.status(), Html(html)).into_response(),
            Err(_) => (self.error.status(), self.error.to_string()).into_response(),
        }
    }
}
