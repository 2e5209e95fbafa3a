//! From a mapped log to the scenario's keys: one pass over the cases
//! gathers what each key is estimated from, then each key is fitted (or
//! kept from the base, with the reason).

use std::collections::{HashMap, HashSet};

use super::discover::{self, ArrivalFit, Discovered};
use super::map::Happening;
use super::read::{Log, LANE_AGENT, LANE_HUMAN, NO_RESOURCE};
use super::sequence;
use super::stats::{self, Candidate, DurationFit, Linear, Rate};
use crate::calendar::Calendar;
use crate::scenario::Scenario;

/// How a key was fitted.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Estimate {
    /// A duration distribution.
    Duration {
        /// The fits, best AIC first.
        fit: DurationFit,
        /// The chosen form: a family's name, `empirical` or `constant`.
        chosen: String,
    },
    /// A probability with its interval.
    Rate {
        /// The rate.
        rate: Rate,
    },
    /// A probability linear in the lead score.
    Linear {
        /// The fit.
        linear: Linear,
    },
    /// The most common value of a count or a gap.
    Mode {
        /// The value (a count, or seconds).
        value: f64,
        /// How many of the observations have it.
        share: f64,
    },
    /// Leads a week.
    PerWeek {
        /// The estimate.
        value: f64,
        /// 95% interval.
        low: f64,
        /// See `low`.
        high: f64,
    },
    /// A calendar.
    Calendar {
        /// Days and windows.
        calendar: Discovered,
    },
    /// Anything else (a count, a lane, a batch).
    Plain {
        /// The value in words.
        value: String,
    },
}

/// One fitted (or kept) key.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fitted {
    /// Dotted key path (`review.duration`).
    pub key: String,
    /// Its TOML value; `None`: kept from the base.
    pub toml: Option<String>,
    /// Observations it was estimated from.
    pub n: u64,
    /// How: the method and its evidence, as the `_source` says after the
    /// file and dates; or, kept, why.
    pub method: String,
    /// The runner-up, for durations.
    pub runner_up: Option<String>,
    /// The estimate's details.
    pub estimate: Option<Estimate>,
    /// Duration observations in seconds (for the histogram and an
    /// `empirical` file), when it is a duration.
    #[serde(skip)]
    pub samples: Vec<f64>,
    /// The value as a number for comparisons (a rate, leads a week, a
    /// count, seconds); NaN when not a number.
    pub number: f64,
}

impl Fitted {
    fn kept(key: &str, n: u64, why: String) -> Fitted {
        Fitted {
            key: key.into(),
            toml: None,
            n,
            method: why,
            runner_up: None,
            estimate: None,
            samples: Vec::new(),
            number: f64::NAN,
        }
    }
}

/// A number with `digits` significant digits, trailing zeros dropped.
pub fn sig(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - mag).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A duration in seconds as a scenario writes it, to 5 significant digits
/// in a readable unit.
pub fn duration_text(seconds: f64) -> String {
    let (unit, scale) = if seconds < 120.0 {
        ("s", 1.0)
    } else if seconds < 7200.0 {
        ("m", 60.0)
    } else if seconds < 172_800.0 {
        ("h", 3600.0)
    } else {
        ("d", 86_400.0)
    };
    format!("{}{unit}", sig(seconds / scale, 5))
}

/// A duration's distribution as TOML, and its description.
fn dist_toml(c: &Candidate) -> (String, String) {
    let [p, q] = c.params;
    match c.family {
        stats::Family::Exponential => {
            let m = duration_text(p);
            (
                format!("{{ dist = \"exponential\", mean = \"{m}\" }}"),
                format!("exponential mean {m}"),
            )
        }
        stats::Family::Lognormal => {
            let median = duration_text(p.exp());
            let p90 = duration_text((p + crate::dist::Z90 * q).exp());
            (
                format!("{{ dist = \"lognormal\", median = \"{median}\", p90 = \"{p90}\" }}"),
                format!("lognormal median {median}, p90 {p90}"),
            )
        }
        stats::Family::Gamma => {
            let mean = duration_text(p * q);
            let cv = sig(1.0 / p.sqrt(), 5);
            (
                format!("{{ dist = \"gamma\", mean = \"{mean}\", cv = {cv} }}"),
                format!("gamma mean {mean}, cv {cv}"),
            )
        }
    }
}

/// The name an `empirical` key's file takes: `data/review-duration.csv`.
pub fn data_file(key: &str) -> String {
    format!("data/{}.csv", key.replace('.', "-"))
}

/// The column of an `empirical` key's file.
pub const DATA_COLUMN: &str = "duration";

