//! `salesim merge DIR... --out DIR`: combines the shards of a run or an
//! experiment (each made with `--shard K/N`) into exactly the files one
//! machine would have written. The shards' `plan.json` says what the
//! experiment is; the merge rebuilds its design from it (never from a
//! command line or the files it named), takes every job's result from the
//! shards, and writes the results as the command itself does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::experiments::{event_files, finish, output_folder, Executed};
use super::Format;
use crate::error::{Error, Result};
use crate::eventlog::RowSink;
use crate::experiment::budget::{self, Budget};
use crate::experiment::{Design, Kind, Plan, Shard};
use crate::output::events::EventFiles;
use crate::output::files;
use crate::output::store::{self, BadJob, PlanRecord, ShardRecord};
use crate::replication::ReplicationResult;

/// Options of `salesim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard folders (each written with --shard K/N), all N of them.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder for the merged result.
    #[arg(long, required = true)]
    pub out: PathBuf,
    /// Format of the report on standard output (default: the one the
    /// shards were asked for).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write into an output folder that holds other results.
    #[arg(long)]
    pub force: bool,
    /// No file list on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Worker threads for the event log's replications, if the experiment
    /// asked for one (default: all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// The memory the merge may use (default: half the machine's memory).
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
}

/// One shard folder, read.
struct ShardDir {
    dir: PathBuf,
    record: ShardRecord,
    plan: PlanRecord,
}

fn read_shard(dir: &Path) -> Result<ShardDir> {
    let record_path = dir.join(store::SHARD_FILE);
    let bytes = files::read_optional(&record_path).ok_or_else(|| {
        Error::Usage(format!(
            "{} holds no {}: it is not a shard (made with --shard K/N)",
            dir.display(),
            store::SHARD_FILE
        ))
    })?;
    let record = ShardRecord::decode(&bytes, &record_path.display().to_string())?;
    let plan_path = dir.join(store::PLAN_FILE);
    let bytes = files::read_optional(&plan_path)
        .ok_or_else(|| Error::Usage(format!("{} is missing", plan_path.display())))?;
    let plan = PlanRecord::decode(&bytes, &plan_path.display().to_string())?;
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        record,
        plan,
    })
}

/// Checks that the shards are the N parts of one experiment, then writes
/// the experiment's results from theirs.
pub fn merge(args: &MergeArgs) -> Result<()> {
    crate::experiment::check_threads(args.threads)?;
    let shards: Vec<ShardDir> = args
        .shards
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<_>>()?;
    let first = &shards[0];
    let mut by_index: BTreeMap<u64, &ShardDir> = BTreeMap::new();
    for s in &shards {
        if let Some(what) = first.plan.mismatch(&s.plan) {
            return Err(Error::Usage(format!(
                "{} and {} are shards of different experiments (another {what})",
                first.dir.display(),
                s.dir.display()
            )));
        }
        if s.plan != first.plan {
            return Err(Error::Usage(format!(
                "{} and {} were made by different command lines (the same jobs, read differently)",
                first.dir.display(),
                s.dir.display()
            )));
        }
        if s.record.count != first.record.count {
            return Err(Error::Usage(format!(
                "{} is shard {} of {}, but {} is shard {} of {}: every shard must come from the same split",
                s.dir.display(),
                s.record.index,
                s.record.count,
                first.dir.display(),
                first.record.index,
                first.record.count
            )));
        }
        if let Some(other) = by_index.insert(s.record.index, s) {
            return Err(Error::Usage(format!(
                "shard {}/{} is given twice: {} and {}",
                s.record.index,
                s.record.count,
                other.dir.display(),
                s.dir.display()
            )));
        }
    }
    let n = first.record.count;
    if let Some(k) = (0..n).find(|k| !by_index.contains_key(k)) {
        return Err(Error::Usage(format!(
            "shard {k}/{n} is missing: give all {n} shard folders"
        )));
    }
    let plan_path = first.dir.join(store::PLAN_FILE);
    let mut design = first.plan.design(&plan_path)?;
    let budget = match &args.max_memory {
        Some(text) => Budget::parse(text)?,
        None => Budget::half_of_machine(),
    };
    let allowance = budget::allow(&design.plan, args.threads, budget)?;
    design.plan.max_leads = allowance.max_leads;
    let mut done = BTreeMap::new();
    for s in &shards {
        done.extend(shard_results(s, &design.plan)?);
    }
    let out = args.out.as_path();
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let Some(s) = shards.iter().find(|s| same(&s.dir, out)) {
        return Err(Error::Usage(format!(
            "--out {} is one of the shard folders being merged; merge into another folder",
            s.dir.display()
        )));
    }
    output_folder(out, &design, design.kind.name(), args.force)?;
    // A run writes no job files; experiments keep theirs, so the merged
    // folder is what one machine would have written.
    if design.kind != Kind::Run {
        files::remove_entries(&files::stale_entries(out, &[]))?;
        files::write_files(out, &[(store::PLAN_FILE.to_string(), first.plan.encode())])?;
        for (j, r) in &done {
            let bytes = store::encode_job(&design.plan, *j, r);
            files::write_job(out, &store::job_file_name(*j), &bytes)?;
        }
    }
    let events = match design.event_log {
        Some(point) => Some(log_point(&design, point, &done, out, allowance.threads)?),
        None => None,
    };
    let executed = Executed {
        results: design.plan.assemble(done)?,
        events,
    };
    let format = args.format.unwrap_or(first.plan.format);
    finish(&design, executed, format, args.quiet, out)
}

