//! The scenario library's generated tables: every shipped scenario run at
//! its own fixed seed, tabulated by the figures a planner looks at first
//! (the headline table of `scenarios/README.md`) and by the figures a sales
//! team knows from its own dashboards (the face-validity table of
//! `VALIDATION.md`).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::experiment::paired::difference;
use crate::experiment::{self, RunResult};
use crate::metrics::{aggregate, metric_index};
use crate::scenario::{load_file, Override};
use crate::units::WEEK;

/// Replications per scenario in the headline table: enough for stable
/// means at a fixed seed, few enough to regenerate the table in seconds.
pub const TABLE_REPLICATIONS: u32 = 3;

/// Start and end markers of the face-validity table in `VALIDATION.md`.
pub const FACE_START: &str = "<!-- face-validity:start -->";
/// See [`FACE_START`].
pub const FACE_END: &str = "<!-- face-validity:end -->";

/// Start and end markers of the soft gate versus AI SDR comparison in
/// `scenarios/README.md` and `README.md`.
pub const AUTONOMY_START: &str = "<!-- autonomy-comparison:start -->";
/// See [`AUTONOMY_START`].
pub const AUTONOMY_END: &str = "<!-- autonomy-comparison:end -->";

/// Start and end markers of the generated table in `scenarios/README.md`.
pub const TABLE_START: &str = "<!-- headline-table:start -->";
/// See [`TABLE_START`].
pub const TABLE_END: &str = "<!-- headline-table:end -->";

/// The `.toml` files of a folder, sorted by name.
pub fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

fn cell(result: &RunResult, name: &str, decimals: usize) -> String {
    match result.metric(name).and_then(|a| a.mean) {
        Some(v) => format!("{v:.decimals$}"),
        None => "—".to_string(),
    }
}

/// The generated tables of the scenario library.
#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    /// Headline results (`scenarios/README.md`).
    pub headline: String,
    /// Emergent figures a sales team knows from its dashboards
    /// (`VALIDATION.md`).
    pub face_validity: String,
}

/// Runs every scenario once with [`TABLE_REPLICATIONS`] replications at its
/// own seed and returns both Markdown tables.
pub fn tables(files: &[PathBuf]) -> Result<Tables> {
    let mut headline = String::from(
        "| scenario | hours saved per rep-week | prep time reduction | nurture share | review wait (h) | drafts expired |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut face = String::from(
        "| scenario | reply rate over the sequence | positive share of replies | meetings per rep-month | emails per rep-week (first + follow-ups) | bounce rate | manual prep, share of rep working time | review wait (h) |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let overrides = [Override {
        path: "run.replications".into(),
        value: TABLE_REPLICATIONS.to_string(),
    }];
    for file in files {
        let loaded = load_file(file, &overrides)?;
        let sc = &loaded.scenario;
        let result = experiment::run(sc, 0, &|| {})?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        headline.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} |\n",
            cell(&result, "hours_saved_per_rep_week", 2),
            cell(&result, "prep_time_reduction", 1),
            cell(&result, "nurture_share", 3),
            cell(&result, "review_wait_mean_h", 2),
            cell(&result, "drafts_expired", 0),
        ));
        let mean = |n: &str| result.metric(n).and_then(|a| a.mean);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        let rep_weeks = f64::from(sc.reps.count) * (sc.run.horizon - sc.run.warmup) / WEEK;
        let working_hours = rep_weeks * sc.reps.calendar.working_per_week() / 3600.0;
        let emails = match (mean("emails_sent"), mean("follow_ups_sent")) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        face.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} | {} | {} |\n",
            percent(mean("reply_rate")),
            percent(ratio(mean("positive_replies"), mean("replies"))),
            fixed(mean("meetings_per_rep_month"), 2),
            fixed(ratio(emails, Some(rep_weeks)), 1),
            percent(ratio(mean("emails_bounced"), mean("emails_sent"))),
            percent(ratio(mean("manual_prep_hours"), Some(working_hours))),
            cell(&result, "review_wait_mean_h", 2),
        ));
    }
    Ok(Tables {
        headline,
        face_validity: face,
    })
}

