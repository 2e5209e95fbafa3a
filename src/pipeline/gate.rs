//! The gate after scoring: nurture below `gate.nurture_below`, otherwise a
//! draft, which is then sent autonomously (AI SDR, at or above
//! `gate.autosend_at_or_above`), sent directly (a human draft) or queued for
//! a rep's review (docs/MODEL.md sections 1 and 10).

use super::happening::{Happening, Recorder, Route, Stage};
use super::Pipeline;
use crate::scenario::Lane;

impl<R: Recorder> Pipeline<'_, R> {
    /// Routes a scored lead: nurture below the threshold, otherwise drafting.
    /// Only a lead's first decision counts in the routing metrics.
    pub(super) fn gate(&mut self, lead: usize) {
        let gate = &self.sc.gate;
        let l = self.leads.at(lead);
        let first = !l.routed;
        l.routed = true;
        let (score, fit, lead_ref) = (l.score, l.fit, l.lead_ref());
        let route = if score < gate.nurture_below {
            Route::Nurture
        } else {
            Route::Outreach
        };
        self.tell(Happening::Gate {
            lead: lead_ref,
            fit,
            score,
            first,
            route,
        });
        match route {
            Route::Nurture => self.enter_nurture(lead),
            Route::Outreach => {
                let l = self.leads.at(lead);
                l.edited = false;
                l.autonomous = false;
                self.request_stage(lead, Stage::Drafting);
            }
        }
    }

    /// A draft is ready: straight to the email system (human draft or
    /// autonomous send) or into the review queue.
    pub(super) fn after_draft(&mut self, lead: usize) {
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
}
