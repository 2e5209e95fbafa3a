//! `index.html`: one self-contained page (inline SVG, CSS, font and script;
//! nothing fetched) with the scenario, the headline numbers with their CIs
//! and what they mean, every chart, the live swimlane, the full metric table
//! and the parameters with their sources. A sweep gets a control that moves
//! through the points; with scripts off the page shows the chosen point.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::charts::Chart;
use super::font::{FONT, FONT_BYTES};
use super::{metric_rows, stat, PointReport, ReportInput, Stat};
use crate::diagram::bpmn::escape;
use crate::diagram::{svg::to_svg, Layout};
use crate::experiment::Kind;
use crate::metrics::{metric, Format};

/// The headline metrics and what each tells a planner.
pub const HEADLINES: [(&str, &str); 6] = [
    (
        "hours_saved_per_rep_week",
        "Hours each rep gets back per week on outbound preparation, against doing the same leads by hand.",
    ),
    (
        "nurture_share",
        "The share of reachable leads the gate sends to the automated nurture sequence instead of outreach.",
    ),
    (
        "emails_sent",
        "Outreach emails sent in the measured weeks; every one is irreversible.",
    ),
    (
        "review_wait_mean_h",
        "How long a draft waits for a rep's review, in calendar hours (nights and weekends count).",
    ),
    (
        "low_fit_sent",
        "Irreversible sends to leads that do not fit: the cost of a permissive gate or of autonomy.",
    ),
    (
        "good_fit_to_nurture",
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
.card .unit, .card .ci { color: #555; font-size: 13px; }
.card p { margin: 6px 0 0; font-size: 14px; }
figure { margin: 24px 0; } figure .chart { position: relative; }
figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 14px; }
.marker { position: absolute; top: 6%; bottom: 8%; width: 3px; background: #D55E00; opacity: 0.8; pointer-events: none; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 8px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
tr.section th { background: #f2f5f8; }
.assumed { color: #a15c00; font-weight: bold; }
.warning { padding: 10px 14px; border-left: 5px solid #D55E00; background: #fff1e8; font-weight: bold; }
#control { margin: 18px 0; padding: 12px; border: 1px solid #ccc; border-radius: 8px; background: #fff8ee; }
#control input { width: 100%; }
.swimlane svg { width: 100%; height: auto; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  #control, .downloads { display: none !important; }
  h2 { page-break-before: always; } h2.first { page-break-before: avoid; }
  figure { page-break-inside: avoid; } svg { max-height: 90vh; }
}
";

const SCRIPT: &str = "
(function () {
  var data = JSON.parse(document.getElementById('points').textContent);
  var control = document.getElementById('control');
  var slider = document.getElementById('point');
  control.hidden = false;
  function show(i) {
    var p = data.points[i];
    document.getElementById('point-label').textContent = p.label + (p.feasible ? '' : ' (fails a constraint)') + (i === data.chosen ? ' (chosen)' : '');
    document.getElementById('headline-title').textContent = 'Headline: ' + p.label;
    var warning = document.getElementById('warning');
    warning.textContent = p.warnings.join(' ');
    warning.hidden = p.warnings.length === 0;
    Object.keys(p.headline).forEach(function (k) {
      var el = document.getElementById('headline-' + k);
      if (el) { el.textContent = p.headline[k][0]; }
      var ci = document.getElementById('ci-' + k);
      if (ci) { ci.textContent = p.headline[k][1]; }
    });
    document.querySelectorAll('[data-flow]').forEach(function (el) {
      var v = p.flows[el.getAttribute('data-flow')];
      if (v !== undefined) { el.textContent = v; }
    });
    document.querySelectorAll('.marker').forEach(function (m) {
      var x = data.x[i];
      var left = data.map.pixels[0] + (x - data.map.data[0]) / (data.map.data[1] - data.map.data[0]) * (data.map.pixels[1] - data.map.pixels[0]);
      m.style.left = (100 * left / 1600) + '%';
      m.hidden = false;
    });
  }
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
  var m = /point=(\\d+)/.exec(window.location.hash);
  var start = m ? Math.min(parseInt(m[1], 10), data.points.length - 1) : parseInt(slider.value, 10);
  slider.value = start;
  show(start);
})();
";

fn headline_values(p: &PointReport) -> BTreeMap<&'static str, (String, String)> {
    HEADLINES
        .iter()
        .map(|(name, _)| {
            let s = stat(p, name);
            (*name, (fmt(name, s.mean), ci(name, &s)))
        })
        .collect()
}

/// The page.
pub fn index_html(input: &ReportInput, charts: &[Chart], layout: &Layout) -> String {
    let shown = input.chosen.unwrap_or(0);
    let point = &input.points[shown.min(input.points.len().saturating_sub(1))];
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
    // The sweep control.
    if input.kind == Kind::Sweep {
        let _ = writeln!(
            h,
            "<div id=\"control\" hidden><label for=\"point\">Point of the sweep ({}): <strong id=\"point-label\">{}</strong></label><input type=\"range\" id=\"point\" min=\"0\" max=\"{}\" value=\"{shown}\"></div>",
            escape(&input.params.join(", ")),
            escape(&point.label),
            input.points.len().saturating_sub(1)
        );
    }
    let _ = writeln!(
        h,
        "<h2 class=\"first\" id=\"headline-title\">Headline{}</h2>",
        if input.points.len() > 1 {
            format!(": {}", escape(&point.label))
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        h,
        "<p class=\"warning\" id=\"warning\"{}>{}</p>\n<div class=\"cards\">",
        if point.warnings.is_empty() {
            " hidden"
        } else {
            ""
        },
        escape(&point.warnings.join(" "))
    );
    for (name, sentence) in HEADLINES {
        let s = stat(point, name);
        let m = metric(name);
        let _ = writeln!(
            h,
            "<div class=\"card\"><div>{}</div><div class=\"value\" id=\"headline-{name}\">{}</div><div class=\"unit\">{}</div><div class=\"ci\" id=\"ci-{name}\">{}</div><p>{}</p></div>",
            escape(m.map_or(name, |m| m.label)),
            fmt(name, s.mean),
            escape(m.map_or("", |m| m.unit)),
            ci(name, &s),
            escape(sentence)
        );
    }
    h.push_str("</div>\n");
    // The live swimlane.
    let _ = writeln!(
        h,
        "<h2>The swimlane, with mean weekly volumes</h2>\n<figure class=\"swimlane\">{}<figcaption>Agent, human and system lanes; the gate with its thresholds, the nurture path, the review; external data providers outside the pool. Each flow shows its mean volume per week in the measured window.</figcaption></figure>",
        to_svg(layout, Some(&super::swimlane::volume_labels(point)))
    );
    h.push_str("<h2>Charts</h2>\n");
    for c in charts {
        let marker = if c.x_mapping.is_some() {
            "<div class=\"marker\" hidden></div>"
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<figure id=\"chart-{0}\"><div class=\"chart\">{1}{marker}</div><figcaption>{2} <span class=\"downloads\">(<a href=\"charts/{0}.png\">PNG</a>, <a href=\"charts/{0}.svg\">SVG</a>)</span></figcaption></figure>",
            escape(&c.name),
            strip_xml_declaration(&c.svg),
            escape(&c.title)
        );
    }
    // The full metric table.
    h.push_str("<h2>Every metric</h2>\n<table>\n<tr><th>metric</th><th>unit</th>");
    let columns: Vec<&PointReport> = if input.kind == Kind::Compare {
        input.points.iter().collect()
    } else {
        vec![point]
    };
    for p in &columns {
        let _ = write!(h, "<th>{} mean</th><th>95% CI</th>", escape(&p.label));
    }
    h.push_str("</tr>\n");
    let rows: Vec<_> = columns.iter().map(|p| metric_rows(p)).collect();
    for (s, (title, metrics)) in rows[0].iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr class=\"section\"><th colspan=\"{}\">{}</th></tr>",
            2 + 2 * columns.len(),
            escape(title)
        );
        for (k, (name, unit, _)) in metrics.iter().enumerate() {
            let _ = write!(h, "<tr><td>{name}</td><td>{}</td>", escape(unit));
            for r in &rows {
                let st = &r[s].1[k].2;
                let _ = write!(
                    h,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    fmt(name, st.mean),
                    ci(name, st).replace("95% CI ", "")
                );
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
        h.push_str(&sweep_data(input, charts));
        let _ = writeln!(h, "<script>{SCRIPT}</script>");
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn strip_xml_declaration(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

/// One point of the sweep control's JSON island (fields in the order the
/// island has always had: alphabetical).
#[derive(serde::Serialize)]
struct IslandPoint<'a> {
    feasible: bool,
    flows: BTreeMap<String, String>,
    headline: BTreeMap<&'static str, (String, String)>,
    label: &'a str,
    warnings: &'a [String],
}

/// Pixel x and data x of the trade-off chart's axis ends.
#[derive(serde::Serialize)]
struct IslandMap {
    data: [f64; 2],
    pixels: [f64; 2],
}

/// The JSON island the sweep control reads.
#[derive(serde::Serialize)]
struct Island<'a> {
    chosen: Option<usize>,
    map: IslandMap,
    points: Vec<IslandPoint<'a>>,
    x: Vec<f64>,
}

/// The JSON island the sweep control reads: per point its label, headline
/// values, flow volumes and x value; the chosen point; the marker mapping.
fn sweep_data(input: &ReportInput, charts: &[Chart]) -> String {
    let points = input
        .points
        .iter()
        .map(|p| IslandPoint {
            feasible: p.feasible,
            flows: super::swimlane::volume_labels(p),
            headline: headline_values(p),
            label: &p.label,
            warnings: &p.warnings,
        })
        .collect();
    // The slider's marker sits on the trade-off chart's x axis: the first
    // parameter that varies.
    let axis = crate::report::varying(input).first().copied().unwrap_or(0);
    let x: Vec<f64> = input
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.values
                .get(axis)
                .and_then(crate::experiment::ParamValue::number)
                .unwrap_or(i as f64)
        })
        .collect();
    let map = charts.iter().find_map(|c| c.x_mapping).map_or(
        IslandMap {
            data: [0.0, 1.0],
            pixels: [0.0, 1600.0],
        },
        |m| IslandMap {
            data: [m.data.0, m.data.1],
            pixels: [m.pixels.0, m.pixels.1],
        },
    );
    let doc = Island {
        chosen: input.chosen,
        map,
        points,
        x,
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

    /// The slider's marker follows the first parameter that varies, as the
    /// trade-off chart's x axis does, not a parameter held at one value.
    #[test]
    fn the_marker_follows_the_first_varying_parameter() {
        let (mut r, _) = run_input(Kind::Sweep, 3);
        r.params = vec!["review.order".into(), "gate.nurture_below".into()];
        for p in &mut r.points {
            let swept = p.values[0].clone();
            p.values = vec![ParamValue::parse("\"fifo\""), swept];
        }
        assert!(sweep_data(&r, &[]).contains("\"x\":[0.3,0.4,0.5]"));
    }

    #[test]
    fn the_page_is_self_contained_and_complete() {
        let (r, loaded) = run_input(Kind::Run, 1);
        let files = crate::report::files(&r, &loaded.scenario).unwrap();
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
        let files = crate::report::files(&r, &loaded.scenario).unwrap();
        let html = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
        let start = html.find("id=\"points\">").unwrap() + "id=\"points\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: serde_json::Value =
            serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
        assert_eq!(data["points"].as_array().unwrap().len(), 3);
        assert_eq!(data["chosen"], 1);
        assert!(data["points"][0]["flows"]["flow_gate_nurture"].is_string());
        assert!(html.contains("<input type=\"range\""));
        assert!(html.contains("id=\"chart-sweep_tradeoff\""));
        assert!(html.contains("class=\"marker\""));
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
