//! The sales pipeline on the engine: arrivals, the agent lane, the gate, the
//! rep's review, the email system and nurture, for one replication.
//!
//! Flow of a lead (MODEL.md sections 1, 3 and 10): lookup -> enrichment
//! (provider waterfall) -> scoring -> gate. Below `gate.nurture_below` the
//! lead enters nurture; otherwise it is drafted, then sent autonomously (score
//! at or above `gate.autosend_at_or_above`), sent directly (human draft), or
//! queued for a rep's review. Every lead ends in one [`Fate`] or is still in
//! flight at the horizon, and that conservation is checked at the end.

mod agents;
mod counterfactual;
mod email;
mod lead;
mod providers;
mod reps;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::calendar::{describe_time, Calendar};
use crate::engine::{Bound, Engine, Limits, Runaway, SAME_INSTANT_LIMIT};
use crate::error::{Error, Result};
use crate::experiment::ReplicationResult;
use crate::metrics::{Capacity, Counters};
use crate::rng::{stream, Purpose, Stream};
use crate::scenario::{Arrivals, Lane, Scenario};
use crate::units::{DAY, WEEK};

use agents::AgentPool;
use email::SendQueue;
use lead::{Fate, Holder, Lead, LeadStreams, Leads, ReviewKey, Stage};
use providers::TokenBucket;
use reps::{RepPool, RepTask};

/// Everything that can happen, for the engine to order.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next arrival (Poisson) or batch.
    Arrival,
    /// An agent finished the work of a stage for the lead in this slot.
    AgentDone { lead: usize, stage: Stage },
    /// The agent calendar opens.
    AgentWake,
    /// A provider answered a call for the lead in this slot.
    ProviderAnswer { lead: usize },
    /// A provider's token bucket may have a token for the first waiting call.
    TokenReady { provider: usize },
    /// A rep finished a task.
    RepDone { rep: usize, task: RepTask },
    /// The rep calendar opens.
    RepWake,
    /// A draft's review deadline.
    Expire { lead: usize, key: ReviewKey },
    /// The email system may send again (calendar open or a new day).
    EmailWake,
    /// A reply arrives.
    Reply {
        positive: bool,
        conversation: f64,
        meeting: bool,
    },
    /// A nurture touch for the lead in this slot.
    NurtureTouch { lead: usize },
}

impl Event {
    /// The kind of event, for the watchdog's message.
    fn kind(&self) -> &'static str {
        match self {
            Event::Arrival => "arrival",
            Event::AgentDone { .. } => "agent stage done",
            Event::AgentWake => "agent calendar opens",
            Event::ProviderAnswer { .. } => "provider answer",
            Event::TokenReady { .. } => "provider token ready",
            Event::RepDone { .. } => "rep task done",
            Event::RepWake => "rep calendar opens",
            Event::Expire { .. } => "review deadline",
            Event::EmailWake => "email system wakes",
            Event::Reply { .. } => "reply",
            Event::NurtureTouch { .. } => "nurture touch",
        }
    }
}

/// How many times the scenario's expected scale of events a run may handle
/// before the watchdog stops it: three orders of magnitude, far above any
/// replication's chance deviation from its expectation.
const EVENT_BUDGET_FACTOR: f64 = 1000.0;

/// The watchdog's bounds for one replication of `sc`: a generous upper
/// estimate of the events the scenario needs, times [`EVENT_BUDGET_FACTOR`].
///
/// Per lead and gate pass: four stages, every provider call and its answer
/// with all retries, the review with its deadline and edit, the send, reply
/// and conversation, and a nurture sequence; a lead passes the gate at most
/// `1 + max_reentries` times and may enter one more nurture sequence after an
/// expiry. Wake-ups are at most a few per calendar window a day.
fn watchdog_limits(sc: &Scenario) -> Limits {
    let calls: f64 = sc
        .enrichment
        .providers
        .iter()
        .map(|p| 2.0 * (f64::from(p.max_retries) + 1.0) + 1.0)
        .sum();
    let passes = f64::from(sc.nurture.max_reentries) + 2.0;
    let per_lead = passes * (12.0 + calls + f64::from(sc.nurture.touches));
    let leads = sc.arrivals.expected_before(sc.run.horizon);
    let wakes = 100.0 * (sc.run.horizon / DAY).ceil();
    let expected = leads * per_lead + wakes + 1.0;
    Limits {
        same_instant: SAME_INSTANT_LIMIT,
        // Saturates at u64::MAX for absurd values; validation bounds the leads.
        events: (EVENT_BUDGET_FACTOR * expected) as u64,
    }
}

