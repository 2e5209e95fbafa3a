//! The planning report: charts and one self-contained HTML page.
//!
//! Every command gathers what the report shows into a [`ReportInput`] (plain
//! numbers, written to the output folder as `report.json`); the charts and
//! `index.html` are built from it and the folder's `scenario.toml` alone, so
//! `salesim report DIR` rebuilds exactly what the run wrote, merged shards
//! included, without simulating.

pub mod charts;
pub mod font;
pub mod page;
pub mod swimlane;
pub mod workbook;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagram;
use crate::error::Result;
use crate::experiment::select::Goal;
use crate::experiment::sensitivity::{self, is_assumed, Provenance};
use crate::experiment::{Kind, ParamValue, RunResult};
use crate::metrics::{metric, metric_index, Aggregate, Capacity, Weekly, METRICS, WEEKLY_LEN};
use crate::output::experiment::Experiment;
use crate::scenario::{Loaded, Scenario};
use crate::units::WEEK;
use charts::{Band, Chart, Series};

/// A mean with its 95% CI as the report keeps it (`null` when undefined).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Mean.
    pub mean: Option<f64>,
    /// Lower end of the 95% CI.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
}

impl From<&Aggregate> for Stat {
    fn from(a: &Aggregate) -> Self {
        Stat {
            mean: a.mean,
            low: a.ci95_low.or(a.mean),
            high: a.ci95_high.or(a.mean),
        }
    }
}

impl Stat {
    /// The mean and CI exactly as the tables write them: the CI undefined
    /// below two values, and nothing that is not finite.
    pub fn exact(a: &Aggregate) -> Self {
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        Stat {
            mean: finite(a.mean),
            low: finite(a.ci95_low),
            high: finite(a.ci95_high),
        }
    }

    fn band(&self) -> Band {
        let m = self.mean.unwrap_or(0.0);
        Band {
            mean: m,
            low: self.low.unwrap_or(m),
            high: self.high.unwrap_or(m),
        }
    }
}

/// One point of the report (a run is one point).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointReport {
    /// A short label (`gate.nurture_below=0.4`, a scenario's name, `base`).
    pub label: String,
    /// The swept parameters' values, in `ReportInput::params` order.
    pub values: Vec<ParamValue>,
    /// Every metric's mean and CI, in registry order.
    pub metrics: Vec<Stat>,
    /// Every metric's number of replications in which it is defined (the
    /// `n` of the tables), in registry order: below two, the CI in
    /// `metrics` is only the mean repeated, and the workbook leaves it out.
    /// Empty in a folder written before the workbook.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub n: Vec<usize>,
    /// A comparison's points after the first: every metric's paired
    /// difference from the first point (mean and 95% CI as the tables
    /// write them), in registry order; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Stat>,
    /// Reps x weeks of the measured window, for per-rep-week figures.
    pub rep_weeks: f64,
    /// Weeks of the measured window, for per-week figures (0 in a folder
    /// written before the report said so: the weekly series' length then).
    #[serde(default)]
    pub weeks: f64,
    /// Working hours of one rep in a week.
    pub rep_week_hours: f64,
    /// Per weekly column: the mean, lowest and highest over replications,
    /// week by week.
    pub weekly: Vec<Vec<[f64; 3]>>,
    /// Mean weekly volume on each swimlane flow, by flow id.
    pub flows: BTreeMap<String, f64>,
    /// Satisfies every constraint (true without constraints).
    pub feasible: bool,
    /// The capacity warning, if any (docs/MODEL.md section 5).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A row of the sensitivity tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwingReport {
    /// The parameter.
    pub parameter: String,
    /// The metric's mean with the parameter moved down, and up.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Its source is an assumption.
    pub assumed: bool,
    /// The low and high settings as a person reads them (`0.36`, `x0.8`).
    #[serde(default)]
    pub settings: (String, String),
    /// The paired differences of the metric from the base at the low and
    /// the high setting, as the tables write them.
    #[serde(default)]
    pub changes: (Stat, Stat),
    /// The parameter in words (`mid-market segment: fit Beta β`), from the
    /// schema's descriptions; empty in a folder written before titles.
    #[serde(default)]
    pub title: String,
    /// The base value was set with `--set` (then `assumed` is false).
    #[serde(default)]
    pub set_on_command_line: bool,
}

