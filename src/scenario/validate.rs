//! Validation: walks the resolved raw tree into the typed [`Scenario`], checking every key, type and constraint.

use std::collections::BTreeMap;
use std::path::Path;

use super::raw::{join, Node, NodeValue, Table};
use super::types::*;
use crate::calendar::Calendar;
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::units::{
    self, civil_from_days, days_from_civil, parse_clock, parse_duration, parse_week_time,
    parse_weekday, HOUR, WEEK,
};

/// The longest horizon accepted: 1040 weeks (20 years).
const MAX_HORIZON_WEEKS: f64 = 1040.0;
/// The most replications accepted.
const MAX_REPLICATIONS: u64 = 100_000;
/// The most leads a week (Poisson) or in one batch.
const MAX_LEADS: f64 = 1e7;
/// The most leads a replication may expect to see (docs/MODEL.md section 10,
/// "Bounded work"): more is bad input, not a long wait.
const MAX_EXPECTED_LEADS: f64 = 1e8;
/// The shortest gap between two list imports (docs/MODEL.md section 10).
const MIN_BATCH_EVERY: f64 = HOUR;
/// The most reps.
const MAX_REPS: u64 = 100_000;
/// The most concurrent agent slots.
const MAX_CONCURRENCY: u64 = 1_000_000;
/// The most mailboxes; with [`MAX_DAILY_CAP`] the daily send capacity stays
/// within a 32-bit count.
const MAX_MAILBOXES: u64 = 10_000;
/// The most sends per mailbox per day.
const MAX_DAILY_CAP: u64 = 100_000;
/// The most retries, touches or re-entries.
const MAX_SMALL_COUNT: u64 = 1_000;
/// The largest noise standard deviation.
const MAX_NOISE_SD: f64 = 10.0;
/// The largest cost of one call or of one rep hour.
const MAX_COST: f64 = 1e6;
/// The largest reply factor.
const MAX_FACTOR: f64 = 100.0;
/// The largest provider rate limit, calls per minute.
const MAX_RATE_LIMIT: f64 = 1e9;
/// The tolerance of the segment shares' sum.
const SHARE_TOLERANCE: f64 = 1e-9;

/// The suffix of provenance keys.
const SOURCE_SUFFIX: &str = "_source";

/// Validates a resolved tree (no `extends`, overrides applied) into a typed
/// scenario.
pub(crate) fn validate(root: &Node) -> Result<Scenario> {
    let root = Tab::open(String::new(), root)?;
    root.check_keys(&[
        "name",
        "description",
        "run",
        "calendars",
        "arrivals",
        "segments",
        "lookup",
        "enrichment",
        "scoring",
        "drafting",
        "gate",
        "review",
        "reps",
        "agents",
        "email",
        "conversations",
        "nurture",
    ])?;
    let name = scenario_name(&root.req("name")?)?;
    let description = root.req("description")?.string()?.to_string();
    let run = run(&root.req("run")?.table()?)?;
    let calendars = calendars(&root)?;
    let (arrivals, arrival_cal) =
        arrivals(&root.req("arrivals")?.table()?, &calendars, run.horizon)?;
    let segments = segments(&root)?;
    let lookup = prep_stage(&root.req("lookup")?.table()?)?;
    let enrichment = enrichment(&root.req("enrichment")?.table()?)?;
    let scoring = scoring(&root.req("scoring")?.table()?)?;
    let drafting = drafting(&root.req("drafting")?.table()?)?;
    let gate = gate(&root.req("gate")?.table()?)?;
    let review = review(&root.req("review")?.table()?)?;
    let (reps, reps_cal, reps_count) = reps(&root.req("reps")?.table()?, &calendars)?;
    let (agents, agents_cal) = agents(&root.req("agents")?.table()?, &calendars)?;
    let (email, email_cal) = email(&root.req("email")?.table()?, &calendars)?;
    let conversations = conversations(&root.req("conversations")?.table()?)?;
    let nurture = nurture(&root.req("nurture")?.table()?)?;

    let scenario = Scenario {
        name,
        description,
        run,
        arrivals,
        segments,
        lookup,
        enrichment,
        scoring,
        drafting,
        gate,
        review,
        reps,
        agents,
        email,
        conversations,
        nurture,
    };
    check_working_time(
        &scenario,
        &WorkingRefs {
            arrivals: arrival_cal,
            reps: reps_cal,
            reps_count,
            agents: agents_cal,
            email: email_cal,
        },
    )?;
    Ok(scenario)
}

/// A table being read, with its dotted path.
struct Tab<'a> {
    path: String,
    node: &'a Node,
    table: &'a Table,
}

impl<'a> Tab<'a> {
    /// Opens `node` as a table, or fails naming the expected type.
    fn open(path: String, node: &'a Node) -> Result<Self> {
        match &node.value {
            NodeValue::Table(table) => Ok(Tab { path, node, table }),
            other => Err(node.origin.error(
                &path,
                format!("expected a table, got {}", describe(node, other)),
            )),
        }
    }

    /// Rejects every key that is not in `known`, except `_source` keys
    /// describing a known key, which must be strings.
    fn check_keys(&self, known: &[&str]) -> Result<()> {
        for e in &self.table.entries {
            let path = join(&self.path, &e.key);
            if let Some(base) = e.key.strip_suffix(SOURCE_SUFFIX) {
                if !known.contains(&base) {
                    return Err(e.key_origin.error(
                        &path,
                        format!(
                            "`{}` gives the source of `{base}`, which is not a key here; expected the source of one of {}",
                            e.key,
                            known.join(", ")
                        ),
                    ));
                }
                if e.node.as_str().is_none() {
                    return Err(e.node.origin.error(
                        &path,
                        format!(
                            "a `{SOURCE_SUFFIX}` key records provenance and must be a string, got {}",
                            describe(&e.node, &e.node.value)
                        ),
                    ));
                }
                continue;
            }
            if !known.contains(&e.key.as_str()) {
                let hint = closest(&e.key, known)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(e.key_origin.error(
                    &path,
                    format!(
                        "unknown key `{}`{hint}; expected one of {}",
                        e.key,
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The required key `key`.
    fn req(&self, key: &str) -> Result<Field<'a>> {
        self.opt(key).ok_or_else(|| {
            self.node
                .origin
                .error(&join(&self.path, key), "missing required key")
        })
    }

    /// The optional key `key`.
    fn opt(&self, key: &str) -> Option<Field<'a>> {
        self.table.get(key).map(|node| Field {
            path: join(&self.path, key),
            node,
        })
    }

    /// An error about the table itself.
    fn err(&self, key: &str, message: impl Into<String>) -> Error {
        self.node.origin.error(&join(&self.path, key), message)
    }
}

/// A value being read, with its dotted path.
struct Field<'a> {
    path: String,
    node: &'a Node,
}

impl<'a> Field<'a> {
    /// An error at this value.
    fn err(&self, message: impl Into<String>) -> Error {
        self.node.origin.error(&self.path, message)
    }

    /// An error naming the expected type and the value found.
    fn type_err(&self, expected: &str) -> Error {
        self.err(format!(
            "expected {expected}, got {}",
            describe(self.node, &self.node.value)
        ))
    }

    fn table(&self) -> Result<Tab<'a>> {
        Tab::open(self.path.clone(), self.node)
    }

    fn string(&self) -> Result<&'a str> {
        self.node.as_str().ok_or_else(|| self.type_err("a string"))
    }

    fn array(&self) -> Result<&'a [Node]> {
        match &self.node.value {
            NodeValue::Array(items) => Ok(items),
            _ => Err(self.type_err("an array")),
        }
    }

