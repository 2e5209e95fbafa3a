//! The joint reply fit's calibration on salesim's own event logs
//! (VALIDATION.md, docs/MODEL.md section 12, run by
//! `scripts/fit-calibration.sh`): many replications of the recovery tests'
//! scenario with three follow-ups (reply rate 0.08 at every score, factor
//! 0.5, a lognormal reply delay with median 1 d), each log fitted as
//! `salesim fit` fits it; prints how often the 95% intervals of the first
//! email's reply rate and of the follow-ups' factor hold the generating
//! values, both pooled, and each key's exact binomial 99% interval of its
//! coverage.
//!
//! ```text
//! cargo run --release --example log_coverage -- [LOGS]
//! ```
//!
//! `LOGS`: 400 (replications 0 to LOGS - 1, about 0.5 s each). Exits 1
//! when the pooled coverage is under 95% or a key's 99% interval misses
//! 95%.

use salesim::fit::estimate::{self, Estimate};
use salesim::fit::map::{ColumnNames, Map};
use salesim::fit::stats::Rate;
use salesim::fit::{read_logs, Request};
use salesim::scenario::load_embedded;
use statrs::distribution::{Beta, ContinuousCDF};

// The recovery tests' scenario (`SOURCE`, `FOLLOW_UPS`, `source`) and
// `write_log`, shared with tests/integration/fit.rs.
include!("../tests/fixtures/fit_recovery.rs");

/// The exact (Clopper-Pearson) 99% interval of `k` of `n`.
fn clopper_pearson_99(k: u64, n: u64) -> (f64, f64) {
    let (k, n) = (k as f64, n as f64);
    let low = if k == 0.0 {
        0.0
    } else {
        Beta::new(k, n - k + 1.0).expect("valid").inverse_cdf(0.005)
    };
    let high = if k == n {
        1.0
    } else {
        Beta::new(k + 1.0, n - k).expect("valid").inverse_cdf(0.995)
    };
    (low, high)
}

fn main() {
    let logs: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let sc = source(&[&SOURCE[..], &FOLLOW_UPS[..]].concat());
    let base = load_embedded(&[]).expect("the canonical scenario loads");
    let dir = tempfile::tempdir().expect("a temporary folder");
    // The sums of the estimates and of the log of the delay's median.
    let (mut rate_sum, mut factor_sum, mut log_median_sum) = (0.0, 0.0, 0.0);
    // (name, truth, covered, misses with the estimate low, high).
    let mut keys = [
        ("email.reply_rate (at score 0)", 0.08, 0u64, 0u64, 0u64),
        ("email.follow_up_reply_factor", 0.5, 0, 0, 0),
    ];
    for r in 0..logs {
        let path = write_log(&sc, r, dir.path(), &format!("log-{r}.parquet"));
        let request = Request {
            logs: vec![path.clone()],
            map: None,
            extends: None,
            columns: ColumnNames::default(),
            seed: 7,
        };
        let log = read_logs(&request, &Map::salesim()).expect("the log reads");
        let fit = estimate::fit(&log, &base.scenario);
        let estimate = |name: &str| {
            fit.keys
                .iter()
                .find(|k| k.key == name)
                .and_then(|k| k.estimate.clone())
        };
        let (Some(Estimate::Linear { linear }), Some(Estimate::Rate { rate: factor })) = (
            estimate("email.reply_rate"),
            estimate("email.follow_up_reply_factor"),
        ) else {
            panic!("log {r}: the reply model was not fitted jointly");
        };
        let Some(Estimate::Duration { fit: delay, .. }) = estimate("email.reply_delay") else {
            panic!("log {r}: no reply delay fitted");
        };
        rate_sum += linear.at_0.value;
        factor_sum += factor.value;
        log_median_sum += (delay.candidates[0].median() / 86_400.0).ln();
        let rates: [Rate; 2] = [linear.at_0, factor];
        for (key, rate) in keys.iter_mut().zip(rates) {
            if rate.low <= key.1 && key.1 <= rate.high {
                key.2 += 1;
            } else if rate.high < key.1 {
                key.3 += 1;
            } else {
                key.4 += 1;
            }
        }
        std::fs::remove_file(&path).expect("the log removed");
    }
    let n = u64::from(logs);
    let mut ok = true;
    println!("{logs} simulated logs");
    for (name, truth, covered, low, high) in keys {
        let (lo, hi) = clopper_pearson_99(covered, n);
        let consistent = lo <= 0.95 && 0.95 <= hi;
        ok &= consistent;
        println!(
            "{name} {truth}: covered {covered}/{n} = {:.2}% (99% interval {:.1}%-{:.1}%{}); misses with the estimate low {low}, high {high}",
            100.0 * covered as f64 / n as f64,
            100.0 * lo,
            100.0 * hi,
            if consistent { "" } else { ": NOT consistent with 95%" }
        );
    }
    println!(
        "means: reply rate {:.4}, factor {:.4}; geometric mean of the delay's fitted median {:.4} d",
        rate_sum / n as f64,
        factor_sum / n as f64,
        (log_median_sum / n as f64).exp()
    );
    let pooled: u64 = keys.iter().map(|k| k.2).sum();
    let share = pooled as f64 / (2 * n) as f64;
    println!(
        "pooled: {pooled}/{} = {:.2}% (at least 95% wanted)",
        2 * n,
        100.0 * share
    );
    ok &= share >= 0.95;
    if !ok {
        std::process::exit(1);
    }
}
