//! A rep's other work (docs/MODEL.md sections 3 and 10, "Other work"): the
//! rep's working time alternates between available periods and other-work
//! periods (calls, meetings, admin), drawn from the rep's own stream in
//! working-time coordinates — cumulative working seconds of the rep calendar
//! from t = 0 — starting with an available period. To the pipeline an
//! other-work period is the calendar closed for that rep: a task pauses
//! across it and work is taken only when the rep is available.

use std::collections::VecDeque;

use rand::Rng;

use crate::dist::Dist;
use crate::rng::Stream;

/// One rep's alternation of available and other-work periods, drawn as far
/// as it is needed.
#[derive(Debug, Clone)]
pub struct OtherWorkTimeline {
    stream: Stream,
    /// Mean length of an available period (working time).
    mean_available: f64,
    /// Other-work periods `[start, end)` (working coordinates), in order,
    /// from the earliest that may still be needed.
    periods: VecDeque<(f64, f64)>,
    /// The end of the last period drawn: the alternation is known up to here.
    drawn_to: f64,
    /// Periods drawn since the last [`OtherWorkTimeline::take_fresh`], to be
    /// told to the recorders.
    fresh: Vec<(f64, f64)>,
}

impl OtherWorkTimeline {
    /// The timeline of a rep whose stream is `stream`, available periods of
    /// mean `mean_available`.
    pub fn new(stream: Stream, mean_available: f64) -> Self {
        OtherWorkTimeline {
            stream,
            mean_available,
            periods: VecDeque::new(),
            drawn_to: 0.0,
            fresh: Vec::new(),
        }
    }

    /// Draws periods until the alternation is known beyond `w`.
    fn draw_past(&mut self, w: f64, block: &Dist) {
        while self.drawn_to <= w {
            let u: f64 = self.stream.random();
            let available = -self.mean_available * (1.0 - u).ln();
            let start = self.drawn_to + available;
            let end = start + block.sample(&mut self.stream).max(0.0);
            self.periods.push_back((start, end));
            self.fresh.push((start, end));
            self.drawn_to = end;
        }
    }

    /// The other-work period holding `w`, if any (`w` at a period's start
    /// is in it; at its end, out).
    fn period_at(&mut self, w: f64, block: &Dist) -> Option<(f64, f64)> {
        self.draw_past(w, block);
        self.periods
            .iter()
            .find(|(_, e)| *e > w)
            .filter(|(s, _)| *s <= w)
            .copied()
    }

    /// True when the rep is available at working coordinate `w`.
    pub fn is_available(&mut self, w: f64, block: &Dist) -> bool {
        self.period_at(w, block).is_none()
    }

    /// The earliest working coordinate at or after `w` at which the rep is
    /// available.
    pub fn next_available(&mut self, mut w: f64, block: &Dist) -> f64 {
        // A period may begin exactly where the last one ended.
        while let Some((_, e)) = self.period_at(w, block) {
            w = e;
        }
        w
    }

    /// Where a task of `d` available seconds started at `w` ends: it pauses
    /// across every other-work period on its way.
    pub fn advance(&mut self, mut w: f64, mut d: f64, block: &Dist) -> f64 {
        loop {
            self.draw_past(w, block);
            let next = self
                .periods
                .iter()
                .find(|(_, e)| *e > w)
                .copied()
                .expect("drawn past w, a period ends after it");
            if next.0 <= w {
                // In other work: resume at its end.
                w = next.1;
                continue;
            }
            if w + d <= next.0 {
                return w + d;
            }
            d -= next.0 - w;
            w = next.1;
        }
    }

    /// The available stretches of `[a, b)` (working coordinates): the busy
    /// time of a task that ran from `a` to `b`.
    pub fn available_pieces(&mut self, a: f64, b: f64, block: &Dist) -> Vec<(f64, f64)> {
        self.draw_past(b, block);
        let mut pieces = Vec::new();
        let mut from = a;
        for &(s, e) in &self.periods {
            if e <= from {
                continue;
            }
            if s >= b {
                break;
            }
            if s > from {
                pieces.push((from, s));
            }
            from = e.max(from);
        }
        if from < b {
            pieces.push((from, b));
        }
        pieces
    }

    /// Forgets periods that end at or before `w` (no task that started
    /// before `w` is still running).
    pub fn forget_before(&mut self, w: f64) {
        while self.periods.front().is_some_and(|(_, e)| *e <= w) {
            self.periods.pop_front();
        }
    }

    /// The periods drawn since the last call.
    pub fn take_fresh(&mut self) -> Vec<(f64, f64)> {
        std::mem::take(&mut self.fresh)
    }

    /// Draws the alternation up to `w` (at the horizon, so that every
    /// period of the run is told).
    pub fn draw_to(&mut self, w: f64, block: &Dist) {
        self.draw_past(w, block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(share: f64, block_mean: f64) -> (OtherWorkTimeline, Dist) {
        let block = Dist::exponential(block_mean).unwrap();
        let stream = crate::rng::ReplicationKey::new(1, 0)
            .key(0)
            .stream(crate::rng::Purpose::OtherWork);
        let mean_available = block_mean * (1.0 - share) / share;
        (OtherWorkTimeline::new(stream, mean_available), block)
    }

    #[test]
    fn other_work_takes_its_share_in_the_long_run() {
        let (mut t, block) = timeline(0.4, 600.0);
        let horizon = 1e8;
        t.draw_to(horizon, &block);
        let other: f64 = t
            .take_fresh()
            .iter()
            .map(|(s, e)| e.min(horizon) - s.min(horizon))
            .sum();
        // About 1e8 / 1500 = 66,667 cycles: the share's standard error is
        // about 0.4 * sqrt(2 / 66,667) = 0.002; 5 standard errors.
        assert!((other / horizon - 0.4).abs() < 0.01, "{}", other / horizon);
    }

    #[test]
    fn a_task_pauses_across_other_work_and_its_pieces_add_up() {
        let (mut t, block) = timeline(0.5, 300.0);
        let mut w = 0.0;
        for d in [10.0, 500.0, 1.0, 2000.0, 0.0] {
            let start = t.next_available(w, &block);
            assert!(t.is_available(start, &block));
            let end = t.advance(start, d, &block);
            let pieces = t.available_pieces(start, end, &block);
            let busy: f64 = pieces.iter().map(|(a, b)| b - a).sum();
            assert!((busy - d).abs() < 1e-6, "{busy} vs {d}");
            for (a, b) in &pieces {
                assert!(t.is_available(*a, &block) && a < b);
            }
            t.forget_before(end);
            w = end;
        }
    }
}