    /// The array's items as fields named by index.
    fn items(&self) -> Result<Vec<Field<'a>>> {
        Ok(self
            .array()?
            .iter()
            .enumerate()
            .map(|(i, node)| Field {
                path: join(&self.path, &i.to_string()),
                node,
            })
            .collect())
    }

    /// A finite number (integer or float).
    fn number(&self) -> Result<f64> {
        let v = match &self.node.value {
            NodeValue::Integer(i) => *i as f64,
            NodeValue::Float(f) => *f,
            _ => return Err(self.type_err("a number")),
        };
        if !v.is_finite() {
            return Err(self.err(format!("must be a finite number, got {v}")));
        }
        Ok(v)
    }

    /// A finite number in `[lo, hi]`.
    fn number_in(&self, lo: f64, hi: f64) -> Result<f64> {
        let v = self.number()?;
        if !(lo..=hi).contains(&v) {
            return Err(self.err(format!("must be between {lo} and {hi}, got {v}")));
        }
        Ok(v)
    }

    /// A probability or share in `[0, 1]`.
    fn prob(&self) -> Result<f64> {
        let v = self.number()?;
        if !(0.0..=1.0).contains(&v) {
            return Err(self.err(format!("must be in [0, 1], got {v}")));
        }
        Ok(v)
    }

    /// A whole number in `[lo, hi]` (a float with no fraction is accepted).
    fn count(&self, lo: u64, hi: u64) -> Result<u64> {
        let v: i128 = match &self.node.value {
            NodeValue::Integer(i) => i128::from(*i),
            // Within +-2^63 every integral f64 converts exactly.
            NodeValue::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 => {
                *f as i128
            }
            NodeValue::Float(f) => {
                return Err(self.err(format!("expected a whole number, got {f}")))
            }
            _ => return Err(self.type_err("a whole number")),
        };
        if v < i128::from(lo) || v > i128::from(hi) {
            return Err(self.err(format!(
                "must be a whole number between {lo} and {hi}, got {v}"
            )));
        }
        u64::try_from(v).map_err(|_| self.err(format!("must be at most {hi}")))
    }

    /// [`Field::count`] for 32-bit counts (every limit here fits).
    fn count32(&self, lo: u64, hi: u64) -> Result<u32> {
        let v = self.count(lo, hi.min(u64::from(u32::MAX)))?;
        u32::try_from(v).map_err(|_| self.err(format!("must be at most {}", u32::MAX)))
    }

    /// A duration string in seconds. `hint` is the unit suggested when a bare
    /// number is given.
    fn duration(&self, hint: &str) -> Result<f64> {
        match &self.node.value {
            NodeValue::String(s) => parse_duration(s).map_err(|m| self.err(m)),
            NodeValue::Integer(_) | NodeValue::Float(_) => Err(self.err(format!(
                "a duration needs a unit, e.g. \"{}{hint}\"",
                self.node.to_inline_toml()
            ))),
            _ => Err(self.type_err("a duration string such as \"45s\", \"6m\" or \"2d\"")),
        }
    }

    /// A duration that must be above zero.
    fn positive_duration(&self, hint: &str) -> Result<f64> {
        let d = self.duration(hint)?;
        if d <= 0.0 {
            return Err(self.err("must be a duration above zero"));
        }
        Ok(d)
    }
}

/// Describes a value for messages: its type and, for scalars, its text.
fn describe(node: &Node, value: &NodeValue) -> String {
    match value {
        NodeValue::Table(_) | NodeValue::Array(_) => value.type_name().to_string(),
        _ => format!("{} ({})", value.type_name(), node.to_inline_toml()),
    }
}

/// The known key closest to a misspelt one, if any is close.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The Levenshtein distance between two strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn scenario_name(f: &Field) -> Result<String> {
    let name = f.string()?;
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(f.err(format!(
            "the name is used as the output folder name: it must be non-empty, without '/', '\\' or control characters, and not \".\" or \"..\", got \"{name}\""
        )));
    }
    Ok(name.to_string())
}

fn run(t: &Tab) -> Result<RunSettings> {
    t.check_keys(&["horizon", "warmup", "replications", "seed", "start_date"])?;
    let hf = t.req("horizon")?;
    let horizon = hf.duration("w")?;
    if horizon > MAX_HORIZON_WEEKS * WEEK {
        return Err(hf.err(format!(
            "horizon is longer than the longest supported, {MAX_HORIZON_WEEKS}w (20 years)"
        )));
    }
    if horizon < WEEK {
        return Err(hf.err(format!(
            "horizon shorter than one week (1w): {}",
            units::format_duration(horizon)
        )));
    }
    let wf = t.req("warmup")?;
    let warmup = wf.duration("w")?;
    if warmup >= horizon {
        return Err(wf.err(format!(
            "warmup past horizon: warmup {} must be before the horizon {}",
            units::format_duration(warmup),
            units::format_duration(horizon)
        )));
    }
    let replications = t.req("replications")?.count32(1, MAX_REPLICATIONS)?;
    let seed = t.req("seed")?.count(0, i64::MAX as u64)?;
    let start_date = match t.opt("start_date") {
        None => None,
        Some(f) => Some(monday(&f)?),
    };
    Ok(RunSettings {
        horizon,
        warmup,
        replications,
        seed,
        start_date,
    })
}

/// Reads `run.start_date`: a YYYY-MM-DD date that is a Monday.
fn monday(f: &Field) -> Result<String> {
    let text = f.string()?;
    let (y, m, d) = parse_date(text).ok_or_else(|| {
        f.err(format!(
            "expected a date YYYY-MM-DD (a Monday), got \"{text}\""
        ))
    })?;
    let days = days_from_civil(y, m, d);
    // 1970-01-01 was a Thursday: weekday 3 counting Monday as 0.
    let weekday = (days + 3).rem_euclid(7);
    if weekday != 0 {
        let (py, pm, pd) = civil_from_days(days - weekday);
        return Err(f.err(format!(
            "start_date must be a Monday (t = 0 is Monday 00:00), but {text} is a {}; the Monday before is {py:04}-{pm:02}-{pd:02}",
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
                [weekday as usize]
        )));
    }
    Ok(text.to_string())
}

/// Parses `YYYY-MM-DD` into a valid calendar date.
fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=month_days).contains(&d).then_some((y, m, d))
}

/// The scenario's calendars by name, `always` included.
type Calendars = BTreeMap<String, Calendar>;