/// Fits a duration key from observations in seconds.
fn duration(key: &str, xs: Vec<f64>) -> Fitted {
    let n = xs.len() as u64;
    if xs.len() < stats::MIN_OBSERVATIONS {
        let mut f = Fitted::kept(
            key,
            n,
            format!(
                "only {n} observations (a duration needs {} or more): the base's value is kept",
                stats::MIN_OBSERVATIONS
            ),
        );
        f.samples = xs;
        return f;
    }
    if xs.iter().all(|x| *x == 0.0) {
        return Fitted {
            key: key.into(),
            toml: Some("{ dist = \"constant\", value = \"0s\" }".into()),
            n,
            method: "every observation is 0 s: constant".into(),
            runner_up: None,
            estimate: None,
            samples: xs,
            number: 0.0,
        };
    }
    let Some(fit) = stats::fit_durations(&xs) else {
        let v = xs.iter().copied().fold(0.0, f64::max);
        return Fitted {
            key: key.into(),
            toml: Some(format!(
                "{{ dist = \"constant\", value = \"{}\" }}",
                duration_text(v)
            )),
            n,
            method: "every positive observation is the same: constant".into(),
            runner_up: None,
            estimate: None,
            samples: xs,
            number: v,
        };
    };
    duration_fitted(key, xs, fit, "")
}

/// A duration key from its families fitted to `xs` (the best first);
/// `aic_of` says what the AIC is of, when not the sample's own likelihood.
fn duration_fitted(key: &str, xs: Vec<f64>, fit: stats::DurationFit, aic_of: &str) -> Fitted {
    let n = xs.len() as u64;
    let aic: Vec<String> = fit
        .candidates
        .iter()
        .map(|c| format!("{} {}", c.family.name(), sig(c.aic, 7)))
        .collect();
    let aic = format!("AIC{aic_of} {}", aic.join(" < "));
    let zeros = if fit.zeros > 0 {
        format!(", {} of them 0 s", fit.zeros)
    } else {
        String::new()
    };
    let best = fit.candidates[0];
    let runner_up = fit.candidates.get(1).map(|c| {
        format!(
            "{} (AIC +{}, KS D={})",
            dist_toml(c).1,
            sig(c.aic - best.aic, 4),
            sig(c.ks_d, 3)
        )
    });
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    match fit.passing() {
        Some(c) => {
            let (toml, _) = dist_toml(c);
            Fitted {
                key: key.into(),
                toml: Some(toml),
                n,
                method: format!(
                    "{} by maximum likelihood{zeros}, KS D={} (p={}), {aic}",
                    c.family.name(),
                    sig(c.ks_d, 3),
                    sig(c.ks_p, 2)
                ),
                runner_up,
                estimate: Some(Estimate::Duration {
                    chosen: c.family.name().into(),
                    fit: fit.clone(),
                }),
                samples: xs,
                number: c.mean(),
            }
        }
        None => Fitted {
            key: key.into(),
            toml: Some(format!(
                "{{ dist = \"empirical\", file = \"{}\", column = \"{DATA_COLUMN}\" }}",
                data_file(key)
            )),
            n,
            method: format!(
                "empirical: no family passes the KS test at the 1% level{zeros} (best {} KS D={}, p={}; {aic})",
                best.family.name(),
                sig(best.ks_d, 3),
                sig(best.ks_p, 2)
            ),
            runner_up: Some(dist_toml(&best).1),
            estimate: Some(Estimate::Duration {
                chosen: "empirical".into(),
                fit: fit.clone(),
            }),
            samples: xs,
            number: mean,
        },
    }
}

fn rate_fitted(key: &str, rate: Rate, what: &str) -> Fitted {
    Fitted {
        key: key.into(),
        toml: Some(sig(rate.value, 4)),
        n: rate.n,
        method: format!(
            "{} of {} {what}, 95% interval [{}, {}] (Clopper-Pearson)",
            rate.k,
            rate.n,
            sig(rate.low, 3),
            sig(rate.high, 3)
        ),
        runner_up: None,
        estimate: Some(Estimate::Rate { rate }),
        samples: Vec::new(),
        number: rate.value,
    }
}

fn mode_fitted(
    key: &str,
    values: &[i64],
    what: &str,
    render: impl Fn(i64) -> String,
) -> Option<Fitted> {
    let (v, count) = discover::mode(values.iter().copied())?;
    let share = count as f64 / values.len() as f64;
    Some(Fitted {
        key: key.into(),
        toml: Some(render(v)),
        n: values.len() as u64,
        method: format!(
            "the most common {what}: {} of {} ({}%)",
            count,
            values.len(),
            sig(100.0 * share, 3)
        ),
        runner_up: None,
        estimate: Some(Estimate::Mode {
            value: v as f64,
            share,
        }),
        samples: Vec::new(),
        number: v as f64,
    })
}

/// A case's sequence: its sends, bounce, edit, reply and score.
#[derive(Debug, Clone)]
struct Sequence {
    /// Every send, the first email first (never empty).
    sends: Vec<f64>,
    bounced: bool,
    edited: bool,
    reply: Option<f64>,
    score: f64,
}

/// What a case pass gathers.
#[derive(Debug, Default)]
struct Gathered {
    arrivals: Vec<f64>,
    without_arrival: u64,
    prep: [Vec<(f64, f64, u8)>; 4],
    review: Vec<(f64, f64)>,
    edit: Vec<(f64, f64)>,
    conversation: Vec<(f64, f64)>,
    approved: u64,
    edited: u64,
    discarded: u64,
    rep_instants: Vec<f64>,
    reps: HashSet<u32>,
    sends: Vec<f64>,
    sequences: Vec<Sequence>,
    follow_up_counts: Vec<i64>,
    send_gaps: Vec<i64>,
    reply_delays: Vec<f64>,
    positive: (u64, u64),
    meetings: (u64, u64),
    touches_at_risk: u64,
    engaged: u64,
    touch_gaps: Vec<i64>,
    sequence_touches: Vec<i64>,
    follow_ups_seen: u64,
}

