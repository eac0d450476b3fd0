//! Prometheus metrics at `/metrics`: counters and histograms recorded where things happen,
//! and gauges read from the running parts when the page is scraped.
//!
//! One recorder serves the process (metrics' global); [`install`] sets it up once, whichever
//! service starts first. Names follow Prometheus conventions (`_total`, `_seconds`, `_bytes`). It
//! does not act on the numbers: it only records and serves them.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Plays that ended, by `outcome` (completed, stopped, failed) and `priority`.
pub const PLAYS: &str = "loaxa_plays_total";
/// Times the output ran dry while it should have been playing.
pub const UNDERRUNS: &str = "loaxa_output_underruns";
/// Whether the loudspeaker output is open (1) or missing (0).
pub const OUTPUT_UP: &str = "loaxa_output_up";
/// How late a scheduled cue's first sample reached the output, against its planned time.
pub const CUE_LATENESS: &str = "loaxa_cue_lateness_seconds";
/// From an emergency request to the chime's first sample at the output.
pub const EMERGENCY_LATENCY: &str = "loaxa_emergency_latency_seconds";
/// Uploads, by `result` (accepted, duplicate, refused).
pub const UPLOADS: &str = "loaxa_uploads_total";
/// Passwords checked by argon2 at sign-in, real or the stand-in for an unknown name: what a
/// burst of guesses actually cost (refused tries are not checked).
pub const SIGN_IN_CHECKS: &str = "loaxa_sign_in_checks_total";
/// Sign-ins refused because their address tried too often, by nothing else.
pub const SIGN_IN_REFUSED: &str = "loaxa_sign_in_refused_total";
/// Errors, by `kind` (http, output, panel, store).
pub const ERRORS: &str = "loaxa_errors_total";
/// Frames the LED panel has shown.
pub const PANEL_FRAMES: &str = "loaxa_panel_frames";
/// Free space where the data lives.
pub const DISK_FREE: &str = "loaxa_disk_free_bytes";

/// Buckets for the latency histograms, in seconds: from one output buffer to the three
/// seconds voice-alarm standards allow.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 3.0, 10.0, 60.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the recorder (once per process). `None` if another recorder was installed first
/// (an embedding program's own), in which case `/metrics` says so.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .map_err(|e| tracing::warn!("metrics: {e}"))
                .ok()?;
            builder
                .install_recorder()
                .map_err(|e| tracing::warn!("metrics: {e}"))
                .ok()
        })
        .as_ref()
}

/// The metrics page, after folding recent histogram samples in.
pub fn render() -> Option<String> {
    let handle = install()?;
    handle.run_upkeep();
    Some(handle.render())
}

/// Count an error of `kind`.
pub fn error(kind: &'static str) {
    metrics::counter!(ERRORS, "kind" => kind).increment(1);
}
