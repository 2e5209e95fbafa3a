//! The fit report, in the style of the run report: `fit.json` (every key
//! with its evidence, what the log held, the reproduction), charts as SVG
//! and PNG in the embedded font (each duration's histogram with the fitted
//! density over it, arrivals by hour of week) and one self-contained
//! `index.html`.

use std::fmt::Write;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::estimate::{sig, Estimate, Fitted};
use super::reproduce::Measure;
use super::Outcome;
use crate::diagram::bpmn::escape;
use crate::error::Result;
use crate::report::charts::{
    err, range, render, style, tick, titled, Chart, DrawResult, Plot, GREY, PALETTE,
};
use crate::report::font::{FONT, FONT_BYTES};
use crate::units::{DAY, HOUR, WEEK, WEEKDAYS};

/// `fit.json`: what was read, every key, the reproduction.
#[derive(serde::Serialize)]
struct FitJson<'a> {
    files: &'a [(String, u64)],
    map: String,
    base: String,
    first_date: &'a str,
    last_date: &'a str,
    rows: u64,
    rows_used: usize,
    cases: usize,
    read: &'a super::read::ReadStats,
    notes: &'a [String],
    parameters: Vec<Parameter<'a>>,
    calendars: &'a [(String, super::discover::Discovered)],
    reproduction: &'a super::reproduce::Reproduction,
}

#[derive(serde::Serialize)]
struct Parameter<'a> {
    key: &'a str,
    fitted: bool,
    value: Option<&'a str>,
    n: u64,
    source: String,
    runner_up: Option<&'a str>,
    estimate: Option<&'a Estimate>,
}

fn source(o: &Outcome, f: &Fitted) -> String {
    if f.toml.is_some() {
        format!(
            "fitted from {} (n={}, {}..{}): {}",
            o.label, f.n, o.dates.0, o.dates.1, f.method
        )
    } else {
        format!("kept from the base: {}", f.method)
    }
}

/// `fit.json`'s bytes.
pub fn json(o: &Outcome, map: &str) -> Vec<u8> {
    let doc = FitJson {
        files: &o.log.stats.files,
        map: map.to_string(),
        base: if o.base_is_canonical {
            "canonical".into()
        } else {
            o.base.origin.clone()
        },
        first_date: &o.dates.0,
        last_date: &o.dates.1,
        rows: o.log.stats.rows,
        rows_used: o.log.len(),
        cases: o.log.cases.len(),
        read: &o.log.stats,
        notes: &o.fit.notes,
        parameters: o
            .fit
            .keys
            .iter()
            .map(|f| Parameter {
                key: &f.key,
                fitted: f.toml.is_some(),
                value: f.toml.as_deref(),
                n: f.n,
                source: source(o, f),
                runner_up: f.runner_up.as_deref(),
                estimate: f.estimate.as_ref(),
            })
            .collect(),
        calendars: &o.fit.calendars,
        reproduction: &o.reproduction,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("plain values serialise");
    bytes.push(b'\n');
    bytes
}

/// A histogram of durations with fitted densities over it.
struct Histogram {
    title: String,
    /// Bin edges' start and width, in the axis unit.
    start: f64,
    width: f64,
    /// Density per bin (per axis unit).
    density: Vec<f64>,
    /// Fitted densities: label and points.
    curves: Vec<(String, Vec<(f64, f64)>)>,
    unit: &'static str,
    n: usize,
}

impl Plot for Histogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let x_max = self.start + self.width * self.density.len() as f64;
        let (_, y_max) = range(
            self.density
                .iter()
                .copied()
                .chain(self.curves.iter().flat_map(|c| c.1.iter().map(|p| p.1))),
            true,
        );
        let mut chart = ChartBuilder::on(&area)
            .margin(24)
            .x_label_area_size(80)
            .y_label_area_size(130)
            .build_cartesian_2d(self.start..x_max, 0.0..y_max)
            .map_err(err)?;
        let span = x_max - self.start;
        chart
            .configure_mesh()
            .x_desc(format!("duration ({}), n = {}", self.unit, self.n))
            .y_desc(format!("density (per {})", self.unit))
            .x_label_formatter(&|x| tick(x, span))
            .y_label_formatter(&|y| super::estimate::sig(*y, 2))
            .axis_desc_style(style(26.0))
            .label_style(style(20.0))
            .draw()
            .map_err(err)?;
        let grey = RGBColor(180, 200, 220);
        chart
            .draw_series(self.density.iter().enumerate().map(|(i, d)| {
                let x0 = self.start + self.width * i as f64;
                Rectangle::new([(x0, 0.0), (x0 + self.width, *d)], grey.filled())
            }))
            .map_err(err)?
            .label("observed")
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], grey.filled()));
        for (k, (label, points)) in self.curves.iter().enumerate() {
            let color = PALETTE[[3, 0, 2][k % 3]];
            let width = if k == 0 { 5 } else { 3 };
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(width),
                ))
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(width))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(style(22.0))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// Arrivals by hour of the week, the fitted calendar's working hours shaded.
struct HourOfWeek {
    per_week: Vec<f64>,
    working: Vec<bool>,
    calendar: String,
}

