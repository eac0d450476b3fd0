//! Why the demo content could not be added: one error for every part of the seeding, below
//! them all so that none imports another's. Words only: it seeds nothing.

use crate::media::library::ImportError;
use crate::review::ReviewError;
use crate::store::StoreError;

/// Why the demo content could not be added.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bundled sound.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A demo bulletin could not be read aloud or approved.
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// A demo account could not be read back after it was made.
    #[error("không đọc lại được tài khoản mẫu {0} / the demo account {0} cannot be read back")]
    Account(String),
}
