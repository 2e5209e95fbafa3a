//! Bounded work and the same-instant rules of docs/MODEL.md section 10: binding
//! rate limits over long horizons end, and ties between a review deadline and
//! a rep freeing up (or the rep calendar opening) go to the review.
//!
//! The tie tests use constant durations so that the tie really happens.

use salesim::experiment::RunResult;
use salesim::metrics::metric_index;

use crate::common::{mean, run, run_conserving, scenario};

/// Every agent stage and provider call instantaneous, every lead reachable
/// with the same fit and score, no replies: only the review gate is left.
const INSTANT_AGENTS: [(&str, &str); 13] = [
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
    ("review.edit_probability", "0.0"),
    ("review.judgement_noise_sd", "0.0"),
    ("review.on_expire", "\"drop\""),
    ("email.reply_rate", "{ at_fit_0 = 0.0, at_fit_1 = 0.0 }"),
    ("run.warmup", "\"0s\""),
];

fn with_instant_agents(extra: &[(&str, &str)]) -> salesim::scenario::Scenario {
    let mut overrides = INSTANT_AGENTS.to_vec();
    overrides.extend_from_slice(extra);
    scenario(&overrides)
}

fn count(result: &RunResult, name: &str) -> f64 {
    mean(result, name)
}

/// Every metric's mean is the same in both runs (and both have every metric,
/// so the comparison is not of two empty summaries).
fn assert_same_summary(a: &RunResult, b: &RunResult) {
    let n = salesim::metrics::METRICS.len();
    assert_eq!((a.summary.len(), b.summary.len()), (n, n));
    for ((x, y), m) in a
        .summary
        .iter()
        .zip(&b.summary)
        .zip(&salesim::metrics::METRICS)
    {
        assert_eq!(x.mean, y.mean, "{}", m.name);
    }
}

/// A weekly list import of tens of thousands of leads through a provider
/// with a binding rate limit, over a horizon long enough that the bucket's
/// clock is far from zero (where a fractional token count loses refills to
/// rounding). Every run must end, and every replication must conserve
/// leads: a ledger beside the metrics follows each lead from its arrival to
/// exactly one end (`common::LeadLedger`), and the public counts agree with
/// it. That calls never go faster than the limit plus one burst is checked
/// minute by minute in `metrics.rs`
/// (`calls_per_minute_never_exceed_the_limit_plus_the_burst`); a bound on
/// the whole horizon's calls would be far above what 200,000 leads can make.
#[test]
fn binding_rate_limits_over_long_horizons_end_and_conserve_leads() {
    for rate in ["60", "600", "6000"] {
        let sc = scenario(&[
            (
                "arrivals",
                "{ kind = \"batch\", size = 20000, every = \"1w\", at = \"mon 08:00\" }",
            ),
            ("enrichment.providers.0.rate_limit_per_min", rate),
            ("agents.concurrency", "2000"),
            ("run.horizon", "\"10w\""),
            ("run.warmup", "\"0s\""),
            ("run.replications", "2"),
        ]);
        for result in run_conserving(&sc, &format!("rate {rate}")) {
            let get = |name: &str| result.metrics[metric_index(name).unwrap()].unwrap();
            assert_eq!(
                get("leads_arrived"),
                200_000.0,
                "rate {rate}: every batch arrives"
            );
            assert!(get("provider_calls") > 0.0);
        }
    }
}

/// Ten drafts queued after closing whose deadline falls exactly when the rep
/// calendar opens, and ten reps: each rep takes a draft at that instant and
/// none expires. Before the rule, the first draft's deadline (scheduled
/// before the reps' wake-up) won the tie and that draft expired.
#[test]
fn a_draft_expiring_as_the_rep_calendar_opens_is_reviewed() {
    let sc = with_instant_agents(&[
        // Ten leads at Monday 17:00, drafted in an hour: queued at 18:00,
        // after the office closes; the deadline is Tuesday 09:00, opening.
        (
            "arrivals",
            "{ kind = \"batch\", size = 10, every = \"1w\", at = \"mon 17:00\" }",
        ),
        (
            "segments",
            "[{ name = \"all\", share = 1.0, fit = { dist = \"constant\", value = 0.9 } }]",
        ),
        ("drafting.agent", "{ dist = \"constant\", value = \"1h\" }"),
        (
            "review.duration",
            "{ dist = \"constant\", value = \"30m\" }",
        ),
        ("review.expire_after", "\"15h\""),
        ("reps.count", "10"),
        ("run.horizon", "\"2w\""),
        ("run.replications", "2"),
    ]);
    let result = run(&sc);
    assert_eq!(count(&result, "leads_arrived"), 20.0);
    assert_eq!(count(&result, "drafts_reviewed"), 20.0);
    assert_eq!(count(&result, "drafts_expired"), 0.0);
}