/// A setting whose value differs between compared scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingDifference {
    /// Dotted key of the resolved scenario (`reps.count`).
    pub key: String,
    /// Each scenario's value as TOML text, in point order (`(absent)`
    /// where a scenario lacks the key).
    pub values: Vec<String>,
}

/// A scenario parameter with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterReport {
    /// Dotted key.
    pub key: String,
    /// Value as TOML.
    pub value: String,
    /// Its `_source`.
    pub source: Option<String>,
    /// Missing source or an assumption.
    pub assumed: bool,
}

/// Everything the report shows, in plain numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    /// Which command.
    pub kind: Kind,
    /// The (base) scenario's name and description.
    pub name: String,
    /// See `name`.
    pub description: String,
    /// Replications per point and the seed.
    pub replications: u32,
    /// See `replications`.
    pub seed: u64,
    /// The base scenario's parameters with their sources.
    pub parameters: Vec<ParameterReport>,
    /// Swept parameter names (sweeps).
    pub params: Vec<String>,
    /// The points.
    pub points: Vec<PointReport>,
    /// The chosen point of a sweep.
    pub chosen: Option<usize>,
    /// How it was chosen.
    pub objective: Option<Goal>,
    /// Sensitivity: the metric and the ranked swings.
    pub sensitivity: Option<(String, Vec<SwingReport>)>,
    /// The metrics of an experiment's table (`--metrics`), which the
    /// workbook's trade-off and difference charts show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// A comparison's settings whose values differ between its scenarios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compared_settings: Vec<SettingDifference>,
    /// A comparison's warning when its scenarios differ in team size, lead
    /// volume, horizon or warm-up (empty when they agree).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparability: Vec<String>,
}

/// A point of the report from its scenario and results.
pub fn point(
    label: String,
    values: Vec<ParamValue>,
    sc: &Scenario,
    result: &RunResult,
    feasible: bool,
) -> PointReport {
    let cap = Capacity::of(sc);
    let weeks = cap.window_seconds / WEEK;
    let metrics: Vec<Stat> = result.summary.iter().map(Stat::from).collect();
    let n_weeks = result
        .replications
        .iter()
        .map(|r| r.weekly.len())
        .max()
        .unwrap_or(0);
    let weekly = (0..WEEKLY_LEN)
        .map(|c| {
            (0..n_weeks)
                .map(|w| {
                    let vals: Vec<f64> = result
                        .replications
                        .iter()
                        .filter_map(|r| r.weekly.get(w))
                        .map(|counts| counts.values()[c] as f64)
                        .collect();
                    let n = vals.len().max(1) as f64;
                    let mean = vals.iter().sum::<f64>() / n;
                    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    [
                        mean,
                        if lo.is_finite() { lo } else { 0.0 },
                        if hi.is_finite() { hi } else { 0.0 },
                    ]
                })
                .collect()
        })
        .collect();
    PointReport {
        label,
        values,
        flows: swimlane::flows(&metrics, weeks),
        metrics,
        n: result.summary.iter().map(|a| a.n).collect(),
        differences: Vec::new(),
        rep_weeks: f64::from(sc.reps.count) * weeks,
        weeks,
        rep_week_hours: sc.reps.calendar.working_per_week() / 3600.0,
        weekly,
        feasible,
        warnings: crate::metrics::capacity_warning(&result.summary)
            .into_iter()
            .collect(),
    }
}

/// What the report of a command's results shows.
pub fn of(e: &Experiment) -> ReportInput {
    let design = e.design;
    let points = design
        .plan
        .points
        .iter()
        .zip(e.results)
        .enumerate()
        .map(|(p, (point, result))| {
            let mut report = self::point(
                e.label(p),
                point.values.clone(),
                &point.scenario,
                result,
                e.feasible(p),
            );
            if design.kind == Kind::Compare && p > 0 {
                report.differences = e
                    .differences(p)
                    .iter()
                    .map(|d| Stat::exact(&d.paired))
                    .collect();
            }
            report
        })
        .collect();
    let mut input = input(design.kind, &design.base, points);
    if design.kind == Kind::Sweep {
        input.params = design.plan.params.clone();
    }
    input.chosen = e.chosen();
    input.objective = design.goal.clone();
    input.sensitivity = design.sensitivity.as_ref().map(|s| {
        let mean = |p: usize| e.mean(p).unwrap_or(0.0);
        let change = |p: usize| Stat::exact(&e.diff(p).paired);
        (
            s.metric.name.to_string(),
            e.ranked
                .iter()
                .map(|w| SwingReport {
                    parameter: w.knob.label.clone(),
                    low: mean(w.low),
                    high: mean(w.high),
                    assumed: w.knob.assumed,
                    settings: w.knob.shown.clone(),
                    changes: (change(w.low), change(w.high)),
                    title: sensitivity::title(&w.knob.label, &design.base.scenario),
                    set_on_command_line: sensitivity::is_set_on_command_line(
                        w.knob.source.as_deref(),
                    ),
                })
                .collect(),
        )
    });
    input.metrics = design.metrics.iter().map(|m| m.name.to_string()).collect();
    input.compared_settings = e
        .compared_settings()
        .into_iter()
        .map(|(key, values)| SettingDifference { key, values })
        .collect();
    input.comparability = e.comparability();
    if design.kind == Kind::Sweep {
        swept_on_command_line(&mut input);
    }
    input
}

