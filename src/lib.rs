//! salesim: a discrete-event simulation of an outbound sales pipeline in which
//! AI agents prepare outreach and reps decide what is sent.
#![warn(missing_docs)]

pub mod calendar;
pub mod cli;
pub mod diagram;
pub mod dist;
pub mod engine;
pub mod error;
pub mod eventlog;
pub mod experiment;
pub mod fit;
pub mod input;
pub mod library;
pub mod metrics;
pub mod output;
pub mod pipeline;
pub mod replication;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod units;
