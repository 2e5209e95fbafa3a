//! The results of a command — a run is an experiment of one point — as
//! polars frames, the JSON documents of docs/MODEL.md section 8, tables for
//! a terminal, and the result files a command writes. Pure: data in,
//! frames, bytes and text out.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::files::encode;
use super::frames::{encode_csv, encode_parquet, frame, summary_frame};
use super::json::{json_document, StatsJson};
use super::table::{decimals, interval, number, table};
use crate::error::Result;
use crate::experiment::paired::{difference, Difference};
use crate::experiment::select::{choose, Choice, Goal, Measure, Objective};
use crate::experiment::sensitivity::{is_set_on_command_line, Knob, Provenance};
use crate::experiment::{Design, Kind, ParamValue, RunResult, Swing};
use crate::metrics::{capacity_warning, Aggregate, Metric, Weekly, METRICS, WEEKLY_LEN};
use crate::units::format_duration;

/// The metrics an experiment table shows by default, and the panels of the
/// report's trade-off chart: the headline figures of a plan.
pub const TABLE_METRICS: [&str; 6] = [
    "hours_saved_per_rep_week",
    "emails_sent",
    "meetings",
    "good_fit_to_nurture",
    "low_fit_sent",
    "review_wait_mean_h",
];

/// A command's results, point by point, with what its design makes of them:
/// a sweep's choice, a sensitivity's ranking.
#[derive(Debug, Clone)]
pub struct Experiment<'a> {
    /// What was run.
    pub design: &'a Design,
    /// Each point's results.
    pub results: &'a [RunResult],
    /// A sweep's choice under its goal.
    pub choice: Option<Choice>,
    /// A sensitivity's swings, ranked by the larger absolute paired change.
    pub ranked: Vec<&'a Swing>,
}

/// One statistic of an aggregate.
type Stat = fn(&Aggregate) -> Option<f64>;

/// One column of parameter values: f64 when every value is a number, else
/// the values as text.
fn param_column(name: &str, values: Vec<&ParamValue>) -> Column {
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.number()).collect();
    match numbers {
        Some(n) => Column::new(name.into(), n),
        None => Column::new(
            name.into(),
            values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<String>>(),
        ),
    }
}

impl<'a> Experiment<'a> {
    /// The results of `design`, one [`RunResult`] per point.
    pub fn new(design: &'a Design, results: &'a [RunResult]) -> Self {
        let choice = design.goal.as_ref().map(|goal| {
            let summaries: Vec<&[Aggregate]> =
                results.iter().map(|r| r.summary.as_slice()).collect();
            choose(&summaries, goal)
        });
        let mut e = Experiment {
            design,
            results,
            choice,
            ranked: Vec::new(),
        };
        if let Some(s) = &design.sensitivity {
            let effect = |w: &Swing| -> f64 {
                [w.low, w.high]
                    .iter()
                    .filter_map(|&p| e.difference_at(p, s.metric.index()).paired.mean)
                    .map(f64::abs)
                    .fold(0.0, f64::max)
            };
            let mut ranked: Vec<(f64, &Swing)> = s.swings.iter().map(|w| (effect(w), w)).collect();
            // Stable: equal effects keep the scenario's key order.
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            e.ranked = ranked.into_iter().map(|(_, w)| w).collect();
        }
        e
    }

    fn kind(&self) -> Kind {
        self.design.kind
    }

    fn params(&self) -> &[String] {
        &self.design.plan.params
    }

    /// Point `p`'s parameter values.
    pub fn values(&self, p: usize) -> &[ParamValue] {
        &self.design.plan.points[p].values
    }

    /// Whether point `p` satisfies the sweep's constraints (true without).
    pub fn feasible(&self, p: usize) -> bool {
        self.choice.as_ref().is_none_or(|c| c.feasible[p])
    }

