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
/// The SHA-256 of a file, lowercase hex: the name a recording is kept and fetched by, and the
/// check that a copy (a backup's, a node's) is the recording it claims to be.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