fn stage_index(h: Happening) -> Option<usize> {
    match h {
        Happening::Lookup => Some(0),
        Happening::Enrichment => Some(1),
        Happening::Scoring => Some(2),
        Happening::Drafting => Some(3),
        _ => None,
    }
}

/// The prep stages' keys, in [`stage_index`] order.
pub const STAGES: [&str; 4] = ["lookup", "enrichment", "scoring", "drafting"];

fn gather(log: &Log) -> Gathered {
    let mut g = Gathered::default();
    let has_conversations = log.what.iter().any(|h| h.is_conversation());
    let has_meeting_rows = log.what.contains(&Happening::Meeting);
    let log_end = log.end.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let order = log.by_case();
    let mut i = 0;
    while i < order.len() {
        let case = log.case[order[i] as usize];
        let mut j = i;
        while j < order.len() && log.case[order[j] as usize] == case {
            j += 1;
        }
        let rows: Vec<usize> = order[i..j].iter().map(|&r| r as usize).collect();
        i = j;
        let mut created = None;
        let mut score = f64::NAN;
        let mut sends: Vec<(f64, bool)> = Vec::new(); // (time, explicitly first)
        let mut bounced = false;
        let mut reply: Option<(f64, Option<bool>)> = None;
        let mut edited = false;
        let mut convs: Vec<(f64, Option<bool>)> = Vec::new();
        let mut has_meeting = false;
        let mut touches: Vec<f64> = Vec::new();
        let mut engagements: Vec<f64> = Vec::new();
        let mut calls: Vec<f64> = Vec::new();
        for &r in &rows {
            if !log.score[r].is_nan() {
                score = f64::from(log.score[r]);
            }
            if log.what[r] == Happening::ProviderCall {
                calls.push(log.start[r]);
            }
        }
        for &r in &rows {
            let (h, s, e) = (log.what[r], log.start[r], log.end[r]);
            if h.is_rep_work() {
                g.rep_instants.push(s);
                if log.has_start {
                    g.rep_instants.push(e);
                }
                if log.resource[r] != NO_RESOURCE {
                    g.reps.insert(log.resource[r]);
                }
            }
            match h {
                Happening::LeadCreated => {
                    created.get_or_insert(e);
                }
                _ if stage_index(h).is_some() => {
                    let mut end = e;
                    if h == Happening::Enrichment {
                        // The provider calls inside it are not its work.
                        if let Some(c) = calls
                            .iter()
                            .copied()
                            .filter(|c| *c >= s && *c <= e)
                            .reduce(f64::min)
                        {
                            end = c;
                        }
                    }
                    g.prep[stage_index(h).expect("a stage")].push((s, end, log.lane[r]));
                }
                Happening::ReviewApproved => {
                    g.approved += 1;
                    g.review.push((s, e));
                }
                Happening::ReviewEdited => {
                    g.edited += 1;
                    edited = true;
                    g.review.push((s, e));
                }
                Happening::ReviewDiscarded => {
                    g.discarded += 1;
                    g.review.push((s, e));
                }
                Happening::Edit => g.edit.push((s, e)),
                Happening::FirstEmail => sends.push((e, true)),
                Happening::FollowUp | Happening::Email => sends.push((e, false)),
                Happening::Bounce => bounced = true,
                Happening::Reply | Happening::ReplyPositive | Happening::ReplyNotPositive
                    if reply.is_none() =>
                {
                    let sentiment = match h {
                        Happening::ReplyPositive => Some(true),
                        Happening::ReplyNotPositive => Some(false),
                        _ => None,
                    };
                    reply = Some((e, sentiment));
                }
                Happening::Conversation => {
                    g.conversation.push((s, e));
                    convs.push((e, None));
                }
                Happening::ConversationMeeting => {
                    g.conversation.push((s, e));
                    convs.push((e, Some(true)));
                }
                Happening::ConversationNoMeeting => {
                    g.conversation.push((s, e));
                    convs.push((e, Some(false)));
                }
                Happening::Meeting => has_meeting = true,
                Happening::NurtureTouch => touches.push(e),
                Happening::NurtureEngagement => engagements.push(e),
                _ => {}
            }
        }
        match created {
            Some(t) => g.arrivals.push(t),
            None => g.without_arrival += 1,
        }
        // Sends: the explicit first email, else the first send.
        sends.sort_by(|a, b| a.0.total_cmp(&b.0));
        let first = sends.iter().find(|s| s.1).or(sends.first()).map(|s| s.0);
        // The email calendar is found from first emails: follow-ups go out
        // a fixed interval after the previous send, so they crowd some
        // weekdays (a 3-day interval piles them on Mondays and Thursdays)
        // and would make the quieter days look closed.
        if let Some(t) = first {
            g.sends.push(t);
        }
        if let Some(first) = first {
            let later: Vec<f64> = sends.iter().map(|s| s.0).filter(|t| *t > first).collect();
            g.follow_ups_seen += later.len() as u64;
            let mut prev = first;
            for t in &later {
                g.send_gaps.push((t - prev).round() as i64);
                prev = *t;
            }
            if reply.is_none() && !bounced {
                g.follow_up_counts.push(later.len() as i64);
            }
            g.sequences.push(Sequence {
                sends: std::iter::once(first)
                    .chain(later.iter().copied())
                    .collect(),
                bounced,
                edited,
                reply: reply.map(|r| r.0),
                score,
            });
            if let Some((rt, sentiment)) = reply {
                let last_send = sends
                    .iter()
                    .map(|s| s.0)
                    .filter(|t| *t <= rt)
                    .fold(first, f64::max);
                g.reply_delays.push(rt - last_send);
                // Without a sentiment, a conversation after the reply
                // makes it positive; a reply in the log's last week may
                // not have had its conversation yet, so it is not judged.
                let positive = sentiment.or_else(|| {
                    (has_conversations && rt <= log_end - crate::units::WEEK)
                        .then(|| convs.iter().any(|c| c.0 >= rt))
                });
                if let Some(p) = positive {
                    g.positive.1 += 1;
                    g.positive.0 += u64::from(p);
                }
            }
        }
        for (_, meeting) in &convs {
            let m = meeting.or_else(|| has_meeting_rows.then_some(has_meeting));
            if let Some(m) = m {
                g.meetings.1 += 1;
                g.meetings.0 += u64::from(m);
            }
        }
        // Nurture: touches up to the first engagement are at risk.
        touches.sort_by(f64::total_cmp);
        let first_engaged = engagements.iter().copied().reduce(f64::min);
        for w in touches.windows(2) {
            g.touch_gaps.push((w[1] - w[0]).round() as i64);
        }
        for &t in &touches {
            match first_engaged {
                Some(e) if t > e + 1e-6 => break,
                Some(e) if (t - e).abs() <= 1e-6 => {
                    g.touches_at_risk += 1;
                    g.engaged += 1;
                    break;
                }
                _ => g.touches_at_risk += 1,
            }
        }
        if first_engaged.is_none() && !touches.is_empty() {
            g.sequence_touches.push(touches.len() as i64);
        }
    }
    g
}

