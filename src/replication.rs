//! One replication: the pipeline with its recorders plugged in (the metrics
//! recorder always; an event log or a test's probe beside it when asked) and
//! the metrics that come out of it.
//!
//! This is the layer above both the model and its recorders: the pipeline
//! emits happenings and knows nothing of who records them, the recorders
//! know the happenings but not how a run is driven.

use crate::error::Result;
use crate::metrics::{self, Capacity, MetricsRecorder, WeekCounts};
use crate::pipeline::{self, Recorder};
use crate::scenario::Scenario;

/// The metrics and weekly counts of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Replication index, from 0.
    pub replication: u32,
    /// Metric values in [`metrics::METRICS`] order (`None`: undefined).
    pub metrics: Vec<Option<f64>>,
    /// Counts by week of event time.
    pub weekly: Vec<WeekCounts>,
    /// Events processed (for throughput benchmarks).
    pub events: u64,
}

/// Runs replication `replication` of `sc` and returns its metrics.
pub fn run(sc: &Scenario, replication: u32) -> Result<ReplicationResult> {
    run_with(sc, replication, ()).map(|(result, ())| result)
}

/// Runs replication `replication` of `sc` with `recorder` seeing every
/// happening beside the metrics recorder (an event log, a test's probe), in
/// the same pass; returns the metrics and the recorder.
pub fn run_with<R: Recorder>(
    sc: &Scenario,
    replication: u32,
    recorder: R,
) -> Result<(ReplicationResult, R)> {
    run_within(sc, replication, recorder, u64::MAX)
}

/// [`run_with`], stopped (exit 2) if the replication holds more than
/// `max_leads` leads at once: the memory budget's share.
pub fn run_within<R: Recorder>(
    sc: &Scenario,
    replication: u32,
    recorder: R,
    max_leads: u64,
) -> Result<(ReplicationResult, R)> {
    let recorders = (MetricsRecorder::new(sc), recorder);
    let done = pipeline::simulate_within(sc, replication, recorders, max_leads)?;
    let (metrics, recorder) = done.recorder;
    let (tally, weekly) = metrics.finish(replication)?;
    let result = ReplicationResult {
        replication,
        metrics: metrics::values(&tally, &Capacity::of(sc)),
        weekly,
        events: done.events,
    };
    Ok((result, recorder))
}
