//! `salesim sweep`, `compare` and `sensitivity`: build the points, run the
//! job list (resumable, writing each job's result as it finishes), then
//! write and print the reports (docs/MODEL.md sections 7, 8 and 11).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::{folder_name, install_interrupt_handler, load, overrides_of, print_out, Format};
use crate::error::{Error, Result};
use crate::experiment::grid::{self, Axis};
use crate::experiment::select::{choose, Constraint, Objective};
use crate::experiment::sensitivity::{self, Knob};
use crate::experiment::{Plan, Point, ReplicationResult, RunResult, Shard};
use crate::metrics::{metric, Metric};
use crate::output::experiment::{Experiment, Kind, Selection, Sensitivity, Swing, TABLE_METRICS};
use crate::output::frames::{encode_csv, encode_parquet};
use crate::output::store::{self, Manifest};
use crate::output::{self, files};
use crate::scenario::{Loaded, Override};

/// Options shared by the experiment commands.
#[derive(Debug, clap::Args)]
pub struct ExperimentOptions {
    /// Replications per point (overrides run.replications).
    #[arg(long, short = 'r')]
    pub replications: Option<u32>,
    /// Base seed shared by every point (overrides run.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: reports/<scenario name>-<command>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Metrics shown in the table, comma-separated (default: the headline
    /// figures: hours saved, emails, meetings, gate quality, review wait).
    #[arg(long, value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// No progress bar or file list on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Write into an output folder that holds other results.
    #[arg(long)]
    pub force: bool,
    /// Reuse the job results already in the output folder (from an
    /// interrupted run of the same experiment) and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Run only the jobs j with j mod N = K and write a partial result for
    /// `salesim merge` (for a job array on a cluster scheduler).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Set by `salesim merge`: take every job's result from these shard
    /// folders instead of running it.
    #[arg(skip)]
    pub merge_from: Vec<PathBuf>,
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

/// The metrics of the table: `--metrics`, else the headline set.
fn table_metrics(o: &ExperimentOptions, extra: &[&'static str]) -> Result<Vec<&'static Metric>> {
    let names: Vec<String> = if o.metrics.is_empty() {
        TABLE_METRICS
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    } else {
        o.metrics.clone()
    };
    let mut list: Vec<&'static Metric> = Vec::new();
    for name in names {
        let m = metric(name.trim())
            .ok_or_else(|| Error::Usage(format!("--metrics: unknown metric \"{name}\"")))?;
        if !list.iter().any(|x| x.name == m.name) {
            list.push(m);
        }
    }
    Ok(list)
}

/// A point's label for messages: `point 3 (a=1, b=2)`.
fn point_label(p: usize, params: &[(String, String)]) -> String {
    let kv: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("point {p} ({})", kv.join(", "))
}

fn point_of(loaded: Loaded, params: Vec<(String, String)>) -> Point {
    Point {
        params,
        scenario: loaded.scenario,
        resolved_toml: loaded.resolved_toml,
    }
}

/// What an experiment command has built before running.
pub(super) struct Prepared {
    kind: Kind,
    base: Loaded,
    plan: Plan,
    params: Vec<String>,
    values: Vec<Vec<String>>,
}

impl Prepared {
    pub(super) fn new(kind: Kind, base: Loaded, plan: Plan, params: Vec<String>) -> Prepared {
        let values = plan
            .points
            .iter()
            .map(|p| p.params.iter().map(|(_, v)| v.clone()).collect())
            .collect();
        Prepared {
            kind,
            base,
            plan,
            params,
            values,
        }
    }

    /// The report input of the experiment's results; `feasible(p)` says
    /// whether point p satisfies the constraints.
    fn report(
        &self,
        results: &[RunResult],
        feasible: impl Fn(usize) -> bool,
    ) -> crate::report::ReportInput {
        let points = self
            .plan
            .points
            .iter()
            .zip(results)
            .enumerate()
            .map(|(p, (point, result))| {
                let label = if self.kind == Kind::Compare {
                    point.scenario.name.clone()
                } else if point.params.is_empty() {
                    "base".to_string()
                } else {
                    point
                        .params
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                crate::report::point(
                    label,
                    self.values[p].clone(),
                    &point.scenario,
                    result,
                    feasible(p),
                )
            })
            .collect();
        let mut input = crate::report::input(self.kind.name(), &self.base, points);
        if self.kind == Kind::Sweep {
            input.params = self.params.clone();
        }
        input
    }

    fn experiment<'a>(&'a self, results: &'a [RunResult]) -> Experiment<'a> {
        Experiment {
            kind: self.kind,
            scenario: &self.base.scenario.name,
            seed: self.plan.seed,
            replications: self.plan.replications,
            params: self.params.clone(),
            values: self.values.clone(),
            results,
        }
    }
}

/// Runs the plan's jobs into `out`: prepares the folder, reuses finished
/// jobs with `--resume`, writes each job's file as it finishes, shows
/// progress, and returns every point's result. A shard (`--shard K/N`)
/// runs its jobs, records itself and returns `None`; a merge takes every
/// result from its shard folders instead of running anything.
pub(super) fn execute(
    prep: &Prepared,
    o: &ExperimentOptions,
    out: &Path,
) -> Result<Option<Vec<RunResult>>> {
    let manifest = Manifest::new(
        prep.kind.name(),
        &prep.base.scenario.name,
        &prep.params,
        &prep.values,
        &prep.plan,
    );
    let shard = o.shard.as_deref().map(Shard::parse).transpose()?;
    if !o.merge_from.is_empty() {
        let done = super::merge::results(&o.merge_from, &manifest, &prep.plan)?;
        output::check_out_dir(out, &prep.base.scenario.name, o.force)?;
        output::prepare_dir(out)?;
        // A run writes no job files; experiments keep theirs, so the merged
        // folder is what one machine would have written.
        if prep.kind != Kind::Run {
            files::clear_jobs(out)?;
            files::write_files(out, &[(store::PLAN_FILE.to_string(), manifest.encode())])?;
            for (j, r) in &done {
                let bytes = store::encode_job(&prep.plan, *j, r);
                files::write_job(out, &store::job_file_name(*j), &bytes)?;
            }
        }
        return prep.plan.assemble(done).map(Some);
    }
    output::check_out_dir(out, &prep.base.scenario.name, o.force || o.resume)?;
    output::prepare_dir(out)?;
    let plan_path = out.join(store::PLAN_FILE);
    let mut done: BTreeMap<u64, ReplicationResult> = BTreeMap::new();
    if o.resume {
        if let Some(bytes) = files::read_optional(&plan_path) {
            let earlier = Manifest::decode(&bytes, &plan_path.display().to_string())?;
            if let Some(what) = manifest.mismatch(&earlier) {
                return Err(Error::Usage(format!(
                    "cannot resume in {}: it holds an experiment with another {what}; \
                     run without --resume (or with another --out) to start afresh",
                    out.display()
                )));
            }
            for (_, bytes) in files::read_jobs(out) {
                if let Some((j, r)) = store::decode_job(&prep.plan, &bytes) {
                    if shard.is_none_or(|s| s.runs(j)) {
                        done.insert(j, r);
                    }
                }
            }
        }
    } else {
        files::clear_jobs(out)?;
    }
    let mut records = vec![(store::PLAN_FILE.to_string(), manifest.encode())];
    if let Some(s) = shard {
        let record = store::ShardRecord {
            argv: std::env::args().collect(),
            cwd: std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            index: s.index,
            count: s.count,
        };
        records.push((store::SHARD_FILE.to_string(), record.encode()));
        // Marks the folder as this scenario's, for the output-folder guard.
        records.push((
            "scenario.toml".to_string(),
            prep.base.resolved_toml.clone().into_bytes(),
        ));
    }
    files::write_files(out, &records)?;
    install_interrupt_handler();
    let pending = prep.plan.pending(shard, &done);
    let bar = progress(o, pending.len() as u64, &prep.base.scenario.name);
    if !done.is_empty() && !o.quiet {
        eprintln!(
            "resuming: {} of {} jobs already done",
            done.len(),
            prep.plan.job_count()
        );
    }
    let results = prep.plan.run(&pending, o.threads, &|job, result| {
        let bytes = store::encode_job(&prep.plan, job.index, result);
        files::write_job(out, &store::job_file_name(job.index), &bytes)?;
        bar.inc(1);
        Ok(())
    })?;
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
    prep.plan.assemble(done).map(Some)
}

fn progress(o: &ExperimentOptions, jobs: u64, name: &str) -> ProgressBar {
    if o.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} jobs, {per_sec}, ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_string());
    bar
}

/// Encodes a frame as CSV and Parquet under `stem`.
fn tables(
    stem: &str,
    df: &polars::prelude::DataFrame,
    out: &Path,
) -> Result<Vec<(String, Vec<u8>)>> {
    let csv = format!("{stem}.csv");
    let parquet = format!("{stem}.parquet");
    Ok(vec![
        (csv.clone(), files::encode(out, &csv, df, encode_csv)?),
        (
            parquet.clone(),
            files::encode(out, &parquet, df, encode_parquet)?,
        ),
    ])
}

/// Writes the experiment's files and prints its report.
fn finish(
    prep: &Prepared,
    e: &Experiment,
    o: &ExperimentOptions,
    out: &Path,
    main: (&str, polars::prelude::DataFrame),
    (json, table): (String, String),
    report: crate::report::ReportInput,
) -> Result<()> {
    let mut files = tables(main.0, &main.1, out)?;
    files.extend(per_replication_files(e, out)?);
    files.extend(crate::report::files(&report, &prep.base.scenario));
    files.push((
        format!("{}.json", prep.kind.name()),
        format!("{json}\n").into_bytes(),
    ));
    files.push((
        "scenario.toml".to_string(),
        prep.base.resolved_toml.clone().into_bytes(),
    ));
    let written = files::write_files(out, &files)?;
    let csv_text = String::from_utf8_lossy(&files[0].1).into_owned();
    print_out(match o.format {
        Format::Table => table,
        Format::Json => json,
        Format::Csv => csv_text,
    });
    if !o.quiet {
        // Plus plan.json.
        eprintln!(
            "wrote {} files and {} job results to {}",
            written.len() + 1,
            prep.plan.job_count(),
            out.display()
        );
    }
    Ok(())
}

/// The bytes of `replications.parquet` and `weekly.parquet`.
fn per_replication_files(e: &Experiment, out: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    ["replications.parquet", "weekly.parquet"]
        .into_iter()
        .zip([e.replications_frame(), e.weekly_frame()])
        .map(|(name, df)| {
            Ok((
                name.to_string(),
                files::encode(out, name, &df, encode_parquet)?,
            ))
        })
        .collect()
}

fn default_out(o: &ExperimentOptions, name: &str, kind: Kind) -> PathBuf {
    o.out.clone().unwrap_or_else(|| {
        Path::new("reports").join(format!("{}-{}", folder_name(name), kind.name()))
    })
}

/// `salesim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let o = &args.options;
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
    if objective.is_none() && !constraints.is_empty() {
        return Err(Error::Usage(
            "--constraint needs an --objective to choose a point by".into(),
        ));
    }
    let base_overrides = overrides_of(o.replications, o.seed, &[])?;
    let base = load(args.scenario.as_deref(), &base_overrides)?;
    // Validate every point before running any.
    let mut points = Vec::new();
    for (p, params) in grid::points(&axes)?.into_iter().enumerate() {
        let mut overrides = base_overrides.clone();
        overrides.extend(params.iter().map(|(path, value)| Override {
            path: path.clone(),
            value: value.clone(),
        }));
        let loaded = load(args.scenario.as_deref(), &overrides).map_err(|e| match e {
            Error::Scenario { location, message } => Error::Scenario {
                location,
                message: format!("{message} (at {})", point_label(p, &params)),
            },
            other => other,
        })?;
        points.push(point_of(loaded, params));
    }
    let params: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    if let Some(n) = args.event_log_point.filter(|n| *n >= points.len()) {
        return Err(Error::Usage(format!(
            "--event-log-point {n}: the sweep has points 0 to {}",
            points.len() - 1
        )));
    }
    let prep = Prepared::new(Kind::Sweep, base, Plan::new(points)?, params);
    let out = default_out(o, &prep.base.scenario.name, Kind::Sweep);
    let Some(results) = execute(&prep, o, &out)? else {
        return Ok(());
    };
    let e = prep.experiment(&results);
    let summaries: Vec<&[crate::metrics::Aggregate]> =
        results.iter().map(|r| r.summary.as_slice()).collect();
    let choice = objective
        .as_ref()
        .map(|obj| choose(&summaries, obj, &constraints));
    let selection = objective
        .as_ref()
        .zip(choice.as_ref())
        .map(|(objective, choice)| Selection {
            objective,
            constraints: &constraints,
            choice,
        });
    let mut extra: Vec<&'static str> = Vec::new();
    if let Some(obj) = &objective {
        extra.push(obj.metric);
    }
    extra.extend(constraints.iter().map(|c| c.metric));
    let metrics = table_metrics(o, &extra)?;
    if let Some(n) = args.event_log_point {
        super::write_event_log(&out, &prep.plan.points[n].scenario, o.quiet)?;
    }
    let mut report = prep.report(&results, |p| choice.as_ref().is_none_or(|c| c.feasible[p]));
    report.chosen = choice.as_ref().and_then(|c| c.chosen);
    report.objective = objective.as_ref().map(|obj| {
        let mut how = format!(
            "{} {}",
            if obj.maximise { "maximise" } else { "minimise" },
            obj.metric
        );
        if !constraints.is_empty() {
            let c: Vec<String> = constraints.iter().map(ToString::to_string).collect();
            how.push_str(&format!(" subject to {}", c.join(", ")));
        }
        how
    });
    finish(
        &prep,
        &e,
        o,
        &out,
        ("sweep", e.points_frame()),
        (e.sweep_json(selection), e.sweep_table(&metrics, selection)),
        report,
    )
}

/// `salesim compare`.
pub fn compare(args: &CompareArgs) -> Result<()> {
    let o = &args.options;
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
        let name = loaded.scenario.name.clone();
        points.push(point_of(loaded, vec![("scenario".into(), name)]));
    }
    let prep = Prepared::new(
        Kind::Compare,
        first,
        Plan::new(points)?,
        vec!["scenario".into()],
    );
    let out = default_out(o, &prep.base.scenario.name, Kind::Compare);
    let Some(results) = execute(&prep, o, &out)? else {
        return Ok(());
    };
    let e = prep.experiment(&results);
    let metrics = table_metrics(o, &[])?;
    let report = prep.report(&results, |_| true);
    finish(
        &prep,
        &e,
        o,
        &out,
        ("compare", e.compare_frame()),
        (e.compare_json(), e.compare_table(&metrics)),
        report,
    )
}