/// Schedules a wake-up `event` at `t` unless one is already pending or `t`
/// never comes (a calendar without working time).
fn schedule_wake(engine: &mut Engine<Event>, pending: &mut bool, t: f64, event: Event) {
    if !*pending && t.is_finite() {
        *pending = true;
        engine.schedule_at(t, event);
    }
}

/// Runs replication `replication` of `sc` and returns its metrics.
pub fn run_replication(sc: &Scenario, replication: u32) -> Result<ReplicationResult> {
    let mut p = Pipeline::new(sc, replication);
    p.run()?;
    p.finish()
}

/// The state of one replication.
struct Pipeline<'a> {
    sc: &'a Scenario,
    replication: u32,
    warmup: f64,
    horizon: f64,
    engine: Engine<Event>,
    leads: Leads,
    next_key: u64,
    arrivals: Stream,
    /// Working-time position of the last Poisson arrival.
    arrival_position: f64,
    reps: RepPool,
    agents: AgentPool,
    buckets: Vec<TokenBucket>,
    email: SendQueue,
    counters: Counters,
    /// Final states of every lead, and of leads arriving in W.
    fates_all: [u64; 5],
    fates_window: [u64; 5],
    arrived_all: u64,
    /// Review queue: time of the last change, for the time average.
    queue_changed_at: f64,
}

impl<'a> Pipeline<'a> {
    fn new(sc: &'a Scenario, replication: u32) -> Self {
        let weeks = (sc.run.horizon / WEEK).ceil().max(1.0) as usize;
        Pipeline {
            sc,
            replication,
            warmup: sc.run.warmup,
            horizon: sc.run.horizon,
            engine: Engine::with_limits(watchdog_limits(sc)),
            leads: Leads::default(),
            next_key: 0,
            arrivals: stream(sc.run.seed, replication, 0, Purpose::Arrivals),
            arrival_position: 0.0,
            reps: RepPool::new(sc.reps.count as usize),
            agents: AgentPool::new(sc.agents.concurrency),
            buckets: sc
                .enrichment
                .providers
                .iter()
                .map(|p| TokenBucket::new(p.rate_limit_per_min))
                .collect(),
            email: SendQueue::new(
                u64::from(sc.email.mailboxes) * u64::from(sc.email.daily_cap_per_mailbox),
            ),
            counters: Counters::new(weeks),
            fates_all: [0; 5],
            fates_window: [0; 5],
            arrived_all: 0,
            queue_changed_at: 0.0,
        }
    }

    fn now(&self) -> f64 {
        self.engine.now()
    }

    /// True when `t` lies in the measured window W = [warmup, horizon).
    fn in_window(&self, t: f64) -> bool {
        t >= self.warmup && t < self.horizon
    }

    /// Working time of `cal` in `[start, end)` clipped to W.
    fn busy_in_window(&self, cal: &Calendar, start: f64, end: f64) -> f64 {
        cal.working_between(start.max(self.warmup), end.min(self.horizon))
    }

    /// Handles events until the horizon, or until the watchdog stops a run
    /// that has gone out of bounds.
    fn run(&mut self) -> Result<()> {
        self.schedule_first_arrival();
        loop {
            match self.engine.next_before(self.horizon) {
                Ok(Some((_, event))) => self.handle(event),
                Ok(None) => return Ok(()),
                Err(runaway) => return Err(self.runaway(runaway)),
            }
        }
    }

