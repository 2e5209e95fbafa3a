//! The experiment folder's own records, pure encoders and decoders: one job
//! file per finished job (`jobs/job-0000042.json`), written as jobs finish so
//! an interrupted experiment keeps them and `--resume` (or `merge`) reuses
//! them; the plan record (`plan.json`), the design of the experiment, from
//! which `--resume` checks that a folder holds the same experiment and
//! `merge` rebuilds every point and report without the command line; and
//! the shard record (`shard.json`).
//!
//! A job file holds exactly what the job computed, floats in their shortest
//! round-trip form, so a result read back is bit-identical to the one
//! written and outputs built from read-back jobs equal an uninterrupted
//! run's byte for byte.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiment::select::Goal;
use crate::experiment::{Design, Kind, Made, ParamValue, Plan, Point, SensitivityDesign, Swing};
use crate::metrics::{named, WeekCounts, METRICS, WEEKLY_LEN};
use crate::output::Format;
use crate::replication::ReplicationResult;
use crate::scenario::load_text;

/// The folder of job files inside an experiment's output folder.
pub const JOBS_DIR: &str = "jobs";
/// The plan record's file name.
pub const PLAN_FILE: &str = "plan.json";
/// The file that marks a folder as one shard of an experiment.
pub const SHARD_FILE: &str = "shard.json";

/// Which shard of an experiment a folder holds (`--shard K/N`); the
/// experiment itself is its `plan.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
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
    /// FNV-1a of the point's resolved scenario and of this record with an
    /// empty `check`, in hex: an edited or foreign file does not match.
    #[serde(default)]
    check: String,
}

/// The checksum of `record` (its `check` field ignored) for job files of
/// `plan`'s point.
fn job_check(plan: &Plan, record: &JobRecord) -> String {
    let body = serde_json::to_vec(&JobRecord {
        check: String::new(),
        weekly: record.weekly.clone(),
        metrics: record.metrics.clone(),
        ..*record
    })
    .expect("numbers always serialise");
    let scenario = plan
        .points
        .get(record.point)
        .map_or(&[][..], |p| p.resolved_toml.as_bytes());
    format!(
        "{:016x}",
        fnv1a(scenario.iter().copied().chain([0u8]).chain(body))
    )
}

/// The bytes of job `j`'s file.
pub fn encode_job(plan: &Plan, j: u64, result: &ReplicationResult) -> Vec<u8> {
    let job = plan.job(j);
    let mut record = JobRecord {
        job: j,
        point: job.point,
        replication: job.replication,
        events: result.events,
        metrics: result.metrics.clone(),
        weekly: result.weekly.iter().map(|w| w.values().to_vec()).collect(),
        check: String::new(),
    };
    record.check = job_check(plan, &record);
    let mut bytes = serde_json::to_vec(&record).expect("numbers always serialise");
    bytes.push(b'\n');
    bytes
}

/// Why a job file is not a result of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadJob {
    /// Not a complete job record (a partial write, another file).
    Unreadable,
    /// A job of another plan (its number, point or shape do not fit).
    Foreign,
    /// Its contents do not match its checksum: edited after it was written.
    Altered,
}

impl std::fmt::Display for BadJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BadJob::Unreadable => "not a complete job record",
            BadJob::Foreign => "a job of another experiment",
            BadJob::Altered => "its contents do not match its checksum (the file was edited)",
        })
    }
}

