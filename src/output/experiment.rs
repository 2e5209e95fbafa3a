//! Reports of experiments (sweep, compare, sensitivity): polars frames, the
//! JSON document of docs/MODEL.md section 8 and tables for a terminal. Pure: data
//! in, frames and text out.

use polars::prelude::*;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::frames::frame;
use super::json::MetricsJson;
use super::table::{decimals, interval, number};
use crate::experiment::paired::{difference, Difference};
use crate::experiment::select::{Choice, Constraint, Objective};
use crate::experiment::sensitivity::Knob;
use crate::experiment::RunResult;
use crate::metrics::{metric_index, Aggregate, Metric, Weekly, METRICS};

/// Which experiment a report is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The replications of one scenario.
    Run,
    /// A grid over scenario keys.
    Sweep,
    /// Scenarios side by side.
    Compare,
    /// One-at-a-time sensitivity.
    Sensitivity,
}

impl Kind {
    /// The kind's name, as in the command line and file names.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

/// The results of an experiment, point by point.
#[derive(Debug, Clone)]
pub struct Experiment<'a> {
    /// Which experiment.
    pub kind: Kind,
    /// The base scenario's name (the first one's, for a comparison).
    pub scenario: &'a str,
    /// The seed every point shares.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// The parameter names, in column order.
    pub params: Vec<String>,
    /// Each point's parameter values (TOML text, in `params` order).
    pub values: Vec<Vec<String>>,
    /// Each point's results.
    pub results: &'a [RunResult],
}

/// The chosen point of a sweep and how it was chosen.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// The objective.
    pub objective: &'a Objective,
    /// The constraints.
    pub constraints: &'a [Constraint],
    /// The outcome.
    pub choice: &'a Choice,
}

/// One statistic of an aggregate.
type Stat = fn(&Aggregate) -> Option<f64>;

/// A parameter value as JSON: a number when it is one, else the text with
/// TOML quotes removed.
fn param_json(text: &str) -> Value {
    if let Ok(v) = text.parse::<i64>() {
        return json!(v);
    }
    if let Ok(v) = text.parse::<f64>() {
        return json!(v);
    }
    Value::String(text.trim_matches('"').to_string())
}

/// A parameter value for a table cell or string column.
fn param_text(text: &str) -> String {
    text.trim_matches('"').to_string()
}

/// One column of parameter values: f64 when every value is a number.
fn param_column(name: &str, values: Vec<&str>) -> Column {
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    match numbers {
        Some(n) => Column::new(name.into(), n),
        None => Column::new(
            name.into(),
            values
                .iter()
                .map(|v| param_text(v))
                .collect::<Vec<String>>(),
        ),
    }
}

