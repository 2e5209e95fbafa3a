//! The sales pipeline on the engine: arrivals, the agent lane, the gate, the
//! rep's review, the email system and nurture, for one replication.
//!
//! Flow of a lead (docs/MODEL.md sections 1, 3 and 10): lookup -> enrichment
//! (provider waterfall) -> scoring -> gate. Below `gate.nurture_below` the
//! lead enters nurture; otherwise it is drafted, then sent autonomously (score
//! at or above `gate.autosend_at_or_above`), sent directly (human draft), or
//! queued for a rep's review. Every lead ends in one [`Fate`] or is still in
//! flight at the horizon, and that conservation is checked at the end.

mod agents;
mod availability;
mod counterfactual;
mod email;
mod gate;
mod happening;
mod lead;
mod nurture;
mod providers;
mod reps;

pub(crate) use happening::conservation;
pub use happening::{
    Answer, BusyClass, Fate, Happening, LeadRef, Recorder, Resource, Route, Stage, Verdict,
};
pub use lead::LeadStreams;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::calendar::describe_time;
use crate::dist::Dist;
use crate::engine::{Bound, Engine, Limits, Runaway, SAME_INSTANT_LIMIT};
use crate::error::{Error, Result};
use crate::rng::{Purpose, ReplicationKey, Stream};
use crate::scenario::{Arrivals, Lane, Scenario};
use crate::units::DAY;

use agents::AgentPool;
use email::SendQueue;
use lead::{Holder, Lead, Leads, ReviewKey};
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
    /// The rep calendar opens, or a rep's other work ends.
    RepWake,
    /// A draft's review deadline.
    Expire { lead: usize, key: ReviewKey },
    /// The email system may send again (calendar open or a new day).
    EmailWake,
    /// The reply in this slot of the email system arrives.
    Reply { slot: u32 },
    /// The next follow-up of the sequence in this slot is due.
    FollowUpDue { seq: u32 },
    /// Touch number `touch` of a nurture sequence for the lead in `slot`,
    /// which re-enters the gate at touch `reentry_at` (0: not in this
    /// sequence). The sequence was decided on entry (see
    /// `pipeline/nurture.rs`), so a touch that changes nothing never reads
    /// the lead's record. (Fields of the variant rather than a struct, so
    /// that the tag fits beside the three counters and an event stays 32
    /// bytes.)
    NurtureTouch {
        lead: LeadRef,
        slot: u32,
        touch: u32,
        reentry_at: u32,
    },
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
            Event::FollowUpDue { .. } => "follow-up due",
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

/// Engine lanes for events that usually come in time order (a hint: the
/// engine keeps the exact order either way; see `engine.rs`).
mod lanes {
    use crate::engine::Lane;

