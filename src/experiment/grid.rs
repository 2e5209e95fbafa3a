//! Sweep grids (docs/MODEL.md section 11): `--set PATH=RANGE_OR_LIST` axes and
//! their Cartesian product, the last axis varying fastest.
//!
//! A range `a:b:s` holds a, a+s, ... up to b, included when b lies on the
//! grid within 1e-9 of a step; values are rounded to the step's decimals so
//! that `0.45` is `0.45`, not `0.45000000000000007`. Ranges of durations
//! (`1d:5d:1d`) step in seconds and are written back with a unit. A list
//! `a,b,c` takes each item as it is (a TOML value, else a string).

use super::value::ParamValue;
use crate::error::{Error, Result};
use crate::scenario::Override;
use crate::units::{format_duration, parse_duration};

/// The most values one axis may have, and the most points a grid may have:
/// a bound on work, far above any sweep a planner runs.
pub const MAX_POINTS: usize = 100_000;

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted key path.
    pub path: String,
    /// Values in order.
    pub values: Vec<ParamValue>,
}

fn usage(text: &str, message: impl std::fmt::Display) -> Error {
    Error::Usage(format!("--set {text}: {message}"))
}

/// Decimals written in a number's text (`0.05` -> 2, `1e-3` -> 3, `4` -> 0).
fn decimals(text: &str) -> usize {
    let t = text.trim();
    if let Some((mantissa, exp)) = t.split_once(['e', 'E']) {
        let exp: i64 = exp.parse().unwrap_or(0);
        let d = decimals(mantissa) as i64 - exp;
        return d.max(0) as usize;
    }
    t.split_once('.').map_or(0, |(_, frac)| frac.len())
}

/// The values of a numeric range, formatted with `places` decimals.
fn numeric_range(text: &str, a: f64, b: f64, step: f64, places: usize) -> Result<Vec<String>> {
    let steps = (b - a) / step;
    if !steps.is_finite() {
        return Err(usage(text, "the range is not finite"));
    }
    // b is on the grid when it is within 1e-9 of a step.
    let last = (steps + 1e-9).floor();
    if last + 1.0 > MAX_POINTS as f64 {
        return Err(usage(
            text,
            format!("{} values; at most {MAX_POINTS}", last + 1.0),
        ));
    }
    Ok((0..=last as usize)
        .map(|k| {
            let v = a + k as f64 * step;
            let scale = 10f64.powi(places as i32);
            let rounded = (v * scale).round() / scale;
            // -0.0 prints as "-0"; a swept value of zero is just 0.
            format!("{:.places$}", rounded + 0.0)
        })
        .collect())
}

/// Parses one `PATH=SPEC` axis of a sweep.
pub fn parse_axis(text: &str) -> Result<Axis> {
    let Override { path, value } = Override::parse(text)?;
    let spec = value.trim();
    if spec.is_empty() {
        return Err(usage(text, "no value after `=`"));
    }
    let values = if spec.starts_with(['{', '[', '"']) {
        // An inline table, array or quoted string is one value.
        vec![spec.to_string()]
    } else if let Some((a, rest)) = spec.split_once(':') {
        let (b, s) = rest
            .split_once(':')
            .ok_or_else(|| usage(text, "a range is START:END:STEP, e.g. 0.2:0.8:0.05"))?;
        range(text, a.trim(), b.trim(), s.trim())?
    } else {
        spec.split(',').map(|v| v.trim().to_string()).collect()
    };
    if values.iter().any(String::is_empty) {
        return Err(usage(text, "an empty value in the list"));
    }
    if values.len() > MAX_POINTS {
        return Err(usage(
            text,
            format!("{} values; at most {MAX_POINTS}", values.len()),
        ));
    }
    let values = values.iter().map(|v| ParamValue::parse(v)).collect();
    Ok(Axis { path, values })
}

/// The values of `a:b:s`, numbers or durations.
fn range(text: &str, a: &str, b: &str, s: &str) -> Result<Vec<String>> {
    let numbers = (a.parse::<f64>(), b.parse::<f64>(), s.parse::<f64>());
    let (start, end, step, durations) = match numbers {
        (Ok(a), Ok(b), Ok(s)) => (a, b, s, false),
        _ => match (parse_duration(a), parse_duration(b), parse_duration(s)) {
            (Ok(a), Ok(b), Ok(s)) => (a, b, s, true),
            _ => return Err(usage(
                text,
                "a range's start, end and step are numbers (0.2:0.8:0.05) or durations (1d:5d:1d)",
            )),
        },
    };
    if !(start.is_finite() && end.is_finite() && step.is_finite()) {
        return Err(usage(text, "the range is not finite"));
    }
    if step <= 0.0 {
        return Err(usage(text, "the step must be above 0"));
    }
    if end < start {
        return Err(usage(text, "the end is below the start"));
    }
    if durations {
        let values = numeric_range(text, start, end, step, 6)?;
        Ok(values
            .iter()
            .map(|v| format!("\"{}\"", format_duration(v.parse().unwrap_or(0.0))))
            .collect())
    } else {
        let places = decimals(a).max(decimals(s));
        numeric_range(text, start, end, step, places)
    }
}

