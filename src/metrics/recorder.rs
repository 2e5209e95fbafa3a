//! The metrics recorder: turns the happenings of one replication into the
//! tallies behind every metric, applying the window rules of docs/MODEL.md
//! section 10 in this one place, and checks conservation over W.

use super::histogram::LogHistogram;
use super::{WeekCounts, Weekly};
use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::pipeline::{
    conservation, BusyClass, Fate, Happening, LeadRef, Recorder, Route, Stage, Verdict,
};
use crate::scenario::Scenario;
use crate::units::{HOUR, WEEK};

/// The running tallies of one replication, over the measured window W.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)] // Each count is the metric of the same name.
pub struct Tally {
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
    pub follow_ups_sent: u64,
    pub leads_sent: u64,
    pub drafts_written: u64,
    pub drafts_queued: u64,
    pub reentries_to_outreach: u64,
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
    /// Rep working seconds of other work in W, all reps.
    pub rep_other_work_seconds: f64,
    /// Leads whose first email was sent in W, did not bounce, and whose
    /// reply arrived before the horizon (the numerator of `reply_rate`).
    pub replied_leads: u64,
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

impl Capacity {
    /// The capacity of `sc` over its measured window.
    pub fn of(sc: &Scenario) -> Self {
        let (warmup, horizon) = (sc.run.warmup, sc.run.horizon);
        Capacity {
            window_seconds: horizon - warmup,
            reps: sc.reps.count,
            rep_working_seconds: sc.reps.calendar.working_between(warmup, horizon),
            agents: sc.agents.concurrency,
            agent_working_seconds: sc.agents.calendar.working_between(warmup, horizon),
            hourly_cost: sc.reps.hourly_cost,
        }
    }
}

/// Tallies one replication from its happenings.
#[derive(Debug)]
pub struct MetricsRecorder<'a> {
    warmup: f64,
    horizon: f64,
    good_fit_at: f64,
    reject_fit_below: f64,
    rep_calendar: &'a Calendar,
    agent_calendar: &'a Calendar,
    tally: Tally,
    weekly: Vec<WeekCounts>,
    /// Drafts waiting for review now, and when that last changed.
    queue_len: u64,
    queue_changed_at: f64,
    /// Final states of leads arriving in W, by [`Fate`] index.
    fates: [u64; Fate::ALL.len()],
}

impl<'a> MetricsRecorder<'a> {
    /// An empty recorder for a replication of `sc`.
    pub fn new(sc: &'a Scenario) -> Self {
        let weeks = (sc.run.horizon / WEEK).ceil().max(1.0) as usize;
        MetricsRecorder {
            warmup: sc.run.warmup,
            horizon: sc.run.horizon,
            good_fit_at: sc.gate.good_fit_at,
            reject_fit_below: sc.review.reject_fit_below,
            rep_calendar: &sc.reps.calendar,
            agent_calendar: &sc.agents.calendar,
            tally: Tally::default(),
            weekly: vec![WeekCounts::default(); weeks],
            queue_len: 0,
            queue_changed_at: 0.0,
            fates: [0; Fate::ALL.len()],
        }
    }

    /// True when `t` lies in the measured window W = [warmup, horizon).
    fn in_window(&self, t: f64) -> bool {
        t >= self.warmup && t < self.horizon
    }

    /// True for a lead arriving in W: the per-lead counts of section 10.
    fn counts(&self, lead: LeadRef) -> bool {
        self.in_window(lead.arrived)
    }

    /// Adds one to the weekly count of the week holding `t` (the last week
    /// for times past it).
    fn week(&mut self, t: f64, count: Weekly) {
        let last = self.weekly.len().saturating_sub(1);
        // The cast truncates (the floor for t >= 0) and saturates below zero.
        let i = ((t / WEEK) as usize).min(last);
        self.weekly[i].add(count);
    }

    /// Working time of `cal` in `[start, end)` clipped to W.
    fn busy_in_window(&self, cal: &Calendar, start: f64, end: f64) -> f64 {
        cal.working_between(start.max(self.warmup), end.min(self.horizon))
    }

    /// Adds the queue length times the time since it last changed, clipped
    /// to W, to the queue's time integral.
    fn account_queue(&mut self, now: f64) {
        let clip = |t: f64| t.clamp(self.warmup, self.horizon);
        let span = clip(now) - clip(self.queue_changed_at);
        self.tally.review_queue_area += self.queue_len as f64 * span;
        self.queue_changed_at = now;
    }

