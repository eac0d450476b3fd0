//! The station's use cases: what people do through the web pages, the API and the CLI, each
//! written once, and the bus on which the running station says what happened.
//!
//! A use case takes the parts it touches (the store, the bus, the programme…), opens the one
//! transaction it needs through the layer below (the store, the review rules) and tells live
//! pages. Handlers and CLI commands parse, call one of these and present the result; none opens
//! a transaction of its own. Must not know HTTP, HTML or the command line.

pub mod events;
pub mod review;

pub use events::Bus;
pub use review::Reviews;
