//! The model reduced to textbook cases and checked against theory, with
//! tolerances from the replications' confidence intervals.

use crate::common::{
    beta_cdf_integer, check_binomial, half_width_999, mean, run, scenario, REVIEW_QUEUE_ONLY,
};

/// Erlang C: the probability that an arrival waits in an M/M/c queue with
/// offered load `a` = lambda / mu erlangs (Kleinrock, Queueing Systems I, 3.40).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

/// Mean wait in queue of M/M/c, in the unit of `1 / mu`: Wq = C(c, a) / (c mu - lambda).
fn mmc_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// Runs the review queue as M/M/c with `reps` servers, exponential reviews
/// of `service_min` minutes and Poisson arrivals at `per_hour`, and checks
/// the mean wait against Erlang C and the mean queue against Little's law.
fn check_review_queue_against_mmc(reps: u32, service_min: f64, per_hour: f64) {
    let per_week = format!("{}", per_hour * 168.0);
    let count = format!("{reps}");
    let duration = format!("{{ dist = \"exponential\", mean = \"{service_min}m\" }}");
    let mut overrides = REVIEW_QUEUE_ONLY.to_vec();
    overrides.extend([
        ("arrivals.per_week", per_week.as_str()),
        ("reps.count", count.as_str()),
        ("review.duration", duration.as_str()),
        ("run.replications", "10"),
    ]);
    let sc = scenario(&overrides);
    let result = run(&sc);
    let mu = 60.0 / service_min;
    let theory = mmc_wait(reps, per_hour, mu);
    let wait = mean(&result, "review_wait_mean_h");
    let tolerance = half_width_999(&result, "review_wait_mean_h");
    eprintln!(
        "M/M/{reps} rho {:.2}: wait {wait:.4} h vs Erlang C {theory:.4} h (tolerance {tolerance:.4})",
        per_hour / (f64::from(reps) * mu)
    );
    assert!(
        (wait - theory).abs() <= tolerance,
        "M/M/{reps} at load {:.2}: wait {wait:.4} h, Erlang C {theory:.4} h, tolerance {tolerance:.4}",
        per_hour / (f64::from(reps) * mu)
    );
    // Little's law at the gate: L = lambda W.
    let queue = mean(&result, "review_queue_mean");
    let little = per_hour * theory;
    let q_tolerance = half_width_999(&result, "review_queue_mean");
    eprintln!(
        "Little M/M/{reps}: queue {queue:.4} vs lambda Wq {little:.4} (tolerance {q_tolerance:.4})"
    );
    assert!(
        (queue - little).abs() <= q_tolerance,
        "Little's law: queue {queue:.4} vs lambda x Wq {little:.4} (tolerance {q_tolerance:.4})"
    );
    // Little's law between the two measurements themselves: the time
    // average of the queue equals the arrival rate times the measured wait.
    let measured = per_hour * wait;
    assert!(
        (queue - measured).abs() <= q_tolerance + per_hour * tolerance,
        "Little's law (measured): queue {queue:.4} vs lambda x W {measured:.4}"
    );
    // No lead is lost in the reduced pipeline.
    assert_eq!(mean(&result, "leads_to_nurture"), 0.0);
    assert_eq!(mean(&result, "drafts_discarded"), 0.0);
}

#[test]
fn review_queue_matches_mm1_at_moderate_load() {
    check_review_queue_against_mmc(1, 6.0, 7.0); // rho = 0.7
}

#[test]
fn review_queue_matches_mmc_erlang_c_at_high_load() {
    check_review_queue_against_mmc(3, 6.0, 25.0); // rho = 0.83
}

#[test]
fn review_queue_matches_mmc_at_low_load() {
    check_review_queue_against_mmc(4, 10.0, 12.0); // rho = 0.5
}

#[test]
fn noiseless_gate_sends_the_fit_cdf_below_the_threshold_to_nurture() {
    let sc = scenario(&[
        ("scoring.noise_sd", "0.0"),
        ("gate.nurture_below", "0.4"),
        ("run.replications", "10"),
    ]);
    let result = run(&sc);
    let share = mean(&result, "nurture_share");
    let theory = beta_cdf_integer(0.4, 2, 5);
    let tolerance = half_width_999(&result, "nurture_share");
    eprintln!(
        "gate beta(2,5) at 0.4: share {share:.4} vs CDF {theory:.4} (tolerance {tolerance:.4})"
    );
    assert!(
        (share - theory).abs() <= tolerance,
        "nurture share {share:.4} vs Beta(2,5) CDF {theory:.4} (tolerance {tolerance:.4})"
    );
}

