//! The dashboard: what is on air, what comes next, whether the equipment works, and what needs
//! someone's attention. It updates itself over SSE. It changes nothing: it reads the player, the
//! timetable and the store.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, local, render};
use std::sync::Arc;

use crate::audio::Player;
use crate::model::ReviewState;
use crate::model::said;
use crate::schedule::{Timetable, airing};
use crate::store::Store;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;
use crate::web::auth::*;
use crate::web::error::PageError;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    c: Chrome,
    on_air: Option<OnAir>,
    next: Vec<(String, String, String)>,
    output_ok: bool,
    output_detail: String,
    underruns: u64,
    warnings: Vec<String>,
    /// Why the station airs into the Listen stream alone (no sound card in the demo).
    listen_alone: Option<String>,
}

struct OnAir {
    label: String,
    since: String,
}

/// `GET /`.
pub async fn page(
    State(store): State<Store>,
    State(player): State<Arc<Player>>,
    State(timetable): State<Timetable>,
    user: Page<CanView>,
) -> Result<Response, PageError> {
    let c = Chrome::new(&store, &user, "dashboard").await?;
    let tz = timetable.tz();
    let status = player.status();
    let on_air = status.now_playing.as_ref().map(|n| OnAir {
        label: n.label.clone(),
        since: n.since.map(|t| local(t, tz)).unwrap_or_default(),
    });
    let (output_ok, output_detail) = match (&status.format, &status.output_error) {
        (Some(_), _) if status.listen_alone.is_some() => (
            false,
            status
                .listen_alone
                .as_ref()
                .map(|w| user.lang.say(w).to_string())
                .unwrap_or_default(),
        ),
        (Some(f), _) => (
            true,
            format!(
                "{} · {} Hz · {} kênh/ch",
                status.output, f.sample_rate, f.channels
            ),
        ),
        (None, Some(e)) => (false, user.lang.say(e).to_string()),
        (None, None) => (false, status.output.clone()),
    };
    let now = chrono::Utc::now();
    let plan = timetable
        .plan_now(&store, now, now + chrono::Duration::days(7))
        .await
        .map_err(|e| user.err(e))?;
    let next = plan
        .cues
        .iter()
        .take(10)
        .map(|q| {
            (
                q.start.with_timezone(&tz).format("%d/%m %H:%M").to_string(),
                q.title.clone(),
                q.slot_title.clone(),
            )
        })
        .collect();
    let mut warnings = Vec::new();
    if !output_ok {
        warnings.push(output_detail.clone());
    }
    warnings.extend(
        holiday_warnings(
            &store,
            &timetable,
            now.with_timezone(&tz).date_naive(),
            user.lang,
        )
        .await
        .map_err(|e| user.err(e))?,
    );
    warnings.extend(
        never_airs(&store, &timetable, now, user.lang)
            .await
            .map_err(|e| user.err(e))?,
    );
    warnings.extend(
        plan.left_out
            .iter()
            .take(5)
            .map(|l| format!("{}: {}", l.title, user.lang.say(&l.why.said()))),
    );
    warnings.extend(user.lang.say_all(&timetable.problems()));
    let page = Dashboard {
        c,
        on_air,
        next,
        output_ok,
        output_detail,
        underruns: status.underruns,
        warnings,
        listen_alone: status
            .listen_alone
            .as_ref()
            .map(|w| user.lang.say(w).to_string()),
    };
    Ok(render(page, user.lang))
}

/// Approved items the programme will never air (a slot or zone it no longer has, a category no
/// slot takes, dates that hold no slot for it), each with why.
async fn never_airs(
    store: &Store,
    timetable: &Timetable,
    now: chrono::DateTime<chrono::Utc>,
    lang: crate::web::i18n::Lang,
) -> Result<Vec<String>, crate::store::StoreError> {
    let approved = store
        .run(|c| Ok(ItemRows::list(c, Some(ReviewState::Approved))?))
        .await?;
    let programme = timetable.programme();
    let never = lang.text().never_airs_warning;
    Ok(approved
        .iter()
        .filter_map(|item| {
            let airing = airing::explain(&programme, item, now, timetable.tz());
            airing.is_stuck().then(|| {
                let why: Vec<String> = airing
                    .reasons()
                    .iter()
                    .map(|w| lang.say(&w.said()).to_owned())
                    .collect();
                format!("«{}» {never}: {}", item.title, why.join("; "))
            })
        })
        .collect())
}

/// Holidays in the coming week that expect the chairman's greeting and have none approved.
async fn holiday_warnings(
    store: &Store,
    timetable: &Timetable,
    today: chrono::NaiveDate,
    lang: crate::web::i18n::Lang,
) -> Result<Vec<String>, crate::store::StoreError> {
    let programme = timetable.programme();
    let items = store
        .run(move |c| {
            Ok(crate::store::items::approved_between(
                c,
                today,
                today + chrono::Duration::days(7),
            )?)
        })
        .await?;
    Ok(
        crate::schedule::plan::holidays_without_greeting(&programme, &items, today, 7)
            .into_iter()
            .map(|(d, title)| {
                let day = d.format("%d/%m");
                let said = said!(
                    "{title} ({day}) chưa có lời chúc được duyệt",
                    "{title} ({day}) has no approved greeting"
                );
                lang.say(&said).to_string()
            })
            .collect(),
    )
}
