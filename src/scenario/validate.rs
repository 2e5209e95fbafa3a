//! Validation: walks the resolved raw tree into the typed [`Scenario`], reading every key through its declaration ([`super::schema`]) and checking the rules that tie keys together.

use std::collections::BTreeMap;
use std::path::Path;

use super::raw::{Node, Origin};
use super::read::{Field, Tab};
use super::schema::Slot;
use super::types::*;
use crate::calendar::Calendar;
use crate::dist::Dist;
use crate::error::{Error, Result};
use crate::units::{self, parse_duration, HOUR, WEEK};

/// The longest horizon accepted: 1040 weeks (20 years).
const MAX_HORIZON_WEEKS: f64 = 1040.0;
/// The most leads a replication may expect to see (docs/MODEL.md section 10,
/// "Bounded work"): more is bad input, not a long wait.
const MAX_EXPECTED_LEADS: f64 = 1e8;
/// The shortest gap between two list imports (docs/MODEL.md section 10).
const MIN_BATCH_EVERY: f64 = HOUR;
/// The tolerance of the segment shares' sum.
const SHARE_TOLERANCE: f64 = 1e-9;
/// The smallest provider rate limit, calls per minute: one call every 992
/// weeks. Below it a token's interval is longer than any horizon, and at
/// the bottom of the floats it is not representable at all.
const MIN_RATE_LIMIT: f64 = 1e-7;