#[test]
fn noiseless_gate_with_segments_matches_the_mixture_cdf() {
    let sc = scenario(&[
        ("scoring.noise_sd", "0.0"),
        ("gate.nurture_below", "0.5"),
        ("run.replications", "10"),
        (
            "segments",
            "[{ name = \"smb\", share = 0.7, fit = { dist = \"beta\", alpha = 2.0, beta = 5.0 } }, \
              { name = \"enterprise\", share = 0.3, fit = { dist = \"beta\", alpha = 3.0, beta = 2.0 } }]",
        ),
    ]);
    let result = run(&sc);
    let share = mean(&result, "nurture_share");
    let theory = 0.7 * beta_cdf_integer(0.5, 2, 5) + 0.3 * beta_cdf_integer(0.5, 3, 2);
    let tolerance = half_width_999(&result, "nurture_share");
    eprintln!(
        "gate mixture at 0.5: share {share:.4} vs CDF {theory:.4} (tolerance {tolerance:.4})"
    );
    assert!(
        (share - theory).abs() <= tolerance,
        "nurture share {share:.4} vs mixture CDF {theory:.4} (tolerance {tolerance:.4})"
    );
}

#[test]
fn beta_cdf_helper_matches_known_values() {
    // I_0.5(1, 1) = 0.5; I_x(1, b) = 1 - (1 - x)^b.
    assert!((beta_cdf_integer(0.5, 1, 1) - 0.5).abs() < 1e-12);
    assert!((beta_cdf_integer(0.3, 1, 4) - (1.0 - 0.7f64.powi(4))).abs() < 1e-12);
}

#[test]
fn erlang_c_matches_a_published_value() {
    // c = 2, a = 1 erlang: C = 1/3 (e.g. Gross and Harris, Fundamentals of
    // Queueing Theory, M/M/c example).
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
}

#[test]
fn noiseless_manual_counterfactual_equals_the_sum_of_stage_means() {
    // With no manual scoring noise and every score at the gate, the
    // counterfactual of a reachable lead is the sum of all four stage means.
    let sc = scenario(&[
        ("scoring.manual_noise_sd", "0.0"),
        ("baseline.triage_below", "0.0"),
        ("run.replications", "10"),
    ]);
    let result = run(&sc);
    let per_lead = 3600.0 * mean(&result, "manual_prep_hours") / mean(&result, "leads_arrived");
    let cov = sc.enrichment.coverage();
    let theory = sc.lookup.manual.mean()
        + sc.enrichment.manual.mean()
        + cov * (sc.scoring.manual.mean() + sc.drafting.manual.mean());
    eprintln!("manual counterfactual: {per_lead:.2} s per lead vs {theory:.2} s");
    // About 14,000 leads a replication with a per-lead sd below 15 minutes:
    // the standard error of the pooled mean is under 1.5 s; allow 1%.
    assert!(
        (per_lead / theory - 1.0).abs() < 0.01,
        "manual prep {per_lead:.1} s per lead vs sum of stage means {theory:.1} s"
    );
}

#[test]
fn bounces_and_replies_are_binomial() {
    let sc = scenario(&[
        ("run.replications", "20"),
        ("email.bounce_rate", "0.05"),
        ("email.reply_rate", "{ at_fit_0 = 0.06, at_fit_1 = 0.06 }"),
        ("email.edited_reply_factor", "1.0"),
        ("email.positive_share", "0.25"),
    ]);
    let result = run(&sc);
    check_binomial(&result, "emails_bounced", "emails_sent", 0.05);
    // Replies come from sends that did not bounce: P = 0.95 x 0.06.
    check_binomial(&result, "replies", "emails_sent", 0.95 * 0.06);
    check_binomial(&result, "positive_replies", "replies", 0.25);
}

