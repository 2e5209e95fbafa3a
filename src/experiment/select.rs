//! Choosing a point (docs/MODEL.md section 11): `--objective NAME` (maximise) or
//! `-NAME` (minimise) over the points whose means satisfy every
//! `--constraint 'NAME<=V'` (also `>=`, `<`, `>`). No feasible point is a
//! result, not an error.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::metrics::{named, Aggregate, Metric};

/// What to optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// The metric.
    pub metric: &'static Metric,
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

/// A bound on a metric's mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraint {
    /// The metric.
    pub metric: &'static Metric,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub bound: f64,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.metric.name, self.op.text(), self.bound)
    }
}

impl Objective {
    /// Parses `NAME` or `-NAME`.
    pub fn parse(text: &str) -> Result<Objective> {
        let t = text.trim();
        let (name, maximise) = match t.strip_prefix('-') {
            Some(rest) => (rest, false),
            None => (t.strip_prefix('+').unwrap_or(t), true),
        };
        let metric = named(&format!("--objective {text}"), name.trim())?;
        Ok(Objective { metric, maximise })
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
        write!(f, "{} {}", self.direction(), self.metric.name)
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
        let metric = named(&option, name.trim())?;
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
        summary[self.metric.index()]
            .mean
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
            metric: self.metric.name.to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let r = ObjectiveRecord::deserialize(deserializer)?;
        let metric = named("objective", &r.metric).map_err(serde::de::Error::custom)?;
        let maximise = match r.direction.as_str() {
            "maximise" => true,
            "minimise" => false,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "direction \"{other}\": expected maximise or minimise"
                )))
            }
        };
        Ok(Objective { metric, maximise })
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
            metric: self.metric.name.to_string(),
            op: self.op,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Constraint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let r = ConstraintRecord::deserialize(deserializer)?;
        let metric = named("constraint", &r.metric).map_err(serde::de::Error::custom)?;
        Ok(Constraint {
            metric,
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
    let i = goal.objective.metric.index();
    let feasible: Vec<bool> = summaries
        .iter()
        .map(|s| goal.constraints.iter().all(|c| c.holds(s)))
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
            (c.metric.name, c.op, c.bound),
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
    }
}
