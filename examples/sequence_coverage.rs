//! The joint reply fit's calibration on its own generator (VALIDATION.md,
//! docs/MODEL.md section 12): many seeds of sequences drawn from the reply
//! model, each fitted; prints how often the 95% intervals of the first
//! email's reply rate and the follow-ups' factor hold the generating
//! values, the estimates' means and spread against the reported standard
//! errors, and how often each delay family is chosen.
//!
//! ```text
//! cargo run --release --example sequence_coverage -- [SEEDS] [SEQUENCES] [RATE] [FACTOR] [SHIFT_H] [SLOPED]
//! ```
//!
//! Defaults: 1000 seeds of 1,300 sequences (about the integration test's
//! logs), rate 0.08, factor 0.5, three follow-ups every 3 days, a
//! lognormal delay with median 1 d and p90 4 d, sends spread over 20 weeks.
//! `SHIFT_H`: the fit is told the log ends that many hours before it does
//! (0). `SLOPED` = 1: the leads carry scores spread over 0.3-1 and the rate
//! is fitted linear in them (the truth is flat), as from salesim's own
//! logs (0: a flat fit).

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use salesim::fit::sequence::{fit, Observed};
use salesim::fit::stats::Z_975;

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Sequences from the reply model: the first email replies with `p0`,
/// follow-up k with `p0 factor^k`, while none is drawn; a reply arrives a
/// lognormal delay after the send that drew it and stops the follow-ups.
fn draw(seed: u64, n: usize, p0: f64, factor: f64, end: f64) -> Vec<Observed> {
    let delay = LogNormal::new(86_400f64.ln(), 4f64.ln() / 1.281_551_565_545).expect("valid");
    let interval = 3.0 * 86_400.0;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let start = i as f64 * (end - 10.0 * 86_400.0) / n as f64;
            let mut sends = Vec::new();
            let mut drawn: Option<f64> = None;
            for k in 0..=3 {
                let t = start + f64::from(k) * interval;
                if drawn.is_some_and(|r| r <= t) {
                    break;
                }
                sends.push(t);
                if drawn.is_none() && rng.random::<f64>() < p0 * factor.powi(k) {
                    drawn = Some(t + delay.sample(&mut rng));
                }
            }
            Observed {
                sends,
                reply: drawn.filter(|r| *r <= end),
                score: 0.3 + 0.7 * ((i * 7919) % 1000) as f64 / 1000.0,
            }
        })
        .collect()
}

fn main() {
    let seeds: u64 = arg(1, 1000);
    let n: usize = arg(2, 1300);
    let p0: f64 = arg(3, 0.08);
    let factor: f64 = arg(4, 0.5);
    let end = 140.0 * 86_400.0;
    let (mut rates, mut factors, mut se_rate, mut se_factor) = (vec![], vec![], 0.0, 0.0);
    let (mut covered_rate, mut covered_factor) = (0u64, 0u64);
    let mut families: BTreeMap<&str, u64> = BTreeMap::new();
    let mut log_medians = 0.0;
    for seed in 0..seeds {
        let shift: f64 = arg(5, 0.0);
        let f = fit(
            &draw(seed, n, p0, factor, end),
            end - shift * 3600.0,
            arg(6, 0) == 1,
        )
        .expect("replies");
        let a = f.linear.at_0;
        covered_rate += u64::from(a.low <= p0 && p0 <= a.high);
        covered_factor += u64::from(f.factor.low <= factor && factor <= f.factor.high);
        rates.push(a.value);
        factors.push(f.factor.value);
        se_rate += (a.high - a.low) / (2.0 * Z_975);
        se_factor += (f.factor.high - f.factor.low) / (2.0 * Z_975);
        log_medians += (f.delay.candidates[0].median() / 86_400.0).ln();
        *families
            .entry(f.delay.candidates[0].family.name())
            .or_insert(0) += 1;
    }
    let k = seeds as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / k;
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (k - 1.0)).sqrt()
    };
    println!("{seeds} seeds of {n} sequences, rate {p0}, factor {factor}");
    println!(
        "reply rate: covered {covered_rate}/{seeds}, mean {:.4}, sd {:.5}, mean se {:.5}",
        mean(&rates),
        sd(&rates),
        se_rate / k
    );
    println!(
        "factor:     covered {covered_factor}/{seeds}, mean {:.4}, sd {:.5}, mean se {:.5}",
        mean(&factors),
        sd(&factors),
        se_factor / k
    );
    println!(
        "delay family chosen: {families:?}; geometric mean of the fitted medians / 1 d: {:.4}",
        (log_medians / k).exp()
    );
}
