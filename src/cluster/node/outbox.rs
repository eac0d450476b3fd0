//! The node's as-run queue: every settled play in the node's own as-run log goes to the
//! head-end, and again (after a while, or after a reconnection) until the head-end says it
//! stored that revision. Rows are named `<epoch>-<row>`, the epoch being a random id of the
//! node's database, so a node whose database was replaced never reuses a name the head-end
//! has seen. Nothing here touches the network: the node's task publishes what [`Outbox::due`]
//! gives.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::cluster::protocol::{AsRunRow, StoredRow};
use crate::model::asrun::Entry;
use crate::store::{Store, StoreError, cluster as table, meta};

/// A row sent and not confirmed is sent again after this long.
const RESEND: Duration = Duration::from_secs(30);
/// Rows sent per call, so the link's send queue never overflows.
const BATCH: usize = 32;
/// The meta key of the database's epoch.
const EPOCH: &str = "cluster.rows_epoch";

/// The queue's memory of what it sent; what is queued lives in the database.
pub struct Outbox {
    epoch: String,
    /// Row id → (revision sent, when).
    sent: HashMap<i64, (u32, Instant)>,
}

impl Outbox {
    /// The queue of the node's database (making its epoch on first use).
    pub fn open(store: &Store) -> Result<Outbox, StoreError> {
        let epoch = store.with(|c| {
            if let Some(e) = meta::get(c, EPOCH)? {
                return Ok(e);
            }
            let e = format!("{:016x}", fastrand::u64(..));
            meta::set(c, EPOCH, &e)?;
            Ok(e)
        })?;
        Ok(Outbox {
            epoch,
            sent: HashMap::new(),
        })
    }

    /// The link came back: everything unconfirmed goes again.
    pub fn reconnected(&mut self) {
        self.sent.clear();
    }

    /// Rows to send now: unconfirmed ones not sent in their current revision lately;
    /// `item_of` names the head-end's item of a plan cue.
    pub fn due(
        &mut self,
        store: &Store,
        item_of: impl Fn(&str) -> Option<i64>,
    ) -> Result<Vec<AsRunRow>, StoreError> {
        let pending = store.with(|c| Ok(table::undelivered(c, 4 * BATCH)?))?;
        let now = Instant::now();
        let mut out = Vec::new();
        for (entry, revision) in pending {
            let fresh = self
                .sent
                .get(&entry.id)
                .is_some_and(|(r, at)| *r == revision && now.duration_since(*at) < RESEND);
            if fresh {
                continue;
            }
            self.sent.insert(entry.id, (revision, now));
            let item_id = entry.cue_key.as_deref().and_then(&item_of);
            out.push(self.row(&entry, revision, item_id));
            if out.len() == BATCH {
                break;
            }
        }
        Ok(out)
    }

    /// The head-end stored these rows: those of this database leave the queue.
    pub fn stored(&mut self, store: &Store, rows: &[StoredRow]) -> Result<(), StoreError> {
        store.with(|c| {
            for r in rows {
                if let Some(id) = self.local_id(&r.id) {
                    table::mark_delivered(c, id, r.revision)?;
                    if self
                        .sent
                        .get(&id)
                        .is_some_and(|(rev, _)| *rev <= r.revision)
                    {
                        self.sent.remove(&id);
                    }
                }
            }
            Ok(())
        })
    }

    fn local_id(&self, name: &str) -> Option<i64> {
        let (epoch, id) = name.split_once('-')?;
        (epoch == self.epoch).then(|| id.parse().ok()).flatten()
    }

    fn row(&self, e: &Entry, revision: u32, item_id: Option<i64>) -> AsRunRow {
        AsRunRow {
            id: format!("{}-{}", self.epoch, e.id),
            revision,
            item_id,
            cue: e.cue_key.clone(),
            emergency: None,
            title: e.label.clone(),
            media: None,
            outcome: e.outcome,
            reason: e.reason.clone(),
            planned_at: e.planned_at,
            first_sample_at: e.first_sample_at,
            last_sample_at: e.last_sample_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::asrun::{NewEntry, Outcome};
    use crate::store::asrun;

    #[test]
    fn rows_go_until_stored_and_again_after_a_reconnection() {
        let store = Store::open_in_memory().unwrap();
        let mut outbox = Outbox::open(&store).unwrap();
        assert!(outbox.due(&store, |_| None).unwrap().is_empty());
        store
            .with(|c| {
                for key in ["a", "b"] {
                    let new = NewEntry {
                        cue_key: Some(key),
                        label: key,
                        source: "schedule",
                        ..Default::default()
                    };
                    asrun::upsert_cue(c, &new, Outcome::Completed, None, None, None)?;
                }
                Ok(())
            })
            .unwrap();
        let first = outbox.due(&store, |_| None).unwrap();
        assert_eq!(first.len(), 2);
        assert!(first[0].id.ends_with("-1") && first[0].revision == 1);
        assert!(
            outbox.due(&store, |_| None).unwrap().is_empty(),
            "not twice at once"
        );
        outbox
            .stored(
                &store,
                &[StoredRow {
                    id: first[0].id.clone(),
                    revision: 1,
                }],
            )
            .unwrap();
        // Another database's row of the same number is not this one.
        outbox
            .stored(
                &store,
                &[StoredRow {
                    id: "ffff-2".into(),
                    revision: 9,
                }],
            )
            .unwrap();
        outbox.reconnected();
        let again = outbox.due(&store, |_| None).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].title, "b");
        // The epoch stays with the database.
        assert_eq!(Outbox::open(&store).unwrap().epoch, outbox.epoch);
    }
}