    /// Closes the books at the horizon and checks, over the leads arriving
    /// in W, that every one is in exactly one final state or still in
    /// flight, and that reviews add up. Returns the tallies and the weekly
    /// series.
    pub fn finish(mut self, replication: u32) -> Result<(Tally, Vec<WeekCounts>)> {
        self.account_queue(self.horizon);
        let t = &self.tally;
        let invariant = |message: String| Error::Invariant {
            replication,
            message,
        };
        if let Some(message) = conservation(
            "measured-window",
            t.leads_arrived,
            &self.fates,
            t.leads_in_progress_end,
        ) {
            return Err(invariant(message));
        }
        if t.drafts_reviewed != t.drafts_approved + t.drafts_discarded {
            return Err(invariant(format!(
                "{} drafts reviewed but {} approved and {} discarded",
                t.drafts_reviewed, t.drafts_approved, t.drafts_discarded
            )));
        }
        Ok((self.tally, self.weekly))
    }
}

impl Recorder for MetricsRecorder<'_> {
    #[inline(always)]
    fn record(&mut self, now: f64, happening: Happening) {
        let in_window = self.in_window(now);
        match happening {
            Happening::Arrival {
                lead, manual_prep, ..
            } => {
                self.week(now, Weekly::LeadsArrived);
                if self.counts(lead) {
                    self.tally.leads_arrived += 1;
                    self.tally.manual_prep_seconds += manual_prep;
                }
            }
            Happening::StageStart { cost, .. } => {
                if in_window {
                    self.tally.cost_agents += cost;
                }
            }
            Happening::ProviderCall { retry, cost, .. } => {
                if in_window {
                    self.tally.provider_calls += 1;
                    if retry {
                        self.tally.provider_retries += 1;
                    }
                    self.tally.cost_agents += cost;
                }
            }
            Happening::Gate {
                lead,
                fit,
                first: true,
                route,
                ..
            } => {
                let counts = self.counts(lead);
                match route {
                    Route::Nurture => {
                        self.week(now, Weekly::LeadsToNurture);
                        if counts {
                            self.tally.leads_to_nurture += 1;
                            if fit >= self.good_fit_at {
                                self.tally.good_fit_to_nurture += 1;
                            }
                        }
                    }
                    Route::Outreach => {
                        self.week(now, Weekly::LeadsToOutreach);
                        if counts {
                            self.tally.leads_to_outreach += 1;
                        }
                    }
                }
            }
            Happening::ReviewQueued { lead } => {
                self.account_queue(now);
                self.queue_len += 1;
                self.week(now, Weekly::DraftsQueued);
                if self.counts(lead) {
                    self.tally.drafts_queued += 1;
                }
            }
            Happening::ReviewStart { queued_at, .. } => {
                self.account_queue(now);
                self.queue_len -= 1;
                let wait = (now - queued_at) / HOUR;
                self.week(now, Weekly::ReviewsStarted);
                self.week(now, Weekly::wait_band(wait));
                if in_window {
                    self.tally.review_wait.add(wait);
                }
            }
            Happening::Expired { lead } => {
                self.account_queue(now);
                self.queue_len -= 1;
                self.week(now, Weekly::DraftsExpired);
                if self.counts(lead) {
                    self.tally.drafts_expired += 1;
                }
            }
            Happening::ReviewEnd {
                lead, fit, verdict, ..
            } => {
                if self.counts(lead) {
                    let t = &mut self.tally;
                    t.drafts_reviewed += 1;
                    if fit < self.reject_fit_below {
                        t.low_fit_reviewed += 1;
                    }
                    match verdict {
                        Verdict::Discarded => t.drafts_discarded += 1,
                        Verdict::Approved => t.drafts_approved += 1,
                        Verdict::Edited => {
                            t.drafts_approved += 1;
                            t.drafts_edited += 1;
                        }
                    }
                }
            }
            Happening::FollowUp { .. } => {
                self.week(now, Weekly::FollowUpsSent);
                if in_window {
                    self.tally.follow_ups_sent += 1;
                }
            }
            Happening::Send {
                lead,
                fit,
                autonomous,
                bounced,
                ..
            } => {
                self.week(now, Weekly::EmailsSent);
                if autonomous {
                    self.week(now, Weekly::EmailsAutosent);
                }
                if in_window {
                    let t = &mut self.tally;
                    t.emails_sent += 1;
                    if autonomous {
                        t.emails_autosent += 1;
                    }
                    if fit < self.reject_fit_below {
                        t.low_fit_sent += 1;
                    }
                    t.lead_to_send.add((now - lead.arrived) / HOUR);
                    if bounced {
                        t.emails_bounced += 1;
                    }
                }
            }
            Happening::Reply {
                positive, sent_at, ..
            } => {
                self.week(now, Weekly::Replies);
                if in_window {
                    self.tally.replies += 1;
                    if positive {
                        self.tally.positive_replies += 1;
                    }
                }
                // A reply only ever arrives before the horizon; its lead
                // counts when its first email went out in W.
                if self.in_window(sent_at) {
                    self.tally.replied_leads += 1;
                }
            }
            Happening::OtherWork { start, end, .. } => {
                self.tally.rep_other_work_seconds +=
                    self.busy_in_window(self.rep_calendar, start, end);
            }
            Happening::ConversationEnd { meeting: true, .. } => {
                self.week(now, Weekly::Meetings);
                if in_window {
                    self.tally.meetings += 1;
                }
            }
            Happening::NurtureTouch { lead, reentry, .. } => {
                self.week(now, Weekly::NurtureTouches);
                if in_window {
                    self.tally.nurture_touches += 1;
                }
                if reentry && self.counts(lead) {
                    self.tally.nurture_reengaged += 1;
                }
            }
            Happening::Fate { lead, fate } => {
                if fate == Fate::Unreachable {
                    self.week(now, Weekly::LeadsUnreachable);
                }
                if self.counts(lead) {
                    self.fates[fate as usize] += 1;
                    match fate {
                        Fate::Unreachable => self.tally.leads_unreachable += 1,
                        Fate::Dormant => self.tally.leads_dormant += 1,
                        Fate::Sent => self.tally.leads_sent += 1,
                        Fate::Discarded | Fate::Dropped => {}
                    }
                }
            }
            Happening::InProgress { lead } => {
                if self.counts(lead) {
                    self.tally.leads_in_progress_end += 1;
                }
            }
            Happening::Busy {
                class, start, end, ..
            } => {
                let cal = match class {
                    BusyClass::Prep | BusyClass::Conversation => self.rep_calendar,
                    BusyClass::Agent => self.agent_calendar,
                };
                let busy = self.busy_in_window(cal, start, end);
                match class {
                    BusyClass::Prep => self.tally.rep_prep_seconds += busy,
                    BusyClass::Conversation => self.tally.rep_conversation_seconds += busy,
                    BusyClass::Agent => self.tally.agent_busy_seconds += busy,
                }
            }
            Happening::StageEnd {
                lead,
                stage: Stage::Drafting,
                ..
            } => {
                if self.counts(lead) {
                    self.tally.drafts_written += 1;
                }
            }
            Happening::Gate {
                lead,
                first: false,
                route: Route::Outreach,
                ..
            } => {
                if self.counts(lead) {
                    self.tally.reentries_to_outreach += 1;
                }
            }
            Happening::Gate {
                first: false,
                route: Route::Nurture,
                ..
            }
            | Happening::StageEnd {
                stage: Stage::Lookup | Stage::Enrichment | Stage::Scoring,
                ..
            }
            | Happening::ProviderAnswer { .. }
            | Happening::EditEnd { .. }
            | Happening::ConversationStart { .. }
            | Happening::ConversationEnd { meeting: false, .. }
            | Happening::NurtureStart { .. }
            | Happening::SequenceEnd { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_test_base;

    fn arrival(key: u64, at: f64) -> Happening {
        Happening::Arrival {
            lead: LeadRef { key, arrived: at },
            segment: 0,
            fit: 0.5,
            manual_prep: 60.0,
        }
    }

    #[test]
    fn leads_arriving_in_the_window_add_up() {
        let sc = load_test_base(&[]).unwrap().scenario;
        let mut r = MetricsRecorder::new(&sc);
        let t = sc.run.warmup + 10.0;
        let lead = LeadRef { key: 0, arrived: t };
        r.record(t, arrival(0, t));
        r.record(
            t + 1.0,
            Happening::Fate {
                lead,
                fate: Fate::Dormant,
            },
        );
        let (tally, _) = r.finish(1).expect("one lead, one final state");
        assert_eq!((tally.leads_arrived, tally.leads_dormant), (1, 1));
    }

    #[test]
    fn a_lead_counted_twice_in_the_window_breaks_conservation() {
        let sc = load_test_base(&[]).unwrap().scenario;
        let mut r = MetricsRecorder::new(&sc);
        let t = sc.run.warmup + 10.0;
        let lead = LeadRef { key: 0, arrived: t };
        r.record(t, arrival(0, t));
        r.record(
            t + 1.0,
            Happening::Fate {
                lead,
                fate: Fate::Dormant,
            },
        );
        // A second final state for the same lead.
        r.record(
            t + 2.0,
            Happening::Fate {
                lead,
                fate: Fate::Sent,
            },
        );
        let err = r.finish(1).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("measured-window"), "{err}");
    }
}
