//! The metric registry: every metric of docs/MODEL.md section 6 defined once, with
//! its unit, label, table section, number format, direction and meaning and
//! how it is computed from one replication's tallies; plus the weekly series,
//! the streaming recorder that tallies a run, and aggregation over
//! replications (mean, sd, 95% Student-t confidence interval).
//!
//! Names are part of the contract; the order of [`METRICS`] is the order of
//! every table, file and JSON document. The terminal table, the output
//! columns and the README's glossary are all generated from it.

mod aggregate;
pub mod histogram;
mod recorder;

pub use aggregate::{aggregate, student_t_975, Aggregate};
pub use recorder::{Capacity, MetricsRecorder, Tally};

use crate::units::{HOUR, WEEK};

/// The heading a metric is listed under in the terminal table and report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// What a planner reads first.
    Headline,
    /// Where leads went.
    Routing,
    /// The rep's review: volumes and queueing.
    ReviewGate,
    /// Sends, replies and meetings.
    Email,
    /// The nurture sequence.
    Nurture,
    /// Rep and agent time.
    Hours,
    /// Costs and provider calls.
    Costs,
    /// How well the gate and the review sort good leads from bad.
    GateQuality,
}

impl Section {
    /// Every section, in table order.
    pub const ALL: [Section; 8] = [
        Section::Headline,
        Section::Routing,
        Section::ReviewGate,
        Section::Email,
        Section::Nurture,
        Section::Hours,
        Section::Costs,
        Section::GateQuality,
    ];

    /// The section's heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::Headline => "Headline",
            Section::Routing => "Routing",
            Section::ReviewGate => "Review gate",
            Section::Email => "Email & replies",
            Section::Nurture => "Nurture",
            Section::Hours => "Hours & capacity",
            Section::Costs => "Costs",
            Section::GateQuality => "Gate quality",
        }
    }
}

/// How a metric's numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A count: no decimals when whole or large, one otherwise.
    Count,
    /// A share or utilisation in [0, 1] (or a load around 1): three decimals.
    Share,
    /// Hours, money, queue lengths and ratios: two decimals.
    Fixed2,
}

/// Which way a metric is better, for objectives and charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (hours saved, meetings).
    Higher,
    /// Less is better (waits, costs, bad sends).
    Lower,
    /// Neither: a volume whose right level depends on the plan.
    Neutral,
}

/// One metric: its contract name, presentation and definition.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// The name in every table, file and JSON document (docs/MODEL.md section 6).
    pub name: &'static str,
    /// Its unit, e.g. `leads`, `h`, `h/rep-week`, `$`, `share`.
    pub unit: &'static str,
    /// A short label for charts.
    pub label: &'static str,
    /// Where the terminal table and report list it.
    pub section: Section,
    /// How its numbers are written.
    pub format: Format,
    /// Which way is better.
    pub better: Better,
    /// What it means, in one line (the README glossary).
    pub meaning: &'static str,
    /// Its value in one replication; `None` when a ratio's denominator is 0.
    value: fn(&Tally, &Capacity) -> Option<f64>,
}

impl Metric {
    /// The metric's value for one replication's tallies.
    pub fn value(&self, tally: &Tally, capacity: &Capacity) -> Option<f64> {
        (self.value)(tally, capacity)
    }

    /// The axis label for charts: the label with its unit, e.g.
    /// `Review wait, mean (h)`.
    pub fn axis_label(&self) -> String {
        format!("{} ({})", self.label, self.unit)
    }
}

