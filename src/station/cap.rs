//! CAP alerts, from the API (`POST /api/v1/cap`) and from the feeds (`emergency.cap_feeds`):
//! each judged for this commune ([`crate::emergency::cap`]), acted on once by its sender and
//! identifier (the store remembers, so polling again, posting twice or restarting never airs it
//! twice), aired as an emergency (a drill marked so) or, for a Cancel, stopping what it names.
//!
//! The feed poll is one of the housekeeping tasks ([`super::housekeeping`]); its time is given,
//! so tests poll on a simulated clock.

use chrono::{DateTime, Utc};

use crate::config::EmergencyConfig;
use crate::emergency::cap::feed::{Feeds, Poll};
use crate::emergency::cap::{self, Place, Refused, Rules, Verdict};
use crate::emergency::{Active, Emergency, EmergencyError, Message, Start, Trigger};
use crate::model::CapAction;
use crate::model::Said;
use crate::model::said;
use crate::station::Bus;
use crate::store::{Store, StoreError, cap_alerts};

/// What an alert did.
#[derive(Debug, Clone)]
pub enum Received {
    /// It went on air (a drill if `active.drill`).
    Aired(Active),
    /// It was a Cancel and stopped the emergency on air.
    Cancelled(Active),
}

/// Why an alert did nothing.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum CapError {
    /// Not an alert for this commune, or not one at all.
    Refused(#[from] Refused),
    /// It was acted on before.
    AlreadyActedOn {
        /// Who sent it.
        sender: String,
        /// Its identifier.
        identifier: String,
        /// What was done then.
        action: &'static str,
        /// When.
        at: String,
    },
    /// Going on air or stopping failed.
    Emergency(#[from] EmergencyError),
    /// The database failed.
    Store(#[from] StoreError),
}

impl CapError {
    /// Why the alert was not acted on, in each language.
    pub fn said(&self) -> Said {
        match self {
            CapError::Refused(e) => e.said(),
            CapError::AlreadyActedOn {
                sender,
                identifier,
                action,
                at,
            } => said!(
                "cảnh báo {identifier} của {sender} đã được xử lý lúc {at} ({action})",
                "alert {identifier} from {sender} was already acted on at {at} ({action})"
            ),
            CapError::Emergency(e) => e.said(),
            CapError::Store(e) => e.said(),
        }
    }
}

/// The parts an alert acts on. Cheap to clone.
#[derive(Clone)]
pub struct Alerts {
    store: Store,
    emergency: Emergency,
    events: Bus,
    config: EmergencyConfig,
}

impl Alerts {
    /// Alerts judged by `config`'s place and drills, acting through `emergency`.
    pub fn new(store: Store, emergency: Emergency, events: Bus, config: EmergencyConfig) -> Self {
        Alerts {
            store,
            emergency,
            events,
            config,
        }
    }

    /// Act on the CAP document `xml` that came `via` (who posted it, or the feed's address)
    /// at `now`.
    pub async fn receive(
        &self,
        xml: &str,
        via: &str,
        now: DateTime<Utc>,
    ) -> Result<Received, CapError> {
        let alert = cap::parse(xml)?;
        let rules = Rules {
            place: Place {
                location: self.config.location,
                areas: &self.config.cap_areas,
            },
            drills: self.config.cap_drills,
            now,
        };
        let verdict = cap::judge(&alert, &rules)?;
        let action = match &verdict {
            Verdict::Air { drill: true, .. } => CapAction::Drill,
            Verdict::Air { .. } => CapAction::Aired,
            Verdict::Cancel { .. } => CapAction::Cancel,
        };
        self.claim(&alert.sender, &alert.identifier, action, via)
            .await?;
        let actor = format!("cap:{} ({via})", alert.sender);
        match verdict {
            Verdict::Air { text, drill, .. } => {
                let start = Start {
                    message: Message::Text(text),
                    repeat: None,
                    actor,
                    trigger: Trigger::Cap,
                    reference: Some(alert.identifier.clone()),
                    drill,
                    received_at: Utc::now(),
                };
                match super::emergency::start(&self.emergency, &self.events, start).await {
                    Ok(active) => Ok(Received::Aired(active)),
                    Err(e) => {
                        // Not aired: a later copy may try again.
                        let (store, sender, id) =
                            (self.store.clone(), alert.sender, alert.identifier);
                        store
                            .run(move |c| Ok(cap_alerts::release(c, &sender, &id)?))
                            .await?;
                        Err(e.into())
                    }
                }
            }
            Verdict::Cancel { identifiers } => {
                for (sender, identifier) in cap::references(&alert) {
                    // A copy of a cancelled alert arriving later must not air; one that
                    // already aired keeps its record.
                    let _ = self
                        .claim(&sender, &identifier, CapAction::Cancelled, via)
                        .await;
                }
                let ended =
                    super::emergency::cancel(&self.emergency, &self.events, identifiers, actor)
                        .await?;
                Ok(Received::Cancelled(ended))
            }
        }
    }

    /// Poll the feeds if a poll is due at `now`, and act on every new document: what each
    /// did, by the address it came from. `None` when no poll was due.
    pub async fn poll(
        &self,
        feeds: &Feeds,
        now: DateTime<Utc>,
    ) -> Option<Vec<(String, Result<Received, CapError>)>> {
        let polling = feeds.clone();
        let poll = match tokio::task::spawn_blocking(move || polling.poll_if_due(now)).await {
            Ok(poll) => poll?,
            Err(e) => {
                tracing::error!("CAP: {e}");
                return Some(Vec::new());
            }
        };
        let Poll { documents, errors } = poll;
        for e in errors {
            tracing::warn!("CAP: {e}");
        }
        let mut out = Vec::new();
        for doc in documents {
            let result = self.receive(&doc.xml, &doc.url, now).await;
            match &result {
                Ok(Received::Aired(a)) => {
                    tracing::warn!("CAP {}: lên sóng / on air: {}", doc.url, a.title)
                }
                Ok(Received::Cancelled(a)) => {
                    tracing::warn!("CAP {}: đã huỷ / cancelled: {}", doc.url, a.title)
                }
                Err(CapError::AlreadyActedOn { .. }) => {}
                Err(e) => tracing::info!("CAP {}: {e}", doc.url),
            }
            out.push((doc.url, result));
        }
        Some(out)
    }

    /// Claim the alert for `action`, or say when it was acted on before.
    async fn claim(
        &self,
        sender: &str,
        identifier: &str,
        action: CapAction,
        via: &str,
    ) -> Result<(), CapError> {
        let (sender, identifier, via) =
            (sender.to_string(), identifier.to_string(), via.to_string());
        let earlier = self
            .store
            .run(move |c| {
                if cap_alerts::claim(c, &sender, &identifier, action, &via)? {
                    return Ok(None);
                }
                let (action, at) =
                    cap_alerts::get(c, &sender, &identifier)?.unwrap_or((action, String::new()));
                Ok(Some((sender, identifier, action, at)))
            })
            .await?;
        match earlier {
            None => Ok(()),
            Some((sender, identifier, action, at)) => Err(CapError::AlreadyActedOn {
                sender,
                identifier,
                action: action.as_str(),
                at,
            }),
        }
    }
}
