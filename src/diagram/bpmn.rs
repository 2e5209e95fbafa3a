//! BPMN 2.0 XML of a layout: a collaboration of the pipeline (a process
//! with lanes agent, human and system) and the external data providers (a
//! black-box pool joined by message flows), exclusive gateways whose
//! outgoing flows carry their conditions, and BPMN DI for every shape and
//! edge. Written by hand, every text escaped.

use std::fmt::Write;

use super::layout::{Edge, Kind, Layout, Node, PROVIDERS_POOL};

/// Escapes text for an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A duration in ISO 8601 (`P3D`, `PT90S`) from its text (`3d`, `90s`...).
fn iso_duration(text: &str) -> String {
    match crate::units::parse_duration(text) {
        Ok(s) if s % 86_400.0 == 0.0 => format!("P{}D", s / 86_400.0),
        Ok(s) => format!("PT{s}S"),
        Err(_) => "PT0S".into(),
    }
}

fn element(kind: Kind) -> &'static str {
    match kind {
        Kind::Start => "startEvent",
        Kind::End => "endEvent",
        Kind::Task => "task",
        Kind::Gateway => "exclusiveGateway",
        Kind::Timer => "boundaryEvent",
    }
}

fn node_xml(out: &mut String, n: &Node, flows: &[Edge]) {
    let tag = element(n.kind);
    let attached = match &n.attached {
        Some((task, _)) => format!(
            " attachedToRef=\"{}\" cancelActivity=\"true\"",
            escape(task)
        ),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "    <bpmn:{tag} id=\"{}\" name=\"{}\"{attached}>",
        escape(&n.id),
        escape(&n.name)
    );
    for f in flows.iter().filter(|f| f.target == n.id) {
        let _ = writeln!(
            out,
            "      <bpmn:incoming>{}</bpmn:incoming>",
            escape(&f.id)
        );
    }
    for f in flows.iter().filter(|f| f.source == n.id) {
        let _ = writeln!(
            out,
            "      <bpmn:outgoing>{}</bpmn:outgoing>",
            escape(&f.id)
        );
    }
    if let Some((_, duration)) = &n.attached {
        let _ = writeln!(
            out,
            "      <bpmn:timerEventDefinition id=\"{0}_definition\">\n        <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">{1}</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>",
            escape(&n.id),
            iso_duration(duration)
        );
    }
    let _ = writeln!(out, "    </bpmn:{tag}>");
}

fn waypoints(out: &mut String, e: &Edge) {
    for (x, y) in &e.waypoints {
        let _ = writeln!(out, "        <di:waypoint x=\"{x}\" y=\"{y}\" />");
    }
}