    /// The error for a run the watchdog stopped.
    fn runaway(&self, runaway: Runaway<Event>) -> Error {
        let kind = runaway.event.kind();
        let message = match runaway.bound {
            Bound::SameInstant(n) => format!(
                "more than {n} events at one instant (last event: {kind}); \
                 a rule is rescheduling itself without time passing (this is a bug in salesim; please report it)"
            ),
            Bound::Total(n) => format!(
                "more than {n} events, orders of magnitude above what this scenario's \
                 arrivals need (last event: {kind}) (this is a bug in salesim; please report it)"
            ),
        };
        Error::Runaway {
            replication: self.replication,
            time: describe_time(runaway.time),
            message,
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival => self.arrival(),
            Event::AgentDone { lead, stage } => self.agent_done(lead, stage),
            Event::AgentWake => {
                self.agents.wake_pending = false;
                self.dispatch_agents();
            }
            Event::ProviderAnswer { lead } => self.provider_answer(lead),
            Event::TokenReady { provider } => self.token_ready(provider),
            Event::RepDone { rep, task } => self.rep_done(rep, task),
            Event::RepWake => {
                self.reps.wake_pending = false;
                self.dispatch_reps();
            }
            Event::Expire { lead, key } => self.expire(lead, key),
            Event::EmailWake => {
                self.email.wake_pending = false;
                self.dispatch_email();
            }
            Event::Reply {
                positive,
                conversation,
                meeting,
            } => self.reply(positive, conversation, meeting),
            Event::NurtureTouch { lead } => self.nurture_touch(lead),
        }
    }

    // ----- arrivals -------------------------------------------------------

    fn schedule_first_arrival(&mut self) {
        match &self.sc.arrivals {
            Arrivals::Poisson { .. } => self.schedule_next_poisson(),
            Arrivals::Batch { at, .. } => self.engine.schedule_at(*at, Event::Arrival),
        }
    }

    /// Poisson arrivals on a calendar: exponential gaps in working time at
    /// rate per_week / (working seconds per week), mapped back to clock time.
    fn schedule_next_poisson(&mut self) {
        if let Arrivals::Poisson { per_week, calendar } = &self.sc.arrivals {
            let mean_gap = calendar.working_per_week() / per_week;
            let u: f64 = self.arrivals.random();
            self.arrival_position += -mean_gap * (1.0 - u).ln();
            let t = calendar.at_working(self.arrival_position);
            if t < self.horizon {
                self.engine.schedule_at(t, Event::Arrival);
            }
        }
    }

    fn arrival(&mut self) {
        match &self.sc.arrivals {
            Arrivals::Poisson { .. } => {
                self.new_lead();
                self.schedule_next_poisson();
            }
            Arrivals::Batch { size, every, .. } => {
                for _ in 0..*size {
                    self.new_lead();
                }
                let next = self.now() + every;
                if next < self.horizon {
                    self.engine.schedule_at(next, Event::Arrival);
                }
            }
        }
    }

    fn new_lead(&mut self) {
        let (sc, now) = (self.sc, self.now());
        let key = self.next_key;
        self.next_key += 1;
        let mut attributes = stream(sc.run.seed, self.replication, key, Purpose::Attributes);
        let u: f64 = attributes.random();
        let mut cumulative = 0.0;
        let segment = sc
            .segments
            .iter()
            .find(|s| {
                cumulative += s.share;
                u < cumulative
            })
            .unwrap_or(&sc.segments[sc.segments.len() - 1]);
        let fit = segment.fit.sample(&mut attributes).clamp(0.0, 1.0);
        let mut cf = stream(sc.run.seed, self.replication, key, Purpose::Counterfactual);
        let manual = counterfactual::manual_prep_seconds(sc, fit, &mut cf);
        let in_window = self.in_window(now);
        self.arrived_all += 1;
        self.counters.week(now).leads_arrived += 1;
        if in_window {
            self.counters.leads_arrived += 1;
            self.counters.manual_prep_seconds += manual;
        }
        let slot = self.leads.insert(Lead {
            arrived: now,
            in_window,
            fit,
            score: 0.0,
            reentries: 0,
            routed: false,
            edited: false,
            autonomous: false,
            holder: Holder::Nobody,
            provider: 0,
            retries: 0,
            review_key: None,
            queued_at: 0.0,
            touches: 0,
            streams: LeadStreams::new(sc.run.seed, self.replication, key),
        });
        self.request_stage(slot, Stage::Lookup);
    }

