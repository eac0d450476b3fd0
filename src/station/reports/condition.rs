//! Each node's condition over a month, from the samples the head-end keeps of its statuses (one
//! at every start of the node's service and one every few minutes): its starts in the month,
//! the errors it logged, its temperature and whether its Pi saw under-voltage.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, Table};
use crate::model::cluster::ConditionSample;
use crate::store::StoreError;
use crate::store::cluster as table;

/// The condition report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// One per node, by id.
    pub nodes: Vec<NodeCondition>,
}

/// One node's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCondition {
    /// The node's id.
    pub node: String,
    /// Samples kept in the month (none: not heard from).
    pub samples: u32,
    /// Starts of its service in the month.
    pub starts: u32,
    /// Starts it has counted in all, at its last sample.
    pub restarts_total: Option<u64>,
    /// Errors it logged in the month.
    pub errors: u64,
    /// Lowest, mean and highest SoC temperature sampled.
    pub temperature_c: Option<(f32, f32, f32)>,
    /// Whether its Pi saw under-voltage (`None`: its board does not say).
    pub under_voltage: Option<bool>,
    /// Its last sample.
    pub last_sample: Option<DateTime<Utc>>,
}

/// The month's condition of every node.
pub fn read(c: &Connection, scope: &Scope) -> Result<Condition, StoreError> {
    let (from, to) = scope.span();
    let samples = table::conditions_between(c, from, to)?;
    Ok(build(&scope.nodes, &samples, from))
}

/// The report from the samples in the month, by node and time; `from` is the month's start.
pub fn build(known: &[String], samples: &[ConditionSample], from: DateTime<Utc>) -> Condition {
    let mut per_node: BTreeMap<String, Vec<&ConditionSample>> =
        known.iter().map(|n| (n.clone(), Vec::new())).collect();
    for s in samples {
        per_node.entry(s.node.clone()).or_default().push(s);
    }
    let nodes = per_node
        .into_iter()
        .map(|(node, samples)| summarise(node, &samples, from))
        .collect();
    Condition { nodes }
}

fn summarise(node: String, samples: &[&ConditionSample], from: DateTime<Utc>) -> NodeCondition {
    // A run is one start of the node's service; its error count grows from 0 at the start.
    let mut runs: BTreeMap<DateTime<Utc>, (u64, u64)> = BTreeMap::new();
    for s in samples {
        let run = runs.entry(s.started_at).or_insert((s.errors, s.errors));
        run.0 = run.0.min(s.errors);
        run.1 = run.1.max(s.errors);
    }
    let starts = runs.keys().filter(|started| **started >= from).count() as u32;
    // Errors of a run begun before the month count from its first sample in the month.
    let errors = runs
        .iter()
        .map(|(started, (low, high))| if *started >= from { *high } else { high - low })
        .sum();
    let temps: Vec<f32> = samples.iter().filter_map(|s| s.temperature_c).collect();
    let temperature_c = (!temps.is_empty()).then(|| {
        let low = temps.iter().copied().fold(f32::INFINITY, f32::min);
        let high = temps.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        (low, temps.iter().sum::<f32>() / temps.len() as f32, high)
    });
    let said: Vec<bool> = samples.iter().filter_map(|s| s.under_voltage).collect();
    NodeCondition {
        node,
        samples: samples.len() as u32,
        starts,
        restarts_total: samples.last().map(|s| s.restarts),
        errors,
        temperature_c,
        under_voltage: (!said.is_empty()).then(|| said.contains(&true)),
        last_sample: samples.last().map(|s| s.at),
    }
}

impl Condition {
    /// The one table.
    pub fn table(&self, scope: &Scope) -> Table {
        let heard = |n: &NodeCondition, v: String| if n.samples == 0 { String::new() } else { v };
        let rows = self
            .nodes
            .iter()
            .map(|n| {
                let t = |f: fn(&(f32, f32, f32)) -> f32| {
                    n.temperature_c
                        .as_ref()
                        .map(|v| format!("{:.1}", f(v)))
                        .unwrap_or_default()
                };
                vec![
                    n.node.clone(),
                    heard(n, n.starts.to_string()),
                    n.restarts_total.map(|r| r.to_string()).unwrap_or_default(),
                    heard(n, n.errors.to_string()),
                    t(|v| v.0),
                    t(|v| v.1),
                    t(|v| v.2),
                    match (n.samples, n.under_voltage) {
                        (0, _) => "",
                        (_, Some(true)) => "Có",
                        (_, Some(false)) => "Không",
                        (_, None) => "không rõ",
                    }
                    .to_string(),
                    n.last_sample
                        .map(|t| scope.time(t))
                        .unwrap_or_else(|| "chưa nghe thấy".into()),
                ]
            })
            .collect();
        Table {
            caption: "Tình trạng các cụm loa",
            header: vec![
                "Cụm loa",
                "Số lần khởi động trong tháng",
                "Tổng số lần khởi động",
                "Số lỗi",
                "Nhiệt độ thấp nhất (°C)",
                "Nhiệt độ trung bình (°C)",
                "Nhiệt độ cao nhất (°C)",
                "Sụt áp nguồn",
                "Lần báo cuối",
            ],
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn sample(at: &str, started: &str, restarts: u64, errors: u64, temp: f32) -> ConditionSample {
        ConditionSample {
            node: "thon-2".into(),
            at: t(at),
            started_at: t(started),
            restarts,
            errors,
            temperature_c: Some(temp),
            under_voltage: Some(restarts == 6),
        }
    }

    #[test]
    fn starts_errors_and_temperatures_are_the_months_own() {
        let from = t("2026-10-31T17:00:00Z");
        let samples = [
            // A run begun in October, 3 errors already then: 2 more in November.
            sample("2026-11-01T00:00:00Z", "2026-10-20T00:00:00Z", 4, 3, 48.0),
            sample("2026-11-02T00:00:00Z", "2026-10-20T00:00:00Z", 4, 5, 52.0),
            // Two starts in November, 1 and 0 errors.
            sample("2026-11-03T00:00:00Z", "2026-11-03T00:00:00Z", 5, 1, 61.0),
            sample("2026-11-04T00:00:00Z", "2026-11-04T00:00:00Z", 6, 0, 55.0),
        ];
        let r = build(&["thon-9".into()], &samples, from);
        let n = r.nodes.iter().find(|n| n.node == "thon-2").unwrap();
        assert_eq!((n.starts, n.errors, n.restarts_total), (2, 3, Some(6)));
        assert_eq!(n.temperature_c, Some((48.0, 54.0, 61.0)));
        assert_eq!(n.under_voltage, Some(true));
        let scope = Scope {
            month: "2026-11".parse().unwrap(),
            tz: "Asia/Ho_Chi_Minh".parse().unwrap(),
            now: t("2026-12-01T00:00:00Z"),
            nodes: vec![],
        };
        let table = r.table(&scope);
        assert_eq!(
            table.rows[0],
            [
                "thon-2",
                "2",
                "6",
                "3",
                "48.0",
                "54.0",
                "61.0",
                "Có",
                "2026-11-04 07:00:00"
            ]
        );
        assert_eq!(
            table.rows[1],
            ["thon-9", "", "", "", "", "", "", "", "chưa nghe thấy"]
        );
    }
}