fn calendars(root: &Tab) -> Result<Calendars> {
    let mut out = Calendars::new();
    out.insert("always".to_string(), Calendar::always());
    let Some(f) = root.opt("calendars") else {
        return Ok(out);
    };
    let t = f.table()?;
    let names: Vec<&str> = t
        .table
        .entries
        .iter()
        .map(|e| e.key.as_str())
        .filter(|k| !k.ends_with(SOURCE_SUFFIX))
        .collect();
    t.check_keys(&names)?;
    for name in names {
        let cf = t.req(name)?;
        if name == "always" {
            return Err(cf.err(
                "the built-in calendar `always` (24/7) may not be redefined; give this calendar another name",
            ));
        }
        out.insert(name.to_string(), calendar(name, &cf.table()?)?);
    }
    Ok(out)
}

/// Reads one calendar definition.
fn calendar(name: &str, t: &Tab) -> Result<Calendar> {
    t.check_keys(&["days", "hours"])?;
    let df = t.req("days")?;
    let mut days = Vec::new();
    for item in df.items()? {
        let day = parse_weekday(item.string()?).map_err(|m| item.err(m))?;
        if days.contains(&day) {
            return Err(item.err(format!(
                "weekday `{}` is listed twice",
                units::WEEKDAYS[day]
            )));
        }
        days.push(day);
    }
    let hf = t.req("hours")?;
    let mut windows = Vec::new();
    for item in hf.items()? {
        let text = item.string()?;
        let window = text
            .split_once('-')
            .ok_or_else(|| format!("window \"{text}\" is not HH:MM-HH:MM"))
            .and_then(|(a, b)| Ok((parse_clock(a)?, parse_clock(b)?)))
            .map_err(|m| item.err(m))?;
        windows.push(window);
    }
    Calendar::weekly(name, &days, &windows).map_err(|m| hf.err(m))
}

/// Where a calendar was chosen, for working-time errors.
struct CalRef {
    /// The dotted key path of the reference.
    path: String,
    /// The error location (the reference, or its table when defaulted).
    origin: super::raw::Origin,
}

impl CalRef {
    fn err(&self, message: impl Into<String>) -> Error {
        self.origin.error(&self.path, message)
    }
}

