//! The human-readable summary table printed by `salesim run` on a terminal.

use crate::experiment::RunResult;
use crate::metrics::{metric_index, Aggregate};

/// How a metric's numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// A count: no decimals when whole or large, one otherwise.
    Count,
    /// A share or utilisation in [0, 1] (or a load around 1): three decimals.
    Share,
    /// Hours, money, queue lengths and ratios: two decimals.
    Fixed2,
}

use Style::{Count, Fixed2, Share};

/// The table's sections, in order; every metric appears in exactly one
/// (a unit test checks this against [`crate::metrics::METRICS`]).
const SECTIONS: [(&str, &[(&str, Style)]); 8] = [
    (
        "Headline",
        &[
            ("hours_saved_per_rep_week", Fixed2),
            ("prep_time_reduction", Fixed2),
            ("nurture_share", Share),
            ("review_wait_mean_h", Fixed2),
        ],
    ),
    (
        "Routing",
        &[
            ("leads_arrived", Count),
            ("leads_unreachable", Count),
            ("leads_to_nurture", Count),
            ("leads_to_outreach", Count),
            ("leads_in_progress_end", Count),
        ],
    ),
    (
        "Review gate",
        &[
            ("drafts_reviewed", Count),
            ("drafts_approved", Count),
            ("drafts_edited", Count),
            ("drafts_discarded", Count),
            ("drafts_expired", Count),
            ("review_queue_mean", Fixed2),
            ("review_wait_p95_h", Fixed2),
        ],
    ),
    (
        "Email & replies",
        &[
            ("emails_sent", Count),
            ("emails_autosent", Count),
            ("emails_bounced", Count),
            ("replies", Count),
            ("positive_replies", Count),
            ("meetings", Count),
            ("lead_to_send_p50_h", Fixed2),
            ("lead_to_send_p95_h", Fixed2),
        ],
    ),
    (
        "Nurture",
        &[
            ("nurture_touches", Count),
            ("nurture_reengaged", Count),
            ("leads_dormant", Count),
        ],
    ),
    (
        "Hours & capacity",
        &[
            ("rep_prep_hours", Fixed2),
            ("rep_conversation_hours", Fixed2),
            ("manual_prep_hours", Fixed2),
            ("rep_utilization", Share),
            ("manual_prep_load", Share),
            ("agent_utilization", Share),
        ],
    ),
    (
        "Costs",
        &[
            ("cost_agents", Fixed2),
            ("cost_per_email_sent", Fixed2),
            ("cost_per_meeting", Fixed2),
            ("provider_calls", Count),
            ("provider_retries", Count),
        ],
    ),
    (
        "Gate quality",
        &[
            ("good_fit_to_nurture", Count),
            ("low_fit_reviewed", Count),
            ("low_fit_sent", Count),
        ],
    ),
];

/// Written for an undefined value.
const UNDEFINED: &str = "—";