/// The points of the grid of `axes`: every combination, the last axis
/// varying fastest; each point is the list of values in axis order.
/// No axes: one point with no parameters.
pub fn points(axes: &[Axis]) -> Result<Vec<Vec<ParamValue>>> {
    let total = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .filter(|&n| n <= MAX_POINTS)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the sweep grid has more than {MAX_POINTS} points; sweep fewer values"
            ))
        })?;
    let mut points = Vec::with_capacity(total);
    for mut index in 0..total {
        let mut point = Vec::with_capacity(axes.len());
        for axis in axes.iter().rev() {
            let n = axis.values.len();
            point.push(axis.values[index % n].clone());
            index /= n;
        }
        point.reverse();
        points.push(point);
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        parse_axis(text)
            .unwrap()
            .values
            .iter()
            .map(|v| v.override_text().to_string())
            .collect()
    }

    #[test]
    fn float_ranges_include_the_end_and_round_to_the_step() {
        let v = values("gate.nurture_below=0.2:0.8:0.05");
        assert_eq!(v.len(), 13);
        assert_eq!(v[0], "0.20");
        assert_eq!(v[5], "0.45");
        assert_eq!(v[12], "0.80");
        assert_eq!(values("x=0.1:0.3:0.1"), ["0.1", "0.2", "0.3"]);
        // 1.0 is not on the 0.3 grid from 0: it is not included.
        assert_eq!(values("x=0:1:0.3"), ["0.0", "0.3", "0.6", "0.9"]);
    }

    #[test]
    fn integer_ranges_and_lists() {
        assert_eq!(values("reps.count=4:12:4"), ["4", "8", "12"]);
        assert_eq!(values("reps.count=4,8,12"), ["4", "8", "12"]);
        assert_eq!(
            values("review.order=fifo,highest_score"),
            ["fifo", "highest_score"]
        );
        assert_eq!(values("gate.nurture_below=0.45"), ["0.45"]);
        let axis = parse_axis("enrichment.providers.0.match_rate=0.4:0.8:0.1").unwrap();
        assert_eq!(axis.path, "enrichment.providers.0.match_rate");
        assert_eq!(
            values("enrichment.providers.0.match_rate=0.4:0.8:0.1"),
            ["0.4", "0.5", "0.6", "0.7", "0.8"]
        );
    }

    #[test]
    fn duration_ranges_step_in_time() {
        assert_eq!(
            values("review.expire_after=1d:3d:1d"),
            ["\"1d\"", "\"2d\"", "\"3d\""]
        );
        assert_eq!(values("x=30m:90m:30m"), ["\"30m\"", "\"1h\"", "\"90m\""]);
    }

    #[test]
    fn an_inline_table_is_one_value() {
        let v = values("review.duration={ dist = \"constant\", value = \"2m\" }");
        assert_eq!(v, ["{ dist = \"constant\", value = \"2m\" }"]);
    }

    #[test]
    fn bad_ranges_and_lists_are_usage_errors() {
        for bad in [
            "x=0.2:0.8",
            "x=0.2:0.8:0",
            "x=0.2:0.8:-0.1",
            "x=0.8:0.2:0.1",
            "x=a:b:c",
            "x=1:2:nan",
            "x=",
            "x=1,,2",
            "noequals",
            "=3",
            "x=0:1:1e-9",
        ] {
            let err = parse_axis(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        assert!(parse_axis("x=0.2:0.8:0")
            .unwrap_err()
            .to_string()
            .contains("--set x=0.2:0.8:0"));
    }

    #[test]
    fn grid_points_vary_the_last_axis_fastest() {
        let axes = [
            parse_axis("reps.count=4,8").unwrap(),
            parse_axis("gate.nurture_below=0.3:0.5:0.1").unwrap(),
        ];
        let p = points(&axes).unwrap();
        let text = |p: &[ParamValue]| -> Vec<String> { p.iter().map(|v| v.to_string()).collect() };
        assert_eq!(p.len(), 6);
        assert_eq!(text(&p[0]), ["4", "0.3"]);
        assert_eq!(text(&p[1]), ["4", "0.4"]);
        assert_eq!(text(&p[3]), ["8", "0.3"]);
        assert_eq!(points(&[]).unwrap(), vec![Vec::<ParamValue>::new()]);
    }

    #[test]
    fn huge_grids_are_refused() {
        let axes = [
            parse_axis("a=1:1000:1").unwrap(),
            parse_axis("b=1:1000:1").unwrap(),
        ];
        assert_eq!(points(&axes).unwrap_err().exit_code(), 2);
    }
}