    /// The ratios a sweep's goal reads (`low_fit_sent/emails_sent`), each
    /// once, objective first: the table and the document show their values.
    pub fn ratios(&self) -> Vec<Measure> {
        let mut out: Vec<Measure> = Vec::new();
        if let Some(g) = &self.design.goal {
            let all =
                std::iter::once(g.objective.measure).chain(g.constraints.iter().map(|c| c.measure));
            for m in all.filter(Measure::is_ratio) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// A comparison's settings whose values differ between the compared
    /// scenarios: each resolved key (in the first scenario's order, then
    /// keys only later ones have) with every scenario's value as TOML text
    /// (`(absent)` where a scenario lacks the key). Empty for other kinds.
    pub fn compared_settings(&self) -> Vec<(String, Vec<String>)> {
        if self.kind() != Kind::Compare {
            return Vec::new();
        }
        // Each scenario's settings, parsed once; the keys in first-seen
        // order (`keys.contains` is linear, over a few hundred keys).
        let mut values: Vec<BTreeMap<String, String>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for p in &self.design.plan.points {
            let mut v = BTreeMap::new();
            for q in crate::scenario::parameters_of(&p.resolved_toml) {
                if !keys.contains(&q.key) {
                    keys.push(q.key.clone());
                }
                v.insert(q.key, q.value);
            }
            values.push(v);
        }
        keys.into_iter()
            .filter_map(|k| {
                let row: Vec<String> = values
                    .iter()
                    .map(|v| v.get(&k).cloned().unwrap_or_else(|| "(absent)".to_string()))
                    .collect();
                row.iter().any(|v| *v != row[0]).then_some((k, row))
            })
            .collect()
    }

    /// A comparison's warning when its scenarios differ in team size, lead
    /// volume, horizon or warm-up: their differences then include those,
    /// not only the setting the planner changed. Empty when they agree (and
    /// for other kinds).
    pub fn comparability(&self) -> Vec<String> {
        if self.kind() != Kind::Compare {
            return Vec::new();
        }
        let points = &self.design.plan.points;
        let differ = |f: &dyn Fn(&crate::scenario::Scenario) -> String| -> Option<String> {
            let all: Vec<String> = points.iter().map(|p| f(&p.scenario)).collect();
            all.iter().any(|v| *v != all[0]).then(|| all.join(" vs "))
        };
        let per_week = |sc: &crate::scenario::Scenario| match sc.arrivals {
            crate::scenario::Arrivals::Poisson { per_week, .. } => per_week,
            crate::scenario::Arrivals::Batch { size, every, .. } => {
                size as f64 * crate::units::WEEK / every
            }
        };
        let round = |x: f64| format!("{}", (x * 100.0).round() / 100.0);
        let mut parts = Vec::new();
        if let Some(v) = differ(&|sc| sc.reps.count.to_string()) {
            parts.push(format!("team size ({v} reps)"));
        }
        if let Some(v) = differ(&|sc| round(per_week(sc))) {
            parts.push(format!("lead volume ({v} leads a week)"));
        }
        if let Some(v) = differ(&|sc| format_duration(sc.run.horizon)) {
            parts.push(format!("horizon ({v})"));
        }
        if let Some(v) = differ(&|sc| format_duration(sc.run.warmup)) {
            parts.push(format!("warm-up ({v})"));
        }
        if parts.is_empty() {
            return Vec::new();
        }
        let list = match parts.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        vec![format!(
            "the compared scenarios differ in {list}: their differences include those, not only the setting you changed"
        )]
    }

    /// The chosen point of a sweep.
    pub fn chosen(&self) -> Option<usize> {
        self.choice.as_ref().and_then(|c| c.chosen)
    }

    /// Point `p` as the report names it: a run's or a compared scenario's
    /// name, `base`, or the point's parameter values (`k=v, k=v`).
    pub fn label(&self, p: usize) -> String {
        let point = &self.design.plan.points[p];
        match self.kind() {
            Kind::Run | Kind::Compare => point.scenario.name.clone(),
            _ if point.values.is_empty() => "base".to_string(),
            // A sensitivity's points: the base, or one parameter moved
            // (`review.edit_probability low (0.16)`).
            Kind::Sensitivity => match point.values.as_slice() {
                [p, ..] if p.to_string() == "base" => "base scenario".to_string(),
                [p, s, v] => format!("{p} {s} ({v})"),
                _ => "base scenario".to_string(),
            },
            _ => self
                .params()
                .iter()
                .zip(&point.values)
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn point_column(&self, repeat: impl Fn(&RunResult) -> usize) -> Column {
        let points: Vec<u32> = self
            .results
            .iter()
            .enumerate()
            .flat_map(|(p, r)| std::iter::repeat_n(p as u32, repeat(r)))
            .collect();
        Column::new("point".into(), points)
    }

    fn param_columns(&self, repeat: impl Fn(&RunResult) -> usize) -> Vec<Column> {
        self.params()
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<&ParamValue> = (0..self.results.len())
                    .flat_map(|p| std::iter::repeat_n(&self.values(p)[i], repeat(&self.results[p])))
                    .collect();
                param_column(name, values)
            })
            .collect()
    }

    /// The key columns of a per-point frame: `point` and the parameters,
    /// each value repeated `repeat` times; none for a plain run.
    fn key_columns(&self, repeat: impl Fn(&RunResult) -> usize + Copy) -> Vec<Column> {
        if self.kind() == Kind::Run {
            return Vec::new();
        }
        let mut columns = vec![self.point_column(repeat)];
        columns.extend(self.param_columns(repeat));
        columns
    }

    /// One row per point: `point`, the parameters, then `<metric>_mean`,
    /// `_sd`, `_ci95_low` and `_ci95_high` of every metric.
    pub fn points_frame(&self) -> DataFrame {
        let mut columns = vec![self.point_column(|_| 1)];
        columns.extend(self.param_columns(|_| 1));
        for (i, m) in METRICS.iter().enumerate() {
            let stats: [(&str, Stat); 4] = [
                ("mean", |a| a.mean),
                ("sd", |a| a.sd),
                ("ci95_low", |a| a.ci95_low),
                ("ci95_high", |a| a.ci95_high),
            ];
            for (suffix, get) in stats {
                let values: Vec<Option<f64>> =
                    self.results.iter().map(|r| get(&r.summary[i])).collect();
                columns.push(Column::new(format!("{}_{suffix}", m.name).into(), values));
            }
        }
        frame(columns)
    }

    /// One row per point and replication: `point` and the parameters
    /// (experiments only), `replication`, then every metric (nullable f64).
    pub fn replications_frame(&self) -> DataFrame {
        let reps = |r: &RunResult| r.replications.len();
        let mut columns = self.key_columns(reps);
        let all = || self.results.iter().flat_map(|r| &r.replications);
        columns.push(Column::new(
            "replication".into(),
            all().map(|r| r.replication).collect::<Vec<u32>>(),
        ));
        for (i, m) in METRICS.iter().enumerate() {
            let values: Vec<Option<f64>> =
                all().map(|r| r.metrics.get(i).copied().flatten()).collect();
            columns.push(Column::new(m.name.into(), values));
        }
        frame(columns)
    }

    /// One row per point, replication and week: `point` (experiments only),
    /// `replication`, `week` (from 1: week 1 is [0, 1 week) of simulated
    /// time, warm-up included), then the [`Weekly`] counts (u64).
    pub fn weekly_frame(&self) -> DataFrame {
        let rows: Vec<(u32, u32, u32, [u64; WEEKLY_LEN])> = self
            .results
            .iter()
            .enumerate()
            .flat_map(|(p, result)| {
                result.replications.iter().flat_map(move |r| {
                    (1u32..)
                        .zip(&r.weekly)
                        .map(move |(w, c)| (p as u32, r.replication, w, c.values()))
                })
            })
            .collect();
        let mut columns = Vec::with_capacity(WEEKLY_LEN + 3);
        if self.kind() != Kind::Run {
            columns.push(Column::new(
                "point".into(),
                rows.iter().map(|r| r.0).collect::<Vec<u32>>(),
            ));
        }
        columns.push(Column::new(
            "replication".into(),
            rows.iter().map(|r| r.1).collect::<Vec<u32>>(),
        ));
        columns.push(Column::new(
            "week".into(),
            rows.iter().map(|r| r.2).collect::<Vec<u32>>(),
        ));
        for (i, count) in Weekly::ALL.iter().enumerate() {
            columns.push(Column::new(
                count.name().into(),
                rows.iter().map(|r| r.3[i]).collect::<Vec<u64>>(),
            ));
        }
        frame(columns)
    }

    /// The paired difference of metric `i` at point `p` from point 0, over
    /// replications.
    pub fn difference_at(&self, p: usize, i: usize) -> Difference {
        let col = |r: &RunResult| -> Vec<Option<f64>> {
            r.replications.iter().map(|rep| rep.metrics[i]).collect()
        };
        difference(&col(&self.results[p]), &col(&self.results[0]))
    }

    /// Each point's difference from point 0, metric by metric.
    pub fn differences(&self, p: usize) -> Vec<Difference> {
        (0..METRICS.len())
            .map(|i| self.difference_at(p, i))
            .collect()
    }

    /// One row per point and metric: `point`, the parameters, `metric`,
    /// `mean`, `sd`, `ci95_low`, `ci95_high`, and the difference from point
    /// 0: `diff_mean`, `diff_ci95_low`, `diff_ci95_high`,
    /// `unpaired_ci95_low`, `unpaired_ci95_high`.
    pub fn compare_frame(&self) -> DataFrame {
        let n = METRICS.len();
        let mut columns = vec![self.point_column(|_| n)];
        columns.extend(self.param_columns(|_| n));
        let diffs: Vec<Vec<Difference>> = (0..self.results.len())
            .map(|p| self.differences(p))
            .collect();
        let names: Vec<&str> = (0..self.results.len())
            .flat_map(|_| METRICS.iter().map(|m| m.name))
            .collect();
        columns.push(Column::new("metric".into(), names));
        let stat = |name: &str, f: &dyn Fn(&Aggregate) -> Option<f64>| {
            let v: Vec<Option<f64>> = self
                .results
                .iter()
                .flat_map(|r| r.summary.iter().map(f))
                .collect();
            Column::new(name.into(), v)
        };
        columns.push(stat("mean", &|a| a.mean));
        columns.push(stat("sd", &|a| a.sd));
        columns.push(stat("ci95_low", &|a| a.ci95_low));
        columns.push(stat("ci95_high", &|a| a.ci95_high));
        let diff = |name: &str, f: &dyn Fn(&Difference) -> Option<f64>| {
            let v: Vec<Option<f64>> = diffs.iter().flat_map(|d| d.iter().map(f)).collect();
            Column::new(name.into(), v)
        };
        columns.push(diff("diff_mean", &|d| d.paired.mean));
        columns.push(diff("diff_ci95_low", &|d| d.paired.ci95_low));
        columns.push(diff("diff_ci95_high", &|d| d.paired.ci95_high));
        columns.push(diff("unpaired_ci95_low", &|d| d.unpaired_ci95.map(|c| c.0)));
        columns.push(diff("unpaired_ci95_high", &|d| {
            d.unpaired_ci95.map(|c| c.1)
        }));
        frame(columns)
    }

    /// The command's main table and its file stem: a run's `summary` (one
    /// row per metric), a sweep's points, a comparison's rows per point and
    /// metric, a sensitivity's ranked parameters.
    pub fn main_frame(&self) -> (&'static str, DataFrame) {
        match self.kind() {
            Kind::Run => ("summary", summary_frame(&self.results[0])),
            Kind::Sweep => ("sweep", self.points_frame()),
            Kind::Compare => ("compare", self.compare_frame()),
            Kind::Sensitivity => ("sensitivity", self.sensitivity_frame()),
        }
    }

    /// The result files of the command, as (name, bytes): the main table
    /// as CSV and Parquet, `replications.parquet`, `weekly.parquet`, an
    /// experiment's JSON document, and the resolved base scenario. `out`
    /// names the files in errors.
    pub fn files(&self, out: &Path) -> Result<Vec<(String, Vec<u8>)>> {
        let (stem, main) = self.main_frame();
        let mut files = Vec::new();
        for (ext, encoder) in [
            ("csv", encode_csv as fn(&DataFrame) -> PolarsResult<Vec<u8>>),
            ("parquet", encode_parquet),
        ] {
            let name = format!("{stem}.{ext}");
            let bytes = encode(out, &name, &main, encoder)?;
            files.push((name, bytes));
        }
        for (name, df) in [
            ("replications.parquet", self.replications_frame()),
            ("weekly.parquet", self.weekly_frame()),
        ] {
            files.push((name.to_string(), encode(out, name, &df, encode_parquet)?));
        }
        if self.kind() != Kind::Run {
            files.push((
                format!("{}.json", self.kind().name()),
                format!("{}\n", self.json()).into_bytes(),
            ));
        }
        files.extend(self.design.folder_files()?);
        Ok(files)
    }

    /// The JSON document of the command (no trailing newline).
    pub fn json(&self) -> String {
        match self.kind() {
            Kind::Run => json_document(&self.results[0]),
            Kind::Sweep | Kind::Compare => pretty(&self.points_doc()),
            Kind::Sensitivity => pretty(&self.sensitivity_doc()),
        }
    }

    /// The command's table for a terminal.
    pub fn table(&self) -> String {
        match self.kind() {
            Kind::Run => table(&self.results[0]),
            Kind::Sweep => self.sweep_table(),
            Kind::Compare => self.compare_table(),
            Kind::Sensitivity => self.sensitivity_table(),
        }
    }
}

// ----- JSON documents ------------------------------------------------------
//
// serde_json without `preserve_order` writes maps sorted by key, and the
// experiment documents have always been built as such maps: the fields of
// these types are declared in that (alphabetical) order, and metric maps are
// sorted by name. A run's document keeps the contract order (output/json.rs).

/// A metric's statistics in an experiment document.
#[derive(Serialize)]
struct SortedStats {
    ci95_high: Option<f64>,
    ci95_low: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
}

fn sorted_metrics(summary: &[Aggregate]) -> BTreeMap<&'static str, SortedStats> {
    METRICS
        .iter()
        .zip(summary)
        .map(|(m, a)| {
            let s = StatsJson::from(a);
            (
                m.name,
                SortedStats {
                    ci95_high: s.ci95_high,
                    ci95_low: s.ci95_low,
                    mean: s.mean,
                    sd: s.sd,
                },
            )
        })
        .collect()
}

/// A difference from the baseline: paired mean and CI, and the unpaired CI.
#[derive(Serialize)]
struct DifferenceDoc {
    ci95_high: Option<f64>,
    ci95_low: Option<f64>,
    mean: Option<f64>,
    unpaired_ci95_high: Option<f64>,
    unpaired_ci95_low: Option<f64>,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

impl From<&Difference> for DifferenceDoc {
    fn from(d: &Difference) -> Self {
        DifferenceDoc {
            ci95_high: finite(d.paired.ci95_high),
            ci95_low: finite(d.paired.ci95_low),
            mean: finite(d.paired.mean),
            unpaired_ci95_high: finite(d.unpaired_ci95.map(|c| c.1)),
            unpaired_ci95_low: finite(d.unpaired_ci95.map(|c| c.0)),
        }
    }
}

#[derive(Serialize)]
struct PointDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    differences: Option<BTreeMap<&'static str, DifferenceDoc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feasible: Option<bool>,
    metrics: BTreeMap<&'static str, SortedStats>,
    params: BTreeMap<String, serde_json::Value>,
    point: usize,
    /// The ratios of means the sweep's goal reads, by name as written
    /// (`null` where the denominator's mean is 0).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    ratios: BTreeMap<String, Option<f64>>,
    /// The point's capacity warning, if any (docs/MODEL.md section 5).
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct ChosenDoc {
    params: BTreeMap<String, serde_json::Value>,
    point: usize,
}

/// The document of a sweep or a comparison.
#[derive(Serialize)]
struct PointsDoc<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen: Option<Option<ChosenDoc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraints: Option<Vec<String>>,
    kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    objective: Option<&'a Objective>,
    params: &'a [String],
    points: Vec<PointDoc>,
    replications: u32,
    scenario: &'a str,
    seed: u64,
    /// A comparison's settings that differ, by key: each scenario's value.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    settings: BTreeMap<String, Vec<String>>,
    /// A comparison's comparability warning, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct SettingDoc {
    difference: DifferenceDoc,
    mean: Option<f64>,
    value: String,
}

#[derive(Serialize)]
struct ParameterDoc<'a> {
    base: &'a str,
    high: SettingDoc,
    low: SettingDoc,
    parameter: &'a str,
    rank: usize,
    source: Option<&'a str>,
    status: &'static str,
}

