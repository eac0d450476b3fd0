//! The programme pages: [`week`], the week or the month of what will air, and the admin's forms
//! that change the programme files ([`edit`] lists them; [`slots`], [`once`], [`holidays`],
//! [`parts`], [`quiet`] are the forms, [`forms`] what they share).

mod edit;
mod forms;
mod holidays;
mod once;
mod parts;
mod quiet;
mod slots;
mod week;

use axum::Router;
use axum::routing::{get, post};

use crate::web::AppState;

/// The programme's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programme", get(week::page))
        .route("/programme/edit", get(edit::page))
        .route("/programme/slots", post(slots::submit))
        .route("/programme/slots/new", get(slots::new_form))
        .route("/programme/slots/edit", get(slots::edit_form))
        .route("/programme/once", post(once::submit))
        .route("/programme/once/new", get(once::new_form))
        .route("/programme/once/edit", get(once::edit_form))
        .route("/programme/holidays", post(holidays::submit))
        .route("/programme/holidays/new", get(holidays::new_form))
        .route("/programme/holidays/edit", get(holidays::edit_form))
        .route("/programme/playlists", post(parts::header))
        .route("/programme/playlists/edit", get(parts::playlist_page))
        .route("/programme/parts", post(parts::submit))
        .route("/programme/parts/new", get(parts::part_form))
        .route("/programme/parts/edit", get(parts::part_form))
        .route("/programme/quiet", get(quiet::form).post(quiet::submit))
        .route("/programme/remove", post(forms::remove))
}