/// Everything fitted from a log, with what was found about it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fit {
    /// Every key, fitted or kept, in the order written.
    pub keys: Vec<Fitted>,
    /// Named calendars the fitted keys refer to: (name, calendar).
    pub calendars: Vec<(String, Discovered)>,
    /// The arrival fit.
    pub arrivals: Option<ArrivalFit>,
    /// Arrival times (wall seconds), for the hour-of-week chart.
    #[serde(skip)]
    pub arrival_times: Vec<f64>,
    /// Cases with no lead-created row (left out of the arrivals).
    pub cases_without_arrival: u64,
    /// Notes on the log (offsets, blank owners, duplicates...).
    pub notes: Vec<String>,
}

/// Fits every key the log holds, against the base scenario `base`.
pub fn fit(log: &Log, base: &Scenario) -> Fit {
    let g = gather(log);
    let end = log.end.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut keys = Vec::new();
    let mut calendars: Vec<(String, Discovered)> = Vec::new();
    let mut notes = Vec::new();
    // A calendar under a name, sharing one name with an equal calendar.
    let mut name_calendar = |c: &Discovered| -> String {
        if c.is_always() {
            return "always".into();
        }
        if let Some((n, _)) = calendars
            .iter()
            .find(|(_, d)| d.days == c.days && d.windows == c.windows)
        {
            return n.clone();
        }
        let name = match calendars.len() {
            0 => "fitted".to_string(),
            k => format!("fitted_{}", k + 1),
        };
        calendars.push((name.clone(), c.clone()));
        name
    };

    // Arrivals.
    let arrivals = (!g.arrivals.is_empty()).then(|| discover::arrivals(&g.arrivals, end));
    match &arrivals {
        Some(ArrivalFit::Poisson {
            per_week,
            low,
            high,
            calendar,
            weeks,
        }) => {
            keys.push(Fitted {
                key: "arrivals.kind".into(),
                toml: Some("\"poisson\"".into()),
                n: g.arrivals.len() as u64,
                method: "arrivals spread over time, not in bursts at one instant".into(),
                runner_up: None,
                estimate: Some(Estimate::Plain {
                    value: "poisson".into(),
                }),
                samples: Vec::new(),
                number: f64::NAN,
            });
            keys.push(Fitted {
                key: "arrivals.per_week".into(),
                toml: Some(sig(*per_week, 5)),
                n: g.arrivals.len() as u64,
                method: format!(
                    "{} arrivals over {} weeks of the arrival calendar's working time, 95% interval [{}, {}] (Poisson, exact)",
                    g.arrivals.len(),
                    sig(*weeks, 4),
                    sig(*low, 4),
                    sig(*high, 4)
                ),
                runner_up: None,
                estimate: Some(Estimate::PerWeek {
                    value: *per_week,
                    low: *low,
                    high: *high,
                }),
                samples: Vec::new(),
                number: *per_week,
            });
            match calendar {
                Some(c) => {
                    let name = name_calendar(c);
                    keys.push(calendar_key("arrivals.calendar", &name, c, "arrivals"));
                }
                None => keys.push(Fitted::kept(
                    "arrivals.calendar",
                    g.arrivals.len() as u64,
                    format!(
                        "only {} arrivals (a calendar needs {}): the base's calendar is kept",
                        g.arrivals.len(),
                        discover::MIN_CALENDAR_EVENTS
                    ),
                )),
            }
        }
        Some(ArrivalFit::Batch {
            size,
            every,
            at,
            bursts,
        }) => {
            let n = g.arrivals.len() as u64;
            let day = crate::units::WEEKDAYS[((at / 86_400.0).floor() as usize).min(6)];
            let minutes = ((at % 86_400.0) / 60.0).round() as u32;
            let at_text = format!("{day} {:02}:{:02}", minutes / 60, minutes % 60);
            let plain = |key: &str, toml: String, method: String, number: f64| Fitted {
                key: key.into(),
                toml: Some(toml.clone()),
                n,
                method,
                runner_up: None,
                estimate: Some(Estimate::Plain { value: toml }),
                samples: Vec::new(),
                number,
            };
            keys.push(plain(
                "arrivals.kind",
                "\"batch\"".into(),
                format!("{bursts} bursts of leads arriving at one instant"),
                f64::NAN,
            ));
            keys.push(plain(
                "arrivals.size",
                size.to_string(),
                format!("the most common burst size of {bursts}"),
                *size as f64,
            ));
            keys.push(plain(
                "arrivals.every",
                format!("\"{}\"", crate::units::format_duration(*every)),
                "the most common time between bursts".into(),
                *every,
            ));
            keys.push(plain(
                "arrivals.at",
                format!("\"{at_text}\""),
                "the first burst's day and time".into(),
                *at,
            ));
        }
        None => {}
    }

    // Reps: count and calendar.
    let rep_rows: u64 = log.what.iter().filter(|h| h.is_rep_work()).count() as u64;
    let rep_calendar = discover::calendar(&g.rep_instants);
    if g.reps.is_empty() {
        keys.push(Fitted::kept(
            "reps.count",
            rep_rows,
            "no rep work (reviews, edits, conversations, manual prep) with a resource in the log: the base's count is kept".into(),
        ));
    } else {
        keys.push(Fitted {
            key: "reps.count".into(),
            toml: Some(g.reps.len().to_string()),
            n: rep_rows,
            method: format!(
                "distinct resources on {rep_rows} rows of rep work (reviews, edits, conversations, manual prep)"
            ),
            runner_up: None,
            estimate: Some(Estimate::Plain {
                value: g.reps.len().to_string(),
            }),
            samples: Vec::new(),
            number: g.reps.len() as f64,
        });
    }
    let rep_cal: Calendar = match &rep_calendar {
        Some(c) => {
            let name = name_calendar(c);
            keys.push(calendar_key("reps.calendar", &name, c, "rep work"));
            c.calendar(&name)
        }
        None => {
            if rep_rows > 0 {
                keys.push(Fitted::kept(
                    "reps.calendar",
                    g.rep_instants.len() as u64,
                    format!(
                        "only {} instants of rep work (a calendar needs {}): the base's calendar is kept",
                        g.rep_instants.len(),
                        discover::MIN_CALENDAR_EVENTS
                    ),
                ));
            }
            base.reps.calendar.clone()
        }
    };
    if let Some(c) = discover::calendar(&g.sends) {
        let name = name_calendar(&c);
        keys.push(calendar_key("email.calendar", &name, &c, "first emails"));
    }

    // Durations.
    let working = |cal: &Calendar, spans: &[(f64, f64)]| -> Vec<f64> {
        spans
            .iter()
            .map(|(s, e)| cal.working_between(*s, *e).max(0.0))
            .collect()
    };
    let no_start = |key: &str, n: usize| {
        Fitted::kept(
            key,
            n as u64,
            "the log has no start times, so no durations: the base's value is kept".into(),
        )
    };
    for (k, stage) in STAGES.iter().enumerate() {
        let rows = &g.prep[k];
        if rows.is_empty() {
            continue;
        }
        let human = rows.iter().filter(|r| r.2 == LANE_HUMAN).count();
        let agent = rows.iter().filter(|r| r.2 == LANE_AGENT).count();
        // A CRM's prep rows are people's work unless the log says otherwise.
        let lane_human = human >= agent;
        keys.push(Fitted {
            key: format!("{stage}.lane"),
            toml: Some(if lane_human { "\"human\"" } else { "\"agent\"" }.into()),
            n: rows.len() as u64,
            method: format!(
                "{} of {} {stage} rows in the human lane",
                if agent + human == 0 {
                    rows.len()
                } else {
                    human
                },
                rows.len()
            ),
            runner_up: None,
            estimate: Some(Estimate::Plain {
                value: if lane_human { "human" } else { "agent" }.into(),
            }),
            samples: Vec::new(),
            number: f64::NAN,
        });
        let spans: Vec<(f64, f64)> = rows.iter().map(|r| (r.0, r.1)).collect();
        let (key, cal) = if lane_human {
            (format!("{stage}.manual"), &rep_cal)
        } else {
            (format!("{stage}.agent"), &base.agents.calendar)
        };
        if log.has_start {
            keys.push(duration(&key, working(cal, &spans)));
        } else {
            keys.push(no_start(&key, spans.len()));
        }
    }
    for (key, spans) in [
        ("review.duration", &g.review),
        ("review.edit", &g.edit),
        ("conversations.duration", &g.conversation),
    ] {
        if spans.is_empty() {
            continue;
        }
        if log.has_start {
            keys.push(duration(key, working(&rep_cal, spans)));
        } else {
            keys.push(no_start(key, spans.len()));
        }
    }
    if g.approved + g.edited > 0 {
        keys.push(rate_fitted(
            "review.edit_probability",
            stats::binomial(g.edited, g.approved + g.edited),
            "approving reviews edited the draft",
        ));
    }

    // Email.
    let first_emails = g.sequences.len() as u64;
    if first_emails > 0 {
        let bounced = g.sequences.iter().filter(|s| s.bounced).count() as u64;
        keys.push(rate_fitted(
            "email.bounce_rate",
            stats::binomial(bounced, first_emails),
            "first emails bounced",
        ));
    }
    // With follow-ups in the log, the reply rate, the follow-ups' factor
    // and the delay are fitted together (a reply may answer any send);
    // without, each reply answers the first email.
    let joint = (g.follow_ups_seen > 0)
        .then(|| sequence_keys(log, &g, end))
        .flatten();
    if let Some(joint) = joint {
        keys.extend(joint);
    } else {
        let delay = (!g.reply_delays.is_empty())
            .then(|| duration("email.reply_delay", g.reply_delays.clone()));
        if let Some(d) = &delay {
            keys.push(d.clone());
        }
        if first_emails > 0 {
            keys.push(reply_rate(log, &g, delay.as_ref(), end));
        }
    }
    if g.positive.1 > 0 {
        keys.push(rate_fitted(
            "email.positive_share",
            stats::binomial(g.positive.0, g.positive.1),
            "replies positive",
        ));
    }
    if g.meetings.1 > 0 {
        keys.push(rate_fitted(
            "conversations.meeting_rate",
            stats::binomial(g.meetings.0, g.meetings.1),
            "conversations booked a meeting",
        ));
    }
    // Follow-ups, where the scenario format has them (docs/MODEL.md section 3).
    if crate::scenario::schema::kind_of("email.follow_ups").is_some() && first_emails > 0 {
        if let Some(f) = mode_fitted(
            "email.follow_ups",
            &g.follow_up_counts,
            "number of follow-ups of a sequence that got no reply and no bounce",
            |v| v.to_string(),
        ) {
            keys.push(f);
        }
        if let Some(f) = mode_fitted(
            "email.follow_up_interval",
            &g.send_gaps,
            "time between two sends of a sequence, to the second",
            |v| format!("\"{}\"", crate::units::format_duration(v as f64)),
        ) {
            keys.push(f);
        }
    }

    // Nurture.
    if let Some(f) = mode_fitted(
        "nurture.touches",
        &g.sequence_touches,
        "number of touches of a lead that never engaged",
        |v| v.to_string(),
    ) {
        keys.push(f);
    }
    if let Some(f) = mode_fitted(
        "nurture.interval",
        &g.touch_gaps,
        "time between two touches, to the second",
        |v| format!("\"{}\"", crate::units::format_duration((v as f64).max(1.0))),
    ) {
        keys.push(f);
    }
    if g.touches_at_risk > 0 && log.what.contains(&Happening::NurtureEngagement) {
        let r = stats::binomial(g.engaged, g.touches_at_risk);
        let mut f = rate_fitted(
            "nurture.engage_rate",
            r,
            "touches up to a lead's first engagement engaged it",
        );
        f.toml = Some(format!(
            "{{ at_fit_0 = {v}, at_fit_1 = {v} }}",
            v = sig(r.value, 4)
        ));
        f.method.push_str("; the same at every fit");
        keys.push(f);
    }

    if let Some(note) = send_capacity_note(log, &g, base) {
        notes.push(note);
    }
    let s = &log.stats;
    if s.duplicates > 0 {
        notes.push(format!("{} exact duplicate rows dropped", s.duplicates));
    }
    if s.no_case > 0 {
        notes.push(format!("{} rows without a case id left out", s.no_case));
    }
    if s.blank_resource > 0 {
        notes.push(format!(
            "{} rows of rep work without a resource (blank owner): their times are used, they name no rep",
            s.blank_resource
        ));
    }
    if g.without_arrival > 0 {
        notes.push(format!(
            "{} cases have no lead-created row: they are not arrivals",
            g.without_arrival
        ));
    }
    if s.offsets.len() > 1 {
        let list: Vec<String> = s
            .offsets
            .iter()
            .map(|(m, n)| format!("{} ({n} rows)", offset_text(*m)))
            .collect();
        notes.push(format!(
            "timestamps in {} UTC offsets: {} (a daylight-saving change, or a second time zone); each row is read in its own offset's wall time",
            s.offsets.len(),
            list.join(", ")
        ));
    }
    if !s.unmapped.is_empty() {
        let list: Vec<String> = s
            .unmapped
            .iter()
            .map(|(a, n)| format!("\"{a}\" ({n} rows)"))
            .collect();
        notes.push(format!(
            "unmapped activities, left out: {}",
            list.join(", ")
        ));
    }
    Fit {
        keys,
        calendars,
        arrivals,
        arrival_times: g.arrivals,
        cases_without_arrival: g.without_arrival,
        notes,
    }
}