    // ----- stages ---------------------------------------------------------

    fn lane(&self, stage: Stage) -> Lane {
        match stage {
            Stage::Lookup => self.sc.lookup.lane,
            Stage::Enrichment => self.sc.enrichment.lane,
            Stage::Scoring => self.sc.scoring.lane,
            Stage::Drafting => self.sc.drafting.lane,
        }
    }

    /// Queues the lead for `stage` in its lane.
    fn request_stage(&mut self, lead: usize, stage: Stage) {
        match self.lane(stage) {
            Lane::Agent => {
                self.agents.queue.push_back((lead, stage));
                self.dispatch_agents();
            }
            Lane::Human => {
                self.reps.prep.push_back((lead, stage));
                self.dispatch_reps();
            }
        }
    }

    /// Releases whoever holds the lead: an agent slot or a rep.
    fn release_holder(&mut self, lead: usize) {
        let holder = std::mem::replace(&mut self.leads.at(lead).holder, Holder::Nobody);
        match holder {
            Holder::Nobody => {}
            Holder::Agent { since } => self.release_agent(since),
            Holder::Rep(rep) => self.release_rep(rep),
        }
    }

    /// The stage's work is done and its holder released: move on.
    fn complete_stage(&mut self, lead: usize, stage: Stage) {
        match stage {
            Stage::Lookup => self.request_stage(lead, Stage::Enrichment),
            Stage::Enrichment => self.request_stage(lead, Stage::Scoring),
            Stage::Scoring => {
                let sd = match self.sc.scoring.lane {
                    Lane::Agent => self.sc.scoring.noise_sd,
                    Lane::Human => self.sc.scoring.manual_noise_sd,
                };
                let l = self.leads.at(lead);
                let z: f64 = l.streams.scoring.sample(StandardNormal);
                l.score = (l.fit + sd * z).clamp(0.0, 1.0);
                self.gate(lead);
            }
            Stage::Drafting => self.after_draft(lead),
        }
    }

    // ----- the gate -------------------------------------------------------

    /// Routes a scored lead: nurture below the threshold, otherwise drafting.
    /// Only a lead's first decision counts in the routing metrics.
    fn gate(&mut self, lead: usize) {
        let now = self.now();
        let sc = self.sc;
        let gate = &sc.gate;
        let l = self.leads.at(lead);
        let first = !l.routed;
        l.routed = true;
        let (score, fit, in_window) = (l.score, l.fit, l.in_window);
        if score < gate.nurture_below {
            if first {
                self.counters.week(now).leads_to_nurture += 1;
                if in_window {
                    self.counters.leads_to_nurture += 1;
                    if fit >= gate.good_fit_at {
                        self.counters.good_fit_to_nurture += 1;
                    }
                }
            }
            self.enter_nurture(lead);
        } else {
            if first {
                self.counters.week(now).leads_to_outreach += 1;
                if in_window {
                    self.counters.leads_to_outreach += 1;
                }
            }
            let l = self.leads.at(lead);
            l.edited = false;
            l.autonomous = false;
            self.request_stage(lead, Stage::Drafting);
        }
    }

    /// A draft is ready: straight to the email system (human draft or
    /// autonomous send) or into the review queue.
    fn after_draft(&mut self, lead: usize) {
        let score = self.leads.at(lead).score;
        if self.sc.drafting.lane == Lane::Human {
            self.enqueue_send(lead, false);
        } else if self
            .sc
            .gate
            .autosend_at_or_above
            .is_some_and(|threshold| score >= threshold)
        {
            self.enqueue_send(lead, true);
        } else {
            self.enqueue_review(lead);
        }
    }