fn count(v: u64) -> Option<f64> {
    Some(v as f64)
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

fn rep_prep_hours(t: &Tally) -> f64 {
    t.rep_prep_seconds / HOUR
}

fn rep_conversation_hours(t: &Tally) -> f64 {
    t.rep_conversation_seconds / HOUR
}

fn manual_prep_hours(t: &Tally) -> f64 {
    t.manual_prep_seconds / HOUR
}

fn rep_other_work_hours(t: &Tally) -> f64 {
    t.rep_other_work_seconds / HOUR
}

/// Rep hours available in W: working hours of the rep calendar, all reps,
/// less other work (docs/MODEL.md section 5).
fn rep_hours_available(t: &Tally, c: &Capacity) -> f64 {
    f64::from(c.reps) * c.rep_working_seconds / HOUR - rep_other_work_hours(t)
}

/// Weeks of the measured window W.
fn weeks(c: &Capacity) -> f64 {
    c.window_seconds / WEEK
}

use Better::{Higher, Lower, Neutral};
use Format::{Count, Fixed2, Share};
use Section::{Costs, Email, GateQuality, Headline, Hours, Nurture, ReviewGate, Routing};

/// Every metric, in report order.
pub const METRICS: [Metric; 49] = [
    Metric {
        name: "leads_arrived",
        unit: "leads",
        label: "Leads arrived",
        section: Routing,
        format: Count,
        better: Neutral,
        meaning: "leads arriving in W",
        value: |t, _| count(t.leads_arrived),
    },
    Metric {
        name: "leads_unreachable",
        unit: "leads",
        label: "Unreachable leads",
        section: Routing,
        format: Count,
        better: Lower,
        meaning: "leads no provider matched",
        value: |t, _| count(t.leads_unreachable),
    },
    Metric {
        name: "leads_to_nurture",
        unit: "leads",
        label: "Leads to nurture",
        section: Routing,
        format: Count,
        better: Neutral,
        meaning: "first gate decisions below `gate.nurture_below`",
        value: |t, _| count(t.leads_to_nurture),
    },
    Metric {
        name: "leads_to_outreach",
        unit: "leads",
        label: "Leads to outreach",
        section: Routing,
        format: Count,
        better: Neutral,
        meaning: "first gate decisions at or above `gate.nurture_below`",
        value: |t, _| count(t.leads_to_outreach),
    },
    Metric {
        name: "drafts_reviewed",
        unit: "drafts",
        label: "Drafts reviewed",
        section: ReviewGate,
        format: Count,
        better: Neutral,
        meaning: "completed reviews (= approved + discarded)",
        value: |t, _| count(t.drafts_reviewed),
    },
    Metric {
        name: "drafts_approved",
        unit: "drafts",
        label: "Drafts approved",
        section: ReviewGate,
        format: Count,
        better: Neutral,
        meaning: "drafts a rep approved (edited ones included)",
        value: |t, _| count(t.drafts_approved),
    },
    Metric {
        name: "drafts_edited",
        unit: "drafts",
        label: "Drafts edited",
        section: ReviewGate,
        format: Count,
        better: Lower,
        meaning: "approved drafts the rep edited first",
        value: |t, _| count(t.drafts_edited),
    },
    Metric {
        name: "drafts_discarded",
        unit: "drafts",
        label: "Drafts discarded",
        section: ReviewGate,
        format: Count,
        better: Neutral,
        meaning: "drafts a rep discarded",
        value: |t, _| count(t.drafts_discarded),
    },
    Metric {
        name: "drafts_expired",
        unit: "drafts",
        label: "Drafts expired",
        section: ReviewGate,
        format: Count,
        better: Lower,
        meaning: "drafts whose review had not started within `review.expire_after`",
        value: |t, _| count(t.drafts_expired),
    },
    Metric {
        name: "emails_autosent",
        unit: "emails",
        label: "Emails sent autonomously",
        section: Email,
        format: Count,
        better: Neutral,
        meaning: "autonomous sends (AI SDR)",
        value: |t, _| count(t.emails_autosent),
    },
    Metric {
        name: "emails_sent",
        unit: "emails",
        label: "Emails sent",
        section: Email,
        format: Count,
        better: Higher,
        meaning: "all sends, autonomous included",
        value: |t, _| count(t.emails_sent),
    },
    Metric {
        name: "emails_bounced",
        unit: "emails",
        label: "Emails bounced",
        section: Email,
        format: Count,
        better: Lower,
        meaning: "sends that bounced",
        value: |t, _| count(t.emails_bounced),
    },
    Metric {
        name: "replies",
        unit: "replies",
        label: "Replies",
        section: Email,
        format: Count,
        better: Higher,
        meaning: "replies arriving in W",
        value: |t, _| count(t.replies),
    },
    Metric {
        name: "positive_replies",
        unit: "replies",
        label: "Positive replies",
        section: Email,
        format: Count,
        better: Higher,
        meaning: "positive replies arriving in W (each a conversation)",
        value: |t, _| count(t.positive_replies),
    },
    Metric {
        name: "meetings",
        unit: "meetings",
        label: "Meetings booked",
        section: Email,
        format: Count,
        better: Higher,
        meaning: "meetings booked by conversations ending in W",
        value: |t, _| count(t.meetings),
    },
    Metric {
        name: "nurture_touches",
        unit: "touches",
        label: "Nurture touches",
        section: Nurture,
        format: Count,
        better: Neutral,
        meaning: "nurture emails in W (not `emails_sent`)",
        value: |t, _| count(t.nurture_touches),
    },
    Metric {
        name: "nurture_reengaged",
        unit: "leads",
        label: "Re-engaged from nurture",
        section: Nurture,
        format: Count,
        better: Higher,
        meaning: "re-entries from nurture into the gate",
        value: |t, _| count(t.nurture_reengaged),
    },
    Metric {
        name: "leads_dormant",
        unit: "leads",
        label: "Dormant leads",
        section: Nurture,
        format: Count,
        better: Neutral,
        meaning: "leads that finished nurture without re-entry",
        value: |t, _| count(t.leads_dormant),
    },
    Metric {
        name: "leads_in_progress_end",
        unit: "leads",
        label: "Leads in progress at the horizon",
        section: Routing,
        format: Count,
        better: Neutral,
        meaning: "leads still in flight at the horizon",
        value: |t, _| count(t.leads_in_progress_end),
    },
    Metric {
        name: "follow_ups_sent",
        unit: "emails",
        label: "Follow-ups sent",
        section: Email,
        format: Count,
        better: Neutral,
        meaning: "automated follow-up emails sent in W (not in `emails_sent`, which counts first emails)",
        value: |t, _| count(t.follow_ups_sent),
    },
    Metric {
        name: "leads_sent",
        unit: "leads",
        label: "Leads emailed",
        section: Email,
        format: Count,
        better: Neutral,
        meaning: "leads whose first email went out before the horizon (the final state \"sent\")",
        value: |t, _| count(t.leads_sent),
    },
    Metric {
        name: "drafts_written",
        unit: "drafts",
        label: "Drafts written",
        section: Routing,
        format: Count,
        better: Neutral,
        meaning: "drafting stages completed, agent or human (a re-entered lead's new draft too)",
        value: |t, _| count(t.drafts_written),
    },
    Metric {
        name: "drafts_queued",
        unit: "drafts",
        label: "Drafts queued for review",
        section: ReviewGate,
        format: Count,
        better: Neutral,
        meaning: "agent drafts joining the review queue (re-entries included)",
        value: |t, _| count(t.drafts_queued),
    },
    Metric {
        name: "reentries_to_outreach",
        unit: "leads",
        label: "Re-entries to outreach",
        section: Nurture,
        format: Count,
        better: Neutral,
        meaning: "re-entries from nurture the gate sent to drafting (the rest of `nurture_reengaged` went back to nurture)",
        value: |t, _| count(t.reentries_to_outreach),
    },
    Metric {
        name: "nurture_share",
        unit: "share",
        label: "Nurture share",
        section: Headline,
        format: Share,
        better: Neutral,
        meaning: "to_nurture / (to_nurture + to_outreach)",
        value: |t, _| {
            let routed = t.leads_to_nurture + t.leads_to_outreach;
            ratio(t.leads_to_nurture as f64, routed as f64)
        },
    },
    Metric {
        name: "rep_prep_hours",
        unit: "h",
        label: "Rep prep hours",
        section: Hours,
        format: Fixed2,
        better: Lower,
        meaning: "rep working time on prep in W: reviews, edits, human-lane stages",
        value: |t, _| Some(rep_prep_hours(t)),
    },
    Metric {
        name: "rep_conversation_hours",
        unit: "h",
        label: "Rep conversation hours",
        section: Hours,
        format: Fixed2,
        better: Neutral,
        meaning: "rep working time on conversations in W",
        value: |t, _| Some(rep_conversation_hours(t)),
    },
    Metric {
        name: "rep_other_work_hours",
        unit: "h",
        label: "Rep other-work hours",
        section: Hours,
        format: Fixed2,
        better: Neutral,
        meaning: "rep working time on other work (calls, meetings, admin) in W, all reps",
        value: |t, _| Some(rep_other_work_hours(t)),
    },
    Metric {
        name: "rep_utilization",
        unit: "share",
        label: "Rep utilization",
        section: Hours,
        format: Share,
        better: Neutral,
        meaning: "(prep + conversation hours) / rep hours available in W (working hours less other work)",
        value: |t, c| {
            ratio(
                rep_prep_hours(t) + rep_conversation_hours(t),
                rep_hours_available(t, c),
            )
        },
    },
    Metric {
        name: "manual_prep_hours",
        unit: "h",
        label: "Manual prep hours",
        section: Hours,
        format: Fixed2,
        better: Neutral,
        meaning: "the manual counterfactual: prep the same leads would have cost reps by hand",
        value: |t, _| Some(manual_prep_hours(t)),
    },
    Metric {
        name: "manual_prep_load",
        unit: "share",
        label: "Manual prep load",
        section: Hours,
        format: Share,
        better: Neutral,
        meaning: "manual_prep_hours / rep hours available in W (above 1: the manual process could not keep up)",
        value: |t, c| ratio(manual_prep_hours(t), rep_hours_available(t, c)),
    },
    Metric {
        name: "hours_saved_per_rep_week",
        unit: "h/rep-week",
        label: "Hours saved per rep-week",
        section: Headline,
        format: Fixed2,
        better: Higher,
        meaning: "(manual_prep_hours - rep_prep_hours) / (reps x weeks of W)",
        value: |t, c| {
            ratio(
                manual_prep_hours(t) - rep_prep_hours(t),
                f64::from(c.reps) * weeks(c),
            )
        },
    },
    Metric {
        name: "prep_time_reduction",
        unit: "x",
        label: "Prep time reduction",
        section: Headline,
        format: Fixed2,
        better: Higher,
        meaning: "manual_prep_hours / rep_prep_hours",
        value: |t, _| ratio(manual_prep_hours(t), rep_prep_hours(t)),
    },
    Metric {
        name: "review_queue_mean",
        unit: "drafts",
        label: "Review queue, mean",
        section: ReviewGate,
        format: Fixed2,
        better: Lower,
        meaning: "time-average number of drafts waiting for review",
        value: |t, c| ratio(t.review_queue_area, c.window_seconds),
    },
    Metric {
        name: "review_wait_mean_h",
        unit: "h",
        label: "Review wait, mean",
        section: Headline,
        format: Fixed2,
        better: Lower,
        meaning: "calendar hours from queueing to the start of review, mean",
        value: |t, _| t.review_wait.mean(),
    },
    Metric {
        name: "review_wait_p95_h",
        unit: "h",
        label: "Review wait, 95th percentile",
        section: ReviewGate,
        format: Fixed2,
        better: Lower,
        meaning: "calendar hours from queueing to the start of review, 95th percentile",
        value: |t, _| t.review_wait.quantile(0.95),
    },
    Metric {
        name: "lead_to_send_p50_h",
        unit: "h",
        label: "Lead to send, median",
        section: Email,
        format: Fixed2,
        better: Lower,
        meaning: "calendar hours from arrival to send, median",
        value: |t, _| t.lead_to_send.quantile(0.5),
    },
    Metric {
        name: "lead_to_send_p95_h",
        unit: "h",
        label: "Lead to send, 95th percentile",
        section: Email,
        format: Fixed2,
        better: Lower,
        meaning: "calendar hours from arrival to send, 95th percentile",
        value: |t, _| t.lead_to_send.quantile(0.95),
    },
    Metric {
        name: "agent_utilization",
        unit: "share",
        label: "Agent utilization",
        section: Hours,
        format: Share,
        better: Neutral,
        meaning: "agent busy time / (slots x agent working time in W)",
        value: |t, c| {
            ratio(
                t.agent_busy_seconds,
                f64::from(c.agents) * c.agent_working_seconds,
            )
        },
    },
    Metric {
        name: "provider_calls",
        unit: "calls",
        label: "Provider calls",
        section: Costs,
        format: Count,
        better: Lower,
        meaning: "enrichment calls issued in W, retries included",
        value: |t, _| count(t.provider_calls),
    },
    Metric {
        name: "provider_retries",
        unit: "calls",
        label: "Provider retries",
        section: Costs,
        format: Count,
        better: Lower,
        meaning: "retries after a provider error, among the calls",
        value: |t, _| count(t.provider_retries),
    },
    Metric {
        name: "cost_agents",
        unit: "$",
        label: "Agent and provider cost",
        section: Costs,
        format: Fixed2,
        better: Lower,
        meaning: "provider calls + agent scoring + agent drafting costs in W",
        value: |t, _| Some(t.cost_agents),
    },
    Metric {
        name: "cost_per_email_sent",
        unit: "$/email",
        label: "Cost per email sent",
        section: Costs,
        format: Fixed2,
        better: Lower,
        meaning: "(cost_agents + hourly_cost x rep_prep_hours) / emails_sent",
        value: |t, c| {
            let rep_cost = c.hourly_cost * rep_prep_hours(t);
            ratio(t.cost_agents + rep_cost, t.emails_sent as f64)
        },
    },
    Metric {
        name: "cost_per_meeting",
        unit: "$/meeting",
        label: "Cost per meeting",
        section: Costs,
        format: Fixed2,
        better: Lower,
        meaning: "(cost_agents + hourly_cost x (prep + conversation hours)) / meetings",
        value: |t, c| {
            ratio(
                t.cost_agents + c.hourly_cost * (rep_prep_hours(t) + rep_conversation_hours(t)),
                t.meetings as f64,
            )
        },
    },
    Metric {
        name: "reply_rate",
        unit: "share",
        label: "Reply rate",
        section: Headline,
        format: Share,
        better: Higher,
        meaning: "leads replying over the whole sequence / leads emailed in W and not bounced (replies arriving before the horizon)",
        value: |t, _| ratio(t.replied_leads as f64, (t.emails_sent - t.emails_bounced) as f64),
    },
    Metric {
        name: "meetings_per_rep_month",
        unit: "meetings/rep-month",
        label: "Meetings per rep-month",
        section: Headline,
        format: Fixed2,
        better: Higher,
        meaning: "meetings / (reps x months of W), a month being 52/12 weeks",
        value: |t, c| {
            ratio(
                t.meetings as f64,
                f64::from(c.reps) * weeks(c) * 12.0 / 52.0,
            )
        },
    },
    Metric {
        name: "good_fit_to_nurture",
        unit: "leads",
        label: "Good leads lost to nurture",
        section: GateQuality,
        format: Count,
        better: Lower,
        meaning: "good leads (true fit >= `gate.good_fit_at`) the gate sent to nurture",
        value: |t, _| count(t.good_fit_to_nurture),
    },
    Metric {
        name: "low_fit_reviewed",
        unit: "drafts",
        label: "Low-fit drafts reviewed",
        section: GateQuality,
        format: Count,
        better: Lower,
        meaning: "reviews of leads with true fit below `review.reject_fit_below`",
        value: |t, _| count(t.low_fit_reviewed),
    },
    Metric {
        name: "low_fit_sent",
        unit: "emails",
        label: "Irreversible low-fit sends",
        section: GateQuality,
        format: Count,
        better: Lower,
        meaning: "irreversible sends to leads with true fit below `review.reject_fit_below`",
        value: |t, _| count(t.low_fit_sent),
    },
];

/// The metric of this name.
pub fn metric(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The metric `name` given to `option` (e.g. `--objective`), or a usage
/// error that suggests the closest names: metric names are checked where
/// they are parsed, never looked up later.
pub fn named(option: &str, name: &str) -> crate::error::Result<&'static Metric> {
    metric(name).ok_or_else(|| {
        crate::error::Error::Usage(format!(
            "{option}: unknown metric \"{name}\"{} (every metric is listed in the README's glossary)",
            did_you_mean(name)
        ))
    })
}

/// `; did you mean "a" or "b"?` for the metric names closest to a
/// misspelt one (by Jaro-Winkler similarity, or containing it), else empty.
fn did_you_mean(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut close: Vec<(f64, &str)> = METRICS
        .iter()
        .map(|m| {
            let score = strsim::jaro_winkler(&lower, m.name);
            let contains = lower.len() >= 4 && m.name.contains(lower.as_str());
            (if contains { score.max(0.9) } else { score }, m.name)
        })
        .filter(|(score, _)| *score >= 0.85)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0));
    let names: Vec<String> = close
        .iter()
        .take(3)
        .map(|(_, n)| format!("\"{n}\""))
        .collect();
    match names.len() {
        0 => String::new(),
        _ => format!("; did you mean {}?", names.join(" or ")),
    }
}

