//! One replication of each shipped scenario, and of the docs/MODEL.md section 9
//! example, on one thread: time, leads/s and events/s.
//! Run with `cargo bench --bench scenarios`.

mod common;

use std::path::{Path, PathBuf};

use salesim::replication::run as run_replication;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec =
        std::fs::read_to_string(root.join("docs/MODEL.md")).unwrap_or_else(|e| common::fail(e));
    let example = salesim::library::spec_example(&spec)
        .unwrap_or_else(|| common::fail("docs/MODEL.md has no section 9 TOML example"));
    let example = salesim::scenario::load_text(example, "model-section-9", root, &[])
        .unwrap_or_else(|e| common::fail(e))
        .scenario;
    let mut scenarios = vec![(PathBuf::from("model-section-9"), example)];
    scenarios.extend(common::shipped().into_iter().map(|p| {
        let sc = common::load(&p);
        (p, sc)
    }));
    for (path, sc) in scenarios {
        let started = std::time::Instant::now();
        let rep = run_replication(&sc, 0).unwrap_or_else(|e| common::fail(e));
        let repeats = common::repeats_for(started.elapsed().as_secs_f64(), 1.0);
        let (mean, fastest) = common::time(repeats, || run_replication(&sc, 0));
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let leads = common::leads(&rep);
        println!(
            "{name:<24} {:>9} leads {:>10} events: {}",
            leads,
            rep.events,
            common::rates(mean, fastest, leads, rep.events)
        );
    }
}
