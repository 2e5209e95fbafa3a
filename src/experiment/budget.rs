//! The memory budget (docs/MODEL.md section 10, "Bounded work"): before a
//! command runs, its peak memory is estimated — each replication's leads in
//! flight, and the results the experiment keeps — and it runs as many
//! replications at once as keep it inside the budget, or is refused (exit 2)
//! when even one replication cannot fit. While running, a replication that
//! holds more leads at once than its share allows is stopped (exit 2)
//! before memory runs out.

use crate::error::{Error, Result};
use crate::metrics::{METRICS, WEEKLY_LEN};
use crate::scenario::{Arrivals, Scenario};
use crate::units::WEEK;

use super::jobs::Plan;

/// Bytes a lead in flight costs: its record, its random streams, its place in
/// queues and its pending events. Measured: a batch of 1,000,000 leads held
/// at once (agents working one minute a week) peaks at 617 MB of resident
/// memory, 36 MB of which the process needs anyway; rounded up.
pub const BYTES_PER_LEAD: f64 = 640.0;

/// What the process needs besides the simulation: code, the embedded font,
/// polars' and rayon's own state (36 MB measured), rounded up.
pub const PROCESS_BYTES: f64 = 64.0 * MIB;

/// Bytes a finished job's results take through to the written files: the
/// metrics and weekly counts held as results, read back from job files,
/// laid out in frames, encoded, and summarised in the report (about six
/// copies), per value, plus the record around them.
const BYTES_PER_RESULT_VALUE: f64 = 6.0 * 16.0;

/// One mebibyte.
const MIB: f64 = 1024.0 * 1024.0;

/// The memory a command may use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Bytes.
    pub bytes: f64,
    /// Where the figure comes from, for messages.
    pub origin: &'static str,
}

impl Budget {
    /// The default: half the machine's memory (the smaller of the physical
    /// memory and the control group's limit).
    pub fn half_of_machine() -> Budget {
        Budget {
            bytes: machine_memory() / 2.0,
            origin: "half of the machine's memory; --max-memory sets another",
        }
    }

    /// Parses `--max-memory`: a size such as `8G`, `512M`, `1.5GiB` or a
    /// number of bytes.
    pub fn parse(text: &str) -> Result<Budget> {
        let bad = || {
            Error::Usage(format!(
                "--max-memory {text}: expected a size such as 8G, 512M or 2048K"
            ))
        };
        let t = text.trim();
        let digits = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(digits);
        let value: f64 = number.parse().map_err(|_| bad())?;
        let scale = match unit.trim().to_ascii_uppercase().as_str() {
            "" | "B" => 1.0,
            "K" | "KB" | "KIB" => 1024.0,
            "M" | "MB" | "MIB" => MIB,
            "G" | "GB" | "GIB" => 1024.0 * MIB,
            "T" | "TB" | "TIB" => 1024.0 * 1024.0 * MIB,
            _ => return Err(bad()),
        };
        let bytes = value * scale;
        if !(bytes.is_finite() && bytes >= 1.0) {
            return Err(bad());
        }
        Ok(Budget {
            bytes,
            origin: "--max-memory",
        })
    }
}

/// The machine's memory in bytes: the smaller of `MemTotal` and a control
/// group's limit (a container's), or 4 GiB when neither can be read.
fn machine_memory() -> f64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map(|kb| kb * 1024.0)
        });
    let limit = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|t| t.trim().parse::<f64>().ok())
    .fold(f64::INFINITY, f64::min);
    total.unwrap_or(4096.0 * MIB).min(limit)
}

/// `1.5 GB`, `640 MB`.
pub fn size_text(bytes: f64) -> String {
    if bytes >= 1024.0 * MIB {
        format!("{:.1} GB", bytes / (1024.0 * MIB))
    } else {
        format!("{:.0} MB", bytes / MIB)
    }
}

