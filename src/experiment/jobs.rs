//! The job list of an experiment (docs/MODEL.md section 11): points x
//! replications, job j = point x R + replication, run on rayon.
//!
//! Every job is a pure function of its scenario point and replication
//! number, so results do not depend on the thread count, the order rayon
//! runs them in, the shard that ran them or whether an earlier run was
//! interrupted: a finished job's result is final.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::value::ParamValue;
use super::{summarise, RunResult};
use crate::error::{Error, Result};
use crate::eventlog::{CaseRows, RowSink};
use crate::replication::{self, ReplicationResult};
use crate::scenario::{DataFile, Override, Scenario};

/// How a point's scenario is made: the plan's base scenario with overrides
/// (a sweep's grid values, a sensitivity's moved parameter), or a scenario
/// of its own (a comparison's files). A plan's record keeps this, so a merge
/// rebuilds every point without the files or the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Made {
    /// The base scenario with these overrides, in order.
    Base(Vec<Override>),
    /// Its own scenario: this resolved TOML.
    Own(String),
}

/// One point of an experiment: a scenario and what sets it apart.
#[derive(Debug, Clone)]
pub struct Point {
    /// The point's parameter values, in the order of the plan's `params`.
    pub values: Vec<ParamValue>,
    /// The scenario the point runs.
    pub scenario: Scenario,
    /// The resolved scenario as TOML (empty for a scenario run without a
    /// record, e.g. by [`super::run`]).
    pub resolved_toml: String,
    /// How the scenario is made from the plan's base.
    pub made: Made,
    /// The data files its scenario reads.
    pub data: Vec<DataFile>,
}

/// The jobs of an experiment: every point with the same seed and
/// replication numbers (common random numbers, docs/MODEL.md section 7).
#[derive(Debug, Clone)]
pub struct Plan {
    /// The names of the parameters that set the points apart.
    pub params: Vec<String>,
    /// The points, numbered from 0.
    pub points: Vec<Point>,
    /// Replications per point.
    pub replications: u32,
    /// The seed every point shares.
    pub seed: u64,
    /// The most leads one replication may hold at once (the memory
    /// budget's share, see `budget.rs`); unbounded by default.
    pub max_leads: u64,
}

/// A job: which point, which replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Its number: point x replications + replication.
    pub index: u64,
    /// The point.
    pub point: usize,
    /// The replication.
    pub replication: u32,
}

