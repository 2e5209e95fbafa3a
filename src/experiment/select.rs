//! Choosing a point (docs/MODEL.md section 11): `--objective NAME` (maximise) or
//! `-NAME` (minimise) over the points whose means satisfy every
//! `--constraint 'NAME<=V'` (also `>=`, `<`, `>`). A name is a metric or a
//! ratio of two, `A/B`, whose value at a point is the ratio of the two
//! means. No feasible point is a result, not an error.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::metrics::{metric, named, Aggregate, Metric};

/// What an objective or a constraint reads at a point: one metric's mean,
/// or the ratio of two metrics' means (`low_fit_sent/emails_sent`).
///
/// A ratio is the ratio of the means, not the mean of per-replication
/// ratios: a replication with no emails has no ratio, while the means are
/// defined whenever any replication sends. A mean denominator of 0 leaves
/// the ratio undefined: such a point fails every constraint on it and is
/// never chosen by it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// One metric's mean.
    Metric(&'static Metric),
    /// The mean of the first metric over the mean of the second.
    Ratio(&'static Metric, &'static Metric),
}

impl Measure {
    /// Parses `NAME` or `A/B`; `option` (`--objective meetings/emails`)
    /// begins the message of an unknown name, which suggests close ones.
    pub fn parse(option: &str, text: &str) -> Result<Measure> {
        match text.split_once('/') {
            None => Ok(Measure::Metric(named(option, text.trim())?)),
            Some((a, b)) => {
                let (a, b) = (a.trim(), b.trim());
                if a.is_empty() || b.is_empty() || b.contains('/') {
                    return Err(Error::Usage(format!(
                        "{option}: a ratio is two metric names, A/B (e.g. low_fit_sent/emails_sent)"
                    )));
                }
                Ok(Measure::Ratio(named(option, a)?, named(option, b)?))
            }
        }
    }

    /// The metrics it reads.
    pub fn metrics(&self) -> Vec<&'static Metric> {
        match *self {
            Measure::Metric(m) => vec![m],
            Measure::Ratio(a, b) => vec![a, b],
        }
    }

    /// Its value at a point whose metric means `mean` gives by name: the
    /// mean, or the ratio of the two means; `None` when a mean is undefined
    /// or not finite, or the denominator's mean is 0.
    pub fn value(&self, mean: impl Fn(&str) -> Option<f64>) -> Option<f64> {
        let finite = |m: &Metric| mean(m.name).filter(|v| v.is_finite());
        match *self {
            Measure::Metric(m) => finite(m),
            Measure::Ratio(a, b) => {
                let (a, b) = (finite(a)?, finite(b)?);
                (b != 0.0).then_some(a / b).filter(|v| v.is_finite())
            }
        }
    }

    /// Its value at a point given as a summary in metric order.
    pub fn of(&self, summary: &[Aggregate]) -> Option<f64> {
        self.value(|name| metric(name).and_then(|m| summary.get(m.index())?.mean))
    }

    /// As written: `meetings` or `low_fit_sent/emails_sent`.
    pub fn label(&self) -> String {
        match self {
            Measure::Metric(m) => m.name.to_string(),
            Measure::Ratio(a, b) => format!("{}/{}", a.name, b.name),
        }
    }

    /// True for a ratio.
    pub fn is_ratio(&self) -> bool {
        matches!(self, Measure::Ratio(..))
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// What to optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// The metric, or ratio of metrics.
    pub measure: Measure,
    /// Maximise (true) or minimise.
    pub maximise: bool,
}

/// A comparison of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `>`
    #[serde(rename = ">")]
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

/// A bound on a metric's mean, or on a ratio of two means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraint {
    /// The metric, or ratio of metrics.
    pub measure: Measure,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub bound: f64,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.measure, self.op.text(), self.bound)
    }
}

impl Objective {
    /// Parses `NAME` or `-NAME` (a name is a metric or a ratio `A/B`).
    pub fn parse(text: &str) -> Result<Objective> {
        let t = text.trim();
        let (name, maximise) = match t.strip_prefix('-') {
            Some(rest) => (rest, false),
            None => (t.strip_prefix('+').unwrap_or(t), true),
        };
        let measure = Measure::parse(&format!("--objective {text}"), name.trim())?;
        Ok(Objective { measure, maximise })
    }

    /// Its value at a point whose metric means `mean` gives by name (see
    /// [`Measure::value`]): what the report's heatmap shows.
    pub fn value(&self, mean: impl Fn(&str) -> Option<f64>) -> Option<f64> {
        self.measure.value(mean)
    }

