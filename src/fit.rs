//! `salesim fit`: a scenario fitted to a team's own CRM history or a
//! pilot's event log (docs/MODEL.md section 12).
//!
//! The log is read columnar ([`read`], [`xes`]) and mapped to the model's
//! happenings ([`map`]); one pass over its cases gathers what each key is
//! estimated from ([`estimate`], with [`stats`] and [`discover`]); the
//! fitted keys become `fitted.toml`, which extends the base; the fitted
//! scenario is then simulated over the log's span and compared with the
//! log ([`reproduce`]); [`report`] builds `fit.json` and the fit report.

pub mod discover;
pub mod estimate;
pub mod map;
pub mod read;
pub mod report;
pub mod reproduce;
pub mod sequence;
pub mod stats;
pub mod xes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::scenario::{self, Loaded, Override};
use crate::units::WEEK;
use estimate::{Fit, Fitted};
use map::{ColumnNames, Map};
use read::Log;

/// What `salesim fit` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The log files.
    pub logs: Vec<PathBuf>,
    /// `MAP.toml`, if any (else salesim's own event log's names).
    pub map: Option<PathBuf>,
    /// The base: `canonical` or a scenario file.
    pub extends: Option<PathBuf>,
    /// Column names given on the command line.
    pub columns: ColumnNames,
    /// The seed of the reproduction.
    pub seed: u64,
}

/// Everything `fit` produces, before it is written.
pub struct Outcome {
    /// The mapped log.
    pub log: Log,
    /// The fitted keys.
    pub fit: Fit,
    /// `fitted.toml`'s text.
    pub toml: String,
    /// The base scenario, resolved (written beside as `base.toml` when it
    /// is a file).
    pub base: Loaded,
    /// Whether the base is the embedded canonical scenario.
    pub base_is_canonical: bool,
    /// The fitted scenario as loaded.
    pub fitted: Loaded,
    /// The `empirical` data files: (name in the folder, bytes).
    pub data: Vec<(String, Vec<u8>)>,
    /// The reproduction of the history.
    pub reproduction: reproduce::Reproduction,
    /// The files' names and span, for sources: `crm.csv`.
    pub label: String,
    /// First and last date of the log.
    pub dates: (String, String),
    /// Where the map came from.
    pub map_origin: String,
}

/// The longest span a log may have, in weeks (ten years): the
/// reproduction simulates the whole span, so one wrong year in one cell
/// would otherwise make it simulate centuries.
pub const MAX_SPAN_WEEKS: f64 = 520.0;

/// Reads the logs into one mapped log.
pub fn read_logs(request: &Request, map: &Map) -> Result<Log> {
    let mut columns = map.columns.clone();
    let given = &request.columns;
    for (slot, cli) in [
        (&mut columns.case, &given.case),
        (&mut columns.activity, &given.activity),
        (&mut columns.time, &given.time),
        (&mut columns.start_time, &given.start_time),
        (&mut columns.resource, &given.resource),
    ] {
        if cli.is_some() {
            slot.clone_from(cli);
        }
    }
    let mut reader = read::Reader::new(map, columns);
    for path in &request.logs {
        reader.read_file(path)?;
    }
    let log = reader.finish();
    let names: Vec<String> = request
        .logs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let files = names.join(", ");
    if !log.what.contains(&map::Happening::LeadCreated) {
        let unmapped: Vec<String> = log
            .stats
            .unmapped
            .iter()
            .take(20)
            .map(|(a, n)| format!("\"{a}\" ({n})"))
            .collect();
        return Err(Error::Usage(format!(
            "{files}: no arrivals: no row maps to \"lead created\"{}",
            if unmapped.is_empty() {
                String::new()
            } else {
                format!(
                    "; unmapped activities: {} (map them with --map MAP.toml)",
                    unmapped.join(", ")
                )
            }
        )));
    }
    let first = log.start.iter().copied().fold(f64::INFINITY, f64::min);
    let last = log.end.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if last - first > MAX_SPAN_WEEKS * WEEK {
        return Err(Error::Usage(format!(
            "{files}: the log spans {:.0} weeks ({}..{}), more than {MAX_SPAN_WEEKS}: a timestamp is likely wrong (the reproduction simulates the whole span)",
            (last - first) / WEEK,
            log.date_of(first),
            log.date_of(last)
        )));
    }
    if last - first < WEEK {
        return Err(Error::Usage(format!(
            "{files}: the log spans {:.1} days ({}..{}), less than a week: too short to fit weekly calendars and rates",
            (last - first) / 86_400.0,
            log.date_of(first),
            log.date_of(last)
        )));
    }
    Ok(log)
}