impl Experiment<'_> {
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
        self.params
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<&str> = self
                    .values
                    .iter()
                    .zip(self.results)
                    .flat_map(|(v, r)| std::iter::repeat_n(v[i].as_str(), repeat(r)))
                    .collect();
                param_column(name, values)
            })
            .collect()
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

    /// One row per point and replication: `point`, the parameters,
    /// `replication`, then every metric.
    pub fn replications_frame(&self) -> DataFrame {
        let reps = |r: &RunResult| r.replications.len();
        let mut columns = vec![self.point_column(reps)];
        columns.extend(self.param_columns(reps));
        let all = || self.results.iter().flat_map(|r| &r.replications);
        columns.push(Column::new(
            "replication".into(),
            all().map(|r| r.replication).collect::<Vec<u32>>(),
        ));
        for (i, m) in METRICS.iter().enumerate() {
            let values: Vec<Option<f64>> = all().map(|r| r.metrics[i]).collect();
            columns.push(Column::new(m.name.into(), values));
        }
        frame(columns)
    }

    /// One row per point, replication and week: `point`, `replication`,
    /// `week` (from 1), then the weekly counts.
    pub fn weekly_frame(&self) -> DataFrame {
        let rows: Vec<(u32, u32, u32, [u64; crate::metrics::WEEKLY_LEN])> = self
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
        let mut columns = vec![
            Column::new(
                "point".into(),
                rows.iter().map(|r| r.0).collect::<Vec<u32>>(),
            ),
            Column::new(
                "replication".into(),
                rows.iter().map(|r| r.1).collect::<Vec<u32>>(),
            ),
            Column::new(
                "week".into(),
                rows.iter().map(|r| r.2).collect::<Vec<u32>>(),
            ),
        ];
        for (i, count) in Weekly::ALL.iter().enumerate() {
            columns.push(Column::new(
                count.name().into(),
                rows.iter().map(|r| r.3[i]).collect::<Vec<u64>>(),
            ));
        }
        frame(columns)
    }

    fn params_json(&self, p: usize) -> Value {
        let mut map = Map::new();
        for (name, value) in self.params.iter().zip(&self.values[p]) {
            map.insert(name.clone(), param_json(value));
        }
        Value::Object(map)
    }

    fn header_json(&self) -> Map<String, Value> {
        let mut doc = Map::new();
        doc.insert("kind".into(), json!(self.kind.name()));
        doc.insert("scenario".into(), json!(self.scenario));
        doc.insert("seed".into(), json!(self.seed));
        doc.insert("replications".into(), json!(self.replications));
        doc.insert("params".into(), json!(self.params));
        doc
    }

    fn point_json(&self, p: usize) -> Map<String, Value> {
        let mut point = Map::new();
        point.insert("point".into(), json!(p));
        point.insert("params".into(), self.params_json(p));
        point.insert(
            "metrics".into(),
            serde_json::to_value(MetricsJson(&self.results[p].summary))
                .expect("metrics always serialise"),
        );
        point
    }

    /// The JSON document of a sweep: `points` (each with `params`,
    /// `metrics` and, with an objective, `feasible`), and `objective`,
    /// `constraints` and `chosen` (null when no point is feasible).
    pub fn sweep_json(&self, selection: Option<Selection>) -> String {
        let mut doc = self.header_json();
        let points: Vec<Value> = (0..self.results.len())
            .map(|p| {
                let mut point = self.point_json(p);
                if let Some(s) = selection {
                    point.insert("feasible".into(), json!(s.choice.feasible[p]));
                }
                Value::Object(point)
            })
            .collect();
        doc.insert("points".into(), Value::Array(points));
        if let Some(s) = selection {
            doc.insert(
                "objective".into(),
                json!({
                    "metric": s.objective.metric,
                    "direction": if s.objective.maximise { "maximise" } else { "minimise" },
                }),
            );
            doc.insert(
                "constraints".into(),
                json!(s
                    .constraints
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()),
            );
            let chosen = match s.choice.chosen {
                Some(p) => json!({ "point": p, "params": self.params_json(p) }),
                None => Value::Null,
            };
            doc.insert("chosen".into(), chosen);
        }
        pretty(&Value::Object(doc))
    }

    /// Each point's difference from point 0, metric by metric.
    pub fn differences(&self, p: usize) -> Vec<Difference> {
        (0..METRICS.len())
            .map(|i| self.difference_at(p, i))
            .collect()
    }

    /// The paired difference of metric `i` at point `p` from point 0, over
    /// replications.
    pub fn difference_at(&self, p: usize, i: usize) -> Difference {
        let col = |r: &RunResult| -> Vec<Option<f64>> {
            r.replications.iter().map(|rep| rep.metrics[i]).collect()
        };
        difference(&col(&self.results[p]), &col(&self.results[0]))
    }

    /// The JSON document of a comparison: `points` as for a sweep, each but
    /// the first with `differences` against the first: the paired mean and
    /// 95% CI and, to show what common random numbers buy, the unpaired CI.
    pub fn compare_json(&self) -> String {
        let mut doc = self.header_json();
        let points: Vec<Value> = (0..self.results.len())
            .map(|p| {
                let mut point = self.point_json(p);
                if p > 0 {
                    let mut diffs = Map::new();
                    for (m, d) in METRICS.iter().zip(self.differences(p)) {
                        diffs.insert(m.name.into(), difference_json(&d));
                    }
                    point.insert("differences".into(), Value::Object(diffs));
                }
                Value::Object(point)
            })
            .collect();
        doc.insert("points".into(), Value::Array(points));
        pretty(&Value::Object(doc))
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
}

fn difference_json(d: &Difference) -> Value {
    json!({
        "mean": finite(d.paired.mean),
        "ci95_low": finite(d.paired.ci95_low),
        "ci95_high": finite(d.paired.ci95_high),
        "unpaired_ci95_low": finite(d.unpaired_ci95.map(|c| c.0)),
        "unpaired_ci95_high": finite(d.unpaired_ci95.map(|c| c.1)),
    })
}

fn finite(v: Option<f64>) -> Value {
    v.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| json!(x))
}

