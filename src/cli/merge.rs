//! `salesim merge DIR... --out DIR`: combines the shards of a run or an
//! experiment (each made with `--shard K/N`) into exactly the files one
//! machine would have written, by rerunning the recorded command with every
//! job's result taken from the shards instead of simulated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;

use super::{dispatch, Cli, Command};
use crate::error::{Error, Result};
use crate::experiment::{Plan, ReplicationResult, Shard};
use crate::output::files;
use crate::output::store::{self, Manifest, ShardRecord};

/// Options of `salesim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard folders (each written with --shard K/N), all N of them.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder for the merged result.
    #[arg(long, required = true)]
    pub out: PathBuf,
    /// Write into an output folder that holds other results.
    #[arg(long)]
    pub force: bool,
    /// No file list on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// One shard folder, read.
struct ShardDir {
    dir: PathBuf,
    record: ShardRecord,
    manifest: Manifest,
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
    let manifest = Manifest::decode(&bytes, &plan_path.display().to_string())?;
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        record,
        manifest,
    })
}

/// The command line without what only places or paces a shard's work:
/// `--shard`, `--out`, `--threads` (with their values), `--resume`,
/// `--quiet` and `--force`. What is left decides the results.
fn without_placement(argv: &[String]) -> Vec<String> {
    const WITH_VALUE: [&str; 4] = ["--shard", "--out", "--threads", "-j"];
    const FLAGS: [&str; 4] = ["--resume", "--quiet", "-q", "--force"];
    let mut out = Vec::new();
    let mut skip = false;
    for a in argv {
        if skip {
            skip = false;
            continue;
        }
        if WITH_VALUE.contains(&a.as_str()) {
            skip = true;
        } else if !FLAGS.contains(&a.as_str())
            && !WITH_VALUE.iter().any(|o| a.starts_with(&format!("{o}=")))
        {
            out.push(a.clone());
        }
    }
    out
}

/// Checks that the shards are the N parts of one experiment, then reruns
/// its command line with their results.
pub fn merge(args: &MergeArgs) -> Result<()> {
    let shards: Vec<ShardDir> = args
        .shards
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<_>>()?;
    let first = &shards[0];
    let mut by_index: BTreeMap<u64, &ShardDir> = BTreeMap::new();
    for s in &shards {
        if let Some(what) = first.manifest.mismatch(&s.manifest) {
            return Err(Error::Usage(format!(
                "{} and {} are shards of different experiments (another {what})",
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
        if without_placement(&s.record.argv) != without_placement(&first.record.argv) {
            return Err(Error::Usage(format!(
                "{} and {} were made by different command lines",
                first.dir.display(),
                s.dir.display()
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
    let here = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the working directory: {e}")))?;
    let absolute = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            here.join(p)
        }
    };
    let dirs: Vec<PathBuf> = shards.iter().map(|s| absolute(&s.dir)).collect();
    let mut argv = without_placement(&first.record.argv);
    argv.push("--out".into());
    argv.push(absolute(&args.out).display().to_string());
    if args.force {
        argv.push("--force".into());
    }
    if args.quiet && !argv.iter().any(|a| a == "--quiet" || a == "-q") {
        argv.push("--quiet".into());
    }
    // Relative scenario paths mean what they meant where the shards ran.
    let cwd = Path::new(&first.record.cwd);
    if cwd.is_dir() {
        std::env::set_current_dir(cwd)
            .map_err(|e| Error::Usage(format!("cannot enter {}: {e}", cwd.display())))?;
    }
    let cli = Cli::try_parse_from(&argv)
        .map_err(|e| Error::Usage(format!("the shards' command line no longer parses: {e}")))?;
    let command = match cli.command {
        Command::Run(mut a) => {
            a.merge_from = dirs;
            Command::Run(a)
        }
        Command::Sweep(mut a) => {
            a.options.merge_from = dirs;
            Command::Sweep(a)
        }
        Command::Compare(mut a) => {
            a.options.merge_from = dirs;
            Command::Compare(a)
        }
        Command::Sensitivity(mut a) => {
            a.options.merge_from = dirs;
            Command::Sensitivity(a)
        }
        _ => {
            return Err(Error::Usage(
                "the shards record a command that has no shards".into(),
            ))
        }
    };
    dispatch(command)
}

/// Every job's result from the shard folders, checked against the plan the
/// merge rebuilt: the scenarios must be the ones the shards ran, and every
/// shard must hold all its jobs.
pub(super) fn results(
    dirs: &[PathBuf],
    manifest: &Manifest,
    plan: &Plan,
) -> Result<BTreeMap<u64, ReplicationResult>> {
    let mut done = BTreeMap::new();
    for dir in dirs {
        let s = read_shard(dir)?;
        if let Some(what) = manifest.mismatch(&s.manifest) {
            return Err(Error::Usage(format!(
                "{} was made from another {what} than the command now gives \
                 (was a scenario file changed since the shards ran?)",
                dir.display()
            )));
        }
        let shard = Shard {
            index: s.record.index,
            count: s.record.count,
        };
        let mut mine = BTreeMap::new();
        for (_, bytes) in files::read_jobs(dir) {
            if let Some((j, r)) = store::decode_job(plan, &bytes) {
                if shard.runs(j) {
                    mine.insert(j, r);
                }
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
                dir.display(),
                missing.len(),
                expected.len()
            )));
        }
        done.extend(mine);
    }
    Ok(done)
}
