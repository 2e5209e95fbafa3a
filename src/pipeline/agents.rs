//! The agent pool: a concurrency limit, a first-come first-served queue of
//! agent stages, and working time on the agent calendar.

use std::collections::VecDeque;

use super::lead::{Holder, Stage};
use super::{schedule_wake, Event, Pipeline};

/// The agent slots and the stages waiting for one.
#[derive(Debug)]
pub struct AgentPool {
    /// Free slots.
    pub free: u32,
    /// Stages waiting for a slot: (lead slot, stage).
    pub queue: VecDeque<(usize, Stage)>,
    /// A wake-up at the next opening is scheduled.
    pub wake_pending: bool,
}

impl AgentPool {
    /// A pool of `concurrency` free slots.
    pub fn new(concurrency: u32) -> Self {
        AgentPool {
            free: concurrency,
            queue: VecDeque::new(),
            wake_pending: false,
        }
    }
}

impl Pipeline<'_> {
    /// Starts waiting agent stages while slots are free and the agent
    /// calendar is open.
    pub(super) fn dispatch_agents(&mut self) {
        if self.agents.free == 0 || self.agents.queue.is_empty() {
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
        let in_window = self.in_window(now);
        while self.agents.free > 0 {
            let Some((lead, stage)) = self.agents.queue.pop_front() else {
                break;
            };
            self.agents.free -= 1;
            let (dist, cost) = match stage {
                Stage::Lookup => (&sc.lookup.agent, 0.0),
                Stage::Enrichment => (&sc.enrichment.agent, 0.0),
                Stage::Scoring => (&sc.scoring.agent, sc.scoring.cost),
                Stage::Drafting => (&sc.drafting.agent, sc.drafting.cost),
            };
            if in_window {
                self.counters.cost_agents += cost;
            }
            let l = self.leads.at(lead);
            l.holder = Holder::Agent { since: now };
            let duration = dist.sample(&mut l.streams.durations);
            let end = cal.add_working(now, duration);
            self.engine
                .schedule_at(end, Event::AgentDone { lead, stage });
        }
    }

    /// An agent finished a stage's own work. Enrichment goes on to the
    /// providers holding the slot; other stages free it and move on.
    pub(super) fn agent_done(&mut self, lead: usize, stage: Stage) {
        if stage == Stage::Enrichment {
            self.start_waterfall(lead);
        } else {
            self.release_holder(lead);
            self.complete_stage(lead, stage);
        }
    }

    /// Frees an agent slot taken at `since`, books its busy time and starts
    /// waiting work.
    pub(super) fn release_agent(&mut self, since: f64) {
        let busy = self.busy_in_window(&self.sc.agents.calendar, since, self.now());
        self.counters.agent_busy_seconds += busy;
        self.agents.free += 1;
        self.dispatch_agents();
    }
}
