//! The panel loop: draw the board at the configured frame rate and hand each frame to the
//! panel. It reads the board afresh every frame, so an emergency is on the panel in the next
//! frame; a panel that fails (a cable pulled, a screen switched off) is reopened every few
//! seconds while the rest of the controller carries on. It does not know what is shown (the board
//! does) or which panel it is: any `Panel` will do.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

use super::Frame;
use super::board::Board;
use super::panel::{Panel, PanelError};
use crate::clock::Clock;

/// How long a failed panel rests before it is opened again.
const RETRY: Duration = Duration::from_secs(5);

/// How the panel is doing, for `/healthz` and the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PanelHealth {
    /// Frames shown since the start.
    pub frames: u64,
    /// Why the panel is not showing anything, if it is not.
    pub error: Option<String>,
}

/// Something that opens the panel, on the loop's own thread.
pub type OpenPanel = Box<dyn FnMut() -> Result<Box<dyn Panel>, PanelError> + Send>;

/// The running panel loop; stops when dropped.
pub struct PanelDriver {
    stop: Arc<AtomicBool>,
    health: Arc<Mutex<PanelHealth>>,
    thread: Option<JoinHandle<()>>,
}

impl PanelDriver {
    /// Draw `board` `fps` times a second on the panel `open` gives.
    pub fn spawn(
        board: Arc<Board>,
        clock: Arc<dyn Clock>,
        fps: u32,
        open: OpenPanel,
    ) -> std::io::Result<PanelDriver> {
        let stop = Arc::new(AtomicBool::new(false));
        let health = Arc::new(Mutex::new(PanelHealth::default()));
        let period = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 120)));
        let looping = Loop {
            board,
            clock,
            period,
            open,
            stop: stop.clone(),
            health: health.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("loaxa-panel".into())
            .spawn(move || looping.run())?;
        Ok(PanelDriver {
            stop,
            health,
            thread: Some(thread),
        })
    }

    /// How the panel is doing.
    pub fn health(&self) -> PanelHealth {
        self.health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for PanelDriver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Loop {
    board: Arc<Board>,
    clock: Arc<dyn Clock>,
    period: Duration,
    open: OpenPanel,
    stop: Arc<AtomicBool>,
    health: Arc<Mutex<PanelHealth>>,
}

impl Loop {
    fn run(mut self) {
        let spec = self.board.spec();
        let mut frame = Frame::new(spec.width, spec.height);
        while !self.stop.load(Ordering::Relaxed) {
            let mut panel = match (self.open)() {
                Ok(p) => p,
                Err(e) => {
                    self.failed(&e);
                    self.rest(RETRY);
                    continue;
                }
            };
            self.health().error = None;
            if let Err(e) = self.show(panel.as_mut(), &mut frame) {
                self.failed(&e);
                self.rest(RETRY);
            }
        }
    }

    /// Present frames until told to stop (`Ok`) or the panel fails.
    fn show(&self, panel: &mut dyn Panel, frame: &mut Frame) -> Result<(), PanelError> {
        let mut next = self.clock.elapsed();
        while !self.stop.load(Ordering::Relaxed) {
            self.board.draw_at(self.clock.now(), frame);
            panel.present(frame)?;
            self.health().frames += 1;
            next += self.period;
            let now = self.clock.elapsed();
            match next.checked_sub(now) {
                Some(wait) => self.clock.sleep(wait),
                // Late (a slow panel, a busy machine): skip the missed frames, don't race.
                None => next = now,
            }
        }
        Ok(())
    }

    fn failed(&self, e: &PanelError) {
        let message = e.to_string();
        let mut h = self.health();
        if h.error.as_deref() != Some(message.as_str()) {
            tracing::error!("bảng LED / LED panel: {message}");
        }
        h.error = Some(message);
    }

    /// Wait `d`, but notice a stop within a tenth of a second.
    fn rest(&self, d: Duration) {
        let step = Duration::from_millis(100);
        let mut left = d;
        while !left.is_zero() && !self.stop.load(Ordering::Relaxed) {
            let nap = left.min(step);
            self.clock.sleep(nap);
            left -= nap;
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, PanelHealth> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }
}