/// A sweep's keys come from the command line: the parameter table says so,
/// with the key's one value, or its values as a TOML array. A swept field
/// of a distribution marks its distribution's source (two swept fields of
/// one distribution both), in the loader's words for an override.
fn swept_on_command_line(input: &mut ReportInput) {
    let mut marked: Vec<String> = Vec::new();
    for (i, key) in input.params.iter().enumerate() {
        let mut values: Vec<&str> = Vec::new();
        for p in &input.points {
            if let Some(v) = p.values.get(i).map(ParamValue::override_text) {
                if !values.contains(&v) {
                    values.push(v);
                }
            }
        }
        let row = input
            .parameters
            .iter_mut()
            .find(|r| *key == r.key || key.starts_with(&format!("{}.", r.key)));
        if let Some(row) = row {
            let this = crate::scenario::override_text(&crate::scenario::Override {
                path: key.clone(),
                value: values.join(","),
            });
            row.source = Some(match row.source.as_deref() {
                Some(earlier) if marked.contains(&row.key) => format!("{earlier}, {this}"),
                _ => format!("{}{this}", crate::scenario::SET_SOURCE),
            });
            marked.push(row.key.clone());
            row.assumed = false;
            if *key == row.key {
                row.value = match values.as_slice() {
                    [one] => one.to_string(),
                    many => format!("[{}]", many.join(", ")),
                };
            }
        }
    }
}

/// The base of a report: the scenario's name, description and parameters.
pub(crate) fn input(kind: Kind, base: &Loaded, points: Vec<PointReport>) -> ReportInput {
    let sc = &base.scenario;
    ReportInput {
        kind,
        name: sc.name.clone(),
        description: sc.description.clone(),
        replications: sc.run.replications,
        seed: sc.run.seed,
        parameters: base
            .parameters
            .iter()
            .map(|p| ParameterReport {
                key: p.key.clone(),
                value: p.value.clone(),
                source: p.source.clone(),
                assumed: is_assumed(p.source.as_deref()),
            })
            .collect(),
        params: Vec::new(),
        points,
        chosen: None,
        objective: None,
        sensitivity: None,
        metrics: Vec::new(),
        compared_settings: Vec::new(),
        comparability: Vec::new(),
    }
}

fn stat(p: &PointReport, name: &str) -> Stat {
    metric_index(name).map_or(
        Stat {
            mean: None,
            low: None,
            high: None,
        },
        |i| p.metrics[i],
    )
}

/// Per rep-week: a stat divided by reps x weeks.
fn per_rep_week(p: &PointReport, name: &str) -> Band {
    let b = stat(p, name).band();
    let d = p.rep_weeks.max(1e-9);
    Band {
        mean: b.mean / d,
        low: b.low / d,
        high: b.high / d,
    }
}

fn weekly_series(p: &PointReport) -> charts::WeeklyGroup {
    let series = |columns: &[(Weekly, &str)]| -> Vec<Series> {
        columns
            .iter()
            .map(|(w, label)| Series {
                label: label.to_string(),
                points: p.weekly[*w as usize]
                    .iter()
                    .map(|[m, lo, hi]| Band {
                        mean: *m,
                        low: *lo,
                        high: *hi,
                    })
                    .collect(),
            })
            .collect()
    };
    charts::WeeklyGroup {
        title: p.label.clone(),
        outreach: series(&[
            (Weekly::LeadsToOutreach, "leads to outreach"),
            (Weekly::EmailsSent, "emails sent"),
            (Weekly::FollowUpsSent, "follow-ups sent"),
        ]),
        nurture: series(&[
            (Weekly::LeadsToNurture, "leads to nurture"),
            (Weekly::NurtureTouches, "nurture touches"),
        ]),
    }
}

