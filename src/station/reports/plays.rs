//! Plays per item over a month: how often each item aired, for how long in all, on which
//! nodes, its tier and who approved it. Counted from the as-run log (this machine's own plays
//! and every node's); a play counts in the month its first sample reached a speaker.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::{MAIN_STATION, Scope, Table, hms};
use crate::model::Tier;
use crate::model::asrun::{Entry, Outcome};
use crate::store::StoreError;
use crate::store::items::ItemRows;
use crate::store::review::ReviewedRows;

/// The plays report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plays {
    /// One row per item (or per title, for plays with no item: an emergency's typed text).
    pub rows: Vec<PlayRow>,
}

/// One item's plays in the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayRow {
    /// The item, when the play was one.
    pub item_id: Option<i64>,
    /// Its title.
    pub title: String,
    /// Its tier, where known.
    pub tier: Option<Tier>,
    /// Who approved it, where known.
    pub approver: Option<String>,
    /// Times it reached the speakers.
    pub count: u32,
    /// Times it was due and did not (missed, failed, skipped).
    pub not_aired: u32,
    /// Milliseconds on air in all (first to last sample of each play).
    pub total_ms: i64,
    /// Plays per node ([`MAIN_STATION`] for this machine's own speakers).
    pub nodes: BTreeMap<String, u32>,
}

/// What the month's as-run rows add up to.
pub fn read(c: &Connection, scope: &Scope) -> Result<Plays, StoreError> {
    let (from, to) = scope.span();
    let entries = crate::store::asrun::between(c, from, to)?;
    let mut items = HashMap::new();
    for id in entries.iter().filter_map(|e| e.item_id) {
        if let std::collections::hash_map::Entry::Vacant(v) = items.entry(id) {
            v.insert(ItemRows::get(c, id)?);
        }
    }
    let rows = tally(&entries, |id| {
        items.get(&id).cloned().flatten().map(|i| ItemFacts {
            title: i.title,
            tier: i.tier,
            approver: i.decided_by_name,
        })
    });
    Ok(Plays { rows })
}

/// What the report says of an item.
pub struct ItemFacts {
    /// Its title now.
    pub title: String,
    /// Its tier.
    pub tier: Tier,
    /// Who decided it.
    pub approver: Option<String>,
}

/// The rows from the as-run lines, most played first. `item` says what is known of an item.
pub fn tally(entries: &[Entry], item: impl Fn(i64) -> Option<ItemFacts>) -> Vec<PlayRow> {
    let mut rows: BTreeMap<(Option<i64>, String), PlayRow> = BTreeMap::new();
    for e in entries {
        let aired = match e.outcome {
            Outcome::Started | Outcome::Completed | Outcome::Interrupted | Outcome::Stopped => {
                e.first_sample_at.is_some()
            }
            Outcome::Missed | Outcome::Failed | Outcome::Skipped => false,
            // A relayed stream's off-air stretch is not a play.
            Outcome::Outage => continue,
        };
        let key = (
            e.item_id,
            if e.item_id.is_some() {
                String::new()
            } else {
                e.label.clone()
            },
        );
        let row = rows.entry(key).or_insert_with(|| {
            let facts = e.item_id.and_then(&item);
            PlayRow {
                item_id: e.item_id,
                title: facts
                    .as_ref()
                    .map_or_else(|| e.label.clone(), |f| f.title.clone()),
                tier: facts
                    .as_ref()
                    .map(|f| f.tier)
                    .or((e.source == "emergency").then_some(Tier::Emergency)),
                approver: facts.and_then(|f| f.approver),
                count: 0,
                not_aired: 0,
                total_ms: 0,
                nodes: BTreeMap::new(),
            }
        });
        if !aired {
            row.not_aired += 1;
            continue;
        }
        row.count += 1;
        if let (Some(a), Some(b)) = (e.first_sample_at, e.last_sample_at) {
            row.total_ms += (b - a).num_milliseconds().max(0);
        }
        let node = e.node.clone().unwrap_or_else(|| MAIN_STATION.to_string());
        *row.nodes.entry(node).or_default() += 1;
    }
    let mut out: Vec<PlayRow> = rows.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.title.cmp(&b.title)));
    out
}

impl Plays {
    /// The one table.
    pub fn table(&self) -> Table {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    r.item_id.map(|i| i.to_string()).unwrap_or_default(),
                    r.tier.map(Tier::label_vi).unwrap_or_default().to_string(),
                    r.approver.clone().unwrap_or_default(),
                    r.count.to_string(),
                    r.not_aired.to_string(),
                    ((r.total_ms + 500) / 1000).to_string(),
                    hms(r.total_ms),
                    r.nodes
                        .iter()
                        .map(|(n, k)| format!("{n} ({k})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect();
        Table {
            caption: "Số lần phát theo bản tin",
            header: vec![
                "Tên bản tin",
                "Mã bản tin",
                "Mức ưu tiên",
                "Người duyệt",
                "Số lần phát",
                "Không phát được",
                "Tổng thời lượng (giây)",
                "Tổng thời lượng",
                "Cụm loa (số lần)",
            ],
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entry(item: Option<i64>, node: Option<&str>, outcome: Outcome, secs: i64) -> Entry {
        let first = t("2026-11-03T05:00:00Z");
        Entry {
            id: 0,
            cue_key: None,
            item_id: item,
            media_id: None,
            label: "Báo động lũ, di dời ngay".into(),
            source: if item.is_some() {
                "schedule"
            } else {
                "emergency"
            }
            .into(),
            outcome,
            reason: None,
            planned_at: Some(first),
            first_sample_at: (secs > 0).then_some(first),
            last_sample_at: (secs > 0).then(|| first + chrono::Duration::seconds(secs)),
            node: node.map(String::from),
        }
    }

    #[test]
    fn plays_are_counted_per_item_with_their_nodes_and_what_did_not_air() {
        let entries = [
            entry(Some(7), None, Outcome::Completed, 60),
            entry(Some(7), Some("thon-2"), Outcome::Completed, 61),
            entry(Some(7), Some("thon-2"), Outcome::Interrupted, 20),
            entry(Some(7), Some("thon-3"), Outcome::Missed, 0),
            entry(None, Some("thon-3"), Outcome::Completed, 30),
            entry(Some(9), None, Outcome::Outage, 100),
        ];
        let rows = tally(&entries, |id| {
            (id == 7).then(|| ItemFacts {
                title: "Chúc mừng ngày Nhà giáo 20/11".into(),
                tier: Tier::Priority,
                approver: Some("Chủ tịch Nguyễn Văn A".into()),
            })
        });
        assert_eq!(rows.len(), 2, "the outage is not a play: {rows:?}");
        let greeting = &rows[0];
        assert_eq!(greeting.title, "Chúc mừng ngày Nhà giáo 20/11");
        assert_eq!((greeting.count, greeting.not_aired), (3, 1));
        assert_eq!(greeting.total_ms, 141_000);
        let table = Plays { rows: rows.clone() }.table();
        assert_eq!(
            table.rows[0][2..],
            [
                "Ưu tiên",
                "Chủ tịch Nguyễn Văn A",
                "3",
                "1",
                "141",
                "0:02:21",
                "thon-2 (2), trạm chính (1)"
            ]
        );
        // A typed emergency has no item: it is listed by its text, as an emergency.
        assert_eq!(rows[1].title, "Báo động lũ, di dời ngay");
        assert_eq!(rows[1].tier, Some(Tier::Emergency));
        assert_eq!(table.rows[1][1], "", "no item id");
    }
}
