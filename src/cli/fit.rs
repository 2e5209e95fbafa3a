//! `salesim fit LOG... [--map MAP.toml] [--extends BASE] [--out DIR]`: a
//! scenario fitted to a team's own history (docs/MODEL.md section 12).

use std::path::PathBuf;

use super::{install_interrupt_handler, print_out};
use crate::error::Result;
use crate::fit::{self, map::ColumnNames, Request};
use crate::output::files;

/// Options of `salesim fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The log: CSV, Parquet or XES files, one row per activity instance
    /// (a CRM's activity export or an event log).
    #[arg(required = true)]
    pub logs: Vec<PathBuf>,
    /// Maps the log's activity names to the model's happenings (default:
    /// salesim's own event log's names).
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// The scenario the fitted one extends: `canonical` (default) or a file.
    #[arg(long, value_name = "BASE")]
    pub extends: Option<PathBuf>,
    /// Output folder (default: reports/fit/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The case column (default: case:concept:name, case_id).
    #[arg(long, value_name = "COL")]
    pub case: Option<String>,
    /// The activity column (default: concept:name, activity).
    #[arg(long, value_name = "COL")]
    pub activity: Option<String>,
    /// The timestamp column, the activity's end (default: time:timestamp,
    /// end_time).
    #[arg(long, value_name = "COL")]
    pub time: Option<String>,
    /// The start timestamp column (default: start_timestamp, start_time).
    #[arg(long, value_name = "COL")]
    pub start_time: Option<String>,
    /// The resource column (default: org:resource, resource).
    #[arg(long, value_name = "COL")]
    pub resource: Option<String>,
    /// The seed of the reproduction's simulation.
    #[arg(long, default_value_t = 20261124)]
    pub seed: u64,
    /// Write into a folder that holds other files.
    #[arg(long)]
    pub force: bool,
    /// No file list on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs `salesim fit`.
pub fn fit(args: &FitArgs) -> Result<()> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join("fit"));
    fit::check_out_dir(&out, args.force)?;
    crate::output::prepare_dir(&out)?;
    let request = Request {
        logs: args.logs.clone(),
        map: args.map.clone(),
        extends: args.extends.clone(),
        columns: ColumnNames {
            case: args.case.clone(),
            activity: args.activity.clone(),
            time: args.time.clone(),
            start_time: args.start_time.clone(),
            resource: args.resource.clone(),
            score: None,
            lane: None,
        },
        seed: args.seed,
    };
    let outcome = fit::run(&request)?;
    let written = fit::files(&outcome)?;
    install_interrupt_handler();
    let mut keep: Vec<&str> = written
        .iter()
        .map(|(n, _)| n.split('/').next().unwrap_or(n))
        .collect();
    keep.sort_unstable();
    keep.dedup();
    let stale = files::stale_entries(&out, &keep);
    files::commit(&out, &written, Vec::new(), &stale)?;
    print_out(summary(&outcome));
    if !args.quiet {
        eprintln!(
            "wrote {} files to {} (the fitted scenario: {})",
            written.len(),
            out.display(),
            out.join("fitted.toml").display()
        );
    }
    Ok(())
}

/// The terminal summary: every key, then the reproduction.
fn summary(o: &fit::Outcome) -> String {
    use crate::fit::estimate::sig;
    let mut s = format!(
        "fitted from {} ({} rows, {} cases, {}..{}) on the base {}\n\n",
        o.label,
        o.log.stats.rows,
        o.log.cases.len(),
        o.dates.0,
        o.dates.1,
        o.base.scenario.name
    );
    for n in &o.fit.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    if !o.fit.notes.is_empty() {
        s.push('\n');
    }
    let width = o.fit.keys.iter().map(|k| k.key.len()).max().unwrap_or(0);
    for k in &o.fit.keys {
        match &k.toml {
            Some(v) => s.push_str(&format!("  {:width$}  {v}   (n={})\n", k.key, k.n)),
            None => s.push_str(&format!("  {:width$}  kept: {}\n", k.key, k.method)),
        }
    }
    let r = &o.reproduction;
    s.push_str(&format!(
        "\nreproduction: {} replications of {} weeks simulated, {} cases (log: {}); distance fitted vs log, and half vs half of the log (mean of 8 splits)\n",
        r.replications, r.weeks, r.simulated_cases, r.input_cases
    ));
    for m in &r.measures {
        let f = m.fitted.map_or("—".into(), |v| sig(v, 3));
        let y = m.yardstick.map_or("—".into(), |v| sig(v, 3));
        s.push_str(&format!(
            "  {:15} {:36} {:>9} {:>9} {:14} {}\n",
            m.measure,
            m.activity,
            f,
            y,
            m.unit,
            if !m.judged {
                "(too few to judge)"
            } else if m.pass {
                "ok"
            } else {
                "FAIL"
            }
        ));
    }
    s.push_str(if r.passes {
        "every distance is within 1.5x of the history's own\n"
    } else {
        "NOT REPRODUCED: some distances are more than 1.5x the history's own (see index.html)\n"
    });
    s
}