/// `salesim sensitivity`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let o = &args.options;
    let m = metric(&args.metric)
        .ok_or_else(|| Error::Usage(format!("--metric: unknown metric \"{}\"", args.metric)))?;
    let by = sensitivity::parse_by(&args.by)?;
    let user = overrides_of(o.replications, o.seed, &args.set)?;
    let base = load(args.scenario.as_deref(), &user)?;
    let knobs = sensitivity::knobs(&base.parameters, by);
    let base_point = point_of(
        base.clone(),
        vec![
            ("parameter".into(), "base".into()),
            ("setting".into(), "base".into()),
            ("value".into(), String::new()),
        ],
    );
    let mut points = vec![base_point];
    let mut moved: Vec<(&Knob, usize, usize)> = Vec::new();
    let mut skipped = Vec::new();
    for knob in &knobs {
        let at = |value: &str| {
            let mut overrides = user.clone();
            overrides.push(Override {
                path: knob.path.clone(),
                value: value.to_string(),
            });
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
                        vec![
                            ("parameter".into(), knob.label.clone()),
                            ("setting".into(), setting.into()),
                            ("value".into(), value.clone()),
                        ],
                    ));
                }
                moved.push((knob, n, n + 1));
            }
            (Err(e), _) | (_, Err(e)) => skipped.push((knob.label.clone(), e.to_string())),
        }
    }
    let params = vec!["parameter".into(), "setting".into(), "value".into()];
    let prep = Prepared::new(Kind::Sensitivity, base, Plan::new(points)?, params);
    let out = default_out(o, &prep.base.scenario.name, Kind::Sensitivity);
    let Some(results) = execute(&prep, o, &out)? else {
        return Ok(());
    };
    let e = prep.experiment(&results);
    let swings = moved
        .iter()
        .map(|&(knob, low, high)| Swing { knob, low, high })
        .collect();
    let s = Sensitivity::new(e, m, swings, skipped);
    let mut report = prep.report(&results, |_| true);
    let mean = |p: usize| s.mean(p).unwrap_or(0.0);
    report.sensitivity = Some((
        m.name.to_string(),
        s.swings
            .iter()
            .map(|w| crate::report::SwingReport {
                parameter: w.knob.label.clone(),
                low: mean(w.low),
                high: mean(w.high),
                assumed: w.knob.assumed,
            })
            .collect(),
    ));
    finish(
        &prep,
        &s.experiment,
        o,
        &out,
        ("sensitivity", s.frame()),
        (s.json(), s.table()),
        report,
    )
}

/// `salesim run --shard K/N`, or a merge of such shards: the run's
/// replications as a job list of one point. Returns the run's result, or
/// `None` for a shard.
pub(super) fn run_by_jobs(
    args: &super::RunArgs,
    loaded: &Loaded,
    out: &Path,
) -> Result<Option<RunResult>> {
    let options = ExperimentOptions {
        replications: None,
        seed: None,
        threads: args.threads,
        out: Some(out.to_path_buf()),
        format: args.format,
        metrics: Vec::new(),
        quiet: args.quiet,
        force: args.force,
        resume: false,
        shard: args.shard.clone(),
        merge_from: args.merge_from.clone(),
    };
    let point = point_of(loaded.clone(), Vec::new());
    let prep = Prepared::new(
        Kind::Run,
        loaded.clone(),
        Plan::new(vec![point])?,
        Vec::new(),
    );
    Ok(execute(&prep, &options, out)?.and_then(|mut r| r.pop()))
}
