//! The nurture sequence (system lane): `touches` emails every `interval`,
//! engagement at each touch, re-entry into the gate with a boosted score at
//! most `max_reentries` times, dormant after the last touch (MODEL.md
//! section 10, "Nurture").

use rand::Rng;

use super::happening::{Fate, Happening, Recorder};
use super::{lanes, Event, Pipeline};

impl<R: Recorder> Pipeline<'_, R> {
    /// Starts a fresh nurture sequence (dormant at once with no touches).
    pub(super) fn enter_nurture(&mut self, lead: usize) {
        let lead_ref = self.lead_ref(lead);
        self.tell(Happening::NurtureStart { lead: lead_ref });
        if self.sc.nurture.touches == 0 {
            self.finish_lead(lead, Fate::Dormant);
            return;
        }
        self.leads.at(lead).touches = 0;
        let at = self.now() + self.sc.nurture.interval;
        self.engine
            .schedule_at_in(lanes::NURTURE, at, Event::NurtureTouch { lead });
    }

    /// A touch: the lead may engage and re-enter the gate; after the last
    /// touch without re-entry it is dormant.
    pub(super) fn nurture_touch(&mut self, lead: usize) {
        let nurture = &self.sc.nurture;
        let l = self.leads.at(lead);
        l.touches += 1;
        let engaged = l.streams.nurture.random::<f64>() < nurture.engage_rate.at(l.fit);
        let reentry = engaged && l.reentries < nurture.max_reentries;
        let (touch, lead_ref) = (l.touches, l.lead_ref());
        self.tell(Happening::NurtureTouch {
            lead: lead_ref,
            touch,
            reentry,
        });
        let l = self.leads.at(lead);
        if reentry {
            l.reentries += 1;
            l.score = (l.score + nurture.rescore_boost).min(1.0);
            self.gate(lead);
        } else if l.touches >= nurture.touches {
            self.finish_lead(lead, Fate::Dormant);
        } else {
            let at = self.now() + nurture.interval;
            self.engine
                .schedule_at_in(lanes::NURTURE, at, Event::NurtureTouch { lead });
        }
    }
}