/// Escapes a TOML basic string's contents.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The order tables are written in.
const TABLES: [&str; 11] = [
    "arrivals",
    "lookup",
    "enrichment",
    "scoring",
    "drafting",
    "review",
    "reps",
    "agents",
    "email",
    "conversations",
    "nurture",
];

/// `fitted.toml`: extends the base and gives only the fitted keys, each
/// with its `_source`.
pub fn scenario_toml(
    fit: &Fit,
    extends: &str,
    base_name: &str,
    label: &str,
    dates: &(String, String),
) -> String {
    let source = |f: &Fitted| {
        toml_string(&format!(
            "fitted from {label} (n={}, {}..{}): {}",
            f.n, dates.0, dates.1, f.method
        ))
    };
    let mut out = String::new();
    out.push_str(&format!(
        "# Fitted by `salesim fit` from {label} ({}..{}).\n# Every key below is estimated from the log, with its evidence in `_source`;\n# every other key comes from the base, \"{extends}\", with its own source.\n",
        dates.0, dates.1
    ));
    let kept: Vec<&Fitted> = fit.keys.iter().filter(|f| f.toml.is_none()).collect();
    if !kept.is_empty() {
        out.push_str("# Kept from the base:\n");
        for f in kept {
            out.push_str(&format!("#   {}: {}\n", f.key, f.method));
        }
    }
    out.push_str(&format!("\nextends = {}\n", toml_string(extends)));
    out.push_str(&format!(
        "name = {}\ndescription = {}\n",
        toml_string(&format!("{base_name}-fitted")),
        toml_string(&format!(
            "Fitted to {label} ({}..{}) on the base {base_name}.",
            dates.0, dates.1
        ))
    ));
    for (name, c) in &fit.calendars {
        let user = fit
            .keys
            .iter()
            .find(|f| f.toml.as_deref() == Some(&format!("\"{name}\"")))
            .map(&source)
            .unwrap_or_else(|| toml_string("fitted"));
        out.push_str(&format!(
            "\n[calendars.{name}]\ndays = {}\ndays_source = {user}\nhours = {}\nhours_source = {user}\n",
            c.days_toml(),
            c.hours_toml()
        ));
    }
    let mut by_table: BTreeMap<&str, Vec<&Fitted>> = BTreeMap::new();
    for f in fit.keys.iter().filter(|f| f.toml.is_some()) {
        let table = f.key.split('.').next().unwrap_or("");
        by_table.entry(table).or_default().push(f);
    }
    for table in TABLES {
        let Some(keys) = by_table.get(table) else {
            continue;
        };
        out.push_str(&format!("\n[{table}]\n"));
        for f in keys {
            let leaf = &f.key[table.len() + 1..];
            out.push_str(&format!(
                "{leaf} = {}\n{leaf}_source = {}\n",
                f.toml.as_deref().unwrap_or(""),
                source(f)
            ));
        }
    }
    out
}

/// The `empirical` keys' data files: one column of durations.
fn data_files(fit: &Fit) -> Vec<(String, Vec<u8>)> {
    fit.keys
        .iter()
        .filter(|f| {
            f.toml
                .as_deref()
                .is_some_and(|t| t.contains("\"empirical\""))
        })
        .map(|f| {
            let mut text = format!("{}\n", estimate::DATA_COLUMN);
            for x in &f.samples {
                text.push_str(&format!("{}s\n", x));
            }
            (estimate::data_file(&f.key), text.into_bytes())
        })
        .collect()
}

/// A staging folder for loading the fitted scenario before it is written:
/// removed when dropped.
struct Staging(PathBuf);