/// Metrics are the same when their names are (names are unique).
impl PartialEq for Metric {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Metric {
    /// The metric's position in [`METRICS`] (and so in every result row).
    pub fn index(&self) -> usize {
        metric_index(self.name).expect("a metric of the registry")
    }
}

/// The position of a metric in [`METRICS`] (and so in every result row).
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// The capacity warning of docs/MODEL.md section 5, for a point whose mean
/// `manual_prep_load` is above 1: today's manual process would need more
/// than the reps' available hours, so part of that work goes undone and the
/// hours saved include hours the team never had.
pub fn capacity_warning(summary: &[Aggregate]) -> Option<String> {
    let load = metric_index("manual_prep_load")
        .and_then(|i| summary.get(i))
        .and_then(|a| a.mean)
        .filter(|l| l.is_finite() && *l > 1.0)?;
    Some(format!(
        "capacity: the manual process would need {:.0}% of the reps' available hours \
         (manual_prep_load {load:.2}); today part of that prep goes undone, so hours saved \
         beyond the available hours are hours the team never had",
        100.0 * load
    ))
}

/// Every metric's name, in report order.
pub fn metric_names() -> impl Iterator<Item = &'static str> {
    METRICS.iter().map(|m| m.name)
}

/// The values of every metric, in [`METRICS`] order.
pub fn values(tally: &Tally, capacity: &Capacity) -> Vec<Option<f64>> {
    METRICS.iter().map(|m| m.value(tally, capacity)).collect()
}