    /// What it optimises, as written: `meetings/emails_sent`.
    pub fn label(&self) -> String {
        self.measure.label()
    }

    /// `maximise` or `minimise`.
    pub fn direction(&self) -> &'static str {
        if self.maximise {
            "maximise"
        } else {
            "minimise"
        }
    }
}

/// `maximise hours_saved_per_rep_week`.
impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.direction(), self.measure)
    }
}

impl Constraint {
    /// Parses `NAME<=V`, `NAME>=V`, `NAME<V` or `NAME>V` (a name is a
    /// metric or a ratio `A/B`).
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
        let measure = Measure::parse(&option, name.trim())?;
        let bound: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| Error::Usage(format!("{option}: the bound is not a finite number")))?;
        Ok(Constraint { measure, op, bound })
    }

    /// True when the point's mean (or ratio of means) satisfies the
    /// constraint (an undefined one never does).
    pub fn holds(&self, summary: &[Aggregate]) -> bool {
        self.measure
            .of(summary)
            .is_some_and(|m| self.op.holds(m, self.bound))
    }
}

/// An objective with its constraints: how a sweep chooses its point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// What to optimise.
    pub objective: Objective,
    /// The bounds a chosen point must satisfy.
    pub constraints: Vec<Constraint>,
}

/// `maximise hours_saved_per_rep_week subject to low_fit_sent <= 100`.
impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.objective)?;
        if !self.constraints.is_empty() {
            let c: Vec<String> = self.constraints.iter().map(ToString::to_string).collect();
            write!(f, " subject to {}", c.join(", "))?;
        }
        Ok(())
    }
}

/// Records hold an objective as `{"direction", "metric"}`.
#[derive(Serialize, Deserialize)]
struct ObjectiveRecord {
    direction: String,
    metric: String,
}

impl Serialize for Objective {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        ObjectiveRecord {
            direction: self.direction().to_string(),
            metric: self.measure.label(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let r = ObjectiveRecord::deserialize(deserializer)?;
        let measure = Measure::parse("objective", &r.metric).map_err(serde::de::Error::custom)?;
        let maximise = match r.direction.as_str() {
            "maximise" => true,
            "minimise" => false,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "direction \"{other}\": expected maximise or minimise"
                )))
            }
        };
        Ok(Objective { measure, maximise })
    }
}

/// Records hold a constraint as `{"bound", "metric", "op"}`.
#[derive(Serialize, Deserialize)]
struct ConstraintRecord {
    bound: f64,
    metric: String,
    op: Op,
}

