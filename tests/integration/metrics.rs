//! Value tests of the gate-quality, provider and cost metrics against
//! hand-computed or analytic expectations, and the recorder seam: a second
//! recorder sees the same run as the metrics without touching the model.

use salesim::experiment::RunResult;
use salesim::metrics::metric_index;
use salesim::pipeline::{Happening, Recorder, Stage};
use salesim::replication::{run as run_replication, run_with as run_replication_with};
use salesim::scenario::Scenario;

use crate::common::{beta_cdf_integer, check_binomial, half_width_999, mean, run, scenario};

/// The base scenario's fit distribution, Beta(2, 5): P(fit < x).
fn fit_cdf(x: f64) -> f64 {
    beta_cdf_integer(x, 2, 5)
}

/// Sum of a metric over the replications of a run.
fn total(result: &RunResult, name: &str) -> f64 {
    let i = metric_index(name).unwrap();
    result
        .replications
        .iter()
        .map(|r| r.metrics[i].unwrap_or(0.0))
        .sum()
}

/// With no scoring noise the score is the true fit, so the gate sends to
/// nurture exactly the good leads with fit in [good_fit_at, nurture_below):
/// a binomial share F(0.5) - F(0.3) of the leads reaching the gate.
#[test]
fn good_fit_to_nurture_is_the_fit_mass_between_the_thresholds() {
    let sc = scenario(&[
        ("scoring.noise_sd", "0.0"),
        ("gate.good_fit_at", "0.3"),
        ("gate.nurture_below", "0.5"),
        ("run.replications", "10"),
    ]);
    let result = run(&sc);
    // Trials: first gate decisions of leads arriving in W.
    let expected = fit_cdf(0.5) - fit_cdf(0.3);
    let routed = total(&result, "leads_to_nurture") + total(&result, "leads_to_outreach");
    let lost = total(&result, "good_fit_to_nurture");
    let se = (expected * (1.0 - expected) / routed).sqrt();
    eprintln!(
        "good_fit_to_nurture: {lost} of {routed} routed, share {:.4} vs {expected:.4}",
        lost / routed
    );
    // Four standard errors: a two-sided band that fails by chance 6e-5.
    assert!((lost / routed - expected).abs() <= 4.0 * se);
    // Raising good_fit_at to the gate threshold leaves no good lead below it.
    let strict = run(&scenario(&[
        ("scoring.noise_sd", "0.0"),
        ("gate.good_fit_at", "0.5"),
        ("gate.nurture_below", "0.5"),
        ("run.replications", "3"),
    ]));
    assert_eq!(total(&strict, "good_fit_to_nurture"), 0.0);
}

/// Every lead goes to review (gate at 0, no expiry, reps enough): the share
/// of reviews spent on leads below `reject_fit_below` is F(0.35); a perfect
/// reviewer (no judgement noise) discards exactly those, so nothing low-fit
/// is ever sent, and a noisy one lets some through.
#[test]
fn low_fit_reviews_and_sends_follow_the_fit_distribution() {
    let base = [
        ("gate.nurture_below", "0.0"),
        ("review.expire_after", "\"52w\""),
        ("review.reject_fit_below", "0.35"),
        ("reps.count", "40"),
        ("run.replications", "10"),
    ];
    let mut perfect = base.to_vec();
    perfect.push(("review.judgement_noise_sd", "0.0"));
    let result = run(&scenario(&perfect));
    check_binomial(
        &result,
        "low_fit_reviewed",
        "drafts_reviewed",
        fit_cdf(0.35),
    );
    assert_eq!(total(&result, "low_fit_sent"), 0.0);
    assert_eq!(
        total(&result, "drafts_discarded"),
        total(&result, "low_fit_reviewed")
    );
    let mut noisy = base.to_vec();
    noisy.push(("review.judgement_noise_sd", "0.2"));
    assert!(total(&run(&scenario(&noisy)), "low_fit_sent") > 0.0);
}

/// The AI SDR at threshold 0 sends every draft with no review: the share of
/// sends to low-fit leads is F(reject_fit_below).
#[test]
fn autonomous_sends_to_low_fit_leads_follow_the_fit_distribution() {
    let result = run(&scenario(&[
        ("gate.nurture_below", "0.0"),
        ("gate.autosend_at_or_above", "0.0"),
        ("review.reject_fit_below", "0.35"),
        ("email.daily_cap_per_mailbox", "1000"),
        ("run.replications", "10"),
    ]));
    assert_eq!(total(&result, "drafts_reviewed"), 0.0);
    assert_eq!(
        total(&result, "emails_autosent"),
        total(&result, "emails_sent")
    );
    check_binomial(&result, "low_fit_sent", "emails_sent", fit_cdf(0.35));
}

/// One list import of 2,000 leads that all finish well before the horizon,
/// one provider that always matches after errors: each lead makes
/// 1 + e + e^2 calls in expectation (max_retries 2), every call costs
/// `cost_per_call`, and every lead is scored and drafted once by an agent.
fn one_batch(error_rate: &str) -> Scenario {
    scenario(&[
        (
            "arrivals",
            "{ kind = \"batch\", size = 2000, every = \"52w\", at = \"mon 08:00\" }",
        ),
        ("enrichment.providers.0.match_rate", "1.0"),
        ("enrichment.providers.0.error_rate", error_rate),
        ("enrichment.providers.0.max_retries", "2"),
        ("enrichment.providers.0.cost_per_call", "0.25"),
        ("enrichment.providers.0.rate_limit_per_min", "100000"),
        ("scoring.cost", "0.01"),
        ("drafting.cost", "0.04"),
        ("gate.nurture_below", "0.0"),
        ("review.expire_after", "\"52w\""),
        ("reps.count", "200"),
        ("run.warmup", "\"0s\""),
        ("run.horizon", "\"8w\""),
        ("run.replications", "10"),
    ])
}

