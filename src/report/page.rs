//! `index.html`: one self-contained page (inline SVG, CSS, font and script;
//! nothing fetched) with the scenario, the headline numbers with their CIs
//! and what they mean, every chart, the live swimlane, the full metric table
//! and the parameters with their sources. A sweep gets a control that moves
//! through the points, every chart and the swimlane with it (each drawn
//! point's charts are in the page); with scripts off the page shows the
//! chosen point. A comparison leads with the paired differences, a
//! sensitivity with what moves its metric most.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::charts::Chart;
use super::font::{FONT, FONT_BYTES};
use super::{metric_rows, point_folder, stat, PointReport, ReportInput, Stat, View};
use crate::diagram::bpmn::escape;
use crate::experiment::sensitivity::Provenance;
use crate::experiment::Kind;
use crate::metrics::{metric, Format};

/// How a headline card states its number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Basis {
    /// The metric as it is, with this phrase for its unit
    /// (`hours per rep-week`).
    AsIs(&'static str),
    /// A count over the measured weeks shown per week, its total beside it;
    /// the phrase names what is counted (`meetings`).
    PerWeek(&'static str),
}

/// The headline cards: metric, how the card states it, and what it tells a
/// planner.
pub const CARDS: [(&str, Basis, &str); 9] = [
    (
        "hours_saved_per_rep_week",
        Basis::AsIs("hours per rep-week"),
        "Hours each rep gets back per week on outbound preparation, against the same leads prepared by hand.",
    ),
    (
        "meetings",
        Basis::PerWeek("meetings"),
        "Meetings booked by the team: what the outbound pipeline is for.",
    ),
    (
        "meetings_per_rep_month",
        Basis::AsIs("meetings per rep-month"),
        "Meetings each rep books in a month: the figure a sales leader sets quotas in.",
    ),
    (
        "reply_rate",
        Basis::AsIs("of leads emailed (not bounced) reply, over the whole sequence"),
        "How often a lead answers the first email or a follow-up.",
    ),
    (
        "emails_sent",
        Basis::PerWeek("first emails (their follow-ups counted apart)"),
        "First emails of outreach sequences, autonomous ones included; each is irreversible, and its follow-ups go out on their own."
    ),
    (
        "nurture_share",
        Basis::AsIs("of reachable leads go to nurture"),
        "The share of reachable leads the gate sends to the automated nurture sequence instead of outreach.",
    ),
    (
        "review_wait_mean_h",
        Basis::AsIs("hours a draft waits for review, mean (calendar hours: nights and weekends count)"),
        "How long a draft waits at the gate for a rep.",
    ),
    (
        "low_fit_sent",
        Basis::PerWeek("emails to leads that do not fit"),
        "Irreversible sends to leads that do not fit: the cost of a permissive gate or of autonomy.",
    ),
    (
        "good_fit_to_nurture",
        Basis::PerWeek("good-fit leads sent to nurture"),
        "Good leads the gate sent to nurture instead of a rep: the cost of a strict gate.",
    ),
];

pub(crate) fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A number as the registry formats it.
pub(crate) fn fmt(name: &str, v: Option<f64>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "—".to_string();
    };
    let decimals = match metric(name).map(|m| m.format) {
        Some(Format::Count) if v.abs() >= 100.0 => 0,
        Some(Format::Count) => 1,
        Some(Format::Share) => 3,
        _ => 2,
    };
    crate::output::table::group_thousands(&format!("{v:.decimals$}"))
}

fn ci(name: &str, s: &Stat) -> String {
    match (s.low, s.high) {
        (Some(l), Some(h)) if s.mean.is_some() => {
            format!("95% CI [{}, {}]", fmt(name, Some(l)), fmt(name, Some(h)))
        }
        _ => String::new(),
    }
}

