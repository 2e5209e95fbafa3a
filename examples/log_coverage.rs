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

use std::path::Path;

use polars::prelude::*;
use salesim::eventlog::{log_replication, Clock};
use salesim::fit::estimate::{self, Estimate};
use salesim::fit::map::{ColumnNames, Map};
use salesim::fit::stats::Rate;
use salesim::fit::{read_logs, Request};
use salesim::output::events::{rows_frame, Names};
use salesim::scenario::{load_embedded, load_text, Override};
use statrs::distribution::{Beta, ContinuousCDF};

const BASE: &str = include_str!("../tests/fixtures/base.toml");
const EARLY: &str =
    "\n[calendars.early]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\"]\nhours = [\"07:30-15:30\"]\n";

/// The recovery tests' scenario (tests/integration/fit.rs, `SOURCE`) with
/// three follow-ups every 3 days and a reply factor of 0.5.
const SCENARIO: [(&str, &str); 17] = [
    ("run.horizon", "\"20w\""),
    ("run.warmup", "\"0w\""),
    ("arrivals.per_week", "500"),
    ("gate.nurture_below", "0.3"),
    ("reps.count", "3"),
    ("reps.calendar", "\"early\""),
    (
        "review.duration",
        "{ dist = \"lognormal\", median = \"10m\", p90 = \"25m\" }",
    ),
    ("review.edit_probability", "0.3"),
    ("email.bounce_rate", "0.05"),
    ("email.reply_rate", "{ at_fit_0 = 0.08, at_fit_1 = 0.08 }"),
    ("email.positive_share", "0.4"),
    (
        "nurture.engage_rate",
        "{ at_fit_0 = 0.03, at_fit_1 = 0.03 }",
    ),
    ("email.calendar", "\"office\""),
    ("review.expire_after", "\"10d\""),
    ("email.follow_ups", "3"),
    ("email.follow_up_interval", "\"3d\""),
    ("email.follow_up_reply_factor", "0.5"),
];

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
    let overrides: Vec<Override> = SCENARIO
        .iter()
        .map(|(p, v)| Override {
            path: (*p).into(),
            value: (*v).into(),
        })
        .collect();
    let sc = load_text(
        &format!("{BASE}{EARLY}"),
        "source.toml",
        Path::new(""),
        &overrides,
    )
    .expect("the scenario loads")
    .scenario;
    let base = load_embedded(&[]).expect("the canonical scenario loads");
    let dir = tempfile::tempdir().expect("a temporary folder");
    // (name, truth, covered, misses with the estimate low, high).
    // The sums of the estimates and of the log of the delay's median.
    let (mut rate_sum, mut factor_sum, mut log_median_sum) = (0.0, 0.0, 0.0);
    let mut keys = [
        ("email.reply_rate (at score 0)", 0.08, 0u64, 0u64, 0u64),
        ("email.follow_up_reply_factor", 0.5, 0, 0, 0),
    ];
    for r in 0..logs {
        let rows = log_replication(&sc, r, Vec::new()).expect("a replication");
        let mut df = rows_frame(&rows, &Names::of(&sc), &Clock::new(sc.run.start_date));
        let path = dir.path().join(format!("log-{r}.parquet"));
        let file = std::fs::File::create(&path).expect("the log's file");
        ParquetWriter::new(file)
            .finish(&mut df)
            .expect("the log written");
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