impl Plot for HourOfWeek {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, "Arrivals by hour of the week")?;
        let (_, y_max) = range(self.per_week.iter().copied(), true);
        let mut chart = ChartBuilder::on(&area)
            .caption(
                format!("shaded: the fitted arrival calendar, {}", self.calendar),
                style(24.0),
            )
            .margin(24)
            .x_label_area_size(80)
            .y_label_area_size(130)
            // x in days (hours / 24), so that plotters puts its ticks at
            // every half day and the day's name sits mid-day.
            .build_cartesian_2d(0.0..7.0, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(15)
            .x_label_formatter(&|x: &f64| {
                let half_days = (x * 2.0).round() as i64;
                if half_days % 2 == 1 && (0..14).contains(&half_days) {
                    WEEKDAYS[(half_days / 2) as usize].to_string()
                } else {
                    String::new()
                }
            })
            .x_desc("hour of the week (local wall time)")
            .y_desc("leads arriving per week")
            .y_label_formatter(&|y| tick(y, y_max))
            .axis_desc_style(style(26.0))
            .label_style(style(22.0))
            .draw()
            .map_err(err)?;
        let shade = RGBColor(253, 241, 224);
        chart
            .draw_series(
                self.working
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w)
                    .map(|(h, _)| {
                        Rectangle::new(
                            [(h as f64 / 24.0, 0.0), ((h as f64 + 1.0) / 24.0, y_max)],
                            shade.filled(),
                        )
                    }),
            )
            .map_err(err)?;
        chart
            .draw_series(self.per_week.iter().enumerate().map(|(h, v)| {
                Rectangle::new(
                    [
                        ((h as f64 + 0.1) / 24.0, 0.0),
                        ((h as f64 + 0.9) / 24.0, *v),
                    ],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(err)?;
        for d in 1..7 {
            let x = f64::from(d);
            chart
                .draw_series(LineSeries::new(
                    [(x, 0.0), (x, y_max)],
                    GREY.stroke_width(1),
                ))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The histogram chart of a duration key.
fn histogram(f: &Fitted) -> Result<Option<Chart>> {
    let Some(Estimate::Duration { fit, chosen }) = &f.estimate else {
        return Ok(None);
    };
    let mut xs = f.samples.clone();
    xs.sort_by(f64::total_cmp);
    if xs.is_empty() {
        return Ok(None);
    }
    let p99 = xs[((xs.len() as f64 * 0.99) as usize).min(xs.len() - 1)];
    let (unit, scale) = if p99 < 180.0 {
        ("s", 1.0)
    } else if p99 < 3.0 * HOUR {
        ("min", 60.0)
    } else if p99 < 3.0 * DAY {
        ("h", HOUR)
    } else {
        ("days", DAY)
    };
    let top = (p99 / scale).max(1e-9);
    let bins = 40usize;
    let width = top / bins as f64;
    let mut counts = vec![0.0; bins];
    for x in &xs {
        let b = ((x / scale) / width).floor() as usize;
        if b < bins {
            counts[b] += 1.0;
        }
    }
    let n = xs.len() as f64;
    let density: Vec<f64> = counts.iter().map(|c| c / n / width).collect();
    let mut curves = Vec::new();
    for (k, c) in fit.candidates.iter().take(2).enumerate() {
        let label = if k == 0 && chosen != "empirical" {
            format!("{} (fitted)", c.family.name())
        } else if k == 0 {
            format!("{} (best, fails KS: empirical used)", c.family.name())
        } else {
            format!("{} (runner-up)", c.family.name())
        };
        let points: Vec<(f64, f64)> = (1..=200)
            .map(|i| {
                let x = top * f64::from(i) / 200.0;
                (x, c.pdf(x * scale) * scale)
            })
            .collect();
        curves.push((label, points));
    }
    let name = format!("duration_{}", f.key.replace('.', "_"));
    let title = format!("{}: {}", f.key, chosen);
    let plot = Histogram {
        title: title.clone(),
        start: 0.0,
        width,
        density,
        curves,
        unit,
        n: xs.len(),
    };
    render(&name, &title, &plot, None).map(Some)
}

/// Every chart of the fit report.
pub fn charts(o: &Outcome) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let weeks = o
        .fit
        .arrival_times
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(WEEK)
        / WEEK;
    let mut per_week = vec![0.0; 168];
    for t in &o.fit.arrival_times {
        let h = ((t.rem_euclid(WEEK)) / HOUR).floor() as usize;
        per_week[h.min(167)] += 1.0 / weeks.ceil();
    }
    let (working, calendar) = match &o.fit.arrivals {
        Some(super::discover::ArrivalFit::Poisson {
            calendar: Some(c), ..
        }) => {
            let cal = c.calendar("arrivals");
            let w = (0..168)
                .map(|h| cal.is_working(h as f64 * HOUR + 1.0))
                .collect();
            (w, c.describe())
        }
        _ => (vec![false; 168], "none fitted".to_string()),
    };
    if !o.fit.arrival_times.is_empty() {
        out.push(render(
            "arrivals_by_hour",
            "Arrivals by hour of the week",
            &HourOfWeek {
                per_week,
                working,
                calendar,
            },
            None,
        )?);
    }
    for f in &o.fit.keys {
        if let Some(c) = histogram(f)? {
            out.push(c);
        }
    }
    Ok(out)
}

const EXTRA_STYLE: &str = "
.pass { color: #007a4d; font-weight: bold; } .fail { color: #b3261e; font-weight: bold; }
.verdict { font-size: 18px; padding: 10px 14px; border-radius: 8px; margin-top: 14px; }
.verdict.pass { background: #e8f6ef; } .verdict.fail { background: #fdecea; }
code { font-size: 13px; } td.src { color: #444; font-size: 13px; }
.notes li { margin: 4px 0; }
";

fn number(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| sig(v, 3))
}

fn evidence(f: &Fitted) -> String {
    match &f.estimate {
        Some(Estimate::Rate { rate }) => {
            format!("[{}, {}]", sig(rate.low, 3), sig(rate.high, 3))
        }
        Some(Estimate::Linear { linear }) => format!(
            "at 0: [{}, {}]; at 1: [{}, {}]",
            sig(linear.at_0.low, 3),
            sig(linear.at_0.high, 3),
            sig(linear.at_1.low, 3),
            sig(linear.at_1.high, 3)
        ),
        Some(Estimate::PerWeek { low, high, .. }) => {
            format!("[{}, {}]", sig(*low, 4), sig(*high, 4))
        }
        Some(Estimate::Duration { fit, .. }) => fit.candidates.first().map_or(String::new(), |c| {
            format!("KS D={} (p={})", sig(c.ks_d, 3), sig(c.ks_p, 2))
        }),
        Some(Estimate::Mode { share, .. }) => format!("{}% of observations", sig(100.0 * share, 3)),
        _ => String::new(),
    }
}

/// The page.
pub fn index_html(o: &Outcome, charts: &[Chart]) -> String {
    let mut h = String::new();
    let fitted = o.fit.keys.iter().filter(|f| f.toml.is_some()).count();
    let kept: Vec<&Fitted> = o.fit.keys.iter().filter(|f| f.toml.is_none()).collect();
    let r = &o.reproduction;
    let failing = r.measures.iter().filter(|m| !m.pass).count();
    let judged = r.measures.iter().filter(|m| m.judged).count();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>salesim fit: {}</title>\n<style>\n@font-face {{ font-family: '{FONT}'; src: url(data:font/ttf;base64,{}) format('truetype'); }}\n{}{EXTRA_STYLE}</style>\n</head>\n<body>\n",
        escape(&o.label),
        crate::report::page::base64(FONT_BYTES),
        crate::report::page::STYLE
    );
    let _ = writeln!(
        h,
        "<h1>A scenario fitted to {}</h1>\n<p class=\"meta\">salesim fit: {} rows ({} used) of {} cases, {} to {}; base scenario <strong>{}</strong>; the fitted scenario is <code>fitted.toml</code>.</p>",
        escape(&o.label),
        o.log.stats.rows,
        o.log.len(),
        o.log.cases.len(),
        escape(&o.dates.0),
        escape(&o.dates.1),
        escape(&o.base.scenario.name),
    );
    h.push_str("<div class=\"cards\">\n");
    let card = |h: &mut String, title: &str, value: String, note: &str| {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div>{}</div><div class=\"value\">{}</div><p>{}</p></div>",
            escape(title),
            escape(&value),
            escape(note)
        );
    };
    card(
        &mut h,
        "Keys fitted",
        fitted.to_string(),
        "Estimated from the log, each with its evidence in its _source.",
    );
    card(
        &mut h,
        "Keys kept from the base",
        kept.len().to_string(),
        "Too few observations or not in the log: the base's value and source stand.",
    );
    card(
        &mut h,
        "Reproduction",
        format!("{} of {}", judged - failing, judged),
        &format!(
            "Measures within {}x of the history's own split-half noise.",
            super::reproduce::TOLERANCE
        ),
    );
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<div class=\"verdict {}\">{}</div>",
        if r.passes { "pass" } else { "fail" },
        if r.passes {
            format!("The fitted scenario reproduces the history: every distance is within {}x of the distance between two halves of the log itself.", super::reproduce::TOLERANCE)
        } else {
            format!("The fitted scenario does not reproduce the history: {failing} of {judged} distances are more than {}x the distance between two halves of the log itself (marked below). Check the map and the keys kept from the base before planning with it.", super::reproduce::TOLERANCE)
        }
    );
    if !o.fit.notes.is_empty() {
        h.push_str("<h2>What the log held</h2>\n<ul class=\"notes\">\n");
        for n in &o.fit.notes {
            let _ = writeln!(h, "<li>{}</li>", escape(n));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2 class=\"first\">Fitted keys</h2>\n<table>\n<tr><th>key</th><th>value</th><th class=\"num\">n</th><th>interval or KS</th><th>runner-up</th><th>how</th></tr>\n");
    for f in o.fit.keys.iter().filter(|f| f.toml.is_some()) {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"src\">{}</td><td class=\"src\">{}</td></tr>",
            escape(&f.key),
            escape(f.toml.as_deref().unwrap_or("")),
            f.n,
            escape(&evidence(f)),
            escape(f.runner_up.as_deref().unwrap_or("")),
            escape(&f.method)
        );
    }
    h.push_str("</table>\n");
    if !kept.is_empty() {
        h.push_str("<h2>Kept from the base</h2>\n<table>\n<tr><th>key</th><th class=\"num\">n</th><th>why</th></tr>\n");
        for f in &kept {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"src\">{}</td></tr>",
                escape(&f.key),
                f.n,
                escape(&f.method)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>How well it reproduces the history</h2>\n");
    let _ = writeln!(
        h,
        "<p>The fitted scenario simulated as the process ran, from the log's first Monday for {} weeks ({} replications pooled, seed {}), against the log: {} cases in the log, {} simulated. Each distance is the earth mover's (Wasserstein) distance of <code>log-distance-measures</code>; the yardstick is the same distance between two random halves of the log's cases, the mean over eight splits.</p>",
        r.weeks, r.replications, r.seed, r.input_cases, r.simulated_cases
    );
    h.push_str("<table>\n<tr><th>measure</th><th>activity</th><th>unit</th><th class=\"num\">fitted vs log</th><th class=\"num\">half vs half</th><th class=\"num\">rows in log / simulated</th><th></th></tr>\n");
    for m in &r.measures {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"{}\">{}</td></tr>",
            escape(&m.measure),
            escape(&m.activity),
            escape(&m.unit),
            number(m.fitted),
            number(m.yardstick),
            m.input_n,
            m.simulated_n,
            if !m.judged { "meta" } else if m.pass { "pass" } else { "fail" },
            verdict(m)
        );
    }
    h.push_str("</table>\n<h2>Charts</h2>\n");
    for c in charts {
        let svg = c.svg.find("<svg").map_or(c.svg.as_str(), |i| &c.svg[i..]);
        let _ = writeln!(
            h,
            "<figure id=\"chart-{0}\"><div class=\"chart\">{1}</div><figcaption>{2} <span class=\"downloads\">(<a href=\"charts/{0}.png\">PNG</a>, <a href=\"charts/{0}.svg\">SVG</a>)</span></figcaption></figure>",
            escape(&c.name),
            svg,
            escape(&c.title)
        );
    }
    h.push_str("<h2>The fitted scenario</h2>\n<pre><code>");
    h.push_str(&escape(&o.toml));
    h.push_str("</code></pre>\n</body>\n</html>\n");
    h
}

fn verdict(m: &Measure) -> &'static str {
    match (m.pass, m.fitted) {
        _ if !m.judged => "too few rows to judge",
        (true, _) => "pass",
        (false, None) => "fail: not simulated",
        (false, Some(_)) => "fail",
    }
}

/// Every file of the report: `fit.json`, `charts/*`, `index.html`, and
/// the two logs compared, `logs/history.csv` and `logs/simulated.csv`.
pub fn files(o: &Outcome) -> Result<Vec<(String, Vec<u8>)>> {
    let charts = charts(o)?;
    let mut out = vec![("fit.json".to_string(), json(o, &o.map_origin))];
    for c in &charts {
        out.push((format!("charts/{}.svg", c.name), c.svg.clone().into_bytes()));
        out.push((format!("charts/{}.png", c.name), c.png.clone()));
    }
    out.push(("index.html".into(), index_html(o, &charts).into_bytes()));
    out.push(("logs/history.csv".into(), o.reproduction.logs.0.clone()));
    out.push(("logs/simulated.csv".into(), o.reproduction.logs.1.clone()));
    Ok(out)
}