/// Start and end markers of the generated glossary in `README.md`.
pub const GLOSSARY_START: &str = "<!-- metric-glossary:start -->";
/// See [`GLOSSARY_START`].
pub const GLOSSARY_END: &str = "<!-- metric-glossary:end -->";

/// The Markdown glossary of every metric and weekly column, as the README
/// carries it between [`GLOSSARY_START`] and [`GLOSSARY_END`].
pub fn glossary_markdown() -> String {
    let mut out = String::from("| metric | unit | meaning |\n| --- | --- | --- |\n");
    for m in &METRICS {
        out.push_str(&format!("| `{}` | {} | {} |\n", m.name, m.unit, m.meaning));
    }
    out.push_str("\nWeekly series (`weekly.parquet`, counts by event time, every week):\n\n");
    out.push_str("| column | meaning |\n| --- | --- |\n");
    for w in Weekly::ALL {
        out.push_str(&format!("| `{}` | {} |\n", w.name(), w.meaning()));
    }
    out
}

/// Defines the weekly counts once: the enum, its list, names and meanings.
macro_rules! weekly_counts {
    ($($variant:ident => $name:literal, $meaning:literal;)*) => {
        /// A count of the weekly series, by event time (docs/MODEL.md section 10).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Weekly {
            $(
                #[doc = $meaning]
                $variant,
            )*
        }

        impl Weekly {
            /// Every weekly count, in column order.
            pub const ALL: [Weekly; [$(Weekly::$variant),*].len()] = [$(Weekly::$variant),*];

            /// The column name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Weekly::$variant => $name,)*
                }
            }

            /// What the column counts.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Weekly::$variant => $meaning,)*
                }
            }
        }
    };
}