    /// Nurture touches: every `nurture.interval`.
    pub const NURTURE: Lane = Lane(1);
    /// Review deadlines: `review.expire_after` after queueing.
    pub const EXPIRY: Lane = Lane(2);
    /// The next arrival.
    pub const ARRIVAL: Lane = Lane(3);
    /// Agent stages, one lane each (constant durations come in order).
    pub fn agent(stage: super::Stage) -> Lane {
        Lane(4 + stage as usize)
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

/// What one simulated replication leaves: its recorder and the number of
/// events the engine handled.
#[derive(Debug)]
pub struct Simulated<R> {
    /// The recorder, having seen every happening up to the horizon.
    pub recorder: R,
    /// Events processed (for throughput benchmarks).
    pub events: u64,
}

/// Simulates replication `replication` of `sc`, telling `recorder` every
/// happening, then closes the books at the horizon and checks the
/// conservation of all leads. The model never reads its recorder, so the
/// run does not depend on who records it.
pub fn simulate<R: Recorder>(sc: &Scenario, replication: u32, recorder: R) -> Result<Simulated<R>> {
    simulate_within(sc, replication, recorder, u64::MAX)
}

/// [`simulate`], stopped with a budget error (exit 2) as soon as more than
/// `max_leads` leads are in flight at once: the memory budget's share of
/// one replication (`experiment/budget.rs`), so a pipeline that cannot keep
/// up with its arrivals never exhausts memory.
pub fn simulate_within<R: Recorder>(
    sc: &Scenario,
    replication: u32,
    recorder: R,
    max_leads: u64,
) -> Result<Simulated<R>> {
    let mut p = Pipeline::new(sc, replication, recorder);
    p.max_leads = max_leads;
    p.run()?;
    let events = p.engine.processed();
    let recorder = p.finish()?;
    Ok(Simulated { recorder, events })
}

/// A prep stage's lane and its agent and manual durations in `sc`.
pub fn stage_spec(sc: &Scenario, stage: Stage) -> (Lane, &Dist, &Dist) {
    match stage {
        Stage::Lookup => (sc.lookup.lane, &sc.lookup.agent, &sc.lookup.manual),
        Stage::Enrichment => (
            sc.enrichment.lane,
            &sc.enrichment.agent,
            &sc.enrichment.manual,
        ),
        Stage::Scoring => (sc.scoring.lane, &sc.scoring.agent, &sc.scoring.manual),
        Stage::Drafting => (sc.drafting.lane, &sc.drafting.agent, &sc.drafting.manual),
    }
}

/// The size of the model's event record in the queue: the floor benchmark
/// queues records of this size.
pub const EVENT_BYTES: usize = std::mem::size_of::<Event>();

/// How one replication used the event queue (for the floor benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueProfile {
    /// Events scheduled.
    pub scheduled: u64,
    /// Of those, events that went through the heap rather than a lane.
    pub through_heap: u64,
    /// Events handled.
    pub processed: u64,
}

/// Runs replication `replication` of `sc`, telling `recorder` what
/// happens, and tells how it used the event queue. (The model never reads
/// its recorder, so the run is the one [`simulate`] makes.)
pub fn queue_profile<R: Recorder>(
    sc: &Scenario,
    replication: u32,
    recorder: R,
) -> Result<QueueProfile> {
    let mut p = Pipeline::new(sc, replication, recorder);
    p.run()?;
    Ok(QueueProfile {
        scheduled: p.engine.scheduled(),
        through_heap: p.engine.through_heap(),
        processed: p.engine.processed(),
    })
}

/// The state of one replication, telling what happens to `recorder`.
struct Pipeline<'a, R: Recorder> {
    sc: &'a Scenario,
    replication: u32,
    horizon: f64,
    engine: Engine<Event>,
    leads: Leads,
    next_key: u64,
    /// The key of this replication's random streams.
    keys: ReplicationKey,
    arrivals: Stream,
    /// Working-time position of the last Poisson arrival.
    arrival_position: f64,
    reps: RepPool,
    agents: AgentPool,
    buckets: Vec<TokenBucket>,
    email: SendQueue,
    recorder: R,
    /// Final states of every lead.
    fates_all: [u64; Fate::ALL.len()],
    arrived_all: u64,
    /// The most leads in flight the memory budget allows.
    max_leads: u64,
    /// An arrival found the pipeline holding `max_leads` leads.
    over_budget: bool,
}

impl<'a, R: Recorder> Pipeline<'a, R> {
    fn new(sc: &'a Scenario, replication: u32, recorder: R) -> Self {
        Pipeline {
            sc,
            replication,
            horizon: sc.run.horizon,
            engine: Engine::with_limits(watchdog_limits(sc)),
            leads: Leads::default(),
            next_key: 0,
            keys: ReplicationKey::new(sc.run.seed, replication),
            arrivals: ReplicationKey::new(sc.run.seed, replication)
                .key(0)
                .stream(Purpose::Arrivals),
            arrival_position: 0.0,
            reps: RepPool::new(sc, ReplicationKey::new(sc.run.seed, replication)),
            agents: AgentPool::new(sc.agents.concurrency),
            buckets: sc
                .enrichment
                .providers
                .iter()
                .map(|p| TokenBucket::new(p.rate_limit_per_min))
                .collect(),
            email: SendQueue::new(sc.email.mailboxes, sc.email.daily_cap_per_mailbox),
            recorder,
            fates_all: [0; Fate::ALL.len()],
            arrived_all: 0,
            max_leads: u64::MAX,
            over_budget: false,
        }
    }