#[derive(Serialize)]
struct SkippedDoc<'a> {
    parameter: &'a str,
    reason: &'a str,
}

/// The document of a sensitivity analysis.
#[derive(Serialize)]
struct SensitivityDoc<'a> {
    base: BTreeMap<&'static str, SortedStats>,
    kind: Kind,
    metric: &'static str,
    parameters: Vec<ParameterDoc<'a>>,
    params: &'a [String],
    replications: u32,
    scenario: &'a str,
    seed: u64,
    skipped: Vec<SkippedDoc<'a>>,
}

fn pretty<T: Serialize>(doc: &T) -> String {
    serde_json::to_string_pretty(doc).expect("a document of strings and numbers always serialises")
}

/// A swung parameter's provenance: set with `--set`, assumed or cited.
fn status(knob: &Knob) -> &'static str {
    Provenance::of(is_set_on_command_line(knob.source.as_deref()), knob.assumed).words()
}

impl Experiment<'_> {
    fn params_doc(&self, p: usize) -> BTreeMap<String, serde_json::Value> {
        self.params()
            .iter()
            .zip(self.values(p))
            .map(|(name, v)| (name.clone(), v.json()))
            .collect()
    }

    /// The JSON document of a sweep (`points`, each with `params`, `metrics`
    /// and, with a goal, `feasible`; then `objective`, `constraints` and
    /// `chosen`, null when no point is feasible) or of a comparison (each
    /// point but the first with its `differences` against the first: the
    /// paired mean and 95% CI and, to show what common random numbers buy,
    /// the unpaired CI).
    fn points_doc(&self) -> PointsDoc<'_> {
        let goal: Option<&Goal> = self.design.goal.as_ref();
        let points = (0..self.results.len())
            .map(|p| PointDoc {
                differences: (self.kind() == Kind::Compare && p > 0).then(|| {
                    METRICS
                        .iter()
                        .zip(self.differences(p))
                        .map(|(m, d)| (m.name, DifferenceDoc::from(&d)))
                        .collect()
                }),
                feasible: self.choice.as_ref().map(|c| c.feasible[p]),
                metrics: sorted_metrics(&self.results[p].summary),
                params: self.params_doc(p),
                point: p,
                ratios: self
                    .ratios()
                    .iter()
                    .map(|m| (m.label(), m.of(&self.results[p].summary)))
                    .collect(),
                warnings: capacity_warning(&self.results[p].summary)
                    .into_iter()
                    .collect(),
            })
            .collect();
        PointsDoc {
            chosen: self.choice.as_ref().map(|c| {
                c.chosen.map(|p| ChosenDoc {
                    params: self.params_doc(p),
                    point: p,
                })
            }),
            constraints: goal.map(|g| g.constraints.iter().map(ToString::to_string).collect()),
            kind: self.kind(),
            objective: goal.map(|g| &g.objective),
            params: self.params(),
            points,
            replications: self.design.plan.replications,
            scenario: self.design.name(),
            seed: self.design.plan.seed,
            settings: self.compared_settings().into_iter().collect(),
            warnings: self.comparability(),
        }
    }

    fn sensitivity_doc(&self) -> SensitivityDoc<'_> {
        let s = self
            .design
            .sensitivity
            .as_ref()
            .expect("a sensitivity design has its swings");
        let i = s.metric.index();
        let setting = |p: usize, value: &str| SettingDoc {
            difference: DifferenceDoc::from(&self.difference_at(p, i)),
            mean: finite(self.mean(p)),
            value: value.to_string(),
        };
        SensitivityDoc {
            base: sorted_metrics(&self.results[0].summary),
            kind: self.kind(),
            metric: s.metric.name,
            parameters: self
                .ranked
                .iter()
                .enumerate()
                .map(|(rank, w)| ParameterDoc {
                    base: &w.knob.base,
                    high: setting(w.high, &w.knob.high),
                    low: setting(w.low, &w.knob.low),
                    parameter: &w.knob.label,
                    rank: rank + 1,
                    source: w.knob.source.as_deref(),
                    status: status(&w.knob),
                })
                .collect(),
            params: self.params(),
            replications: self.design.plan.replications,
            scenario: self.design.name(),
            seed: self.design.plan.seed,
            skipped: s
                .skipped
                .iter()
                .map(|(parameter, reason)| SkippedDoc { parameter, reason })
                .collect(),
        }
    }
}

