//! What the benchmarks share: loading scenarios, timing, and the line each
//! prints (time, leads/s, events/s).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use salesim::metrics::Weekly;
use salesim::replication::ReplicationResult;
use salesim::scenario::{load_embedded, load_file, Scenario};

/// Prints the error and exits with status 1.
pub fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("error: {e}");
    std::process::exit(1);
}

/// The shipped scenario files, sorted by name.
pub fn shipped() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    salesim::library::scenario_files(&dir).unwrap_or_else(|e| fail(e))
}

/// The scenario in `path`.
pub fn load(path: &Path) -> Scenario {
    load_file(path, &[]).unwrap_or_else(|e| fail(e)).scenario
}

/// The embedded default (the canonical scenario, docs/MODEL.md section 9).
pub fn canonical() -> Scenario {
    load_embedded(&[]).unwrap_or_else(|e| fail(e)).scenario
}

/// Leads that arrived in a replication (warm-up included).
pub fn leads(rep: &ReplicationResult) -> u64 {
    rep.weekly.iter().map(|w| w.get(Weekly::LeadsArrived)).sum()
}

/// Times `f` over `repeats` calls after one untimed warm-up call; returns
/// (mean seconds, fastest seconds) per call.
pub fn time<T>(repeats: u32, mut f: impl FnMut() -> T) -> (f64, f64) {
    std::hint::black_box(f());
    let mut fastest = f64::INFINITY;
    let start = Instant::now();
    for _ in 0..repeats {
        let t = Instant::now();
        std::hint::black_box(f());
        fastest = fastest.min(t.elapsed().as_secs_f64());
    }
    (start.elapsed().as_secs_f64() / f64::from(repeats), fastest)
}

/// Repeats that take about `budget` seconds at `seconds` per call (1 to 50).
pub fn repeats_for(seconds: f64, budget: f64) -> u32 {
    (budget / seconds.max(1e-9)).clamp(1.0, 50.0) as u32
}

/// "12.3 ms (fastest 12.0 ms), 1234567 leads/s, 8901234 events/s".
pub fn rates(mean: f64, fastest: f64, leads: u64, events: u64) -> String {
    format!(
        "{} (fastest {}), {:.0} leads/s, {:.0} events/s",
        duration(mean),
        duration(fastest),
        leads as f64 / mean,
        events as f64 / mean
    )
}

/// Seconds as ms below 1 s, else s.
pub fn duration(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.2} ms", 1000.0 * seconds)
    } else {
        format!("{seconds:.3} s")
    }
}
