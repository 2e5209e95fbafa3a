//! The swimlane layout drawn as SVG: pools and lanes, tasks, gateways and
//! events, flows with arrowheads and labels; optionally a measured volume on
//! each flow (`data-flow` attributes let a page update them).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::bpmn::escape;
use super::layout::{Edge, Kind, Layout};

/// Okabe-Ito colours, safe for colour-blind readers.
const LANE_FILL: [&str; 3] = ["#e8f1f8", "#fdf1e0", "#eef7ef"];
const STROKE: &str = "#333333";
const ACCENT: &str = "#0072B2";

/// Splits a label into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn text_block(out: &mut String, x: f64, y: f64, lines: &[String], size: f64, anchor: &str) {
    let top = y - (lines.len() as f64 - 1.0) * size * 0.6;
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" dominant-baseline=\"middle\">{}</text>",
            top + i as f64 * size * 1.2,
            escape(line)
        );
    }
}

/// The midpoint of an edge's longest segment, where its label goes.
fn label_point(e: &Edge) -> (f64, f64) {
    let mut best = (0.0, e.waypoints[0]);
    for w in e.waypoints.windows(2) {
        let len = (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs();
        if len > best.0 {
            best = (len, ((w[0].0 + w[1].0) / 2.0, (w[0].1 + w[1].1) / 2.0));
        }
    }
    best.1
}

/// The SVG drawing of `l`; `volumes` maps flow ids to a text (e.g. a mean
/// weekly volume) written on the flow.
pub fn to_svg(l: &Layout, volumes: Option<&BTreeMap<String, String>>) -> String {
    let (px, py, pw, ph) = l.pool;
    let (qx, qy, qw, qh) = l.providers;
    let width = px + pw + 20.0;
    let height = qy + qh + 20.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" role=\"img\" aria-label=\"Swimlane of {}\">",
        escape(&l.name)
    );
    let _ = writeln!(
        out,
        "<title>Swimlane of {}</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{STROKE}\"/></marker>\n<marker id=\"open\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"white\" stroke=\"{STROKE}\"/></marker></defs>",
        escape(&l.name)
    );
    // The pool, its lanes and the providers' pool.
    let _ = writeln!(out, "<rect x=\"{px}\" y=\"{py}\" width=\"{pw}\" height=\"{ph}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"2\"/>");
    let lane_h = ph / 3.0;
    for (i, lane) in l.lanes.iter().enumerate() {
        let y = py + lane_h * i as f64;
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{lane_h}\" fill=\"{}\" stroke=\"{STROKE}\"/>",
            px + 30.0,
            pw - 30.0,
            LANE_FILL[i]
        );
        let (cx, cy) = (px + 45.0, y + lane_h / 2.0);
        let _ = writeln!(
            out,
            "<text x=\"{cx}\" y=\"{cy}\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\" transform=\"rotate(-90 {cx} {cy})\">{lane} lane</text>"
        );
    }
    let (cx, cy) = (px + 15.0, py + ph / 2.0);
    let _ = writeln!(
        out,
        "<text x=\"{cx}\" y=\"{cy}\" font-size=\"16\" text-anchor=\"middle\" transform=\"rotate(-90 {cx} {cy})\">Outbound pipeline: {}</text>",
        escape(&l.name)
    );
    let _ = writeln!(out, "<rect x=\"{qx}\" y=\"{qy}\" width=\"{qw}\" height=\"{qh}\" fill=\"#f4f4f4\" stroke=\"{STROKE}\" stroke-width=\"2\"/>");
    text_block(
        &mut out,
        qx + qw / 2.0,
        qy + qh / 2.0,
        std::slice::from_ref(&l.providers_name),
        16.0,
        "middle",
    );
    // Flows under the shapes: sequence flows solid, message flows dashed.
    for (edges, extra) in [
        (&l.flows, "stroke-width=\"1.5\" marker-end=\"url(#arrow)\""),
        (
            &l.messages,
            "stroke-dasharray=\"6 4\" marker-end=\"url(#open)\"",
        ),
    ] {
        for e in edges {
            let points: Vec<String> = e
                .waypoints
                .iter()
                .map(|(x, y)| format!("{x},{y}"))
                .collect();
            let _ = writeln!(
                out,
                "<polyline id=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{STROKE}\" {extra}/>",
                escape(&e.id),
                points.join(" ")
            );
        }
    }
    // Shapes.
    for n in &l.nodes {
        let (cx, cy) = (n.x + n.w / 2.0, n.y + n.h / 2.0);
        match n.kind {
            Kind::Task => {
                let _ = writeln!(out, "<rect id=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"1.5\"/>", escape(&n.id), n.x, n.y, n.w, n.h);
                text_block(&mut out, cx, cy, &wrap(&n.name, 14), 13.0, "middle");
            }
            Kind::Gateway => {
                let _ = writeln!(out, "<polygon id=\"{}\" points=\"{cx},{} {},{cy} {cx},{} {},{cy}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"1.5\"/>", escape(&n.id), n.y, n.x + n.w, n.y + n.h, n.x);
                let _ = writeln!(out, "<text x=\"{cx}\" y=\"{cy}\" font-size=\"20\" text-anchor=\"middle\" dominant-baseline=\"middle\">×</text>");
                text_block(&mut out, cx, n.y - 16.0, &wrap(&n.name, 18), 12.0, "middle");
            }
            Kind::Start | Kind::End | Kind::Timer => {
                let stroke = if n.kind == Kind::End { 4.0 } else { 1.5 };
                let dash = if n.kind == Kind::Timer {
                    " stroke-dasharray=\"3 2\""
                } else {
                    ""
                };
                let _ = writeln!(out, "<circle id=\"{}\" cx=\"{cx}\" cy=\"{cy}\" r=\"{}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"{stroke}\"{dash}/>", escape(&n.id), n.w / 2.0);
                text_block(
                    &mut out,
                    cx,
                    n.y + n.h + 14.0,
                    &wrap(&n.name, 18),
                    12.0,
                    "middle",
                );
            }
        }
    }
    // Flow labels and volumes, on top.
    for e in &l.flows {
        let (x, y) = label_point(e);
        if !e.name.is_empty() {
            text_block(&mut out, x, y - 10.0, &wrap(&e.name, 24), 11.0, "middle");
        }
        if let Some(v) = volumes.and_then(|v| v.get(&e.id)) {
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" fill=\"{ACCENT}\" text-anchor=\"middle\" data-flow=\"{}\">{}</text>",
                y + 14.0,
                escape(&e.id),
                escape(v)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