/// An upper estimate of the leads one replication of `sc` holds at once:
/// a whole batch, or the arrivals of as long as a lead can stay (every
/// nurture sequence with its re-entries, a review's expiry, a follow-up
/// sequence, a reply's delay, two weeks for the stages), with half again for chance; never more
/// than all the leads of the horizon. A pipeline that cannot keep up holds
/// more: the guard while running stops it (see [`Allowance::max_leads`]).
pub fn peak_leads(sc: &Scenario) -> f64 {
    let horizon = sc.run.horizon;
    let total = sc.arrivals.expected_before(horizon);
    let batch = match &sc.arrivals {
        Arrivals::Batch { size, .. } => *size as f64,
        Arrivals::Poisson { .. } => 0.0,
    };
    let nurture = f64::from(sc.nurture.touches)
        * sc.nurture.interval
        * (1.0 + f64::from(sc.nurture.max_reentries));
    let sequence = f64::from(sc.email.follow_ups) * sc.email.follow_up_interval;
    let stay = nurture
        + sc.review.expire_after
        + sequence
        + 3.0 * sc.email.reply_delay.mean()
        + 2.0 * WEEK;
    let steady = 1.5 * total / horizon * stay.min(horizon);
    total.min(batch.max(steady))
}

/// The estimated peak bytes of one replication of `sc`.
pub fn replication_bytes(sc: &Scenario) -> f64 {
    let weeks = (sc.run.horizon / WEEK).ceil();
    peak_leads(sc) * BYTES_PER_LEAD + weeks * WEEKLY_LEN as f64 * 8.0 + MIB
}

/// The estimated bytes of the results an experiment keeps and writes.
pub fn results_bytes(plan: &Plan) -> f64 {
    let horizon = plan
        .points
        .iter()
        .map(|p| p.scenario.run.horizon)
        .fold(0.0, f64::max);
    jobs_bytes(plan.job_count(), horizon)
}

/// The estimated bytes of the results of `jobs` jobs over `horizon`.
fn jobs_bytes(jobs: u64, horizon: f64) -> f64 {
    let weeks = (horizon / WEEK).ceil();
    let per_job = METRICS.len() as f64 + weeks * WEEKLY_LEN as f64 + 8.0;
    jobs as f64 * per_job * BYTES_PER_RESULT_VALUE
}

/// Refuses, before any point is loaded, an experiment of `points` points x
/// `replications` whose results alone (over `horizon`) exceed `budget`.
pub fn check_results(points: usize, replications: u32, horizon: f64, budget: Budget) -> Result<()> {
    let results = jobs_bytes(points as u64 * u64::from(replications), horizon);
    if budget.bytes - PROCESS_BYTES - results > 0.0 {
        return Ok(());
    }
    Err(Error::Budget(format!(
        "the experiment's results ({points} points x {replications} replications) would take about {}, \
         over the memory budget of {} ({}): run fewer points or replications",
        size_text(results + PROCESS_BYTES),
        size_text(budget.bytes),
        budget.origin
    )))
}

/// How a plan may run inside its budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allowance {
    /// Replications at once.
    pub threads: usize,
    /// The most leads one replication may hold at once.
    pub max_leads: u64,
}