/// A note when the log sends more emails on a day than the base's mailboxes
/// and daily cap allow (policy, not fitted: section 12): the fitted
/// scenario would hold back sends the team made, and its sends would drift
/// later in the week than the log's.
fn send_capacity_note(log: &Log, g: &Gathered, base: &Scenario) -> Option<String> {
    let mut per_day: HashMap<i64, u64> = HashMap::new();
    for t in g.sequences.iter().flat_map(|s| &s.sends) {
        *per_day
            .entry((t / crate::units::DAY).floor() as i64)
            .or_insert(0) += 1;
    }
    let (&day, &most) = per_day
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
    let cap = u64::from(base.email.mailboxes) * u64::from(base.email.daily_cap_per_mailbox);
    (most > cap).then(|| {
        format!(
            "the log sends up to {most} emails a day ({}), more than the base allows ({} mailboxes x {} a day = {cap}): the fitted scenario holds back sends the team made; set email.mailboxes or email.daily_cap_per_mailbox in the --extends scenario",
            log.date_of(day as f64 * crate::units::DAY),
            base.email.mailboxes,
            base.email.daily_cap_per_mailbox
        )
    })
}

/// `+01:00` from minutes.
pub fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

fn calendar_key(key: &str, name: &str, c: &Discovered, what: &str) -> Fitted {
    Fitted {
        key: key.into(),
        toml: Some(format!("\"{name}\"")),
        n: c.n as u64,
        method: format!(
            "the days and hours that hold {} instants of {what}: {} (15-minute granules holding a tenth of a busy granule's events)",
            c.n,
            c.describe()
        ),
        runner_up: None,
        estimate: Some(Estimate::Calendar {
            calendar: c.clone(),
        }),
        samples: Vec::new(),
        number: f64::NAN,
    }
}