/// The point a report shows first: a sweep's chosen point, else the first.
pub fn first_shown(input: &ReportInput) -> usize {
    input
        .chosen
        .unwrap_or(0)
        .min(input.points.len().saturating_sub(1))
}

/// The charts of a report showing point `shown` (a run's only point, a
/// sweep's point, a sensitivity's base); a comparison shows all its points.
pub fn charts(input: &ReportInput, shown: usize) -> Result<Vec<Chart>> {
    let shown_index = shown;
    let shown: Vec<&PointReport> = match input.kind {
        Kind::Compare => input.points.iter().collect(),
        _ => input.points.get(shown).into_iter().collect(),
    };
    let mut out = Vec::new();
    out.push(charts::weekly(
        shown.iter().map(|p| weekly_series(p)).collect(),
    )?);
    let unit = metric("rep_prep_hours").map_or("h", |m| m.unit);
    out.push(charts::rep_hours(
        shown
            .iter()
            .map(|p| {
                (
                    p.label.clone(),
                    per_rep_week(p, "manual_prep_hours"),
                    per_rep_week(p, "rep_prep_hours"),
                )
            })
            .collect(),
        unit,
    )?);
    if input.kind == Kind::Sweep && !input.params.is_empty() {
        out.extend(sweep_charts(input, shown_index)?);
    }
    if let Some(first) = shown.first() {
        let bands: Vec<(String, f64)> = ["< 1 h", "1-8 h", "8-24 h", "1-3 d", "> 3 d"]
            .iter()
            .zip(Weekly::WAIT_BANDS)
            .map(|(label, (w, _))| {
                (
                    label.to_string(),
                    first.weekly[w as usize].iter().map(|b| b[0]).sum(),
                )
            })
            .collect();
        let mut backlog = Vec::new();
        let mut level = 0.0;
        for w in 0..first.weekly[Weekly::DraftsQueued as usize].len() {
            let col = |c: Weekly| first.weekly[c as usize][w][0];
            level += col(Weekly::DraftsQueued)
                - col(Weekly::ReviewsStarted)
                - col(Weekly::DraftsExpired);
            backlog.push(level.max(0.0));
        }
        out.push(charts::review_gate(bands, backlog)?);
    }
    out.push(charts::rep_time(
        shown
            .iter()
            .map(|p| {
                let prep = per_rep_week(p, "rep_prep_hours").mean;
                let conv = per_rep_week(p, "rep_conversation_hours").mean;
                let other = per_rep_week(p, "rep_other_work_hours").mean;
                let idle = (p.rep_week_hours - prep - conv - other).max(0.0);
                (p.label.clone(), [prep, conv, other, idle])
            })
            .collect(),
        unit,
    )?);
    if let Some((name, swings)) = &input.sensitivity {
        let m = metric(name);
        let label = m.map_or(name.clone(), |m| m.axis_label());
        let base = input
            .points
            .first()
            .map_or(0.0, |p| stat(p, name).mean.unwrap_or(0.0));
        let rows = swings
            .iter()
            .take(15)
            .map(|s| charts::Swing {
                label: if s.title.is_empty() {
                    s.parameter.clone()
                } else {
                    s.title.clone()
                },
                low: s.low,
                high: s.high,
                assumed: s.assumed,
                settings: s.settings.clone(),
                note: match Provenance::of(s.set_on_command_line, s.assumed) {
                    Provenance::Cited => String::new(),
                    p => p.words().to_string(),
                },
            })
            .collect();
        out.push(charts::tornado(&label, base, rows)?);
    }
    if input.kind == Kind::Compare && input.points.len() > 1 {
        out.push(charts::forest(forest_panels(input))?);
    }
    Ok(out)
}

/// The metrics of a comparison's forest plot: the headline cards' metrics,
/// each a panel with a row per scenario after the first: its paired
/// difference from the first as the difference cards show it
/// ([`page::difference_scale`]: per week where the card is per week, a
/// share in percentage points).
fn forest_panels(input: &ReportInput) -> Vec<charts::ForestPanel> {
    page::CARDS
        .iter()
        .filter_map(|(name, basis, _)| {
            let i = metric_index(name)?;
            let m = metric(name)?;
            let mut unit = String::new();
            let rows = input
                .points
                .iter()
                .skip(1)
                .filter_map(|q| {
                    let d = q.differences.get(i)?;
                    let (scale, _, u) = page::difference_scale(q, name, basis);
                    unit = u;
                    let b = d.band();
                    Some((
                        q.label.clone(),
                        Band {
                            mean: b.mean * scale,
                            low: b.low * scale,
                            high: b.high * scale,
                        },
                    ))
                })
                .collect::<Vec<_>>();
            let label = format!("{} ({unit})", m.label);
            (!rows.is_empty()).then_some(charts::ForestPanel {
                metric: label,
                rows,
            })
        })
        .collect()
}

