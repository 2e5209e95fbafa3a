//! The discrete-event engine: a clock and a queue of future events. It knows
//! nothing of sales.
//!
//! Events are ordered totally by `(time, seq)`: time compared with
//! [`f64::total_cmp`], then `seq`, a counter incremented at every schedule
//! call. Events at equal times therefore pop first-in, first-out, and a run is
//! a pure function of its inputs.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event scheduled at a time, with its tie-breaking sequence number.
#[derive(Debug)]
struct Scheduled<E> {
    time: f64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<E> Eq for Scheduled<E> {}

impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Scheduled<E> {
    /// Reversed, so that the max-heap pops the earliest `(time, seq)` first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The event queue and the simulation clock.
#[derive(Debug)]
pub struct Engine<E> {
    now: f64,
    seq: u64,
    queue: BinaryHeap<Scheduled<E>>,
    processed: u64,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Engine<E> {
    /// An empty engine at time zero.
    pub fn new() -> Self {
        Engine {
            now: 0.0,
            seq: 0,
            queue: BinaryHeap::new(),
            processed: 0,
        }
    }

    /// The current simulation time.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Number of events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Schedules `event` at absolute `time`. A time in the past (or NaN, or
    /// -0.0 at time zero) is moved to now: the clock never runs backwards.
    pub fn schedule_at(&mut self, time: f64, event: E) {
        let time = if time > self.now { time } else { self.now };
        self.queue.push(Scheduled {
            time,
            seq: self.seq,
            event,
        });
        self.seq += 1;
    }

    /// Schedules `event` after `delay` seconds.
    pub fn schedule_after(&mut self, delay: f64, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// Schedules `event` now, after every event already scheduled for now.
    pub fn schedule_now(&mut self, event: E) {
        self.schedule_at(self.now, event);
    }

    /// Pops the next event if it happens before `until`, advancing the clock
    /// to it; otherwise leaves it queued and returns `None`.
    pub fn next_before(&mut self, until: f64) -> Option<(f64, E)> {
        if self.queue.peek()?.time >= until {
            return None;
        }
        let Scheduled { time, event, .. } = self.queue.pop()?;
        self.now = time;
        self.processed += 1;
        Some((time, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_at_equal_times_pop_in_scheduling_order() {
        let mut engine = Engine::new();
        engine.schedule_at(5.0, "b1");
        engine.schedule_at(1.0, "a");
        engine.schedule_at(5.0, "b2");
        engine.schedule_at(5.0, "b3");
        engine.schedule_at(3.0, "c");
        let order: Vec<_> = std::iter::from_fn(|| engine.next_before(f64::INFINITY))
            .map(|(_, e)| e)
            .collect();
        assert_eq!(order, ["a", "c", "b1", "b2", "b3"]);
    }

    #[test]
    fn events_scheduled_now_run_after_those_already_due_now() {
        let mut engine = Engine::new();
        engine.schedule_at(2.0, 1);
        engine.schedule_at(2.0, 2);
        let (t, first) = engine.next_before(10.0).unwrap();
        assert_eq!((t, first), (2.0, 1));
        engine.schedule_now(3);
        assert_eq!(engine.next_before(10.0).unwrap().1, 2);
        assert_eq!(engine.next_before(10.0).unwrap().1, 3);
    }

    #[test]
    fn clock_stops_before_the_horizon_and_never_runs_backwards() {
        let mut engine = Engine::new();
        engine.schedule_at(4.0, 'x');
        engine.schedule_at(10.0, 'y');
        assert_eq!(engine.next_before(10.0).unwrap(), (4.0, 'x'));
        assert!(engine.next_before(10.0).is_none());
        assert_eq!(engine.pending(), 1);
        engine.schedule_at(1.0, 'z');
        assert_eq!(engine.next_before(10.0).unwrap(), (4.0, 'z'));
    }

    #[test]
    fn negative_zero_and_zero_are_ordered_by_total_cmp() {
        let mut engine = Engine::new();
        engine.schedule_at(0.0, "zero");
        engine.schedule_at(-0.0, "negative zero");
        // -0.0 is not after now (0.0), so it is scheduled at now and the
        // tie is broken by the sequence counter.
        assert_eq!(engine.next_before(1.0).unwrap().1, "zero");
    }
}