weekly_counts! {
    LeadsArrived => "leads_arrived", "leads arriving";
    LeadsUnreachable => "leads_unreachable", "leads leaving unreachable";
    LeadsToNurture => "leads_to_nurture", "first gate decisions to nurture";
    LeadsToOutreach => "leads_to_outreach", "first gate decisions to outreach";
    EmailsSent => "emails_sent", "emails sent, autonomous included";
    EmailsAutosent => "emails_autosent", "emails sent autonomously";
    Replies => "replies", "replies arriving";
    Meetings => "meetings", "meetings booked";
    NurtureTouches => "nurture_touches", "nurture emails";
    DraftsQueued => "drafts_queued", "drafts joining the review queue";
    ReviewsStarted => "reviews_started", "reviews a rep started";
    DraftsExpired => "drafts_expired", "drafts expiring unreviewed";
    WaitUnder1h => "review_wait_under_1h", "reviews started after a wait under 1 hour";
    Wait1hTo8h => "review_wait_1h_to_8h", "reviews started after 1 to 8 hours";
    Wait8hTo1d => "review_wait_8h_to_1d", "reviews started after 8 to 24 hours";
    Wait1dTo3d => "review_wait_1d_to_3d", "reviews started after 1 to 3 days";
    WaitOver3d => "review_wait_over_3d", "reviews started after more than 3 days";
    FollowUpsSent => "follow_ups_sent", "automated follow-up emails sent";
}