/// Shards write no event log: the merge runs the logged point's jobs again
/// with the log recorded, and checks that they give the shards' results.
fn log_point(
    design: &Design,
    point: usize,
    done: &BTreeMap<u64, ReplicationResult>,
    out: &Path,
    threads: usize,
) -> Result<EventFiles> {
    let plan = &design.plan;
    let jobs: Vec<_> = plan
        .pending(None, &BTreeMap::new())
        .into_iter()
        .filter(|j| j.point == point)
        .collect();
    let mut sink = event_files(out, design, point)?;
    let again = plan.run(
        &jobs,
        threads,
        &|_, _| Ok(()),
        Some((point, &mut sink as &mut dyn RowSink)),
    )?;
    for (j, r) in &again {
        if done.get(j) != Some(r) {
            return Err(Error::Invariant {
                replication: plan.job(*j).replication,
                message: format!("job {j} gives another result than its shard's"),
            });
        }
    }
    Ok(sink)
}

/// Every job's result in one shard folder, checked against the plan: every
/// shard must hold all its jobs.
fn shard_results(s: &ShardDir, plan: &Plan) -> Result<BTreeMap<u64, ReplicationResult>> {
    let shard = Shard {
        index: s.record.index,
        count: s.record.count,
    };
    let mut mine = BTreeMap::new();
    for (name, bytes) in files::read_jobs(&s.dir) {
        match store::decode_job(plan, &bytes) {
            Ok((j, r)) if shard.runs(j) => {
                mine.insert(j, r);
            }
            Ok(_) => {}
            Err(BadJob::Altered) => {
                return Err(Error::Usage(format!(
                    "{}: {}; rerun that shard with --resume to compute it again",
                    s.dir.join(store::JOBS_DIR).join(&name).display(),
                    BadJob::Altered
                )))
            }
            // Not a job of this plan: counted as missing below.
            Err(_) => {}
        }
    }
    let expected = plan.pending(Some(shard), &BTreeMap::new());
    let missing: Vec<u64> = expected
        .iter()
        .map(|j| j.index)
        .filter(|j| !mine.contains_key(j))
        .collect();
    if let Some(j) = missing.first() {
        return Err(Error::Usage(format!(
            "shard {}/{} in {} lacks {} of its {} job results (first: job {j}); \
             finish it with the same command and --resume",
            shard.index,
            shard.count,
            s.dir.display(),
            missing.len(),
            expected.len()
        )));
    }
    Ok(mine)
}
