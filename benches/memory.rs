//! Peak memory of one replication: the canonical scenario at 10x volume
//! (6,000 leads a week) for 4 weeks, then for 104 weeks. Statistics stream,
//! so the peak should hardly grow with the horizon. Linux only (reads
//! VmHWM from /proc/self/status). Run with `cargo bench --bench memory`.

use std::time::Instant;

use salesim::pipeline::run_replication;
use salesim::scenario::{load_embedded, Override};

/// The process's peak resident memory in KiB, from /proc/self/status.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(horizon: &str) -> (f64, u64) {
    let set = |path: &str, value: &str| Override {
        path: path.to_string(),
        value: value.to_string(),
    };
    let overrides = [
        set("arrivals.per_week", "6000"),
        set("reps.count", "100"),
        set("email.mailboxes", "100"),
        set("enrichment.providers.0.rate_limit_per_min", "600"),
        set("run.horizon", horizon),
        set("run.warmup", "\"1w\""),
    ];
    let sc = match load_embedded(&overrides) {
        Ok(l) => l.scenario,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let rep = match run_replication(&sc, 0) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let leads = rep
        .weekly
        .iter()
        .map(|w| w.get(salesim::metrics::Weekly::LeadsArrived))
        .sum();
    (start.elapsed().as_secs_f64(), leads)
}

fn main() {
    let before = peak_kib().unwrap_or(0);
    let (short_s, short_leads) = run("\"4w\"");
    let short_peak = peak_kib().unwrap_or(0);
    let (long_s, long_leads) = run("\"104w\"");
    let long_peak = peak_kib().unwrap_or(0);
    println!("process before runs: {before} KiB peak");
    println!("4 weeks at 10x volume: {short_leads} leads in {short_s:.2} s, peak {short_peak} KiB");
    println!("104 weeks at 10x volume: {long_leads} leads in {long_s:.2} s, peak {long_peak} KiB");
    println!(
        "peak growth from 4 to 104 weeks: {} KiB ({:.2}x)",
        long_peak.saturating_sub(short_peak),
        long_peak as f64 / short_peak.max(1) as f64
    );
}
