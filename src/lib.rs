//! Loa Xã — the commune loudspeaker and LED panel controller.
//!
//! # Layout
//! - [`model`]: the plain types every layer shares (items, slogans, recordings, states, roles).
//! - [`config`]: the one `Config`, from `loaxa.toml` and `LOAXA_*` variables, with checks
//!   that name the file, the line and the fix.
//! - [`store`]: SQLite (WAL, migrations); all SQL lives there.
//! - [`audio`]: the playback engine: decode, convert, gain, sinks, the player thread, and
//!   relays of live streams (`audio::stream`).
//! - [`media`]: the library: probe, loudness, content-addressed files.
//! - [`text`]: normalising text people type.
//! - [`speech`]: typed text read aloud: Vietnamese reading rules, then an espeak-ng or Piper voice.
//! - [`clock`]: real and simulated time, injected wherever something waits.
//! - [`service`]: `loaxa serve`, wiring the parts together until shutdown.
//! - [`accounts`]: login names, passwords and tokens.
//! - [`review`]: the one review lifecycle of items, slogans and (next) typed bulletins.
//! - [`station`]: the use cases pages, API and CLI share, and the station's event bus.
//! - [`web`]: the HTTP service: pages, JSON API, sessions.
//! - [`cluster`]: a commune of villages: the head-end and its nodes over Mosquitto.

pub mod accounts;
pub mod audio;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod display;
pub mod emergency;
pub mod hw;
pub mod media;
pub mod model;
pub mod ops;
pub mod review;
pub mod schedule;
pub mod service;
pub mod speech;
pub mod station;
pub mod store;
pub mod text;
pub mod web;
