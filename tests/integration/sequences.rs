//! The revised model of docs/MODEL.md (2026-12): follow-up sequences and
//! their stopping rules, reps' other work, the baseline held fixed whatever
//! the gate, and the capacity warning — each against its rule or theory.

use std::collections::{BTreeMap, HashMap, HashSet};

use salesim::pipeline::{simulate, Happening, Recorder};

use crate::common::{base_file, check_binomial, half_width_999, mean, run, salesim, scenario};

/// A recorder that checks the sequence rules of docs/MODEL.md section 10
/// ("Follow-ups") send by send: at most the daily cap of sends (first emails
/// and follow-ups) per calendar day; follow-ups numbered 1, 2, ... up to
/// `email.follow_ups`, each at least an interval after the lead's previous
/// send; none after a bounce; none at or after the arrival of the lead's
/// reply.
struct SequenceProbe {
    cap: u64,
    interval: f64,
    follow_ups: u32,
    sends_by_day: BTreeMap<i64, u64>,
    /// By lead key: the time and number (0: first email) of its last send.
    last_send: HashMap<u64, (f64, u32)>,
    bounced: HashSet<u64>,
    replied_at: HashMap<u64, f64>,
    follow_ups_seen: u64,
    broken: Vec<String>,
}

impl SequenceProbe {
    fn new(sc: &salesim::scenario::Scenario) -> Self {
        SequenceProbe {
            cap: u64::from(sc.email.mailboxes) * u64::from(sc.email.daily_cap_per_mailbox),
            interval: sc.email.follow_up_interval,
            follow_ups: sc.email.follow_ups,
            sends_by_day: BTreeMap::new(),
            last_send: HashMap::new(),
            bounced: HashSet::new(),
            replied_at: HashMap::new(),
            follow_ups_seen: 0,
            broken: Vec::new(),
        }
    }

    fn broke(&mut self, what: String) {
        if self.broken.len() < 10 {
            self.broken.push(what);
        }
    }
}

impl Recorder for SequenceProbe {
    fn record(&mut self, now: f64, happening: Happening) {
        match happening {
            Happening::Send { lead, bounced, .. } => {
                *self
                    .sends_by_day
                    .entry((now / 86_400.0) as i64)
                    .or_default() += 1;
                self.last_send.insert(lead.key, (now, 0));
                if bounced {
                    self.bounced.insert(lead.key);
                }
            }
            Happening::FollowUp { lead, number, .. } => {
                self.follow_ups_seen += 1;
                *self
                    .sends_by_day
                    .entry((now / 86_400.0) as i64)
                    .or_default() += 1;
                if self.bounced.contains(&lead.key) {
                    self.broke(format!(
                        "lead {} bounced and got follow-up {number}",
                        lead.key
                    ));
                }
                if let Some(&at) = self.replied_at.get(&lead.key) {
                    if at <= now {
                        self.broke(format!(
                            "lead {} got follow-up {number} at {now} after its reply at {at}",
                            lead.key
                        ));
                    }
                }
                match self.last_send.get(&lead.key).copied() {
                    None => self.broke(format!(
                        "lead {} got a follow-up before any email",
                        lead.key
                    )),
                    Some((t, k)) => {
                        if number != k + 1 || number > self.follow_ups {
                            self.broke(format!(
                                "lead {}: follow-up {number} after send {k}",
                                lead.key
                            ));
                        }
                        if now - t < self.interval * (1.0 - 1e-12) {
                            self.broke(format!(
                                "lead {}: follow-up {number} only {} s after the previous send",
                                lead.key,
                                now - t
                            ));
                        }
                    }
                }
                self.last_send.insert(lead.key, (now, number));
            }
            Happening::Reply { lead, .. } if self.replied_at.insert(lead.key, now).is_some() => {
                self.broke(format!("lead {} replied twice", lead.key));
            }
            _ => {}
        }
    }
}

#[test]
fn sequences_keep_the_cap_the_interval_and_stop_at_a_bounce_or_a_reply() {
    // One mailbox of 25 a day: first emails and follow-ups compete for the
    // cap, so follow-ups wait, and replies often arrive while a follow-up
    // is due or queued.
    let sc = scenario(&[
        ("email.follow_ups", "4"),
        ("email.follow_up_interval", "\"2d\""),
        ("email.mailboxes", "1"),
        ("email.daily_cap_per_mailbox", "25"),
        ("email.bounce_rate", "0.1"),
        ("email.reply_rate", "{ at_fit_0 = 0.1, at_fit_1 = 0.4 }"),
        (
            "email.reply_delay",
            "{ dist = \"exponential\", mean = \"2d\" }",
        ),
        ("run.horizon", "\"16w\""),
    ]);
    for replication in 0..3 {
        let probe = simulate(&sc, replication, SequenceProbe::new(&sc))
            .unwrap()
            .recorder;
        assert!(probe.broken.is_empty(), "{:#?}", probe.broken);
        assert!(
            probe.follow_ups_seen > 1000,
            "{} follow-ups",
            probe.follow_ups_seen
        );
        let busiest = probe.sends_by_day.values().max().copied().unwrap();
        assert_eq!(
            busiest, probe.cap,
            "the cap binds on some day and is never passed"
        );
    }
}