fn pretty<T: Serialize>(doc: &T) -> String {
    serde_json::to_string_pretty(doc).expect("a document of strings and numbers always serialises")
}

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
        format!(
            "{}: {}   points: {}   replications: {}   seed: {}\n\n",
            self.kind.name(),
            self.scenario,
            self.results.len(),
            self.replications,
            self.seed
        )
    }

    /// The sweep as a table: swept parameters first, then `metrics` (mean
    /// and 95% CI); the chosen point marked `*`, infeasible ones `x`, and a
    /// closing line that names the choice or says no point is feasible.
    pub fn sweep_table(&self, metrics: &[&Metric], selection: Option<Selection>) -> String {
        let mut header = vec![String::new()];
        header.extend(self.params.iter().cloned());
        header.extend(metrics.iter().map(|m| m.name.to_string()));
        let rows: Vec<Vec<String>> = self
            .results
            .iter()
            .enumerate()
            .map(|(p, r)| {
                let mark = match selection {
                    Some(s) if s.choice.chosen == Some(p) => "*",
                    Some(s) if !s.choice.feasible[p] => "x",
                    _ => " ",
                };
                let mut row = vec![mark.to_string()];
                row.extend(self.values[p].iter().map(|v| param_text(v)));
                for m in metrics {
                    let i = metric_index(m.name).expect("registry metric");
                    row.push(cell(m, &r.summary[i]));
                }
                row
            })
            .collect();
        let mut out = self.title();
        out.push_str(&grid_text(&header, &rows, 1 + self.params.len()));
        if let Some(s) = selection {
            let how = format!(
                "{} {}{}",
                if s.objective.maximise {
                    "maximise"
                } else {
                    "minimise"
                },
                s.objective.metric,
                if s.constraints.is_empty() {
                    String::new()
                } else {
                    let c: Vec<String> = s.constraints.iter().map(ToString::to_string).collect();
                    format!(" subject to {}", c.join(", "))
                }
            );
            match s.choice.chosen {
                Some(p) => {
                    let params: Vec<String> = self
                        .params
                        .iter()
                        .zip(&self.values[p])
                        .map(|(k, v)| format!("{k}={}", param_text(v)))
                        .collect();
                    out.push_str(&format!(
                        "\n* chosen ({how}): point {p}, {}\n",
                        params.join(", ")
                    ));
                }
                None => out.push_str(&format!("\nNo point satisfies the constraints ({how}).\n")),
            }
            if s.choice.feasible.iter().any(|f| !f) {
                out.push_str("x: fails a constraint\n");
            }
        }
        out
    }

    /// The comparison as a table: per metric, each scenario's mean, and each
    /// one's paired difference from the first with its 95% CI.
    pub fn compare_table(&self, metrics: &[&Metric]) -> String {
        let names: Vec<String> = self.values.iter().map(|v| param_text(&v[0])).collect();
        let mut header = vec!["metric".to_string()];
        header.extend(names.iter().cloned());
        header.extend(names.iter().skip(1).map(|n| format!("{n} - {}", names[0])));
        let diffs: Vec<Vec<Difference>> = (0..self.results.len())
            .map(|p| self.differences(p))
            .collect();
        let rows: Vec<Vec<String>> = metrics
            .iter()
            .map(|m| {
                let i = metric_index(m.name).expect("registry metric");
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
        out.push_str(&grid_text(&header, &rows, 1));
        out.push_str(
            "\nDifferences are paired on common random numbers: mean of per-replication differences, 95% CI.\n",
        );
        out
    }
}

/// One parameter of a sensitivity analysis with the metric at its low and
/// high settings, against the base (point 0).
#[derive(Debug, Clone)]
pub struct Swing<'a> {
    /// The parameter moved.
    pub knob: &'a Knob,
    /// The point of the low setting.
    pub low: usize,
    /// The point of the high setting.
    pub high: usize,
}

/// The sensitivity of one metric: swings ranked by the larger absolute
/// paired difference.
#[derive(Debug, Clone)]
pub struct Sensitivity<'a> {
    /// The experiment (point 0 is the base).
    pub experiment: Experiment<'a>,
    /// The metric.
    pub metric: &'static Metric,
    /// The moved parameters, ranked.
    pub swings: Vec<Swing<'a>>,
    /// Parameters that could not be moved (the invalid point's error).
    pub skipped: Vec<(String, String)>,
}

impl<'a> Sensitivity<'a> {
    /// Ranks `swings` by the larger absolute paired difference of `metric`.
    pub fn new(
        experiment: Experiment<'a>,
        metric: &'static Metric,
        swings: Vec<Swing<'a>>,
        skipped: Vec<(String, String)>,
    ) -> Self {
        let mut s = Sensitivity {
            experiment,
            metric,
            swings,
            skipped,
        };
        let effect = |s: &Sensitivity, w: &Swing| -> f64 {
            [w.low, w.high]
                .iter()
                .filter_map(|&p| s.diff(p).paired.mean)
                .map(f64::abs)
                .fold(0.0, f64::max)
        };
        let mut ranked: Vec<(f64, Swing)> = s
            .swings
            .iter()
            .map(|w| (effect(&s, w), w.clone()))
            .collect();
        // Stable: equal effects keep the scenario's key order.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        s.swings = ranked.into_iter().map(|(_, w)| w).collect();
        s
    }