/// The sequences a reply rate is fitted from (first emails that did not
/// bounce and, where the log shows edits, were not edited), and whether
/// the rate can be linear in the score (every one has a score).
fn reply_trials<'a>(log: &Log, g: &'a Gathered) -> (Vec<&'a Sequence>, bool) {
    let trials: Vec<&Sequence> = g
        .sequences
        .iter()
        .filter(|s| !s.bounced && !s.edited)
        .collect();
    let sloped = log.has_score && trials.iter().all(|s| !s.score.is_nan());
    (trials, sloped)
}

/// The reply rate: over first emails that did not bounce (and were not
/// edited, when the log shows edits), linear in the score when the log
/// has one, by maximum likelihood; a send near the end of the log could
/// not be answered yet, so each counts with the chance its reply would
/// have arrived by then (the fitted reply delay's distribution).
fn reply_rate(log: &Log, g: &Gathered, delay: Option<&Fitted>, end: f64) -> Fitted {
    let (trials, sloped) = reply_trials(log, g);
    let delays = &g.reply_delays;
    let mut sorted = delays.clone();
    sorted.sort_by(f64::total_cmp);
    let cdf = |x: f64| -> f64 {
        match delay.and_then(|d| d.estimate.as_ref()) {
            Some(Estimate::Duration { fit, chosen }) if chosen != "empirical" => {
                fit.candidates[0].cdf(x)
            }
            _ if !sorted.is_empty() => {
                sorted.partition_point(|v| *v <= x) as f64 / sorted.len() as f64
            }
            _ => 1.0,
        }
    };
    let y: Vec<bool> = trials.iter().map(|s| s.reply.is_some()).collect();
    let s: Vec<f64> = trials
        .iter()
        .map(|s| if sloped { s.score } else { 0.0 })
        .collect();
    let f: Vec<f64> = trials
        .iter()
        .map(|s| cdf(end - s.sends[0]).max(1e-3))
        .collect();
    let Some(lin) = stats::linear_rate(&y, &s, &f, sloped) else {
        return Fitted::kept(
            "email.reply_rate",
            0,
            "no first email that did not bounce".into(),
        );
    };
    let how = format!(
        "{} replies of {} first emails not bounced",
        lin.at_0.k, lin.at_0.n
    );
    let censored = "by maximum likelihood (censored at the log's end by the reply delay)";
    reply_rate_fitted(
        lin,
        sloped,
        &format!("{how}, linear in the lead score {censored}"),
        &format!("{how}, {censored}"),
        "Wald",
        lin.at_0.n,
    )
}