/// The swept parameters that take more than one value across the points:
/// only they shape the charts (a `--set PATH=VALUE` axis holds one value).
pub(crate) fn varying(input: &ReportInput) -> Vec<usize> {
    (0..input.params.len())
        .filter(|&i| {
            let first = input.points.first().and_then(|p| p.values.get(i));
            input.points.iter().any(|p| p.values.get(i) != first)
        })
        .collect()
}

fn sweep_charts(input: &ReportInput, shown: usize) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let varying = varying(input);
    let numeric = |i: usize| -> Option<Vec<f64>> {
        input
            .points
            .iter()
            .map(|p| p.values.get(i).and_then(ParamValue::number))
            .collect()
    };
    let feasible: Vec<bool> = input.points.iter().map(|p| p.feasible).collect();
    if varying.len() == 1 {
        let i = varying[0];
        if let Some(xs) = numeric(i) {
            // The trade-off chart shows the experiment tables' metrics.
            let panels = crate::output::experiment::TABLE_METRICS
                .iter()
                .filter_map(|name| metric(name))
                .map(|m| {
                    (
                        m.axis_label(),
                        input
                            .points
                            .iter()
                            .map(|p| stat(p, m.name).band())
                            .collect(),
                    )
                })
                .collect();
            out.push(charts::tradeoff(
                &input.params[i],
                xs,
                panels,
                input.chosen,
                Some(shown),
                feasible,
            )?);
        }
    } else if varying.len() == 2 {
        let (iy, ix) = (varying[0], varying[1]);
        let axis = |i: usize| -> Vec<String> {
            let mut v: Vec<String> = Vec::new();
            for p in &input.points {
                let value = p.values[i].to_string();
                if !v.contains(&value) {
                    v.push(value);
                }
            }
            v
        };
        let (ys, xs) = (axis(iy), axis(ix));
        let objective = input.objective.as_ref().map(|g| &g.objective);
        let name = objective.map_or("hours_saved_per_rep_week".to_string(), |o| o.label());
        let mut values = vec![vec![None; xs.len()]; ys.len()];
        let mut chosen = None;
        let mut shown_cell = None;
        for (k, p) in input.points.iter().enumerate() {
            let y = ys.iter().position(|v| *v == p.values[iy].to_string());
            let x = xs.iter().position(|v| *v == p.values[ix].to_string());
            if let (Some(x), Some(y)) = (x, y) {
                values[y][x] = match objective {
                    Some(o) => o.value(|m| stat(p, m).mean),
                    None => stat(p, &name).mean,
                };
                if input.chosen == Some(k) {
                    chosen = Some((x, y));
                }
                if shown == k {
                    shown_cell = Some((x, y));
                }
            }
        }
        let title = metric(&name).map_or(name.clone(), |m| m.axis_label());
        out.push(charts::heatmap(
            &title,
            (&input.params[ix], xs),
            (&input.params[iy], ys),
            values,
            chosen,
            shown_cell,
        )?);
    }
    Ok(out)
}

/// A sweep draws its charts and swimlane once per point up to this many
/// points; a larger sweep draws this many, evenly spread, the chosen point
/// among them (docs/MODEL.md section 11).
pub const MAX_DRAWN_POINTS: usize = 50;

/// The points a report draws: a sweep's every point, or for a sweep of
/// more than [`MAX_DRAWN_POINTS`] that many evenly spread with the first
/// shown one; any other report draws its first shown point alone.
pub fn drawn_points(input: &ReportInput) -> Vec<usize> {
    let n = input.points.len();
    if input.kind != Kind::Sweep {
        return vec![first_shown(input)];
    }
    if n <= MAX_DRAWN_POINTS {
        return (0..n).collect();
    }
    let mut drawn: Vec<usize> = (0..MAX_DRAWN_POINTS)
        .map(|k| k * (n - 1) / (MAX_DRAWN_POINTS - 1))
        .collect();
    let chosen = first_shown(input);
    if !drawn.contains(&chosen) {
        // Replace the nearest drawn point, keeping the ends.
        let nearest = (1..drawn.len() - 1)
            .min_by_key(|&k| drawn[k].abs_diff(chosen))
            .unwrap_or(1);
        drawn[nearest] = chosen;
        drawn.sort_unstable();
    }
    drawn
}