/// Validates a resolved tree (no `extends`, overrides applied) into a typed
/// scenario.
pub(crate) fn validate(root: &Node) -> Result<Scenario> {
    let root = Tab::root(root)?;
    root.check_keys()?;
    let name = scenario_name(&root.req("name")?)?;
    let description = root.req("description")?.text()?.to_string();
    let run = run(&root.req("run")?.table()?)?;
    let calendars = calendars(&root)?;
    let (arrivals, arrival_cal) = arrivals(&root.req("arrivals")?, &calendars, run.horizon)?;
    let segments = segments(&root.req("segments")?)?;
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
    let baseline = Baseline {
        triage_below: root
            .req("baseline")?
            .table()?
            .req("triage_below")?
            .value()?,
    };

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
        baseline,
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

fn scenario_name(f: &Field) -> Result<String> {
    let name = f.text()?;
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
    t.check_keys()?;
    let hf = t.req("horizon")?;
    let horizon = hf.value()?;
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
    let warmup = wf.value()?;
    if warmup >= horizon {
        return Err(wf.err(format!(
            "warmup past horizon: warmup {} must be before the horizon {}",
            units::format_duration(warmup),
            units::format_duration(horizon)
        )));
    }
    let df = t.req("start_date")?;
    let start_date = df.monday()?;
    // Event-log timestamps are ISO 8601, whose years have four digits.
    let first = chrono::NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    let end = start_date + chrono::Days::new((horizon / units::DAY).ceil() as u64);
    if start_date < first || end > last {
        return Err(df.err(format!(
            "start_date {start_date} and the horizon {} put timestamps outside the years 0001 to 9999 \
             that ISO 8601 writes",
            units::format_duration(horizon)
        )));
    }
    Ok(RunSettings {
        horizon,
        warmup,
        replications: t.req("replications")?.whole32()?,
        seed: t.req("seed")?.whole()?,
        start_date,
    })
}

/// The scenario's calendars by name, `always` included.
type Calendars = BTreeMap<String, (Calendar, Option<CalRef>)>;

fn calendars(root: &Tab) -> Result<Calendars> {
    let mut out = Calendars::new();
    out.insert("always".to_string(), (Calendar::always(), None));
    let Some(f) = root.field("calendars")? else {
        return Ok(out);
    };
    let t = f.table()?;
    t.check_keys()?;
    for name in t.names() {
        let cf = t.req(name)?;
        if name == "always" {
            return Err(cf.err(
                "the built-in calendar `always` (24/7) may not be redefined; give this calendar another name",
            ));
        }
        let (cal, defined) = calendar(name, &cf.table()?)?;
        out.insert(name.to_string(), (cal, Some(defined)));
    }
    Ok(out)
}

/// Reads one calendar definition; with it, where an error about its
/// working time belongs: its `days` when it lists none, else its `hours`.
fn calendar(name: &str, t: &Tab) -> Result<(Calendar, CalRef)> {
    t.check_keys()?;
    let df = t.req("days")?;
    let days = df.weekdays()?;
    let hf = t.req("hours")?;
    let windows = hf.windows()?;
    let cal = Calendar::weekly(name, &days, &windows).map_err(|m| hf.err(m))?;
    let defined = CalRef::at(if days.is_empty() { &df } else { &hf });
    Ok((cal, defined))
}

/// Where a calendar was chosen, for working-time errors.
#[derive(Debug, Clone)]
struct CalRef {
    /// The dotted key path of the reference.
    path: String,
    /// The error location (the reference, or its table when defaulted).
    origin: Origin,
    /// Where the calendar it names was defined (its days or hours), if in
    /// the scenario.
    defined: Option<Box<CalRef>>,
}

impl CalRef {
    /// Where `f` was written.
    fn at(f: &Field) -> CalRef {
        CalRef {
            path: f.path().to_string(),
            origin: f.origin().clone(),
            defined: None,
        }
    }

    fn err(&self, message: impl Into<String>) -> Error {
        self.origin.error(&self.path, message)
    }

    /// An error about the named calendar's working time: at its
    /// definition, which is what to change, naming this reference.
    fn no_working_time(&self, message: impl Into<String>) -> Error {
        match &self.defined {
            Some(d) => d.origin.error(
                &d.path,
                format!("{} (the calendar of {})", message.into(), self.path),
            ),
            None => self.err(message),
        }
    }
}

/// Reads the calendar reference `key` of `t` (its default when absent).
fn calendar_ref(t: &Tab, key: &str, calendars: &Calendars) -> Result<(Calendar, CalRef)> {
    let f = t.req(key)?;
    let name = f.text()?;
    let mut at = CalRef::at(&f);
    let (cal, defined) = calendars.get(name).cloned().ok_or_else(|| {
        at.err(format!(
            "unknown calendar `{name}`; known calendars: {}",
            calendars.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })?;
    at.defined = defined.map(Box::new);
    Ok((cal, at))
}

fn arrivals(f: &Field, calendars: &Calendars, horizon: f64) -> Result<(Arrivals, Option<CalRef>)> {
    let (kind, t) = f.variant()?;
    t.check_keys()?;
    let (arrivals, cal, volume_key) = match kind {
        "poisson" => {
            let per_week = t.req("per_week")?.value()?;
            let (calendar, at) = calendar_ref(&t, "calendar", calendars)?;
            (
                Arrivals::Poisson { per_week, calendar },
                Some(at),
                "per_week",
            )
        }
        "batch" => {
            let size = t.req("size")?.whole()?;
            let ef = t.req("every")?;
            let every = ef.value()?;
            if every < MIN_BATCH_EVERY {
                return Err(ef.err(format!(
                    "every must be at least 1h (one list import an hour at most), got {}",
                    units::format_duration(every)
                )));
            }
            let at = t.req("at")?.week_time()?;
            (Arrivals::Batch { size, every, at }, None, "size")
        }
        other => unreachable!("arrival kind `{other}` is declared but not read"),
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

fn segments(f: &Field) -> Result<Vec<Segment>> {
    let items = f.items()?;
    if items.is_empty() {
        return Err(f.err("at least one segment is needed (or leave `segments` out for one segment with fit uniform on [0, 1])"));
    }
    let mut out: Vec<Segment> = Vec::with_capacity(items.len());
    // Names seen, for the duplicate check in time linear in the segments.
    let mut names = std::collections::HashSet::with_capacity(items.len());
    for item in items {
        let t = item.table()?;
        t.check_keys()?;
        let nf = t.req("name")?;
        let name = nf.text()?.to_string();
        if name.trim().is_empty() {
            return Err(nf.err("a segment name must not be empty"));
        }
        if !names.insert(name.clone()) {
            return Err(nf.err(format!("segment name `{name}` is used twice")));
        }
        let share = t.req("share")?.value()?;
        let fit = dist(&t.req("fit")?)?;
        out.push(Segment { name, share, fit });
    }
    let sum: f64 = out.iter().map(|s| s.share).sum();
    if (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(f.err(format!("segment shares sum to {sum}, not 1")));
    }
    Ok(out)
}

/// Reads a distribution in a duration or fit slot.
fn dist(f: &Field) -> Result<Dist> {
    let slot = f.slot();
    let (kind, t) = f.variant()?;
    match (slot, kind) {
        (Slot::Duration(_), "beta") => {
            return Err(t.req("dist")?.err(
                "`beta` is for values on [0, 1] such as fit, not durations; use constant, exponential, uniform, triangular, lognormal, gamma or empirical",
            ))
        }
        (Slot::Fit, "exponential" | "lognormal" | "gamma") => {
            return Err(t.req("dist")?.err(format!(
                "a fit lies on [0, 1] but `{kind}` is unbounded; use beta, uniform, triangular, constant or empirical"
            )))
        }
        _ => {}
    }
    t.check_keys()?;
    let value = |key: &str| -> Result<f64> { t.req(key)?.value() };
    let built = match kind {
        "constant" => Dist::constant(value("value")?),
        "exponential" => Dist::exponential(value("mean")?),
        "uniform" => Dist::uniform(value("min")?, value("max")?),
        "triangular" => Dist::triangular(value("min")?, value("mode")?, value("max")?),
        "lognormal" => Dist::lognormal(value("median")?, value("p90")?),
        "gamma" => Dist::gamma(value("mean")?, value("cv")?),
        "beta" => Dist::beta(value("alpha")?, value("beta")?),
        "empirical" => {
            let path = Path::new(t.req("file")?.text()?);
            let column = t.req("column")?.text()?;
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
        other => unreachable!("distribution `{other}` is declared but not built"),
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
    Ok(match t.req("lane")?.name()? {
        "agent" => Lane::Agent,
        "human" => Lane::Human,
        other => unreachable!("lane `{other}` is declared but not read"),
    })
}

fn prep_stage(t: &Tab) -> Result<PrepStage> {
    t.check_keys()?;
    Ok(PrepStage {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?)?,
        manual: dist(&t.req("manual")?)?,
    })
}

fn enrichment(t: &Tab) -> Result<Enrichment> {
    t.check_keys()?;
    let lane = lane(t)?;
    let agent = dist(&t.req("agent")?)?;
    let manual = dist(&t.req("manual")?)?;
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
    t.check_keys()?;
    let nf = t.req("name")?;
    let name = nf.text()?.to_string();
    if name.trim().is_empty() {
        return Err(nf.err("a provider name must not be empty"));
    }
    let rf = t.req("rate_limit_per_min")?;
    let rate_limit_per_min = rf.value()?;
    if rate_limit_per_min < MIN_RATE_LIMIT {
        return Err(rf.err(format!(
            "rate_limit_per_min must be at least {MIN_RATE_LIMIT:e} (one call every {:.0} weeks), \
             got {rate_limit_per_min:e}",
            60.0 / MIN_RATE_LIMIT / WEEK
        )));
    }
    Ok(Provider {
        name,
        match_rate: t.req("match_rate")?.value()?,
        latency: dist(&t.req("latency")?)?,
        error_rate: t.req("error_rate")?.value()?,
        max_retries: t.req("max_retries")?.whole32()?,
        rate_limit_per_min,
        cost_per_call: t.req("cost_per_call")?.value()?,
    })
}

fn scoring(t: &Tab) -> Result<Scoring> {
    t.check_keys()?;
    Ok(Scoring {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?)?,
        manual: dist(&t.req("manual")?)?,
        noise_sd: t.req("noise_sd")?.value()?,
        manual_noise_sd: t.req("manual_noise_sd")?.value()?,
        cost: t.req("cost")?.value()?,
    })
}

fn drafting(t: &Tab) -> Result<Drafting> {
    t.check_keys()?;
    Ok(Drafting {
        lane: lane(t)?,
        agent: dist(&t.req("agent")?)?,
        manual: dist(&t.req("manual")?)?,
        cost: t.req("cost")?.value()?,
    })
}

fn gate(t: &Tab) -> Result<Gate> {
    t.check_keys()?;
    let nurture_below = t.req("nurture_below")?.value()?;
    let autosend_at_or_above = match t.field("autosend_at_or_above")? {
        None => None,
        Some(f) => {
            let v = f.value()?;
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
        good_fit_at: t.req("good_fit_at")?.value()?,
    })
}

fn review(t: &Tab) -> Result<Review> {
    t.check_keys()?;
    let order = match t.req("order")?.name()? {
        "fifo" => ReviewOrder::Fifo,
        "highest_score" => ReviewOrder::HighestScore,
        other => unreachable!("review order `{other}` is declared but not read"),
    };
    let on_expire = match t.req("on_expire")?.name()? {
        "nurture" => OnExpire::Nurture,
        "drop" => OnExpire::Drop,
        other => unreachable!("on_expire `{other}` is declared but not read"),
    };
    Ok(Review {
        duration: dist(&t.req("duration")?)?,
        edit_probability: t.req("edit_probability")?.value()?,
        edit: dist(&t.req("edit")?)?,
        judgement_noise_sd: t.req("judgement_noise_sd")?.value()?,
        reject_fit_below: t.req("reject_fit_below")?.value()?,
        order,
        expire_after: t.req("expire_after")?.value()?,
        on_expire,
    })
}

fn reps(t: &Tab, calendars: &Calendars) -> Result<(Reps, CalRef, CalRef)> {
    t.check_keys()?;
    let cf = t.req("count")?;
    let count = cf.whole32()?;
    let (calendar, at) = calendar_ref(t, "calendar", calendars)?;
    let hourly_cost = t.req("hourly_cost")?.value()?;
    let other_work = match t.field("other_work")? {
        None => None,
        Some(f) => other_work(&f.table()?)?,
    };
    Ok((
        Reps {
            count,
            calendar,
            hourly_cost,
            other_work,
        },
        at,
        CalRef::at(&cf),
    ))
}

/// Reads `reps.other_work`: none at share 0; else a share below 1 and a
/// block of mean above 0.
fn other_work(t: &Tab) -> Result<Option<OtherWork>> {
    t.check_keys()?;
    let sf = t.req("share")?;
    let share = sf.value()?;
    if share >= 1.0 {
        return Err(sf.err(format!(
            "share must be below 1 (reps must have some time for the pipeline), got {share}"
        )));
    }
    let block = match t.field("block")? {
        Some(f) => Some((dist(&f)?, f)),
        None => None,
    };
    if share == 0.0 {
        return Ok(None);
    }
    let Some((block, bf)) = block else {
        return Err(t.missing_key("block", "block is required when share is above 0"));
    };
    if block.mean() <= 0.0 {
        return Err(bf.err("an other-work block must last some time: its mean is 0"));
    }
    Ok(Some(OtherWork { share, block }))
}

fn agents(t: &Tab, calendars: &Calendars) -> Result<(Agents, CalRef)> {
    t.check_keys()?;
    let concurrency = t.req("concurrency")?.whole32()?;
    let (calendar, at) = calendar_ref(t, "calendar", calendars)?;
    Ok((
        Agents {
            concurrency,
            calendar,
        },
        at,
    ))
}

fn linear_in_fit(f: &Field) -> Result<LinearInFit> {
    let t = f.table()?;
    t.check_keys()?;
    Ok(LinearInFit {
        at_fit_0: t.req("at_fit_0")?.value()?,
        at_fit_1: t.req("at_fit_1")?.value()?,
    })
}

fn email(t: &Tab, calendars: &Calendars) -> Result<(Email, CalRef)> {
    t.check_keys()?;
    let mailboxes = t.req("mailboxes")?.whole32()?;
    let daily_cap_per_mailbox = t.req("daily_cap_per_mailbox")?.whole32()?;
    let (calendar, at) = calendar_ref(t, "calendar", calendars)?;
    let follow_ups = t.req("follow_ups")?.whole32()?;
    let interval = t.field("follow_up_interval")?;
    let factor = t.field("follow_up_reply_factor")?;
    let (follow_up_interval, follow_up_reply_factor) = match (follow_ups, interval, factor) {
        (0, i, f) => (
            i.map(|f| f.value()).transpose()?.unwrap_or(0.0),
            f.map(|f| f.value()).transpose()?.unwrap_or(1.0),
        ),
        (_, Some(i), Some(f)) => (i.value()?, f.value()?),
        (_, None, _) => {
            return Err(t.missing_key(
                "follow_up_interval",
                "follow_up_interval is required when follow_ups is above 0",
            ))
        }
        (_, _, None) => {
            return Err(t.missing_key(
                "follow_up_reply_factor",
                "follow_up_reply_factor is required when follow_ups is above 0",
            ))
        }
    };
    Ok((
        Email {
            mailboxes,
            daily_cap_per_mailbox,
            calendar,
            bounce_rate: t.req("bounce_rate")?.value()?,
            reply_rate: linear_in_fit(&t.req("reply_rate")?)?,
            edited_reply_factor: t.req("edited_reply_factor")?.value()?,
            autosend_reply_factor: t.req("autosend_reply_factor")?.value()?,
            positive_share: t.req("positive_share")?.value()?,
            reply_delay: dist(&t.req("reply_delay")?)?,
            follow_ups,
            follow_up_interval,
            follow_up_reply_factor,
        },
        at,
    ))
}

fn conversations(t: &Tab) -> Result<Conversations> {
    t.check_keys()?;
    Ok(Conversations {
        duration: dist(&t.req("duration")?)?,
        meeting_rate: t.req("meeting_rate")?.value()?,
    })
}

fn nurture(t: &Tab) -> Result<Nurture> {
    t.check_keys()?;
    Ok(Nurture {
        touches: t.req("touches")?.whole32()?,
        interval: t.req("interval")?.value()?,
        engage_rate: linear_in_fit(&t.req("engage_rate")?)?,
        rescore_boost: t.req("rescore_boost")?.value()?,
        max_reentries: t.req("max_reentries")?.whole32()?,
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
            return Err(at.no_working_time(format!(
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
        return Err(refs.agents.no_working_time(format!(
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
            return Err(refs.reps.no_working_time(format!(
                "calendar `{}` has no working time, but reps must work (to {})",
                s.reps.calendar.name(),
                duties.join(", ")
            )));
        }
    }
    if !s.email.calendar.has_working_time() {
        return Err(refs.email.no_working_time(format!(
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
    use crate::scenario::raw::{join, parse_document, NodeValue};
    use crate::scenario::schema::{self, Need};
    use crate::scenario::TEST_BASE;

    /// Validates the tests' base scenario (`tests/fixtures/base.toml`, not
    /// the shipped canonical one) with `from` replaced by `to`.
    fn base_with(from: &str, to: &str) -> Result<Scenario> {
        assert!(TEST_BASE.contains(from), "the test base has no `{from}`");
        let text = TEST_BASE.replacen(from, to, 1);
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

    /// The 1-based line of the first occurrence of `needle` in the test base.
    fn line_of(needle: &str) -> usize {
        TEST_BASE
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or(0)
    }

    #[test]
    fn the_test_base_validates() {
        let s = validate(&parse_document(TEST_BASE, "c.toml").unwrap()).unwrap();
        assert_eq!(s.run.horizon, 26.0 * WEEK);
        assert_eq!(s.reps.calendar.name(), "office");
        assert_eq!(s.agents.calendar.name(), "always");
        assert_eq!(s.gate.autosend_at_or_above, None);
        assert_eq!(s.enrichment.providers.len(), 1);
    }

    /// Every key path of a tree (`_source` keys left out), parents first.
    fn key_paths(node: &Node, path: &str, out: &mut Vec<String>) {
        match &node.value {
            NodeValue::Table(t) => {
                for e in t.entries.iter().filter(|e| !e.key.ends_with("_source")) {
                    let p = join(path, &e.key);
                    out.push(p.clone());
                    key_paths(&e.node, &p, out);
                }
            }
            NodeValue::Array(items) if items.iter().all(|n| n.as_table().is_some()) => {
                for (i, item) in items.iter().enumerate() {
                    key_paths(item, &join(path, &i.to_string()), out);
                }
            }
            _ => {}
        }
    }

    /// `root` with the entry at `path` taken out.
    fn without(root: &Node, path: &str) -> Node {
        let mut root = root.clone();
        let (parents, last) = path.rsplit_once('.').unwrap_or(("", path));
        let mut node = &mut root;
        for seg in parents.split('.').filter(|s| !s.is_empty()) {
            node = match &mut node.value {
                NodeValue::Table(t) => t.get_mut(seg).unwrap(),
                NodeValue::Array(items) => &mut items[seg.parse::<usize>().unwrap()],
                _ => unreachable!("{path}"),
            };
        }
        node.as_table_mut().unwrap().remove(last).unwrap();
        root
    }

    #[test]
    fn every_key_of_the_test_base_is_declared_and_required_as_declared() {
        let root = parse_document(TEST_BASE, "c.toml").unwrap();
        let mut paths = Vec::new();
        key_paths(&root, "", &mut paths);
        let mut required = 0;
        for path in &paths {
            let (_, need) = schema::declared(path).unwrap_or_else(|| panic!("{path}"));
            let result = validate(&without(&root, path));
            match need {
                Need::Required if !path.starts_with("calendars.") => {
                    let (loc, msg) = scenario_err(result);
                    assert_eq!(
                        (loc.key.as_str(), msg.as_str()),
                        (path.as_str(), "missing required key")
                    );
                    required += 1;
                }
                // A named calendar's absence is an unknown calendar elsewhere.
                Need::Required => assert!(result.is_err(), "{path}"),
                Need::Default(_) => assert!(result.is_ok(), "{path}"),
                // Without calendars, `office` is unknown.
                Need::Optional if path == "calendars" => assert!(result.is_err()),
                // The follow-up interval and factor, needed only when the
                // base has follow-ups (it has none).
                Need::Optional => assert!(result.is_ok(), "{path}"),
            }
        }
        assert!(required > 100, "{required}");
    }

    #[test]
    fn keys_left_out_take_their_declared_defaults() {
        let mut text = TEST_BASE.to_string();
        let start = text.find("[[segments]]").unwrap();
        let end = text.find("[lookup]").unwrap();
        text.replace_range(start..end, "");
        for line in [
            "lane = \"agent\"\n",
            "calendar = \"office\"\ncalendar_source = \"assumption: new leads land in the CRM during office hours\"\n",
            "agent = { dist = \"constant\", value = \"0s\" }\n",
        ] {
            assert!(text.contains(line), "{line}");
            text = text.replace(line, "");
        }
        let s = validate(&parse_document(&text, "t.toml").unwrap()).unwrap();
        let lanes = [
            s.lookup.lane,
            s.enrichment.lane,
            s.scoring.lane,
            s.drafting.lane,
        ];
        assert_eq!(lanes, [Lane::Agent; 4]);
        match &s.arrivals {
            Arrivals::Poisson { calendar, .. } => assert_eq!(calendar.name(), "always"),
            Arrivals::Batch { .. } => panic!("expected poisson arrivals"),
        }
        assert_eq!(s.agents.calendar.name(), "always");
        assert_eq!(s.enrichment.agent.mean(), 0.0);
        assert_eq!(s.segments.len(), 1);
        assert_eq!(
            (s.segments[0].name.as_str(), s.segments[0].share),
            ("all", 1.0)
        );
        assert_eq!(s.segments[0].fit.support(), (0.0, 1.0));
        assert_eq!(s.segments[0].fit.mean(), 0.5);
        assert_eq!(
            s.run.start_date,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
        );
    }

    #[test]
    fn unknown_key_is_rejected_with_line_and_column() {
        let (loc, msg) = scenario_err(base_with("edit_probability = 0.1", "edit_probabilty = 0.1"));
        assert_eq!(loc.key, "review.edit_probabilty");
        assert_eq!(loc.line_col, Some((line_of("edit_probability = 0.1"), 1)));
        assert!(msg.contains("unknown key `edit_probabilty`"), "{msg}");
        assert!(msg.contains("did you mean `edit_probability`"), "{msg}");
        assert!(msg.contains("expected one of duration"), "{msg}");
    }

    #[test]
    fn missing_required_key_is_named() {
        let (loc, msg) = scenario_err(base_with(
            "duration = { dist = \"lognormal\", median = \"2.5m\", p90 = \"5m\" }\n",
            "",
        ));
        assert_eq!(loc.key, "review.duration");
        assert_eq!(msg, "missing required key");
        assert_eq!(loc.line_col, Some((line_of("[review]"), 1)));
    }

    #[test]
    fn unknown_source_key_and_non_string_source_are_rejected() {
        let (loc, _) = scenario_err(base_with("cost_source =", "cots_source ="));
        assert_eq!(loc.key, "scoring.cots_source");
        let (loc, msg) = scenario_err(base_with(
            "cost_source = \"assumption: one short LLM call\"",
            "cost_source = 3",
        ));
        assert_eq!(loc.key, "scoring.cost_source");
        assert!(msg.contains("must be a string"), "{msg}");
    }

    #[test]
    fn bare_number_duration_is_rejected() {
        let (loc, msg) = scenario_err(base_with("horizon = \"26w\"", "horizon = 26"));
        assert_eq!(loc.key, "run.horizon");
        assert_eq!(msg, "a duration needs a unit, e.g. \"26w\"");
        assert_eq!(loc.line_col, Some((line_of("horizon = \"26w\""), 11)));
        let (loc, _) = scenario_err(base_with("median = \"30m\"", "median = 30"));
        assert_eq!(loc.key, "conversations.duration.median");
    }

    #[test]
    fn type_errors_name_the_expected_type() {
        let (loc, msg) = scenario_err(base_with("count = 10", "count = \"ten\""));
        assert_eq!(loc.key, "reps.count");
        assert!(
            msg.contains("expected a whole number, got a string (\"ten\")"),
            "{msg}"
        );
        let (_, msg) = scenario_err(base_with("count = 10", "count = 2.5"));
        assert!(msg.contains("whole number"), "{msg}");
        let (_, msg) = scenario_err(base_with("bounce_rate = 0.023", "bounce_rate = nan"));
        assert!(msg.contains("finite"), "{msg}");
    }

    #[test]
    fn shares_not_summing_to_one_are_rejected() {
        let (loc, msg) = scenario_err(base_with("share = 1.0", "share = 0.9"));
        assert_eq!(loc.key, "segments");
        assert_eq!(msg, "segment shares sum to 0.9, not 1");
    }

    #[test]
    fn segments_default_to_one_uniform_segment() {
        let start = TEST_BASE.find("[[segments]]").unwrap();
        let end = TEST_BASE.find("[lookup]").unwrap();
        let text = format!("{}{}", &TEST_BASE[..start], &TEST_BASE[end..]);
        let s = validate(&parse_document(&text, "t.toml").unwrap()).unwrap();
        assert_eq!(s.segments.len(), 1);
        assert_eq!(s.segments[0].name, "all");
        assert_eq!(s.segments[0].fit.support(), (0.0, 1.0));
    }

    #[test]
    fn fit_distributions_must_lie_on_the_unit_interval() {
        let beta = "fit = { dist = \"beta\", alpha = 2.0, beta = 5.0 }";
        let (loc, msg) = scenario_err(base_with(
            beta,
            "fit = { dist = \"uniform\", min = 0.2, max = 1.5 }",
        ));
        assert_eq!(loc.key, "segments.0.fit");
        assert!(msg.contains("[0, 1]"), "{msg}");
        let (loc, msg) = scenario_err(base_with(
            beta,
            "fit = { dist = \"lognormal\", median = 0.2, p90 = 0.5 }",
        ));
        assert_eq!(loc.key, "segments.0.fit.dist");
        assert!(msg.contains("unbounded"), "{msg}");
        let (loc, _) = scenario_err(base_with(
            beta,
            "fit = { dist = \"uniform\", min = \"0s\", max = 1 }",
        ));
        assert_eq!(loc.key, "segments.0.fit.min");
        assert!(base_with(
            beta,
            "fit = { dist = \"triangular\", min = 0.0, mode = 0.3, max = 1.0 }"
        )
        .is_ok());
    }

    #[test]
    fn distribution_fields_are_checked() {
        let d = "agent = { dist = \"constant\", value = \"3s\" }";
        let (loc, msg) = scenario_err(base_with(
            d,
            "agent = { dist = \"beta\", alpha = 1.0, beta = 2.0 }",
        ));
        assert_eq!(loc.key, "scoring.agent.dist");
        assert!(msg.contains("not durations"), "{msg}");
        let (loc, msg) = scenario_err(base_with(
            d,
            "agent = { dist = \"constant\", value = \"3s\", mean = \"1s\" }",
        ));
        assert_eq!(loc.key, "scoring.agent.mean");
        assert!(msg.contains("unknown key `mean`"), "{msg}");
        let (loc, _) = scenario_err(base_with(d, "agent = { dist = \"gamma\", mean = \"3s\" }"));
        assert_eq!(loc.key, "scoring.agent.cv");
        let (loc, msg) = scenario_err(base_with(d, "agent = { dist = \"weibull\", k = 1 }"));
        assert_eq!(loc.key, "scoring.agent.dist");
        assert!(msg.contains("unknown distribution `weibull`"), "{msg}");
        let (loc, msg) = scenario_err(base_with(
            d,
            "agent = { dist = \"lognormal\", median = \"3s\", p90 = \"2s\" }",
        ));
        assert_eq!(loc.key, "scoring.agent");
        assert!(msg.contains("p90"), "{msg}");
        let ok = base_with(d, "agent = { dist = \"gamma\", mean = \"3s\", cv = 0.5 }").unwrap();
        assert_eq!(ok.scoring.agent.mean(), 3.0);
        let (_, msg) = scenario_err(base_with(d, "agent = \"3s\""));
        assert!(msg.contains("expected a distribution"), "{msg}");
    }

    #[test]
    fn threshold_outside_unit_interval_is_rejected() {
        let (loc, msg) = scenario_err(base_with("nurture_below = 0.45", "nurture_below = 1.2"));
        assert_eq!(loc.key, "gate.nurture_below");
        assert_eq!(msg, "must be in [0, 1], got 1.2");
        assert_eq!(loc.line_col, Some((line_of("nurture_below = 0.45"), 17)));
        let (loc, msg) = scenario_err(base_with(
            "good_fit_at = 0.5\n",
            "good_fit_at = 0.5\nautosend_at_or_above = 0.3\n",
        ));
        assert_eq!(loc.key, "gate.autosend_at_or_above");
        assert!(msg.contains("must not be below nurture_below"), "{msg}");
    }

    #[test]
    fn warmup_past_horizon_is_rejected() {
        let (loc, msg) = scenario_err(base_with("warmup = \"2w\"", "warmup = \"30w\""));
        assert_eq!(loc.key, "run.warmup");
        assert!(msg.starts_with("warmup past horizon"), "{msg}");
        let (_, msg) = scenario_err(base_with("horizon = \"26w\"", "horizon = \"6d\""));
        assert!(msg.contains("horizon shorter than one week"), "{msg}");
        let (_, msg) = scenario_err(base_with("horizon = \"26w\"", "horizon = \"2000w\""));
        assert!(msg.contains("1040w"), "{msg}");
    }

    #[test]
    fn counts_and_limits_are_enforced() {
        let (loc, _) = scenario_err(base_with("concurrency = 16", "concurrency = 0"));
        assert_eq!(loc.key, "agents.concurrency");
        let (_, msg) = scenario_err(base_with("count = 10", "count = 99999999999"));
        assert!(msg.contains("100000"), "{msg}");
        let (loc, _) = scenario_err(base_with("replications = 20", "replications = 0"));
        assert_eq!(loc.key, "run.replications");
        let (loc, _) = scenario_err(base_with("seed = 20261124", "seed = -1"));
        assert_eq!(loc.key, "run.seed");
        let (loc, _) = scenario_err(base_with("per_week = 600", "per_week = 0"));
        assert_eq!(loc.key, "arrivals.per_week");
        let (loc, _) = scenario_err(base_with(
            "rate_limit_per_min = 60",
            "rate_limit_per_min = 0",
        ));
        assert_eq!(loc.key, "enrichment.providers.0.rate_limit_per_min");
        let (loc, _) = scenario_err(base_with("noise_sd = 0.12", "noise_sd = -0.1"));
        assert_eq!(loc.key, "scoring.noise_sd");
    }

    #[test]
    fn calendar_errors_are_reported() {
        let (loc, msg) = scenario_err(base_with("calendar = \"office\"", "calendar = \"offise\""));
        assert_eq!(loc.key, "arrivals.calendar");
        assert!(
            msg.contains("unknown calendar `offise`; known calendars: always, office"),
            "{msg}"
        );
        let (loc, msg) = scenario_err(base_with("[calendars.office]", "[calendars.always]"));
        assert_eq!(loc.key, "calendars.always");
        assert!(msg.contains("may not be redefined"), "{msg}");
        let (loc, msg) = scenario_err(base_with(
            "hours = [\"09:00-12:00\", \"13:00-17:00\"]",
            "hours = [\"09:00-12:00\", \"11:00-17:00\"]",
        ));
        assert_eq!(loc.key, "calendars.office.hours");
        assert!(msg.contains("overlap"), "{msg}");
        let (loc, msg) = scenario_err(base_with("\"mon\", \"tue\"", "\"mon\", \"mon\""));
        assert_eq!(loc.key, "calendars.office.days.1");
        assert!(msg.contains("twice"), "{msg}");
        let (loc, _) = scenario_err(base_with("\"09:00-12:00\",", "\"9-12\","));
        assert_eq!(loc.key, "calendars.office.hours.0");
    }

    #[test]
    fn calendar_without_working_time_for_reps_is_rejected() {
        let closed = "[calendars.closed]\ndays = []\nhours = [\"09:00-17:00\"]\n\n[arrivals]";
        let text = TEST_BASE.replacen("[arrivals]", closed, 1).replacen(
            "calendar = \"office\"\ncalendar_source = \"assumption: reps work office hours\"",
            "calendar = \"closed\"",
            1,
        );
        let (loc, msg) = scenario_err(validate(&parse_document(&text, "t.toml").unwrap()));
        // At the definition, which is what to change, naming the reference.
        assert_eq!(loc.key, "calendars.closed.days");
        assert!(
            msg.starts_with("calendar `closed` has no working time, but reps must work"),
            "{msg}"
        );
        assert!(msg.ends_with("(the calendar of reps.calendar)"), "{msg}");
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
        let (loc, msg) = scenario_err(base_with("count = 10", "count = 0"));
        assert_eq!(loc.key, "reps.count");
        assert!(
            msg.starts_with("reps.count is 0 but reps must review drafts"),
            "{msg}"
        );
    }

    #[test]
    fn review_enums_and_expiry_are_checked() {
        let (loc, msg) = scenario_err(base_with("order = \"fifo\"", "order = \"lifo\""));
        assert_eq!(loc.key, "review.order");
        assert!(msg.contains("fifo, highest_score"), "{msg}");
        let (loc, _) = scenario_err(base_with("on_expire = \"nurture\"", "on_expire = \"keep\""));
        assert_eq!(loc.key, "review.on_expire");
        let (loc, _) = scenario_err(base_with("expire_after = \"3d\"", "expire_after = \"0s\""));
        assert_eq!(loc.key, "review.expire_after");
        let (loc, _) = scenario_err(base_with("lane = \"agent\"", "lane = \"robot\""));
        assert_eq!(loc.key, "lookup.lane");
    }

    #[test]
    fn start_date_must_be_a_monday() {
        let add = |date: &str| {
            base_with(
                "seed = 20261124\n",
                &format!("seed = 20261124\nstart_date = \"{date}\"\n"),
            )
        };
        let monday = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            add("2026-01-12").unwrap().run.start_date,
            monday(2026, 1, 12)
        );
        assert_eq!(
            add("2024-12-30").unwrap().run.start_date,
            monday(2024, 12, 30)
        );
        let (loc, msg) = scenario_err(add("2026-01-06"));
        assert_eq!(loc.key, "run.start_date");
        assert_eq!(loc.line_col, Some((line_of("seed = 20261124") + 1, 14)));
        assert_eq!(
            msg,
            "start_date must be a Monday (t = 0 is Monday 00:00), but 2026-01-06 is a Tuesday; the Monday before is 2026-01-05"
        );
        // A Thursday, though a valid date; the Monday before is in another year.
        let (_, msg) = scenario_err(add("2026-01-01"));
        assert!(
            msg.ends_with("2026-01-01 is a Thursday; the Monday before is 2025-12-29"),
            "{msg}"
        );
        for bad in [
            "2026-02-30",
            "2026-1-5",
            "26-01-05",
            "5 Jan 2026",
            "2026-13-05",
            "+2026-01-05",
        ] {
            let (loc, msg) = scenario_err(add(bad));
            assert_eq!(loc.file, "t.toml", "{bad}");
            assert_eq!(loc.key, "run.start_date", "{bad}");
            assert_eq!(
                loc.line_col,
                Some((line_of("seed = 20261124") + 1, 14)),
                "{bad}"
            );
            assert_eq!(
                msg,
                format!("expected a date YYYY-MM-DD (a Monday), got \"{bad}\""),
            );
        }
        let (_, msg) = scenario_err(base_with(
            "seed = 20261124\n",
            "seed = 20261124\nstart_date = 20260105\n",
        ));
        assert_eq!(msg, "expected a string, got an integer (20260105)");
    }

    #[test]
    fn start_date_defaults_to_monday_the_fifth_of_january_2026() {
        let s = validate(&parse_document(TEST_BASE, "c.toml").unwrap()).unwrap();
        assert_eq!(
            s.run.start_date,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
        );
    }

    /// The test base with its arrivals block replaced by `block`.
    fn with_arrivals(block: &str) -> Result<Scenario> {
        let start = TEST_BASE.find("[arrivals]").unwrap();
        let end = TEST_BASE.find("[[segments]]").unwrap();
        let text = format!(
            "{}[arrivals]\n{block}\n\n{}",
            &TEST_BASE[..start],
            &TEST_BASE[end..]
        );
        validate(&parse_document(&text, "t.toml")?)
    }

    /// The 1-based line of `needle` in the text [`with_arrivals`] builds:
    /// the block starts on the line of the base's `[arrivals]`.
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
        // 5 million a week over the base's 26 weeks: 1.3e8 leads.
        let (loc, msg) = scenario_err(base_with("per_week = 600", "per_week = 5000000"));
        assert_eq!(loc.key, "arrivals.per_week");
        assert_eq!(loc.line_col, Some((line_of("per_week = 600"), 12)));
        assert!(msg.contains("about 1.300e8 leads"), "{msg}");
        assert!(msg.contains("26w of horizon"), "{msg}");
        assert!(msg.contains("at most 1e8"), "{msg}");
        // 3.8 million a week is 9.88e7: accepted.
        assert!(base_with("per_week = 600", "per_week = 3800000").is_ok());
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
        let (loc, _) = scenario_err(base_with("name = \"base\"", "name = \"../x\""));
        assert_eq!(loc.key, "name");
    }
}
