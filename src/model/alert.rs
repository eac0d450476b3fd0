//! What the station did with a CAP alert, as the store remembers it so that no alert is acted
//! on twice.
//! Plain data: it does not parse CAP or touch the store.

use serde::Serialize;

/// What was done with an alert (by its sender and identifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapAction {
    /// It went on air.
    Aired,
    /// It went on air as a drill (`Test` or `Exercise`, `emergency.cap_drills` on).
    Drill,
    /// It was a Cancel, and its references were stopped.
    Cancel,
    /// A Cancel named it: it must not air if it comes later.
    Cancelled,
}

names!(CapAction {
    Aired => "aired", "Đã phát",
    Drill => "drill", "Đã phát diễn tập",
    Cancel => "cancel", "Lệnh huỷ",
    Cancelled => "cancelled", "Đã bị huỷ",
});
