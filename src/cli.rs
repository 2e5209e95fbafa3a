//! The command line (docs/MODEL.md section 8): `salesim run`, `check`, and the
//! experiments `sweep`, `compare` and `sensitivity`.

mod experiments;
mod fit;
mod merge;

pub use experiments::{CompareArgs, ExperimentOptions, SensitivityArgs, SweepArgs};
pub use fit::FitArgs;
pub use merge::MergeArgs;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::output::{self, Format};
use crate::scenario::{self, Loaded, Override};

/// Discrete-event simulation of an outbound sales pipeline with AI agents
/// and a human review gate.
#[derive(Debug, Parser)]
#[command(name = "salesim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's replications and report the metrics.
    Run(RunArgs),
    /// Validate scenario files without running them.
    Check(CheckArgs),
    /// Sweep scenario keys over a grid on common random numbers, and choose
    /// the best point under constraints.
    Sweep(SweepArgs),
    /// Compare scenarios side by side on common random numbers, with paired
    /// differences against the first.
    Compare(CompareArgs),
    /// One-at-a-time sensitivity of a metric to every numeric parameter.
    Sensitivity(SensitivityArgs),
    /// Combine the shards of a run or experiment (made with --shard K/N)
    /// into the files one machine would have written.
    Merge(MergeArgs),
    /// Draw the scenario's swimlane: BPMN 2.0 XML (for bpmn.io, Camunda
    /// Modeler) or SVG.
    Diagram(DiagramArgs),
    /// Rebuild the charts and index.html of an output folder from its files,
    /// without simulating.
    Report(ReportArgs),
    /// Fit a scenario to a CRM export or an event log (CSV, Parquet, XES)
    /// and show how well it reproduces the history.
    Fit(FitArgs),
}

/// Options of `salesim report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// An output folder of run, sweep, compare, sensitivity or merge.
    pub dir: PathBuf,
}

/// Diagram formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// BPMN 2.0 XML with diagram interchange.
    Bpmn,
    /// An SVG drawing of the same layout.
    Svg,
}

/// Options of `salesim diagram`.
#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    /// Scenario file (default: the embedded canonical scenario).
    pub scenario: Option<PathBuf>,
    /// The format.
    #[arg(long, value_enum)]
    pub format: DiagramFormat,
    /// Override a scenario key: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options shared by `run` and the experiment commands.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Replications per point (overrides run.replications).
    #[arg(long, short = 'r')]
    pub replications: Option<u32>,
    /// Base seed shared by every point (overrides run.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: reports/<scenario name>/ for run,
    /// reports/<scenario name>-<command>/ for an experiment).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress bar or file list on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Write into an output folder that holds another scenario's results or
    /// other files.
    #[arg(long)]
    pub force: bool,
    /// Run only the jobs j with j mod N = K and write a partial result for
    /// `salesim merge` (for a job array on a cluster scheduler).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The memory the command may use, e.g. 8G or 512M (default: half the
    /// machine's memory): fewer replications run at once when all would
    /// not fit, and a command that cannot fit is refused.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
}

impl Options {
    /// The memory budget: `--max-memory`, else half the machine's memory.
    pub fn budget(&self) -> Result<crate::experiment::budget::Budget> {
        use crate::experiment::budget::Budget;
        self.max_memory
            .as_deref()
            .map_or_else(|| Ok(Budget::half_of_machine()), Budget::parse)
    }
}

/// Options of `salesim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (default: the canonical scenario embedded in salesim).
    pub scenario: Option<PathBuf>,
    /// Override a scenario key: PATH=VALUE (repeatable), e.g.
    /// `--set gate.nurture_below=0.3`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Also write the event log of every replication: `events.csv` and
    /// `events.parquet`, one row per activity instance (process mining).
    #[arg(long)]
    pub event_log: bool,
    /// Shared options.
    #[command(flatten)]
    pub options: Options,
}

/// Options of `salesim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files to validate.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print every parameter with its value and source, and list those
    /// without one.
    #[arg(long)]
    pub sources: bool,
}

/// Parses the command line and runs it. Help and usage errors exit through
/// clap (status 0 and 2).
pub fn main() -> Result<()> {
    let outcome = dispatch(Cli::parse().command);
    // An interrupt during the command's last write waits in its handler for
    // the write lock; the command must not then finish first with status 0.
    if INTERRUPTED.load(Ordering::SeqCst) {
        exit_interrupted();
    }
    outcome
}

/// Runs one parsed command.
fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run(args) => experiments::run(&args),
        Command::Check(args) => check(&args),
        Command::Sweep(args) => experiments::sweep(&args),
        Command::Compare(args) => experiments::compare(&args),
        Command::Sensitivity(args) => experiments::sensitivity(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Diagram(args) => diagram(&args),
        Command::Report(args) => report(&args),
        Command::Fit(args) => fit::fit(&args),
    }
}

/// Loads the scenario named by `path` (or the embedded default) with overrides.
pub fn load(path: Option<&Path>, overrides: &[Override]) -> Result<Loaded> {
    match path {
        Some(p) => scenario::load_file(p, overrides),
        None => scenario::load_embedded(overrides),
    }
}

