//! The playback engine: decode → convert (resample, map channels) → gain → sink.
//!
//! - [`decode`] opens any recording staff bring and yields `f32` samples;
//! - [`convert`] brings them to the output's rate and channels;
//! - [`gain`] sets the level;
//! - [`sink`] is where samples go: a sound card, a WAV capture or nothing;
//! - [`player`] is the thread that owns the sink and plays requests back to back;
//! - [`input`] is the microphone, [`feed`] live audio pushed from elsewhere (a village node
//!   airing its head-end's microphone), [`opus`] the one Opus encoder and decoder;
//! - [`listen`] streams the output mix to browsers ("Nghe / Listen");
//! - [`stream`] relays a live stream (tiếp sóng) as one more source the player plays.
//!
//! Owns how sound is made and where it goes; plays what it is asked at the priority it is
//! given. Must not decide what airs or when (that is the programme's and the emergency's),
//! and touches neither the store nor the web.

pub mod arbiter;
pub mod clip;
pub mod convert;
pub mod decode;
pub mod feed;
pub mod gain;
pub mod input;
pub mod listen;
pub mod opus;
pub mod player;
pub mod sink;
pub mod stream;

pub use arbiter::Priority;
pub use convert::AudioFormat;
pub use player::{Outcome, PlayReport, PlayRequest, Player, PlayerEvent, Source};
