//! The scenario schema: every table's keys declared once, each with its kind and whether it is required (or its default).
//!
//! Validation reads every key through these declarations: a table's known
//! keys, "missing required key", the default of an absent key and the check
//! a value must pass all come from the one [`Key`] that names it. The
//! sensitivity analysis asks [`kind_of`] which values are probabilities or
//! thresholds and what a count's minimum is. Rules that tie several keys
//! together (shares summing to 1, warmup before horizon, working time)
//! stay in validation.

/// The most replications accepted.
pub const MAX_REPLICATIONS: u64 = 100_000;
/// The most leads a week (Poisson) or in one batch.
pub const MAX_LEADS: f64 = 1e7;
/// The most reps.
pub const MAX_REPS: u64 = 100_000;
/// The most concurrent agent slots.
pub const MAX_CONCURRENCY: u64 = 1_000_000;
/// The most mailboxes; with [`MAX_DAILY_CAP`] the daily send capacity stays
/// within a 32-bit count.
pub const MAX_MAILBOXES: u64 = 10_000;
/// The most sends per mailbox per day.
pub const MAX_DAILY_CAP: u64 = 100_000;
/// The most retries, touches or re-entries.
pub const MAX_SMALL_COUNT: u64 = 1_000;
/// The largest noise standard deviation.
pub const MAX_NOISE_SD: f64 = 10.0;
/// The largest cost of one call or of one rep hour.
pub const MAX_COST: f64 = 1e6;
/// The largest reply factor.
pub const MAX_FACTOR: f64 = 100.0;
/// The largest provider rate limit, calls per minute.
pub const MAX_RATE_LIMIT: f64 = 1e9;

/// What a key holds, and so the check its value must pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A probability or a share, on [0, 1].
    Probability,
    /// A score or fit level on [0, 1]: a threshold, or a boost of the score.
    Threshold,
    /// A finite number in `[lo, hi]`.
    Number {
        /// The least value accepted.
        lo: f64,
        /// The largest value accepted.
        hi: f64,
    },
    /// A finite number above 0 and at most `max`.
    Positive {
        /// The largest value accepted.
        max: f64,
    },
    /// A finite number that the distribution it belongs to checks (a value
    /// of a fit distribution).
    Real,
    /// A distribution's shape parameter (`cv`, `alpha`, `beta`): a finite
    /// number that the distribution requires above 0.
    Shape,
    /// A whole number in `[lo, hi]` (a float without a fraction is accepted).
    Whole {
        /// The least value accepted.
        lo: u64,
        /// The largest value accepted.
        hi: u64,
    },
    /// A duration string such as `"3d"`; `hint` is the unit suggested when
    /// a bare number is given.
    Duration {
        /// The suggested unit.
        hint: &'static str,
    },
    /// A duration string above zero.
    PositiveDuration {
        /// The suggested unit.
        hint: &'static str,
    },
    /// A distribution (an inline table with `dist`, see [`DISTRIBUTIONS`]).
    Dist(Slot),
    /// A field of a distribution that takes the slot's values: a duration in
    /// a [`Slot::Duration`], a [`Kind::Real`] in a [`Slot::Fit`].
    SlotValue,
    /// Any string.
    Text,
    /// One of a fixed set of names.
    OneOf {
        /// What the names are, for messages (`lane`, `review order`).
        noun: &'static str,
        /// The names accepted.
        names: &'static [&'static str],
    },
    /// The tag of a [`Variants`] table (`kind`, `dist`): one of its variants.
    Tag,
    /// The name of a calendar: `always` or one under `calendars`.
    Calendar,
    /// A probability linear in fit: `{ at_fit_0, at_fit_1 }` ([`LINEAR_IN_FIT`]).
    LinearInFit,
    /// A date `YYYY-MM-DD` that is a Monday.
    Monday,
    /// An array of distinct weekday names (`"mon"` ... `"sun"`).
    Weekdays,
    /// An array of `"HH:MM-HH:MM"` windows.
    Windows,
    /// A time in the week, `"mon 08:00"` (or `"08:00"`, Monday).
    WeekTime,
    /// A table with the keys given.
    Table(&'static [Key]),
    /// A table whose keys depend on its tag.
    Variants(&'static Variants),
    /// An array of tables, each with the keys given.
    Tables(&'static [Key]),
    /// A table of tables that the scenario names, each with the keys given.
    Named(&'static [Key]),
}

impl Kind {
    /// True for values on [0, 1] (probabilities, shares and thresholds),
    /// which a sensitivity analysis keeps on [0, 1].
    pub fn is_unit_interval(self) -> bool {
        matches!(self, Kind::Probability | Kind::Threshold)
    }

    /// The least whole number a key of this kind accepts: the count's
    /// minimum, 1 where 0 is invalid (a positive number, a shape), else 0.
    pub fn least_whole(self) -> i64 {
        match self {
            Kind::Whole { lo, .. } => i64::try_from(lo).unwrap_or(i64::MAX),
            Kind::Number { lo, .. } => lo.ceil() as i64,
            Kind::Positive { .. } | Kind::Shape => 1,
            _ => 0,
        }
    }
}

/// The kind of value a distribution gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A duration; fields are duration strings. `hint` is the unit suggested
    /// for bare numbers.
    Duration(&'static str),
    /// A lead's fit on [0, 1]; fields are plain numbers.
    Fit,
}

/// Whether a key must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The key must be given.
    Required,
    /// The key may be left out; absent, its feature is off.
    Optional,
    /// Absent, the key takes this value (TOML text).
    Default(&'static str),
}

/// One key of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    /// The key's name in its table.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it must be given, and its default.
    pub need: Need,
}

/// A table whose keys depend on the value of its tag key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variants {
    /// The tag key (`kind`, `dist`).
    pub tag: &'static str,
    /// What the variants are, for messages (`arrival kind`).
    pub noun: &'static str,
    /// Each variant's name and keys (the tag included).
    pub variants: &'static [(&'static str, &'static [Key])],
}

impl Variants {
    /// The names of the variants, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.variants.iter().map(|(name, _)| *name).collect()
    }
}