    fn index(&self) -> usize {
        metric_index(self.metric.name).expect("registry metric")
    }

    /// The paired difference of the metric at point `p` from the base.
    pub fn diff(&self, p: usize) -> Difference {
        self.experiment.difference_at(p, self.index())
    }

    /// The metric's mean at point `p`.
    pub(crate) fn mean(&self, p: usize) -> Option<f64> {
        self.experiment.results[p].summary[self.index()].mean
    }

    /// One row per parameter, ranked: `rank`, `parameter`, `status`
    /// (assumed or cited), `source`, `base`, `low`, `high` (values), then the
    /// metric's mean at base, low and high and the paired differences with
    /// their 95% CIs.
    pub fn frame(&self) -> DataFrame {
        let s = &self.swings;
        let text = |f: &dyn Fn(&Swing) -> String| -> Vec<String> { s.iter().map(f).collect() };
        let num =
            |f: &dyn Fn(&Swing) -> Option<f64>| -> Vec<Option<f64>> { s.iter().map(f).collect() };
        frame(vec![
            Column::new("rank".into(), (1..=s.len() as u32).collect::<Vec<u32>>()),
            Column::new("parameter".into(), text(&|w| w.knob.label.clone())),
            Column::new(
                "status".into(),
                text(&|w| if w.knob.assumed { "assumed" } else { "cited" }.to_string()),
            ),
            Column::new(
                "source".into(),
                text(&|w| w.knob.source.clone().unwrap_or_default()),
            ),
            Column::new("base".into(), text(&|w| w.knob.base.clone())),
            Column::new("low".into(), text(&|w| w.knob.low.clone())),
            Column::new("high".into(), text(&|w| w.knob.high.clone())),
            Column::new("metric".into(), text(&|_| self.metric.name.to_string())),
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

    /// The JSON document: the base point and the ranked `parameters` with
    /// their values, status, metric means and paired differences.
    pub fn json(&self) -> String {
        let mut doc = self.experiment.header_json();
        doc.insert("metric".into(), json!(self.metric.name));
        doc.insert(
            "base".into(),
            serde_json::to_value(MetricsJson(&self.experiment.results[0].summary))
                .expect("metrics always serialise"),
        );
        let params: Vec<Value> = self
            .swings
            .iter()
            .enumerate()
            .map(|(rank, w)| {
                json!({
                    "rank": rank + 1,
                    "parameter": w.knob.label,
                    "status": if w.knob.assumed { "assumed" } else { "cited" },
                    "source": w.knob.source,
                    "base": w.knob.base,
                    "low": { "value": w.knob.low, "mean": finite(self.mean(w.low)), "difference": difference_json(&self.diff(w.low)) },
                    "high": { "value": w.knob.high, "mean": finite(self.mean(w.high)), "difference": difference_json(&self.diff(w.high)) },
                })
            })
            .collect();
        doc.insert("parameters".into(), Value::Array(params));
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|(k, why)| json!({ "parameter": k, "reason": why }))
            .collect();
        doc.insert("skipped".into(), Value::Array(skipped));
        pretty(&Value::Object(doc))
    }

    /// The tornado as a table, ranked: parameter, status, the metric at low
    /// and high, and the paired differences with CIs.
    pub fn table(&self) -> String {
        let m = self.metric;
        let base = &self.experiment.results[0].summary[self.index()];
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
            .swings
            .iter()
            .enumerate()
            .map(|(rank, w)| {
                vec![
                    (rank + 1).to_string(),
                    w.knob.label.clone(),
                    if w.knob.assumed { "assumed" } else { "cited" }.to_string(),
                    format!("{} -> {}", w.knob.shown.0, w.knob.shown.1),
                    number(self.mean(w.low), d),
                    number(self.mean(w.high), d),
                    cell(m, &self.diff(w.low).paired),
                    cell(m, &self.diff(w.high).paired),
                ]
            })
            .collect();
        let mut out = self.experiment.title();
        out.push_str(&format!("{} at the base: {}\n\n", m.name, cell(m, base)));
        out.push_str(&grid_text(&header, &rows, 3));
        for (k, why) in &self.skipped {
            out.push_str(&format!("skipped {k}: {why}\n"));
        }
        out
    }
}