/// `email.reply_rate` from its fit: the method says `sloped_how` (then the
/// values at score 0 and 1) or `flat_how` (then the one interval), and
/// which kind of `interval` it is.
fn reply_rate_fitted(
    lin: Linear,
    sloped: bool,
    sloped_how: &str,
    flat_how: &str,
    interval: &str,
    n: u64,
) -> Fitted {
    let (a, b) = (lin.at_0.value, lin.at_1.value);
    let method = if sloped {
        format!(
            "{sloped_how}: at score 0 {} [{}, {}], at score 1 {} [{}, {}] (95%, {interval})",
            sig(a, 3),
            sig(lin.at_0.low, 3),
            sig(lin.at_0.high, 3),
            sig(b, 3),
            sig(lin.at_1.low, 3),
            sig(lin.at_1.high, 3)
        )
    } else {
        format!(
            "{flat_how}, 95% interval [{}, {}] ({interval}); the same at every fit",
            sig(lin.at_0.low, 3),
            sig(lin.at_0.high, 3)
        )
    };
    Fitted {
        key: "email.reply_rate".into(),
        toml: Some(format!(
            "{{ at_fit_0 = {}, at_fit_1 = {} }}",
            sig(a.clamp(0.0, 1.0), 4),
            sig(b.clamp(0.0, 1.0), 4)
        )),
        n,
        method,
        runner_up: None,
        estimate: Some(Estimate::Linear { linear: lin }),
        samples: Vec::new(),
        number: a,
    }
}

