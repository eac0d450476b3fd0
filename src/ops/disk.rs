//! Disk space: the SD card must never fill up, or the database cannot commit and the as-run
//! log stops. Uploads are refused while the free space is under the reserve, and `/healthz`
//! says how much is left.

use crate::model::Said;
use crate::model::said;
use std::path::Path;

/// Free and total space of the filesystem holding `path`, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Space {
    /// Bytes an unprivileged writer may still use.
    pub free: u64,
    /// Size of the filesystem.
    pub total: u64,
}

/// The space on the filesystem of `path`.
pub fn space(path: &Path) -> std::io::Result<Space> {
    let s = rustix::fs::statvfs(path)?;
    Ok(Space {
        free: s.f_bavail.saturating_mul(s.f_frsize),
        total: s.f_blocks.saturating_mul(s.f_frsize),
    })
}

/// Why writing more must stop, if less than `reserve` is free.
pub fn refuse_write(space: Space, reserve: u64) -> Option<Said> {
    let mb = |b: u64| b / (1024 * 1024);
    (space.free < reserve).then(|| {
        let (free, keep) = (mb(space.free), mb(reserve));
        said!(
            "bộ nhớ gần đầy: còn {free} MB, cần giữ lại {keep} MB — hãy xoá bản ghi cũ hoặc sao lưu rồi dọn thẻ nhớ; chương trình phát vẫn chạy",
            "the disk is nearly full: {free} MB free, {keep} MB must stay free — delete old recordings or back up and clean the card; the programme keeps airing"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    #[test]
    fn writing_stops_when_the_reserve_is_reached() {
        let space = Space {
            free: 600 * MB,
            total: 8_000 * MB,
        };
        assert!(refuse_write(space, 512 * MB).is_none());
        let why = refuse_write(space, 700 * MB)
            .map(|w| w.vi().to_string())
            .unwrap_or_default();
        assert!(why.contains("600 MB") && why.contains("700 MB"), "{why}");
    }

    #[test]
    fn the_data_folder_has_some_space() {
        let s = space(Path::new(".")).unwrap();
        assert!(s.total > 0 && s.free <= s.total);
    }
}
