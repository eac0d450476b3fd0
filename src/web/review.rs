//! What the web needs to know of a reviewed kind beyond its rules: where its rules' context
//! comes from among the app's parts, and which page follows a step. The handlers themselves are
//! generic: [`super::pages::review`] for the forms' buttons, [`super::api::review`] for
//! `/api/v1`. No rules here: they are `review`'s.

use axum::extract::FromRef;

use super::AppState;
use super::error::AppError;
use crate::display::slogans::Slogans;
use crate::review::{Bulletins, Items, Kind};
use crate::station::Reviews;

/// A reviewed kind as the web serves it.
pub trait Reviewed: Kind {
    /// What its rules need, from the app's parts.
    fn context(state: &AppState) -> Self::Context;
    /// The page to go to after a step on row `id`, unless the form came from the leaders'
    /// queue (`/approvals`).
    fn page_after(id: i64) -> String;
}

/// The answer for an id of kind `K` that names nothing (404).
pub fn missing<K: Kind>(id: i64) -> AppError {
    let (vi, en) = K::NAME;
    AppError::NotFound(format!("không có {vi} {id} / no {en} {id}"))
}

impl Reviewed for Items {
    fn context(_: &AppState) {}

    fn page_after(id: i64) -> String {
        format!("/items/{id}")
    }
}

impl Reviewed for Bulletins {
    fn context(state: &AppState) -> Self::Context {
        state.narrator.clone()
    }

    fn page_after(id: i64) -> String {
        format!("/bulletins/{id}")
    }
}

impl Reviewed for Slogans {
    fn context(state: &AppState) -> Self::Context {
        state.board.clone()
    }

    fn page_after(_: i64) -> String {
        "/display".into()
    }
}

impl<K: Reviewed> FromRef<AppState> for Reviews<K> {
    fn from_ref(state: &AppState) -> Self {
        Reviews::new(state.store.clone(), state.events.clone(), K::context(state))
    }
}
