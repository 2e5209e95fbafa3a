//! The experiment folder's own records, pure encoders and decoders: one job
//! file per finished job (`jobs/job-0000042.json`), written as jobs finish so
//! an interrupted experiment keeps them and `--resume` (or `merge`) reuses
//! them, and the plan manifest (`plan.json`) that says which experiment
//! they belong to.
//!
//! A job file holds exactly what the job computed, floats in their shortest
//! round-trip form, so a result read back is bit-identical to the one
//! written and outputs built from read-back jobs equal an uninterrupted
//! run's byte for byte.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiment::{Plan, ReplicationResult};
use crate::metrics::{WeekCounts, METRICS, WEEKLY_LEN};

/// The folder of job files inside an experiment's output folder.
pub const JOBS_DIR: &str = "jobs";
/// The plan manifest's file name.
pub const PLAN_FILE: &str = "plan.json";
/// The file that marks a folder as one shard of an experiment.
pub const SHARD_FILE: &str = "shard.json";

/// What a shard records so that `salesim merge` can finish the experiment:
/// the command line that made it (from which the merge rebuilds the same
/// points and reports), the folder it ran in (for relative paths), and
/// which shard it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// The command line, program name first.
    pub argv: Vec<String>,
    /// The working directory it ran in.
    pub cwd: String,
    /// K.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl ShardRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("plain data always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a record.
    pub fn decode(bytes: &[u8], path: &str) -> Result<ShardRecord> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Usage(format!("{path} is not a salesim shard record: {e}")))
    }
}

/// The file name of job `j`.
pub fn job_file_name(j: u64) -> String {
    format!("job-{j:07}.json")
}

#[derive(Serialize, Deserialize)]
struct JobRecord {
    job: u64,
    point: usize,
    replication: u32,
    events: u64,
    metrics: Vec<Option<f64>>,
    weekly: Vec<Vec<u64>>,
}

/// The bytes of job `j`'s file.
pub fn encode_job(plan: &Plan, j: u64, result: &ReplicationResult) -> Vec<u8> {
    let job = plan.job(j);
    let record = JobRecord {
        job: j,
        point: job.point,
        replication: job.replication,
        events: result.events,
        metrics: result.metrics.clone(),
        weekly: result.weekly.iter().map(|w| w.values().to_vec()).collect(),
    };
    let mut bytes = serde_json::to_vec(&record).expect("numbers always serialise");
    bytes.push(b'\n');
    bytes
}

/// Reads a job file back; `None` for a file that is not a complete job of
/// this plan (it is then run again).
pub fn decode_job(plan: &Plan, bytes: &[u8]) -> Option<(u64, ReplicationResult)> {
    let r: JobRecord = serde_json::from_slice(bytes).ok()?;
    let job = (r.job < plan.job_count()).then(|| plan.job(r.job))?;
    if job.point != r.point || job.replication != r.replication || r.metrics.len() != METRICS.len()
    {
        return None;
    }
    let weekly = r
        .weekly
        .iter()
        .map(|w| {
            <[u64; WEEKLY_LEN]>::try_from(w.as_slice())
                .ok()
                .map(WeekCounts::new)
        })
        .collect::<Option<Vec<_>>>()?;
    Some((
        r.job,
        ReplicationResult {
            replication: r.replication,
            metrics: r.metrics,
            weekly,
            events: r.events,
        },
    ))
}

/// 64-bit FNV-1a: a stable hash of text (not for security; it tells
/// whether two plans ran the same resolved scenarios).
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The plan manifest: what the experiment is, so that resumed runs and
/// shards can be checked to belong to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `run`, `sweep`, `compare` or `sensitivity`.
    pub kind: String,
    /// The base scenario's name.
    pub scenario: String,
    /// The seed every point shares.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Parameter names.
    pub params: Vec<String>,
    /// Each point's parameter values.
    pub points: Vec<Vec<String>>,
    /// Number of jobs.
    pub jobs: u64,
    /// FNV-1a hash of every point's resolved scenario, in hex.
    pub scenarios_hash: String,
}

impl Manifest {
    /// The manifest of `plan`.
    pub fn new(
        kind: &str,
        scenario: &str,
        params: &[String],
        values: &[Vec<String>],
        plan: &Plan,
    ) -> Self {
        let text = plan
            .points
            .iter()
            .flat_map(|p| p.resolved_toml.bytes().chain([0u8]));
        Manifest {
            kind: kind.to_string(),
            scenario: scenario.to_string(),
            seed: plan.seed,
            replications: plan.replications,
            params: params.to_vec(),
            points: values.to_vec(),
            jobs: plan.job_count(),
            scenarios_hash: format!("{:016x}", fnv1a(text)),
        }
    }

    /// The manifest's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("plain data always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a manifest.
    pub fn decode(bytes: &[u8], path: &str) -> Result<Manifest> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Usage(format!("{path} is not a salesim plan manifest: {e}")))
    }

    /// Why `other` is not the same experiment, if it is not.
    pub fn mismatch(&self, other: &Manifest) -> Option<String> {
        let what = if self.kind != other.kind {
            "command"
        } else if self.params != other.params || self.points != other.points {
            "grid"
        } else if self.seed != other.seed {
            "seed"
        } else if self.replications != other.replications {
            "number of replications"
        } else if self.scenario != other.scenario || self.scenarios_hash != other.scenarios_hash {
            "scenario"
        } else {
            return None;
        };
        Some(what.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Point;
    use crate::scenario::{load_embedded, Override};
    use std::collections::BTreeMap;

    fn plan() -> Plan {
        let loaded = load_embedded(&[
            Override {
                path: "run.replications".into(),
                value: "2".into(),
            },
            Override {
                path: "run.horizon".into(),
                value: "\"4w\"".into(),
            },
        ])
        .unwrap();
        Plan::new(vec![Point {
            params: vec![],
            scenario: loaded.scenario,
            resolved_toml: loaded.resolved_toml,
        }])
        .unwrap()
    }

    #[test]
    fn job_files_round_trip_bit_for_bit() {
        let plan = plan();
        let results = plan
            .run(&plan.pending(None, &BTreeMap::new()), 1, &|_, _| Ok(()))
            .unwrap();
        for (j, result) in &results {
            let bytes = encode_job(&plan, *j, result);
            let (back_j, back) = decode_job(&plan, &bytes).unwrap();
            assert_eq!(back_j, *j);
            assert_eq!(&back, result);
            assert_eq!(encode_job(&plan, back_j, &back), bytes);
        }
    }

    #[test]
    fn broken_or_foreign_job_files_are_not_results() {
        let plan = plan();
        assert!(decode_job(&plan, b"{\"job\": 0").is_none());
        assert!(decode_job(&plan, b"{}").is_none());
        let foreign =
            br#"{"job":99,"point":49,"replication":1,"events":0,"metrics":[],"weekly":[]}"#;
        assert!(decode_job(&plan, foreign).is_none());
    }

    #[test]
    fn manifests_tell_experiments_apart() {
        let plan = plan();
        let a = Manifest::new("sweep", "canonical", &[], &[vec![]], &plan);
        assert_eq!(Manifest::decode(&a.encode(), "plan.json").unwrap(), a);
        assert_eq!(a.mismatch(&a), None);
        let mut b = a.clone();
        b.seed += 1;
        assert_eq!(a.mismatch(&b).as_deref(), Some("seed"));
        let mut c = a.clone();
        c.scenarios_hash = "0".into();
        assert_eq!(a.mismatch(&c).as_deref(), Some("scenario"));
    }
}