/// How `plan` may run inside `budget` on `threads` threads (0: every core):
/// fewer replications at once when all of them would not fit, refused (exit
/// 2, naming what to change) when one cannot, or when the results cannot.
pub fn allow(plan: &Plan, threads: usize, budget: Budget) -> Result<Allowance> {
    let wanted = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let horizon = plan
        .points
        .iter()
        .map(|p| p.scenario.run.horizon)
        .fold(0.0, f64::max);
    check_results(plan.points.len(), plan.replications, horizon, budget)?;
    let free = budget.bytes - PROCESS_BYTES - results_bytes(plan);
    let (largest, point) = plan
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (replication_bytes(&p.scenario), i))
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a });
    if largest > free {
        let sc = &plan.points[point].scenario;
        return Err(Error::Budget(format!(
            "arrivals: one replication{} would hold about {:.3e} leads at once, about {}, \
             over the memory budget of {} ({}): lower the volume (arrivals.per_week or \
             arrivals.size) or shorten run.horizon",
            if plan.points.len() > 1 {
                format!(" of point {point}")
            } else {
                String::new()
            },
            peak_leads(sc),
            size_text(largest),
            size_text(budget.bytes),
            budget.origin
        )));
    }
    let fit = ((free / largest.max(1.0)).floor() as usize).max(1);
    let threads = wanted.min(fit).max(1);
    let share = free / threads as f64;
    Ok(Allowance {
        threads,
        max_leads: ((share - MIB) / BYTES_PER_LEAD).max(1.0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{Made, Point};
    use crate::scenario::{load_embedded, Override};

    fn plan(overrides: &[(&str, &str)], points: usize) -> Plan {
        let list: Vec<Override> = overrides
            .iter()
            .map(|(p, v)| Override {
                path: p.to_string(),
                value: v.to_string(),
            })
            .collect();
        let loaded = load_embedded(&list).unwrap();
        let point = Point {
            values: Vec::new(),
            scenario: loaded.scenario,
            resolved_toml: String::new(),
            made: Made::Base(Vec::new()),
            data: Vec::new(),
        };
        Plan::new(Vec::new(), vec![point; points]).unwrap()
    }

    fn gb(x: f64) -> Budget {
        Budget {
            bytes: x * 1024.0 * MIB,
            origin: "test",
        }
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(Budget::parse("8G").unwrap().bytes, 8.0 * 1024.0 * MIB);
        assert_eq!(Budget::parse("512M").unwrap().bytes, 512.0 * MIB);
        assert_eq!(Budget::parse("1.5GiB").unwrap().bytes, 1.5 * 1024.0 * MIB);
        assert_eq!(Budget::parse("4096").unwrap().bytes, 4096.0);
        for bad in ["", "G", "-1G", "8X", "0", "nan"] {
            assert_eq!(Budget::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
        assert!(Budget::half_of_machine().bytes > 100.0 * MIB);
    }

    #[test]
    fn the_canonical_scenario_runs_on_every_thread_in_a_small_budget() {
        let p = plan(&[], 1);
        let a = allow(&p, 2, gb(1.0)).unwrap();
        assert_eq!(a.threads, 2);
        // Canonical: 600 a week stay up to about six weeks.
        let peak = peak_leads(&p.points[0].scenario);
        assert!((3_000.0..20_000.0).contains(&peak), "{peak}");
        assert!(a.max_leads > 100_000, "{}", a.max_leads);
    }

    #[test]
    fn a_huge_batch_runs_one_replication_at_a_time_or_is_refused() {
        let batch = "{ kind = \"batch\", size = 10000000, every = \"2w\", at = \"mon 08:00\" }";
        let p = plan(
            &[
                ("arrivals", batch),
                ("run.horizon", "\"2w\""),
                ("run.warmup", "\"1w\""),
            ],
            1,
        );
        let peak = peak_leads(&p.points[0].scenario);
        assert_eq!(peak, 1e7, "the whole batch is held at once");
        // 6.4 GB a replication: one at a time in 8 GB, refused in 4 GB.
        assert_eq!(allow(&p, 2, gb(8.0)).unwrap().threads, 1);
        let err = allow(&p, 2, gb(4.0)).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.starts_with("arrivals:"), "{text}");
        assert!(text.contains("4.0 GB (test)"), "{text}");
    }

    #[test]
    fn an_experiment_whose_results_do_not_fit_is_refused() {
        let p = plan(&[("run.replications", "20")], 3_000);
        assert!(allow(&p, 2, gb(8.0)).is_ok());
        let err = allow(&p, 2, gb(0.1)).unwrap_err();
        assert!(
            err.to_string().contains("3000 points x 20 replications"),
            "{err}"
        );
    }
}
