//! A 21-point threshold sweep of the canonical scenario, 20 replications a
//! point (420 jobs), on 1 thread and on all cores: wall time, jobs/s,
//! leads/s and events/s. Run with `cargo bench --bench sweep`.

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use salesim::experiment::grid::{parse_axis, points};
use salesim::experiment::{Made, Plan, Point};
use salesim::scenario::{load_embedded, Override};

fn plan() -> Plan {
    let axis = parse_axis("gate.nurture_below=0.2:0.8:0.03").expect("a valid axis");
    let path = axis.path.clone();
    let points = points(&[axis])
        .expect("a small grid")
        .into_iter()
        .map(|values| {
            let overrides: Vec<Override> = values
                .iter()
                .map(|value| Override {
                    path: path.clone(),
                    value: value.override_text().to_string(),
                })
                .collect();
            let loaded = load_embedded(&overrides).expect("a valid point");
            Point {
                values,
                scenario: loaded.scenario,
                resolved_toml: loaded.resolved_toml,
                made: Made::Base(overrides),
                data: loaded.data,
            }
        })
        .collect();
    Plan::new(vec![path], points).expect("points share seed and replications")
}

fn main() {
    let plan = plan();
    let jobs = plan.pending(None, &BTreeMap::new());
    println!(
        "canonical threshold sweep: {} points x {} replications = {} jobs",
        plan.points.len(),
        plan.replications,
        jobs.len()
    );
    let mut single = None;
    for threads in [1, 0] {
        let start = Instant::now();
        let results = plan
            .run(&jobs, threads, &|_, _| Ok(()), None)
            .expect("the sweep runs");
        let elapsed = start.elapsed().as_secs_f64();
        let leads: u64 = results.values().map(common::leads).sum();
        let events: u64 = results.values().map(|r| r.events).sum();
        let label = if threads == 1 {
            "1 thread".to_string()
        } else {
            "all cores".to_string()
        };
        let speedup = single.map_or(String::new(), |s: f64| {
            format!(", {:.2}x one thread", s / elapsed)
        });
        println!(
            "{label}: {elapsed:.2} s, {:.0} jobs/s, {:.0} leads/s, {:.0} events/s{speedup}",
            jobs.len() as f64 / elapsed,
            leads as f64 / elapsed,
            events as f64 / elapsed
        );
        single.get_or_insert(elapsed);
    }
}
