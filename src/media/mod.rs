//! The media library: taking in recordings, measuring them, keeping them safe.
//!
//! - [`analyze`](mod@analyze) decodes a recording once and measures its true length and loudness;
//! - [`policy`] turns a measurement into the gain it plays at, with warnings;
//! - [`library`] writes recordings content-addressed and records them in the store.
//!
//! Owns the recording files and their measurements; must not touch the review of the items
//! that use them, the programme or the web.

pub mod analyze;
pub mod library;
pub mod policy;

pub use analyze::analyze;
pub use library::{Imported, MediaLibrary};
