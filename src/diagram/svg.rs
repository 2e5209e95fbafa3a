//! The swimlane layout drawn as SVG: pools and lanes, tasks, gateways and
//! events, flows with arrowheads and labels; optionally a measured volume on
//! each flow (its `data-flow` attribute names the flow). The report's
//! PNG is this SVG rasterised, so the two always show the same marks.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::bpmn::escape;
use super::layout::{Kind, Label, Layout, BAND, LANE_FONT, VOLUME_FONT};

/// Okabe-Ito colours, safe for colour-blind readers.
const LANE_FILL: [&str; 3] = ["#e8f1f8", "#fdf1e0", "#eef7ef"];
const STROKE: &str = "#333333";
const ACCENT: &str = "#0072B2";

fn text_line(out: &mut String, x: f64, y: f64, size: f64, extra: &str, text: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"middle\"{extra}>{}</text>",
        escape(text)
    );
}

fn label(out: &mut String, l: &Label) {
    for (i, line) in l.lines.iter().enumerate() {
        if !line.is_empty() {
            text_line(out, l.cx, l.baseline(i), l.size, "", line);
        }
    }
}

/// The SVG drawing of `l`; `volumes` maps flow ids to a text (e.g. a mean
/// weekly volume) written on the flow's last label line.
pub fn to_svg(l: &Layout, volumes: Option<&BTreeMap<String, String>>) -> String {
    let (px, py, pw, ph) = l.pool;
    let (qx, qy, qw, qh) = l.providers;
    let (width, height) = l.size();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"salesim-sans, DejaVu Sans, sans-serif\" role=\"img\" aria-label=\"Swimlane of {}\">",
        escape(&l.name)
    );
    let _ = writeln!(
        out,
        "<title>Swimlane of {}</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"strokeWidth\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{STROKE}\"/></marker>\n<marker id=\"open\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"strokeWidth\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"white\" stroke=\"{STROKE}\"/></marker></defs>",
        escape(&l.name)
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"white\"/>"
    );
    // The pool, its lanes and the providers' pool.
    let _ = writeln!(out, "<rect x=\"{px}\" y=\"{py}\" width=\"{pw}\" height=\"{ph}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"2\"/>");
    let lane_h = ph / 3.0;
    for (i, lane) in l.lanes.iter().enumerate() {
        let y = py + lane_h * i as f64;
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{lane_h}\" fill=\"{}\" stroke=\"{STROKE}\"/>",
            px + BAND,
            pw - BAND,
            LANE_FILL[i]
        );
        let (cx, cy) = (px + BAND * 1.5 + LANE_FONT * 0.35, y + lane_h / 2.0);
        let _ = writeln!(
            out,
            "<text x=\"{cx}\" y=\"{cy}\" font-size=\"{LANE_FONT}\" font-weight=\"bold\" text-anchor=\"middle\" transform=\"rotate(-90 {cx} {cy})\">{lane} lane</text>"
        );
    }
    let (cx, cy) = (px + BAND / 2.0 + LANE_FONT * 0.35, py + ph / 2.0);
    let _ = writeln!(
        out,
        "<text x=\"{cx}\" y=\"{cy}\" font-size=\"{LANE_FONT}\" text-anchor=\"middle\" transform=\"rotate(-90 {cx} {cy})\">Outbound pipeline: {}</text>",
        escape(&l.name)
    );
    let _ = writeln!(out, "<rect x=\"{qx}\" y=\"{qy}\" width=\"{qw}\" height=\"{qh}\" fill=\"#f4f4f4\" stroke=\"{STROKE}\" stroke-width=\"2\"/>");
    text_line(
        &mut out,
        qx + qw / 2.0,
        qy + qh / 2.0 + LANE_FONT * 0.35,
        LANE_FONT,
        "",
        &l.providers_name,
    );
    // Flows under the shapes: sequence flows solid, message flows dashed.
    for (edges, extra) in [
        (&l.flows, "stroke-width=\"1.6\" marker-end=\"url(#arrow)\""),
        (
            &l.messages,
            "stroke-width=\"1.4\" stroke-dasharray=\"6 4\" marker-end=\"url(#open)\"",
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
    // Shapes, each with its name.
    for n in &l.nodes {
        let (cx, cy) = n.center();
        match n.kind {
            Kind::Task => {
                let _ = writeln!(out, "<rect id=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"1.6\"/>", escape(&n.id), n.x, n.y, n.w, n.h);
            }
            Kind::Gateway => {
                let _ = writeln!(out, "<polygon id=\"{}\" points=\"{cx},{} {},{cy} {cx},{} {},{cy}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"1.6\"/>", escape(&n.id), n.y, n.x + n.w, n.y + n.h, n.x);
                // The exclusive gateway's marker: an X in the diamond.
                let d = n.w * 0.17;
                let _ = writeln!(out, "<path d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"{STROKE}\" stroke-width=\"3\" stroke-linecap=\"round\"/>", cx - d, cy - d, cx + d, cy + d, cx - d, cy + d, cx + d, cy - d);
            }
            Kind::Start | Kind::End | Kind::Timer => {
                let stroke = if n.kind == Kind::End { 4.0 } else { 1.6 };
                let _ = writeln!(out, "<circle id=\"{}\" cx=\"{cx}\" cy=\"{cy}\" r=\"{}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"{stroke}\"/>", escape(&n.id), n.w / 2.0);
                if n.kind == Kind::Timer {
                    // A clock: inner ring and hands.
                    let r = n.w / 2.0 - 4.0;
                    let _ = writeln!(out, "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\" fill=\"white\" stroke=\"{STROKE}\" stroke-width=\"1.2\"/>\n<path d=\"M{cx},{cy} L{cx},{} M{cx},{cy} L{},{cy}\" stroke=\"{STROKE}\" stroke-width=\"1.4\"/>", cy - r + 2.0, cx + r - 3.0);
                }
            }
        }
        label(&mut out, &n.label);
    }
    // Flow labels and volumes, on top.
    for e in &l.flows {
        let Some(lab) = &e.label else { continue };
        label(&mut out, lab);
        if let Some(v) = volumes.and_then(|v| v.get(&e.id)) {
            let last = lab.lines.len().saturating_sub(1);
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{VOLUME_FONT}\" font-weight=\"bold\" fill=\"{ACCENT}\" text-anchor=\"middle\" data-flow=\"{}\">{}</text>",
                lab.cx,
                lab.baseline(last),
                escape(&e.id),
                escape(v)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
