//! Each node's connectivity over a month: its online and offline periods, from the transitions
//! the head-end saw (a status after a silence, a last will, a silence too long), and its total
//! time offline. A period begun before the month is counted from the month's start; one not
//! over is counted to the month's end (or now).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use super::{Scope, Table, hms};
use crate::model::cluster::NodeEvent;
use crate::store::StoreError;
use crate::store::cluster as table;

/// The connectivity report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connectivity {
    /// One per node, by id.
    pub nodes: Vec<NodeConnectivity>,
}

/// One node's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeConnectivity {
    /// The node's id.
    pub node: String,
    /// Its periods, in time order; none when it was never heard from.
    pub periods: Vec<Period>,
    /// Milliseconds offline in the month.
    pub offline_ms: i64,
    /// Offline periods in the month.
    pub offline_count: u32,
}

/// A stretch of time a node was online or offline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// Online (`true`) or offline.
    pub online: bool,
    /// From (the month's start, if it began before).
    pub from: DateTime<Utc>,
    /// To (the month's end or now, if it goes on).
    pub to: DateTime<Utc>,
    /// Whether it goes on past the report's end.
    pub ongoing: bool,
    /// Why it went offline, when known.
    pub reason: Option<String>,
}

/// The month's periods of every node.
pub fn read(c: &Connection, scope: &Scope) -> Result<Connectivity, StoreError> {
    let (from, to) = scope.span();
    // A month not over yet is reported up to now: its ongoing periods end there.
    let to = to.min(scope.now).max(from);
    let before = table::node_states_at(c, from)?;
    let events = table::node_events_between(c, from, to)?;
    Ok(build(&scope.nodes, &before, &events, from, to))
}