impl Weekly {
    /// The wait bands of the review-wait distribution, in order, with
    /// their upper bounds in hours.
    pub const WAIT_BANDS: [(Weekly, f64); 5] = [
        (Weekly::WaitUnder1h, 1.0),
        (Weekly::Wait1hTo8h, 8.0),
        (Weekly::Wait8hTo1d, 24.0),
        (Weekly::Wait1dTo3d, 72.0),
        (Weekly::WaitOver3d, f64::INFINITY),
    ];

    /// The band of a review wait of `hours`.
    pub fn wait_band(hours: f64) -> Weekly {
        Self::WAIT_BANDS
            .iter()
            .find(|(_, upper)| hours < *upper)
            .map_or(Weekly::WaitOver3d, |(band, _)| *band)
    }
}

/// Number of weekly columns.
pub const WEEKLY_LEN: usize = Weekly::ALL.len();

/// The counts of one week of one replication, by event time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekCounts([u64; WEEKLY_LEN]);

impl WeekCounts {
    /// The counts in [`Weekly::ALL`] order.
    pub fn new(values: [u64; WEEKLY_LEN]) -> Self {
        WeekCounts(values)
    }

    /// One count.
    pub fn get(&self, count: Weekly) -> u64 {
        self.0[count as usize]
    }

