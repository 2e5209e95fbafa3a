//! `salesim run`, `sweep`, `compare` and `sensitivity` on one path: build
//! the design (a run is one point), execute its plan of jobs (resumable,
//! writing each job's result as it finishes), aggregate, then write the
//! files and print the report (docs/MODEL.md sections 7, 8 and 11).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::{
    folder_name, install_interrupt_handler, load, overrides_of, print_out, Format, Options,
};
use crate::error::{Error, Result};
use crate::eventlog::{Clock, RowSink};
use crate::experiment::budget;
use crate::experiment::grid::{self, Axis};
use crate::experiment::select::{Constraint, Goal, Objective};
use crate::experiment::sensitivity;
use crate::experiment::{
    Design, Kind, Made, ParamValue, Plan, Point, RunResult, SensitivityDesign, Shard, Swing,
};
use crate::metrics::{named, Metric};
use crate::output::events::EventFiles;
use crate::output::experiment::{Experiment, TABLE_METRICS};
use crate::output::files;
use crate::output::store::{self, PlanRecord, ShardRecord};
use crate::replication::ReplicationResult;
use crate::scenario::{Loaded, Override};

/// Options shared by the experiment commands.
#[derive(Debug, clap::Args)]
pub struct ExperimentOptions {
    /// Metrics shown in the table, comma-separated (default: the headline
    /// figures: hours saved, emails, meetings, gate quality, review wait).
    #[arg(long, value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// Reuse the job results already in the output folder (from an
    /// interrupted run of the same experiment) and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Options shared with `run`.
    #[command(flatten)]
    pub common: Options,
}

/// Options of `salesim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (default: the embedded canonical scenario).
    pub scenario: Option<PathBuf>,
    /// A swept key: PATH=START:END:STEP, PATH=A,B,C or PATH=VALUE
    /// (repeatable; several make a grid, the last varying fastest).
    #[arg(long = "set", value_name = "PATH=RANGE_OR_LIST", required = true)]
    pub set: Vec<String>,
    /// The metric to maximise, or -NAME to minimise; marks the chosen point.
    #[arg(long, allow_hyphen_values = true)]
    pub objective: Option<String>,
    /// A bound on a metric's mean: 'NAME<=V' (also >=, <, >); repeatable.
    #[arg(long)]
    pub constraint: Vec<String>,
    /// Also write the event log of this point's replications
    /// (`events.csv`, `events.parquet`).
    #[arg(long, value_name = "N")]
    pub event_log_point: Option<usize>,
    /// Shared options.
    #[command(flatten)]
    pub options: ExperimentOptions,
}

/// Options of `salesim compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario files; the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Override a key in every scenario: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Shared options.
    #[command(flatten)]
    pub options: ExperimentOptions,
}

/// Options of `salesim sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (default: the embedded canonical scenario).
    pub scenario: Option<PathBuf>,
    /// The metric whose sensitivity is measured.
    #[arg(long, default_value = "hours_saved_per_rep_week")]
    pub metric: String,
    /// How far each parameter moves down and up.
    #[arg(long, default_value = "20%")]
    pub by: String,
    /// Override a key of the base scenario: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Shared options.
    #[command(flatten)]
    pub options: ExperimentOptions,
}