/// The reply delay, the reply rate and the follow-ups' reply factor,
/// fitted together from sequences with follow-ups ([`sequence`]); `None`
/// when they cannot be (no reply, or too few to fit a delay).
fn sequence_keys(log: &Log, g: &Gathered, end: f64) -> Option<Vec<Fitted>> {
    let (trials, sloped) = reply_trials(log, g);
    let observed: Vec<sequence::Observed> = trials
        .iter()
        .map(|s| sequence::Observed {
            sends: s.sends.clone(),
            reply: s.reply,
            score: if sloped { s.score } else { 0.0 },
        })
        .collect();
    let fit = sequence::fit(&observed, end, sloped)?;
    let lin = fit.linear;
    let replies = observed.iter().filter(|s| s.reply.is_some()).count();
    // The delay's family and parameters are the joint maximum's; its KS
    // distances and histogram are of each reply's delay from the send it is
    // attributed to by its posterior under that maximum.
    let mut delay = if fit.delays.len() < stats::MIN_OBSERVATIONS {
        duration("email.reply_delay", fit.delays.clone())
    } else {
        duration_fitted(
            "email.reply_delay",
            fit.delays.clone(),
            fit.delay.clone(),
            " (of the sequences' joint likelihood)",
        )
    };
    delay.method.push_str(&format!(
        "; fitted jointly with the reply rate and the follow-ups' factor, each reply's delay from the send that drew it attributed by its posterior ({} rounds)",
        fit.rounds
    ));
    let joint = format!(
        "jointly with the follow-ups' factor and the reply delay by maximum likelihood over {} sequences ({replies} replies; a reply may answer the first email or any follow-up sent before it; censored at the log's end)",
        observed.len()
    );
    // How the joint fit's intervals are made (sequence::averaged_interval).
    let interval =
        "likelihood ratio, averaged over the reply delay's families by their Akaike weights";
    let rate = reply_rate_fitted(
        lin,
        sloped,
        &format!("the first email's reply probability, linear in the lead score, {joint}"),
        &format!("the first email's reply probability {joint}"),
        interval,
        observed.len() as u64,
    );
    let f = fit.factor;
    let factor = Fitted {
        key: "email.follow_up_reply_factor".into(),
        toml: Some(sig(f.value, 4)),
        n: f.n,
        method: format!(
            "follow-up k answered with the first email's probability x factor^k, {joint}: {} of {} follow-ups sent before a reply was drawn drew one (attributed); factor {} [{}, {}] (95%, {interval})",
            f.k,
            f.n,
            sig(f.value, 3),
            sig(f.low, 3),
            sig(f.high, 3)
        ),
        runner_up: None,
        estimate: Some(Estimate::Rate { rate: f }),
        samples: Vec::new(),
        number: f.value,
    };
    Some(vec![delay, rate, factor])
}

/// The resources of rep work, by name (for messages and tests).
pub fn rep_names(log: &Log) -> Vec<String> {
    let mut seen: HashMap<u32, ()> = HashMap::new();
    for (i, h) in log.what.iter().enumerate() {
        if h.is_rep_work() && log.resource[i] != NO_RESOURCE {
            seen.insert(log.resource[i], ());
        }
    }
    let mut v: Vec<String> = seen
        .keys()
        .map(|r| log.resources[*r as usize].clone())
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_are_written_to_five_digits() {
        assert_eq!(sig(612.345678, 5), "612.35");
        assert_eq!(sig(0.0231234, 4), "0.02312");
        assert_eq!(sig(20.0, 5), "20");
        assert_eq!(duration_text(150.0), "2.5m");
        assert_eq!(duration_text(45.25), "45.25s");
        assert_eq!(duration_text(86_400.0), "24h");
        assert_eq!(duration_text(3.0 * 86_400.0), "3d");
        for s in [0.5, 59.0, 119.99, 7199.0, 200_000.0] {
            let back = crate::units::parse_duration(&duration_text(s)).unwrap();
            assert!((back / s - 1.0).abs() < 1e-4, "{s} {back}");
        }
    }
}
