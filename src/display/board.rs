//! The board: everything the panel shows, gathered in one place, so that the panel, the web
//! preview and `loaxa display render` draw exactly the same pixels for the same instant.
//!
//! It holds the approved slogans (re-read from the store when one is approved or withdrawn),
//! the panel and clock settings from `[display]`, and a view of the emergency on air, which
//! the next frame shows whatever else is due. It never writes the store or talks to a panel: the
//! panel loop (`driver`) hands its frames on.

use std::sync::RwLock;

use chrono::{DateTime, FixedOffset, Offset, TimeZone as _, Utc};
use tokio::sync::watch;

use super::scene::{ClockSettings, EmergencyText, PanelSpec, SceneInput, Slogan, scene};
use super::{FontChoice, Frame, Scene, render};
use crate::config::DisplayConfig;
use crate::emergency::Active;
use crate::model::{ReviewState, SloganRecord};
use crate::schedule::calendar;
use crate::store::review::ReviewedRows;
use crate::store::slogans::SloganRows;
use crate::store::{Store, StoreError};

/// What the panel shows, for any instant.
pub struct Board {
    store: Store,
    config: DisplayConfig,
    tz: chrono_tz::Tz,
    slogans: RwLock<Vec<Slogan>>,
    emergency: Option<watch::Receiver<Option<Active>>>,
}

impl Board {
    /// A board reading approved slogans from `store`; `emergency` is the emergency
    /// controller's panel view, when there is one.
    pub fn new(
        store: Store,
        config: DisplayConfig,
        tz: chrono_tz::Tz,
        emergency: Option<watch::Receiver<Option<Active>>>,
    ) -> Result<Board, StoreError> {
        let board = Board {
            store,
            config,
            tz,
            slogans: RwLock::new(Vec::new()),
            emergency,
        };
        board.reload()?;
        Ok(board)
    }

    /// Read the approved slogans again (after an approval, a withdrawal or an edit).
    pub fn reload(&self) -> Result<(), StoreError> {
        let approved = self.store.with(|c| Ok(approved(c)?))?;
        *self.slogans.write().unwrap_or_else(|e| e.into_inner()) = approved;
        Ok(())
    }

    /// The panel's size and colours.
    pub fn spec(&self) -> PanelSpec {
        PanelSpec {
            width: self.config.width,
            height: self.config.height,
            kind: self.config.kind,
        }
    }

    /// The font slogans are drawn with on this panel (and checked against at approval).
    pub fn font(&self) -> FontChoice {
        FontChoice::for_panel_height(self.config.height)
    }

    /// `t` on the commune's clock.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        let offset = self.tz.offset_from_utc_datetime(&t.naive_utc()).fix();
        t.with_timezone(&offset)
    }

    /// Everything the scene depends on at `t`.
    pub fn input_at(&self, t: DateTime<Utc>) -> SceneInput {
        let local = self.local(t);
        let emergency = self
            .emergency
            .as_ref()
            .and_then(|rx| rx.borrow().clone())
            .map(|a| EmergencyText {
                text: a.panel_text,
                since: self.local(a.requested_at),
            });
        let c = &self.config;
        SceneInput {
            slogans: self
                .slogans
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            clock: (c.clock_every > 0).then_some(ClockSettings {
                every_n_slogans: c.clock_every,
                hold_s: c.clock_seconds,
                show_lunar: c.show_lunar,
            }),
            lunar_date_text: lunar_text(local),
            emergency,
            panel: self.spec(),
        }
    }

    /// Draw the panel as it is at `t` into `frame` (sized to the panel).
    pub fn draw_at(&self, t: DateTime<Utc>, frame: &mut Frame) {
        let local = self.local(t);
        let scene = scene(local, &self.input_at(t));
        // Drawing into a frame cannot fail.
        let Ok(()) = render(&scene, local, frame);
    }

    /// A new frame of the panel as it is at `t`.
    pub fn frame_at(&self, t: DateTime<Utc>) -> Frame {
        let mut frame = Frame::new(self.config.width, self.config.height);
        self.draw_at(t, &mut frame);
        frame
    }

    /// One slogan alone on this panel, `elapsed_ms` into its slot: the preview while it is
    /// written and before it is approved.
    pub fn preview(&self, slogan: Slogan, elapsed_ms: i64) -> Frame {
        preview(self.spec(), slogan, self.local(Utc::now()), elapsed_ms)
    }
}

/// `slogan` alone on a `spec` panel, `elapsed_ms` into its slot (its time window ignored):
/// what it will look like, before it is approved or without a database.
pub fn preview(
    spec: PanelSpec,
    slogan: Slogan,
    now: DateTime<FixedOffset>,
    elapsed_ms: i64,
) -> Frame {
    let input = SceneInput {
        slogans: vec![Slogan {
            window: None,
            ..slogan
        }],
        clock: None,
        lunar_date_text: String::new(),
        emergency: None,
        panel: spec,
    };
    // A one-slogan cycle restarts at multiples of its length: find where the current one
    // started and count from there.
    let start = match scene(now, &input) {
        Scene::Slogan { started_at, .. } => started_at,
        _ => now,
    };
    // A slot never lasts a day: anything further is a typo, and would overflow the date.
    let elapsed = chrono::Duration::milliseconds(elapsed_ms.clamp(0, 86_400_000));
    let at = start.checked_add_signed(elapsed).unwrap_or(start);
    let mut frame = Frame::new(spec.width, spec.height);
    let Ok(()) = render(&scene(at, &input), at, &mut frame);
    frame
}

/// The approved slogans, in rotation order, as the scene needs them.
pub fn approved(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<Slogan>> {
    Ok(SloganRows::list(conn, Some(ReviewState::Approved))?
        .iter()
        .map(SloganRecord::to_scene)
        .collect())
}

/// The lunar date as the clock shows it: "Mùng 8 tháng Mười năm Bính Ngọ".
fn lunar_text(local: DateTime<FixedOffset>) -> String {
    let hours = f64::from(local.offset().local_minus_utc()) / 3600.0;
    calendar::solar_to_lunar(local.date_naive(), hours).to_vietnamese()
}
