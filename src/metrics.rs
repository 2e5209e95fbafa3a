//! Streaming metrics of one replication and their aggregation over
//! replications (mean, sd, 95% Student-t confidence interval).
//!
//! Names and meanings are part of the contract (MODEL.md section 6); the
//! order of [`METRICS`] is the order of every table and file.

mod aggregate;
pub mod histogram;

pub use aggregate::{aggregate, student_t_975, Aggregate};

use histogram::LogHistogram;

use crate::units::{HOUR, WEEK};

/// Every metric, in report order.
pub const METRICS: [&str; 41] = [
    "leads_arrived",
    "leads_unreachable",
    "leads_to_nurture",
    "leads_to_outreach",
    "drafts_reviewed",
    "drafts_approved",
    "drafts_edited",
    "drafts_discarded",
    "drafts_expired",
    "emails_autosent",
    "emails_sent",
    "emails_bounced",
    "replies",
    "positive_replies",
    "meetings",
    "nurture_touches",
    "nurture_reengaged",
    "leads_dormant",
    "leads_in_progress_end",
    "nurture_share",
    "rep_prep_hours",
    "rep_conversation_hours",
    "rep_utilization",
    "manual_prep_hours",
    "manual_prep_load",
    "hours_saved_per_rep_week",
    "prep_time_reduction",
    "review_queue_mean",
    "review_wait_mean_h",
    "review_wait_p95_h",
    "lead_to_send_p50_h",
    "lead_to_send_p95_h",
    "agent_utilization",
    "provider_calls",
    "provider_retries",
    "cost_agents",
    "cost_per_email_sent",
    "cost_per_meeting",
    "good_fit_to_nurture",
    "low_fit_reviewed",
    "low_fit_sent",
];

/// The column index of a metric in [`METRICS`].
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| *m == name)
}

/// Counts of one week of one replication, by event time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekCounts {
    /// Leads arriving.
    pub leads_arrived: u64,
    /// Leads leaving unreachable.
    pub leads_unreachable: u64,
    /// First gate decisions to nurture.
    pub leads_to_nurture: u64,
    /// First gate decisions to outreach.
    pub leads_to_outreach: u64,
    /// Emails sent (autonomous included).
    pub emails_sent: u64,
    /// Emails sent autonomously.
    pub emails_autosent: u64,
    /// Replies arriving.
    pub replies: u64,
    /// Meetings booked.
    pub meetings: u64,
}

/// Names of the [`WeekCounts`] columns, in order.
pub const WEEKLY_COLUMNS: [&str; 8] = [
    "leads_arrived",
    "leads_unreachable",
    "leads_to_nurture",
    "leads_to_outreach",
    "emails_sent",
    "emails_autosent",
    "replies",
    "meetings",
];

impl WeekCounts {
    /// The counts in [`WEEKLY_COLUMNS`] order.
    pub fn values(&self) -> [u64; 8] {
        [
            self.leads_arrived,
            self.leads_unreachable,
            self.leads_to_nurture,
            self.leads_to_outreach,
            self.emails_sent,
            self.emails_autosent,
            self.replies,
            self.meetings,
        ]
    }
}

/// The running tallies of one replication; the pipeline adds to them as
/// things happen and [`Counters::finish`] turns them into metrics.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)] // Each field is the metric of the same name, or its raw sum.
pub struct Counters {
    pub leads_arrived: u64,
    pub leads_unreachable: u64,
    pub leads_to_nurture: u64,
    pub leads_to_outreach: u64,
    pub drafts_reviewed: u64,
    pub drafts_approved: u64,
    pub drafts_edited: u64,
    pub drafts_discarded: u64,
    pub drafts_expired: u64,
    pub emails_autosent: u64,
    pub emails_sent: u64,
    pub emails_bounced: u64,
    pub replies: u64,
    pub positive_replies: u64,
    pub meetings: u64,
    pub nurture_touches: u64,
    pub nurture_reengaged: u64,
    pub leads_dormant: u64,
    pub leads_in_progress_end: u64,
    pub good_fit_to_nurture: u64,
    pub low_fit_reviewed: u64,
    pub low_fit_sent: u64,
    pub provider_calls: u64,
    pub provider_retries: u64,
    /// Agent and provider costs incurred in W.
    pub cost_agents: f64,
    /// Rep busy seconds on prep (reviews, edits, human stages) in W.
    pub rep_prep_seconds: f64,
    /// Rep busy seconds on conversations in W.
    pub rep_conversation_seconds: f64,
    /// Agent busy seconds in W.
    pub agent_busy_seconds: f64,
    /// Manual counterfactual seconds of leads arriving in W.
    pub manual_prep_seconds: f64,
    /// Integral over W of drafts waiting for review (draft-seconds).
    pub review_queue_area: f64,
    /// Review waits (hours) of reviews starting in W.
    pub review_wait: LogHistogram,
    /// Arrival-to-send times (hours) of sends in W.
    pub lead_to_send: LogHistogram,
    /// Counts by week of event time, all weeks.
    pub weekly: Vec<WeekCounts>,
}

