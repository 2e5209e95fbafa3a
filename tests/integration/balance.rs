//! The live swimlane's volumes balance at every node of its layout, for
//! every shipped scenario and a sweep's points: what comes into a gateway
//! goes out of it; what comes into a task goes out of it or is still there
//! at the horizon, so the task's excess lies between zero and the leads in
//! progress at the end, and the excesses of all tasks add up to them.

use std::collections::BTreeMap;

use salesim::diagram::{self, Kind, Layout};
use salesim::metrics::metric_index;
use salesim::scenario::{load_file, Override, Scenario};
use salesim::units::WEEK;

use crate::common::{run, scenarios_dir};

/// Rounding slack on sums of means (leads per week): the volumes are
/// sums and differences of a few means of counts of about 10^4.
const ROUNDING: f64 = 1e-6;

/// In minus out at every node that has flows (a timer's flows count as its
/// task's), in layout order.
fn residuals(layout: &Layout, flows: &BTreeMap<String, f64>) -> Vec<(String, Kind, f64)> {
    let owner = |id: &str| -> String {
        layout
            .nodes
            .iter()
            .find(|n| n.id == id)
            .and_then(|n| n.attached.as_ref().map(|(task, _)| task.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for f in &layout.flows {
        let v = *flows
            .get(&f.id)
            .unwrap_or_else(|| panic!("{} has no volume", f.id));
        sums.entry(owner(&f.target)).or_default().0 += v;
        sums.entry(owner(&f.source)).or_default().1 += v;
    }
    layout
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, Kind::Task | Kind::Gateway))
        .map(|n| {
            let (i, o) = sums.get(&n.id).copied().unwrap_or_default();
            (n.id.clone(), n.kind, i - o)
        })
        .collect()
}

fn check(sc: &Scenario, what: &str) {
    let result = run(sc);
    let point = salesim::report::point(what.to_string(), Vec::new(), sc, &result, true);
    let weeks = (sc.run.horizon - sc.run.warmup) / WEEK;
    // The work in progress at the horizon: leads arriving in W not yet in a
    // final state (docs/MODEL.md section 3), per week like the volumes.
    let in_progress = point.metrics[metric_index("leads_in_progress_end").unwrap()]
        .mean
        .unwrap()
        / weeks;
    let layout = diagram::layout(sc);
    let mut total = 0.0;
    for (id, kind, r) in residuals(&layout, &point.flows) {
        match kind {
            Kind::Gateway => assert!(
                r.abs() <= ROUNDING,
                "{what}: {id} takes in {r:+.4} /wk more than it sends out"
            ),
            _ => assert!(
                (-ROUNDING..=in_progress + ROUNDING).contains(&r),
                "{what}: {id} keeps {r:.4} /wk, outside 0..{in_progress:.4} (leads in progress)"
            ),
        }
        total += r;
    }
    assert!(
        (total - in_progress).abs() <= ROUNDING,
        "{what}: the tasks keep {total:.4} /wk but {in_progress:.4} /wk are in progress"
    );
    // Every flow drawn has a label the report writes.
    let labels = salesim::report::swimlane::volume_labels(&point);
    for f in &layout.flows {
        assert!(labels.contains_key(&f.id), "{what}: {}", f.id);
    }
}

fn set(path: &str, value: &str) -> Override {
    Override {
        path: path.into(),
        value: value.into(),
    }
}

#[test]
fn swimlane_volumes_balance_at_every_node_of_every_shipped_scenario_and_sweep_point() {
    let few = set("run.replications", "3");
    let files = salesim::library::scenario_files(&scenarios_dir()).unwrap();
    assert!(files.len() >= 5);
    for file in &files {
        let sc = load_file(file, std::slice::from_ref(&few))
            .unwrap()
            .scenario;
        check(&sc, &file.display().to_string());
    }
    let canonical = scenarios_dir().join("canonical.toml");
    for point in [
        vec![set("gate.nurture_below", "0.3")],
        vec![set("gate.nurture_below", "0.6")],
        vec![set("gate.autosend_at_or_above", "0.8")],
        vec![
            set("gate.autosend_at_or_above", "0.8"),
            set("review.on_expire", "\"drop\""),
            set("reps.count", "2"),
        ],
    ] {
        let mut overrides = point.clone();
        overrides.push(few.clone());
        let sc = load_file(&canonical, &overrides).unwrap().scenario;
        check(&sc, &format!("canonical with {point:?}"));
    }
}
