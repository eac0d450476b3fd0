//! Loa Xã — the commune loudspeaker and LED panel controller.
//!
//! # Layout
//! Bottom to top, in the layers `ARCHITECTURE.md` (at the repository root) draws; a module
//! uses only its own layer and those below.
//! - [`model`]: the plain types every layer shares (items, slogans, recordings, states, roles).
//! - [`text`]: normalising text people type.
//! - [`clock`]: real and simulated time, injected wherever something waits.
//! - [`store`]: SQLite (WAL, migrations); all SQL lives there.
//! - [`config`]: the one validated `Config`, from `loaxa.toml` and `LOAXA_*` variables.
//! - [`speech`]: typed text read aloud: Vietnamese reading rules, then an espeak-ng or Piper voice.
//! - [`audio`]: decode, convert, gain, outputs, the player thread and arbiter, stream relays.
//! - [`media`]: the recording library: probe, loudness policy, content-addressed files.
//! - [`review`]: the one review lifecycle of items, slogans and typed bulletins.
//! - [`accounts`]: passwords and tokens, stored only as hashes.
//! - [`ops`]: metrics, disk space, the systemd watchdog and backups.
//! - [`schedule`]: the programme files, the lunar calendar, the plan and the runner.
//! - [`emergency`]: taking every speaker at once, from the web, the button or a CAP feed.
//! - [`display`]: the LED slogan panel: scene, rendering, fonts and panel outputs.
//! - [`hw`]: the amplifier and zone relays and the emergency button, behind a small trait.
//! - [`cluster`]: a commune of villages: the head-end and its nodes over Mosquitto.
//! - [`station`]: the use cases pages, API and CLI share, the event bus, nightly housekeeping.
//! - [`demo`]: the content `loaxa serve --demo` starts with.
//! - [`web`]: the HTTP service: pages, JSON API, sessions.
//! - [`service`]: `loaxa serve`, wiring the parts together until shutdown.
//!
//! The `loaxa` binary (`src/main.rs`, `src/cli/`) parses the command line and calls these. The
//! crate root holds no logic of its own.

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