/// Inserts thousands separators into a formatted decimal number.
fn group_thousands(formatted: &str) -> String {
    let (sign, rest) = match formatted.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", formatted),
    };
    let (int, frac) = match rest.find('.') {
        Some(dot) => rest.split_at(dot),
        None => (rest, ""),
    };
    let mut grouped = String::with_capacity(formatted.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

/// Decimals for a row's numbers, chosen once per row so that the mean and
/// its interval line up: counts show none when every value is whole or the
/// mean is large, one otherwise.
fn decimals(style: Style, a: &Aggregate) -> usize {
    match style {
        Count => {
            let values = [a.mean, a.ci95_low, a.ci95_high];
            let mut finite = values.iter().flatten().filter(|x| x.is_finite());
            let whole = finite.clone().all(|x| x.fract() == 0.0);
            let large = a.mean.is_some_and(|m| m.abs() >= 100.0);
            if whole || large || finite.next().is_none() {
                0
            } else {
                1
            }
        }
        Share => 3,
        Fixed2 => 2,
    }
}

/// A number with thousands separators; `—` when undefined or not finite.
fn number(value: Option<f64>, decimals: usize) -> String {
    let Some(x) = value.filter(|x| x.is_finite()) else {
        return UNDEFINED.to_string();
    };
    let formatted = format!("{x:.decimals$}");
    // A small negative value rounds to "-0.00"; the sign would only mislead.
    let formatted = match formatted.strip_prefix('-') {
        Some(abs) if abs.chars().all(|c| c == '0' || c == '.') => abs.to_string(),
        _ => formatted,
    };
    group_thousands(&formatted)
}

/// The 95% confidence interval as `[low, high]`, or `—`.
fn interval(a: &Aggregate, decimals: usize) -> String {
    match (a.ci95_low, a.ci95_high) {
        (Some(low), Some(high)) if low.is_finite() && high.is_finite() => format!(
            "[{}, {}]",
            number(Some(low), decimals),
            number(Some(high), decimals)
        ),
        _ => UNDEFINED.to_string(),
    }
}

/// One printed metric row.
struct Row {
    name: &'static str,
    mean: String,
    ci: String,
    note: String,
}

/// The summary of a run as a table for a terminal: a header line (scenario,
/// replications, seed), then `metric  mean  95% CI` rows grouped under short
/// headings, headline metrics first. A metric defined in fewer replications
/// than were run says in how many.
pub fn table(result: &RunResult) -> String {
    let replications = result.replications.len();
    let sections: Vec<(&str, Vec<Row>)> = SECTIONS
        .iter()
        .map(|(heading, metrics)| {
            let rows = metrics
                .iter()
                .map(|&(name, style)| {
                    let aggregate = metric_index(name).and_then(|i| result.summary.get(i));
                    match aggregate {
                        Some(a) => Row {
                            name,
                            mean: number(a.mean, decimals(style, a)),
                            ci: interval(a, decimals(style, a)),
                            note: if a.n > 0 && a.n < replications {
                                format!("  (defined in {} of {replications})", a.n)
                            } else {
                                String::new()
                            },
                        },
                        None => Row {
                            name,
                            mean: UNDEFINED.to_string(),
                            ci: UNDEFINED.to_string(),
                            note: String::new(),
                        },
                    }
                })
                .collect();
            (*heading, rows)
        })
        .collect();

    let all_rows = || sections.iter().flat_map(|(_, rows)| rows);
    let width = |f: fn(&Row) -> usize| all_rows().map(f).max().unwrap_or(0);
    let name_w = width(|r| r.name.chars().count()) + 2;
    let mean_w = width(|r| r.mean.chars().count()).max("mean".len());
    let ci_w = width(|r| r.ci.chars().count()).max("95% CI".len());

    let mut out = format!(
        "scenario: {}   replications: {replications}   seed: {}\n\n",
        result.scenario, result.seed
    );
    out.push_str(&format!(
        "{:<name_w$}  {:>mean_w$}  {:>ci_w$}\n",
        "metric", "mean", "95% CI"
    ));
    for (heading, rows) in &sections {
        out.push_str(heading);
        out.push('\n');
        for row in rows {
            let name = format!("  {}", row.name);
            out.push_str(&format!(
                "{name:<name_w$}  {:>mean_w$}  {:>ci_w$}{}\n",
                row.mean, row.ci, row.note
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::metrics::METRICS;
    use crate::output::fixtures::run_result;

    #[test]
    fn sections_list_every_metric_exactly_once() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (_, metrics) in SECTIONS {
            for (name, _) in metrics {
                *seen.entry(name).or_default() += 1;
            }
        }
        for name in METRICS {
            assert_eq!(seen.get(name), Some(&1), "{name}");
        }
        assert_eq!(seen.len(), METRICS.len());
    }

    #[test]
    fn table_lists_every_metric_exactly_once() {
        let text = table(&run_result());
        let first_words: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        for name in METRICS {
            let count = first_words.iter().filter(|w| **w == name).count();
            assert_eq!(count, 1, "{name}");
        }
        assert_eq!(first_words.len(), METRICS.len());
    }

    #[test]
    fn table_starts_with_the_run_and_the_headline() {
        let text = table(&run_result());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("replications: 3"));
        assert!(lines[0].contains("seed: 42"));
        assert!(lines[2].starts_with("metric"));
        assert_eq!(lines[3], "Headline");
        assert!(lines[4]
            .trim_start()
            .starts_with("hours_saved_per_rep_week"));
        assert!(lines[4].contains("9.94"), "{}", lines[4]);
        let arrived = lines.iter().find(|l| l.contains("leads_arrived")).unwrap();
        assert!(arrived.contains("12,100"), "{arrived}");
        let cost = lines
            .iter()
            .find(|l| l.contains("cost_per_meeting"))
            .unwrap();
        assert_eq!(cost.matches(UNDEFINED).count(), 2, "{cost}");
        let share = lines.iter().find(|l| l.contains("nurture_share")).unwrap();
        assert!(share.contains("(defined in 2 of 3)"), "{share}");
    }

    fn stats(mean: f64, low: f64, high: f64) -> Aggregate {
        Aggregate {
            n: 3,
            mean: Some(mean),
            sd: Some(1.0),
            ci95_low: Some(low),
            ci95_high: Some(high),
        }
    }

    #[test]
    fn numbers_follow_their_style() {
        assert_eq!(number(Some(1234567.0), 0), "1,234,567");
        assert_eq!(number(Some(1234.6), 0), "1,235");
        assert_eq!(number(Some(0.12345), 3), "0.123");
        assert_eq!(number(Some(10.066), 2), "10.07");
        assert_eq!(number(Some(-12345.678), 2), "-12,345.68");
        assert_eq!(number(Some(-0.001), 2), "0.00");
        assert_eq!(number(Some(-120.0), 0), "-120");
        assert_eq!(number(None, 2), UNDEFINED);
        assert_eq!(number(Some(f64::NAN), 3), UNDEFINED);
        assert_eq!(decimals(Count, &stats(1234.5, 1200.1, 1268.9)), 0);
        assert_eq!(decimals(Count, &stats(3.0, 3.0, 3.0)), 0);
        assert_eq!(decimals(Count, &stats(2.0, -0.48, 4.48)), 1);
        assert_eq!(decimals(Share, &stats(0.5, 0.4, 0.6)), 3);
        assert_eq!(interval(&stats(2.0, -0.48, 4.48), 1), "[-0.5, 4.5]");
    }
}