/// Reads a calendar reference; `default` applies when the key is absent.
fn calendar_ref(
    t: &Tab,
    key: &str,
    default: Option<&str>,
    calendars: &Calendars,
) -> Result<(Calendar, CalRef)> {
    let (name, at) = match (t.opt(key), default) {
        (Some(f), _) => (f.string()?.to_string(), f.node.origin.clone()),
        (None, Some(d)) => (d.to_string(), t.node.origin.clone()),
        (None, None) => return Err(t.err(key, "missing required key")),
    };
    let path = join(&t.path, key);
    let cal = calendars.get(&name).cloned().ok_or_else(|| {
        at.error(
            &path,
            format!(
                "unknown calendar `{name}`; known calendars: {}",
                calendars.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    Ok((cal, CalRef { path, origin: at }))
}

fn arrivals(t: &Tab, calendars: &Calendars, horizon: f64) -> Result<(Arrivals, Option<CalRef>)> {
    let kf = t.req("kind")?;
    let (arrivals, cal, volume_key) = match kf.string()? {
        "poisson" => {
            t.check_keys(&["kind", "per_week", "calendar"])?;
            let pf = t.req("per_week")?;
            let per_week = pf.number()?;
            if per_week <= 0.0 || per_week > MAX_LEADS {
                return Err(pf.err(format!(
                    "per_week must be above 0 and at most {MAX_LEADS:e}, got {per_week}"
                )));
            }
            let (calendar, at) = calendar_ref(t, "calendar", Some("always"), calendars)?;
            (
                Arrivals::Poisson { per_week, calendar },
                Some(at),
                "per_week",
            )
        }
        "batch" => {
            t.check_keys(&["kind", "size", "every", "at"])?;
            let size = t.req("size")?.count(1, MAX_LEADS as u64)?;
            let every = match t.opt("every") {
                Some(f) => {
                    let every = f.positive_duration("w")?;
                    if every < MIN_BATCH_EVERY {
                        return Err(f.err(format!(
                            "every must be at least 1h (one list import an hour at most), got {}",
                            units::format_duration(every)
                        )));
                    }
                    every
                }
                None => WEEK,
            };
            let af = t.req("at")?;
            let at = parse_week_time(af.string()?).map_err(|m| af.err(m))?;
            (Arrivals::Batch { size, every, at }, None, "size")
        }
        other => {
            return Err(kf.err(format!(
                "unknown arrival kind `{other}`; expected one of poisson, batch"
            )))
        }
    };
    let expected = arrivals.expected_before(horizon);
    if expected > MAX_EXPECTED_LEADS {
        return Err(t.req(volume_key)?.err(format!(
            "about {expected:.3e} leads would arrive in one replication ({} of horizon); \
             at most {MAX_EXPECTED_LEADS:e} are accepted: shorten the horizon or lower the volume",
            units::format_duration(horizon)
        )));
    }
    Ok((arrivals, cal))
}

fn segments(root: &Tab) -> Result<Vec<Segment>> {
    let Some(f) = root.opt("segments") else {
        return Ok(vec![Segment {
            name: "all".to_string(),
            share: 1.0,
            fit: Dist::uniform(0.0, 1.0).map_err(|m| root.err("segments", m))?,
        }]);
    };
    let items = f.items()?;
    if items.is_empty() {
        return Err(f.err("at least one segment is needed (or leave `segments` out for one segment with fit uniform on [0, 1])"));
    }
    let mut out: Vec<Segment> = Vec::new();
    for item in items {
        let t = item.table()?;
        t.check_keys(&["name", "share", "fit"])?;
        let nf = t.req("name")?;
        let name = nf.string()?.to_string();
        if name.trim().is_empty() {
            return Err(nf.err("a segment name must not be empty"));
        }
        if out.iter().any(|s| s.name == name) {
            return Err(nf.err(format!("segment name `{name}` is used twice")));
        }
        let share = t.req("share")?.prob()?;
        let fit = dist(&t.req("fit")?, Slot::Fit)?;
        out.push(Segment { name, share, fit });
    }
    let sum: f64 = out.iter().map(|s| s.share).sum();
    if (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(f.err(format!("segment shares sum to {sum}, not 1")));
    }
    Ok(out)
}

/// The kind of value a distribution gives.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A duration; fields are duration strings. The unit is suggested for bare numbers.
    Duration(&'static str),
    /// A lead's fit on [0, 1]; fields are plain numbers.
    Fit,
}

/// The fields of each distribution, besides `dist`.
const DISTS: [(&str, &[&str]); 8] = [
    ("constant", &["value"]),
    ("exponential", &["mean"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("lognormal", &["median", "p90"]),
    ("gamma", &["mean", "cv"]),
    ("beta", &["alpha", "beta"]),
    ("empirical", &["file", "column"]),
];

/// Reads a distribution table in a duration or fit slot.
fn dist(f: &Field, slot: Slot) -> Result<Dist> {
    let t = match f.node.value {
        NodeValue::Table(_) => f.table()?,
        _ => {
            let example = match slot {
                Slot::Duration(_) => "{ dist = \"lognormal\", median = \"2m\", p90 = \"5m\" }",
                Slot::Fit => "{ dist = \"beta\", alpha = 2.0, beta = 5.0 }",
            };
            return Err(f.type_err(&format!("a distribution such as {example}")));
        }
    };
    let kf = t.req("dist")?;
    let kind = kf.string()?;
    let names: Vec<&str> = DISTS.iter().map(|(n, _)| *n).collect();
    let fields = DISTS
        .iter()
        .find(|(n, _)| *n == kind)
        .map(|(_, fields)| *fields)
        .ok_or_else(|| {
            kf.err(format!(
                "unknown distribution `{kind}`; expected one of {}",
                names.join(", ")
            ))
        })?;
    match (slot, kind) {
        (Slot::Duration(_), "beta") => {
            return Err(kf.err(
                "`beta` is for values on [0, 1] such as fit, not durations; use constant, exponential, uniform, triangular, lognormal, gamma or empirical",
            ))
        }
        (Slot::Fit, "exponential" | "lognormal" | "gamma") => {
            return Err(kf.err(format!(
                "a fit lies on [0, 1] but `{kind}` is unbounded; use beta, uniform, triangular, constant or empirical"
            )))
        }
        _ => {}
    }
    let mut known = vec!["dist"];
    known.extend_from_slice(fields);
    t.check_keys(&known)?;
    let value = |key: &str| -> Result<f64> {
        let vf = t.req(key)?;
        match slot {
            Slot::Duration(hint) => vf.duration(hint),
            Slot::Fit => vf.number(),
        }
    };
    let plain = |key: &str| -> Result<f64> { t.req(key)?.number() };
    let built = match kind {
        "constant" => Dist::constant(value("value")?),
        "exponential" => Dist::exponential(value("mean")?),
        "uniform" => Dist::uniform(value("min")?, value("max")?),
        "triangular" => Dist::triangular(value("min")?, value("mode")?, value("max")?),
        "lognormal" => Dist::lognormal(value("median")?, value("p90")?),
        "gamma" => Dist::gamma(value("mean")?, plain("cv")?),
        "beta" => Dist::beta(plain("alpha")?, plain("beta")?),
        _ => {
            let file = t.req("file")?.string()?;
            let column = t.req("column")?.string()?;
            let path = Path::new(file);
            match slot {
                Slot::Duration(_) => Dist::empirical_from_csv(path, column, parse_duration),
                Slot::Fit => Dist::empirical_from_csv(path, column, |s| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| format!("\"{s}\" is not a finite number"))
                }),
            }
        }
    };
    let d = built.map_err(|m| match slot {
        Slot::Duration(_) if kind != "empirical" => f.err(format!(
            "invalid {kind} distribution: {m} (durations in seconds)"
        )),
        _ => f.err(format!("invalid {kind} distribution: {m}")),
    })?;
    if let Slot::Fit = slot {
        let (lo, hi) = d.support();
        if lo < 0.0 || hi > 1.0 {
            return Err(f.err(format!(
                "a fit lies on [0, 1], but this distribution takes values on [{lo}, {hi}]"
            )));
        }
    }
    Ok(d)
}

/// Reads `lane` (default agent).
fn lane(t: &Tab) -> Result<Lane> {
    let Some(f) = t.opt("lane") else {
        return Ok(Lane::Agent);
    };
    match f.string()? {
        "agent" => Ok(Lane::Agent),
        "human" => Ok(Lane::Human),
        other => Err(f.err(format!(
            "unknown lane `{other}`; expected one of agent, human"
        ))),
    }
}

fn prep_stage(t: &Tab) -> Result<PrepStage> {
    t.check_keys(&["lane", "agent", "manual"])?;
    Ok(PrepStage {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?, Slot::Duration("s"))?,
        manual: dist(&t.req("manual")?, Slot::Duration("m"))?,
    })
}

fn enrichment(t: &Tab) -> Result<Enrichment> {
    t.check_keys(&["lane", "agent", "manual", "providers"])?;
    let lane = lane(t)?;
    let agent = match t.opt("agent") {
        Some(f) => dist(&f, Slot::Duration("s"))?,
        None => Dist::constant(0.0).map_err(|m| t.err("agent", m))?,
    };
    let manual = dist(&t.req("manual")?, Slot::Duration("m"))?;
    let pf = t.req("providers")?;
    let items = pf.items()?;
    if items.is_empty() {
        return Err(pf.err("at least one provider is needed"));
    }
    let mut providers = Vec::with_capacity(items.len());
    for item in items {
        providers.push(provider(&item.table()?)?);
    }
    Ok(Enrichment {
        lane,
        agent,
        manual,
        providers,
    })
}

fn provider(t: &Tab) -> Result<Provider> {
    t.check_keys(&[
        "name",
        "match_rate",
        "latency",
        "error_rate",
        "max_retries",
        "rate_limit_per_min",
        "cost_per_call",
    ])?;
    let nf = t.req("name")?;
    let name = nf.string()?.to_string();
    if name.trim().is_empty() {
        return Err(nf.err("a provider name must not be empty"));
    }
    let rf = t.req("rate_limit_per_min")?;
    let rate_limit_per_min = rf.number()?;
    if rate_limit_per_min <= 0.0 || rate_limit_per_min > MAX_RATE_LIMIT {
        return Err(rf.err(format!(
            "rate_limit_per_min must be above 0 and at most {MAX_RATE_LIMIT:e}, got {rate_limit_per_min}"
        )));
    }
    Ok(Provider {
        name,
        match_rate: t.req("match_rate")?.prob()?,
        latency: dist(&t.req("latency")?, Slot::Duration("s"))?,
        error_rate: t.req("error_rate")?.prob()?,
        max_retries: t.req("max_retries")?.count32(0, MAX_SMALL_COUNT)?,
        rate_limit_per_min,
        cost_per_call: t.req("cost_per_call")?.number_in(0.0, MAX_COST)?,
    })
}

fn scoring(t: &Tab) -> Result<Scoring> {
    t.check_keys(&[
        "lane",
        "agent",
        "manual",
        "noise_sd",
        "manual_noise_sd",
        "cost",
    ])?;
    Ok(Scoring {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?, Slot::Duration("s"))?,
        manual: dist(&t.req("manual")?, Slot::Duration("m"))?,
        noise_sd: t.req("noise_sd")?.number_in(0.0, MAX_NOISE_SD)?,
        manual_noise_sd: t.req("manual_noise_sd")?.number_in(0.0, MAX_NOISE_SD)?,
        cost: t.req("cost")?.number_in(0.0, MAX_COST)?,
    })
}

fn drafting(t: &Tab) -> Result<Drafting> {
    t.check_keys(&["lane", "agent", "manual", "cost"])?;
    Ok(Drafting {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?, Slot::Duration("s"))?,
        manual: dist(&t.req("manual")?, Slot::Duration("m"))?,
        cost: t.req("cost")?.number_in(0.0, MAX_COST)?,
    })
}

fn gate(t: &Tab) -> Result<Gate> {
    t.check_keys(&["nurture_below", "autosend_at_or_above", "good_fit_at"])?;
    let nurture_below = t.req("nurture_below")?.prob()?;
    let autosend_at_or_above = match t.opt("autosend_at_or_above") {
        None => None,
        Some(f) => {
            let v = f.prob()?;
            if v < nurture_below {
                return Err(f.err(format!(
                    "autosend_at_or_above ({v}) must not be below nurture_below ({nurture_below})"
                )));
            }
            Some(v)
        }
    };
    Ok(Gate {
        nurture_below,
        autosend_at_or_above,
        good_fit_at: t.req("good_fit_at")?.prob()?,
    })
}

fn review(t: &Tab) -> Result<Review> {
    t.check_keys(&[
        "duration",
        "edit_probability",
        "edit",
        "judgement_noise_sd",
        "reject_fit_below",
        "order",
        "expire_after",
        "on_expire",
    ])?;
    let of = t.req("order")?;
    let order = match of.string()? {
        "fifo" => ReviewOrder::Fifo,
        "highest_score" => ReviewOrder::HighestScore,
        other => {
            return Err(of.err(format!(
                "unknown review order `{other}`; expected one of fifo, highest_score"
            )))
        }
    };
    let ef = t.req("on_expire")?;
    let on_expire = match ef.string()? {
        "nurture" => OnExpire::Nurture,
        "drop" => OnExpire::Drop,
        other => {
            return Err(ef.err(format!(
                "unknown on_expire `{other}`; expected one of nurture, drop"
            )))
        }
    };
    Ok(Review {
        duration: dist(&t.req("duration")?, Slot::Duration("m"))?,
        edit_probability: t.req("edit_probability")?.prob()?,
        edit: dist(&t.req("edit")?, Slot::Duration("m"))?,
        judgement_noise_sd: t.req("judgement_noise_sd")?.number_in(0.0, MAX_NOISE_SD)?,
        reject_fit_below: t.req("reject_fit_below")?.prob()?,
        order,
        expire_after: t.req("expire_after")?.positive_duration("d")?,
        on_expire,
    })
}

fn reps(t: &Tab, calendars: &Calendars) -> Result<(Reps, CalRef, CalRef)> {
    t.check_keys(&["count", "calendar", "hourly_cost"])?;
    let cf = t.req("count")?;
    let count = cf.count32(0, MAX_REPS)?;
    let count_ref = CalRef {
        path: cf.path.clone(),
        origin: cf.node.origin.clone(),
    };
    let (calendar, at) = calendar_ref(t, "calendar", None, calendars)?;
    let hourly_cost = t.req("hourly_cost")?.number_in(0.0, MAX_COST)?;
    Ok((
        Reps {
            count,
            calendar,
            hourly_cost,
        },
        at,
        count_ref,
    ))
}

fn agents(t: &Tab, calendars: &Calendars) -> Result<(Agents, CalRef)> {
    t.check_keys(&["concurrency", "calendar"])?;
    let concurrency = t.req("concurrency")?.count32(1, MAX_CONCURRENCY)?;
    let (calendar, at) = calendar_ref(t, "calendar", Some("always"), calendars)?;
    Ok((
        Agents {
            concurrency,
            calendar,
        },
        at,
    ))
}

fn linear_in_fit(f: &Field) -> Result<LinearInFit> {
    let t = match f.node.value {
        NodeValue::Table(_) => f.table()?,
        _ => return Err(f.type_err("a table such as { at_fit_0 = 0.005, at_fit_1 = 0.08 }")),
    };
    t.check_keys(&["at_fit_0", "at_fit_1"])?;
    Ok(LinearInFit {
        at_fit_0: t.req("at_fit_0")?.prob()?,
        at_fit_1: t.req("at_fit_1")?.prob()?,
    })
}

fn email(t: &Tab, calendars: &Calendars) -> Result<(Email, CalRef)> {
    t.check_keys(&[
        "mailboxes",
        "daily_cap_per_mailbox",
        "calendar",
        "bounce_rate",
        "reply_rate",
        "edited_reply_factor",
        "autosend_reply_factor",
        "positive_share",
        "reply_delay",
    ])?;
    let mailboxes = t.req("mailboxes")?.count32(1, MAX_MAILBOXES)?;
    let daily_cap_per_mailbox = t.req("daily_cap_per_mailbox")?.count32(1, MAX_DAILY_CAP)?;
    let (calendar, at) = calendar_ref(t, "calendar", None, calendars)?;
    Ok((
        Email {
            mailboxes,
            daily_cap_per_mailbox,
            calendar,
            bounce_rate: t.req("bounce_rate")?.prob()?,
            reply_rate: linear_in_fit(&t.req("reply_rate")?)?,
            edited_reply_factor: t.req("edited_reply_factor")?.number_in(0.0, MAX_FACTOR)?,
            autosend_reply_factor: t.req("autosend_reply_factor")?.number_in(0.0, MAX_FACTOR)?,
            positive_share: t.req("positive_share")?.prob()?,
            reply_delay: dist(&t.req("reply_delay")?, Slot::Duration("d"))?,
        },
        at,
    ))
}

fn conversations(t: &Tab) -> Result<Conversations> {
    t.check_keys(&["duration", "meeting_rate"])?;
    Ok(Conversations {
        duration: dist(&t.req("duration")?, Slot::Duration("m"))?,
        meeting_rate: t.req("meeting_rate")?.prob()?,
    })
}

fn nurture(t: &Tab) -> Result<Nurture> {
    t.check_keys(&[
        "touches",
        "interval",
        "engage_rate",
        "rescore_boost",
        "max_reentries",
    ])?;
    Ok(Nurture {
        touches: t.req("touches")?.count32(0, MAX_SMALL_COUNT)?,
        interval: t.req("interval")?.positive_duration("w")?,
        engage_rate: linear_in_fit(&t.req("engage_rate")?)?,
        rescore_boost: t.req("rescore_boost")?.prob()?,
        max_reentries: t.req("max_reentries")?.count32(0, MAX_SMALL_COUNT)?,
    })
}

/// The locations of the calendar references (and the rep count) that the
/// working-time checks report.
struct WorkingRefs {
    arrivals: Option<CalRef>,
    reps: CalRef,
    reps_count: CalRef,
    agents: CalRef,
    email: CalRef,
}

/// Checks that every calendar that must have working time has some, and
/// that there are reps whenever reps must work.
fn check_working_time(s: &Scenario, refs: &WorkingRefs) -> Result<()> {
    if let (Arrivals::Poisson { calendar, .. }, Some(at)) = (&s.arrivals, &refs.arrivals) {
        if !calendar.has_working_time() {
            return Err(at.err(format!(
                "calendar `{}` has no working time, so no lead could arrive",
                calendar.name()
            )));
        }
    }
    let stages = [
        ("lookup", s.lookup.lane),
        ("enrichment", s.enrichment.lane),
        ("scoring", s.scoring.lane),
        ("drafting", s.drafting.lane),
    ];
    let in_lane = |lane: Lane| -> Vec<&str> {
        stages
            .iter()
            .filter(|(_, l)| *l == lane)
            .map(|(n, _)| *n)
            .collect()
    };
    let agent_stages = in_lane(Lane::Agent);
    if !agent_stages.is_empty() && !s.agents.calendar.has_working_time() {
        return Err(refs.agents.err(format!(
            "calendar `{}` has no working time, but agents must work ({} in the agent lane)",
            s.agents.calendar.name(),
            agent_stages.join(", ")
        )));
    }
    let mut duties = Vec::new();
    let human_stages = in_lane(Lane::Human);
    if !human_stages.is_empty() {
        duties.push(format!("do human-lane prep ({})", human_stages.join(", ")));
    }
    let reviews = s.drafting.lane == Lane::Agent
        && s.gate
            .autosend_at_or_above
            .is_none_or(|a| a > s.gate.nurture_below);
    if reviews {
        duties.push("review drafts".to_string());
    }
    let replies = s.email.reply_rate.at_fit_0 > 0.0 || s.email.reply_rate.at_fit_1 > 0.0;
    if replies && s.email.positive_share > 0.0 {
        duties.push("hold conversations".to_string());
    }
    if !duties.is_empty() {
        if s.reps.count == 0 {
            return Err(refs.reps_count.err(format!(
                "reps.count is 0 but reps must {}",
                duties.join(", ")
            )));
        }
        if !s.reps.calendar.has_working_time() {
            return Err(refs.reps.err(format!(
                "calendar `{}` has no working time, but reps must work (to {})",
                s.reps.calendar.name(),
                duties.join(", ")
            )));
        }
    }
    if !s.email.calendar.has_working_time() {
        return Err(refs.email.err(format!(
            "calendar `{}` has no working time, so no email could be sent",
            s.email.calendar.name()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::scenario::raw::parse_document;
    use crate::scenario::CANONICAL;

    /// Validates the canonical text with `from` replaced by `to`.
    fn canonical_with(from: &str, to: &str) -> Result<Scenario> {
        assert!(CANONICAL.contains(from), "canonical has no `{from}`");
        let text = CANONICAL.replacen(from, to, 1);
        validate(&parse_document(&text, "t.toml")?)
    }

    /// The location and message of a scenario error.
    fn scenario_err(r: Result<Scenario>) -> (Location, String) {
        match r {
            Err(Error::Scenario { location, message }) => (location, message),
            Err(other) => panic!("not a scenario error: {other:?}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    /// The 1-based line of the first occurrence of `needle` in the canonical text.
    fn line_of(needle: &str) -> usize {
        CANONICAL
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or(0)
    }

    #[test]
    fn canonical_validates() {
        let s = validate(&parse_document(CANONICAL, "c.toml").unwrap()).unwrap();
        assert_eq!(s.run.horizon, 26.0 * WEEK);
        assert_eq!(s.reps.calendar.name(), "office");
        assert_eq!(s.agents.calendar.name(), "always");
        assert_eq!(s.gate.autosend_at_or_above, None);
        assert_eq!(s.enrichment.providers.len(), 1);
    }

    #[test]
    fn unknown_key_is_rejected_with_line_and_column() {
        let (loc, msg) = scenario_err(canonical_with(
            "edit_probability = 0.1",
            "edit_probabilty = 0.1",
        ));
        assert_eq!(loc.key, "review.edit_probabilty");
        assert_eq!(loc.line_col, Some((line_of("edit_probability = 0.1"), 1)));
        assert!(msg.contains("unknown key `edit_probabilty`"), "{msg}");
        assert!(msg.contains("did you mean `edit_probability`"), "{msg}");
        assert!(msg.contains("expected one of duration"), "{msg}");
    }

    #[test]
    fn missing_required_key_is_named() {
        let (loc, msg) = scenario_err(canonical_with(
            "duration = { dist = \"lognormal\", median = \"2.5m\", p90 = \"5m\" }\n",
            "",
        ));
        assert_eq!(loc.key, "review.duration");
        assert_eq!(msg, "missing required key");
        assert_eq!(loc.line_col, Some((line_of("[review]"), 1)));
    }

    #[test]
    fn unknown_source_key_and_non_string_source_are_rejected() {
        let (loc, _) = scenario_err(canonical_with("cost_source =", "cots_source ="));
        assert_eq!(loc.key, "scoring.cots_source");
        let (loc, msg) = scenario_err(canonical_with(
            "cost_source = \"assumption: one short LLM call\"",
            "cost_source = 3",
        ));
        assert_eq!(loc.key, "scoring.cost_source");
        assert!(msg.contains("must be a string"), "{msg}");
    }

    #[test]
    fn bare_number_duration_is_rejected() {
        let (loc, msg) = scenario_err(canonical_with("horizon = \"26w\"", "horizon = 26"));
        assert_eq!(loc.key, "run.horizon");
        assert_eq!(msg, "a duration needs a unit, e.g. \"26w\"");
        assert_eq!(loc.line_col, Some((line_of("horizon = \"26w\""), 11)));
        let (loc, _) = scenario_err(canonical_with("median = \"30m\"", "median = 30"));
        assert_eq!(loc.key, "conversations.duration.median");
    }

    #[test]
    fn type_errors_name_the_expected_type() {
        let (loc, msg) = scenario_err(canonical_with("count = 10", "count = \"ten\""));
        assert_eq!(loc.key, "reps.count");
        assert!(
            msg.contains("expected a whole number, got a string (\"ten\")"),
            "{msg}"
        );
        let (_, msg) = scenario_err(canonical_with("count = 10", "count = 2.5"));
        assert!(msg.contains("whole number"), "{msg}");
        let (_, msg) = scenario_err(canonical_with("bounce_rate = 0.023", "bounce_rate = nan"));
        assert!(msg.contains("finite"), "{msg}");
    }

    #[test]
    fn shares_not_summing_to_one_are_rejected() {
        let (loc, msg) = scenario_err(canonical_with("share = 1.0", "share = 0.9"));
        assert_eq!(loc.key, "segments");
        assert_eq!(msg, "segment shares sum to 0.9, not 1");
    }

    #[test]
    fn segments_default_to_one_uniform_segment() {
        let start = CANONICAL.find("[[segments]]").unwrap();
        let end = CANONICAL.find("[lookup]").unwrap();
        let text = format!("{}{}", &CANONICAL[..start], &CANONICAL[end..]);
        let s = validate(&parse_document(&text, "t.toml").unwrap()).unwrap();
        assert_eq!(s.segments.len(), 1);
        assert_eq!(s.segments[0].name, "all");
        assert_eq!(s.segments[0].fit.support(), (0.0, 1.0));
    }

    #[test]
    fn fit_distributions_must_lie_on_the_unit_interval() {
        let beta = "fit = { dist = \"beta\", alpha = 2.0, beta = 5.0 }";
        let (loc, msg) = scenario_err(canonical_with(
            beta,
            "fit = { dist = \"uniform\", min = 0.2, max = 1.5 }",
        ));
        assert_eq!(loc.key, "segments.0.fit");
        assert!(msg.contains("[0, 1]"), "{msg}");
        let (loc, msg) = scenario_err(canonical_with(
            beta,
            "fit = { dist = \"lognormal\", median = 0.2, p90 = 0.5 }",
        ));
        assert_eq!(loc.key, "segments.0.fit.dist");
        assert!(msg.contains("unbounded"), "{msg}");
        let (loc, _) = scenario_err(canonical_with(
            beta,
            "fit = { dist = \"uniform\", min = \"0s\", max = 1 }",
        ));
        assert_eq!(loc.key, "segments.0.fit.min");
        assert!(canonical_with(
            beta,
            "fit = { dist = \"triangular\", min = 0.0, mode = 0.3, max = 1.0 }"
        )
        .is_ok());
    }

    #[test]
    fn distribution_fields_are_checked() {
        let d = "agent = { dist = \"constant\", value = \"3s\" }";
        let (loc, msg) = scenario_err(canonical_with(
            d,
            "agent = { dist = \"beta\", alpha = 1.0, beta = 2.0 }",
        ));
        assert_eq!(loc.key, "scoring.agent.dist");
        assert!(msg.contains("not durations"), "{msg}");
        let (loc, msg) = scenario_err(canonical_with(
            d,
            "agent = { dist = \"constant\", value = \"3s\", mean = \"1s\" }",
        ));
        assert_eq!(loc.key, "scoring.agent.mean");
        assert!(msg.contains("unknown key `mean`"), "{msg}");
        let (loc, _) = scenario_err(canonical_with(
            d,
            "agent = { dist = \"gamma\", mean = \"3s\" }",
        ));
        assert_eq!(loc.key, "scoring.agent.cv");
        let (loc, msg) = scenario_err(canonical_with(d, "agent = { dist = \"weibull\", k = 1 }"));
        assert_eq!(loc.key, "scoring.agent.dist");
        assert!(msg.contains("unknown distribution `weibull`"), "{msg}");
        let (loc, msg) = scenario_err(canonical_with(
            d,
            "agent = { dist = \"lognormal\", median = \"3s\", p90 = \"2s\" }",
        ));
        assert_eq!(loc.key, "scoring.agent");
        assert!(msg.contains("p90"), "{msg}");
        let ok =
            canonical_with(d, "agent = { dist = \"gamma\", mean = \"3s\", cv = 0.5 }").unwrap();
        assert_eq!(ok.scoring.agent.mean(), 3.0);
        let (_, msg) = scenario_err(canonical_with(d, "agent = \"3s\""));
        assert!(msg.contains("expected a distribution"), "{msg}");
    }

    #[test]
    fn threshold_outside_unit_interval_is_rejected() {
        let (loc, msg) = scenario_err(canonical_with(
            "nurture_below = 0.45",
            "nurture_below = 1.2",
        ));
        assert_eq!(loc.key, "gate.nurture_below");
        assert_eq!(msg, "must be in [0, 1], got 1.2");
        assert_eq!(loc.line_col, Some((line_of("nurture_below = 0.45"), 17)));
        let (loc, msg) = scenario_err(canonical_with(
            "good_fit_at = 0.5\n",
            "good_fit_at = 0.5\nautosend_at_or_above = 0.3\n",
        ));
        assert_eq!(loc.key, "gate.autosend_at_or_above");
        assert!(msg.contains("must not be below nurture_below"), "{msg}");
    }

    #[test]
    fn warmup_past_horizon_is_rejected() {
        let (loc, msg) = scenario_err(canonical_with("warmup = \"2w\"", "warmup = \"30w\""));
        assert_eq!(loc.key, "run.warmup");
        assert!(msg.starts_with("warmup past horizon"), "{msg}");
        let (_, msg) = scenario_err(canonical_with("horizon = \"26w\"", "horizon = \"6d\""));
        assert!(msg.contains("horizon shorter than one week"), "{msg}");
        let (_, msg) = scenario_err(canonical_with("horizon = \"26w\"", "horizon = \"2000w\""));
        assert!(msg.contains("1040w"), "{msg}");
    }

    #[test]
    fn counts_and_limits_are_enforced() {
        let (loc, _) = scenario_err(canonical_with("concurrency = 16", "concurrency = 0"));
        assert_eq!(loc.key, "agents.concurrency");
        let (_, msg) = scenario_err(canonical_with("count = 10", "count = 99999999999"));
        assert!(msg.contains("100000"), "{msg}");
        let (loc, _) = scenario_err(canonical_with("replications = 20", "replications = 0"));
        assert_eq!(loc.key, "run.replications");
        let (loc, _) = scenario_err(canonical_with("seed = 20261124", "seed = -1"));
        assert_eq!(loc.key, "run.seed");
        let (loc, _) = scenario_err(canonical_with("per_week = 600", "per_week = 0"));
        assert_eq!(loc.key, "arrivals.per_week");
        let (loc, _) = scenario_err(canonical_with(
            "rate_limit_per_min = 60",
            "rate_limit_per_min = 0",
        ));
        assert_eq!(loc.key, "enrichment.providers.0.rate_limit_per_min");
        let (loc, _) = scenario_err(canonical_with("noise_sd = 0.12", "noise_sd = -0.1"));
        assert_eq!(loc.key, "scoring.noise_sd");
    }

    #[test]
    fn calendar_errors_are_reported() {
        let (loc, msg) = scenario_err(canonical_with(
            "calendar = \"office\"",
            "calendar = \"offise\"",
        ));
        assert_eq!(loc.key, "arrivals.calendar");
        assert!(
            msg.contains("unknown calendar `offise`; known calendars: always, office"),
            "{msg}"
        );
        let (loc, msg) = scenario_err(canonical_with("[calendars.office]", "[calendars.always]"));
        assert_eq!(loc.key, "calendars.always");
        assert!(msg.contains("may not be redefined"), "{msg}");
        let (loc, msg) = scenario_err(canonical_with(
            "hours = [\"09:00-12:00\", \"13:00-17:00\"]",
            "hours = [\"09:00-12:00\", \"11:00-17:00\"]",
        ));
        assert_eq!(loc.key, "calendars.office.hours");
        assert!(msg.contains("overlap"), "{msg}");
        let (loc, msg) = scenario_err(canonical_with("\"mon\", \"tue\"", "\"mon\", \"mon\""));
        assert_eq!(loc.key, "calendars.office.days.1");
        assert!(msg.contains("twice"), "{msg}");
        let (loc, _) = scenario_err(canonical_with("\"09:00-12:00\",", "\"9-12\","));
        assert_eq!(loc.key, "calendars.office.hours.0");
    }

    #[test]
    fn calendar_without_working_time_for_reps_is_rejected() {
        let closed = "[calendars.closed]\ndays = []\nhours = [\"09:00-17:00\"]\n\n[arrivals]";
        let text = CANONICAL.replacen("[arrivals]", closed, 1).replacen(
            "calendar = \"office\"\ncalendar_source = \"assumption: reps work office hours\"",
            "calendar = \"closed\"",
            1,
        );
        let (loc, msg) = scenario_err(validate(&parse_document(&text, "t.toml").unwrap()));
        assert_eq!(loc.key, "reps.calendar");
        assert!(
            msg.starts_with("calendar `closed` has no working time, but reps must work"),
            "{msg}"
        );
        assert!(msg.contains("review drafts"), "{msg}");
        // With every draft autosent and no replies, reps need no working time.
        let quiet = text
            .replacen(
                "good_fit_at = 0.5\n",
                "good_fit_at = 0.5\nautosend_at_or_above = 0.45\n",
                1,
            )
            .replacen("positive_share = 0.14", "positive_share = 0.0", 1);
        assert!(validate(&parse_document(&quiet, "t.toml").unwrap()).is_ok());
    }

    #[test]
    fn zero_reps_with_reviews_is_rejected() {
        let (loc, msg) = scenario_err(canonical_with("count = 10", "count = 0"));
        assert_eq!(loc.key, "reps.count");
        assert!(
            msg.starts_with("reps.count is 0 but reps must review drafts"),
            "{msg}"
        );
    }

    #[test]
    fn review_enums_and_expiry_are_checked() {
        let (loc, msg) = scenario_err(canonical_with("order = \"fifo\"", "order = \"lifo\""));
        assert_eq!(loc.key, "review.order");
        assert!(msg.contains("fifo, highest_score"), "{msg}");
        let (loc, _) = scenario_err(canonical_with(
            "on_expire = \"nurture\"",
            "on_expire = \"keep\"",
        ));
        assert_eq!(loc.key, "review.on_expire");
        let (loc, _) = scenario_err(canonical_with(
            "expire_after = \"3d\"",
            "expire_after = \"0s\"",
        ));
        assert_eq!(loc.key, "review.expire_after");
        let (loc, _) = scenario_err(canonical_with("lane = \"agent\"", "lane = \"robot\""));
        assert_eq!(loc.key, "lookup.lane");
    }

    #[test]
    fn start_date_must_be_a_monday() {
        let add = |date: &str| {
            canonical_with(
                "seed = 20261124\n",
                &format!("seed = 20261124\nstart_date = \"{date}\"\n"),
            )
        };
        assert_eq!(
            add("2026-01-05").unwrap().run.start_date.as_deref(),
            Some("2026-01-05")
        );
        let (loc, msg) = scenario_err(add("2026-01-06"));
        assert_eq!(loc.key, "run.start_date");
        assert!(
            msg.contains("Tuesday") && msg.contains("2026-01-05"),
            "{msg}"
        );
        assert!(add("2026-02-30").is_err());
        assert!(add("5 Jan 2026").is_err());
        assert!(add("2024-02-29").is_err()); // A Thursday, though a valid date.
    }

    /// The canonical scenario with its arrivals block replaced by `block`.
    fn with_arrivals(block: &str) -> Result<Scenario> {
        let start = CANONICAL.find("[arrivals]").unwrap();
        let end = CANONICAL.find("[[segments]]").unwrap();
        let text = format!(
            "{}[arrivals]\n{block}\n\n{}",
            &CANONICAL[..start],
            &CANONICAL[end..]
        );
        validate(&parse_document(&text, "t.toml")?)
    }

    /// The 1-based line of `needle` in the text [`with_arrivals`] builds:
    /// the block starts on the line of the canonical `[arrivals]`.
    fn arrivals_line(block: &str, needle: &str) -> usize {
        let offset = block.lines().position(|l| l.contains(needle)).unwrap();
        line_of("[arrivals]") + 1 + offset
    }

    #[test]
    fn batches_less_than_an_hour_apart_are_rejected() {
        let block = "kind = \"batch\"\nsize = 10\nevery = \"59m\"\nat = \"mon 08:00\"";
        let (loc, msg) = scenario_err(with_arrivals(block));
        assert_eq!(loc.key, "arrivals.every");
        assert_eq!(loc.line_col, Some((arrivals_line(block, "every"), 9)));
        assert_eq!(
            msg,
            "every must be at least 1h (one list import an hour at most), got 59m"
        );
        let (loc, _) = scenario_err(with_arrivals(
            "kind = \"batch\"\nsize = 10\nevery = \"1s\"\nat = \"mon 08:00\"",
        ));
        assert_eq!(loc.key, "arrivals.every");
    }

    #[test]
    fn batches_exactly_an_hour_apart_are_accepted() {
        let s = with_arrivals("kind = \"batch\"\nsize = 10\nevery = \"1h\"\nat = \"mon 08:00\"")
            .unwrap();
        match s.arrivals {
            Arrivals::Batch { every, .. } => assert_eq!(every, units::HOUR),
            Arrivals::Poisson { .. } => panic!("expected batch arrivals"),
        }
    }

    #[test]
    fn poisson_arrivals_over_a_hundred_million_expected_leads_are_rejected() {
        // 5 million a week over the canonical 26 weeks: 1.3e8 leads.
        let (loc, msg) = scenario_err(canonical_with("per_week = 600", "per_week = 5000000"));
        assert_eq!(loc.key, "arrivals.per_week");
        assert_eq!(loc.line_col, Some((line_of("per_week = 600"), 12)));
        assert!(msg.contains("about 1.300e8 leads"), "{msg}");
        assert!(msg.contains("26w of horizon"), "{msg}");
        assert!(msg.contains("at most 1e8"), "{msg}");
        // 3.8 million a week is 9.88e7: accepted.
        assert!(canonical_with("per_week = 600", "per_week = 3800000").is_ok());
    }

    #[test]
    fn batch_arrivals_over_a_hundred_million_expected_leads_are_rejected() {
        // A batch of 100,000 every hour from t = 0 for 26 weeks: 4368 batches.
        let block = "kind = \"batch\"\nsize = 100000\nevery = \"1h\"\nat = \"mon 00:00\"";
        let (loc, msg) = scenario_err(with_arrivals(block));
        assert_eq!(loc.key, "arrivals.size");
        assert_eq!(loc.line_col, Some((arrivals_line(block, "size"), 8)));
        assert!(msg.contains("about 4.368e8 leads"), "{msg}");
        assert!(msg.contains("at most 1e8"), "{msg}");
        // 22,893 a batch makes 99,996,624 leads: accepted; one more is not.
        let just = |size: u64| {
            with_arrivals(&format!(
                "kind = \"batch\"\nsize = {size}\nevery = \"1h\"\nat = \"mon 00:00\""
            ))
        };
        assert!(just(22_893).is_ok());
        assert_eq!(scenario_err(just(22_894)).0.key, "arrivals.size");
        // The count is of batches before the horizon: the first at `at`.
        let s = just(22_893).unwrap();
        assert_eq!(s.arrivals.expected_before(s.run.horizon), 22_893.0 * 4368.0);
    }

    #[test]
    fn batch_arrivals_default_to_weekly() {
        let s = with_arrivals("kind = \"batch\"\nsize = 300\nat = \"tue 08:00\"").unwrap();
        match s.arrivals {
            Arrivals::Batch { size, every, at } => {
                assert_eq!(size, 300);
                assert_eq!(every, WEEK);
                assert_eq!(at, units::DAY + 8.0 * units::HOUR);
            }
            Arrivals::Poisson { .. } => panic!("expected batch arrivals"),
        }
    }

    #[test]
    fn bad_names_are_rejected() {
        let (loc, _) = scenario_err(canonical_with("name = \"canonical\"", "name = \"../x\""));
        assert_eq!(loc.key, "name");
    }
}
