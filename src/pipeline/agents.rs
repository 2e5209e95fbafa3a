//! The agent pool: a concurrency limit, a first-come first-served queue of
//! agent stages, and working time on the agent calendar.

use std::collections::VecDeque;

use super::happening::{BusyClass, Happening, Recorder, Resource, Stage};
use super::lead::Holder;
use super::{lanes, schedule_wake, stage_spec, Event, Pipeline};

/// The agent slots and the stages waiting for one.
#[derive(Debug)]
pub struct AgentPool {
    /// Free slots, the next to take last.
    pub free: Vec<u32>,
    /// Stages waiting for a slot: (lead slot, stage).
    pub queue: VecDeque<(usize, Stage)>,
    /// A wake-up at the next opening is scheduled.
    pub wake_pending: bool,
}

impl AgentPool {
    /// A pool of `concurrency` free slots.
    pub fn new(concurrency: u32) -> Self {
        AgentPool {
            free: (0..concurrency).rev().collect(),
            queue: VecDeque::new(),
            wake_pending: false,
        }
    }
}

impl<R: Recorder> Pipeline<'_, R> {
    /// Starts waiting agent stages while slots are free and the agent
    /// calendar is open.
    pub(super) fn dispatch_agents(&mut self) {
        if self.agents.free.is_empty() || self.agents.queue.is_empty() {
            return;
        }
        let now = self.now();
        let sc = self.sc;
        let cal = &sc.agents.calendar;
        if !cal.is_working(now) {
            let t = cal.next_working(now);
            schedule_wake(
                &mut self.engine,
                &mut self.agents.wake_pending,
                t,
                Event::AgentWake,
            );
            return;
        }
        while let Some(&(lead, stage)) = self.agents.queue.front() {
            let Some(slot) = self.agents.free.pop() else {
                break;
            };
            self.agents.queue.pop_front();
            let (_, dist, _) = stage_spec(sc, stage);
            let cost = match stage {
                Stage::Lookup | Stage::Enrichment => 0.0,
                Stage::Scoring => sc.scoring.cost,
                Stage::Drafting => sc.drafting.cost,
            };
            let l = self.leads.at(lead);
            l.holder = Holder::Agent { slot, since: now };
            let duration = dist.sample(&mut l.streams.durations);
            let lead_ref = l.lead_ref();
            self.tell(Happening::StageStart {
                lead: lead_ref,
                stage,
                resource: Resource::Agent(slot),
                cost,
            });
            let end = cal.add_working(now, duration);
            self.engine
                .schedule_at_in(lanes::agent(stage), end, Event::AgentDone { lead, stage });
        }
    }

    /// An agent finished a stage's own work. Enrichment goes on to the
    /// providers holding the slot; other stages free it and move on.
    pub(super) fn agent_done(&mut self, lead: usize, stage: Stage) {
        if stage == Stage::Enrichment {
            self.start_waterfall(lead);
        } else {
            self.end_stage(lead, stage);
            self.complete_stage(lead, stage);
        }
    }

    /// Frees an agent slot taken at `since`, tells its busy time and starts
    /// waiting work.
    pub(super) fn release_agent(&mut self, slot: u32, since: f64) {
        let now = self.now();
        self.tell(Happening::Busy {
            resource: Resource::Agent(slot),
            class: BusyClass::Agent,
            start: since,
            end: now,
        });
        self.agents.free.push(slot);
        self.dispatch_agents();
    }
}
