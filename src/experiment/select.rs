//! Choosing a point (docs/MODEL.md section 11): `--objective NAME` (maximise) or
//! `-NAME` (minimise) over the points whose means satisfy every
//! `--constraint 'NAME<=V'` (also `>=`, `<`, `>`). No feasible point is a
//! result, not an error.

use crate::error::{Error, Result};
use crate::metrics::{metric_index, Aggregate};

/// What to optimise.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// The metric.
    pub metric: &'static str,
    /// Maximise (true) or minimise.
    pub maximise: bool,
}

/// A comparison of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `>`
    Gt,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Gt => ">",
        }
    }

    fn holds(self, x: f64, bound: f64) -> bool {
        match self {
            Op::Le => x <= bound,
            Op::Ge => x >= bound,
            Op::Lt => x < bound,
            Op::Gt => x > bound,
        }
    }
}

/// A bound on a metric's mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The metric.
    pub metric: &'static str,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub bound: f64,
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.metric, self.op.text(), self.bound)
    }
}

fn known_metric(option: &str, name: &str) -> Result<&'static str> {
    metric_index(name)
        .map(|i| crate::metrics::METRICS[i].name)
        .ok_or_else(|| {
            Error::Usage(format!(
                "{option}: unknown metric \"{name}\" (the metric names are listed in the README's glossary)"
            ))
        })
}

impl Objective {
    /// Parses `NAME` or `-NAME`.
    pub fn parse(text: &str) -> Result<Objective> {
        let t = text.trim();
        let (name, maximise) = match t.strip_prefix('-') {
            Some(rest) => (rest, false),
            None => (t.strip_prefix('+').unwrap_or(t), true),
        };
        let metric = known_metric(&format!("--objective {text}"), name.trim())?;
        Ok(Objective { metric, maximise })
    }
}

impl Constraint {
    /// Parses `NAME<=V`, `NAME>=V`, `NAME<V` or `NAME>V`.
    pub fn parse(text: &str) -> Result<Constraint> {
        let option = format!("--constraint {text}");
        let at = text.find(['<', '>']).ok_or_else(|| {
            Error::Usage(format!(
                "{option}: expected NAME<=V, NAME>=V, NAME<V or NAME>V"
            ))
        })?;
        let (name, rest) = text.split_at(at);
        let (op, value) = if let Some(v) = rest.strip_prefix("<=") {
            (Op::Le, v)
        } else if let Some(v) = rest.strip_prefix(">=") {
            (Op::Ge, v)
        } else if let Some(v) = rest.strip_prefix('<') {
            (Op::Lt, v)
        } else {
            (Op::Gt, &rest[1..])
        };
        let metric = known_metric(&option, name.trim())?;
        let bound: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| Error::Usage(format!("{option}: the bound is not a finite number")))?;
        Ok(Constraint { metric, op, bound })
    }

    /// True when the point's mean satisfies the constraint (an undefined
    /// mean never does).
    pub fn holds(&self, summary: &[Aggregate]) -> bool {
        let i = metric_index(self.metric).expect("a parsed constraint names a metric");
        summary[i]
            .mean
            .is_some_and(|m| self.op.holds(m, self.bound))
    }
}

/// The outcome of a choice over the points.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Which points satisfy every constraint.
    pub feasible: Vec<bool>,
    /// The best feasible point, if any (ties: the lowest index).
    pub chosen: Option<usize>,
}

/// Chooses among points (each a summary in metric order).
pub fn choose(
    summaries: &[&[Aggregate]],
    objective: &Objective,
    constraints: &[Constraint],
) -> Choice {
    let i = metric_index(objective.metric).expect("a parsed objective names a metric");
    let feasible: Vec<bool> = summaries
        .iter()
        .map(|s| constraints.iter().all(|c| c.holds(s)))
        .collect();
    let mut chosen: Option<(usize, f64)> = None;
    for (p, s) in summaries.iter().enumerate() {
        let Some(mean) = s[i].mean.filter(|m| m.is_finite()) else {
            continue;
        };
        if !feasible[p] {
            continue;
        }
        let better = match chosen {
            None => true,
            Some((_, best)) => {
                if objective.maximise {
                    mean > best
                } else {
                    mean < best
                }
            }
        };
        if better {
            chosen = Some((p, mean));
        }
    }
    Choice {
        feasible,
        chosen: chosen.map(|(p, _)| p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::METRICS;

    fn summary(values: &[(&str, f64)]) -> Vec<Aggregate> {
        let mut s = vec![
            Aggregate {
                n: 0,
                mean: None,
                sd: None,
                ci95_low: None,
                ci95_high: None
            };
            METRICS.len()
        ];
        for (name, v) in values {
            s[metric_index(name).unwrap()].mean = Some(*v);
        }
        s
    }

    #[test]
    fn objectives_and_constraints_parse() {
        let o = Objective::parse("hours_saved_per_rep_week").unwrap();
        assert!(o.maximise);
        assert!(!Objective::parse("-low_fit_sent").unwrap().maximise);
        let c = Constraint::parse("low_fit_sent<=50").unwrap();
        assert_eq!((c.metric, c.op, c.bound), ("low_fit_sent", Op::Le, 50.0));
        assert_eq!(Constraint::parse("meetings > 3.5").unwrap().op, Op::Gt);
        assert_eq!(Constraint::parse("meetings>=3").unwrap().op, Op::Ge);
        for bad in ["nope<=3", "meetings", "meetings<=x", "meetings<=inf"] {
            assert_eq!(Constraint::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
        assert_eq!(Objective::parse("-nope").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn the_best_feasible_point_is_chosen() {
        let points = [
            summary(&[("hours_saved_per_rep_week", 14.0), ("low_fit_sent", 80.0)]),
            summary(&[("hours_saved_per_rep_week", 12.0), ("low_fit_sent", 40.0)]),
            summary(&[("hours_saved_per_rep_week", 10.0), ("low_fit_sent", 10.0)]),
        ];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let objective = Objective::parse("hours_saved_per_rep_week").unwrap();
        let free = choose(&refs, &objective, &[]);
        assert_eq!(free.chosen, Some(0));
        let bounded = choose(
            &refs,
            &objective,
            &[Constraint::parse("low_fit_sent<=50").unwrap()],
        );
        assert_eq!(bounded.feasible, [false, true, true]);
        assert_eq!(bounded.chosen, Some(1));
        let minimise = choose(&refs, &Objective::parse("-low_fit_sent").unwrap(), &[]);
        assert_eq!(minimise.chosen, Some(2));
    }

    #[test]
    fn no_feasible_point_is_a_result() {
        let points = [summary(&[("meetings", 3.0)]), summary(&[("meetings", 4.0)])];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let choice = choose(
            &refs,
            &Objective::parse("meetings").unwrap(),
            &[Constraint::parse("meetings>10").unwrap()],
        );
        assert_eq!(choice.chosen, None);
        assert_eq!(choice.feasible, [false, false]);
    }

    #[test]
    fn undefined_means_are_never_feasible_or_chosen() {
        let points = [summary(&[]), summary(&[("meetings", 1.0)])];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let choice = choose(
            &refs,
            &Objective::parse("meetings").unwrap(),
            &[Constraint::parse("meetings>=0").unwrap()],
        );
        assert_eq!(choice.feasible, [false, true]);
        assert_eq!(choice.chosen, Some(1));
    }
}
