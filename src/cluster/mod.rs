//! A commune of villages: one head-end (the People's Committee's Pi) and a node per village,
//! joined through the commune's Mosquitto broker.
//!
//! - [`ids`]: the commune's and the nodes' ids (ASCII slugs), checked once.
//! - [`topics`]: the topic layout and who may read and write what.
//! - [`protocol`]: the versioned JSON messages (plans, commands, status, as-run, answers).
//! - [`link`]: the MQTT 5 connection to the broker (rumqttc), reconnecting by itself.
//! - [`session`]: each end's link made from `[cluster]`, and how each message is sent.
//! - [`setup`]: `loaxa cluster init` and `add-node`: the broker's files and the nodes' configs.
//! - [`node`]: `loaxa node`, a village's Pi airing its plan from its own cache and clock.
//! - [`head`]: the head-end's side: plans to the nodes, emergencies, statuses, as-run rows.
//!
//! The cluster is an edge: it carries plans and commands but decides nothing about what airs;
//! the schedule, the store and the player stay where they are.

pub mod head;
pub mod ids;
pub mod link;
pub mod node;
pub mod protocol;
pub mod session;
pub mod setup;
pub mod topics;

pub use ids::{CommuneId, NodeId};