/// The metrics of an experiment's table: `--metrics`, else the headline
/// set and `extra` (the metrics of an objective and its constraints).
fn table_metrics(names: &[String], extra: &[&'static Metric]) -> Result<Vec<&'static Metric>> {
    let mut list: Vec<&'static Metric> = Vec::new();
    if names.is_empty() {
        for name in TABLE_METRICS {
            list.push(named("--metrics", name)?);
        }
        list.extend(extra);
    } else {
        for name in names {
            list.push(named("--metrics", name.trim())?);
        }
    }
    let mut unique: Vec<&'static Metric> = Vec::new();
    for m in list {
        if !unique.iter().any(|x| x.name == m.name) {
            unique.push(m);
        }
    }
    Ok(unique)
}

/// A point's label for messages: `point 3 (a=1, b=2)`.
fn point_label(p: usize, params: &[String], values: &[ParamValue]) -> String {
    let kv: Vec<String> = params
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={}", v.override_text()))
        .collect();
    format!("point {p} ({})", kv.join(", "))
}

fn point_of(loaded: Loaded, values: Vec<ParamValue>, made: Made) -> Point {
    Point {
        values,
        scenario: loaded.scenario,
        resolved_toml: loaded.resolved_toml,
        made,
        data: loaded.data,
    }
}

/// The output folder: `--out`, else `reports/<name>/` for a run and
/// `reports/<name>-<command>/` for an experiment.
fn out_dir(o: &Options, design: &Design) -> PathBuf {
    o.out.clone().unwrap_or_else(|| {
        let name = folder_name(design.name());
        match design.kind {
            Kind::Run => Path::new("reports").join(name),
            kind => Path::new("reports").join(format!("{name}-{}", kind.name())),
        }
    })
}

/// A progress bar on a terminal, hidden otherwise or with `--quiet`.
fn progress(o: &Options, kind: Kind, jobs: u64, name: &str) -> ProgressBar {
    if o.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template = match kind {
        Kind::Run => "{msg} [{bar:30}] {pos}/{len} replications ({eta})",
        _ => "{msg} [{bar:30}] {pos}/{len} jobs, {per_sec}, ETA {eta}",
    };
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_string());
    bar
}

/// What a command's execution leaves for [`finish`]: every point's result
/// and the event log, written but not yet under its final names.
pub(super) struct Executed {
    /// Each point's aggregated result.
    pub(super) results: Vec<RunResult>,
    /// The event log's files, when one was asked for.
    pub(super) events: Option<EventFiles>,
}

/// Runs the design's jobs into `out`: prepares the folder, reuses finished
/// jobs with `resume`, writes each job's file as it finishes (experiments
/// and shards; a plain run keeps none), records the event log in the same
/// pass, and returns every point's result. A shard (`--shard K/N`) runs its
/// jobs, records itself and returns `None`.
fn execute(
    design: &Design,
    o: &Options,
    threads: usize,
    resume: bool,
    out: &Path,
) -> Result<Option<Executed>> {
    let record = PlanRecord::of(design, o.format);
    let shard = o.shard.as_deref().map(Shard::parse).transpose()?;
    let keeps_jobs = design.kind != Kind::Run || shard.is_some();
    let command = if shard.is_some() {
        "shard"
    } else {
        design.kind.name()
    };
    output_folder(out, design, command, o.force || resume)?;
    let plan = &design.plan;
    let mut done: BTreeMap<u64, ReplicationResult> = BTreeMap::new();
    if resume {
        let plan_path = out.join(store::PLAN_FILE);
        if let Some(bytes) = files::read_optional(&plan_path) {
            let earlier = PlanRecord::decode(&bytes, &plan_path.display().to_string())?;
            if let Some(what) = record.mismatch(&earlier) {
                return Err(Error::Usage(format!(
                    "cannot resume in {}: it holds an experiment with another {what}; \
                     run without --resume (or with another --out) to start afresh",
                    out.display()
                )));
            }
            for (name, bytes) in files::read_jobs(out) {
                match store::decode_job(plan, &bytes) {
                    Ok((j, r)) if shard.is_none_or(|s| s.runs(j)) => {
                        done.insert(j, r);
                    }
                    Ok(_) => {}
                    Err(why) => {
                        if !o.quiet {
                            eprintln!("jobs/{name} is {why}: its job runs again");
                        }
                    }
                }
            }
        }
    } else if keeps_jobs {
        // A fresh experiment: the folder holds its plan and its jobs as
        // they come, never beside an earlier command's results.
        files::remove_entries(&files::stale_entries(out, &[]))?;
    }
    if keeps_jobs {
        let mut records = vec![(store::PLAN_FILE.to_string(), record.encode())];
        if let Some(s) = shard {
            let shard_record = ShardRecord {
                index: s.index,
                count: s.count,
            };
            records.push((store::SHARD_FILE.to_string(), shard_record.encode()));
            // Marks the folder as this scenario's, for the output-folder
            // guard; with the data its points read, for the merge.
            records.extend(design.folder_files()?);
        }
        files::write_files(out, &records)?;
    }
    install_interrupt_handler();
    // A shard writes no event log: the merge records it.
    let logged = design.event_log.filter(|_| shard.is_none());
    let mut jobs = plan.pending(shard, &done);
    if let Some(point) = logged {
        // The log's rows are not kept in job files: a resumed experiment
        // runs the logged point's finished jobs again (same results).
        jobs = plan.pending(shard, &BTreeMap::new());
        jobs.retain(|j| j.point == point || !done.contains_key(&j.index));
    }
    let bar = progress(o, design.kind, jobs.len() as u64, design.name());
    if !done.is_empty() && !o.quiet {
        eprintln!(
            "resuming: {} of {} jobs already done",
            done.len(),
            plan.job_count()
        );
    }
    let mut log = match logged {
        Some(point) => Some((point, event_files(out, design, point)?)),
        None => None,
    };
    let results = plan.run(
        &jobs,
        threads,
        &|job, result| {
            if keeps_jobs {
                let bytes = store::encode_job(plan, job.index, result);
                files::write_job(out, &store::job_file_name(job.index), &bytes)?;
            }
            bar.inc(1);
            Ok(())
        },
        log.as_mut().map(|(p, f)| (*p, f as &mut dyn RowSink)),
    )?;
    bar.finish_and_clear();
    done.extend(results);
    if let Some(s) = shard {
        if !o.quiet {
            eprintln!(
                "shard {}/{}: {} job results in {}; combine the shards with `salesim merge`",
                s.index,
                s.count,
                done.len(),
                out.display()
            );
        }
        return Ok(None);
    }
    Ok(Some(Executed {
        results: plan.assemble(done)?,
        events: log.map(|(_, sink)| sink),
    }))
}

/// Checks that `out` may take the files of `command` (a kind's name, or
/// `shard`) and creates it.
pub(super) fn output_folder(out: &Path, design: &Design, command: &str, force: bool) -> Result<()> {
    crate::output::check_out_dir(out, design.name(), command, force)?;
    crate::output::prepare_dir(out)
}

/// The event log's files for the replications of `point`.
pub(super) fn event_files(out: &Path, design: &Design, point: usize) -> Result<EventFiles> {
    let sc = &design.plan.points[point].scenario;
    EventFiles::create(out, sc, Clock::new(sc.run.start_date))
}

/// The top-level names of `files` (`charts/x.svg` -> `charts`).
fn tops(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    let mut names: Vec<&str> = files
        .iter()
        .map(|(name, _)| name.split('/').next().unwrap_or(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Writes the command's files, the event log among them, as one atomic set
/// that also removes what an earlier command left in the folder, and
/// prints the report.
pub(super) fn finish(
    design: &Design,
    executed: Executed,
    format: Format,
    quiet: bool,
    out: &Path,
) -> Result<()> {
    let results = &executed.results;
    let e = Experiment::new(design, results);
    let mut files = e.files(out)?;
    let report = crate::report::of(&e);
    let scenarios: Vec<&crate::scenario::Scenario> =
        design.plan.points.iter().map(|p| &p.scenario).collect();
    files.extend(crate::report::files(&report, &scenarios)?);
    let (streamed, rows) = match executed.events {
        Some(events) => events.close()?,
        None => (Vec::new(), 0),
    };
    let log = streamed.first().map(|f| f.dest().to_path_buf());
    let mut keep = tops(&files);
    keep.extend(
        streamed
            .iter()
            .filter_map(|f| f.dest().file_name().and_then(|n| n.to_str())),
    );
    if design.kind != Kind::Run {
        keep.extend([store::PLAN_FILE, store::JOBS_DIR]);
    }
    let mut stale = files::stale_entries(out, &keep);
    stale.extend(files::stale_charts(out, &files));
    files::commit(out, &files, streamed, &stale)?;
    if let (Some(path), false) = (log, quiet) {
        eprintln!("wrote the event log ({rows} rows) to {}", path.display());
    }
    // The table shows a comparison's warning above it; other formats on
    // standard error (and in the JSON document).
    if format != Format::Table && !quiet {
        for w in e.comparability() {
            eprintln!("warning: {w}");
        }
    }
    print_out(match format {
        Format::Table => e.table(),
        Format::Json => e.json(),
        // The main table's CSV file is the first one.
        Format::Csv => String::from_utf8_lossy(&files[0].1).into_owned(),
    });
    if !quiet {
        match design.kind {
            Kind::Run => eprintln!("wrote {} files to {}", files.len(), out.display()),
            // Plus plan.json.
            _ => eprintln!(
                "wrote {} files and {} job results to {}",
                files.len() + 1,
                design.plan.job_count(),
                out.display()
            ),
        }
    }
    Ok(())
}

/// Fits `design` into the memory budget (`--max-memory`): sets the most
/// leads a replication may hold, and returns the replications to run at
/// once (fewer than `--threads` when all would not fit).
fn fit_budget(design: &mut Design, o: &Options) -> Result<usize> {
    crate::experiment::check_threads(o.threads)?;
    let allowance = budget::allow(&design.plan, o.threads, o.budget()?)?;
    design.plan.max_leads = allowance.max_leads;
    let wanted = match o.threads {
        0 => allowance.threads.max(1),
        n => n,
    };
    if allowance.threads < wanted && !o.quiet {
        eprintln!(
            "running {} replications at once (of {wanted}) to stay inside the memory budget",
            allowance.threads
        );
    }
    Ok(allowance.threads)
}

/// Executes `design` and, unless it is a shard, writes and prints its results.
fn execute_and_finish(mut design: Design, o: &Options, resume: bool) -> Result<()> {
    let threads = fit_budget(&mut design, o)?;
    let out = out_dir(o, &design);
    let Some(executed) = execute(&design, o, threads, resume, &out)? else {
        return Ok(());
    };
    finish(&design, executed, o.format, o.quiet, &out)
}

/// `salesim run`: an experiment of one point.
pub fn run(args: &super::RunArgs) -> Result<()> {
    let o = &args.options;
    let loaded = load(
        args.scenario.as_deref(),
        &overrides_of(o.replications, o.seed, &args.set)?,
    )?;
    let point = point_of(loaded.clone(), Vec::new(), Made::Base(Vec::new()));
    let plan = Plan::new(Vec::new(), vec![point])?;
    execute_and_finish(Design::run(loaded, plan, args.event_log), o, false)
}

/// `salesim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let o = &args.options.common;
    let axes: Vec<Axis> = args
        .set
        .iter()
        .map(|s| grid::parse_axis(s))
        .collect::<Result<_>>()?;
    let objective = args
        .objective
        .as_deref()
        .map(Objective::parse)
        .transpose()?;
    let constraints: Vec<Constraint> = args
        .constraint
        .iter()
        .map(|c| Constraint::parse(c))
        .collect::<Result<_>>()?;
    let goal = match objective {
        Some(objective) => Some(Goal {
            objective,
            constraints,
        }),
        None if !constraints.is_empty() => {
            return Err(Error::Usage(
                "--constraint needs an --objective to choose a point by".into(),
            ))
        }
        None => None,
    };
    let base_overrides = overrides_of(o.replications, o.seed, &[])?;
    let params: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    // Each key once: two axes of one key would label points by one value
    // and run the other.
    let mut all = base_overrides.clone();
    all.extend(axes.iter().map(|a| {
        Override {
            path: a.path.clone(),
            value: a
                .values
                .first()
                .map_or_else(String::new, |v| v.override_text().to_string()),
        }
    }));
    crate::scenario::check_distinct(&all)?;
    let base = load(args.scenario.as_deref(), &base_overrides)?;
    let grid = grid::points(&axes)?;
    // A grid whose results cannot fit is refused before its points load.
    budget::check_results(
        grid.len(),
        base.scenario.run.replications,
        base.scenario.run.horizon,
        o.budget()?,
    )?;
    // Validate every point before running any.
    let mut points = Vec::new();
    for (p, values) in grid.into_iter().enumerate() {
        let set: Vec<Override> = params
            .iter()
            .zip(&values)
            .map(|(path, value)| Override {
                path: path.clone(),
                value: value.override_text().to_string(),
            })
            .collect();
        let mut overrides = base_overrides.clone();
        overrides.extend(set.iter().cloned());
        let loaded = load(args.scenario.as_deref(), &overrides).map_err(|e| match e {
            Error::Scenario { location, message } => Error::Scenario {
                location,
                message: format!("{message} (at {})", point_label(p, &params, &values)),
            },
            other => other,
        })?;
        points.push(point_of(loaded, values, Made::Base(set)));
    }
    if let Some(n) = args.event_log_point.filter(|n| *n >= points.len()) {
        return Err(Error::Usage(format!(
            "--event-log-point {n}: the sweep has points 0 to {}",
            points.len() - 1
        )));
    }
    let mut extra: Vec<&'static Metric> = Vec::new();
    if let Some(g) = &goal {
        extra.extend(g.objective.measure.metrics());
        extra.extend(g.constraints.iter().flat_map(|c| c.measure.metrics()));
    }
    let design = Design {
        kind: Kind::Sweep,
        metrics: table_metrics(&args.options.metrics, &extra)?,
        plan: Plan::new(params, points)?,
        base,
        goal,
        event_log: args.event_log_point,
        sensitivity: None,
    };
    execute_and_finish(design, o, args.options.resume)
}

/// `salesim compare`.
pub fn compare(args: &CompareArgs) -> Result<()> {
    let o = &args.options.common;
    let user = overrides_of(o.replications, o.seed, &args.set)?;
    let first = load(Some(&args.scenarios[0]), &user)?;
    // Common random numbers: every scenario runs with the first one's seed
    // and replications (or the options').
    let mut shared = user.clone();
    shared.push(Override {
        path: "run.seed".into(),
        value: first.scenario.run.seed.to_string(),
    });
    shared.push(Override {
        path: "run.replications".into(),
        value: first.scenario.run.replications.to_string(),
    });
    let mut points = Vec::new();
    for file in &args.scenarios {
        let loaded = load(Some(file), &shared)?;
        let name = ParamValue::parse(&loaded.scenario.name);
        let own = Made::Own(loaded.resolved_toml.clone());
        points.push(point_of(loaded, vec![name], own));
    }
    let design = Design {
        kind: Kind::Compare,
        metrics: table_metrics(&args.options.metrics, &[])?,
        plan: Plan::new(vec!["scenario".into()], points)?,
        base: first,
        goal: None,
        event_log: None,
        sensitivity: None,
    };
    execute_and_finish(design, o, args.options.resume)
}

/// `salesim sensitivity`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let o = &args.options.common;
    let metric = named("--metric", &args.metric)?;
    let by = sensitivity::parse_by(&args.by)?;
    let user = overrides_of(o.replications, o.seed, &args.set)?;
    let base = load(args.scenario.as_deref(), &user)?;
    let knobs = sensitivity::knobs(&base.parameters, by);
    let labels = |parameter: &str, setting: &str, value: &str| {
        vec![
            ParamValue::parse(parameter),
            ParamValue::parse(setting),
            ParamValue::parse(value),
        ]
    };
    let mut points = vec![point_of(
        base.clone(),
        labels("base", "base", ""),
        Made::Base(Vec::new()),
    )];
    let mut swings = Vec::new();
    let mut skipped = Vec::new();
    for knob in knobs {
        let set = |value: &str| {
            vec![Override {
                path: knob.path.clone(),
                value: value.to_string(),
            }]
        };
        let at = |value: &str| {
            let mut overrides = user.clone();
            overrides.extend(set(value));
            load(args.scenario.as_deref(), &overrides)
        };
        match (at(&knob.low), at(&knob.high)) {
            (Ok(low), Ok(high)) => {
                let n = points.len();
                for (setting, loaded, value) in
                    [("low", low, &knob.low), ("high", high, &knob.high)]
                {
                    points.push(point_of(
                        loaded,
                        labels(&knob.label, setting, value),
                        Made::Base(set(value)),
                    ));
                }
                swings.push(Swing {
                    knob,
                    low: n,
                    high: n + 1,
                });
            }
            (Err(e), _) | (_, Err(e)) => skipped.push((knob.label.clone(), e.to_string())),
        }
    }
    let params = vec!["parameter".into(), "setting".into(), "value".into()];
    let design = Design {
        kind: Kind::Sensitivity,
        metrics: table_metrics(&args.options.metrics, &[])?,
        plan: Plan::new(params, points)?,
        base,
        goal: None,
        event_log: None,
        sensitivity: Some(SensitivityDesign {
            metric,
            swings,
            skipped,
        }),
    };
    execute_and_finish(design, o, args.options.resume)
}