    // ----- nurture --------------------------------------------------------

    /// Starts a fresh nurture sequence (dormant at once with no touches).
    fn enter_nurture(&mut self, lead: usize) {
        if self.sc.nurture.touches == 0 {
            self.finish_lead(lead, Fate::Dormant);
            return;
        }
        self.leads.at(lead).touches = 0;
        self.engine
            .schedule_after(self.sc.nurture.interval, Event::NurtureTouch { lead });
    }

    /// A touch: the lead may engage and re-enter the gate; after the last
    /// touch without re-entry it is dormant.
    fn nurture_touch(&mut self, lead: usize) {
        let now = self.now();
        let sc = self.sc;
        let nurture = &sc.nurture;
        if self.in_window(now) {
            self.counters.nurture_touches += 1;
        }
        let l = self.leads.at(lead);
        l.touches += 1;
        let engaged = l.streams.nurture.random::<f64>() < nurture.engage_rate.at(l.fit);
        if engaged && l.reentries < nurture.max_reentries {
            l.reentries += 1;
            l.score = (l.score + nurture.rescore_boost).min(1.0);
            if l.in_window {
                self.counters.nurture_reengaged += 1;
            }
            self.gate(lead);
        } else if l.touches >= nurture.touches {
            self.finish_lead(lead, Fate::Dormant);
        } else {
            self.engine
                .schedule_after(nurture.interval, Event::NurtureTouch { lead });
        }
    }

    // ----- end states -----------------------------------------------------

    /// Removes a lead that reached a final state and counts it.
    fn finish_lead(&mut self, lead: usize, fate: Fate) -> Lead {
        let l = self.leads.remove(lead);
        self.fates_all[fate as usize] += 1;
        if l.in_window {
            self.fates_window[fate as usize] += 1;
            match fate {
                Fate::Unreachable => self.counters.leads_unreachable += 1,
                Fate::Dormant => self.counters.leads_dormant += 1,
                Fate::Sent | Fate::Discarded | Fate::Dropped => {}
            }
        }
        l
    }

    /// Closes the books at the horizon: busy time of work in progress, the
    /// queue average, leads in progress, and the conservation of leads.
    fn finish(mut self) -> Result<ReplicationResult> {
        let sc = self.sc;
        self.account_queue(self.horizon);
        for rep in 0..self.reps.running.len() {
            if let Some(running) = self.reps.running[rep] {
                let busy = self.busy_in_window(&sc.reps.calendar, running.start, self.horizon);
                running.class.add_to(&mut self.counters, busy);
            }
        }
        let mut in_progress_all = 0;
        for l in self.leads.iter() {
            if let Holder::Agent { since } = l.holder {
                self.counters.agent_busy_seconds +=
                    self.busy_in_window(&sc.agents.calendar, since, self.horizon);
            }
            in_progress_all += 1;
            if l.in_window {
                self.counters.leads_in_progress_end += 1;
            }
        }
        self.check_conservation(in_progress_all)?;
        let c = &self.counters;
        if c.drafts_reviewed != c.drafts_approved + c.drafts_discarded {
            return Err(self.invariant(format!(
                "{} drafts reviewed but {} approved and {} discarded",
                c.drafts_reviewed, c.drafts_approved, c.drafts_discarded
            )));
        }
        let capacity = Capacity {
            window_seconds: self.horizon - self.warmup,
            reps: sc.reps.count,
            rep_working_seconds: sc.reps.calendar.working_between(self.warmup, self.horizon),
            agents: sc.agents.concurrency,
            agent_working_seconds: sc
                .agents
                .calendar
                .working_between(self.warmup, self.horizon),
            hourly_cost: sc.reps.hourly_cost,
        };
        Ok(ReplicationResult {
            replication: self.replication,
            metrics: self.counters.finish(&capacity),
            weekly: self.counters.weekly,
            events: self.engine.processed(),
        })
    }