impl Serialize for Constraint {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        ConstraintRecord {
            bound: self.bound,
            metric: self.measure.label(),
            op: self.op,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Constraint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let r = ConstraintRecord::deserialize(deserializer)?;
        let measure = Measure::parse("constraint", &r.metric).map_err(serde::de::Error::custom)?;
        Ok(Constraint {
            measure,
            op: r.op,
            bound: r.bound,
        })
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
pub fn choose(summaries: &[&[Aggregate]], goal: &Goal) -> Choice {
    let feasible: Vec<bool> = summaries
        .iter()
        .map(|s| goal.constraints.iter().all(|c| c.holds(s)))
        .collect();
    let mut chosen: Option<(usize, f64)> = None;
    for (p, s) in summaries.iter().enumerate() {
        let Some(mean) = goal.objective.measure.of(s) else {
            continue;
        };
        if !feasible[p] {
            continue;
        }
        let better = match chosen {
            None => true,
            Some((_, best)) => {
                if goal.objective.maximise {
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
    use crate::metrics::{metric_index, METRICS};

    fn goal(objective: &str, constraints: &[&str]) -> Goal {
        Goal {
            objective: Objective::parse(objective).unwrap(),
            constraints: constraints
                .iter()
                .map(|c| Constraint::parse(c).unwrap())
                .collect(),
        }
    }

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
        assert_eq!(
            (c.measure.label().as_str(), c.op, c.bound),
            ("low_fit_sent", Op::Le, 50.0)
        );
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
        let free = choose(&refs, &goal("hours_saved_per_rep_week", &[]));
        assert_eq!(free.chosen, Some(0));
        let bounded = choose(
            &refs,
            &goal("hours_saved_per_rep_week", &["low_fit_sent<=50"]),
        );
        assert_eq!(bounded.feasible, [false, true, true]);
        assert_eq!(bounded.chosen, Some(1));
        let minimise = choose(&refs, &goal("-low_fit_sent", &[]));
        assert_eq!(minimise.chosen, Some(2));
    }

    #[test]
    fn ratios_parse_with_a_suggestion_for_each_unknown_side() {
        let o = Objective::parse("-low_fit_sent / emails_sent").unwrap();
        assert!(!o.maximise);
        assert_eq!(o.label(), "low_fit_sent/emails_sent");
        assert!(o.measure.is_ratio());
        let c = Constraint::parse("low_fit_sent/emails_sent<=0.04").unwrap();
        assert_eq!(c.to_string(), "low_fit_sent/emails_sent <= 0.04");
        for (text, suggested) in [
            ("meetings/emails_snt", "\"emails_sent\""),
            ("meetngs/emails_sent", "\"meetings\""),
        ] {
            let err = Objective::parse(text).unwrap_err().to_string();
            assert!(err.contains(&format!("did you mean {suggested}")), "{err}");
        }
        for bad in ["meetings/", "/emails_sent", "a/b/c"] {
            let err = Objective::parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        assert!(Constraint::parse("meetings/emails_sent<=x").is_err());
    }

    #[test]
    fn a_ratio_is_the_ratio_of_the_means_and_undefined_over_a_zero_mean() {
        let points = [
            // 3 meetings from 100 emails, 20 of them to low-fit leads.
            summary(&[
                ("meetings", 3.0),
                ("emails_sent", 100.0),
                ("low_fit_sent", 20.0),
            ]),
            summary(&[
                ("meetings", 2.0),
                ("emails_sent", 40.0),
                ("low_fit_sent", 1.0),
            ]),
            // No email sent: every ratio over emails is undefined.
            summary(&[
                ("meetings", 9.0),
                ("emails_sent", 0.0),
                ("low_fit_sent", 0.0),
            ]),
        ];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let o = Objective::parse("meetings/emails_sent").unwrap();
        assert_eq!(o.measure.of(&points[0]), Some(0.03));
        assert_eq!(o.measure.of(&points[2]), None);
        let mean = |name: &str| {
            if name == "meetings" {
                Some(1.0)
            } else {
                Some(4.0)
            }
        };
        assert_eq!(o.value(mean), Some(0.25));
        let choice = choose(&refs, &goal("meetings/emails_sent", &[]));
        assert_eq!(choice.chosen, Some(1));
        let bounded = choose(
            &refs,
            &goal("meetings", &["low_fit_sent/emails_sent<=0.04"]),
        );
        assert_eq!(bounded.feasible, [false, true, false]);
        assert_eq!(bounded.chosen, Some(1));
        let least = choose(&refs, &goal("-meetings/emails_sent", &[]));
        assert_eq!(least.chosen, Some(0));
    }

    #[test]
    fn no_feasible_point_is_a_result() {
        let points = [summary(&[("meetings", 3.0)]), summary(&[("meetings", 4.0)])];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let choice = choose(&refs, &goal("meetings", &["meetings>10"]));
        assert_eq!(choice.chosen, None);
        assert_eq!(choice.feasible, [false, false]);
    }

    #[test]
    fn undefined_means_are_never_feasible_or_chosen() {
        let points = [summary(&[]), summary(&[("meetings", 1.0)])];
        let refs: Vec<&[Aggregate]> = points.iter().map(Vec::as_slice).collect();
        let choice = choose(&refs, &goal("meetings", &["meetings>=0"]));
        assert_eq!(choice.feasible, [false, true]);
        assert_eq!(choice.chosen, Some(1));
    }

    #[test]
    fn goals_read_as_words_and_round_trip_through_records() {
        let g = goal("-low_fit_sent", &["meetings>=3", "review_wait_mean_h<1.5"]);
        assert_eq!(
            g.to_string(),
            "minimise low_fit_sent subject to meetings >= 3, review_wait_mean_h < 1.5"
        );
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<Goal>(&json).unwrap(), g);
        let bad = json.replace("low_fit_sent", "low_fit_snt");
        assert!(serde_json::from_str::<Goal>(&bad).is_err());
        let ratio = goal("-meetings/emails_sent", &["low_fit_sent/emails_sent<=0.04"]);
        let json = serde_json::to_string(&ratio).unwrap();
        assert!(
            json.contains("\"metric\":\"meetings/emails_sent\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Goal>(&json).unwrap(), ratio);
    }
}
