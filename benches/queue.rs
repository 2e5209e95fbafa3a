//! The event queue alone: the classic hold model (pop the earliest event,
//! schedule one in its place) at several queue sizes, through the heap
//! (exponential delays, so events arrive out of order) and through a lane
//! (a constant delay, so they arrive in order). Records are the size of the
//! model's events. Prints events/s, and the leads/s that rate would carry at
//! the canonical scenario's events per lead.
//! Run with `cargo bench --bench queue`.

mod common;

use rand::Rng;
use salesim::engine::{Engine, Lane};
use salesim::pipeline::EVENT_BYTES;
use salesim::replication::run as run_replication;
use salesim::rng::{Purpose, ReplicationKey};

/// The queue's record: the model's event size and alignment.
type Record = [u64; EVENT_BYTES.div_ceil(8)];

/// Operations (one pop and one schedule each) timed per queue size.
const HOLDS: u64 = 2_000_000;

/// Holds `HOLDS` times with `pending` events queued; returns the last time.
fn hold(pending: u64, in_lane: bool) -> f64 {
    let mut rng = ReplicationKey::new(1, 0)
        .key(pending)
        .stream(Purpose::Durations);
    let mut engine: Engine<Record> = Engine::new();
    let lane = Lane(1);
    let delay = |rng: &mut salesim::rng::Stream| {
        if in_lane {
            pending as f64
        } else {
            -(1.0 - rng.random::<f64>()).ln() * pending as f64
        }
    };
    for k in 0..pending {
        let t = delay(&mut rng) * (k + 1) as f64 / pending as f64;
        engine.schedule_at_in(lane, t, [k; EVENT_BYTES.div_ceil(8)]);
    }
    let mut last = 0.0;
    for _ in 0..HOLDS {
        let Ok(Some((t, record))) = engine.next_before(f64::INFINITY) else {
            common::fail("the queue ran dry");
        };
        last = t;
        let at = t + delay(&mut rng);
        if in_lane {
            engine.schedule_at_in(lane, at, record);
        } else {
            engine.schedule_at(at, record);
        }
    }
    last
}

fn main() {
    let canonical = common::canonical();
    let rep = run_replication(&canonical, 0).unwrap_or_else(|e| common::fail(e));
    let per_lead = rep.events as f64 / common::leads(&rep) as f64;
    println!(
        "event records of {EVENT_BYTES} bytes; {HOLDS} holds (a pop and a schedule) per line; \
         leads/s at the canonical scenario's {per_lead:.2} events per lead"
    );
    for in_lane in [false, true] {
        for pending in [100, 1_000, 10_000, 100_000] {
            let (mean, fastest) = common::time(3, || hold(pending, in_lane));
            let events = HOLDS as f64 / mean;
            println!(
                "{:<5} {:>7} pending: {:>6.1} ns per hold (fastest {:.1}), {:>11.0} events/s, {:>10.0} leads/s",
                if in_lane { "lane" } else { "heap" },
                pending,
                1e9 * mean / HOLDS as f64,
                1e9 * fastest / HOLDS as f64,
                events,
                events / per_lead
            );
        }
    }
}