#[test]
fn each_send_draws_a_reply_until_one_is_drawn() {
    // Constant reply probability p to the first email and p f^k to follow-up
    // k; a reply within a minute stops the sequence before the next send.
    // P(a reply over the sequence) = 1 - (1 - p)(1 - p f)(1 - p f^2)(1 - p f^3).
    let (p, f) = (0.2_f64, 0.5_f64);
    let sc = scenario(&[
        ("email.follow_ups", "3"),
        ("email.follow_up_interval", "\"1h\""),
        ("email.follow_up_reply_factor", "0.5"),
        ("email.reply_rate", "{ at_fit_0 = 0.2, at_fit_1 = 0.2 }"),
        (
            "email.reply_delay",
            "{ dist = \"constant\", value = \"1m\" }",
        ),
        ("email.bounce_rate", "0.0"),
        ("email.calendar", "\"always\""),
        ("email.daily_cap_per_mailbox", "100000"),
        ("review.edit_probability", "0.0"),
        ("run.replications", "10"),
    ]);
    let result = run(&sc);
    let none: f64 = (0..4).map(|k| 1.0 - p * f.powi(k)).product();
    check_binomial(&result, "replies", "emails_sent", 1.0 - none);
    // Without follow-ups the same leads reply with p: the factor is what
    // the follow-ups add.
    let single = run(&scenario(&[
        ("email.follow_ups", "0"),
        ("email.reply_rate", "{ at_fit_0 = 0.2, at_fit_1 = 0.2 }"),
        ("email.bounce_rate", "0.0"),
        ("email.calendar", "\"always\""),
        ("email.daily_cap_per_mailbox", "100000"),
        ("review.edit_probability", "0.0"),
        ("run.replications", "10"),
    ]));
    check_binomial(&single, "replies", "emails_sent", p);
    assert_eq!(mean(&single, "follow_ups_sent"), 0.0);
}

#[test]
fn follow_ups_already_due_go_out_until_the_reply_arrives() {
    // Sends at 0, 1, 2, 3 h (interval 1 h, nothing waits); a reply drawn at
    // send j arrives at j + 1.5 h, so follow-ups up to j + 1 still go out:
    // min(3, j + 1) follow-ups, 3 when no reply is drawn.
    let (p, f) = (0.3_f64, 0.5_f64);
    let sc = scenario(&[
        ("email.follow_ups", "3"),
        ("email.follow_up_interval", "\"1h\""),
        ("email.follow_up_reply_factor", "0.5"),
        ("email.reply_rate", "{ at_fit_0 = 0.3, at_fit_1 = 0.3 }"),
        (
            "email.reply_delay",
            "{ dist = \"constant\", value = \"90m\" }",
        ),
        ("email.bounce_rate", "0.0"),
        ("email.calendar", "\"always\""),
        ("email.daily_cap_per_mailbox", "100000"),
        ("review.edit_probability", "0.0"),
        ("run.replications", "10"),
    ]);
    let mut outcomes = Vec::new(); // (probability, follow-ups sent)
    let mut none = 1.0;
    for j in 0..4 {
        let q = p * f.powi(j);
        outcomes.push((none * q, (j + 1).min(3) as f64));
        none *= 1.0 - q;
    }
    outcomes.push((none, 3.0));
    let expected: f64 = outcomes.iter().map(|(w, x)| w * x).sum();
    let variance: f64 = outcomes
        .iter()
        .map(|(w, x)| w * (x - expected).powi(2))
        .sum();
    let result = run(&sc);
    let total = |name: &str| -> f64 {
        let i = salesim::metrics::metric_index(name).unwrap();
        result
            .replications
            .iter()
            .map(|r| r.metrics[i].unwrap())
            .sum()
    };
    let (sent, leads) = (total("follow_ups_sent"), total("emails_sent"));
    let per_lead = sent / leads;
    // 4 standard errors of a mean over `leads` independent sequences, plus
    // 1% for sequences cut by the window's edges.
    let tolerance = 4.0 * (variance / leads).sqrt() + 0.01 * expected;
    eprintln!("follow-ups per lead {per_lead:.4} vs {expected:.4} (tolerance {tolerance:.4})");
    assert!(
        (per_lead - expected).abs() <= tolerance,
        "follow-ups per lead {per_lead:.4}, expected {expected:.4} (tolerance {tolerance:.4})"
    );
}