/// The report from each node's last event before `from` and its events in `[from, to)`.
pub fn build(
    known: &[String],
    before: &[NodeEvent],
    events: &[NodeEvent],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Connectivity {
    let mut per_node: BTreeMap<String, (Option<&NodeEvent>, Vec<&NodeEvent>)> = known
        .iter()
        .map(|n| (n.clone(), (None, Vec::new())))
        .collect();
    for e in before {
        per_node.entry(e.node.clone()).or_default().0 = Some(e);
    }
    for e in events {
        per_node.entry(e.node.clone()).or_default().1.push(e);
    }
    let nodes = per_node
        .into_iter()
        .map(|(node, (start, events))| {
            let periods = periods(start, &events, from, to);
            let offline: Vec<&Period> = periods.iter().filter(|p| !p.online).collect();
            NodeConnectivity {
                node,
                offline_ms: offline
                    .iter()
                    .map(|p| (p.to - p.from).num_milliseconds())
                    .sum(),
                offline_count: offline.len() as u32,
                periods,
            }
        })
        .collect();
    Connectivity { nodes }
}

/// One node's periods: a repeated state (the head-end itself restarted and heard the node
/// again) continues the period it repeats.
fn periods(
    start: Option<&NodeEvent>,
    events: &[&NodeEvent],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Period> {
    let mut out = Vec::new();
    let mut current: Option<Period> = start.map(|e| Period {
        online: e.online,
        from,
        to,
        ongoing: true,
        reason: e.reason.clone(),
    });
    for e in events {
        if current.as_ref().is_some_and(|p| p.online == e.online) {
            continue;
        }
        if let Some(mut p) = current.take() {
            p.to = e.at;
            p.ongoing = false;
            out.push(p);
        }
        current = Some(Period {
            online: e.online,
            from: e.at,
            to,
            ongoing: true,
            reason: e.reason.clone(),
        });
    }
    out.extend(current);
    out
}

impl Connectivity {
    /// A summary per node, then every period.
    pub fn tables(&self, scope: &Scope) -> Vec<Table> {
        let summary = self
            .nodes
            .iter()
            .map(|n| {
                vec![
                    n.node.clone(),
                    n.offline_count.to_string(),
                    ((n.offline_ms + 30_000) / 60_000).to_string(),
                    hms(n.offline_ms),
                    match n.periods.last() {
                        None => "chưa nghe thấy".to_string(),
                        Some(p) if p.online => "trực tuyến".to_string(),
                        Some(_) => "ngoại tuyến".to_string(),
                    },
                ]
            })
            .collect();
        let periods = self
            .nodes
            .iter()
            .flat_map(|n| n.periods.iter().map(move |p| (n, p)))
            .map(|(n, p)| {
                vec![
                    n.node.clone(),
                    if p.online {
                        "Trực tuyến"
                    } else {
                        "Ngoại tuyến"
                    }
                    .to_string(),
                    scope.time(p.from),
                    if p.ongoing {
                        format!("(còn tiếp) {}", scope.time(p.to))
                    } else {
                        scope.time(p.to)
                    },
                    hms((p.to - p.from).num_milliseconds()),
                    if p.online {
                        String::new()
                    } else {
                        p.reason.as_deref().map(vietnamese).unwrap_or_default()
                    },
                ]
            })
            .collect();
        vec![
            Table {
                caption: "Tổng hợp theo cụm loa",
                header: vec![
                    "Cụm loa",
                    "Số lần ngoại tuyến",
                    "Tổng thời gian ngoại tuyến (phút)",
                    "Tổng thời gian ngoại tuyến",
                    "Trạng thái cuối kỳ",
                ],
                rows: summary,
            },
            Table {
                caption: "Các khoảng trực tuyến và ngoại tuyến",
                header: vec!["Cụm loa", "Trạng thái", "Từ", "Đến", "Thời lượng", "Lý do"],
                rows: periods,
            },
        ]
    }
}

/// The Vietnamese half of a "Vietnamese / English" reason.
fn vietnamese(reason: &str) -> String {
    reason
        .split_once(" / ")
        .map_or(reason, |(vi, _)| vi)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn ev(node: &str, at: &str, online: bool) -> NodeEvent {
        NodeEvent {
            node: node.into(),
            at: t(at),
            online,
            reason: (!online).then(|| "mất liên kết hoặc đã tắt / its link is lost".into()),
        }
    }

    #[test]
    fn periods_are_cut_at_the_months_edges_and_repeats_continue_them() {
        let (from, to) = (t("2026-10-31T17:00:00Z"), t("2026-11-30T17:00:00Z"));
        let before = [ev("thon-1", "2026-10-30T00:00:00Z", false)];
        let events = [
            ev("thon-1", "2026-11-01T17:00:00Z", true),
            // The head-end restarted and heard it again: still the same online period.
            ev("thon-1", "2026-11-05T00:00:00Z", true),
            ev("thon-1", "2026-11-10T00:00:00Z", false),
            ev("thon-1", "2026-11-10T02:30:00Z", true),
            ev("thon-2", "2026-11-20T00:00:00Z", true),
        ];
        let known = ["thon-1".to_string(), "thon-3".to_string()];
        let r = build(&known, &before, &events, from, to);
        let names: Vec<&str> = r.nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(names, ["thon-1", "thon-2", "thon-3"]);
        let one = &r.nodes[0];
        let kinds: Vec<bool> = one.periods.iter().map(|p| p.online).collect();
        assert_eq!(kinds, [false, true, false, true]);
        // Offline from the month's start to 1 Nov 17:00 (a day), then two and a half hours.
        assert_eq!(one.offline_ms, (24 * 60 + 150) * 60_000);
        assert_eq!(one.offline_count, 2);
        assert!(one.periods[3].ongoing && one.periods[3].to == to);
        assert_eq!(one.periods[0].from, from);
        // Heard first in the month: nothing is claimed before that.
        assert_eq!(r.nodes[1].periods.len(), 1);
        assert_eq!(r.nodes[1].offline_ms, 0);
        assert!(r.nodes[2].periods.is_empty());
        let tz: chrono_tz::Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        let scope = Scope {
            month: "2026-11".parse().unwrap(),
            tz,
            now: t("2026-12-01T00:00:00Z"),
            nodes: known.to_vec(),
        };
        let tables = r.tables(&scope);
        assert_eq!(
            tables[0].rows[0],
            ["thon-1", "2", "1590", "26:30:00", "trực tuyến"]
        );
        assert_eq!(tables[0].rows[2][4], "chưa nghe thấy");
        assert_eq!(
            tables[1].rows[2],
            [
                "thon-1",
                "Ngoại tuyến",
                "2026-11-10 07:00:00",
                "2026-11-10 09:30:00",
                "2:30:00",
                "mất liên kết hoặc đã tắt"
            ]
        );
    }
}