// ----- tables ----------------------------------------------------------------

/// Lays out rows of cells under a header: the first `left` columns aligned
/// left, the others right.
pub fn grid_text(header: &[String], rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c < left {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// A ratio of means for a table cell: four significant digits, or the
/// tables' mark of an undefined value.
fn ratio_cell(value: Option<f64>) -> String {
    let digits = value.filter(|v| *v != 0.0 && v.is_finite()).map_or(0, |v| {
        (3 - v.abs().log10().floor() as i32).clamp(0, 9) as usize
    });
    number(value, digits)
}

/// A mean and its CI for a table cell.
fn cell(m: &Metric, a: &Aggregate) -> String {
    let d = decimals(m.format, a);
    let mean = number(a.mean, d);
    match a.n {
        0 | 1 => mean,
        _ => format!("{mean} {}", interval(a, d)),
    }
}

impl Experiment<'_> {
    fn title(&self) -> String {
        let mut out = format!(
            "{}: {}   points: {}   replications: {}   seed: {}\n\n",
            self.kind().name(),
            self.design.name(),
            self.results.len(),
            self.design.plan.replications,
            self.design.plan.seed
        );
        for (p, r) in self.results.iter().enumerate() {
            if let Some(w) = capacity_warning(&r.summary) {
                let label: Vec<String> = self
                    .params()
                    .iter()
                    .zip(self.values(p))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                out.push_str(&format!("warning: point {p} ({}): {w}\n", label.join(", ")));
            }
        }
        if self
            .results
            .iter()
            .any(|r| capacity_warning(&r.summary).is_some())
        {
            out.push('\n');
        }
        out
    }

    /// The sweep as a table: swept parameters first, then the design's
    /// metrics (mean and 95% CI); the chosen point marked `*`, infeasible
    /// ones `x`, and a closing line that names the choice or says no point
    /// is feasible.
    fn sweep_table(&self) -> String {
        let metrics = &self.design.metrics;
        let mut header = vec![String::new()];
        header.extend(self.params().iter().cloned());
        header.extend(metrics.iter().map(|m| m.name.to_string()));
        let ratios = self.ratios();
        header.extend(ratios.iter().map(Measure::label));
        let rows: Vec<Vec<String>> = self
            .results
            .iter()
            .enumerate()
            .map(|(p, r)| {
                let mark = match &self.choice {
                    Some(c) if c.chosen == Some(p) => "*",
                    Some(c) if !c.feasible[p] => "x",
                    _ => " ",
                };
                let mut row = vec![mark.to_string()];
                row.extend(self.values(p).iter().map(ToString::to_string));
                for m in metrics {
                    row.push(cell(m, &r.summary[m.index()]));
                }
                // A ratio of means has no CI of its own: its value only.
                row.extend(ratios.iter().map(|m| ratio_cell(m.of(&r.summary))));
                row
            })
            .collect();
        let mut out = self.title();
        out.push_str(&grid_text(&header, &rows, 1 + self.params().len()));
        if let (Some(goal), Some(choice)) = (&self.design.goal, &self.choice) {
            match choice.chosen {
                Some(p) => {
                    let params: Vec<String> = self
                        .params()
                        .iter()
                        .zip(self.values(p))
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    out.push_str(&format!(
                        "\n* chosen ({goal}): point {p}, {}\n",
                        params.join(", ")
                    ));
                }
                None => out.push_str(&format!("\nNo point satisfies the constraints ({goal}).\n")),
            }
            if choice.feasible.iter().any(|f| !f) {
                out.push_str("x: fails a constraint\n");
            }
        }
        out
    }

    /// The comparison as a table: per metric, each scenario's mean, and each
    /// one's paired difference from the first with its 95% CI.
    fn compare_table(&self) -> String {
        let names: Vec<String> = (0..self.results.len())
            .map(|p| self.values(p)[0].to_string())
            .collect();
        let mut header = vec!["metric".to_string()];
        header.extend(names.iter().cloned());
        header.extend(names.iter().skip(1).map(|n| format!("{n} - {}", names[0])));
        let diffs: Vec<Vec<Difference>> = (0..self.results.len())
            .map(|p| self.differences(p))
            .collect();
        let rows: Vec<Vec<String>> = self
            .design
            .metrics
            .iter()
            .map(|m| {
                let i = m.index();
                let mut row = vec![m.name.to_string()];
                for r in self.results {
                    let a = &r.summary[i];
                    row.push(number(a.mean, decimals(m.format, a)));
                }
                for d in diffs.iter().skip(1) {
                    row.push(cell(m, &d[i].paired));
                }
                row
            })
            .collect();
        let mut out = self.title();
        for w in self.comparability() {
            out.push_str(&format!("warning: {w}\n\n"));
        }
        out.push_str(&grid_text(&header, &rows, 1));
        out.push_str(
            "\nDifferences are paired on common random numbers: mean of per-replication differences, 95% CI.\n",
        );
        out
    }
}

// ----- sensitivity -----------------------------------------------------------

impl Experiment<'_> {
    fn sensitivity_metric(&self) -> &'static Metric {
        self.design
            .sensitivity
            .as_ref()
            .expect("a sensitivity design has its metric")
            .metric
    }

    /// The sensitivity metric's mean at point `p`.
    pub fn mean(&self, p: usize) -> Option<f64> {
        self.results[p].summary[self.sensitivity_metric().index()].mean
    }

    /// The paired difference of the sensitivity metric at point `p` from
    /// the base.
    pub fn diff(&self, p: usize) -> Difference {
        self.difference_at(p, self.sensitivity_metric().index())
    }

    /// One row per parameter, ranked: `rank`, `parameter`, `status`
    /// (assumed, cited or set on the command line), `source`, `base`,
    /// `low`, `high` (values), then the metric's mean at base, low and high
    /// and the paired differences with their 95% CIs.
    pub fn sensitivity_frame(&self) -> DataFrame {
        let s = &self.ranked;
        let metric = self.sensitivity_metric();
        let text =
            |f: &dyn Fn(&Swing) -> String| -> Vec<String> { s.iter().map(|w| f(w)).collect() };
        let num = |f: &dyn Fn(&Swing) -> Option<f64>| -> Vec<Option<f64>> {
            s.iter().map(|w| f(w)).collect()
        };
        frame(vec![
            Column::new("rank".into(), (1..=s.len() as u32).collect::<Vec<u32>>()),
            Column::new("parameter".into(), text(&|w| w.knob.label.clone())),
            Column::new("status".into(), text(&|w| status(&w.knob).to_string())),
            Column::new(
                "source".into(),
                text(&|w| w.knob.source.clone().unwrap_or_default()),
            ),
            Column::new("base".into(), text(&|w| w.knob.base.clone())),
            Column::new("low".into(), text(&|w| w.knob.low.clone())),
            Column::new("high".into(), text(&|w| w.knob.high.clone())),
            Column::new("metric".into(), text(&|_| metric.name.to_string())),
            Column::new("metric_base".into(), num(&|_| self.mean(0))),
            Column::new("metric_low".into(), num(&|w| self.mean(w.low))),
            Column::new("metric_high".into(), num(&|w| self.mean(w.high))),
            Column::new("diff_low".into(), num(&|w| self.diff(w.low).paired.mean)),
            Column::new(
                "diff_low_ci95_low".into(),
                num(&|w| self.diff(w.low).paired.ci95_low),
            ),
            Column::new(
                "diff_low_ci95_high".into(),
                num(&|w| self.diff(w.low).paired.ci95_high),
            ),
            Column::new("diff_high".into(), num(&|w| self.diff(w.high).paired.mean)),
            Column::new(
                "diff_high_ci95_low".into(),
                num(&|w| self.diff(w.high).paired.ci95_low),
            ),
            Column::new(
                "diff_high_ci95_high".into(),
                num(&|w| self.diff(w.high).paired.ci95_high),
            ),
        ])
    }

    /// The tornado as a table, ranked: parameter, status, the metric at low
    /// and high, and the paired differences with CIs.
    fn sensitivity_table(&self) -> String {
        let m = self.sensitivity_metric();
        let base = &self.results[0].summary[m.index()];
        let d = decimals(m.format, base);
        let header: Vec<String> = [
            "#",
            "parameter",
            "status",
            "low -> high",
            "at low",
            "at high",
            "low - base",
            "high - base",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        let rows: Vec<Vec<String>> = self
            .ranked
            .iter()
            .enumerate()
            .map(|(rank, w)| {
                vec![
                    (rank + 1).to_string(),
                    w.knob.label.clone(),
                    status(&w.knob).to_string(),
                    format!("{} -> {}", w.knob.shown.0, w.knob.shown.1),
                    number(self.mean(w.low), d),
                    number(self.mean(w.high), d),
                    cell(m, &self.diff(w.low).paired),
                    cell(m, &self.diff(w.high).paired),
                ]
            })
            .collect();
        let mut out = self.title();
        out.push_str(&format!("{} at the base: {}\n\n", m.name, cell(m, base)));
        out.push_str(&grid_text(&header, &rows, 3));
        let skipped = &self
            .design
            .sensitivity
            .as_ref()
            .expect("a sensitivity design")
            .skipped;
        for (k, why) in skipped {
            out.push_str(&format!("skipped {k}: {why}\n"));
        }
        out
    }
}