#[test]
fn human_stages_follow_a_hand_computed_calendar() {
    // One lead a week, Monday 08:00, every stage by a rep on the canonical
    // office calendar (09:00-12:00, 13:00-17:00). By hand:
    //   lookup 4 h       Mon 09:00-12:00, 13:00-14:00
    //   enrichment 3 h   Mon 14:00-17:00 (the provider answers at once)
    //   scoring 2 h      Tue 09:00-11:00 (nothing starts after closing)
    //   drafting 2 h     Tue 11:00-12:00, 13:00-14:00, sent at 14:00
    // so arrival to send is 30 calendar hours and each lead costs 11 rep hours.
    let constant = |d: &str| format!("{{ dist = \"constant\", value = \"{d}\" }}");
    let (four, three, two) = (constant("4h"), constant("3h"), constant("2h"));
    let zero = constant("0s");
    let sc = scenario(&[
        (
            "arrivals",
            "{ kind = \"batch\", size = 1, every = \"1w\", at = \"mon 08:00\" }",
        ),
        ("lookup.lane", "\"human\""),
        ("enrichment.lane", "\"human\""),
        ("scoring.lane", "\"human\""),
        ("drafting.lane", "\"human\""),
        ("lookup.manual", &four),
        ("enrichment.manual", &three),
        ("scoring.manual", &two),
        ("drafting.manual", &two),
        ("enrichment.providers.0.latency", &zero),
        ("enrichment.providers.0.match_rate", "1.0"),
        ("enrichment.providers.0.error_rate", "0.0"),
        ("scoring.manual_noise_sd", "0.0"),
        ("gate.nurture_below", "0.0"),
        ("baseline.triage_below", "0.0"),
        ("email.reply_rate", "{ at_fit_0 = 0.0, at_fit_1 = 0.0 }"),
        ("reps.count", "1"),
        ("run.horizon", "\"10w\""),
        ("run.warmup", "\"2w\""),
        ("run.replications", "2"),
    ]);
    let result = run(&sc);
    assert_eq!(mean(&result, "leads_arrived"), 8.0);
    assert_eq!(mean(&result, "emails_sent"), 8.0);
    assert!((mean(&result, "rep_prep_hours") - 88.0).abs() < 1e-9);
    // The histogram reports quantiles within 0.25%.
    let p50 = mean(&result, "lead_to_send_p50_h");
    assert!(
        (p50 / 30.0 - 1.0).abs() < 0.003,
        "arrival to send {p50} h, by hand 30 h"
    );
    // The manual counterfactual of the same lead is the same 11 hours.
    assert!((mean(&result, "manual_prep_hours") - 88.0).abs() < 1e-9);
    assert!(mean(&result, "hours_saved_per_rep_week").abs() < 1e-9);
}