    /// Adds one to a count.
    pub fn add(&mut self, count: Weekly) {
        self.0[count as usize] += 1;
    }

    /// The counts in [`Weekly::ALL`] order.
    pub fn values(&self) -> [u64; WEEKLY_LEN] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn metric_names_are_unique_and_in_the_contract() {
        // docs/MODEL.md section 6, in its order.
        let contract = "leads_arrived, leads_unreachable, leads_to_nurture, leads_to_outreach, \
            drafts_reviewed, drafts_approved, drafts_edited, drafts_discarded, drafts_expired, \
            emails_autosent, emails_sent, emails_bounced, replies, positive_replies, meetings, \
            nurture_touches, nurture_reengaged, leads_dormant, leads_in_progress_end, \
            follow_ups_sent, leads_sent, drafts_written, drafts_queued, \
            reentries_to_outreach, nurture_share, rep_prep_hours, rep_conversation_hours, \
            rep_other_work_hours, rep_utilization, \
            manual_prep_hours, manual_prep_load, hours_saved_per_rep_week, prep_time_reduction, \
            review_queue_mean, review_wait_mean_h, review_wait_p95_h, lead_to_send_p50_h, \
            lead_to_send_p95_h, agent_utilization, provider_calls, provider_retries, \
            cost_agents, cost_per_email_sent, cost_per_meeting, reply_rate, meetings_per_rep_month, \
            good_fit_to_nurture, \
            low_fit_reviewed, low_fit_sent";
        let names: Vec<&str> = contract.split(',').map(str::trim).collect();
        assert_eq!(metric_names().collect::<Vec<_>>(), names);
        let labels: HashSet<&str> = METRICS.iter().map(|m| m.label).collect();
        assert_eq!(labels.len(), METRICS.len(), "labels are unique");
    }

    #[test]
    fn every_metric_reads_its_own_tally() {
        // Give each raw count a distinct value; a count metric must return
        // the tally of its own name, so two swapped definitions fail.
        let mut t = Tally::default();
        let counts: [(&str, &mut u64); 26] = [
            ("leads_arrived", &mut t.leads_arrived),
            ("leads_unreachable", &mut t.leads_unreachable),
            ("leads_to_nurture", &mut t.leads_to_nurture),
            ("leads_to_outreach", &mut t.leads_to_outreach),
            ("drafts_reviewed", &mut t.drafts_reviewed),
            ("drafts_approved", &mut t.drafts_approved),
            ("drafts_edited", &mut t.drafts_edited),
            ("drafts_discarded", &mut t.drafts_discarded),
            ("drafts_expired", &mut t.drafts_expired),
            ("emails_autosent", &mut t.emails_autosent),
            ("emails_sent", &mut t.emails_sent),
            ("emails_bounced", &mut t.emails_bounced),
            ("replies", &mut t.replies),
            ("positive_replies", &mut t.positive_replies),
            ("meetings", &mut t.meetings),
            ("nurture_touches", &mut t.nurture_touches),
            ("nurture_reengaged", &mut t.nurture_reengaged),
            ("leads_dormant", &mut t.leads_dormant),
            ("leads_in_progress_end", &mut t.leads_in_progress_end),
            ("good_fit_to_nurture", &mut t.good_fit_to_nurture),
            ("low_fit_reviewed", &mut t.low_fit_reviewed),
            ("low_fit_sent", &mut t.low_fit_sent),
            ("leads_sent", &mut t.leads_sent),
            ("drafts_written", &mut t.drafts_written),
            ("drafts_queued", &mut t.drafts_queued),
            ("reentries_to_outreach", &mut t.reentries_to_outreach),
        ];
        let mut expected = Vec::new();
        for (i, (name, field)) in counts.into_iter().enumerate() {
            *field = 1000 + i as u64;
            expected.push((name, 1000.0 + i as f64));
        }
        t.provider_calls = 77;
        t.provider_retries = 7;
        t.cost_agents = 12.5;
        let cap = Capacity {
            window_seconds: WEEK,
            reps: 1,
            rep_working_seconds: 40.0 * HOUR,
            agents: 1,
            agent_working_seconds: WEEK,
            hourly_cost: 50.0,
        };
        for (name, value) in expected {
            assert_eq!(metric(name).unwrap().value(&t, &cap), Some(value), "{name}");
        }
        assert_eq!(
            metric("provider_calls").unwrap().value(&t, &cap),
            Some(77.0)
        );
        assert_eq!(
            metric("provider_retries").unwrap().value(&t, &cap),
            Some(7.0)
        );
        assert_eq!(metric("cost_agents").unwrap().value(&t, &cap), Some(12.5));
        let share = 1002.0 / (1002.0 + 1003.0);
        assert_eq!(
            metric("nurture_share").unwrap().value(&t, &cap),
            Some(share)
        );
    }