#[test]
fn provider_calls_and_retries_follow_the_error_rate() {
    let e = 0.3;
    let result = run(&one_batch("0.3"));
    let leads = 2000.0;
    for r in &result.replications {
        let get = |n: &str| r.metrics[metric_index(n).unwrap()].unwrap();
        assert_eq!(get("leads_arrived"), leads);
        assert_eq!(get("leads_in_progress_end"), 0.0);
        // Every call is a first call (one per lead) or a retry.
        assert_eq!(get("provider_calls"), leads + get("provider_retries"));
    }
    let per_lead = mean(&result, "provider_calls") / leads;
    let expected = 1.0 + e + e * e;
    let tolerance = half_width_999(&result, "provider_calls") / leads;
    eprintln!("calls per lead {per_lead:.4} vs {expected:.4} (tolerance {tolerance:.4})");
    assert!((per_lead - expected).abs() <= tolerance);
    // With max_retries 2 a lead is unreachable after three errors in a row.
    check_binomial(&result, "leads_unreachable", "leads_arrived", e * e * e);
}

#[test]
fn agent_costs_are_calls_scorings_and_drafts_at_their_prices() {
    let result = run(&one_batch("0.3"));
    for r in &result.replications {
        let get = |n: &str| r.metrics[metric_index(n).unwrap()].unwrap();
        // Unreachable leads are neither scored nor drafted.
        let scored = get("leads_arrived") - get("leads_unreachable");
        let expected = 0.25 * get("provider_calls") + (0.01 + 0.04) * scored;
        let cost = get("cost_agents");
        assert!(
            (cost - expected).abs() <= 1e-9 * expected,
            "cost_agents {cost} vs {expected}"
        );
        let per_email = (cost + 55.0 * get("rep_prep_hours")) / get("emails_sent");
        assert!((get("cost_per_email_sent") - per_email).abs() <= 1e-9 * per_email);
        let meeting_cost = r.metrics[metric_index("cost_per_meeting").unwrap()];
        if get("meetings") == 0.0 {
            assert_eq!(meeting_cost, None, "undefined without meetings");
        } else {
            let per_meeting = (cost
                + 55.0 * (get("rep_prep_hours") + get("rep_conversation_hours")))
                / get("meetings");
            let meeting_cost = meeting_cost.unwrap();
            assert!((meeting_cost - per_meeting).abs() <= 1e-9 * per_meeting);
        }
    }
}

/// A second recorder, written here, outside the model: it counts what the
/// metrics count, from the same happenings, in the measured window.
#[derive(Default)]
struct Probe {
    warmup: f64,
    horizon: f64,
    sends: u64,
    reviews_of_window_leads: u64,
    scorings: u64,
    calls_per_minute: std::collections::BTreeMap<i64, u64>,
}

impl Recorder for Probe {
    fn record(&mut self, now: f64, happening: Happening) {
        let in_window = now >= self.warmup && now < self.horizon;
        match happening {
            Happening::Send { .. } if in_window => self.sends += 1,
            Happening::ReviewEnd { lead, .. }
                if lead.arrived >= self.warmup && lead.arrived < self.horizon =>
            {
                self.reviews_of_window_leads += 1;
            }
            Happening::StageStart {
                stage: Stage::Scoring,
                ..
            } => self.scorings += 1,
            Happening::ProviderCall { .. } => {
                *self
                    .calls_per_minute
                    .entry((now / 60.0).floor() as i64)
                    .or_default() += 1;
            }
            _ => {}
        }
    }
}

#[test]
fn a_second_recorder_sees_the_run_the_metrics_count() {
    let sc = scenario(&[("run.replications", "1")]);
    let mut probe = Probe {
        warmup: sc.run.warmup,
        horizon: sc.run.horizon,
        ..Probe::default()
    };
    let (with_probe, _) = run_replication_with(&sc, 0, &mut probe).unwrap();
    let alone = run_replication(&sc, 0).unwrap();
    // The probe changes nothing.
    assert_eq!(with_probe, alone);
    let get = |n: &str| alone.metrics[metric_index(n).unwrap()].unwrap();
    assert_eq!(probe.sends as f64, get("emails_sent"));
    assert_eq!(probe.reviews_of_window_leads as f64, get("drafts_reviewed"));
    assert!(probe.scorings > 0);
}

/// A binding rate limit seen call by call: no calendar minute holds more
/// calls than the rate plus the bucket's burst (its capacity).
#[test]
fn calls_per_minute_never_exceed_the_limit_plus_the_burst() {
    for rate in [60u64, 600] {
        let limit = rate.to_string();
        let sc = scenario(&[
            (
                "arrivals",
                "{ kind = \"batch\", size = 20000, every = \"1w\", at = \"mon 08:00\" }",
            ),
            ("enrichment.providers.0.rate_limit_per_min", limit.as_str()),
            ("agents.concurrency", "2000"),
            ("run.horizon", "\"4w\""),
        ]);
        let mut probe = Probe::default();
        run_replication_with(&sc, 0, &mut probe).unwrap();
        let busiest = probe.calls_per_minute.values().max().copied().unwrap();
        let saturated = probe
            .calls_per_minute
            .values()
            .filter(|&&n| n >= rate)
            .count();
        eprintln!("rate {rate}: busiest minute {busiest}, {saturated} minutes at the limit");
        assert!(
            busiest <= 2 * rate,
            "rate {rate}: {busiest} calls in a minute"
        );
        assert!(saturated > 10, "rate {rate}: the limit binds");
    }
}