/// The soft gate (`canonical.toml`) against the AI SDR
/// (`ai-sdr-autonomous.toml`) of folder `dir`, each at its own replications
/// and seed (the same seed: common random numbers, docs/MODEL.md section
/// 11): the figures a planner weighs, each scenario's mean and the paired
/// difference with its 95% CI, as a Markdown table.
pub fn autonomy_comparison(dir: &Path) -> Result<String> {
    let run = |file: &str| -> Result<RunResult> {
        let loaded = load_file(&dir.join(file), &[])?;
        experiment::run(&loaded.scenario, 0, &|| {})
    };
    let (soft, ai) = (run("canonical.toml")?, run("ai-sdr-autonomous.toml")?);
    let column = |r: &RunResult, name: &str| -> Vec<Option<f64>> {
        let i = metric_index(name).expect("a registered metric");
        r.replications.iter().map(|rep| rep.metrics[i]).collect()
    };
    // The autonomous share of first emails, replication by replication.
    let share = |r: &RunResult| -> Vec<Option<f64>> {
        column(r, "emails_autosent")
            .iter()
            .zip(column(r, "emails_sent"))
            .map(|(a, s)| match (a, s) {
                (Some(a), Some(s)) if s > 0.0 => Some(a / s),
                _ => None,
            })
            .collect()
    };
    let mut out = format!(
        "| over {} weeks, {} replications | soft gate (`canonical`) | AI SDR (`ai-sdr-autonomous`) | AI SDR - soft gate, paired 95% CI |\n\
         | --- | --- | --- | --- |\n",
        number_of_weeks(dir)?,
        soft.replications.len()
    );
    let rows: [(&str, &str, usize); 9] = [
        ("autonomous share of first emails", "", 1),
        (
            "rep prep hours per rep-week saved",
            "hours_saved_per_rep_week",
            2,
        ),
        ("drafts a rep reviewed", "drafts_reviewed", 0),
        ("first emails sent", "emails_sent", 0),
        ("sends to low-fit leads (irreversible)", "low_fit_sent", 1),
        ("reply rate over the sequence", "reply_rate", 4),
        ("replies", "replies", 1),
        ("meetings", "meetings", 1),
        ("cost per meeting ($)", "cost_per_meeting", 0),
    ];
    for (label, name, decimals) in rows {
        let (a, b) = if name.is_empty() {
            (share(&soft), share(&ai))
        } else {
            (column(&soft, name), column(&ai, name))
        };
        let show = |v: Option<f64>| -> String {
            match v {
                Some(v) if name.is_empty() => format!("{:.decimals$}%", 100.0 * v),
                Some(v) => format!("{v:.decimals$}"),
                None => "—".to_string(),
            }
        };
        let d = difference(&b, &a).paired;
        out.push_str(&format!(
            "| {label} | {} | {} | {} [{}, {}] |\n",
            show(aggregate(a.iter().copied()).mean),
            show(aggregate(b.iter().copied()).mean),
            show(d.mean),
            show(d.ci95_low),
            show(d.ci95_high),
        ));
    }
    Ok(out)
}

/// The measured weeks of the canonical scenario of `dir`.
fn number_of_weeks(dir: &Path) -> Result<String> {
    let sc = load_file(&dir.join("canonical.toml"), &[])?.scenario;
    Ok(format!(
        "{}",
        ((sc.run.horizon - sc.run.warmup) / WEEK).round()
    ))
}

/// The headline table alone (see [`tables`]).
pub fn headline_table(files: &[PathBuf]) -> Result<String> {
    Ok(tables(files)?.headline)
}

fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.decimals$}"))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

/// The text between [`TABLE_START`] and [`TABLE_END`] in `readme`, if both
/// markers are there.
pub fn table_in(readme: &str) -> Option<&str> {
    between(readme, TABLE_START, TABLE_END)
}

/// The scenario example of docs/MODEL.md section 9 (the first TOML block
/// after that section's heading), given the text of docs/MODEL.md. The
/// scenarios bench times it and a test loads it, so the spec's example is
/// always one the binary accepts.
pub fn spec_example(model_md: &str) -> Option<&str> {
    let section = &model_md[model_md.find("\n## 9.")?..];
    between(section, "```toml\n", "\n```")
}

/// The text between markers `start` and `end` in `text`, if both are there.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let a = text.find(start)? + start.len();
    let b = text[a..].find(end)? + a;
    Some(text[a..b].trim_start_matches('\n'))
}
