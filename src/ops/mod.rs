//! Running for years on a Pi in a cabinet: metrics for Prometheus, disk space, the systemd
//! watchdog, and backups. Nothing here decides what airs; it watches and keeps copies.

pub mod backup;
pub mod disk;
pub mod metrics;
pub mod watchdog;
