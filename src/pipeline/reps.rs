//! The rep pool: conversations, then reviews, then human prep stages, each a
//! task in working time on the rep calendar; the review queue with its order
//! and expiry.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rand::Rng;
use rand_distr::StandardNormal;

use super::availability::OtherWorkTimeline;
use super::happening::{BusyClass, Fate, Happening, LeadRef, Recorder, Resource, Stage, Verdict};
use super::lead::{Holder, ReviewKey};
use super::{lanes, stage_spec, Event, Pipeline};
use crate::rng::{Purpose, ReplicationKey};
use crate::scenario::{OnExpire, ReviewOrder, Scenario};

/// A task a rep works on.
#[derive(Debug, Clone, Copy)]
pub enum RepTask {
    /// A conversation after a positive reply.
    /// (The lead who replied is in the rep's [`Running`], which keeps the
    /// engine's events small.)
    Conversation {
        /// Whether it books a meeting.
        meeting: bool,
    },
    /// Reviewing the draft of the lead in this slot.
    Review { lead: usize },
    /// Editing the draft after the review.
    Edit { lead: usize },
    /// A prep stage in the human lane.
    Prep { lead: usize, stage: Stage },
}

/// A rep's current stretch of work, for busy-time accounting.
#[derive(Debug, Clone, Copy)]
pub struct Running {
    /// When the rep took the work.
    pub start: f64,
    /// What it counts as.
    pub class: BusyClass,
}

/// The reps and their queues.
#[derive(Debug)]
pub struct RepPool {
    /// Idle reps, by index: the lowest available one takes the next task.
    pub idle: BTreeSet<usize>,
    /// Each rep's other work, when the scenario has some.
    pub timelines: Vec<OtherWorkTimeline>,
    /// Work of each rep, `None` when idle.
    pub running: Vec<Option<Running>>,
    /// The lead each rep is in conversation with, if any.
    pub talking_to: Vec<Option<LeadRef>>,
    /// Conversations waiting: (the lead, duration, books a meeting).
    pub conversations: VecDeque<(LeadRef, f64, bool)>,
    /// Drafts waiting for review, in service order.
    pub reviews: BTreeMap<ReviewKey, usize>,
    /// Human prep stages waiting, first come first served.
    pub prep: VecDeque<(usize, Stage)>,
    /// Sequence number of the next queued review.
    pub next_review_seq: u64,
    /// The earliest rep wake-up scheduled (infinity: none).
    pub wake_at: f64,
}

impl RepPool {
    /// The idle reps of `sc`, each with its other work drawn from its own
    /// stream of replication `keys`.
    pub fn new(sc: &Scenario, keys: ReplicationKey) -> Self {
        let count = sc.reps.count as usize;
        let timelines = match &sc.reps.other_work {
            None => Vec::new(),
            Some(ow) => (0..count)
                .map(|rep| {
                    let stream = keys.key(rep as u64).stream(Purpose::OtherWork);
                    OtherWorkTimeline::new(stream, ow.mean_available())
                })
                .collect(),
        };
        RepPool {
            idle: (0..count).collect(),
            timelines,
            running: vec![None; count],
            talking_to: vec![None; count],
            conversations: VecDeque::new(),
            reviews: BTreeMap::new(),
            prep: VecDeque::new(),
            next_review_seq: 0,
            wake_at: f64::INFINITY,
        }
    }

    fn has_work(&self) -> bool {
        !self.conversations.is_empty() || !self.reviews.is_empty() || !self.prep.is_empty()
    }
}

/// The first part of a review's queue key: served in ascending order, ties
/// by the sequence number (the order the drafts were queued).
fn review_order(order: ReviewOrder, score: f64) -> u64 {
    match order {
        ReviewOrder::Fifo => 0,
        // Scores lie on [0, 1], where the bit patterns of non-negative floats
        // sort like the numbers; adding 0.0 turns -0.0 into 0.0, so that a
        // score of -0.0 sorts as 0 and not above every positive score.
        ReviewOrder::HighestScore => u64::MAX - (score + 0.0).to_bits(),
    }
}