/// Three drafts and one rep, all durations constant: drafting 1 minute
/// (one agent, so drafts queue at 1, 2 and 3 minutes), review 3 minutes,
/// deadline 4 minutes. The rep reviews the first draft from minute 1 to 4,
/// the second from 4 to 7, and frees up at minute 7, exactly the third
/// draft's deadline (queued at 3). The rep's completion was scheduled at
/// minute 4, after the deadline (at 3), so only the rule makes the review
/// win the tie.
#[test]
fn a_draft_expiring_as_a_rep_frees_up_is_reviewed() {
    let sc = with_instant_agents(&[
        (
            "arrivals",
            "{ kind = \"batch\", size = 3, every = \"1w\", at = \"mon 08:00\" }",
        ),
        (
            "segments",
            "[{ name = \"all\", share = 1.0, fit = { dist = \"constant\", value = 0.9 } }]",
        ),
        ("drafting.agent", "{ dist = \"constant\", value = \"1m\" }"),
        ("agents.concurrency", "1"),
        ("review.duration", "{ dist = \"constant\", value = \"3m\" }"),
        ("review.expire_after", "\"4m\""),
        ("reps.count", "1"),
        ("reps.calendar", "\"always\""),
        ("run.horizon", "\"1w\""),
        ("run.replications", "2"),
    ]);
    let result = run(&sc);
    assert_eq!(count(&result, "leads_arrived"), 3.0);
    assert_eq!(count(&result, "drafts_expired"), 0.0);
    assert_eq!(count(&result, "drafts_reviewed"), 3.0);
}

/// Half the leads have fit -0.0 (scored -0.0 or 0.0 by zero noise) and half
/// fit 0.9, all queued before the office opens at 09:00; one rep serves the
/// highest score first, and drafts expire at 11:00.
/// A score of -0.0 must sort as 0, below 0.9: the run is the same as with
/// fit 0.0, in which the good leads are reviewed first and nothing is
/// discarded. Before the rule, -0.0 sorted above every positive score.
#[test]
fn a_score_of_negative_zero_sorts_as_zero() {
    let with_zero = |zero: &str| {
        let segments = format!(
            "[{{ name = \"zero\", share = 0.5, fit = {{ dist = \"constant\", value = {zero} }} }}, \
             {{ name = \"good\", share = 0.5, fit = {{ dist = \"constant\", value = 0.9 }} }}]"
        );
        let sc = with_instant_agents(&[
            (
                "arrivals",
                "{ kind = \"batch\", size = 40, every = \"1w\", at = \"mon 08:00\" }",
            ),
            ("segments", segments.as_str()),
            ("gate.nurture_below", "0.0"),
            ("drafting.agent", "{ dist = \"constant\", value = \"0s\" }"),
            ("review.order", "\"highest_score\""),
            ("review.duration", "{ dist = \"constant\", value = \"1h\" }"),
            ("review.expire_after", "\"3h\""),
            ("reps.count", "1"),
            ("run.horizon", "\"2w\""),
            ("run.replications", "3"),
        ]);
        run(&sc)
    };
    let negative = with_zero("-0.0");
    let positive = with_zero("0.0");
    assert_eq!(count(&positive, "drafts_discarded"), 0.0);
    assert_eq!(count(&negative, "drafts_discarded"), 0.0);
    // Reviews start at 09:00, 10:00 and 11:00, the deadline, each Monday.
    assert_eq!(count(&negative, "drafts_reviewed"), 6.0, "three a week");
    assert_same_summary(&negative, &positive);
}

/// With every score equal, `highest_score` serves drafts in the order they
/// were queued, so it gives exactly the `fifo` run.
#[test]
fn highest_score_ties_go_in_queueing_order() {
    let with_order = |order: &str| {
        let sc = with_instant_agents(&[
            (
                "segments",
                "[{ name = \"all\", share = 1.0, fit = { dist = \"constant\", value = 0.6 } }]",
            ),
            ("review.order", order),
            ("reps.count", "1"),
            ("review.expire_after", "\"1d\""),
            ("run.horizon", "\"6w\""),
            ("run.replications", "3"),
        ]);
        run(&sc)
    };
    let fifo = with_order("\"fifo\"");
    let highest = with_order("\"highest_score\"");
    assert!(count(&fifo, "drafts_expired") > 0.0, "the queue binds");
    assert_same_summary(&fifo, &highest);
}
