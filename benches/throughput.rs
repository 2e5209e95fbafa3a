//! Throughput of the canonical scenario: simulated leads and events per
//! second for one replication on one thread, and for all replications on all
//! cores. Run with `cargo bench --bench throughput`.

mod common;

use std::time::Instant;

use salesim::experiment;
use salesim::replication::run as run_replication;

/// Replications timed one after another on one thread.
const SINGLE_THREAD_REPLICATIONS: u32 = 20;

fn main() {
    let sc = common::canonical();
    // Warm up caches and the allocator.
    let _ = run_replication(&sc, 0);

    let mut leads = 0u64;
    let mut events = 0u64;
    let mut fastest = f64::INFINITY;
    let start = Instant::now();
    for r in 0..SINGLE_THREAD_REPLICATIONS {
        let t = Instant::now();
        let rep = run_replication(&sc, r).unwrap_or_else(|e| common::fail(e));
        fastest = fastest.min(t.elapsed().as_secs_f64());
        leads += common::leads(&rep);
        events += rep.events;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let per_rep_ms = 1000.0 * elapsed / f64::from(SINGLE_THREAD_REPLICATIONS);
    println!(
        "canonical, one thread: {per_rep_ms:.1} ms per replication (fastest {:.1} ms), \
         {:.0} leads/s, {:.0} events/s, {} leads and {} events per replication",
        1000.0 * fastest,
        leads as f64 / elapsed,
        events as f64 / elapsed,
        leads / u64::from(SINGLE_THREAD_REPLICATIONS),
        events / u64::from(SINGLE_THREAD_REPLICATIONS),
    );

    let start = Instant::now();
    let result = experiment::run(&sc, 0, &|| {}).unwrap_or_else(|e| common::fail(e));
    let elapsed = start.elapsed().as_secs_f64();
    let all_leads: u64 = result.replications.iter().map(common::leads).sum();
    let all_events: u64 = result.replications.iter().map(|r| r.events).sum();
    println!(
        "canonical, {} replications on all cores: {:.2} s, {:.0} leads/s, {:.0} events/s",
        result.replications.len(),
        elapsed,
        all_leads as f64 / elapsed,
        all_events as f64 / elapsed
    );

    // Thread scaling of a batch of replications: the same 40 on 1 and on 2
    // threads (results identical; only the time differs).
    let mut batch = sc.clone();
    batch.run.replications = 40;
    let mut times = Vec::new();
    let mut totals = (0u64, 0u64);
    for threads in [1, 2] {
        let start = Instant::now();
        let result = experiment::run(&batch, threads, &|| {}).unwrap_or_else(|e| common::fail(e));
        times.push(start.elapsed().as_secs_f64());
        totals = (
            result.replications.iter().map(common::leads).sum(),
            result.replications.iter().map(|r| r.events).sum(),
        );
    }
    println!(
        "canonical, 40 replications: {:.3} s on 1 thread, {:.3} s on 2 threads: {:.2}x \
         ({:.0} leads/s and {:.0} events/s on 2 threads)",
        times[0],
        times[1],
        times[0] / times[1],
        totals.0 as f64 / times[1],
        totals.1 as f64 / times[1]
    );
}
