//! `salesim diagram`: BPMN 2.0 XML that parses, whose flows join existing
//! elements, with a DI shape for every node and an edge for every flow, the
//! gate's thresholds in its conditions; and the SVG of the same layout.

use std::collections::HashSet;

use crate::common::{base_file, salesim, scenarios_dir};

const BPMN: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const BPMNDI: &str = "http://www.omg.org/spec/BPMN/20100524/DI";

fn diagram(args: &[&str]) -> String {
    let out = salesim()
        .arg("diagram")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_shipped_scenario_gives_well_formed_connected_bpmn_with_di() {
    for file in salesim::library::scenario_files(&scenarios_dir()).unwrap() {
        let xml = diagram(&[file.to_str().unwrap(), "--format", "bpmn"]);
        let doc =
            roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        fn bpmn<'a, 'i>(
            doc: &'a roxmltree::Document<'i>,
            name: &'static str,
        ) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
            doc.descendants()
                .filter(move |n| n.has_tag_name((BPMN, name)))
        }
        let ids: HashSet<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("id"))
            .collect();
        let mut flows = 0;
        for kind in ["sequenceFlow", "messageFlow"] {
            for f in bpmn(&doc, kind) {
                flows += 1;
                for end in ["sourceRef", "targetRef"] {
                    let r = f.attribute(end).unwrap();
                    assert!(
                        ids.contains(r),
                        "{}: {end} {r} of {:?}",
                        file.display(),
                        f.attribute("id")
                    );
                }
            }
        }
        let shapes: HashSet<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((BPMNDI, "BPMNShape")))
            .filter_map(|n| n.attribute("bpmnElement"))
            .collect();
        let edges: HashSet<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name((BPMNDI, "BPMNEdge")))
            .filter_map(|n| n.attribute("bpmnElement"))
            .collect();
        let mut nodes = 0;
        for kind in [
            "startEvent",
            "endEvent",
            "task",
            "exclusiveGateway",
            "boundaryEvent",
            "participant",
            "lane",
        ] {
            for n in bpmn(&doc, kind) {
                nodes += 1;
                let id = n.attribute("id").unwrap();
                assert!(shapes.contains(id), "{}: no shape for {id}", file.display());
            }
        }
        for kind in ["sequenceFlow", "messageFlow"] {
            for f in bpmn(&doc, kind) {
                let id = f.attribute("id").unwrap();
                assert!(edges.contains(id), "{}: no edge for {id}", file.display());
            }
        }
        assert!(nodes > 20 && flows > 20, "{}", file.display());
        assert_eq!(
            bpmn(&doc, "participant").count(),
            2,
            "the pipeline and the providers"
        );
        let lanes: Vec<&str> = bpmn(&doc, "lane")
            .filter_map(|l| l.attribute("name"))
            .collect();
        assert_eq!(lanes, ["agent", "human", "system"]);
    }
}

fn conditions(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((BPMN, "conditionExpression")))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[test]
fn thresholds_and_variants_shape_the_diagram() {
    // The tests' base scenario: its gate is at 0.45, whatever the shipped
    // canonical one's becomes.
    let base = base_file();
    let base = base.to_str().unwrap();
    let soft = diagram(&[base, "--format", "bpmn"]);
    let c = conditions(&soft);
    assert!(c.contains(&"score < 0.45".to_string()), "{c:?}");
    assert!(c.contains(&"score >= 0.45".to_string()));
    assert!(!soft.contains("gw_autosend"));
    assert!(soft.contains("name=\"Review: approve, edit or discard\""));
    let sdr = diagram(&[
        base,
        "--set",
        "gate.autosend_at_or_above=0.85",
        "--format",
        "bpmn",
    ]);
    assert!(conditions(&sdr).contains(&"score >= 0.85".to_string()));
    let moved = diagram(&[base, "--set", "gate.nurture_below=0.3", "--format", "bpmn"]);
    assert!(conditions(&moved).contains(&"score < 0.3".to_string()));
    // The manual process: a rep's own draft is not reviewed.
    let manual = diagram(&[
        scenarios_dir()
            .join("manual-baseline.toml")
            .to_str()
            .unwrap(),
        "--format",
        "bpmn",
    ]);
    assert!(!manual.contains("task_review"));
    let doc = roxmltree::Document::parse(&manual).unwrap();
    let human = doc
        .descendants()
        .find(|n| n.has_tag_name((BPMN, "lane")) && n.attribute("name") == Some("human"))
        .unwrap();
    let refs: Vec<&str> = human.children().filter_map(|c| c.text()).collect();
    for stage in [
        "task_lookup",
        "task_enrichment",
        "task_scoring",
        "task_drafting",
    ] {
        assert!(
            refs.contains(&stage),
            "{stage} not in the human lane: {refs:?}"
        );
    }
}

#[test]
fn the_svg_draws_the_same_layout_and_bad_input_is_refused() {
    let base = base_file();
    let svg = diagram(&[base.to_str().unwrap(), "--format", "svg"]);
    assert!(svg.starts_with("<svg"));
    for label in [
        "agent lane",
        "human lane",
        "system lane",
        ">Nurture<",
        "score &lt; 0.45",
        "External data providers",
    ] {
        assert!(svg.contains(label), "{label}");
    }
    let layout = salesim::diagram::layout(&crate::common::scenario(&[]));
    for f in &layout.flows {
        assert!(svg.contains(&format!("id=\"{}\"", f.id)), "{}", f.id);
    }
    // Volumes are written on their flows for the report to update.
    let volumes: std::collections::BTreeMap<String, String> =
        [("flow_gate_nurture".to_string(), "480 /wk".to_string())].into();
    let with = salesim::diagram::svg::to_svg(&layout, Some(&volumes));
    assert!(with.contains("data-flow=\"flow_gate_nurture\">480 /wk<"));
    salesim()
        .args([
            "diagram",
            "--format",
            "bpmn",
            "--set",
            "gate.nurture_below=2",
        ])
        .assert()
        .code(2);
    salesim()
        .args(["diagram", "--format", "pdf"])
        .assert()
        .code(2);
}