#[test]
fn a_bounce_ends_the_sequence() {
    let sc = scenario(&[
        ("email.follow_ups", "3"),
        ("email.bounce_rate", "1.0"),
        ("run.replications", "3"),
    ]);
    let result = run(&sc);
    assert!(mean(&result, "emails_sent") > 100.0);
    assert_eq!(mean(&result, "follow_ups_sent"), 0.0);
    assert_eq!(mean(&result, "replies"), 0.0);
}

#[test]
fn the_baseline_does_not_move_with_the_gate_the_review_or_the_team() {
    let manual = |overrides: &[(&str, &str)]| -> Vec<u64> {
        let mut all = vec![("run.replications", "3")];
        all.extend_from_slice(overrides);
        let result = run(&scenario(&all));
        let i = salesim::metrics::metric_index("manual_prep_hours").unwrap();
        result
            .replications
            .iter()
            .map(|r| r.metrics[i].unwrap().to_bits())
            .collect()
    };
    let base = manual(&[]);
    for variant in [
        &[("gate.nurture_below", "0.3")][..],
        &[("gate.nurture_below", "0.6")],
        &[("gate.autosend_at_or_above", "0.7")],
        &[(
            "review.duration",
            "{ dist = \"constant\", value = \"10m\" }",
        )],
        &[("reps.count", "4")],
        &[("email.follow_ups", "3")],
        &[(
            "reps.other_work",
            "{ share = 0.5, block = { dist = \"exponential\", mean = \"1h\" } }",
        )],
    ] {
        assert_eq!(
            manual(variant),
            base,
            "manual_prep_hours moved with {variant:?}"
        );
    }
    // It is today's triage that sets it: a different triage threshold is a
    // different baseline.
    assert_ne!(manual(&[("baseline.triage_below", "0.3")]), base);
}

#[test]
fn other_work_takes_its_share_of_working_time() {
    let share = 0.3;
    let sc = scenario(&[
        (
            "reps.other_work",
            "{ share = 0.3, block = { dist = \"exponential\", mean = \"1h\" } }",
        ),
        ("run.replications", "10"),
    ]);
    let result = run(&sc);
    let weeks = (sc.run.horizon - sc.run.warmup) / (7.0 * 86_400.0);
    let working = sc.reps.calendar.working_per_week() / 3600.0 * weeks * f64::from(sc.reps.count);
    let expected = share * working;
    let other = mean(&result, "rep_other_work_hours");
    let tolerance = half_width_999(&result, "rep_other_work_hours");
    eprintln!("other work {other:.1} h vs {expected:.1} h (tolerance {tolerance:.1})");
    assert!(
        (other - expected).abs() <= tolerance,
        "other work {other:.1} h, expected {expected:.1} h (tolerance {tolerance:.1})"
    );
    // Utilization is over the available hours: the same busy time over
    // 70% of the working hours.
    let busy = mean(&result, "rep_prep_hours") + mean(&result, "rep_conversation_hours");
    let utilization = mean(&result, "rep_utilization");
    let available = working - other;
    assert!(
        (utilization - busy / available).abs() <= 0.02 * utilization,
        "rep_utilization {utilization} vs busy / available {}",
        busy / available
    );
}

#[test]
fn the_capacity_warning_appears_exactly_when_the_manual_process_cannot_keep_up() {
    let dir = tempfile::tempdir().unwrap();
    // Two reps against 600 leads a week: the manual prep needs several
    // times their hours.
    let over = dir.path().join("over");
    let out = salesim()
        .args(["run", "-r", "2", "--set", "reps.count=2", "--out"])
        .arg(&over)
        .arg(base_file())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("warning: capacity: the manual process would need"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(over.join("report.json")).unwrap()).unwrap();
    let warnings = json["points"][0]["warnings"]
        .as_array()
        .expect("a warnings array");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("manual_prep_load"));
    let html = std::fs::read_to_string(over.join("index.html")).unwrap();
    assert!(
        html.contains("<p class=\"warning\" id=\"warning\">capacity:"),
        "no visible warning"
    );
    // The JSON on standard output says it too.
    let out = salesim()
        .args([
            "run",
            "-r",
            "2",
            "--set",
            "reps.count=2",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path().join("json"))
        .arg(base_file())
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("capacity:"),
        "{json}"
    );

    // The same base with its ten reps keeps up: no warning anywhere.
    let under = dir.path().join("under");
    let out = salesim()
        .args(["run", "-r", "2", "--out"])
        .arg(&under)
        .arg(base_file())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("warning"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(under.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["points"][0]["warnings"], serde_json::json!([]));
    let html = std::fs::read_to_string(under.join("index.html")).unwrap();
    assert!(
        html.contains("id=\"warning\" hidden"),
        "the warning is hidden"
    );
}