/// Mean wait in queue (hours) of an M/M/1 queue whose server alternates
/// between up periods (exponential, mean `1 / alpha`) and down periods
/// (exponential, mean `1 / beta`), service paused while down and resumed
/// after (preemptive resume; Avi-Itzhak and Naor, "Some queuing problems
/// with the service station subject to breakdown", Oper. Res. 11, 1963).
/// Solved exactly as a continuous-time Markov chain on (n, phase), n the
/// number in the system truncated at `n_max`, phase up, down with the head
/// in service (paused), or down with nobody started (the head arrived while
/// the server was down): Wq = Lq / lambda by Little's law.
fn breakdown_queue_wait(lambda: f64, mu: f64, alpha: f64, beta: f64, n_max: usize) -> f64 {
    const UP: usize = 0;
    const PAUSED: usize = 1;
    const IDLE_DOWN: usize = 2;
    let states = 3 * (n_max + 1);
    let at = |n: usize, phase: usize| 3 * n + phase;
    // Generator Q (row: from, column: to).
    let mut q = vec![vec![0.0; states]; states];
    let mut rate = |from: usize, to: usize, r: f64| {
        q[from][to] += r;
        q[from][from] -= r;
    };
    for n in 0..=n_max {
        for phase in [UP, PAUSED, IDLE_DOWN] {
            if n < n_max {
                rate(at(n, phase), at(n + 1, phase), lambda);
            }
        }
        if n >= 1 {
            rate(at(n, UP), at(n - 1, UP), mu);
            rate(at(n, UP), at(n, PAUSED), alpha);
        } else {
            rate(at(0, UP), at(0, IDLE_DOWN), alpha);
        }
        rate(at(n, PAUSED), at(n, UP), beta);
        rate(at(n, IDLE_DOWN), at(n, UP), beta);
    }
    // pi Q = 0 with sum pi = 1: solve Q^T pi = 0 with the last equation
    // replaced by the normalisation, by Gaussian elimination with pivoting.
    let mut a: Vec<Vec<f64>> = (0..states)
        .map(|i| (0..states).map(|j| q[j][i]).collect())
        .collect();
    let mut b = vec![0.0; states];
    a[states - 1] = vec![1.0; states];
    b[states - 1] = 1.0;
    for col in 0..states {
        let pivot = (col..states)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-300 {
            continue; // an unreachable state: its probability stays 0
        }
        for row in col + 1..states {
            let factor = a[row][col] / p;
            if factor != 0.0 {
                let (top, bottom) = a.split_at_mut(row);
                for (x, y) in bottom[0][col..].iter_mut().zip(&top[col][col..]) {
                    *x -= factor * y;
                }
                b[row] -= factor * b[col];
            }
        }
    }
    let mut pi = vec![0.0; states];
    for row in (0..states).rev() {
        let s: f64 = (row + 1..states).map(|k| a[row][k] * pi[k]).sum();
        pi[row] = if a[row][row].abs() < 1e-300 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    let lq: f64 = (0..=n_max)
        .map(|n| {
            let n_f = n as f64;
            let started = n_f.min(1.0);
            pi[at(n, UP)] * (n_f - started)
                + pi[at(n, PAUSED)] * (n_f - 1.0).max(0.0)
                + pi[at(n, IDLE_DOWN)] * n_f
        })
        .sum();
    lq / lambda
}

#[test]
fn breakdown_queue_helper_reduces_to_mm1_and_is_worse_with_breakdowns() {
    // Rare, instant breakdowns: M/M/1, Wq = rho / (mu - lambda).
    let w = breakdown_queue_wait(3.0, 5.0, 1e-9, 1e9, 200);
    assert!((w - 0.6 / 2.0).abs() < 1e-6, "{w}");
    let slower = breakdown_queue_wait(3.0, 5.0, 0.5, 2.0, 200);
    assert!(slower > 0.3, "{slower}");
}

#[test]
fn review_queue_with_other_work_matches_the_preemptive_resume_queue() {
    // One rep, exponential reviews of 6 minutes, Poisson drafts at 4 an
    // hour, other work a third of the time in exponential blocks of 30
    // minutes (available periods of mean 60 minutes): available capacity
    // 10 x 2/3 = 6.7 reviews an hour against 4 arriving.
    let (per_hour, service_min, share, block_min) = (4.0, 6.0, 1.0 / 3.0, 30.0);
    let per_week = format!("{}", per_hour * 168.0);
    let duration = format!("{{ dist = \"exponential\", mean = \"{service_min}m\" }}");
    let other = format!(
        "{{ share = {share}, block = {{ dist = \"exponential\", mean = \"{block_min}m\" }} }}"
    );
    let mut overrides = REVIEW_QUEUE_ONLY.to_vec();
    overrides.extend([
        ("arrivals.per_week", per_week.as_str()),
        ("reps.count", "1"),
        ("review.duration", duration.as_str()),
        ("reps.other_work", other.as_str()),
        ("run.replications", "10"),
    ]);
    let result = run(&scenario(&overrides));
    let mu = 60.0 / service_min;
    let beta = 60.0 / block_min;
    let alpha = beta * share / (1.0 - share);
    let theory = breakdown_queue_wait(per_hour, mu, alpha, beta, 400);
    let wait = mean(&result, "review_wait_mean_h");
    let tolerance = half_width_999(&result, "review_wait_mean_h");
    eprintln!(
        "M/M/1 with other work: wait {wait:.4} h vs CTMC {theory:.4} h (tolerance {tolerance:.4}; \
         without other work {:.4} h)",
        mmc_wait(1, per_hour, mu)
    );
    assert!(
        (wait - theory).abs() <= tolerance,
        "wait {wait:.4} h, preemptive-resume queue {theory:.4} h, tolerance {tolerance:.4}"
    );
}
