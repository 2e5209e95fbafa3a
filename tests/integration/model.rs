//! Whole-model behaviour: conservation in every replication and variant,
//! determinism across thread counts, common random numbers, and sanity of
//! the headline numbers.

use salesim::experiment::{self, RunResult};
use salesim::metrics::{metric_index, Weekly};
use salesim::scenario::{load_embedded, Override};

use crate::common::{mean, run, run_conserving, scenario};

/// Variants that exercise every branch of the model.
const VARIANTS: [&[(&str, &str)]; 9] = [
    &[],
    &[("gate.autosend_at_or_above", "0.7")],
    &[
        ("lookup.lane", "\"human\""),
        ("enrichment.lane", "\"human\""),
        ("scoring.lane", "\"human\""),
        ("drafting.lane", "\"human\""),
    ],
    &[
        ("scoring.lane", "\"human\""),
        ("enrichment.lane", "\"human\""),
    ],
    &[
        ("reps.count", "1"),
        ("review.on_expire", "\"drop\""),
        ("review.order", "\"highest_score\""),
    ],
    &[("reps.count", "2"), ("review.expire_after", "\"4h\"")],
    &[("nurture.touches", "0")],
    &[
        ("nurture.max_reentries", "3"),
        ("nurture.engage_rate", "{ at_fit_0 = 0.3, at_fit_1 = 0.9 }"),
        ("agents.calendar", "\"office\""),
    ],
    &[
        (
            "arrivals",
            "{ kind = \"batch\", size = 400, every = \"1w\", at = \"mon 08:00\" }",
        ),
        ("enrichment.providers.0.rate_limit_per_min", "2"),
        ("enrichment.providers.0.error_rate", "0.3"),
        ("email.daily_cap_per_mailbox", "3"),
    ],
];

#[test]
fn conservation_holds_in_every_replication_of_every_variant() {
    for variant in VARIANTS {
        let mut overrides = variant.to_vec();
        overrides.extend([("run.replications", "3"), ("run.horizon", "\"12w\"")]);
        let sc = scenario(&overrides);
        // Every lead followed from arrival to exactly one end, by a ledger
        // beside the metrics (not the run's own check).
        for rep in run_conserving(&sc, &format!("variant {variant:?}")) {
            let get = |n: &str| rep.metrics[metric_index(n).unwrap()].unwrap_or(0.0);
            assert!(get("leads_arrived") > 0.0, "{variant:?}: no leads arrived");
            assert_eq!(
                get("drafts_reviewed"),
                get("drafts_approved") + get("drafts_discarded"),
                "{variant:?}"
            );
            assert!(
                get("drafts_edited") <= get("drafts_approved"),
                "{variant:?}"
            );
            let utilization = get("rep_utilization");
            assert!(
                (0.0..=1.0 + 1e-9).contains(&utilization),
                "{variant:?}: rep utilization {utilization}"
            );
            let agents = get("agent_utilization");
            assert!(
                (0.0..=1.0 + 1e-9).contains(&agents),
                "{variant:?}: agents {agents}"
            );
        }
    }
}

fn bits(result: &RunResult) -> Vec<Vec<Option<u64>>> {
    result
        .replications
        .iter()
        .map(|r| r.metrics.iter().map(|m| m.map(f64::to_bits)).collect())
        .collect()
}

#[test]
fn results_are_bit_identical_for_one_and_two_threads() {
    let sc = scenario(&[("run.replications", "6"), ("run.horizon", "\"10w\"")]);
    let one = experiment::run(&sc, 1, &|| {}).unwrap();
    let two = experiment::run(&sc, 2, &|| {}).unwrap();
    // Six replications with every metric, so equal is not equally empty.
    assert_eq!(one.replications.len(), 6);
    assert!(one
        .replications
        .iter()
        .all(|r| r.metrics.len() == salesim::metrics::METRICS.len() && r.events > 0));
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(one.replications, two.replications);
    let again = experiment::run(&sc, 2, &|| {}).unwrap();
    assert_eq!(bits(&two), bits(&again));
}

#[test]
fn different_seeds_give_different_results() {
    let a = run(&scenario(&[("run.replications", "2"), ("run.seed", "1")]));
    let b = run(&scenario(&[("run.replications", "2"), ("run.seed", "2")]));
    assert_ne!(bits(&a), bits(&b));
}

