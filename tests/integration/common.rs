//! Shared helpers: scenarios built from the canonical one with overrides.

use assert_cmd::Command;
use salesim::experiment::{self, RunResult};
use salesim::scenario::{load_embedded, Override, Scenario};

/// The salesim binary, ready for arguments.
pub fn salesim() -> Command {
    Command::cargo_bin("salesim").expect("the salesim binary is built")
}

/// The folder of the shipped scenarios.
pub fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The canonical scenario with `overrides` (dotted path, TOML value).
pub fn scenario(overrides: &[(&str, &str)]) -> Scenario {
    let list: Vec<Override> = overrides
        .iter()
        .map(|(p, v)| Override {
            path: (*p).to_string(),
            value: (*v).to_string(),
        })
        .collect();
    load_embedded(&list)
        .unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
        .scenario
}

/// Runs a scenario on two threads.
pub fn run(sc: &Scenario) -> RunResult {
    experiment::run(sc, 2, &|| {}).unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// Overrides that reduce the pipeline to a single queue at the review gate:
/// every agent stage instantaneous, every lead reachable and sent to review,
/// reps and arrivals around the clock, no discards, edits, expiry or replies.
pub const REVIEW_QUEUE_ONLY: [(&str, &str); 22] = [
    ("arrivals.calendar", "\"always\""),
    ("lookup.agent", "{ dist = \"constant\", value = \"0s\" }"),
    (
        "enrichment.agent",
        "{ dist = \"constant\", value = \"0s\" }",
    ),
    ("enrichment.providers.0.match_rate", "1.0"),
    ("enrichment.providers.0.error_rate", "0.0"),
    (
        "enrichment.providers.0.latency",
        "{ dist = \"constant\", value = \"0s\" }",
    ),
    ("enrichment.providers.0.rate_limit_per_min", "1000000"),
    ("scoring.agent", "{ dist = \"constant\", value = \"0s\" }"),
    ("scoring.noise_sd", "0.0"),
    ("gate.nurture_below", "0.0"),
    ("drafting.agent", "{ dist = \"constant\", value = \"0s\" }"),
    ("review.edit_probability", "0.0"),
    ("review.judgement_noise_sd", "0.0"),
    ("review.reject_fit_below", "0.0"),
    ("review.expire_after", "\"520w\""),
    ("reps.calendar", "\"always\""),
    ("agents.concurrency", "100000"),
    ("email.calendar", "\"always\""),
    ("email.daily_cap_per_mailbox", "100000"),
    ("email.reply_rate", "{ at_fit_0 = 0.0, at_fit_1 = 0.0 }"),
    ("run.horizon", "\"30w\""),
    ("run.warmup", "\"3w\""),
];

/// A metric's mean over replications (panics when undefined).
pub fn mean(result: &RunResult, name: &str) -> f64 {
    result
        .metric(name)
        .and_then(|a| a.mean)
        .unwrap_or_else(|| panic!("{name} is undefined"))
}

/// Half-width of a confidence interval at 99.9% from the 95% one: the ratio
/// of Student-t quantiles t(0.9995) / t(0.975) for the replications' degrees
/// of freedom. A deterministic test must not sit at the edge of a 95% band.
pub fn half_width_999(result: &RunResult, name: &str) -> f64 {
    let a = result.metric(name).expect("metric exists");
    let half95 = a.ci95_high.expect("ci") - a.mean.expect("mean");
    // t(0.9995; df) for df = n - 1, from standard tables.
    let t9995 = match a.n - 1 {
        9 => 4.781,
        19 => 3.883,
        29 => 3.659,
        df => panic!("no t(0.9995) tabulated for {df} degrees of freedom"),
    };
    half95 * t9995 / salesim::metrics::student_t_975(a.n - 1)
}

/// The regularized incomplete beta function I_x(a, b) for integer a, b:
/// the binomial tail P(Bin(a + b - 1, x) >= a).
pub fn beta_cdf_integer(x: f64, a: u32, b: u32) -> f64 {
    let n = a + b - 1;
    (a..=n)
        .map(|j| {
            let binom = (0..j).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1));
            binom * x.powi(j as i32) * (1.0 - x).powi((n - j) as i32)
        })
        .sum()
}

/// A count's pooled share over replications, checked against a binomial
/// probability: tolerance 4 binomial standard errors (a two-sided 4-sigma
/// band fails by chance with probability 6e-5) plus the window-edge effect
/// of counting events in W by their own times.
pub fn check_binomial(result: &salesim::experiment::RunResult, hits: &str, trials: &str, p: f64) {
    let total = |name: &str| -> f64 {
        result
            .replications
            .iter()
            .map(|r| r.metrics[salesim::metrics::metric_index(name).unwrap()].unwrap())
            .sum()
    };
    let (k, n) = (total(hits), total(trials));
    let se = (p * (1.0 - p) / n).sqrt();
    let share = k / n;
    eprintln!("{hits}/{trials}: {share:.5} vs p {p:.5} (se {se:.5}, n {n})");
    assert!(
        (share - p).abs() <= 4.0 * se + 0.01 * p,
        "{hits}/{trials} = {share:.5}, expected {p:.5} (se {se:.5})"
    );
}

/// Every file below `dir` (relative path and bytes), sorted.
pub fn tree(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                files.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    files
}
