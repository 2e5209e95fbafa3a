//! One integration-test binary: the model against theory, determinism,
//! conservation, and the command line's behaviour.

mod adversarial;
mod architecture;
mod balance;
mod bounded;
mod budget;
mod cli;
mod common;
mod deploy;
mod diagram;
mod eventlog;
mod experiments;
mod fit;
mod hostile;
mod library;
mod metrics;
mod model;
mod planner;
mod report;
mod sequences;
mod shards;
mod snapshots;
mod theory;
mod workbook;