/// Reads a job file back, checking it belongs to `plan` and is as written.
pub fn decode_job(
    plan: &Plan,
    bytes: &[u8],
) -> std::result::Result<(u64, ReplicationResult), BadJob> {
    let r: JobRecord = serde_json::from_slice(bytes).map_err(|_| BadJob::Unreadable)?;
    let job = (r.job < plan.job_count())
        .then(|| plan.job(r.job))
        .ok_or(BadJob::Foreign)?;
    if job.point != r.point || job.replication != r.replication || r.metrics.len() != METRICS.len()
    {
        return Err(BadJob::Foreign);
    }
    if r.check != job_check(plan, &r) {
        return Err(BadJob::Altered);
    }
    let weekly = r
        .weekly
        .iter()
        .map(|w| {
            <[u64; WEEKLY_LEN]>::try_from(w.as_slice())
                .ok()
                .map(WeekCounts::new)
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(BadJob::Foreign)?;
    Ok((
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

/// The hash of every point's resolved scenario, in hex.
fn scenarios_hash(points: &[Point]) -> String {
    let text = points
        .iter()
        .flat_map(|p| p.resolved_toml.bytes().chain([0u8]));
    format!("{:016x}", fnv1a(text))
}

/// A sensitivity analysis as the record keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRecord {
    /// The metric's name.
    pub metric: String,
    /// The moved parameters and their points.
    pub swings: Vec<Swing>,
    /// Parameters that could not be moved, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The plan record: what the experiment is, so that resumed runs and shards
/// can be checked to belong to it and merged without the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// Which command.
    pub kind: Kind,
    /// The base scenario's name.
    pub scenario: String,
    /// The seed every point shares.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Parameter names.
    pub params: Vec<String>,
    /// Each point's parameter values.
    pub points: Vec<Vec<ParamValue>>,
    /// Number of jobs.
    pub jobs: u64,
    /// FNV-1a hash of every point's resolved scenario, in hex.
    pub scenarios_hash: String,
    /// The base scenario, resolved.
    pub base: String,
    /// How each point's scenario is made from the base.
    pub made: Vec<Made>,
    /// The metrics of the experiment's table.
    pub metrics: Vec<String>,
    /// How a sweep chooses its point.
    pub goal: Option<Goal>,
    /// The point whose replications write the event log.
    pub event_log: Option<usize>,
    /// A sensitivity analysis's metric and swings.
    pub sensitivity: Option<SensitivityRecord>,
    /// How the command printed its report (a merge prints it so too).
    pub format: Format,
}

impl PlanRecord {
    /// The record of `design`, printed in `format`.
    pub fn of(design: &Design, format: Format) -> Self {
        let plan = &design.plan;
        PlanRecord {
            kind: design.kind,
            scenario: design.name().to_string(),
            seed: plan.seed,
            replications: plan.replications,
            params: plan.params.clone(),
            points: plan.points.iter().map(|p| p.values.clone()).collect(),
            jobs: plan.job_count(),
            scenarios_hash: scenarios_hash(&plan.points),
            base: design.base.resolved_toml.clone(),
            made: plan.points.iter().map(|p| p.made.clone()).collect(),
            metrics: design.metrics.iter().map(|m| m.name.to_string()).collect(),
            goal: design.goal.clone(),
            event_log: design.event_log,
            sensitivity: design.sensitivity.as_ref().map(|s| SensitivityRecord {
                metric: s.metric.name.to_string(),
                swings: s.swings.clone(),
                skipped: s.skipped.clone(),
            }),
            format,
        }
    }

    /// The record's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("plain data always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a record.
    pub fn decode(bytes: &[u8], path: &str) -> Result<PlanRecord> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::Usage(format!("{path} is not a salesim plan record: {e}")))
    }

    /// Why `other` is not the same experiment (the same jobs), if it is not.
    pub fn mismatch(&self, other: &PlanRecord) -> Option<String> {
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

    /// Rebuilds the design the record was made from: every point's
    /// scenario from the base and its overrides (or its own scenario),
    /// reading data files beside the record, checked against the recorded
    /// hash. `file` is the record's path.
    pub fn design(&self, file: &Path) -> Result<Design> {
        let path = file.display().to_string();
        let folder = file.parent().unwrap_or(Path::new(""));
        let bad = |message: String| Error::Usage(format!("{path}: {message}"));
        if self.made.len() != self.points.len() {
            return Err(bad(format!(
                "{} points but {} scenarios",
                self.points.len(),
                self.made.len()
            )));
        }
        let base = load_text(&self.base, &format!("{path} (base scenario)"), folder, &[])?;
        let mut points = Vec::with_capacity(self.points.len());
        for (p, (values, made)) in self.points.iter().zip(&self.made).enumerate() {
            let name = format!("{path} (point {p})");
            let loaded = match made {
                Made::Base(overrides) => load_text(&self.base, &name, folder, overrides)?,
                Made::Own(toml) => load_text(toml, &name, folder, &[])?,
            };
            points.push(Point {
                values: values.clone(),
                scenario: loaded.scenario,
                resolved_toml: loaded.resolved_toml,
                made: made.clone(),
                data: loaded.data,
            });
        }
        if scenarios_hash(&points) != self.scenarios_hash {
            return Err(bad(
                "its scenarios do not rebuild the ones it ran (was it edited, or written by another salesim version?)"
                    .to_string(),
            ));
        }
        let plan = Plan::new(self.params.clone(), points)?;
        if plan.job_count() != self.jobs {
            return Err(bad(format!(
                "{} jobs recorded, {} planned",
                self.jobs,
                plan.job_count()
            )));
        }
        let metrics = self
            .metrics
            .iter()
            .map(|m| named(&path, m))
            .collect::<Result<_>>()?;
        let sensitivity = match &self.sensitivity {
            None => None,
            Some(s) => Some(SensitivityDesign {
                metric: named(&path, &s.metric)?,
                swings: s.swings.clone(),
                skipped: s.skipped.clone(),
            }),
        };
        Ok(Design {
            kind: self.kind,
            base,
            plan,
            metrics,
            goal: self.goal.clone(),
            event_log: self.event_log,
            sensitivity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_embedded, Override};
    use std::collections::BTreeMap;

    fn design() -> Design {
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
        let overrides = vec![Override {
            path: "gate.nurture_below".into(),
            value: "0.30".into(),
        }];
        let point = load_text(&loaded.resolved_toml, "t", Path::new(""), &overrides).unwrap();
        let plan = Plan::new(
            vec!["gate.nurture_below".into()],
            vec![Point {
                values: vec![ParamValue::parse("0.30")],
                scenario: point.scenario,
                resolved_toml: point.resolved_toml,
                made: Made::Base(overrides),
                data: Vec::new(),
            }],
        )
        .unwrap();
        Design {
            kind: Kind::Sweep,
            base: loaded,
            plan,
            metrics: vec![named("t", "meetings").unwrap()],
            goal: None,
            event_log: Some(0),
            sensitivity: None,
        }
    }

    #[test]
    fn job_files_round_trip_bit_for_bit() {
        let plan = design().plan;
        let results = plan
            .run(
                &plan.pending(None, &BTreeMap::new()),
                1,
                &|_, _| Ok(()),
                None,
            )
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
        let plan = design().plan;
        assert_eq!(decode_job(&plan, b"{\"job\": 0"), Err(BadJob::Unreadable));
        assert_eq!(decode_job(&plan, b"{}"), Err(BadJob::Unreadable));
        let foreign =
            br#"{"job":99,"point":49,"replication":1,"events":0,"metrics":[],"weekly":[]}"#;
        assert_eq!(decode_job(&plan, foreign), Err(BadJob::Foreign));
    }

    #[test]
    fn an_edited_job_file_does_not_match_its_checksum() {
        let plan = design().plan;
        let results = plan
            .run(
                &plan.pending(None, &BTreeMap::new()),
                1,
                &|_, _| Ok(()),
                None,
            )
            .unwrap();
        let bytes = encode_job(&plan, 0, &results[&0]);
        assert!(decode_job(&plan, &bytes).is_ok());
        let text = String::from_utf8(bytes).unwrap();
        // One number changed: the leads that arrived.
        let arrived = results[&0].metrics[0].unwrap();
        let edited = text.replacen(
            &format!("[{arrived:?}"),
            &format!("[{:?}", arrived + 1.0),
            1,
        );
        assert_ne!(edited, text, "the edit happened");
        assert_eq!(decode_job(&plan, edited.as_bytes()), Err(BadJob::Altered));
        // The same job of a point with another scenario is not this one.
        let mut other = plan.clone();
        other.points[0].resolved_toml.push('\n');
        assert_eq!(decode_job(&other, text.as_bytes()), Err(BadJob::Altered));
    }

    #[test]
    fn plan_records_tell_experiments_apart() {
        let a = PlanRecord::of(&design(), Format::Table);
        assert_eq!(PlanRecord::decode(&a.encode(), "plan.json").unwrap(), a);
        assert_eq!(a.mismatch(&a), None);
        let mut b = a.clone();
        b.seed += 1;
        assert_eq!(a.mismatch(&b).as_deref(), Some("seed"));
        let mut c = a.clone();
        c.scenarios_hash = "0".into();
        assert_eq!(a.mismatch(&c).as_deref(), Some("scenario"));
    }

    #[test]
    fn a_plan_record_rebuilds_its_design_and_refuses_an_edited_one() {
        let d = design();
        let record = PlanRecord::of(&d, Format::Json);
        let back = record.design(Path::new("plan.json")).unwrap();
        assert_eq!(PlanRecord::of(&back, Format::Json), record);
        assert_eq!(back.plan.points[0].scenario.gate.nurture_below, 0.3);
        let mut edited = record.clone();
        edited.made = vec![Made::Base(vec![Override {
            path: "gate.nurture_below".into(),
            value: "0.31".into(),
        }])];
        let err = edited.design(Path::new("plan.json")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("do not rebuild"), "{err}");
    }
}