/// `--replications`, `--seed` and then every `--set`, as overrides in that
/// order (later ones win).
pub(crate) fn overrides_of(
    replications: Option<u32>,
    seed: Option<u64>,
    set: &[String],
) -> Result<Vec<Override>> {
    let mut list = Vec::new();
    if let Some(r) = replications {
        list.push(Override {
            path: "run.replications".into(),
            value: r.to_string(),
        });
    }
    if let Some(s) = seed {
        if s > i64::MAX as u64 {
            return Err(Error::Usage(format!(
                "--seed {s}: at most {} (a seed is a TOML integer)",
                i64::MAX
            )));
        }
        list.push(Override {
            path: "run.seed".into(),
            value: s.to_string(),
        });
    }
    for text in set {
        list.push(Override::parse(text)?);
    }
    scenario::check_distinct(&list)?;
    Ok(list)
}

/// A folder name from a scenario name: letters, digits, `.`, `_` and `-`.
pub fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.trim_matches('-').is_empty() {
        "scenario".to_string()
    } else {
        cleaned
    }
}

fn report(args: &ReportArgs) -> Result<()> {
    let json_path = args.dir.join("report.json");
    let bytes = output::files::read_optional(&json_path).ok_or_else(|| {
        Error::Usage(format!(
            "{} has no report.json: not an output folder of salesim run, sweep, compare or sensitivity",
            args.dir.display()
        ))
    })?;
    let input: crate::report::ReportInput = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Usage(format!("{}: {e}", json_path.display())))?;
    let base = scenario::load_file(&args.dir.join("scenario.toml"), &[])?;
    // An experiment's points are rebuilt from its plan (a sweep's swimlane
    // follows each point's scenario); a plain run has only the base.
    let plan_path = args.dir.join(crate::output::store::PLAN_FILE);
    let design = match output::files::read_optional(&plan_path) {
        Some(bytes) => Some(
            crate::output::store::PlanRecord::decode(&bytes, &plan_path.display().to_string())?
                .design(&plan_path)?,
        ),
        None => None,
    };
    let scenarios: Vec<&scenario::Scenario> = match &design {
        Some(d) => d.plan.points.iter().map(|p| &p.scenario).collect(),
        None => vec![&base.scenario],
    };
    let files = crate::report::files(&input, &scenarios)?;
    let stale = output::files::stale_charts(&args.dir, &files);
    let written = output::files::commit(&args.dir, &files, Vec::new(), &stale)?;
    eprintln!(
        "wrote {} report files to {}",
        written.len(),
        args.dir.display()
    );
    Ok(())
}

fn diagram(args: &DiagramArgs) -> Result<()> {
    let overrides = args
        .set
        .iter()
        .map(|t| Override::parse(t))
        .collect::<Result<Vec<_>>>()?;
    scenario::check_distinct(&overrides)?;
    let loaded = load(args.scenario.as_deref(), &overrides)?;
    let layout = crate::diagram::layout(&loaded.scenario);
    let text = match args.format {
        DiagramFormat::Bpmn => crate::diagram::bpmn::to_bpmn(&layout),
        DiagramFormat::Svg => crate::diagram::svg::to_svg(&layout, None),
    };
    match &args.out {
        Some(path) => output::write_atomic(path, text.as_bytes()),
        None => {
            say(&text);
            Ok(())
        }
    }
}

/// Writes `text` to standard output. A reader that stopped reading (a
/// closed pipe, as in `salesim check --sources | head`) ends the program
/// quietly with status 0 rather than a panic.
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Prints a report on standard output, ending it with a newline.
fn print_out(text: String) {
    if text.ends_with('\n') {
        say(&text);
    } else {
        say(&format!("{text}\n"));
    }
}

/// Set by the interrupt handler before it waits for the write lock, so that
/// [`main`] exits 130 too if the command ends while the handler waits.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// On SIGINT or SIGTERM, exit with status 130 — but never in the middle of
/// writing files: the handler waits for the write lock first.
fn install_interrupt_handler() {
    // A second installation (e.g. from tests calling `run` twice) fails
    // harmlessly: the first handler stays in place.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        output::files::note_interrupt();
        exit_interrupted();
    });
}

/// Exits with status 130 once no file is being written. The write lock is
/// held through the exit, so of the handler's thread and the main thread
/// only the first to take it exits; the other waits until the process ends.
fn exit_interrupted() -> ! {
    let _writing = output::files::WRITE_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    output::files::remove_temporaries();
    eprintln!("interrupted");
    std::process::exit(130);
}

fn check(args: &CheckArgs) -> Result<()> {
    let mut invalid = 0;
    for file in &args.files {
        match scenario::load_file(file, &[]) {
            Ok(loaded) => {
                say(&format!(
                    "ok: {} ({})\n",
                    file.display(),
                    loaded.scenario.name
                ));
                if args.sources {
                    print_sources(&loaded);
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                invalid += 1;
            }
        }
    }
    if invalid > 0 {
        return Err(Error::Usage(format!(
            "{invalid} of {} scenario files are invalid",
            args.files.len()
        )));
    }
    Ok(())
}

fn print_sources(loaded: &Loaded) {
    let width = loaded
        .parameters
        .iter()
        .map(|p| p.key.len())
        .max()
        .unwrap_or(0);
    let mut missing = Vec::new();
    for p in &loaded.parameters {
        match &p.source {
            Some(s) => say(&format!("  {:width$}  {}  <- {}\n", p.key, p.value, s)),
            None => {
                say(&format!(
                    "  {:width$}  {}  <- (no source)\n",
                    p.key, p.value
                ));
                missing.push(p.key.as_str());
            }
        }
    }
    if missing.is_empty() {
        say("  every parameter has a source\n");
    } else {
        say(&format!(
            "  {} without a source: {}\n",
            missing.len(),
            missing.join(", ")
        ));
    }
}