/// What the metrics need to know of the scenario's capacity.
#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    /// Length of the measured window W in seconds.
    pub window_seconds: f64,
    /// Number of reps.
    pub reps: u32,
    /// Working seconds of one rep in W.
    pub rep_working_seconds: f64,
    /// Agent slots.
    pub agents: u32,
    /// Working seconds of one agent slot in W.
    pub agent_working_seconds: f64,
    /// Cost of a rep hour.
    pub hourly_cost: f64,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

impl Counters {
    /// Counters with `weeks` weekly rows.
    pub fn new(weeks: usize) -> Self {
        Counters {
            weekly: vec![WeekCounts::default(); weeks],
            ..Default::default()
        }
    }

    /// The weekly row for time `t` (the last row for times past it).
    pub fn week(&mut self, t: f64) -> &mut WeekCounts {
        let last = self.weekly.len().saturating_sub(1);
        let i = ((t / WEEK).floor().max(0.0) as usize).min(last);
        &mut self.weekly[i]
    }

    /// The metric values in [`METRICS`] order; `None` where a ratio's
    /// denominator is zero.
    pub fn finish(&self, cap: &Capacity) -> Vec<Option<f64>> {
        let c = |v: u64| Some(v as f64);
        let rep_prep_hours = self.rep_prep_seconds / HOUR;
        let rep_conversation_hours = self.rep_conversation_seconds / HOUR;
        let manual_prep_hours = self.manual_prep_seconds / HOUR;
        let rep_hours_available = f64::from(cap.reps) * cap.rep_working_seconds / HOUR;
        let weeks = cap.window_seconds / WEEK;
        let routed = self.leads_to_nurture + self.leads_to_outreach;
        let rep_cost = cap.hourly_cost * rep_prep_hours;
        let values = [
            c(self.leads_arrived),
            c(self.leads_unreachable),
            c(self.leads_to_nurture),
            c(self.leads_to_outreach),
            c(self.drafts_reviewed),
            c(self.drafts_approved),
            c(self.drafts_edited),
            c(self.drafts_discarded),
            c(self.drafts_expired),
            c(self.emails_autosent),
            c(self.emails_sent),
            c(self.emails_bounced),
            c(self.replies),
            c(self.positive_replies),
            c(self.meetings),
            c(self.nurture_touches),
            c(self.nurture_reengaged),
            c(self.leads_dormant),
            c(self.leads_in_progress_end),
            ratio(self.leads_to_nurture as f64, routed as f64),
            Some(rep_prep_hours),
            Some(rep_conversation_hours),
            ratio(rep_prep_hours + rep_conversation_hours, rep_hours_available),
            Some(manual_prep_hours),
            ratio(manual_prep_hours, rep_hours_available),
            ratio(
                manual_prep_hours - rep_prep_hours,
                f64::from(cap.reps) * weeks,
            ),
            ratio(manual_prep_hours, rep_prep_hours),
            ratio(self.review_queue_area, cap.window_seconds),
            self.review_wait.mean(),
            self.review_wait.quantile(0.95),
            self.lead_to_send.quantile(0.5),
            self.lead_to_send.quantile(0.95),
            ratio(
                self.agent_busy_seconds,
                f64::from(cap.agents) * cap.agent_working_seconds,
            ),
            c(self.provider_calls),
            c(self.provider_retries),
            Some(self.cost_agents),
            ratio(self.cost_agents + rep_cost, self.emails_sent as f64),
            ratio(
                self.cost_agents + cap.hourly_cost * (rep_prep_hours + rep_conversation_hours),
                self.meetings as f64,
            ),
            c(self.good_fit_to_nurture),
            c(self.low_fit_reviewed),
            c(self.low_fit_sent),
        ];
        values.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_with_zero_denominators_are_undefined() {
        let counters = Counters::new(1);
        let cap = Capacity {
            window_seconds: WEEK,
            reps: 0,
            rep_working_seconds: 0.0,
            agents: 1,
            agent_working_seconds: WEEK,
            hourly_cost: 50.0,
        };
        let v = counters.finish(&cap);
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
        let mut counters = Counters::new(1);
        counters.manual_prep_seconds = 100.0 * HOUR;
        counters.rep_prep_seconds = 20.0 * HOUR;
        let cap = Capacity {
            window_seconds: 2.0 * WEEK,
            reps: 4,
            rep_working_seconds: 70.0 * HOUR,
            agents: 1,
            agent_working_seconds: 2.0 * WEEK,
            hourly_cost: 50.0,
        };
        let v = counters.finish(&cap);
        let get = |n: &str| v[metric_index(n).unwrap()].unwrap();
        assert_eq!(get("hours_saved_per_rep_week"), 80.0 / 8.0);
        assert_eq!(get("prep_time_reduction"), 5.0);
        assert_eq!(get("manual_prep_load"), 100.0 / 280.0);
    }
}