    #[test]
    fn ratios_with_zero_denominators_are_undefined() {
        let tally = Tally::default();
        let cap = Capacity {
            window_seconds: WEEK,
            reps: 0,
            rep_working_seconds: 0.0,
            agents: 1,
            agent_working_seconds: WEEK,
            hourly_cost: 50.0,
        };
        let v = values(&tally, &cap);
        assert_eq!(v.len(), METRICS.len());
        let get = |n: &str| v[metric_index(n).unwrap()];
        assert_eq!(get("nurture_share"), None);
        assert_eq!(get("hours_saved_per_rep_week"), None);
        assert_eq!(get("prep_time_reduction"), None);
        assert_eq!(get("cost_per_meeting"), None);
        assert_eq!(get("agent_utilization"), Some(0.0));
        assert_eq!(get("leads_arrived"), Some(0.0));
    }

    #[test]
    fn hours_saved_follows_its_definition() {
        let tally = Tally {
            manual_prep_seconds: 100.0 * HOUR,
            rep_prep_seconds: 20.0 * HOUR,
            ..Tally::default()
        };
        let cap = Capacity {
            window_seconds: 2.0 * WEEK,
            reps: 4,
            rep_working_seconds: 70.0 * HOUR,
            agents: 1,
            agent_working_seconds: 2.0 * WEEK,
            hourly_cost: 50.0,
        };
        let v = values(&tally, &cap);
        let get = |n: &str| v[metric_index(n).unwrap()].unwrap();
        assert_eq!(get("hours_saved_per_rep_week"), 80.0 / 8.0);
        assert_eq!(get("prep_time_reduction"), 5.0);
        assert_eq!(get("manual_prep_load"), 100.0 / 280.0);
    }

    #[test]
    fn weekly_columns_are_named_once_in_order() {
        let names: Vec<&str> = Weekly::ALL.iter().map(|w| w.name()).collect();
        let unique: HashSet<&&str> = names.iter().collect();
        assert_eq!(unique.len(), WEEKLY_LEN);
        for (i, w) in Weekly::ALL.iter().enumerate() {
            assert_eq!(*w as usize, i);
        }
        let mut week = WeekCounts::default();
        week.add(Weekly::Replies);
        week.add(Weekly::Replies);
        assert_eq!(week.get(Weekly::Replies), 2);
        assert_eq!(week.values().iter().sum::<u64>(), 2);
    }

    #[test]
    fn unknown_metrics_are_refused_with_the_closest_names() {
        let err = named("--objective", "meetngs").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(
            text.contains("--objective: unknown metric \"meetngs\""),
            "{text}"
        );
        assert!(text.contains("did you mean \"meetings\""), "{text}");
        let text = named("--metric", "hours_saved").unwrap_err().to_string();
        assert!(text.contains("\"hours_saved_per_rep_week\""), "{text}");
        let text = named("--metric", "zzzz").unwrap_err().to_string();
        assert!(!text.contains("did you mean"), "{text}");
        assert_eq!(named("--metric", "meetings").unwrap().name, "meetings");
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(m.index(), i);
        }
    }

    #[test]
    fn units_and_directions_make_sense() {
        for m in &METRICS {
            assert!(!m.unit.is_empty() && !m.meaning.is_empty(), "{}", m.name);
            if m.name.ends_with("_h") || m.name.ends_with("_hours") {
                assert_eq!(m.unit, "h", "{}", m.name);
            }
            if m.name.starts_with("cost") {
                assert!(m.unit.starts_with('$'), "{}", m.name);
                assert_eq!(m.better, Better::Lower, "{}", m.name);
            }
        }
        assert_eq!(
            metric("hours_saved_per_rep_week").unwrap().better,
            Better::Higher
        );
        assert_eq!(metric("meetings").unwrap().better, Better::Higher);
    }
}
