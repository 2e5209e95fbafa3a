//! The human-readable summary table printed by `salesim run` on a terminal.

use crate::experiment::RunResult;
use crate::metrics::{capacity_warning, Aggregate, Format, Section, METRICS};

/// Written for an undefined value.
const UNDEFINED: &str = "—";

/// Inserts thousands separators into a formatted decimal number.
pub(crate) fn group_thousands(formatted: &str) -> String {
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
pub(crate) fn decimals(format: Format, a: &Aggregate) -> usize {
    match format {
        Format::Count => {
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
        Format::Share => 3,
        Format::Fixed2 => 2,
    }
}

/// A number with thousands separators; `—` when undefined or not finite.
pub(crate) fn number(value: Option<f64>, decimals: usize) -> String {
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
pub(crate) fn interval(a: &Aggregate, decimals: usize) -> String {
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
    let sections: Vec<(&str, Vec<Row>)> = Section::ALL
        .iter()
        .map(|&section| {
            let rows = METRICS
                .iter()
                .zip(&result.summary)
                .filter(|(m, _)| m.section == section)
                .map(|(m, a)| Row {
                    name: m.name,
                    mean: number(a.mean, decimals(m.format, a)),
                    ci: interval(a, decimals(m.format, a)),
                    note: if a.n > 0 && a.n < replications {
                        format!("  (defined in {} of {replications})", a.n)
                    } else {
                        String::new()
                    },
                })
                .collect();
            (section.title(), rows)
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
    if let Some(w) = capacity_warning(&result.summary) {
        out.push_str(&format!("warning: {w}\n\n"));
    }
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
    use super::*;
    use crate::metrics::Format::{Count, Share};
    use crate::output::fixtures::run_result;

    #[test]
    fn table_lists_every_metric_exactly_once() {
        let text = table(&run_result());
        let first_words: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        for name in crate::metrics::metric_names() {
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
        assert!(lines[4].trim_start().starts_with("nurture_share"));
        let saved = lines[5];
        assert!(saved.trim_start().starts_with("hours_saved_per_rep_week"));
        assert!(saved.contains("9.94"), "{saved}");
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
