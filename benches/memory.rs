//! Peak memory of one replication: the canonical scenario at 10x volume
//! (6,000 leads a week) for 4 weeks, then for 104 weeks. Statistics stream,
//! so the peak should hardly grow with the horizon. Linux only (reads
//! VmHWM from /proc/self/status). Run with `cargo bench --bench memory`.

mod common;

use std::time::Instant;

use salesim::replication::run as run_replication;
use salesim::scenario::{load_embedded, Override};

/// The process's peak resident memory in KiB, from /proc/self/status.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(horizon: &str) -> (f64, u64, u64) {
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
    let sc = load_embedded(&overrides)
        .unwrap_or_else(|e| common::fail(e))
        .scenario;
    let start = Instant::now();
    let rep = run_replication(&sc, 0).unwrap_or_else(|e| common::fail(e));
    let leads = common::leads(&rep);
    (start.elapsed().as_secs_f64(), leads, rep.events)
}

/// Runs one horizon in this process and prints its peak, when started as a
/// child with `--horizon H`; otherwise starts one child per horizon, so that
/// each peak is measured in a fresh process (a high-water mark shared by two
/// runs in one process would mix them).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--horizon") {
        let horizon = &args[i + 1];
        let before = peak_kib().unwrap_or(0);
        let (secs, leads, events) = run(&format!("\"{horizon}\""));
        let peak = peak_kib().unwrap_or(0);
        println!("{horizon} {leads} {secs} {before} {peak} {events}");
        return;
    }
    let me = std::env::current_exe().expect("the bench knows its own path");
    let mut peaks = Vec::new();
    for horizon in ["4w", "26w", "104w"] {
        let out = std::process::Command::new(&me)
            .args(["--horizon", horizon])
            .output()
            .expect("the bench runs itself");
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = text.split_whitespace().collect();
        if f.len() < 6 {
            eprintln!("error: {text} {}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
        let number = |s: &str| s.parse::<f64>().unwrap_or(0.0);
        let secs = number(f[2]);
        println!(
            "{horizon} at 10x volume: {} leads in {secs:.2} s ({:.0} leads/s, {:.0} events/s), \
             peak {} KiB (process before the run: {} KiB)",
            f[1],
            number(f[1]) / secs,
            number(f[5]) / secs,
            f[4],
            f[3]
        );
        peaks.push(f[4].parse::<f64>().unwrap_or(0.0));
    }
    println!(
        "peak at 104 weeks / peak at 4 weeks: {:.3}x",
        peaks[2] / peaks[0].max(1.0)
    );
}