/// A required key.
const fn req(name: &'static str, kind: Kind) -> Key {
    Key {
        name,
        kind,
        need: Need::Required,
    }
}

/// An optional key.
const fn opt(name: &'static str, kind: Kind) -> Key {
    Key {
        name,
        kind,
        need: Need::Optional,
    }
}

/// A key with a default (TOML text).
const fn def(name: &'static str, kind: Kind, default: &'static str) -> Key {
    Key {
        name,
        kind,
        need: Need::Default(default),
    }
}

/// A whole number in `[lo, hi]`.
const fn whole(lo: u64, hi: u64) -> Kind {
    Kind::Whole { lo, hi }
}

/// A number in `[lo, hi]`.
const fn number(lo: f64, hi: f64) -> Kind {
    Kind::Number { lo, hi }
}

/// One of `names`, which are `noun`s.
const fn one_of(noun: &'static str, names: &'static [&'static str]) -> Kind {
    Kind::OneOf { noun, names }
}

/// A duration, `hint` the unit suggested for a bare number.
const fn duration(hint: &'static str) -> Kind {
    Kind::Duration { hint }
}

/// A duration above zero, `hint` the unit suggested for a bare number.
const fn positive_duration(hint: &'static str) -> Kind {
    Kind::PositiveDuration { hint }
}

/// A probability or share.
const PROBABILITY: Kind = Kind::Probability;
/// A threshold on the score or fit scale.
const THRESHOLD: Kind = Kind::Threshold;
/// A cost of a call or of a rep hour.
const COST: Kind = number(0.0, MAX_COST);
/// A noise standard deviation.
const NOISE_SD: Kind = number(0.0, MAX_NOISE_SD);
/// A reply factor.
const FACTOR: Kind = number(0.0, MAX_FACTOR);
/// A retry, touch or re-entry count.
const SMALL_COUNT: Kind = whole(0, MAX_SMALL_COUNT);
/// The lane of a prep stage.
const LANE: Key = def("lane", one_of("lane", &["agent", "human"]), "\"agent\"");
/// Agent time of a stage.
const AGENT_TIME: Kind = Kind::Dist(Slot::Duration("s"));
/// A rep's time on a stage.
const MANUAL_TIME: Kind = Kind::Dist(Slot::Duration("m"));
/// The tag of a distribution.
const DIST: Key = req("dist", Kind::Tag);

/// A distribution's field that takes the slot's values.
const fn slot_value(name: &'static str) -> Key {
    req(name, Kind::SlotValue)
}

/// The top level of a scenario file.
pub const ROOT: &[Key] = &[
    req("name", Kind::Text),
    req("description", Kind::Text),
    req("run", Kind::Table(RUN)),
    opt("calendars", Kind::Named(CALENDAR)),
    req("arrivals", Kind::Variants(&ARRIVALS)),
    def(
        "segments",
        Kind::Tables(SEGMENT),
        "[{ name = \"all\", share = 1.0, fit = { dist = \"uniform\", min = 0.0, max = 1.0 } }]",
    ),
    req("lookup", Kind::Table(PREP_STAGE)),
    req("enrichment", Kind::Table(ENRICHMENT)),
    req("scoring", Kind::Table(SCORING)),
    req("drafting", Kind::Table(DRAFTING)),
    req("gate", Kind::Table(GATE)),
    req("review", Kind::Table(REVIEW)),
    req("reps", Kind::Table(REPS)),
    req("agents", Kind::Table(AGENTS)),
    req("email", Kind::Table(EMAIL)),
    req("conversations", Kind::Table(CONVERSATIONS)),
    req("nurture", Kind::Table(NURTURE)),
    req("baseline", Kind::Table(BASELINE)),
];

/// `[baseline]`: today's manual process, held fixed (docs/MODEL.md section 5).
pub const BASELINE: &[Key] = &[req("triage_below", THRESHOLD)];

/// `[run]`. The horizon's bounds (1w to 1040w) and warmup before horizon
/// are checked by validation.
pub const RUN: &[Key] = &[
    req("horizon", duration("w")),
    req("warmup", duration("w")),
    req("replications", whole(1, MAX_REPLICATIONS)),
    req("seed", whole(0, i64::MAX as u64)),
    // docs/MODEL.md section 11: timestamps count from 2026-01-05.
    def("start_date", Kind::Monday, "\"2026-01-05\""),
];

/// `[calendars.<name>]`.
pub const CALENDAR: &[Key] = &[req("days", Kind::Weekdays), req("hours", Kind::Windows)];

/// `[arrivals]`, by `kind`.
pub const ARRIVALS: Variants = Variants {
    tag: "kind",
    noun: "arrival kind",
    variants: &[("poisson", POISSON), ("batch", BATCH)],
};

/// `[arrivals]` with `kind = "poisson"`.
pub const POISSON: &[Key] = &[
    req("kind", Kind::Tag),
    req("per_week", Kind::Positive { max: MAX_LEADS }),
    def("calendar", Kind::Calendar, "\"always\""),
];

/// `[arrivals]` with `kind = "batch"`. `every` must also be at least an
/// hour, which validation checks.
pub const BATCH: &[Key] = &[
    req("kind", Kind::Tag),
    req("size", whole(1, MAX_LEADS as u64)),
    def("every", positive_duration("w"), "\"1w\""),
    req("at", Kind::WeekTime),
];

/// An item of `[[segments]]`.
pub const SEGMENT: &[Key] = &[
    req("name", Kind::Text),
    req("share", PROBABILITY),
    req("fit", Kind::Dist(Slot::Fit)),
];

/// Every distribution by `dist`, one a line as in the table of docs/MODEL.md
/// section 4.
#[rustfmt::skip]
pub const DISTRIBUTIONS: Variants = Variants {
    tag: "dist",
    noun: "distribution",
    variants: &[
        ("constant", &[DIST, slot_value("value")]),
        ("exponential", &[DIST, slot_value("mean")]),
        ("uniform", &[DIST, slot_value("min"), slot_value("max")]),
        ("triangular", &[DIST, slot_value("min"), slot_value("mode"), slot_value("max")]),
        ("lognormal", &[DIST, slot_value("median"), slot_value("p90")]),
        ("gamma", &[DIST, slot_value("mean"), req("cv", Kind::Shape)]),
        ("beta", &[DIST, req("alpha", Kind::Shape), req("beta", Kind::Shape)]),
        ("empirical", &[DIST, req("file", Kind::Text), req("column", Kind::Text)]),
    ],
};

/// `[lookup]`: a prep stage in the agent or the human lane.
pub const PREP_STAGE: &[Key] = &[LANE, req("agent", AGENT_TIME), req("manual", MANUAL_TIME)];

/// `[enrichment]`.
pub const ENRICHMENT: &[Key] = &[
    LANE,
    def(
        "agent",
        AGENT_TIME,
        "{ dist = \"constant\", value = \"0s\" }",
    ),
    req("manual", MANUAL_TIME),
    req("providers", Kind::Tables(PROVIDER)),
];

/// An item of `[[enrichment.providers]]`.
pub const PROVIDER: &[Key] = &[
    req("name", Kind::Text),
    req("match_rate", PROBABILITY),
    req("latency", Kind::Dist(Slot::Duration("s"))),
    req("error_rate", PROBABILITY),
    req("max_retries", SMALL_COUNT),
    req(
        "rate_limit_per_min",
        Kind::Positive {
            max: MAX_RATE_LIMIT,
        },
    ),
    req("cost_per_call", COST),
];

/// `[scoring]`.
pub const SCORING: &[Key] = &[
    LANE,
    req("agent", AGENT_TIME),
    req("manual", MANUAL_TIME),
    req("noise_sd", NOISE_SD),
    req("manual_noise_sd", NOISE_SD),
    req("cost", COST),
];

/// `[drafting]`.
pub const DRAFTING: &[Key] = &[
    LANE,
    req("agent", AGENT_TIME),
    req("manual", MANUAL_TIME),
    req("cost", COST),
];

/// `[gate]`. Absent, `autosend_at_or_above` means no autonomous send; it
/// must not be below `nurture_below`, which validation checks.
pub const GATE: &[Key] = &[
    req("nurture_below", THRESHOLD),
    opt("autosend_at_or_above", THRESHOLD),
    req("good_fit_at", THRESHOLD),
];

/// `[review]`.
pub const REVIEW: &[Key] = &[
    req("duration", MANUAL_TIME),
    req("edit_probability", PROBABILITY),
    req("edit", MANUAL_TIME),
    req("judgement_noise_sd", NOISE_SD),
    req("reject_fit_below", THRESHOLD),
    req("order", one_of("review order", &["fifo", "highest_score"])),
    req("expire_after", positive_duration("d")),
    req("on_expire", one_of("on_expire", &["nurture", "drop"])),
];

/// `[reps]`.
pub const REPS: &[Key] = &[
    req("count", whole(0, MAX_REPS)),
    req("calendar", Kind::Calendar),
    req("hourly_cost", COST),
    opt("other_work", Kind::Table(OTHER_WORK)),
];

/// `reps.other_work`: the share of working time reps spend on calls,
/// meetings and admin, in blocks. `share` must be below 1 and `block` is
/// required when `share` is above 0 (validation checks both).
pub const OTHER_WORK: &[Key] = &[req("share", PROBABILITY), opt("block", MANUAL_TIME)];

/// `[agents]`.
pub const AGENTS: &[Key] = &[
    req("concurrency", whole(1, MAX_CONCURRENCY)),
    def("calendar", Kind::Calendar, "\"always\""),
];

/// `email.reply_rate` and `nurture.engage_rate`: a probability linear in
/// true fit.
pub const LINEAR_IN_FIT: &[Key] = &[req("at_fit_0", PROBABILITY), req("at_fit_1", PROBABILITY)];

/// `[email]`.
pub const EMAIL: &[Key] = &[
    req("mailboxes", whole(1, MAX_MAILBOXES)),
    req("daily_cap_per_mailbox", whole(1, MAX_DAILY_CAP)),
    req("calendar", Kind::Calendar),
    req("bounce_rate", PROBABILITY),
    req("reply_rate", Kind::LinearInFit),
    req("edited_reply_factor", FACTOR),
    req("autosend_reply_factor", FACTOR),
    req("positive_share", PROBABILITY),
    req("reply_delay", Kind::Dist(Slot::Duration("d"))),
    req("follow_ups", SMALL_COUNT),
    // Required when follow_ups is above 0 (validation checks it).
    opt("follow_up_interval", positive_duration("d")),
    opt("follow_up_reply_factor", FACTOR),
];

/// `[conversations]`.
pub const CONVERSATIONS: &[Key] = &[
    req("duration", MANUAL_TIME),
    req("meeting_rate", PROBABILITY),
];

/// `[nurture]`.
pub const NURTURE: &[Key] = &[
    req("touches", SMALL_COUNT),
    req("interval", positive_duration("w")),
    req("engage_rate", Kind::LinearInFit),
    req("rescore_boost", THRESHOLD),
    req("max_reentries", SMALL_COUNT),
];

/// The kind of a distribution field in `slot`: [`Kind::SlotValue`] becomes
/// the slot's value kind; every other kind is itself.
pub fn in_slot(kind: Kind, slot: Slot) -> Kind {
    match (kind, slot) {
        (Kind::SlotValue, Slot::Duration(hint)) => Kind::Duration { hint },
        (Kind::SlotValue, Slot::Fit) => Kind::Real,
        _ => kind,
    }
}

/// The kind of the value at a dotted key path of a scenario, e.g.
/// `gate.nurture_below`, `enrichment.providers.0.match_rate` (array items
/// by index), `email.reply_rate.at_fit_0` or `review.duration.median`
/// (fields of inline tables and distributions). `None` for a path that
/// names no declared key.
pub fn kind_of(path: &str) -> Option<Kind> {
    declared(path).map(|(kind, _)| kind)
}

/// The declared kind and need of the value at a dotted key path (see
/// [`kind_of`]). An array item, or a table that the scenario names under
/// [`Kind::Named`], is required: it is there when it is read.
pub fn declared(path: &str) -> Option<(Kind, Need)> {
    let mut kind = Kind::Table(ROOT);
    let mut need = Need::Required;
    let mut slot = None;
    for segment in path.split('.') {
        let keys: Vec<&[Key]> = match kind {
            Kind::Tables(keys) => {
                // An array item, by index.
                segment.parse::<usize>().ok()?;
                (kind, need) = (Kind::Table(keys), Need::Required);
                continue;
            }
            Kind::Named(keys) => {
                // A table the scenario names.
                (kind, need) = (Kind::Table(keys), Need::Required);
                continue;
            }
            Kind::Table(keys) => vec![keys],
            Kind::LinearInFit => vec![LINEAR_IN_FIT],
            Kind::Variants(v) => v.variants.iter().map(|(_, keys)| *keys).collect(),
            Kind::Dist(s) => {
                slot = Some(s);
                DISTRIBUTIONS
                    .variants
                    .iter()
                    .map(|(_, keys)| *keys)
                    .collect()
            }
            _ => return None,
        };
        let key = keys
            .iter()
            .flat_map(|keys| keys.iter())
            .find(|k| k.name == segment)?;
        kind = match slot {
            Some(s) => in_slot(key.kind, s),
            None => key.kind,
        };
        need = key.need;
    }
    Some((kind, need))
}

/// Every parameter in words, by key path (`*` for an item of a list, or a
/// calendar's name; `{name}` is the item's or calendar's name): what the
/// sensitivity tornado and other readers show in place of the raw key. One
/// line per key of the schema above (a test holds them together); the
/// fields of a distribution or a linear rate are [`FIELD_DESCRIPTIONS`].
#[rustfmt::skip]
pub const DESCRIPTIONS: &[(&str, &str)] = &[
    ("run.horizon", "run: horizon"),
    ("run.warmup", "run: warm-up"),
    ("run.replications", "run: replications"),
    ("run.seed", "run: seed"),
    ("run.start_date", "run: start date"),
    ("calendars.*.days", "calendar {name}: working days"),
    ("calendars.*.hours", "calendar {name}: working hours"),
    ("arrivals.kind", "arrivals: kind"),
    ("arrivals.per_week", "arrivals: leads a week"),
    ("arrivals.calendar", "arrivals: calendar"),
    ("arrivals.size", "arrivals: leads a batch"),
    ("arrivals.every", "arrivals: time between batches"),
    ("arrivals.at", "arrivals: time of a batch"),
    ("segments.*.share", "{name} segment: share of leads"),
    ("segments.*.fit", "{name} segment: fit"),
    ("lookup.lane", "lookup: lane"),
    ("lookup.agent", "lookup (agent): duration"),
    ("lookup.manual", "lookup (rep): duration"),
    ("enrichment.lane", "enrichment: lane"),
    ("enrichment.agent", "enrichment (agent): duration"),
    ("enrichment.manual", "enrichment (rep): duration"),
    ("enrichment.providers.*.match_rate", "provider {name}: match rate"),
    ("enrichment.providers.*.latency", "provider {name}: latency"),
    ("enrichment.providers.*.error_rate", "provider {name}: error rate"),
    ("enrichment.providers.*.max_retries", "provider {name}: retries"),
    ("enrichment.providers.*.rate_limit_per_min", "provider {name}: calls a minute"),
    ("enrichment.providers.*.cost_per_call", "provider {name}: cost a call"),
    ("scoring.lane", "scoring: lane"),
    ("scoring.agent", "scoring (agent): duration"),
    ("scoring.manual", "scoring (rep): duration"),
    ("scoring.noise_sd", "scoring (agent): score noise SD"),
    ("scoring.manual_noise_sd", "scoring (rep): score noise SD"),
    ("scoring.cost", "scoring: cost a lead"),
    ("drafting.lane", "drafting: lane"),
    ("drafting.agent", "drafting (agent): duration"),
    ("drafting.manual", "drafting (rep): duration"),
    ("drafting.cost", "drafting: cost an email"),
    ("gate.nurture_below", "gate: nurture below score"),
    ("gate.autosend_at_or_above", "gate: autosend at or above score"),
    ("gate.good_fit_at", "gate: good fit at"),
    ("review.duration", "review: duration"),
    ("review.edit_probability", "review: edit probability"),
    ("review.edit", "review: edit duration"),
    ("review.judgement_noise_sd", "review: judgement noise SD"),
    ("review.reject_fit_below", "review: reject below fit"),
    ("review.order", "review: queue order"),
    ("review.expire_after", "review: draft expires after"),
    ("review.on_expire", "review: expired drafts go to"),
    ("reps.count", "reps: team size"),
    ("reps.calendar", "reps: calendar"),
    ("reps.hourly_cost", "reps: hourly cost"),
    ("reps.other_work", "reps: other work"),
    ("reps.other_work.share", "reps: share of time on other work"),
    ("reps.other_work.block", "reps: other work block duration"),
    ("agents.concurrency", "agents: concurrent runs"),
    ("agents.calendar", "agents: calendar"),
    ("email.mailboxes", "email: mailboxes"),
    ("email.daily_cap_per_mailbox", "email: daily cap a mailbox"),
    ("email.calendar", "email: calendar"),
    ("email.bounce_rate", "email: bounce rate"),
    ("email.reply_rate", "email: reply rate"),
    ("email.edited_reply_factor", "email: reply factor of an edited draft"),
    ("email.autosend_reply_factor", "email: reply factor of an autosent draft"),
    ("email.positive_share", "email: positive share of replies"),
    ("email.reply_delay", "email: reply delay"),
    ("email.follow_ups", "email: follow-ups"),
    ("email.follow_up_interval", "email: follow-up interval"),
    ("email.follow_up_reply_factor", "email: follow-up reply factor"),
    ("conversations.duration", "conversations: duration"),
    ("conversations.meeting_rate", "conversations: meeting rate"),
    ("nurture.touches", "nurture: touches"),
    ("nurture.interval", "nurture: interval between touches"),
    ("nurture.engage_rate", "nurture: engage rate"),
    ("nurture.rescore_boost", "nurture: rescore boost"),
    ("nurture.max_reentries", "nurture: re-entries"),
    ("baseline.triage_below", "baseline: reps write to fit at or above"),
];

/// The fields of a distribution or a linear rate in words, appended to
/// their parameter's description (`{name} segment: fit` + `Beta β`).
#[rustfmt::skip]
pub const FIELD_DESCRIPTIONS: &[(&str, &str)] = &[
    ("value", "value"),
    ("mean", "mean"),
    ("min", "minimum"),
    ("max", "maximum"),
    ("mode", "mode"),
    ("median", "median"),
    ("p90", "90th percentile"),
    ("cv", "CV"),
    ("alpha", "Beta α"),
    ("beta", "Beta β"),
    ("at_fit_0", "at fit 0"),
    ("at_fit_1", "at fit 1"),
];

/// The key path with every list index or calendar name as `*`
/// (`segments.0.fit` -> `segments.*.fit`), as [`DESCRIPTIONS`] writes it.
fn pattern(path: &str) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let item = s.parse::<usize>().is_ok() || (i == 1 && segments[0] == "calendars");
            if item {
                "*"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A parameter in words: its description, or its distribution's (or
/// rate's) description and the field's (`segments.0.fit.beta` ->
/// `{name} segment: fit Beta β`). `{name}` is left for the caller, which
/// knows the item's name; `None` for a key without a description.
pub fn describe(path: &str) -> Option<String> {
    let find = |p: &str| {
        DESCRIPTIONS
            .iter()
            .find(|(k, _)| *k == pattern(p))
            .map(|(_, d)| d.to_string())
    };
    find(path).or_else(|| {
        let (parent, field) = path.rsplit_once('.')?;
        let field = FIELD_DESCRIPTIONS.iter().find(|(f, _)| *f == field)?.1;
        Some(format!("{} {field}", find(parent)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_kinds_through_arrays_and_inline_tables() {
        assert_eq!(kind_of("gate.nurture_below"), Some(Kind::Threshold));
        assert_eq!(
            kind_of("enrichment.providers.0.match_rate"),
            Some(Kind::Probability)
        );
        assert_eq!(
            kind_of("enrichment.providers.12.max_retries"),
            Some(SMALL_COUNT)
        );
        assert_eq!(
            kind_of("email.reply_rate.at_fit_0"),
            Some(Kind::Probability)
        );
        assert_eq!(
            kind_of("nurture.engage_rate.at_fit_1"),
            Some(Kind::Probability)
        );
        assert_eq!(
            kind_of("review.duration.median"),
            Some(Kind::Duration { hint: "m" })
        );
        assert_eq!(kind_of("scoring.agent.cv"), Some(Kind::Shape));
        assert_eq!(kind_of("segments.0.fit.max"), Some(Kind::Real));
        assert_eq!(kind_of("segments.0.share"), Some(Kind::Probability));
        assert_eq!(kind_of("arrivals.size"), Some(BATCH[1].kind));
        assert_eq!(
            kind_of("arrivals.per_week"),
            Some(Kind::Positive { max: MAX_LEADS })
        );
        assert_eq!(kind_of("calendars.office.days"), Some(Kind::Weekdays));
        assert_eq!(
            kind_of("reps.count"),
            Some(Kind::Whole {
                lo: 0,
                hi: MAX_REPS
            })
        );
    }

    #[test]
    fn unknown_paths_have_no_kind() {
        for path in [
            "gate.nurture_belwo",
            "enrichment.providers.first.match_rate",
            "gate.nurture_below.x",
            "review.duration.alpha_x",
            "",
        ] {
            assert_eq!(kind_of(path), None, "{path}");
        }
    }

    #[test]
    fn probabilities_and_thresholds_are_the_unit_interval_kinds() {
        assert!(Kind::Probability.is_unit_interval());
        assert!(Kind::Threshold.is_unit_interval());
        assert!(!COST.is_unit_interval());
        assert!(!Kind::Real.is_unit_interval());
        assert!(!SMALL_COUNT.is_unit_interval());
    }

    #[test]
    fn least_whole_numbers_follow_the_declared_minimum() {
        assert_eq!(kind_of("agents.concurrency").unwrap().least_whole(), 1);
        assert_eq!(kind_of("email.mailboxes").unwrap().least_whole(), 1);
        assert_eq!(kind_of("nurture.touches").unwrap().least_whole(), 0);
        assert_eq!(kind_of("reps.count").unwrap().least_whole(), 0);
        assert_eq!(kind_of("arrivals.per_week").unwrap().least_whole(), 1);
        assert_eq!(kind_of("reps.hourly_cost").unwrap().least_whole(), 0);
        assert_eq!(kind_of("segments.0.fit.alpha").unwrap().least_whole(), 1);
    }

    /// Every table reachable from [`ROOT`], with its dotted path.
    fn tables() -> Vec<(String, &'static [Key])> {
        let mut out = vec![(String::new(), ROOT)];
        let mut i = 0;
        while i < out.len() {
            let (path, keys) = out[i].clone();
            for k in keys {
                let at = if path.is_empty() {
                    k.name.to_string()
                } else {
                    format!("{path}.{}", k.name)
                };
                match k.kind {
                    Kind::Table(t) | Kind::Tables(t) | Kind::Named(t) => out.push((at, t)),
                    Kind::Variants(v) => {
                        out.extend(v.variants.iter().map(|(_, t)| (at.clone(), *t)))
                    }
                    Kind::LinearInFit => out.push((at, LINEAR_IN_FIT)),
                    Kind::Dist(_) => {
                        out.extend(DISTRIBUTIONS.variants.iter().map(|(_, t)| (at.clone(), *t)))
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn every_table_declares_each_key_once_and_no_source_key() {
        for (path, keys) in tables() {
            for (i, k) in keys.iter().enumerate() {
                assert!(
                    keys[..i].iter().all(|o| o.name != k.name),
                    "{path}.{} is declared twice",
                    k.name
                );
                assert!(!k.name.ends_with("_source"), "{path}.{}", k.name);
            }
        }
    }

    #[test]
    fn variants_declare_their_tag_first() {
        for v in [&ARRIVALS, &DISTRIBUTIONS] {
            for (name, keys) in v.variants {
                assert_eq!(keys[0].name, v.tag, "{name}");
                assert_eq!(keys[0].kind, Kind::Tag, "{name}");
            }
        }
    }
    /// Every key path of the schema, list items and named tables as `*`;
    /// distributions and linear rates are one parameter.
    fn every_key_path(keys: &[Key], prefix: &str, out: &mut Vec<String>) {
        for k in keys {
            let path = if prefix.is_empty() {
                k.name.to_string()
            } else {
                format!("{prefix}.{}", k.name)
            };
            match k.kind {
                Kind::Table(inner) => every_key_path(inner, &path, out),
                Kind::Tables(inner) | Kind::Named(inner) => {
                    every_key_path(inner, &format!("{path}.*"), out)
                }
                Kind::Variants(v) => {
                    for (_, inner) in v.variants {
                        every_key_path(inner, &path, out);
                    }
                }
                _ => out.push(path),
            }
        }
    }

    #[test]
    fn every_key_has_a_description_and_every_description_a_key() {
        let mut paths = Vec::new();
        every_key_path(ROOT, "", &mut paths);
        paths.retain(|p| !p.ends_with("name") && p != "description");
        for p in &paths {
            let described = describe(&p.replace('*', "0"));
            assert!(described.is_some_and(|d| !d.contains('.')), "{p}");
        }
        for (k, _) in DESCRIPTIONS {
            let real = k.replace('*', "0");
            // `reps.other_work`'s fields are described on their own too.
            assert!(
                paths.contains(&k.to_string()) || declared(&real).is_some(),
                "{k} is no key"
            );
        }
        assert_eq!(
            describe("segments.3.fit.beta").as_deref(),
            Some("{name} segment: fit Beta β")
        );
        assert_eq!(
            describe("calendars.office.hours").as_deref(),
            Some("calendar {name}: working hours")
        );
        assert_eq!(describe("review.duration.nope"), None);
    }
}
