//! `loaxa check`: validate the configuration and say file, line and fix for each problem. Parsing
//! and printing only; the checks are the config's own.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use loaxa::config;

/// Print every problem; exit 1 if there is any.
pub fn run(path: Option<&Path>) -> Result<ExitCode> {
    let loaded = match config::load(path, std::env::vars()) {
        Ok(l) => l,
        Err(e) => {
            for p in &e.0 {
                println!("{p}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut problems = loaded.problems();
    // A village node airs the plan the head-end sends; the programme files live there.
    let node = loaded.config.cluster.role == config::ClusterRole::Node;
    let programme = (!node).then(|| {
        let schedule = &loaded.config.schedule;
        let (programme, programme_problems) =
            loaxa::schedule::files::load(&schedule.schedules_dir, &schedule.playlists_dir);
        problems.extend(programme_problems);
        programme
    });
    for p in &problems {
        println!("{p}");
    }
    match programme {
        Some(programme) => println!(
            "lịch phát / programme: {} buổi / slots, {} playlist, {} ngày lễ / holidays",
            programme.slots.len(),
            programme.playlists.len(),
            programme.holidays.len()
        ),
        None => println!(
            "nút cụm loa: lịch phát do trung tâm gửi / cluster node: the head-end sends the plan"
        ),
    }
    let name = loaded
        .source
        .as_ref()
        .map_or("(mặc định / defaults)".to_string(), |s| s.name.clone());
    if problems.is_empty() {
        println!("{name}: hợp lệ / valid");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{name}: {} lỗi / problems", problems.len());
        Ok(ExitCode::FAILURE)
    }
}