pub(crate) const STYLE: &str = "
body { font-family: 'salesim-sans', sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #1e1e1e; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
.meta { color: #555; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 14px; margin-top: 16px; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 12px 14px; background: #fafcff; }
.card .value { font-size: 28px; font-weight: bold; color: #0072B2; }
.card .unit, .card .ci, .card .total { color: #555; font-size: 13px; }
.card p { margin: 6px 0 0; font-size: 14px; }
.card.clear { border-color: #0072B2; border-width: 2px; }
figure { margin: 24px 0; } figure .chart { position: relative; }
figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 8px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
tr.section th { background: #f2f5f8; }
.assumed { color: #a15c00; font-weight: bold; }
.cli { color: #6a3d9a; font-weight: bold; }
.warning { padding: 10px 14px; border-left: 5px solid #D55E00; background: #fff1e8; font-weight: bold; }
#control { margin: 18px 0; padding: 12px; border: 1px solid #ccc; border-radius: 8px; background: #fff8ee; position: sticky; top: 0; z-index: 2; }
#control input { width: 100%; }
.swimlane .chart { overflow-x: auto; }
.swimlane svg { width: 100%; min-width: 1050px; height: auto; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  #control, .downloads { display: none !important; }
  h2 { page-break-before: always; } h2.first { page-break-before: avoid; }
  figure { page-break-inside: avoid; } svg { max-height: 90vh; }
}
";

/// The sweep control: moves every chart, the swimlane and the headline to
/// the chosen point. Each drawn point's charts wait in a `<template>`; the
/// page's first point is kept as it was drawn.
const SCRIPT: &str = "
(function () {
  var data = JSON.parse(document.getElementById('points').textContent);
  var control = document.getElementById('control');
  var slider = document.getElementById('point');
  control.hidden = false;
  var figures = document.querySelectorAll('figure[data-chart]');
  var first = {};
  figures.forEach(function (f) {
    first[f.getAttribute('data-chart')] = { html: f.querySelector('.chart').innerHTML, title: f.querySelector('.title').textContent };
  });
  function view(k) {
    if (k === data.first) { return first; }
    var t = document.getElementById('view-' + k);
    var out = {};
    t.content.querySelectorAll('[data-chart]').forEach(function (c) {
      out[c.getAttribute('data-chart')] = { html: c.innerHTML, title: c.getAttribute('data-title') };
    });
    return out;
  }
  function show(i) {
    var p = data.points[i];
    document.getElementById('point-label').textContent = p.label + (p.feasible ? '' : ' (fails a constraint)') + (p.point === data.chosen ? ' (chosen)' : '');
    document.getElementById('headline-title').textContent = 'Headline: ' + p.label;
    var warning = document.getElementById('warning');
    warning.textContent = p.warnings.join(' ');
    warning.hidden = p.warnings.length === 0;
    Object.keys(p.headline).forEach(function (k) {
      var v = p.headline[k];
      ['value', 'ci', 'total'].forEach(function (part, j) {
        var el = document.getElementById(part + '-' + k);
        if (el) { el.textContent = v[j]; }
      });
    });
    var charts = view(p.point);
    figures.forEach(function (f) {
      var name = f.getAttribute('data-chart');
      var c = charts[name];
      f.hidden = !c;
      if (!c) { return; }
      f.querySelector('.chart').innerHTML = c.html;
      f.querySelector('.title').textContent = c.title;
      f.querySelectorAll('a[data-ext]').forEach(function (a) {
        a.setAttribute('href', 'charts/point-' + p.point + '/' + name + '.' + a.getAttribute('data-ext'));
      });
    });
    document.body.setAttribute('data-point', p.point);
  }
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
  var m = /point=(\\d+)/.exec(window.location.hash);
  var start = parseInt(slider.value, 10);
  if (m) {
    var wanted = parseInt(m[1], 10);
    start = 0;
    data.points.forEach(function (p, i) {
      if (Math.abs(p.point - wanted) < Math.abs(data.points[start].point - wanted)) { start = i; }
    });
  }
  slider.value = start;
  show(start);
})();
";

/// A card's number, its CI and its total line, as the card writes them.
fn card_values(p: &PointReport, name: &str, basis: Basis) -> (String, String, String) {
    let s = stat(p, name);
    match basis {
        Basis::AsIs(_) => {
            let share = metric(name).is_some_and(|m| m.format == Format::Share);
            let f = |v: Option<f64>| {
                if share {
                    v.filter(|v| v.is_finite())
                        .map_or_else(|| "—".to_string(), |v| format!("{:.1}%", 100.0 * v))
                } else {
                    fmt(name, v)
                }
            };
            let ci = match (s.low, s.high, s.mean) {
                (Some(l), Some(h), Some(_)) => format!("95% CI [{}, {}]", f(Some(l)), f(Some(h))),
                _ => String::new(),
            };
            (f(s.mean), ci, String::new())
        }
        Basis::PerWeek(_) => {
            let weeks = weeks_of(p);
            let per = |v: Option<f64>| v.map(|v| v / weeks);
            let one = |v: Option<f64>| per_week_fmt(per(v));
            let ci = match (s.low, s.high, s.mean) {
                (Some(l), Some(h), Some(_)) => {
                    format!("95% CI [{}, {}]", one(Some(l)), one(Some(h)))
                }
                _ => String::new(),
            };
            let total = format!(
                "{} in total over the {} measured weeks",
                fmt(name, s.mean),
                fmt_weeks(weeks)
            );
            (one(s.mean), ci, total)
        }
    }
}

/// A per-week figure: one decimal below 100, whole numbers above.
fn per_week_fmt(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        None => "—".to_string(),
        Some(v) if v.abs() >= 100.0 => crate::output::table::group_thousands(&format!("{v:.0}")),
        Some(v) => format!("{v:.1}"),
    }
}

fn fmt_weeks(w: f64) -> String {
    if (w - w.round()).abs() < 1e-9 {
        format!("{w:.0}")
    } else {
        format!("{w:.1}")
    }
}

/// Weeks of a point's measured window.
pub(crate) fn weeks_of(p: &PointReport) -> f64 {
    if p.weeks > 0.0 {
        p.weeks
    } else {
        p.weekly.first().map_or(1.0, |w| w.len().max(1) as f64)
    }
}

/// The unit phrase of a card (per week: "<what> per week").
fn basis_phrase(basis: Basis) -> String {
    match basis {
        Basis::AsIs(unit) => unit.to_string(),
        Basis::PerWeek(what) => format!("{what} per week"),
    }
}

fn headline_values(p: &PointReport) -> BTreeMap<&'static str, (String, String, String)> {
    CARDS
        .iter()
        .map(|(name, basis, _)| (*name, card_values(p, name, *basis)))
        .collect()
}

/// The headline cards of one point.
fn cards(h: &mut String, p: &PointReport) {
    h.push_str("<div class=\"cards\">\n");
    for (name, basis, sentence) in CARDS {
        let (value, ci, total) = card_values(p, name, basis);
        let label = metric(name).map_or(name, |m| m.label);
        let _ = writeln!(
            h,
            "<div class=\"card\"><div>{}</div><div class=\"value\" id=\"value-{name}\">{value}</div><div class=\"unit\">{}</div><div class=\"ci\" id=\"ci-{name}\">{ci}</div><div class=\"total\" id=\"total-{name}\">{}</div><p>{}</p></div>",
            escape(label),
            escape(&basis_phrase(basis)),
            escape(&total),
            escape(sentence)
        );
    }
    h.push_str("</div>\n");
}

/// A signed number: `+1.2`, `−0.6` (a true minus sign), `0`.
fn signed(v: f64, decimals: usize) -> String {
    let text = crate::output::table::group_thousands(&format!("{:.decimals$}", v.abs()));
    if text.chars().all(|c| c == '0' || c == '.' || c == ',') {
        text
    } else if v < 0.0 {
        format!("\u{2212}{text}")
    } else {
        format!("+{text}")
    }
}

/// The headline of a comparison: for each scenario after the first, the
/// paired difference from the first in every card's metric, with its CI,
/// both scenarios' own values beside it.
/// How a card's paired difference is shown, here and in the forest plot:
/// the factor on the difference of the total, the decimals, and its unit
/// (a count per week, a share in percentage points, else as the card).
pub(crate) fn difference_scale(q: &PointReport, name: &str, basis: &Basis) -> (f64, usize, String) {
    let share = metric(name).is_some_and(|m| m.format == Format::Share);
    match basis {
        Basis::PerWeek(what) => (1.0 / weeks_of(q), 1, format!("{what} per week")),
        Basis::AsIs(_) if share => (100.0, 1, "percentage points".to_string()),
        Basis::AsIs(unit) => (1.0, 2, unit.to_string()),
    }
}

fn difference_cards(h: &mut String, input: &ReportInput) {
    let Some(base) = input.points.first() else {
        return;
    };
    for q in input.points.iter().skip(1) {
        let _ = writeln!(
            h,
            "<h3>{} minus {}: paired differences (common random numbers)</h3>\n<div class=\"cards\">",
            escape(&q.label),
            escape(&base.label)
        );
        for (name, basis, _) in CARDS {
            let Some(i) = crate::metrics::metric_index(name) else {
                continue;
            };
            let Some(d) = q.differences.get(i) else {
                continue;
            };
            let (scale, decimals, unit) = difference_scale(q, name, &basis);
            let text =
                |v: Option<f64>| v.map_or("—".to_string(), |v| signed(v * scale, decimals));
            let clear = matches!((d.low, d.high), (Some(l), Some(hi)) if l > 0.0 || hi < 0.0);
            let ci = match (d.low, d.high) {
                (Some(l), Some(hi)) => format!(
                    "95% CI [{}, {}]{}",
                    text(Some(l)),
                    text(Some(hi)),
                    if clear {
                        ": excludes 0"
                    } else {
                        ": includes 0"
                    }
                ),
                _ => String::new(),
            };
            let (a, _, _) = card_values(base, name, basis);
            let (b, _, _) = card_values(q, name, basis);
            let _ = writeln!(
                h,
                "<div class=\"card{}\"><div>{}</div><div class=\"value\">{}</div><div class=\"unit\">{}</div><div class=\"ci\">{}</div><p>{}: {a}; {}: {b}</p></div>",
                if clear { " clear" } else { "" },
                escape(metric(name).map_or(name, |m| m.label)),
                text(d.mean),
                escape(&unit),
                escape(&ci),
                escape(&base.label),
                escape(&q.label)
            );
        }
        h.push_str("</div>\n");
    }
}

/// The settings that differ between the compared scenarios, each
/// scenario's value in a column.
fn compared_settings(h: &mut String, input: &ReportInput) {
    if input.compared_settings.is_empty() {
        h.push_str("<p>The compared scenarios have the same settings: their differences are the simulation's own noise.</p>\n");
        return;
    }
    let _ = write!(
        h,
        "<h3>What differs between the scenarios</h3>\n<table id=\"compared-settings\">\n<tr><th>setting</th>"
    );
    for p in &input.points {
        let _ = write!(h, "<th>{}</th>", escape(&p.label));
    }
    h.push_str("</tr>\n");
    for d in &input.compared_settings {
        let _ = write!(h, "<tr><td>{}</td>", escape(&d.key));
        for v in &d.values {
            let _ = write!(h, "<td>{}</td>", escape(v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// The headline of a sensitivity analysis: what moves its metric most.
fn sensitivity_headline(h: &mut String, input: &ReportInput) {
    let Some((name, swings)) = &input.sensitivity else {
        return;
    };
    let label = metric(name).map_or(name.clone(), |m| m.axis_label());
    let base = input.points.first().and_then(|p| stat(p, name).mean);
    let _ = writeln!(
        h,
        "<h3>What moves {} most</h3>\n<p>Base scenario: {}. Each parameter moved down and up on its own, every other at its base value; ranked by the larger paired change.</p>\n<table>\n<tr><th>#</th><th>parameter</th><th>low setting</th><th>{0} at low</th><th>high setting</th><th>{0} at high</th><th>source</th></tr>",
        escape(&label),
        fmt(name, base)
    );
    for (k, s) in swings.iter().take(10).enumerate() {
        let p = Provenance::of(s.set_on_command_line, s.assumed);
        let source = match p {
            Provenance::CommandLine => format!("<span class=\"cli\">{}</span>", p.words()),
            Provenance::Assumed => format!("<span class=\"assumed\">{}</span>", p.words()),
            Provenance::Cited => p.words().to_string(),
        };
        let change = |c: &Stat| match c.mean {
            Some(m) => format!(" ({})", signed(m, 2)),
            None => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}{}</td><td>{}</td><td class=\"num\">{}{}</td><td>{source}</td></tr>",
            k + 1,
            if s.title.is_empty() {
                escape(&s.parameter)
            } else {
                format!("{} <span class=\"meta\">({})</span>", escape(&s.title), escape(&s.parameter))
            },
            escape(&s.settings.0),
            fmt(name, Some(s.low)),
            change(&s.changes.0),
            escape(&s.settings.1),
            fmt(name, Some(s.high)),
            change(&s.changes.1),
        );
    }
    h.push_str("</table>\n");
}

/// A chart as a figure the sweep control can replace; its downloads point
/// at `folder`.
fn figure(h: &mut String, c: &Chart, folder: &str) {
    let _ = writeln!(
        h,
        "<figure id=\"chart-{0}\" data-chart=\"{0}\"><div class=\"chart\">{1}</div><figcaption><span class=\"title\">{2}</span> <span class=\"downloads\">(<a data-ext=\"png\" href=\"{3}/{0}.png\">PNG</a>, <a data-ext=\"svg\" href=\"{3}/{0}.svg\">SVG</a>)</span></figcaption></figure>",
        escape(&c.name),
        strip_xml_declaration(&c.svg),
        escape(&c.title),
        folder
    );
}

const SWIMLANE_TITLE: &str = "Agent, human and system lanes; the gate with its thresholds, the nurture path, the review; external data providers outside the pool. Each flow shows its mean volume per week in the measured window.";

/// The page: `views` holds each drawn point's charts and swimlane, the
/// first shown point among them.
pub fn index_html(input: &ReportInput, views: &[View]) -> String {
    let shown = super::first_shown(input);
    let point = &input.points[shown];
    let view = views
        .iter()
        .find(|v| v.point == shown)
        .expect("the first shown point is always drawn");
    let folder = if input.kind == Kind::Sweep {
        point_folder(shown)
    } else {
        "charts".to_string()
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>salesim: {}</title>\n<style>\n@font-face {{ font-family: '{FONT}'; src: url(data:font/ttf;base64,{}) format('truetype'); }}\n{STYLE}</style>\n</head>\n<body>\n",
        escape(&input.name),
        base64(FONT_BYTES)
    );
    let _ = writeln!(
        h,
        "<h1>{}</h1>\n<p>{}</p>\n<p class=\"meta\">salesim {} of <strong>{}</strong>: {} replications per point, seed {}.{}</p>",
        escape(&input.name),
        escape(&input.description),
        input.kind,
        escape(&input.name),
        input.replications,
        input.seed,
        input.objective.as_ref().map_or(String::new(), |o| format!(" Chosen by: {}.", escape(&o.to_string())))
    );
    let drawn: Vec<usize> = views.iter().map(|v| v.point).collect();
    if input.kind == Kind::Sweep {
        let at = drawn.iter().position(|&k| k == shown).unwrap_or(0);
        let _ = writeln!(
            h,
            "<div id=\"control\" hidden><label for=\"point\">Point of the sweep ({}): <strong id=\"point-label\">{}</strong></label><input type=\"range\" id=\"point\" min=\"0\" max=\"{}\" value=\"{at}\">{}</div>",
            escape(&input.params.join(", ")),
            escape(&point.label),
            drawn.len().saturating_sub(1),
            if drawn.len() < input.points.len() {
                format!(
                    "<p class=\"meta\">The control moves through {} of the {} points, evenly spread; every point's numbers are in sweep.csv.</p>",
                    drawn.len(),
                    input.points.len()
                )
            } else {
                String::new()
            }
        );
    }
    let title = match input.kind {
        Kind::Compare => "Headline: what changes against the first scenario".to_string(),
        Kind::Sensitivity => "Headline: the base scenario".to_string(),
        _ if input.points.len() > 1 => format!("Headline: {}", escape(&point.label)),
        _ => "Headline".to_string(),
    };
    let _ = writeln!(h, "<h2 class=\"first\" id=\"headline-title\">{title}</h2>");
    let warnings: Vec<String> = match input.kind {
        Kind::Compare => input
            .comparability
            .iter()
            .cloned()
            .chain(
                input
                    .points
                    .iter()
                    .flat_map(|p| p.warnings.iter().map(move |w| format!("{}: {w}", p.label))),
            )
            .collect(),
        _ => point.warnings.clone(),
    };
    let _ = writeln!(
        h,
        "<p class=\"warning\" id=\"warning\"{}>{}</p>",
        if warnings.is_empty() { " hidden" } else { "" },
        escape(&warnings.join(" "))
    );
    let headline_charts: Vec<&Chart> = view
        .charts
        .iter()
        .filter(|c| c.name == "compare_differences")
        .collect();
    match input.kind {
        Kind::Compare => {
            compared_settings(&mut h, input);
            difference_cards(&mut h, input);
            for c in &headline_charts {
                figure(&mut h, c, &folder);
            }
            let _ = writeln!(h, "<h3>{}: the scenario itself</h3>", escape(&point.label));
            cards(&mut h, point);
        }
        Kind::Sensitivity => {
            cards(&mut h, point);
            sensitivity_headline(&mut h, input);
        }
        _ => cards(&mut h, point),
    }
    // The live swimlane.
    if !view.swimlane.is_empty() {
        let lane = Chart {
            name: "swimlane".into(),
            title: SWIMLANE_TITLE.into(),
            svg: view.swimlane.clone(),
            png: Vec::new(),
            x_mapping: None,
        };
        h.push_str("<h2>The swimlane, with mean weekly volumes</h2>\n");
        let start = h.len();
        figure(&mut h, &lane, &folder);
        h.insert_str(start + "<figure ".len(), "class=\"swimlane\" ");
    }
    h.push_str("<h2>Charts</h2>\n");
    for c in &view.charts {
        if !headline_charts.iter().any(|x| x.name == c.name) {
            figure(&mut h, c, &folder);
        }
    }
    // The full metric table.
    h.push_str("<h2>Every metric</h2>\n<table>\n<tr><th>metric</th><th>unit</th>");
    let columns: Vec<&PointReport> = if input.kind == Kind::Compare {
        input.points.iter().collect()
    } else {
        vec![point]
    };
    for (k, p) in columns.iter().enumerate() {
        let _ = write!(h, "<th>{} mean</th><th>95% CI</th>", escape(&p.label));
        if k > 0 {
            let _ = write!(h, "<th>difference (paired) [95% CI]</th>");
        }
    }
    h.push_str("</tr>\n");
    let rows: Vec<_> = columns.iter().map(|p| metric_rows(p)).collect();
    let width = 2 + 2 * columns.len() + columns.len().saturating_sub(1);
    for (s, (title, metrics)) in rows[0].iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr class=\"section\"><th colspan=\"{width}\">{}</th></tr>",
            escape(title)
        );
        for (k, (name, unit, _)) in metrics.iter().enumerate() {
            let _ = write!(h, "<tr><td>{name}</td><td>{}</td>", escape(unit));
            for (c, r) in rows.iter().enumerate() {
                let st = &r[s].1[k].2;
                let _ = write!(
                    h,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    fmt(name, st.mean),
                    ci(name, st).replace("95% CI ", "")
                );
                if c > 0 {
                    let d = crate::metrics::metric_index(name)
                        .and_then(|i| columns[c].differences.get(i));
                    let _ = write!(
                        h,
                        "<td class=\"num\">{}</td>",
                        d.map_or(String::new(), |d| format!(
                            "{} {}",
                            fmt(name, d.mean),
                            ci(name, d).replace("95% CI ", "")
                        ))
                    );
                }
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</table>\n");
    // Parameters with sources.
    h.push_str("<h2>Parameters and their sources</h2>\n<p>Values marked <span class=\"assumed\">assumed</span> have no cited source; check them first.</p>\n<table>\n<tr><th>parameter</th><th>value</th><th>source</th></tr>\n");
    for p in &input.parameters {
        let source = match &p.source {
            Some(s) if p.assumed => format!("<span class=\"assumed\">assumed</span> {}", escape(s)),
            Some(s) => escape(s),
            None => "<span class=\"assumed\">assumed</span> (no source)".to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{source}</td></tr>",
            escape(&p.key),
            escape(&p.value)
        );
    }
    h.push_str("</table>\n");
    if input.kind == Kind::Sweep {
        for v in views.iter().filter(|v| v.point != shown) {
            let _ = write!(h, "<template id=\"view-{}\">", v.point);
            if !v.swimlane.is_empty() {
                let _ = write!(
                    h,
                    "<div data-chart=\"swimlane\" data-title=\"{}\">{}</div>",
                    escape(SWIMLANE_TITLE),
                    strip_xml_declaration(&v.swimlane)
                );
            }
            for c in &v.charts {
                let _ = write!(
                    h,
                    "<div data-chart=\"{}\" data-title=\"{}\">{}</div>",
                    escape(&c.name),
                    escape(&c.title),
                    strip_xml_declaration(&c.svg)
                );
            }
            h.push_str("</template>\n");
        }
        h.push_str(&sweep_data(input, &drawn));
        let _ = writeln!(h, "<script>{SCRIPT}</script>");
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn strip_xml_declaration(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

/// One point of the sweep control's JSON island (fields in alphabetical
/// order).
#[derive(serde::Serialize)]
struct IslandPoint<'a> {
    feasible: bool,
    headline: BTreeMap<&'static str, (String, String, String)>,
    label: &'a str,
    point: usize,
    warnings: &'a [String],
}

/// The JSON island the sweep control reads.
#[derive(serde::Serialize)]
struct Island<'a> {
    chosen: Option<usize>,
    first: usize,
    points: Vec<IslandPoint<'a>>,
}

/// The JSON island the sweep control reads: per drawn point its number,
/// label, headline values and warnings; the chosen point and the one the
/// page shows first.
fn sweep_data(input: &ReportInput, drawn: &[usize]) -> String {
    let points = drawn
        .iter()
        .map(|&k| {
            let p = &input.points[k];
            IslandPoint {
                feasible: p.feasible,
                headline: headline_values(p),
                label: &p.label,
                point: k,
                warnings: &p.warnings,
            }
        })
        .collect();
    let doc = Island {
        chosen: input.chosen,
        first: super::first_shown(input),
        points,
    };
    let text = serde_json::to_string(&doc).expect("numbers and strings always serialise");
    // `</` cannot end the script element early inside JSON strings.
    let text = text.replace("</", "<\\/");
    format!("<script type=\"application/json\" id=\"points\">{text}</script>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{ParamValue, RunResult};
    use crate::report::{input, point, ReportInput};
    use crate::scenario::load_test_base;

    fn run_input(kind: Kind, points: usize) -> (ReportInput, crate::scenario::Loaded) {
        let loaded = load_test_base(&[]).unwrap();
        let mut sc = loaded.scenario.clone();
        sc.run.replications = 2;
        sc.run.horizon = 4.0 * crate::units::WEEK;
        sc.run.warmup = crate::units::WEEK;
        let result: RunResult = crate::experiment::run(&sc, 1, &|| {}).unwrap();
        let pts = (0..points)
            .map(|i| {
                point(
                    format!("p{i}"),
                    vec![ParamValue::parse(&format!("0.{}", i + 3))],
                    &sc,
                    &result,
                    i != 0,
                )
            })
            .collect();
        let mut r = input(kind, &loaded, pts);
        if kind == Kind::Sweep {
            r.params = vec!["gate.nurture_below".into()];
            r.chosen = Some(1);
        }
        (r, loaded)
    }

    #[test]
    fn the_page_is_self_contained_and_complete() {
        let (r, loaded) = run_input(Kind::Run, 1);
        let files = crate::report::files(&r, &[&loaded.scenario]).unwrap();
        let html = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
        // Nothing fetched: every URL is an XML namespace.
        for (i, _) in html.match_indices("http") {
            let before = &html[i.saturating_sub(8)..i];
            assert!(
                before.contains("xmlns"),
                "an external reference near {}",
                &html[i.saturating_sub(40)..i + 40]
            );
        }
        assert!(!html.contains("<script src"));
        for m in crate::metrics::metric_names() {
            assert!(
                html.contains(&format!("<td>{m}</td>")),
                "{m} missing from the table"
            );
        }
        for p in &r.parameters {
            assert!(html.contains(&escape(&p.key)), "{}", p.key);
            if let Some(s) = &p.source {
                assert!(html.contains(&escape(s)), "source of {}", p.key);
            }
        }
        for c in ["weekly_volumes", "rep_hours", "review_gate", "rep_time"] {
            assert!(html.contains(&format!("id=\"chart-{c}\"")), "{c}");
        }
        assert!(
            html.contains("data-flow=\"flow_gate_nurture\""),
            "the live swimlane"
        );
        assert!(html.contains("@media print"));
        assert!(html.contains("@font-face"));
        assert!(!html.contains("<script>"), "no script for a single run");
    }

    #[test]
    fn a_sweep_page_carries_its_points_for_the_control() {
        let (r, loaded) = run_input(Kind::Sweep, 3);
        let files = crate::report::files(&r, &[&loaded.scenario]).unwrap();
        let html = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
        let start = html.find("id=\"points\">").unwrap() + "id=\"points\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: serde_json::Value =
            serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
        assert_eq!(data["points"].as_array().unwrap().len(), 3);
        assert_eq!(data["chosen"], 1);
        assert_eq!(data["first"], 1);
        assert_eq!(data["points"][2]["point"], 2);
        assert!(data["points"][0]["headline"]["meetings"].is_array());
        assert!(html.contains("<input type=\"range\""));
        assert!(html.contains("id=\"chart-sweep_tradeoff\""));
        // Every other drawn point's charts and swimlane wait in the page,
        // and their files are written in the point's folder.
        for k in [0, 2] {
            let start = html.find(&format!("<template id=\"view-{k}\">")).unwrap();
            let end = start + html[start..].find("</template>").unwrap();
            let view = &html[start..end];
            for c in ["swimlane", "weekly_volumes", "rep_hours", "sweep_tradeoff"] {
                assert!(
                    view.contains(&format!("data-chart=\"{c}\"")),
                    "{c} of point {k}"
                );
                assert!(
                    files
                        .iter()
                        .any(|(n, _)| *n == format!("charts/point-{k}/{c}.png")),
                    "charts/point-{k}/{c}.png"
                );
            }
        }
        assert!(
            !html.contains("<template id=\"view-1\">"),
            "the first point is on the page"
        );
    }

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn numbers_follow_the_registry_format() {
        assert_eq!(fmt("emails_sent", Some(1561.4)), "1,561");
        assert_eq!(fmt("nurture_share", Some(0.79612)), "0.796");
        assert_eq!(fmt("hours_saved_per_rep_week", Some(12.191)), "12.19");
        assert_eq!(fmt("meetings", Some(4.46)), "4.5");
        assert_eq!(fmt("cost_per_meeting", None), "—");
    }
}
