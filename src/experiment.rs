//! Experiments: replications of a scenario run in parallel on rayon, each from
//! its own streams, aggregated into a summary; and the experiment layer on
//! it (docs/MODEL.md sections 7 and 11): sweep grids, the job list of points x
//! replications, objective and constraints, paired differences and
//! one-at-a-time sensitivity.

pub mod grid;
pub mod jobs;
pub mod paired;
pub mod select;
pub mod sensitivity;

pub use jobs::{Job, Plan, Point, Shard};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::{aggregate, metric_index, Aggregate, WeekCounts, METRICS};
use crate::pipeline;
use crate::scenario::Scenario;

/// The metrics and weekly counts of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Replication index, from 0.
    pub replication: u32,
    /// Metric values in [`METRICS`] order (`None`: undefined).
    pub metrics: Vec<Option<f64>>,
    /// Counts by week of event time.
    pub weekly: Vec<WeekCounts>,
    /// Events processed (for throughput benchmarks).
    pub events: u64,
}

/// The result of running a scenario.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// The base seed.
    pub seed: u64,
    /// Per-replication results, in replication order.
    pub replications: Vec<ReplicationResult>,
    /// One aggregate per metric, in [`METRICS`] order.
    pub summary: Vec<Aggregate>,
}

impl RunResult {
    /// The aggregate of a metric by name.
    pub fn metric(&self, name: &str) -> Option<&Aggregate> {
        metric_index(name).map(|i| &self.summary[i])
    }
}

/// Runs every replication of `scenario` on `threads` threads (0: all cores)
/// and aggregates them. The result does not depend on `threads`.
pub fn run(scenario: &Scenario, threads: usize, on_done: &(dyn Fn() + Sync)) -> Result<RunResult> {
    let pool = thread_pool(threads)?;
    let replications: Vec<ReplicationResult> = pool.install(|| {
        (0..scenario.run.replications)
            .into_par_iter()
            .map(|r| {
                let result = pipeline::run_replication(scenario, r);
                on_done();
                result
            })
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(summarise(scenario, replications))
}

/// A pool of `threads` threads (0: one per core).
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))
}

/// Aggregates per-replication results into a [`RunResult`].
pub fn summarise(scenario: &Scenario, replications: Vec<ReplicationResult>) -> RunResult {
    let summary = (0..METRICS.len())
        .map(|i| aggregate(replications.iter().map(|r| r.metrics[i])))
        .collect();
    RunResult {
        scenario: scenario.name.clone(),
        seed: scenario.run.seed,
        replications,
        summary,
    }
}
