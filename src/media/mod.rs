//! The media library: taking in recordings, measuring them, keeping them safe.
//!
//! - [`analyze`] decodes a recording once and measures its true length and loudness;
//! - [`policy`] turns a measurement into the gain it plays at, with warnings;
//! - [`library`] writes recordings content-addressed and records them in the store.

pub mod analyze;
pub mod library;
pub mod policy;

pub use analyze::analyze;
pub use library::{Imported, MediaLibrary};
