//! The one integration test root (one binary keeps link time low). Each module drives a real
//! part of Loa Xã: the engine with real sinks, the `loaxa` binary, the web router.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod airing;
mod api_fuzz;
mod browser;
mod bulletins;
mod cap_feeds;
mod cli;
mod cluster;
mod crash;
mod demo;
mod deploy;
mod display;
mod engine;
mod faults;
mod fuzz;
mod homescreen;
mod listen;
mod media;
mod nodes;
mod onair;
mod ops;
mod pages;
mod programme;
mod programme_edit;
mod relay;
mod relay_programme;
mod reports;
mod revisions;
mod security;
mod service;
mod sessions;
mod speech;
mod stream_server;
mod tokens;
mod web;
