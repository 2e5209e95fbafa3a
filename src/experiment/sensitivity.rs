//! One-at-a-time sensitivity (docs/MODEL.md section 11): every numeric parameter
//! moved down and up by a fraction, all other keys at the base.
//!
//! Probabilities and thresholds are clamped to [0, 1]; whole numbers are
//! rounded and kept at or above the least value their key accepts (at least
//! 1 where 0 is invalid), both as the scenario schema declares each key
//! ([`crate::scenario::schema::kind_of`]); a duration distribution is scaled as
//! a whole (all its durations by the same factor) and each numeric field of
//! a distribution moves on its own. Run settings, calendars, names, lanes,
//! orders and segment shares (which must sum to 1) stay fixed. A parameter is
//! "assumed" when its `_source` is missing or begins with `assumption`.

use toml_edit::{InlineTable, Value};

use crate::scenario::schema::{describe, kind_of, Kind};
use crate::scenario::{Parameter, Scenario};
use crate::units::{format_duration, parse_duration, DAY, HOUR, MINUTE, WEEK};

/// A parameter moved down and up.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Knob {
    /// What is moved, e.g. `gate.nurture_below` or `review.duration (scale)`.
    pub label: String,
    /// The key path the override sets.
    pub path: String,
    /// The value at the base, as TOML text.
    pub base: String,
    /// The value moved down.
    pub low: String,
    /// The value moved up.
    pub high: String,
    /// The low and high settings as a person reads them: the value, or the
    /// scale factor of a distribution (`x0.8`).
    pub shown: (String, String),
    /// Its `_source`, if any.
    pub source: Option<String>,
    /// True when the source is missing or begins with `assumption`.
    pub assumed: bool,
}

fn is_fixed(key: &str) -> bool {
    key.starts_with("run.")
        || key.starts_with("calendars.")
        || (key.starts_with("segments.") && key.ends_with(".share"))
}

/// True for a source that says the value was set with `--set`.
pub fn is_set_on_command_line(source: Option<&str>) -> bool {
    source.is_some_and(|s| s.starts_with(crate::scenario::SET_SOURCE))
}

/// Where a parameter's value comes from, as every output names it: set on
/// the command line (first), else assumed, else cited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Set with `--set`.
    CommandLine,
    /// The scenario's source calls it an assumption.
    Assumed,
    /// The scenario's source cites a figure.
    Cited,
}

impl Provenance {
    /// The provenance of a value set (or not) on the command line and
    /// assumed (or not).
    pub fn of(set_on_command_line: bool, assumed: bool) -> Provenance {
        if set_on_command_line {
            Provenance::CommandLine
        } else if assumed {
            Provenance::Assumed
        } else {
            Provenance::Cited
        }
    }

    /// Its words.
    pub fn words(self) -> &'static str {
        match self {
            Provenance::CommandLine => "set on the command line",
            Provenance::Assumed => "assumed",
            Provenance::Cited => "cited",
        }
    }
}

/// A knob in words (docs/MODEL.md section 11): its parameter's description
/// from the schema ([`crate::scenario::schema::DESCRIPTIONS`]) with the
/// segment's, provider's or calendar's name, and ` scale` for a
/// distribution scaled as a whole: `segments.0.fit.beta` is `mid-market
/// segment: fit Beta β`, `drafting.agent (scale)` is `drafting (agent):
/// duration scale`. A key without a description keeps its label.
pub fn title(label: &str, sc: &Scenario) -> String {
    let (key, scale) = match label.strip_suffix(" (scale)") {
        Some(key) => (key, " scale"),
        None => (label, ""),
    };
    let Some(description) = describe(key) else {
        return label.to_string();
    };
    let segments: Vec<&str> = key.split('.').collect();
    let index = |i: &str| i.parse::<usize>().ok();
    let name = match segments.as_slice() {
        ["segments", i, ..] => index(i)
            .and_then(|i| sc.segments.get(i))
            .map(|s| s.name.clone()),
        ["enrichment", "providers", i, ..] => index(i)
            .and_then(|i| sc.enrichment.providers.get(i))
            .map(|p| p.name.clone()),
        ["calendars", name, ..] => Some((*name).to_string()),
        _ => None,
    };
    let name = name.unwrap_or_else(|| key.to_string());
    format!("{}{scale}", description.replace("{name}", &name))
}

