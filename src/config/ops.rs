//! `[ops]`: keeping the station going unattended: where the nightly backup goes. Only the key lives
//! here: the nightly housekeeping writes the backup.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[ops]`: the station's housekeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpsConfig {
    /// A folder for a backup written every night at 00:05 (the last seven are kept), ideally
    /// on another disk or a USB stick. Default unset: no nightly backup (`loaxa backup` still
    /// makes one on demand).
    pub backup_dir: Option<PathBuf>,
}
