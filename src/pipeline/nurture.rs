//! The nurture sequence (system lane): `touches` emails every `interval`,
//! engagement at each touch, re-entry into the gate with a boosted score at
//! most `max_reentries` times, dormant after the last touch (docs/MODEL.md
//! section 10, "Nurture").

use rand::Rng;

use super::happening::{Fate, Happening, LeadRef, Recorder};
use super::{lanes, Event, Pipeline};

impl<R: Recorder> Pipeline<'_, R> {
    /// Starts a fresh nurture sequence (dormant at once with no touches).
    ///
    /// The sequence is decided here: the engagement draws are made now, in
    /// the order the touches would make them, from the lead's own nurture
    /// stream, which nothing else reads; the fit and the re-entry count do
    /// not change while the lead is in nurture. Drawing stops at the touch
    /// that re-enters the gate (the next sequence continues the stream from
    /// there, as it would have) or at the last touch that can come before the
    /// horizon (later draws could never be seen). The results are those of
    /// drawing at each touch, and the touches in between need not read the
    /// lead's record: in a large scenario the record is long out of the
    /// cache by the time of the next weekly touch.
    pub(super) fn enter_nurture(&mut self, lead: usize) {
        let lead_ref = self.lead_ref(lead);
        self.tell(Happening::NurtureStart { lead: lead_ref });
        let nurture = &self.sc.nurture;
        if nurture.touches == 0 {
            self.finish_lead(lead, Fate::Dormant);
            return;
        }
        let now = self.now();
        // Touches at now + k * interval for k = 1..; those at or after the
        // horizon never happen. One more is drawn than the division says,
        // in case the touches' repeated additions round across the horizon.
        let before_horizon = ((self.horizon - now) / nurture.interval).ceil();
        let reachable = before_horizon.clamp(0.0, f64::from(nurture.touches)) as u32;
        let l = self.leads.at(lead);
        let p = nurture.engage_rate.at(l.fit);
        let can_reenter = l.reentries < nurture.max_reentries;
        let mut reentry_at = 0;
        for touch in 1..=reachable {
            let engaged = l.streams.nurture.random::<f64>() < p;
            if engaged && can_reenter {
                reentry_at = touch;
                break;
            }
        }
        let slot = u32::try_from(lead).expect("fewer than 2^32 leads in flight");
        self.schedule_touch(lead_ref, slot, 1, reentry_at);
    }

    /// Schedules touch number `touch` of the sequence of the lead in `slot`,
    /// which re-enters the gate at touch `reentry_at` (0: not in this
    /// sequence), one interval from now.
    fn schedule_touch(&mut self, lead: LeadRef, slot: u32, touch: u32, reentry_at: u32) {
        let at = self.now() + self.sc.nurture.interval;
        let event = Event::NurtureTouch {
            lead,
            slot,
            touch,
            reentry_at,
        };
        self.engine.schedule_at_in(lanes::NURTURE, at, event);
    }

    /// A touch: the lead may engage and re-enter the gate; after the last
    /// touch without re-entry it is dormant.
    pub(super) fn nurture_touch(&mut self, lead: LeadRef, slot: u32, touch: u32, reentry_at: u32) {
        let nurture = &self.sc.nurture;
        let reentry = touch == reentry_at;
        self.tell(Happening::NurtureTouch {
            lead,
            touch,
            reentry,
        });
        if reentry {
            let l = self.leads.at(slot as usize);
            l.reentries += 1;
            l.score = (l.score + nurture.rescore_boost).min(1.0);
            self.gate(slot as usize);
        } else if touch >= nurture.touches {
            self.finish_lead(slot as usize, Fate::Dormant);
        } else {
            self.schedule_touch(lead, slot, touch + 1, reentry_at);
        }
    }
}
