//! One module per `loaxa` subcommand.
//!
//! Each parses its arguments, calls the library (a [`loaxa::station`] use case where the pages
//! do the same thing) and prints the answer; must not write SQL or hold rules of its own.

pub mod backup;
pub mod check;
pub mod cluster;
pub mod devices;
pub mod display;
pub mod emergency;
pub mod media;
pub mod node;
pub mod play;
pub mod programme;
pub mod report;
pub mod serve;
pub mod speak;
pub mod tls;
pub mod users;

use std::path::Path;

use anyhow::Result;
use loaxa::config::{self, Loaded};

/// Load the config and refuse to go on if it has problems, listing all of them.
pub fn load_config(path: Option<&Path>) -> Result<Loaded> {
    let loaded = config::load(path, std::env::vars())?;
    let problems = loaded.problems();
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        anyhow::bail!(
            "cấu hình có lỗi / the configuration has problems:\n{}",
            list.join("\n")
        );
    }
    Ok(loaded)
}