    /// Every arrived lead is in exactly one final state or still in flight,
    /// over all leads and over those arriving in W.
    fn check_conservation(&self, in_progress_all: u64) -> Result<()> {
        let names = ["unreachable", "dormant", "sent", "discarded", "dropped"];
        for (label, arrived, fates, in_progress) in [
            ("all", self.arrived_all, &self.fates_all, in_progress_all),
            (
                "measured-window",
                self.counters.leads_arrived,
                &self.fates_window,
                self.counters.leads_in_progress_end,
            ),
        ] {
            let ended: u64 = fates.iter().sum();
            if arrived != ended + in_progress {
                let detail: Vec<String> = names
                    .iter()
                    .zip(fates.iter())
                    .map(|(n, v)| format!("{n} {v}"))
                    .collect();
                return Err(self.invariant(format!(
                    "conservation of leads broken ({label}): {arrived} arrived, but {} and {in_progress} in progress",
                    detail.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn invariant(&self, message: String) -> Error {
        Error::Invariant {
            replication: self.replication,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_embedded;

    #[test]
    fn too_many_events_at_one_instant_stop_the_run_with_kind_and_time() {
        let mut sc = load_embedded(&[]).unwrap().scenario;
        // 500 leads at Monday 08:00 of week 1 and an instantaneous lookup:
        // hundreds of lookups end at that instant, and a bound of 100
        // events at one instant stops the run.
        sc.lookup.agent = crate::dist::Dist::constant(0.0).unwrap();
        sc.arrivals = Arrivals::Batch {
            size: 500,
            every: WEEK,
            at: 8.0 * 3600.0,
        };
        let mut p = Pipeline::new(&sc, 3);
        p.engine = Engine::with_limits(Limits {
            same_instant: 100,
            events: u64::MAX,
        });
        let err = p.run().unwrap_err();
        assert_eq!(err.exit_code(), 1);
        let message = err.to_string();
        assert!(message.contains("replication 3"), "{message}");
        assert!(message.contains("week 1 mon 08:00:00.000"), "{message}");
        assert!(
            message.contains("more than 100 events at one instant"),
            "{message}"
        );
        assert!(
            message.contains("(last event: "),
            "names the event kind: {message}"
        );
    }

    #[test]
    fn a_run_far_beyond_its_expected_scale_is_stopped() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 0);
        p.engine = Engine::with_limits(Limits {
            same_instant: SAME_INSTANT_LIMIT,
            events: 1000,
        });
        let err = p.run().unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("more than 1000 events"), "{err}");
    }

    #[test]
    fn the_event_budget_is_an_upper_estimate_for_every_shipped_scenario() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for file in crate::library::scenario_files(&dir).unwrap() {
            let sc = crate::scenario::load_file(&file, &[]).unwrap().scenario;
            let budget = watchdog_limits(&sc).events as f64 / EVENT_BUDGET_FACTOR;
            let result = run_replication(&sc, 0).unwrap();
            assert!(
                (result.events as f64) < budget,
                "{}: {} events, estimate {budget}",
                file.display(),
                result.events
            );
        }
    }

    #[test]
    fn a_lost_lead_breaks_conservation_and_is_reported() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 0);
        p.run().unwrap();
        // Pretend one lead vanished without reaching a final state.
        p.arrived_all += 1;
        let err = p.finish().unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("conservation"), "{err}");
    }

    #[test]
    fn a_lead_counted_twice_breaks_conservation() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 1);
        p.run().unwrap();
        p.fates_window[Fate::Sent as usize] += 1;
        p.fates_all[Fate::Sent as usize] += 1;
        assert!(p.finish().is_err());
    }

    #[test]
    fn every_lead_is_accounted_for_at_the_horizon() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 2);
        p.run().unwrap();
        let ended: u64 = p.fates_all.iter().sum();
        assert_eq!(p.arrived_all, ended + p.leads.iter().count() as u64);
        assert!(p.finish().is_ok());
    }
}