impl Staging {
    fn new() -> Result<Staging> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "salesim-fit-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join(scenario::DATA_DIR)).map_err(|e| Error::Output {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Staging(dir))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The base file written beside `fitted.toml` when the base is a file.
pub const BASE_FILE: &str = "base.toml";

/// Loads the fitted scenario from its text, the base and data files laid
/// beside it as they will be in the output folder.
pub fn load_fitted(
    toml: &str,
    base: &Loaded,
    canonical: bool,
    data: &[(String, Vec<u8>)],
    overrides: &[Override],
) -> Result<Loaded> {
    let staging = Staging::new()?;
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(staging.0.join(name), bytes).map_err(|e| Error::Output {
            path: name.into(),
            message: e.to_string(),
        })
    };
    if !canonical {
        write(BASE_FILE, base.resolved_toml.as_bytes())?;
        for d in &base.data {
            let bytes = std::fs::read(&d.source).map_err(|e| Error::Output {
                path: d.source.display().to_string(),
                message: e.to_string(),
            })?;
            write(&d.name, &bytes)?;
        }
    }
    for (name, bytes) in data {
        write(name, bytes)?;
    }
    scenario::load_text(toml, "fitted.toml", &staging.0, overrides)
}

/// Fits the logs of `request`.
pub fn run(request: &Request) -> Result<Outcome> {
    let map = match &request.map {
        Some(p) => Map::read(p)?,
        None => Map::salesim(),
    };
    let (base, canonical) = match &request.extends {
        None => (scenario::load_embedded(&[])?, true),
        Some(p) if p.as_os_str() == "canonical" => (scenario::load_embedded(&[])?, true),
        Some(p) => (scenario::load_file(p, &[])?, false),
    };
    let log = read_logs(request, &map)?;
    let fit = estimate::fit(&log, &base.scenario);
    let label = request
        .logs
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let first = log.start.iter().copied().fold(f64::INFINITY, f64::min);
    let last = log.end.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let dates = (log.date_of(first), log.date_of(last));
    let extends = if canonical { "canonical" } else { BASE_FILE };
    let toml = scenario_toml(&fit, extends, &base.scenario.name, &label, &dates);
    let data = data_files(&fit);
    let fitted = load_fitted(&toml, &base, canonical, &data, &[]).map_err(|e| {
        Error::Usage(format!(
            "the fitted scenario is not valid ({e}); the fitted keys:\n{toml}"
        ))
    })?;
    let reproduction =
        reproduce::reproduce(&log, &toml, &base, canonical, &data, last, request.seed)?;
    Ok(Outcome {
        log,
        fit,
        toml,
        base,
        base_is_canonical: canonical,
        fitted,
        data,
        reproduction,
        label,
        dates,
        map_origin: map.origin.clone(),
    })
}

/// The files of an outcome, by name in the output folder: `fitted.toml`,
/// `base.toml` (a file base), `data/*.csv`, `fit.json`, the report and
/// the two logs compared.
pub fn files(o: &Outcome) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = vec![("fitted.toml".to_string(), o.toml.clone().into_bytes())];
    if !o.base_is_canonical {
        out.push((BASE_FILE.into(), o.base.resolved_toml.clone().into_bytes()));
        for d in &o.base.data {
            let bytes = std::fs::read(&d.source).map_err(|e| Error::Output {
                path: d.source.display().to_string(),
                message: e.to_string(),
            })?;
            out.push((d.name.clone(), bytes));
        }
    }
    out.extend(o.data.iter().cloned());
    out.extend(report::files(o)?);
    Ok(out)
}

/// The names `fit` writes at the top of its folder.
pub const OUTPUT_NAMES: [&str; 7] = [
    "fitted.toml",
    BASE_FILE,
    "data",
    "fit.json",
    "index.html",
    "charts",
    "logs",
];

/// Whether `dir` may take a fit's files: missing, empty, or an earlier
/// fit's folder (it has `fit.json`); anything else needs `--force`.
pub fn check_out_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is a file, not a folder",
            dir.display()
        )));
    }
    if force || !dir.exists() || dir.join("fit.json").is_file() {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir)
        .map(|mut e| e.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "output folder {} is not empty and holds no earlier `salesim fit`; choose another --out or pass --force",
        dir.display()
    )))
}
