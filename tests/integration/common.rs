//! Shared helpers: scenarios built from the tests' base scenario with
//! overrides, and a probe that checks the conservation of leads lead by lead.

use assert_cmd::Command;
use salesim::experiment::{self, RunResult};
use salesim::pipeline::{Fate, Happening, Recorder};
use salesim::replication::ReplicationResult;
use salesim::scenario::{load_text, Override, Scenario};

/// The tests' own complete scenario (`tests/fixtures/base.toml`, first
/// copied from the canonical one). Tests edit its text or override its keys,
/// so recalibrating the shipped scenarios moves no test; tests about the
/// shipped scenarios read `scenarios/` instead.
pub const BASE: &str = include_str!("../fixtures/base.toml");

/// Path of the tests' base scenario file, for the binary.
pub fn base_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base.toml")
}

/// [`BASE`] with the first occurrence of `from` replaced by `to`; panics
/// when the base has no `from`, so an edited base cannot silently turn the
/// edit into nothing.
pub fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "the test base has no `{from}`");
    BASE.replacen(from, to, 1)
}

/// The salesim binary, ready for arguments.
pub fn salesim() -> Command {
    Command::cargo_bin("salesim").expect("the salesim binary is built")
}

/// The folder of the shipped scenarios.
pub fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The tests' base scenario with `overrides` (dotted path, TOML value).
pub fn scenario(overrides: &[(&str, &str)]) -> Scenario {
    let list: Vec<Override> = overrides
        .iter()
        .map(|(p, v)| Override {
            path: (*p).to_string(),
            value: (*v).to_string(),
        })
        .collect();
    load_text(BASE, "base.toml", std::path::Path::new(""), &list)
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

/// A recorder that follows every lead of a replication from its arrival to
/// its end: a final state ([`Happening::Fate`]) or still in progress at the
/// horizon ([`Happening::InProgress`]). It checks conservation itself, lead
/// by lead, instead of trusting the run's own check (docs/MODEL.md section
/// 3: every arrived lead is in exactly one of those states).
#[derive(Debug, Default)]
pub struct LeadLedger {
    /// Measured window W = [warmup, horizon).
    warmup: f64,
    horizon: f64,
    /// By lead key (the arrival ordinal): 0 not arrived, 1 in flight, 2 ended.
    state: Vec<u8>,
    /// Leads that arrived in W, and their ends by [`Fate`] index (5: in progress).
    window_arrived: u64,
    window_ends: [u64; 6],
    /// Broken promises seen, in order (the first few).
    broken: Vec<String>,
}

impl LeadLedger {
    /// An empty ledger for a replication of `sc`.
    pub fn new(sc: &Scenario) -> Self {
        LeadLedger {
            warmup: sc.run.warmup,
            horizon: sc.run.horizon,
            ..LeadLedger::default()
        }
    }

    fn broke(&mut self, what: String) {
        if self.broken.len() < 10 {
            self.broken.push(what);
        }
    }

    /// Leads that arrived over the whole run.
    pub fn arrived(&self) -> usize {
        self.state.len()
    }

    /// Panics unless every lead that arrived ended exactly once and the
    /// replication's public counts agree with the ledger over W:
    /// `leads_arrived` is the sum of the unreachable, dormant, sent,
    /// discarded, dropped and in-progress leads, of which
    /// `leads_unreachable`, `leads_dormant` and `leads_in_progress_end` are
    /// metrics of their own.
    pub fn check(mut self, result: &ReplicationResult, what: &str) {
        let open: Vec<usize> = (0..self.state.len())
            .filter(|&k| self.state[k] != 2)
            .take(10)
            .collect();
        if !open.is_empty() {
            self.broke(format!("leads that arrived and never ended: {open:?}"));
        }
        let get = |name: &str| {
            result.metrics[salesim::metrics::metric_index(name).unwrap()]
                .unwrap_or_else(|| panic!("{what}: {name} undefined"))
        };
        let ends: u64 = self.window_ends.iter().sum();
        if self.window_arrived != ends {
            self.broke(format!(
                "{} leads arrived in W but {ends} ended or were in progress",
                self.window_arrived
            ));
        }
        let counted = [
            ("leads_arrived", self.window_arrived),
            (
                "leads_unreachable",
                self.window_ends[Fate::Unreachable as usize],
            ),
            ("leads_dormant", self.window_ends[Fate::Dormant as usize]),
            ("leads_in_progress_end", self.window_ends[5]),
        ];
        for (name, probe) in counted {
            if get(name) != probe as f64 {
                self.broke(format!(
                    "{name} is {} but the ledger counts {probe}",
                    get(name)
                ));
            }
        }
        assert!(
            self.broken.is_empty(),
            "{what}: conservation of leads broken: {}",
            self.broken.join("; ")
        );
    }

    fn end(&mut self, key: u64, arrived: f64, end: usize, how: &str) {
        match self.state.get(key as usize).copied() {
            Some(1) => {
                self.state[key as usize] = 2;
                if arrived >= self.warmup && arrived < self.horizon {
                    self.window_ends[end] += 1;
                }
            }
            Some(2) => self.broke(format!("lead {key} ended twice ({how})")),
            _ => self.broke(format!("lead {key} ended ({how}) without arriving")),
        }
    }
}

impl Recorder for LeadLedger {
    fn record(&mut self, _now: f64, happening: Happening) {
        match happening {
            Happening::Arrival { lead, .. } => {
                if lead.key != self.state.len() as u64 {
                    self.broke(format!(
                        "lead {} arrived as arrival number {}",
                        lead.key,
                        self.state.len()
                    ));
                }
                self.state.push(1);
                if lead.arrived >= self.warmup && lead.arrived < self.horizon {
                    self.window_arrived += 1;
                }
            }
            Happening::Fate { lead, fate } => {
                self.end(lead.key, lead.arrived, fate as usize, fate.name());
            }
            Happening::InProgress { lead } => self.end(lead.key, lead.arrived, 5, "in progress"),
            _ => {}
        }
    }
}

/// Runs every replication of `sc` (in parallel) with a [`LeadLedger`]
/// beside the metrics and checks conservation in each; returns the
/// replications' results in order.
pub fn run_conserving(sc: &Scenario, what: &str) -> Vec<ReplicationResult> {
    use rayon::prelude::*;
    (0..sc.run.replications)
        .into_par_iter()
        .map(|r| {
            let (result, ledger) = salesim::replication::run_with(sc, r, LeadLedger::new(sc))
                .unwrap_or_else(|e| panic!("{what}, replication {r}: {e}"));
            ledger.check(&result, &format!("{what}, replication {r}"));
            result
        })
        .collect()
}

/// Starts `salesim args --out out` with the test hook `SALESIM_TEST_PAUSE_AFTER_JOBS`
/// set to `jobs` (src/output/files.rs): the process pauses right after
/// writing its `jobs`-th job file and says so on standard error; only then
/// is it sent `signal` (`-INT`, `-TERM`). So the signal always finds the
/// experiment running, with exactly `jobs` job files written (on one
/// thread), however fast or slow the machine. Returns the exit status and
/// the lines printed on standard error after the pause.
pub fn interrupt_after_jobs(
    args: &[&str],
    out: &std::path::Path,
    jobs: u32,
    signal: &str,
) -> (std::process::ExitStatus, Vec<String>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("salesim"))
        .args(args)
        .arg("--out")
        .arg(out)
        .env("SALESIM_TEST_PAUSE_AFTER_JOBS", jobs.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let hook = format!("salesim test hook: {jobs} job files written, pausing");
    let mut before = Vec::new();
    let paused = loop {
        match stderr.next() {
            Some(Ok(line)) if line == hook => break true,
            Some(Ok(line)) => before.push(line),
            _ => break false,
        }
    };
    assert!(
        paused,
        "the process ended before its {jobs}-th job file ({:?}): {before:?}",
        child.wait()
    );
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let after: Vec<String> = stderr.map_while(std::result::Result::ok).collect();
    (child.wait().unwrap(), after)
}