/// True for an `assumption` (or missing) source.
pub fn is_assumed(source: Option<&str>) -> bool {
    source.is_none_or(|s| {
        let s = s.trim();
        s.is_empty() || s.to_ascii_lowercase().starts_with("assumption")
    })
}

/// A float with at most 9 decimals, as TOML text (always with a point).
fn float_text(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9 + 0.0;
    let text = format!("{rounded}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// The number at key path `path` moved by `factor` (1 - by, or 1 + by), as
/// TOML text; `None` when the value is not a number. An integer stays an
/// integer, rounded and kept at or above the least whole number its key
/// accepts; a value on [0, 1] stays on [0, 1].
fn moved_number(path: &str, value: &Value, factor: f64) -> Option<String> {
    let kind = kind_of(path);
    let unit = kind.is_some_and(Kind::is_unit_interval);
    match value {
        Value::Integer(n) => {
            let least = kind.map_or(0, Kind::least_whole);
            let mut moved = ((*n.value() as f64 * factor).round() as i64).max(least);
            if unit {
                moved = moved.min(1);
            }
            Some(moved.to_string())
        }
        Value::Float(x) => {
            let mut moved = x.value() * factor;
            if unit {
                moved = moved.clamp(0.0, 1.0);
            }
            Some(float_text(moved))
        }
        _ => None,
    }
}

/// A duration string scaled by `factor`, as TOML text in the largest unit
/// that keeps it at least 1 (`"4.8d"`, not `"6912m"`).
fn scaled_duration(text: &str, factor: f64) -> Option<String> {
    let seconds = (parse_duration(text).ok()? * factor * 1e6).round() / 1e6;
    let readable = [("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)]
        .iter()
        .find(|(_, scale)| seconds >= *scale && ((seconds / scale) * 1000.0).fract() == 0.0)
        .map(|(unit, scale)| format!("{}{unit}", seconds / scale))
        .unwrap_or_else(|| format_duration(seconds));
    Some(readable)
}

/// One way to move a parameter: (label, path, low, high, shown low and high).
type Moved = (String, String, String, String, (String, String));

/// The knobs of one parameter (none, one, or one per field of a table).
fn knobs_of(p: &Parameter, by: f64) -> Vec<Moved> {
    if is_fixed(&p.key) {
        return Vec::new();
    }
    let Ok(value) = p.value.parse::<Value>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &value {
        Value::Integer(_) | Value::Float(_) => {
            if let (Some(low), Some(high)) = (
                moved_number(&p.key, &value, 1.0 - by),
                moved_number(&p.key, &value, 1.0 + by),
            ) {
                let shown = (low.clone(), high.clone());
                out.push((p.key.clone(), p.key.clone(), low, high, shown));
            }
        }
        Value::String(s) => {
            if let (Some(low), Some(high)) = (
                scaled_duration(s.value(), 1.0 - by),
                scaled_duration(s.value(), 1.0 + by),
            ) {
                let toml = |d: &str| Value::from(d).to_string();
                let (low_toml, high_toml) = (toml(&low), toml(&high));
                out.push((
                    p.key.clone(),
                    p.key.clone(),
                    low_toml,
                    high_toml,
                    (low, high),
                ));
            }
        }
        Value::InlineTable(table) => out.extend(table_knobs(&p.key, table, by)),
        _ => {}
    }
    // A knob that cannot move (a zero, a count of 1 rounded back) says nothing.
    out.retain(|(_, _, low, high, _)| low != high);
    out
}

/// A distribution's durations scaled together, and each numeric field on
/// its own; for a plain table (a linear rate), each numeric field.
fn table_knobs(key: &str, table: &InlineTable, by: f64) -> Vec<Moved> {
    let rewrite = |f: &dyn Fn(&str, &Value) -> Option<Value>| -> String {
        let mut t = table.clone();
        for (k, v) in t.iter_mut() {
            if let Some(new) = f(k.get(), v) {
                *v = new;
            }
        }
        t.fmt();
        t.to_string()
    };
    let mut out = Vec::new();
    let has_durations = table
        .iter()
        .any(|(_, v)| v.as_str().is_some_and(|s| parse_duration(s).is_ok()));
    if has_durations {
        let scale = |factor: f64| {
            rewrite(&|_, v| {
                let s = v.as_str()?;
                scaled_duration(s, factor).map(Value::from)
            })
        };
        out.push((
            format!("{key} (scale)"),
            key.to_string(),
            scale(1.0 - by),
            scale(1.0 + by),
            (format!("x{}", 1.0 - by), format!("x{}", 1.0 + by)),
        ));
    }
    for (name, v) in table.iter() {
        if matches!(v, Value::Integer(_) | Value::Float(_)) {
            let path = format!("{key}.{name}");
            let set = |factor: f64| {
                rewrite(&|k, v| {
                    (k == name)
                        .then(|| moved_number(&path, v, factor))
                        .flatten()
                        .and_then(|t| t.parse::<Value>().ok())
                })
            };
            let field = |factor: f64| moved_number(&path, v, factor).unwrap_or_default();
            out.push((
                path.clone(),
                key.to_string(),
                set(1.0 - by),
                set(1.0 + by),
                (field(1.0 - by), field(1.0 + by)),
            ));
        }
    }
    out
}

/// The knobs of a scenario's parameters, moved by `by` (0.2 for 20%).
pub fn knobs(parameters: &[Parameter], by: f64) -> Vec<Knob> {
    parameters
        .iter()
        .flat_map(|p| {
            knobs_of(p, by)
                .into_iter()
                .map(move |(label, path, low, high, shown)| Knob {
                    label,
                    path,
                    base: p.value.clone(),
                    low,
                    high,
                    shown,
                    source: p.source.clone(),
                    assumed: is_assumed(p.source.as_deref()),
                })
        })
        .collect()
}

/// Parses `--by 20%` (or `0.2`) into a fraction in (0, 1).
pub fn parse_by(text: &str) -> crate::error::Result<f64> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    value.ok().filter(|v| *v > 0.0 && *v < 1.0).ok_or_else(|| {
        crate::error::Error::Usage(format!(
            "--by {text}: expected a fraction between 0% and 100%, e.g. 20%"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_test_base, Override};

    fn base_knobs() -> Vec<Knob> {
        knobs(&load_test_base(&[]).unwrap().parameters, 0.2)
    }

    fn knob<'a>(all: &'a [Knob], label: &str) -> &'a Knob {
        all.iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("no knob {label}"))
    }

    #[test]
    fn numbers_move_by_the_fraction_and_probabilities_stay_in_range() {
        let all = base_knobs();
        let gate = knob(&all, "gate.nurture_below");
        assert_eq!((gate.low.as_str(), gate.high.as_str()), ("0.36", "0.54"));
        let reps = knob(&all, "reps.count");
        assert_eq!((reps.low.as_str(), reps.high.as_str()), ("8", "12"));
        let meeting = knob(&all, "conversations.meeting_rate");
        assert!(meeting.high.parse::<f64>().unwrap() <= 1.0);
    }

    #[test]
    fn duration_distributions_scale_as_a_whole() {
        let all = base_knobs();
        let review = knob(&all, "review.duration (scale)");
        assert_eq!(review.path, "review.duration");
        assert!(
            review.low.contains("dist = \"lognormal\""),
            "{}",
            review.low
        );
        // The base's median 2.5m and p90 5m, by 0.8 and 1.2.
        assert!(review.low.contains("median = \"2m\""), "{}", review.low);
        assert!(review.low.contains("p90 = \"4m\""), "{}", review.low);
        assert!(review.high.contains("median = \"3m\""), "{}", review.high);
        let fit = knob(&all, "segments.0.fit.alpha");
        assert!(fit.low.contains("alpha = 1.6"), "{}", fit.low);
        assert!(fit.low.contains("beta = 5.0"), "{}", fit.low);
    }

    #[test]
    fn fixed_and_non_numeric_keys_have_no_knob() {
        let all = base_knobs();
        for k in &all {
            assert!(!k.path.starts_with("run."), "{}", k.label);
            assert!(!k.path.starts_with("calendars."), "{}", k.label);
            assert!(!k.path.ends_with(".lane"), "{}", k.label);
            assert!(!k.path.ends_with(".share"), "{}", k.label);
            assert_ne!(k.low, k.high, "{}", k.label);
        }
        // A constant 0s stage cannot be scaled.
        assert!(all.iter().all(|k| k.label != "enrichment.agent (scale)"));
    }

    #[test]
    fn every_knob_of_the_canonical_scenario_has_a_title_in_words() {
        let loaded = crate::scenario::load_embedded(&[]).unwrap();
        let all = knobs(&loaded.parameters, 0.2);
        assert!(all.len() > 40, "{}", all.len());
        for k in &all {
            let t = title(&k.label, &loaded.scenario);
            assert!(
                !t.is_empty() && t != k.label && !t.contains('.'),
                "{}: {t}",
                k.label
            );
        }
        let of = |label: &str| title(label, &loaded.scenario);
        assert_eq!(of("segments.0.fit.beta"), "mid-market segment: fit Beta β");
        assert_eq!(
            of("enrichment.providers.0.match_rate"),
            "provider primary: match rate"
        );
        assert_eq!(of("review.edit_probability"), "review: edit probability");
        assert_eq!(
            of("drafting.agent (scale)"),
            "drafting (agent): duration scale"
        );
        assert_eq!(
            of("email.reply_rate.at_fit_1"),
            "email: reply rate at fit 1"
        );
    }

    #[test]
    fn a_value_set_on_the_command_line_is_neither_assumed_nor_cited() {
        let loaded = load_test_base(&[Override {
            path: "gate.nurture_below".into(),
            value: "0.4".into(),
        }])
        .unwrap();
        let all = knobs(&loaded.parameters, 0.2);
        let gate = knob(&all, "gate.nurture_below");
        assert!(is_set_on_command_line(gate.source.as_deref()));
        assert!(!gate.assumed);
        let reps = knob(&all, "reps.count");
        assert!(!is_set_on_command_line(reps.source.as_deref()));
    }

    #[test]
    fn sources_decide_assumed_or_cited() {
        assert!(is_assumed(None));
        assert!(is_assumed(Some("assumption: one segment")));
        assert!(is_assumed(Some("  Assumption - a guess")));
        assert!(!is_assumed(Some("replyworks.io: 55-65%")));
        let all = base_knobs();
        assert!(knob(&all, "enrichment.providers.0.error_rate").assumed);
        assert!(!knob(&all, "enrichment.providers.0.match_rate").assumed);
    }

    /// One line per knob: everything a sensitivity run writes about it.
    fn knob_lines(all: &[Knob]) -> String {
        all.iter()
            .map(|k| {
                format!(
                    "{} | {} | {} | {} | {} | {} | {} | {}\n",
                    k.label, k.path, k.base, k.low, k.high, k.shown.0, k.shown.1, k.assumed
                )
            })
            .collect()
    }

    #[test]
    fn base_knobs_are_pinned() {
        assert_eq!(knob_lines(&base_knobs()), BASE_KNOBS);
    }

    /// The knobs of the tests' base scenario (`tests/fixtures/base.toml`, a
    /// copy of the canonical one) at `--by 20%`, as written before the
    /// sensitivity analysis read the scenario schema.
    const BASE_KNOBS: &str = r#"arrivals.per_week | arrivals.per_week | 600 | 480 | 720 | 480 | 720 | false
segments.0.fit.alpha | segments.0.fit | { dist = "beta", alpha = 2.0, beta = 5.0 } | { dist = "beta", alpha = 1.6, beta = 5.0 } | { dist = "beta", alpha = 2.4, beta = 5.0 } | 1.6 | 2.4 | false
segments.0.fit.beta | segments.0.fit | { dist = "beta", alpha = 2.0, beta = 5.0 } | { dist = "beta", alpha = 2.0, beta = 4.0 } | { dist = "beta", alpha = 2.0, beta = 6.0 } | 4.0 | 6.0 | false
lookup.agent (scale) | lookup.agent | { dist = "lognormal", median = "20s", p90 = "1m" } | { dist = "lognormal", median = "16s", p90 = "48s" } | { dist = "lognormal", median = "24s", p90 = "1.2m" } | x0.8 | x1.2 | true
lookup.manual (scale) | lookup.manual | { dist = "lognormal", median = "3m", p90 = "8m" } | { dist = "lognormal", median = "2.4m", p90 = "6.4m" } | { dist = "lognormal", median = "3.6m", p90 = "9.6m" } | x0.8 | x1.2 | false
enrichment.manual (scale) | enrichment.manual | { dist = "lognormal", median = "5m", p90 = "12m" } | { dist = "lognormal", median = "4m", p90 = "9.6m" } | { dist = "lognormal", median = "6m", p90 = "14.4m" } | x0.8 | x1.2 | false
enrichment.providers.0.match_rate | enrichment.providers.0.match_rate | 0.6 | 0.48 | 0.72 | 0.48 | 0.72 | false
enrichment.providers.0.latency (scale) | enrichment.providers.0.latency | { dist = "lognormal", median = "2s", p90 = "8s" } | { dist = "lognormal", median = "1.6s", p90 = "6.4s" } | { dist = "lognormal", median = "2.4s", p90 = "9.6s" } | x0.8 | x1.2 | false
enrichment.providers.0.error_rate | enrichment.providers.0.error_rate | 0.02 | 0.016 | 0.024 | 0.016 | 0.024 | true
enrichment.providers.0.rate_limit_per_min | enrichment.providers.0.rate_limit_per_min | 60 | 48 | 72 | 48 | 72 | true
enrichment.providers.0.cost_per_call | enrichment.providers.0.cost_per_call | 0.1 | 0.08 | 0.12 | 0.08 | 0.12 | false
scoring.agent (scale) | scoring.agent | { dist = "constant", value = "3s" } | { dist = "constant", value = "2.4s" } | { dist = "constant", value = "3.6s" } | x0.8 | x1.2 | true
scoring.manual (scale) | scoring.manual | { dist = "lognormal", median = "2m", p90 = "5m" } | { dist = "lognormal", median = "1.6m", p90 = "4m" } | { dist = "lognormal", median = "2.4m", p90 = "6m" } | x0.8 | x1.2 | true
scoring.noise_sd | scoring.noise_sd | 0.12 | 0.096 | 0.144 | 0.096 | 0.144 | true
scoring.manual_noise_sd | scoring.manual_noise_sd | 0.08 | 0.064 | 0.096 | 0.064 | 0.096 | true
scoring.cost | scoring.cost | 0.002 | 0.0016 | 0.0024 | 0.0016 | 0.0024 | true
drafting.agent (scale) | drafting.agent | { dist = "lognormal", median = "20s", p90 = "45s" } | { dist = "lognormal", median = "16s", p90 = "36s" } | { dist = "lognormal", median = "24s", p90 = "54s" } | x0.8 | x1.2 | false
drafting.manual (scale) | drafting.manual | { dist = "lognormal", median = "5.5m", p90 = "12m" } | { dist = "lognormal", median = "4.4m", p90 = "9.6m" } | { dist = "lognormal", median = "6.6m", p90 = "14.4m" } | x0.8 | x1.2 | false
drafting.cost | drafting.cost | 0.03 | 0.024 | 0.036 | 0.024 | 0.036 | false
baseline.triage_below | baseline.triage_below | 0.45 | 0.36 | 0.54 | 0.36 | 0.54 | true
gate.nurture_below | gate.nurture_below | 0.45 | 0.36 | 0.54 | 0.36 | 0.54 | true
gate.good_fit_at | gate.good_fit_at | 0.5 | 0.4 | 0.6 | 0.4 | 0.6 | true
review.duration (scale) | review.duration | { dist = "lognormal", median = "2.5m", p90 = "5m" } | { dist = "lognormal", median = "2m", p90 = "4m" } | { dist = "lognormal", median = "3m", p90 = "6m" } | x0.8 | x1.2 | false
review.edit_probability | review.edit_probability | 0.1 | 0.08 | 0.12 | 0.08 | 0.12 | false
review.edit (scale) | review.edit | { dist = "lognormal", median = "4m", p90 = "10m" } | { dist = "lognormal", median = "3.2m", p90 = "8m" } | { dist = "lognormal", median = "4.8m", p90 = "12m" } | x0.8 | x1.2 | true
review.judgement_noise_sd | review.judgement_noise_sd | 0.05 | 0.04 | 0.06 | 0.04 | 0.06 | true
review.reject_fit_below | review.reject_fit_below | 0.35 | 0.28 | 0.42 | 0.28 | 0.42 | true
review.expire_after | review.expire_after | "3d" | "2.4d" | "3.6d" | 2.4d | 3.6d | true
reps.count | reps.count | 10 | 8 | 12 | 8 | 12 | true
reps.hourly_cost | reps.hourly_cost | 55.0 | 44.0 | 66.0 | 44.0 | 66.0 | true
agents.concurrency | agents.concurrency | 16 | 13 | 19 | 13 | 19 | true
email.mailboxes | email.mailboxes | 10 | 8 | 12 | 8 | 12 | true
email.daily_cap_per_mailbox | email.daily_cap_per_mailbox | 40 | 32 | 48 | 32 | 48 | true
email.bounce_rate | email.bounce_rate | 0.023 | 0.0184 | 0.0276 | 0.0184 | 0.0276 | false
email.reply_rate.at_fit_0 | email.reply_rate | { at_fit_0 = 0.005, at_fit_1 = 0.08 } | { at_fit_0 = 0.004, at_fit_1 = 0.08 } | { at_fit_0 = 0.006, at_fit_1 = 0.08 } | 0.004 | 0.006 | false
email.reply_rate.at_fit_1 | email.reply_rate | { at_fit_0 = 0.005, at_fit_1 = 0.08 } | { at_fit_0 = 0.005, at_fit_1 = 0.064 } | { at_fit_0 = 0.005, at_fit_1 = 0.096 } | 0.064 | 0.096 | false
email.edited_reply_factor | email.edited_reply_factor | 1.1 | 0.88 | 1.32 | 0.88 | 1.32 | true
email.autosend_reply_factor | email.autosend_reply_factor | 0.69 | 0.552 | 0.828 | 0.552 | 0.828 | false
email.positive_share | email.positive_share | 0.14 | 0.112 | 0.168 | 0.112 | 0.168 | false
email.reply_delay (scale) | email.reply_delay | { dist = "lognormal", median = "1d", p90 = "4d" } | { dist = "lognormal", median = "19.2h", p90 = "3.2d" } | { dist = "lognormal", median = "1.2d", p90 = "4.8d" } | x0.8 | x1.2 | true
email.follow_up_interval | email.follow_up_interval | "3d" | "2.4d" | "3.6d" | 2.4d | 3.6d | false
email.follow_up_reply_factor | email.follow_up_reply_factor | 0.6 | 0.48 | 0.72 | 0.48 | 0.72 | false
conversations.duration (scale) | conversations.duration | { dist = "lognormal", median = "30m", p90 = "1h" } | { dist = "lognormal", median = "24m", p90 = "48m" } | { dist = "lognormal", median = "36m", p90 = "1.2h" } | x0.8 | x1.2 | true
conversations.meeting_rate | conversations.meeting_rate | 0.5 | 0.4 | 0.6 | 0.4 | 0.6 | false
nurture.touches | nurture.touches | 4 | 3 | 5 | 3 | 5 | true
nurture.interval | nurture.interval | "1w" | "5.6d" | "1.2w" | 5.6d | 1.2w | true
nurture.engage_rate.at_fit_0 | nurture.engage_rate | { at_fit_0 = 0.002, at_fit_1 = 0.05 } | { at_fit_0 = 0.0016, at_fit_1 = 0.05 } | { at_fit_0 = 0.0024, at_fit_1 = 0.05 } | 0.0016 | 0.0024 | false
nurture.engage_rate.at_fit_1 | nurture.engage_rate | { at_fit_0 = 0.002, at_fit_1 = 0.05 } | { at_fit_0 = 0.002, at_fit_1 = 0.04 } | { at_fit_0 = 0.002, at_fit_1 = 0.06 } | 0.04 | 0.06 | false
nurture.rescore_boost | nurture.rescore_boost | 0.15 | 0.12 | 0.18 | 0.12 | 0.18 | true
"#;

    /// Overrides that put the base scenario's probabilities and
    /// thresholds near 1 and its counts at 1 or 0, where clamping and
    /// rounding decide the knobs.
    const AT_THE_BOUNDS: [(&str, &str); 20] = [
        ("arrivals.per_week", "1"),
        (
            "segments.0.fit",
            "{ dist = \"uniform\", min = 0.5, max = 0.95 }",
        ),
        ("enrichment.providers.0.match_rate", "0.95"),
        ("enrichment.providers.0.error_rate", "0.9"),
        ("enrichment.providers.0.max_retries", "1"),
        ("enrichment.providers.0.rate_limit_per_min", "1"),
        ("enrichment.providers.0.cost_per_call", "1"),
        ("gate.nurture_below", "0.9"),
        ("gate.good_fit_at", "0.95"),
        ("review.edit_probability", "0.9"),
        ("review.reject_fit_below", "0.9"),
        ("reps.count", "1"),
        ("agents.concurrency", "1"),
        ("email.mailboxes", "1"),
        ("email.bounce_rate", "0.9"),
        ("email.reply_rate", "{ at_fit_0 = 0.9, at_fit_1 = 0.95 }"),
        ("email.positive_share", "0.9"),
        ("conversations.meeting_rate", "0.9"),
        ("nurture.touches", "0"),
        ("nurture.max_reentries", "1"),
    ];

    /// The knobs of the overridden keys of [`AT_THE_BOUNDS`], moved by `by`.
    fn knobs_at_the_bounds(by: f64) -> String {
        let overrides: Vec<Override> = AT_THE_BOUNDS
            .iter()
            .map(|(path, value)| Override {
                path: path.to_string(),
                value: value.to_string(),
            })
            .collect();
        let all = knobs(&load_test_base(&overrides).unwrap().parameters, by);
        let set: Vec<Knob> = all
            .into_iter()
            .filter(|k| AT_THE_BOUNDS.iter().any(|(path, _)| *path == k.path))
            .collect();
        knob_lines(&set)
    }

    #[test]
    fn knobs_at_the_bounds_are_pinned() {
        let got = format!(
            "{}--\n{}",
            knobs_at_the_bounds(0.2),
            knobs_at_the_bounds(0.5)
        );
        assert_eq!(got, KNOBS_AT_THE_BOUNDS);
    }

    /// [`knobs_at_the_bounds`] at 20%, then (after `--`) at 50%, as written
    /// before the sensitivity analysis read the scenario schema.
    const KNOBS_AT_THE_BOUNDS: &str = r#"segments.0.fit.min | segments.0.fit | { dist = "uniform", min = 0.5, max = 0.95 } | { dist = "uniform", min = 0.4, max = 0.95 } | { dist = "uniform", min = 0.6, max = 0.95 } | 0.4 | 0.6 | false
segments.0.fit.max | segments.0.fit | { dist = "uniform", min = 0.5, max = 0.95 } | { dist = "uniform", min = 0.5, max = 0.76 } | { dist = "uniform", min = 0.5, max = 1.14 } | 0.76 | 1.14 | false
enrichment.providers.0.match_rate | enrichment.providers.0.match_rate | 0.95 | 0.76 | 1.0 | 0.76 | 1.0 | false
enrichment.providers.0.error_rate | enrichment.providers.0.error_rate | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
gate.nurture_below | gate.nurture_below | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
gate.good_fit_at | gate.good_fit_at | 0.95 | 0.76 | 1.0 | 0.76 | 1.0 | false
review.edit_probability | review.edit_probability | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
review.reject_fit_below | review.reject_fit_below | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
email.bounce_rate | email.bounce_rate | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
email.reply_rate.at_fit_0 | email.reply_rate | { at_fit_0 = 0.9, at_fit_1 = 0.95 } | { at_fit_0 = 0.72, at_fit_1 = 0.95 } | { at_fit_0 = 1.0, at_fit_1 = 0.95 } | 0.72 | 1.0 | false
email.reply_rate.at_fit_1 | email.reply_rate | { at_fit_0 = 0.9, at_fit_1 = 0.95 } | { at_fit_0 = 0.9, at_fit_1 = 0.76 } | { at_fit_0 = 0.9, at_fit_1 = 1.0 } | 0.76 | 1.0 | false
email.positive_share | email.positive_share | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
conversations.meeting_rate | conversations.meeting_rate | 0.9 | 0.72 | 1.0 | 0.72 | 1.0 | false
--
arrivals.per_week | arrivals.per_week | 1 | 1 | 2 | 1 | 2 | false
segments.0.fit.min | segments.0.fit | { dist = "uniform", min = 0.5, max = 0.95 } | { dist = "uniform", min = 0.25, max = 0.95 } | { dist = "uniform", min = 0.75, max = 0.95 } | 0.25 | 0.75 | false
segments.0.fit.max | segments.0.fit | { dist = "uniform", min = 0.5, max = 0.95 } | { dist = "uniform", min = 0.5, max = 0.475 } | { dist = "uniform", min = 0.5, max = 1.425 } | 0.475 | 1.425 | false
enrichment.providers.0.match_rate | enrichment.providers.0.match_rate | 0.95 | 0.475 | 1.0 | 0.475 | 1.0 | false
enrichment.providers.0.error_rate | enrichment.providers.0.error_rate | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
enrichment.providers.0.max_retries | enrichment.providers.0.max_retries | 1 | 1 | 2 | 1 | 2 | false
enrichment.providers.0.rate_limit_per_min | enrichment.providers.0.rate_limit_per_min | 1 | 1 | 2 | 1 | 2 | false
enrichment.providers.0.cost_per_call | enrichment.providers.0.cost_per_call | 1 | 1 | 2 | 1 | 2 | false
gate.nurture_below | gate.nurture_below | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
gate.good_fit_at | gate.good_fit_at | 0.95 | 0.475 | 1.0 | 0.475 | 1.0 | false
review.edit_probability | review.edit_probability | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
review.reject_fit_below | review.reject_fit_below | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
reps.count | reps.count | 1 | 1 | 2 | 1 | 2 | false
agents.concurrency | agents.concurrency | 1 | 1 | 2 | 1 | 2 | false
email.mailboxes | email.mailboxes | 1 | 1 | 2 | 1 | 2 | false
email.bounce_rate | email.bounce_rate | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
email.reply_rate.at_fit_0 | email.reply_rate | { at_fit_0 = 0.9, at_fit_1 = 0.95 } | { at_fit_0 = 0.45, at_fit_1 = 0.95 } | { at_fit_0 = 1.0, at_fit_1 = 0.95 } | 0.45 | 1.0 | false
email.reply_rate.at_fit_1 | email.reply_rate | { at_fit_0 = 0.9, at_fit_1 = 0.95 } | { at_fit_0 = 0.9, at_fit_1 = 0.475 } | { at_fit_0 = 0.9, at_fit_1 = 1.0 } | 0.475 | 1.0 | false
email.positive_share | email.positive_share | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
conversations.meeting_rate | conversations.meeting_rate | 0.9 | 0.45 | 1.0 | 0.45 | 1.0 | false
nurture.max_reentries | nurture.max_reentries | 1 | 1 | 2 | 1 | 2 | false
"#;

    /// The low and high texts of the knob `label` of the base scenario
    /// with `overrides`, moved by `by`.
    fn moved(overrides: &[(&str, &str)], by: f64, label: &str) -> (String, String) {
        let overrides: Vec<Override> = overrides
            .iter()
            .map(|(path, value)| Override {
                path: path.to_string(),
                value: value.to_string(),
            })
            .collect();
        let all = knobs(&load_test_base(&overrides).unwrap().parameters, by);
        let k = knob(&all, label);
        (k.low.clone(), k.high.clone())
    }

    #[test]
    fn every_value_declared_on_the_unit_interval_stays_there() {
        // The score boost is declared on [0, 1] like the thresholds.
        let boost = moved(
            &[("nurture.rescore_boost", "0.9")],
            0.2,
            "nurture.rescore_boost",
        );
        assert_eq!(boost, ("0.72".to_string(), "1.0".to_string()));
        // A probability written as an integer stays 0 or 1.
        let rate = "enrichment.providers.0.match_rate";
        assert_eq!(
            moved(&[(rate, "1")], 0.6, rate),
            ("0".to_string(), "1".to_string())
        );
        // A fit distribution's values are not declared on [0, 1]: the
        // distribution's support is checked when the point is loaded.
        let fit = moved(
            &[(
                "segments.0.fit",
                "{ dist = \"uniform\", min = 0.5, max = 0.9 }",
            )],
            0.2,
            "segments.0.fit.max",
        );
        assert_eq!(fit.1, "{ dist = \"uniform\", min = 0.5, max = 1.08 }");
    }

    #[test]
    fn counts_keep_the_least_value_their_key_accepts() {
        let retries = "enrichment.providers.0.max_retries";
        assert_eq!(
            moved(&[(retries, "1")], 0.6, retries),
            ("0".to_string(), "2".to_string())
        );
        let touches = "nurture.touches";
        assert_eq!(moved(&[(touches, "1")], 0.6, touches).0, "0");
        for at_least_one in [
            "agents.concurrency",
            "email.mailboxes",
            "email.daily_cap_per_mailbox",
        ] {
            assert_eq!(
                moved(&[(at_least_one, "1")], 0.6, at_least_one),
                ("1".to_string(), "2".to_string()),
                "{at_least_one}"
            );
        }
        // Above 0 however it is written.
        let week = "arrivals.per_week";
        assert_eq!(moved(&[(week, "1")], 0.6, week).0, "1");
    }

    #[test]
    fn by_parses_percentages_and_fractions() {
        assert_eq!(parse_by("20%").unwrap(), 0.2);
        assert_eq!(parse_by("0.1").unwrap(), 0.1);
        for bad in ["0%", "100%", "-5%", "x", "150%"] {
            assert_eq!(parse_by(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }
}