/// `--shard K/N`: the jobs j with j mod N = K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 0.
    pub index: u64,
    /// N, at least 1.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with 0 <= K < N.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || {
            Error::Usage(format!(
                "--shard {text}: expected K/N with 0 <= K < N, e.g. 0/3"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// True when this shard runs job `j`.
    pub fn runs(&self, j: u64) -> bool {
        j % self.count == self.index
    }
}

impl Plan {
    /// A plan of `points` set apart by `params`; the points must share
    /// seed and replications.
    pub fn new(params: Vec<String>, points: Vec<Point>) -> Result<Plan> {
        let first = points
            .first()
            .ok_or_else(|| Error::Usage("an experiment needs at least one point".into()))?;
        let (seed, replications) = (first.scenario.run.seed, first.scenario.run.replications);
        for (i, p) in points.iter().enumerate() {
            if p.scenario.run.seed != seed || p.scenario.run.replications != replications {
                return Err(Error::Usage(format!(
                    "point {i} has seed {} and {} replications, point 0 has seed {seed} and \
                     {replications}: every point must share them (common random numbers); \
                     do not sweep run.seed or run.replications",
                    p.scenario.run.seed, p.scenario.run.replications
                )));
            }
        }
        if let Some((i, p)) = points
            .iter()
            .enumerate()
            .find(|(_, p)| p.values.len() != params.len())
        {
            return Err(Error::Usage(format!(
                "point {i} has {} parameter values for {} parameters",
                p.values.len(),
                params.len()
            )));
        }
        Ok(Plan {
            params,
            points,
            replications,
            seed,
            max_leads: u64::MAX,
        })
    }

    /// The number of jobs.
    pub fn job_count(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replications)
    }

    /// Job number `index`.
    pub fn job(&self, index: u64) -> Job {
        let r = u64::from(self.replications);
        Job {
            index,
            point: (index / r) as usize,
            replication: (index % r) as u32,
        }
    }

    /// The jobs to run: those of `shard` (all without one) not in `done`.
    pub fn pending(
        &self,
        shard: Option<Shard>,
        done: &BTreeMap<u64, ReplicationResult>,
    ) -> Vec<Job> {
        (0..self.job_count())
            .filter(|&j| shard.is_none_or(|s| s.runs(j)) && !done.contains_key(&j))
            .map(|j| self.job(j))
            .collect()
    }

    /// Runs `jobs` on `threads` threads (0: all cores), calling `on_done`
    /// with each result as it finishes. Returns the results by job number;
    /// the first error stops the run.
    ///
    /// With `log` = (point, sink), that point's jobs also record the event
    /// log in the same pass: they run in waves of one job per thread, and
    /// each wave's rows go to the sink in job order, so the log is the same
    /// whatever the thread count and holds at most a wave in memory.
    pub fn run(
        &self,
        jobs: &[Job],
        threads: usize,
        on_done: &(dyn Fn(Job, &ReplicationResult) -> Result<()> + Sync),
        log: Option<(usize, &mut dyn RowSink)>,
    ) -> Result<BTreeMap<u64, ReplicationResult>> {
        let pool = super::thread_pool(threads)?;
        let logged_point = log.as_ref().map(|(p, _)| *p);
        let (logged, plain): (Vec<Job>, Vec<Job>) =
            jobs.iter().partition(|job| Some(job.point) == logged_point);
        let mut results: BTreeMap<u64, ReplicationResult> = pool.install(|| {
            plain
                .par_iter()
                .map(|job| {
                    let sc = &self.points[job.point].scenario;
                    let (result, ()) =
                        replication::run_within(sc, job.replication, (), self.max_leads)?;
                    on_done(*job, &result)?;
                    Ok((job.index, result))
                })
                .collect::<Result<_>>()
        })?;
        if let Some((_, sink)) = log {
            let wave = pool.current_num_threads().max(1);
            for chunk in logged.chunks(wave) {
                let done: Vec<(Job, ReplicationResult, CaseRows)> = pool.install(|| {
                    chunk
                        .par_iter()
                        .map(|job| {
                            let sc = &self.points[job.point].scenario;
                            let recorder = crate::eventlog::EventLog::new(
                                job.replication,
                                CaseRows::default(),
                            );
                            let (result, log) = replication::run_within(
                                sc,
                                job.replication,
                                recorder,
                                self.max_leads,
                            )?;
                            on_done(*job, &result)?;
                            Ok((*job, result, log.finish()))
                        })
                        .collect::<Result<_>>()
                })?;
                for (job, result, rows) in done {
                    rows.replay(sink);
                    results.insert(job.index, result);
                }
            }
        }
        Ok(results)
    }

    /// Every point's aggregated result from the results of every job.
    /// A missing job is an error naming it.
    pub fn assemble(
        &self,
        mut results: BTreeMap<u64, ReplicationResult>,
    ) -> Result<Vec<RunResult>> {
        let mut out = Vec::with_capacity(self.points.len());
        for (p, point) in self.points.iter().enumerate() {
            let mut replications = Vec::with_capacity(self.replications as usize);
            for r in 0..self.replications {
                let j = p as u64 * u64::from(self.replications) + u64::from(r);
                let result = results.remove(&j).ok_or_else(|| {
                    Error::Usage(format!(
                        "job {j} (point {p}, replication {r}) has no result; \
                         run the missing shard or resume the experiment"
                    ))
                })?;
                replications.push(result);
            }
            out.push(summarise(&point.scenario, replications));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_embedded, Override};

    fn params() -> Vec<String> {
        vec!["gate.nurture_below".into()]
    }

    fn point(threshold: &str) -> Point {
        let overrides = [
            Override {
                path: "gate.nurture_below".into(),
                value: threshold.into(),
            },
            Override {
                path: "run.replications".into(),
                value: "3".into(),
            },
            Override {
                path: "run.horizon".into(),
                value: "\"6w\"".into(),
            },
        ];
        let loaded = load_embedded(&overrides).unwrap();
        Point {
            values: vec![ParamValue::parse(threshold)],
            scenario: loaded.scenario,
            resolved_toml: loaded.resolved_toml,
            made: Made::Base(Vec::new()),
            data: Vec::new(),
        }
    }

    #[test]
    fn jobs_number_points_times_replications() {
        let plan = Plan::new(params(), vec![point("0.3"), point("0.5")]).unwrap();
        assert_eq!(plan.job_count(), 6);
        assert_eq!(
            plan.job(4),
            Job {
                index: 4,
                point: 1,
                replication: 1
            }
        );
    }

    #[test]
    fn shards_partition_the_jobs() {
        let plan = Plan::new(params(), vec![point("0.3"), point("0.5")]).unwrap();
        let none = BTreeMap::new();
        let mut all: Vec<u64> = (0..3)
            .flat_map(|k| {
                let shard = Shard { index: k, count: 3 };
                plan.pending(Some(shard), &none)
                    .into_iter()
                    .map(|j| j.index)
            })
            .collect();
        all.sort();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        for bad in ["3/3", "0/0", "1", "a/b", "-1/3"] {
            assert_eq!(Shard::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn results_do_not_depend_on_threads_or_order() {
        let plan = Plan::new(params(), vec![point("0.3"), point("0.5")]).unwrap();
        let all = plan.pending(None, &BTreeMap::new());
        let one = plan.run(&all, 1, &|_, _| Ok(()), None).unwrap();
        let mut reversed = all.clone();
        reversed.reverse();
        let two = plan.run(&reversed, 2, &|_, _| Ok(()), None).unwrap();
        assert_eq!(one, two);
        let points = plan.assemble(one).unwrap();
        assert_eq!(points.len(), 2);
        // Replication r of every point sees the same leads.
        let arrived = |p: &RunResult| p.replications[0].metrics[0];
        assert_eq!(arrived(&points[0]), arrived(&points[1]));
    }

    #[test]
    fn a_missing_job_is_named() {
        let plan = Plan::new(params(), vec![point("0.3")]).unwrap();
        let mut results = plan
            .run(
                &plan.pending(None, &BTreeMap::new()),
                1,
                &|_, _| Ok(()),
                None,
            )
            .unwrap();
        results.remove(&1);
        let err = plan.assemble(results).unwrap_err();
        assert!(
            err.to_string().contains("job 1 (point 0, replication 1)"),
            "{err}"
        );
    }

    #[test]
    fn points_must_share_seed_and_replications() {
        let mut b = point("0.5");
        b.scenario.run.seed += 1;
        assert_eq!(
            Plan::new(params(), vec![point("0.3"), b])
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn the_event_log_is_recorded_in_the_same_pass_as_the_metrics() {
        let plan = Plan::new(params(), vec![point("0.3"), point("0.5")]).unwrap();
        let all = plan.pending(None, &BTreeMap::new());
        let plain = plan.run(&all, 2, &|_, _| Ok(()), None).unwrap();
        // Point 1 is logged; every job still runs once (counted).
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let count = |_: Job, _: &ReplicationResult| {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        };
        for threads in [1, 2] {
            runs.store(0, std::sync::atomic::Ordering::Relaxed);
            let mut rows: Vec<crate::eventlog::EventRow> = Vec::new();
            let logged = plan
                .run(
                    &all,
                    threads,
                    &count,
                    Some((1, &mut rows as &mut dyn RowSink)),
                )
                .unwrap();
            assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), all.len());
            assert_eq!(logged, plain, "the log changes no result");
            // The rows are those of the point's replications, in order.
            let sc = &plan.points[1].scenario;
            let mut expected = Vec::new();
            for r in 0..plan.replications {
                expected = crate::eventlog::log_replication(sc, r, expected).unwrap();
            }
            assert!(!rows.is_empty());
            assert_eq!(rows, expected, "{threads} threads");
        }
    }
}