/// The first working instant at which at least `u` working seconds of `cal`
/// have passed: a rep whose other work ends at `u` is available then. The
/// clock time is nudged up by the last bits rounding may have lost, so that
/// a wake-up never finds the rep still, by a rounding error, in other work.
fn clock_at_least(cal: &crate::calendar::Calendar, u: f64) -> f64 {
    if !u.is_finite() {
        return f64::INFINITY;
    }
    let mut t = cal.next_working(cal.at_working(u));
    // Each step adds one unit in the last place; a handful is the most
    // rounding takes, and 1,000 is a bound, never a loop.
    for _ in 0..1000 {
        if cal.working_before(t) >= u {
            break;
        }
        t = cal.next_working(t.next_up());
    }
    t
}

impl<R: Recorder> Pipeline<'_, R> {
    /// Schedules a rep wake-up at `t`, unless one is due by then.
    fn wake_reps_at(&mut self, t: f64) {
        if t.is_finite() && t < self.reps.wake_at {
            self.reps.wake_at = t;
            self.engine.schedule_at(t, Event::RepWake);
        }
    }

    /// A rep wake-up is handled now.
    pub(super) fn reps_woken(&mut self) {
        if self.now() >= self.reps.wake_at {
            self.reps.wake_at = f64::INFINITY;
        }
        self.dispatch_reps();
    }

    /// Tells the recorders the other-work periods of `rep` drawn since the
    /// last call (working coordinates turned into clock times).
    pub(super) fn tell_other_work(&mut self, rep: usize) {
        let fresh = self.reps.timelines[rep].take_fresh();
        let sc = self.sc;
        let cal = &sc.reps.calendar;
        for (s, e) in fresh {
            let (start, end) = (cal.at_working(s), cal.at_working(e));
            self.tell(Happening::OtherWork {
                rep: Resource::Rep(rep as u32),
                start,
                end,
            });
        }
    }

    /// The idle rep after `after` in index order (the first when `None`).
    fn next_idle(&self, after: Option<usize>) -> Option<usize> {
        match after {
            None => self.reps.idle.first().copied(),
            Some(rep) => self.reps.idle.range(rep + 1..).next().copied(),
        }
    }

    /// The lowest idle rep available now (`w`: now in working coordinates),
    /// taken out of the idle set; the other work drawn on the way is told.
    fn take_available_rep(&mut self, w: f64) -> Option<usize> {
        let sc = self.sc;
        let Some(ow) = &sc.reps.other_work else {
            return self.reps.idle.pop_first();
        };
        let mut next = self.next_idle(None);
        while let Some(rep) = next {
            let available = self.reps.timelines[rep].is_available(w, &ow.block);
            self.tell_other_work(rep);
            if available {
                self.reps.idle.remove(&rep);
                return Some(rep);
            }
            next = self.next_idle(Some(rep));
        }
        None
    }

    /// When the first idle rep becomes available again (all idle reps are in
    /// other work at `w`).
    fn next_rep_available(&mut self, w: f64) -> f64 {
        let sc = self.sc;
        let Some(ow) = &sc.reps.other_work else {
            return f64::INFINITY;
        };
        let mut earliest = f64::INFINITY;
        let mut next = self.next_idle(None);
        while let Some(rep) = next {
            earliest = earliest.min(self.reps.timelines[rep].next_available(w, &ow.block));
            self.tell_other_work(rep);
            next = self.next_idle(Some(rep));
        }
        clock_at_least(&sc.reps.calendar, earliest)
    }

    /// When a task of `duration` working time that `rep` starts now ends:
    /// it pauses at closing time and across the rep's other work.
    pub(super) fn rep_task_end(&mut self, rep: usize, duration: f64) -> f64 {
        let now = self.now();
        let sc = self.sc;
        let cal = &sc.reps.calendar;
        let Some(ow) = &sc.reps.other_work else {
            return cal.add_working(now, duration);
        };
        if duration <= 0.0 {
            return now;
        }
        let w = cal.working_before(now);
        let t = &mut self.reps.timelines[rep];
        t.forget_before(w);
        let end = t.advance(w, duration, &ow.block);
        self.tell_other_work(rep);
        cal.at_working(end).max(now)
    }

    /// Gives waiting work to idle reps, by priority, when the calendar is
    /// open and a rep is available (the lowest-numbered first); otherwise
    /// makes sure the reps wake at the next opening or the end of the first
    /// other-work period.
    pub(super) fn dispatch_reps(&mut self) {
        if self.reps.idle.is_empty() || !self.reps.has_work() {
            return;
        }
        let now = self.now();
        let sc = self.sc;
        let cal = &sc.reps.calendar;
        if !cal.is_working(now) {
            self.wake_reps_at(cal.next_working(now));
            return;
        }
        let w = match sc.reps.other_work {
            Some(_) => cal.working_before(now),
            None => 0.0,
        };
        while self.reps.has_work() && !self.reps.idle.is_empty() {
            let Some(rep) = self.take_available_rep(w) else {
                let t = self.next_rep_available(w);
                self.wake_reps_at(t);
                break;
            };
            if let Some((lead, duration, meeting)) = self.reps.conversations.pop_front() {
                self.tell(Happening::ConversationStart {
                    lead,
                    rep: Resource::Rep(rep as u32),
                });
                self.reps.talking_to[rep] = Some(lead);
                self.start_rep_task(rep, RepTask::Conversation { meeting }, duration);
            } else if let Some((&key, &lead)) = self.reps.reviews.first_key_value() {
                self.reps.reviews.remove(&key);
                self.start_review(rep, lead);
            } else if let Some((lead, stage)) = self.reps.prep.pop_front() {
                let (_, _, dist) = stage_spec(self.sc, stage);
                let l = self.leads.at(lead);
                l.holder = Holder::Rep(rep);
                let duration = dist.sample(&mut l.streams.durations);
                let lead_ref = l.lead_ref();
                self.tell(Happening::StageStart {
                    lead: lead_ref,
                    stage,
                    resource: Resource::Rep(rep as u32),
                    cost: 0.0,
                });
                self.start_rep_task(rep, RepTask::Prep { lead, stage }, duration);
            }
        }
    }

    /// Starts a task of working `duration` for an idle rep.
    fn start_rep_task(&mut self, rep: usize, task: RepTask, duration: f64) {
        let now = self.now();
        let class = match task {
            RepTask::Conversation { .. } => BusyClass::Conversation,
            _ => BusyClass::Prep,
        };
        self.reps.running[rep] = Some(Running { start: now, class });
        let end = self.rep_task_end(rep, duration);
        self.engine.schedule_at(end, Event::RepDone { rep, task });
    }

    fn start_review(&mut self, rep: usize, lead: usize) {
        let l = self.leads.at(lead);
        l.review_key = None;
        let duration = self.sc.review.duration.sample(&mut l.streams.review);
        let (lead_ref, queued_at) = (l.lead_ref(), l.queued_at);
        self.tell(Happening::ReviewStart {
            lead: lead_ref,
            rep: Resource::Rep(rep as u32),
            queued_at,
        });
        self.start_rep_task(rep, RepTask::Review { lead }, duration);
    }

    /// Tells the busy time of `rep`'s work from `start` to `end`: its
    /// available stretches (time paused for other work is other work).
    pub(super) fn tell_busy(&mut self, rep: usize, class: BusyClass, start: f64, end: f64) {
        let resource = Resource::Rep(rep as u32);
        let sc = self.sc;
        let Some(ow) = &sc.reps.other_work else {
            self.tell(Happening::Busy {
                resource,
                class,
                start,
                end,
            });
            return;
        };
        let cal = &sc.reps.calendar;
        let (a, b) = (cal.working_before(start), cal.working_before(end));
        let pieces = self.reps.timelines[rep].available_pieces(a, b, &ow.block);
        self.tell_other_work(rep);
        for (a, b) in pieces {
            self.tell(Happening::Busy {
                resource,
                class,
                start: cal.at_working(a).max(start),
                end: cal.at_working(b).min(end),
            });
        }
    }

    /// Frees a rep, tells its busy time and looks for more work.
    pub(super) fn release_rep(&mut self, rep: usize) {
        if let Some(running) = self.reps.running[rep].take() {
            let now = self.now();
            self.tell_busy(rep, running.class, running.start, now);
        }
        self.reps.idle.insert(rep);
        self.dispatch_reps();
    }

    /// A rep finished a task.
    pub(super) fn rep_done(&mut self, rep: usize, task: RepTask) {
        match task {
            RepTask::Conversation { meeting } => {
                if let Some(lead) = self.reps.talking_to[rep].take() {
                    self.tell(Happening::ConversationEnd {
                        lead,
                        rep: Resource::Rep(rep as u32),
                        meeting,
                    });
                }
                self.release_rep(rep);
            }
            RepTask::Review { lead } => self.review_done(rep, lead),
            RepTask::Edit { lead } => {
                let lead_ref = self.lead_ref(lead);
                self.tell(Happening::EditEnd {
                    lead: lead_ref,
                    rep: Resource::Rep(rep as u32),
                });
                self.release_rep(rep);
                self.enqueue_send(lead, false);
            }
            RepTask::Prep { lead, stage } => {
                if stage == Stage::Enrichment {
                    // The rep stays on the lead while the providers answer.
                    self.start_waterfall(lead);
                } else {
                    self.end_stage(lead, stage);
                    self.complete_stage(lead, stage);
                }
            }
        }
    }

    /// The review is done: discard, or approve (perhaps after an edit by the
    /// same rep). Counted when the review completes.
    fn review_done(&mut self, rep: usize, lead: usize) {
        let review = &self.sc.review;
        let l = self.leads.at(lead);
        let fit = l.fit;
        let z: f64 = l.streams.review.sample(StandardNormal);
        let perceived = fit + review.judgement_noise_sd * z;
        let discard = perceived < review.reject_fit_below;
        let edit = l.streams.review.random::<f64>() < review.edit_probability;
        let verdict = match (discard, edit) {
            (true, _) => Verdict::Discarded,
            (false, false) => Verdict::Approved,
            (false, true) => Verdict::Edited,
        };
        let lead_ref = l.lead_ref();
        self.tell(Happening::ReviewEnd {
            lead: lead_ref,
            rep: Resource::Rep(rep as u32),
            fit,
            verdict,
        });
        match verdict {
            Verdict::Discarded => {
                self.finish_lead(lead, Fate::Discarded);
                self.release_rep(rep);
            }
            Verdict::Edited => {
                let l = self.leads.at(lead);
                l.edited = true;
                let duration = review.edit.sample(&mut l.streams.review);
                let end = self.rep_task_end(rep, duration);
                self.engine.schedule_at(
                    end,
                    Event::RepDone {
                        rep,
                        task: RepTask::Edit { lead },
                    },
                );
            }
            Verdict::Approved => {
                self.release_rep(rep);
                self.enqueue_send(lead, false);
            }
        }
    }

    /// Queues a draft for review and sets its expiry.
    pub(super) fn enqueue_review(&mut self, lead: usize) {
        let now = self.now();
        let seq = self.reps.next_review_seq;
        self.reps.next_review_seq += 1;
        let l = self.leads.at(lead);
        let key = (review_order(self.sc.review.order, l.score), seq);
        l.review_key = Some(key);
        l.queued_at = now;
        let lead_ref = l.lead_ref();
        self.reps.reviews.insert(key, lead);
        self.tell(Happening::ReviewQueued { lead: lead_ref });
        // Late: at exactly `expire_after` a rep who frees up, or whose
        // calendar opens, at that instant takes the draft first (docs/MODEL.md
        // section 10), whatever order those events were scheduled in.
        self.engine.schedule_late_at_in(
            lanes::EXPIRY,
            now + self.sc.review.expire_after,
            Event::Expire { lead, key },
        );
        self.dispatch_reps();
    }

    /// A draft's deadline: if its review has not started, it expires.
    pub(super) fn expire(&mut self, lead: usize, key: ReviewKey) {
        let still_waiting = self
            .leads
            .get(lead)
            .is_some_and(|l| l.review_key == Some(key));
        if !still_waiting {
            return;
        }
        self.reps.reviews.remove(&key);
        let l = self.leads.at(lead);
        l.review_key = None;
        let lead_ref = l.lead_ref();
        self.tell(Happening::Expired { lead: lead_ref });
        match self.sc.review.on_expire {
            OnExpire::Nurture => self.enter_nurture(lead),
            OnExpire::Drop => {
                self.finish_lead(lead, Fate::Dropped);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lead::{Lead, LeadStreams};
    use super::super::LeadRef;
    use super::*;
    use crate::scenario::{load_test_base, Override, Scenario};

    /// The tests' base scenario with one rep around the clock, a human lookup
    /// and constant 1-hour rep tasks.
    fn one_rep() -> Scenario {
        let set = |path: &str, value: &str| Override {
            path: path.to_string(),
            value: value.to_string(),
        };
        let hour = "{ dist = \"constant\", value = \"1h\" }";
        let overrides = [
            set("reps.count", "1"),
            set("reps.calendar", "\"always\""),
            set("lookup.lane", "\"human\""),
            set("lookup.manual", hour),
            set("review.duration", hour),
            set("review.edit_probability", "0.0"),
            set("review.expire_after", "\"10w\""),
        ];
        load_test_base(&overrides).unwrap().scenario
    }

    fn lead(sc: &Scenario, key: u64) -> Lead {
        let streams = crate::rng::ReplicationKey::new(sc.run.seed, 0).key(key);
        let arrival = LeadRef { key, arrived: 0.0 };
        Lead {
            score: 0.9,
            routed: true,
            ..Lead::new(arrival, 0.9, LeadStreams::new(streams))
        }
    }

    /// What the rep is doing: the task of its pending `RepDone`.
    fn next_task(p: &mut Pipeline<()>) -> RepTask {
        loop {
            match p.engine.next_before(f64::INFINITY).unwrap() {
                Some((_, Event::RepDone { rep, task })) => {
                    // Put it back so the pipeline handles it as usual.
                    p.rep_done(rep, task);
                    return task;
                }
                Some((_, other)) => p.handle(other),
                None => panic!("the rep has nothing to do"),
            }
        }
    }

    #[test]
    fn a_free_rep_takes_conversation_then_review_then_prep() {
        let sc = one_rep();
        let mut p = Pipeline::new(&sc, 0, ());
        // The rep is busy with a conversation while work piles up.
        let replied = LeadRef {
            key: 99,
            arrived: 0.0,
        };
        p.reps.conversations.push_back((replied, 3600.0, false));
        p.dispatch_reps();
        assert!(p.reps.idle.is_empty());
        let reviewed = p.leads.insert(lead(&sc, 1));
        let prepped = p.leads.insert(lead(&sc, 2));
        // Queued in the reverse of priority order.
        p.reps.prep.push_back((prepped, Stage::Lookup));
        p.enqueue_review(reviewed);
        p.reps.conversations.push_back((replied, 3600.0, true));
        let order: Vec<String> = (0..4)
            .map(|_| match next_task(&mut p) {
                RepTask::Conversation { meeting, .. } => format!("conversation {meeting}"),
                RepTask::Review { lead } => format!("review {}", lead == reviewed),
                RepTask::Prep { lead, stage } => {
                    format!("prep {} {:?}", lead == prepped, stage)
                }
                RepTask::Edit { .. } => "edit".to_string(),
            })
            .collect();
        assert_eq!(
            order,
            [
                "conversation false",
                "conversation true",
                "review true",
                "prep true Lookup"
            ]
        );
    }

    #[test]
    fn a_rep_finishes_its_task_before_taking_higher_priority_work() {
        let sc = one_rep();
        let mut p = Pipeline::new(&sc, 0, ());
        let prepped = p.leads.insert(lead(&sc, 1));
        p.reps.prep.push_back((prepped, Stage::Lookup));
        p.dispatch_reps();
        let started = p.reps.running[0].expect("the rep took the prep task");
        assert_eq!(started.class, BusyClass::Prep);
        // Half an hour in, a positive reply asks for a conversation.
        p.engine.schedule_at(1800.0, Event::RepWake);
        let (t, wake) = p.engine.next_before(f64::INFINITY).unwrap().unwrap();
        assert_eq!(t, 1800.0);
        p.handle(wake);
        let replied = LeadRef {
            key: 99,
            arrived: 0.0,
        };
        // What a positive reply does: a conversation task, then dispatch.
        p.reps.conversations.push_back((replied, 3600.0, false));
        p.dispatch_reps();
        // Not preempted: still on the prep task, the conversation waits.
        assert_eq!(p.reps.running[0].map(|r| r.start), Some(0.0));
        assert_eq!(p.reps.running[0].map(|r| r.class), Some(BusyClass::Prep));
        assert_eq!(p.reps.conversations.len(), 1);
        assert!(matches!(next_task(&mut p), RepTask::Prep { .. }));
        assert_eq!(p.now(), 3600.0, "the prep task ran its full hour");
        assert_eq!(
            p.reps.running[0].map(|r| r.class),
            Some(BusyClass::Conversation)
        );
        assert!(p.reps.conversations.is_empty());
    }
}