#[test]
fn threshold_scenarios_see_the_same_leads() {
    let low = run(&scenario(&[
        ("run.replications", "4"),
        ("gate.nurture_below", "0.3"),
    ]));
    let high = run(&scenario(&[
        ("run.replications", "4"),
        ("gate.nurture_below", "0.6"),
    ]));
    for (a, b) in low.replications.iter().zip(&high.replications) {
        for name in ["leads_arrived", "leads_unreachable"] {
            let i = metric_index(name).unwrap();
            assert_eq!(
                a.metrics[i], b.metrics[i],
                "{name} differs between thresholds"
            );
        }
        let routed = |r: &salesim::replication::ReplicationResult| {
            r.metrics[metric_index("leads_to_nurture").unwrap()].unwrap()
                + r.metrics[metric_index("leads_to_outreach").unwrap()].unwrap()
        };
        assert_eq!(routed(a), routed(b));
    }
    assert!(mean(&high, "nurture_share") > mean(&low, "nurture_share"));
}

/// Of the shipped canonical scenario itself (not the tests' base).
#[test]
fn canonical_headline_numbers_are_plausible() {
    let set = Override {
        path: "run.replications".into(),
        value: "4".into(),
    };
    let result = run(&load_embedded(&[set]).unwrap().scenario);
    let saved = mean(&result, "hours_saved_per_rep_week");
    // A rep works 35 hours a week on the canonical calendar: savings must be
    // positive and below that.
    assert!(saved > 0.0 && saved < 35.0, "hours saved {saved}");
    let utilization = mean(&result, "rep_utilization");
    assert!(
        utilization > 0.0 && utilization < 1.0,
        "utilization {utilization}"
    );
    let share = mean(&result, "nurture_share");
    assert!(share > 0.4 && share < 0.95, "nurture share {share}");
    assert!(mean(&result, "prep_time_reduction") > 1.0);
    assert!(mean(&result, "emails_sent") > 0.0);
    assert_eq!(mean(&result, "emails_autosent"), 0.0);
}

#[test]
fn manual_baseline_saves_about_nothing() {
    let result = run(&scenario(&[
        ("run.replications", "4"),
        ("lookup.lane", "\"human\""),
        ("enrichment.lane", "\"human\""),
        ("scoring.lane", "\"human\""),
        ("drafting.lane", "\"human\""),
    ]));
    // Reps doing the manual work themselves spend what the counterfactual
    // says they would; no drafts are reviewed.
    assert_eq!(mean(&result, "drafts_reviewed"), 0.0);
    let saved = mean(&result, "hours_saved_per_rep_week");
    assert!(
        saved.abs() < 1.0,
        "manual process saves {saved} h per rep-week"
    );
}

#[test]
fn autosend_sends_without_review_above_the_threshold() {
    let result = run(&scenario(&[
        ("run.replications", "3"),
        ("gate.autosend_at_or_above", "0.45"),
    ]));
    // Every draft passes the autosend threshold, which equals the gate.
    assert_eq!(mean(&result, "drafts_reviewed"), 0.0);
    assert!(mean(&result, "emails_autosent") > 0.0);
    assert_eq!(
        mean(&result, "emails_autosent"),
        mean(&result, "emails_sent")
    );
}

#[test]
fn weekly_series_cover_every_week() {
    let sc = scenario(&[("run.replications", "2"), ("run.horizon", "\"9w\"")]);
    let result = run(&sc);
    for r in &result.replications {
        assert_eq!(r.weekly.len(), 9);
        let arrived: u64 = r.weekly.iter().map(|w| w.get(Weekly::LeadsArrived)).sum();
        assert!(arrived > 0);
    }
}

#[test]
fn daily_cap_limits_sends_to_exactly_the_cap_per_calendar_day_when_saturated() {
    // About 80 drafts a week against a cap of 5 a day: the send queue never
    // empties after the first days, so every day of W sends exactly 5.
    let always = run(&scenario(&[
        ("run.replications", "2"),
        ("run.horizon", "\"10w\""),
        ("run.warmup", "\"2w\""),
        ("email.mailboxes", "1"),
        ("email.daily_cap_per_mailbox", "5"),
        ("email.calendar", "\"always\""),
        ("review.expire_after", "\"52w\""),
    ]));
    assert_eq!(mean(&always, "emails_sent"), 5.0 * 7.0 * 8.0);
    // On the office calendar only working days send.
    let office = run(&scenario(&[
        ("run.replications", "2"),
        ("run.horizon", "\"10w\""),
        ("run.warmup", "\"2w\""),
        ("email.mailboxes", "1"),
        ("email.daily_cap_per_mailbox", "5"),
        ("review.expire_after", "\"52w\""),
    ]));
    assert_eq!(mean(&office, "emails_sent"), 5.0 * 5.0 * 8.0);
}

#[test]
fn short_expiry_with_drop_loses_drafts_and_conserves_leads() {
    let sc = scenario(&[
        ("run.replications", "2"),
        ("reps.count", "1"),
        ("review.expire_after", "\"10m\""),
        ("review.on_expire", "\"drop\""),
    ]);
    for rep in run_conserving(&sc, "short expiry with drop") {
        assert!(rep.metrics[metric_index("drafts_expired").unwrap()].unwrap() > 0.0);
    }
}
