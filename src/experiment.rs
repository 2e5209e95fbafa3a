//! Experiments: replications of a scenario run in parallel on rayon, each from
//! its own streams, aggregated into a summary; and the experiment layer on
//! it (docs/MODEL.md sections 7 and 11): sweep grids, the job list of points x
//! replications, objective and constraints, paired differences and
//! one-at-a-time sensitivity.

pub mod budget;
pub mod design;
pub mod grid;
pub mod jobs;
pub mod paired;
pub mod select;
pub mod sensitivity;
pub mod value;

pub use design::{Design, Kind, SensitivityDesign, Swing};
pub use jobs::{Job, Made, Plan, Point, Shard};
pub use value::ParamValue;

use crate::error::{Error, Result};
use crate::metrics::{aggregate, metric_index, Aggregate, METRICS};
use crate::replication::ReplicationResult;
use crate::scenario::Scenario;

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
/// and aggregates them, as a plan of one point (the path every command
/// takes); `on_done` is called as each replication finishes. The result
/// does not depend on `threads`.
pub fn run(scenario: &Scenario, threads: usize, on_done: &(dyn Fn() + Sync)) -> Result<RunResult> {
    let point = Point {
        values: Vec::new(),
        scenario: scenario.clone(),
        resolved_toml: String::new(),
        made: Made::Base(Vec::new()),
        data: Vec::new(),
    };
    let plan = Plan::new(Vec::new(), vec![point])?;
    let jobs = plan.pending(None, &std::collections::BTreeMap::new());
    let done = plan.run(
        &jobs,
        threads,
        &|_, _| {
            on_done();
            Ok(())
        },
        None,
    )?;
    let mut results = plan.assemble(done)?;
    Ok(results.remove(0))
}

/// The most worker threads a command may ask for: far above any machine's
/// cores, low enough that starting them is instant.
pub const MAX_THREADS: usize = 1024;

/// Checks a `--threads` value (0: one per core) against [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<()> {
    if threads > MAX_THREADS {
        return Err(Error::Usage(format!(
            "--threads {threads}: at most {MAX_THREADS} (0, the default, uses every core)"
        )));
    }
    Ok(())
}

/// A pool of `threads` threads (0: one per core, at most [`MAX_THREADS`]).
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    check_threads(threads)?;
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