/// What the page shows of one drawn point: its charts and its swimlane.
#[derive(Debug, Clone)]
pub struct View {
    /// The point's number.
    pub point: usize,
    /// Its charts.
    pub charts: Vec<Chart>,
    /// Its swimlane with its volumes and conditions, as SVG.
    pub swimlane: String,
    /// The same swimlane as PNG.
    pub swimlane_png: Vec<u8>,
}

/// The views of every drawn point.
fn views(input: &ReportInput, scenarios: &[&Scenario]) -> Result<Vec<View>> {
    drawn_points(input)
        .into_iter()
        .filter_map(|k| input.points.get(k).map(|p| (k, p)))
        .map(|(k, p)| {
            // A point's own scenario draws its swimlane (a sweep's
            // threshold moves the gate's condition); a run has one.
            let sc = scenarios.get(k).or(scenarios.first());
            let layout = sc.map(|sc| diagram::layout(sc));
            let volumes = swimlane::volume_labels(p);
            let (svg, png) = match &layout {
                Some(l) => {
                    let svg = diagram::svg::to_svg(l, Some(&volumes));
                    let png = swimlane::png(&svg)?;
                    (svg, png)
                }
                None => (String::new(), Vec::new()),
            };
            Ok(View {
                point: k,
                charts: charts(input, k)?,
                swimlane: svg,
                swimlane_png: png,
            })
        })
        .collect()
}

/// The folder a point's charts go to in a sweep (`charts/point-3`).
pub fn point_folder(k: usize) -> String {
    format!("charts/point-{k}")
}

/// Every file of the report: `report.json`, `charts/<name>.svg` and `.png`
/// (for a sweep the chosen point's, and every drawn point's in
/// `charts/point-<k>/`), `index.html` and the workbook `results.xlsx`, as
/// (relative path, bytes). `scenarios` holds each point's scenario (one
/// scenario stands for every point). A chart that cannot be drawn is an
/// error, never an empty picture.
pub fn files(input: &ReportInput, scenarios: &[&Scenario]) -> Result<Vec<(String, Vec<u8>)>> {
    let views = views(input, scenarios)?;
    let shown = first_shown(input);
    let first = views
        .iter()
        .find(|v| v.point == shown)
        .expect("the first shown point is always drawn");
    let mut out = Vec::new();
    let mut json = serde_json::to_vec_pretty(input).expect("plain numbers always serialise");
    json.push(b'\n');
    out.push(("report.json".to_string(), json));
    let mut push_view = |folder: &str, v: &View| {
        if !v.swimlane.is_empty() {
            out.push((
                format!("{folder}/swimlane.svg"),
                v.swimlane.clone().into_bytes(),
            ));
            out.push((format!("{folder}/swimlane.png"), v.swimlane_png.clone()));
        }
        for c in &v.charts {
            out.push((
                format!("{folder}/{}.svg", c.name),
                c.svg.clone().into_bytes(),
            ));
            out.push((format!("{folder}/{}.png", c.name), c.png.clone()));
        }
    };
    push_view("charts", first);
    if input.kind == Kind::Sweep {
        for v in &views {
            push_view(&point_folder(v.point), v);
        }
    }
    out.push((workbook::FILE.to_string(), workbook::workbook(input)?));
    // The page last (the page's tests read it there).
    out.push((
        "index.html".to_string(),
        page::index_html(input, &views).into_bytes(),
    ));
    Ok(out)
}

/// A metric's row in the table: name, unit, statistics.
pub type MetricRow = (&'static str, &'static str, Stat);

/// The metric table rows of a point: (section title, its rows).
pub fn metric_rows(p: &PointReport) -> Vec<(&'static str, Vec<MetricRow>)> {
    crate::metrics::Section::ALL
        .iter()
        .map(|s| {
            (
                s.title(),
                METRICS
                    .iter()
                    .zip(&p.metrics)
                    .filter(|(m, _)| m.section == *s)
                    .map(|(m, st)| (m.name, m.unit, *st))
                    .collect(),
            )
        })
        .collect()
}