fn bounds(x: f64, y: f64, w: f64, h: f64) -> String {
    format!("<dc:Bounds x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" />")
}

/// The BPMN 2.0 XML of `l`.
pub fn to_bpmn(l: &Layout) -> String {
    let mut out = String::new();
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions \
xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" \
xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" \
xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" \
xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
id=\"definitions\" targetNamespace=\"urn:salesim:swimlane\" exporter=\"salesim\" \
exporterVersion=\"",
    );
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("\">\n  <bpmn:collaboration id=\"collaboration\">\n");
    let _ = writeln!(
        out,
        "    <bpmn:participant id=\"participant_pipeline\" name=\"Outbound pipeline: {}\" processRef=\"process_pipeline\" />",
        escape(&l.name)
    );
    let _ = writeln!(
        out,
        "    <bpmn:participant id=\"{PROVIDERS_POOL}\" name=\"{}\" />",
        escape(&l.providers_name)
    );
    for m in &l.messages {
        let _ = writeln!(
            out,
            "    <bpmn:messageFlow id=\"{}\" name=\"{}\" sourceRef=\"{}\" targetRef=\"{}\" />",
            escape(&m.id),
            escape(&m.name),
            escape(&m.source),
            escape(&m.target)
        );
    }
    out.push_str("  </bpmn:collaboration>\n");
    out.push_str("  <bpmn:process id=\"process_pipeline\" isExecutable=\"false\">\n");
    out.push_str("    <bpmn:laneSet id=\"lanes\">\n");
    for (i, lane) in l.lanes.iter().enumerate() {
        let _ = writeln!(out, "      <bpmn:lane id=\"lane_{lane}\" name=\"{lane}\">");
        for n in l.nodes.iter().filter(|n| n.lane == i) {
            let _ = writeln!(
                out,
                "        <bpmn:flowNodeRef>{}</bpmn:flowNodeRef>",
                escape(&n.id)
            );
        }
        out.push_str("      </bpmn:lane>\n");
    }
    out.push_str("    </bpmn:laneSet>\n");
    for n in &l.nodes {
        node_xml(&mut out, n, &l.flows);
    }
    for f in &l.flows {
        // A flow leaving a gateway is named by its condition when the
        // drawing leaves its name out.
        let name = match (f.name.is_empty(), &f.condition) {
            (false, _) => format!(" name=\"{}\"", escape(&f.name)),
            (true, Some(c)) => format!(" name=\"{}\"", escape(c)),
            (true, None) => String::new(),
        };
        let _ = write!(
            out,
            "    <bpmn:sequenceFlow id=\"{}\"{name} sourceRef=\"{}\" targetRef=\"{}\"",
            escape(&f.id),
            escape(&f.source),
            escape(&f.target)
        );
        match &f.condition {
            Some(c) => {
                let _ = writeln!(
                    out,
                    ">\n      <bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">{}</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>",
                    escape(c)
                );
            }
            None => out.push_str(" />\n"),
        }
    }
    out.push_str("  </bpmn:process>\n");
    out.push_str("  <bpmndi:BPMNDiagram id=\"diagram\">\n    <bpmndi:BPMNPlane id=\"plane\" bpmnElement=\"collaboration\">\n");
    let (px, py, pw, ph) = l.pool;
    let _ = writeln!(
        out,
        "      <bpmndi:BPMNShape id=\"participant_pipeline_di\" bpmnElement=\"participant_pipeline\" isHorizontal=\"true\">\n        {}\n      </bpmndi:BPMNShape>",
        bounds(px, py, pw, ph)
    );
    let lane_h = ph / l.lanes.len() as f64;
    for (i, lane) in l.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <bpmndi:BPMNShape id=\"lane_{lane}_di\" bpmnElement=\"lane_{lane}\" isHorizontal=\"true\">\n        {}\n      </bpmndi:BPMNShape>",
            bounds(px + 30.0, py + lane_h * i as f64, pw - 30.0, lane_h)
        );
    }
    let (qx, qy, qw, qh) = l.providers;
    let _ = writeln!(
        out,
        "      <bpmndi:BPMNShape id=\"{PROVIDERS_POOL}_di\" bpmnElement=\"{PROVIDERS_POOL}\" isHorizontal=\"true\">\n        {}\n      </bpmndi:BPMNShape>",
        bounds(qx, qy, qw, qh)
    );
    for n in &l.nodes {
        let marker = if n.kind == Kind::Gateway {
            " isMarkerVisible=\"true\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "      <bpmndi:BPMNShape id=\"{0}_di\" bpmnElement=\"{0}\"{marker}>\n        {1}\n      </bpmndi:BPMNShape>",
            escape(&n.id),
            bounds(n.x, n.y, n.w, n.h)
        );
    }
    for e in l.flows.iter().chain(&l.messages) {
        let _ = writeln!(
            out,
            "      <bpmndi:BPMNEdge id=\"{0}_di\" bpmnElement=\"{0}\">",
            escape(&e.id)
        );
        waypoints(&mut out, e);
        out.push_str("      </bpmndi:BPMNEdge>\n");
    }
    out.push_str("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n");
    out
}