    fn now(&self) -> f64 {
        self.engine.now()
    }

    /// Tells the recorder what happens now.
    #[inline(always)]
    fn tell(&mut self, happening: Happening) {
        self.recorder.record(self.engine.now(), happening);
    }

    /// The recorders' view of the lead in `slot`.
    fn lead_ref(&mut self, slot: usize) -> LeadRef {
        self.leads.at(slot).lead_ref()
    }

    /// Handles events until the horizon, or until the watchdog stops a run
    /// that has gone out of bounds.
    fn run(&mut self) -> Result<()> {
        self.schedule_first_arrival();
        loop {
            match self.engine.next_before(self.horizon) {
                Ok(Some((_, event))) => {
                    self.handle(event);
                    if self.over_budget {
                        return Err(self.over_budget_error());
                    }
                }
                Ok(None) => return Ok(()),
                Err(runaway) => return Err(self.runaway(runaway)),
            }
        }
    }

    /// Leads in flight, with the follow-up sequences and replies of leads
    /// already sent (what the memory guard counts).
    fn in_flight(&self) -> u64 {
        (self.leads.in_flight() + self.email.in_flight()) as u64
    }

    /// The error for a run that would hold more leads than its memory
    /// budget allows.
    fn over_budget_error(&self) -> Error {
        Error::Budget(format!(
            "arrivals: replication {} held {} leads at once at {}, the most the memory \
             budget allows one replication (about 640 bytes a lead): the pipeline cannot keep \
             up with its arrivals; lower the volume (arrivals.per_week or arrivals.size), \
             shorten run.horizon, add capacity, or raise --max-memory",
            self.replication,
            self.in_flight(),
            describe_time(self.now())
        ))
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
            Event::RepWake => self.reps_woken(),
            Event::Expire { lead, key } => self.expire(lead, key),
            Event::EmailWake => {
                self.email.wake_pending = false;
                self.dispatch_email();
            }
            Event::Reply { slot } => self.reply(slot as usize),
            Event::FollowUpDue { seq } => self.follow_up_due(seq as usize),
            Event::NurtureTouch {
                lead,
                slot,
                touch,
                reentry_at,
            } => self.nurture_touch(lead, slot, touch, reentry_at),
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
                self.engine
                    .schedule_at_in(lanes::ARRIVAL, t, Event::Arrival);
            }
        }
    }

    fn arrival(&mut self) {
        match &self.sc.arrivals {
            Arrivals::Poisson { .. } => {
                if self.in_flight() >= self.max_leads {
                    self.over_budget = true;
                    return;
                }
                self.new_lead();
                self.schedule_next_poisson();
            }
            Arrivals::Batch { size, every, .. } => {
                for _ in 0..*size {
                    if self.in_flight() >= self.max_leads {
                        self.over_budget = true;
                        return;
                    }
                    self.new_lead();
                }
                let next = self.now() + every;
                if next < self.horizon {
                    self.engine
                        .schedule_at_in(lanes::ARRIVAL, next, Event::Arrival);
                }
            }
        }
    }

    fn new_lead(&mut self) {
        let (sc, now) = (self.sc, self.now());
        let key = self.next_key;
        self.next_key += 1;
        let streams = self.keys.key(key);
        let mut attributes = streams.stream(Purpose::Attributes);
        let segment = sc.segment_at(attributes.random());
        let fit = sc.segments[segment]
            .fit
            .sample(&mut attributes)
            .clamp(0.0, 1.0);
        let mut cf = streams.stream(Purpose::Counterfactual);
        let manual = counterfactual::manual_prep_seconds(sc, fit, &mut cf);
        self.arrived_all += 1;
        let lead = LeadRef { key, arrived: now };
        self.tell(Happening::Arrival {
            lead,
            segment: segment as u32,
            fit,
            manual_prep: manual,
        });
        let slot = self
            .leads
            .insert(Lead::new(lead, fit, LeadStreams::new(streams)));
        self.request_stage(slot, Stage::Lookup);
    }

    // ----- stages ---------------------------------------------------------

    /// Queues the lead for `stage` in its lane.
    fn request_stage(&mut self, lead: usize, stage: Stage) {
        match stage_spec(self.sc, stage).0 {
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

    /// The stage's work is over: tells the recorder, and releases whoever
    /// holds the lead (an agent slot or a rep).
    fn end_stage(&mut self, lead: usize, stage: Stage) {
        let holder = std::mem::replace(&mut self.leads.at(lead).holder, Holder::Nobody);
        let resource = match holder {
            Holder::Nobody => return,
            Holder::Agent { slot, .. } => Resource::Agent(slot),
            Holder::Rep(rep) => Resource::Rep(rep as u32),
        };
        let lead_ref = self.lead_ref(lead);
        self.tell(Happening::StageEnd {
            lead: lead_ref,
            stage,
            resource,
        });
        match holder {
            Holder::Nobody => {}
            Holder::Agent { slot, since } => self.release_agent(slot, since),
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

    // ----- end states -----------------------------------------------------

    /// Removes a lead that reached a final state and tells the recorder.
    fn finish_lead(&mut self, lead: usize, fate: Fate) -> Lead {
        let l = self.leads.remove(lead);
        self.fates_all[fate as usize] += 1;
        self.tell(Happening::Fate {
            lead: l.lead_ref(),
            fate,
        });
        l
    }

    /// Closes the books at the horizon: the busy time of work in progress
    /// and the leads still in flight go to the recorder, and conservation of
    /// all leads is checked. Returns the recorder.
    fn finish(mut self) -> Result<R> {
        let horizon = self.horizon;
        for rep in 0..self.reps.running.len() {
            if let Some(running) = self.reps.running[rep] {
                self.tell_busy(rep, running.class, running.start, horizon);
            }
        }
        // Every rep's other work up to the horizon, for its hours.
        if let Some(ow) = &self.sc.reps.other_work {
            let w = self.sc.reps.calendar.working_before(horizon);
            for rep in 0..self.reps.timelines.len() {
                self.reps.timelines[rep].draw_to(w, &ow.block);
                self.tell_other_work(rep);
            }
        }
        let mut in_progress_all = 0;
        for l in self.leads.iter() {
            if let Holder::Agent { slot, since } = l.holder {
                self.recorder.record(
                    horizon,
                    Happening::Busy {
                        resource: Resource::Agent(slot),
                        class: BusyClass::Agent,
                        start: since,
                        end: horizon,
                    },
                );
            }
            in_progress_all += 1;
            self.recorder
                .record(horizon, Happening::InProgress { lead: l.lead_ref() });
        }
        self.check_conservation(in_progress_all)?;
        Ok(self.recorder)
    }

    /// Every arrived lead is in exactly one final state or still in flight.
    /// (The metrics recorder checks the same over the leads arriving in W.)
    fn check_conservation(&self, in_progress: u64) -> Result<()> {
        match happening::conservation("all", self.arrived_all, &self.fates_all, in_progress) {
            Some(message) => Err(self.invariant(message)),
            None => Ok(()),
        }
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
    use crate::units::WEEK;

    /// Every queue operation moves event records: a variant that grows the
    /// record slows every event (40 bytes cost the queue about 5%).
    #[test]
    fn an_event_record_stays_32_bytes() {
        assert_eq!(EVENT_BYTES, 32);
    }

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
        let mut p = Pipeline::new(&sc, 3, ());
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
        let mut p = Pipeline::new(&sc, 0, ());
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
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        assert!(files.len() >= 6, "{files:?}");
        for file in files {
            let sc = crate::scenario::load_file(&file, &[]).unwrap().scenario;
            let budget = watchdog_limits(&sc).events as f64 / EVENT_BUDGET_FACTOR;
            let events = simulate(&sc, 0, ()).unwrap().events;
            assert!(
                (events as f64) < budget,
                "{}: {events} events, estimate {budget}",
                file.display(),
            );
        }
    }

    #[test]
    fn a_lost_lead_breaks_conservation_and_is_reported() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 0, ());
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
        let mut p = Pipeline::new(&sc, 1, ());
        p.run().unwrap();
        p.fates_all[Fate::Sent as usize] += 1;
        assert!(p.finish().is_err());
    }

    #[test]
    fn every_lead_is_accounted_for_at_the_horizon() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let mut p = Pipeline::new(&sc, 2, ());
        p.run().unwrap();
        let ended: u64 = p.fates_all.iter().sum();
        assert!(p.leads.iter().count() > 0, "some leads are in flight");
        assert_eq!(p.arrived_all, ended + p.leads.iter().count() as u64);
        assert!(p.finish().is_ok());
    }
    /// Nurture sequences are decided on entry (`pipeline/nurture.rs`); this
    /// pins what the touches then tell: with certain engagement and one
    /// re-entry allowed, every lead's first touch re-enters the gate, up to
    /// the last interval before the horizon, and no lead re-enters twice;
    /// with no engagement, every sequence runs its touches and ends dormant.
    #[test]
    fn nurture_touches_tell_the_sequence_decided_on_entry() {
        #[derive(Default)]
        struct Touches {
            reentered: std::collections::HashSet<u64>,
            first_touches: u64,
            late_reentries: u64,
            last_touches: u64,
            dormant: u64,
            horizon: f64,
            certain: bool,
        }
        impl Recorder for Touches {
            fn record(&mut self, now: f64, happening: Happening) {
                match happening {
                    Happening::NurtureTouch {
                        lead,
                        touch,
                        reentry,
                    } => {
                        let first_sequence = !self.reentered.contains(&lead.key);
                        if touch == 1 && first_sequence {
                            self.first_touches += 1;
                            assert_eq!(reentry, self.certain, "first touch at {now}");
                        }
                        if reentry {
                            assert!(first_sequence, "lead {} re-entered twice", lead.key);
                            self.reentered.insert(lead.key);
                            if now > self.horizon - 2.0 * 86_400.0 {
                                self.late_reentries += 1;
                            }
                        }
                        if touch == 3 {
                            self.last_touches += 1;
                        }
                    }
                    Happening::Fate {
                        fate: Fate::Dormant,
                        ..
                    } => self.dormant += 1,
                    _ => {}
                }
            }
        }
        let mut sc = load_embedded(&[]).unwrap().scenario;
        sc.nurture.touches = 3;
        sc.nurture.interval = 2.0 * 86_400.0;
        sc.nurture.max_reentries = 1;
        for rate in [1.0, 0.0] {
            sc.nurture.engage_rate.at_fit_0 = rate;
            sc.nurture.engage_rate.at_fit_1 = rate;
            let mut touches = Touches {
                horizon: sc.run.horizon,
                certain: rate == 1.0,
                ..Touches::default()
            };
            simulate(&sc, 0, &mut touches).unwrap();
            if rate == 1.0 {
                assert!(touches.first_touches > 5_000, "{}", touches.first_touches);
                assert_eq!(touches.reentered.len() as u64, touches.first_touches);
                assert!(
                    touches.late_reentries > 0,
                    "no re-entry in the last interval"
                );
            } else {
                assert!(touches.reentered.is_empty());
                assert!(touches.last_touches > 5_000, "{}", touches.last_touches);
                assert_eq!(touches.dormant, touches.last_touches);
            }
        }
    }
}
