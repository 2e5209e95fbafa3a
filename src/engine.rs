//! The discrete-event engine: a clock and a queue of future events. It knows
//! nothing of sales.
//!
//! Events are ordered totally by `(time, seq)`: time first (times are never
//! before now, so never negative, and are compared as their IEEE bits), then
//! `seq`, a counter incremented at every schedule call. Events at equal times therefore pop first-in, first-out, and a run is
//! a pure function of its inputs.
//!
//! A *late* event ([`Engine::schedule_late_at`]) runs after every ordinary
//! event at the same instant, those scheduled while that instant is being
//! handled included; late events among themselves keep scheduling order. The
//! model uses it for deadlines that must lose a tie (docs/MODEL.md section 10: a
//! draft at exactly `expire_after` is still reviewed by a rep free then).
//!
//! Besides the heap, the engine keeps FIFO *lanes*: an event scheduled into
//! a lane whose last event is not after it joins the lane's back, else the
//! heap; the next event is the earliest of the heap's top and the lanes'
//! fronts. Events whose delay is the same for every lead (a nurture touch
//! every interval, an expiry after `expire_after`, a constant stage) and
//! events due now arrive in order, so most of them skip the heap's
//! O(log n) work. The order of events is exactly the same `(time, seq)`
//! order with or without lanes: lanes change the cost, never the result.
//!
//! A watchdog bounds the work of a run: more than [`Limits::same_instant`]
//! events at one instant, or more than [`Limits::events`] in all, stop the
//! run with a [`Runaway`] naming the event and the time, never a silent spin.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// The bit of `seq` that marks a late event, so that late events sort after
/// every ordinary one at the same time at no cost to the comparison.
const LATE: u64 = 1 << 63;

/// Default bound on events handled at one instant. No rule of a sane model
/// comes near it; a rule that reschedules itself at the same instant reaches
/// it in well under a second.
pub const SAME_INSTANT_LIMIT: u64 = 10_000_000;

/// The watchdog's bounds on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Events handled at one instant before the run is stopped.
    pub same_instant: u64,
    /// Events handled in all before the run is stopped.
    pub events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            same_instant: SAME_INSTANT_LIMIT,
            events: u64::MAX,
        }
    }
}

/// Which bound of the watchdog a run broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Too many events at one instant.
    SameInstant(u64),
    /// Too many events in all.
    Total(u64),
}

/// A run stopped by the watchdog: the event that broke the bound and when.
#[derive(Debug)]
pub struct Runaway<E> {
    /// The simulated time.
    pub time: f64,
    /// The event about to be handled.
    pub event: E,
    /// The bound broken.
    pub bound: Bound,
}

/// A FIFO lane of the engine (see the module docs); lane 0 holds the
/// events due at the current instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane(pub usize);

/// The lane of events scheduled for the current instant.
const NOW_LANE: usize = 0;

/// The key of no event: after every real key, whose time bits are never
/// all ones (that is a NaN, and stored times are never NaN).
const NO_EVENT: (u64, u64) = (u64::MAX, u64::MAX);

/// An event scheduled at a time, with its tie-breaking sequence number.
///
/// The time is kept as its IEEE bits: every stored time is at least +0.0
/// (times before now are moved to now, and now starts at +0.0), and for
/// non-negative floats the bits, read as unsigned integers, sort exactly as
/// the numbers do. Comparing `(bits, seq)` is two integer compares, cheaper
/// than `f64::total_cmp`, with the same order.
#[derive(Debug)]
struct Scheduled<E> {
    bits: u64,
    seq: u64,
    event: E,
}

impl<E> Scheduled<E> {
    /// The event at `time` (at least +0.0) with sequence number `seq`.
    #[inline]
    fn new(time: f64, seq: u64, event: E) -> Self {
        debug_assert!(time.is_sign_positive() && !time.is_nan());
        Scheduled {
            bits: time.to_bits(),
            seq,
            event,
        }
    }

    /// The `(time bits, seq)` key that orders events.
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.bits, self.seq)
    }

    /// True when `self` comes before `other` in `(time, seq)` order.
    #[inline]
    fn before(&self, other: &Self) -> bool {
        self.key() < other.key()
    }
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
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
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// The event queue and the simulation clock.
#[derive(Debug)]
pub struct Engine<E> {
    now: f64,
    seq: u64,
    queue: BinaryHeap<Scheduled<E>>,
    /// FIFO lanes, each in `(time, seq)` order.
    lanes: Vec<VecDeque<Scheduled<E>>>,
    /// The `(bits, seq)` key of each lane's front, [`NO_EVENT`] for an empty
    /// lane: the search for the next event reads one small array instead of
    /// every lane's buffer.
    fronts: Vec<(u64, u64)>,
    processed: u64,
    /// Events that went through the heap rather than a lane.
    through_heap: u64,
    /// Events handled at the current instant so far.
    at_instant: u64,
    limits: Limits,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Engine<E> {
    /// An empty engine at time zero.
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    /// An empty engine whose watchdog enforces `limits`.
    pub fn with_limits(limits: Limits) -> Self {
        Engine {
            now: 0.0,
            seq: 0,
            queue: BinaryHeap::new(),
            lanes: vec![VecDeque::new()],
            fronts: vec![NO_EVENT],
            processed: 0,
            through_heap: 0,
            at_instant: 0,
            limits,
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

    /// Number of events scheduled so far.
    pub fn scheduled(&self) -> u64 {
        self.seq
    }

    /// Number of events scheduled so far that went through the heap (the
    /// rest took a lane).
    pub fn through_heap(&self) -> u64 {
        self.through_heap
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    /// Schedules `event` at absolute `time`. A time in the past (or NaN, or
    /// -0.0 at time zero) is moved to now: the clock never runs backwards.
    pub fn schedule_at(&mut self, time: f64, event: E) {
        self.push(time, self.seq, event);
    }

    /// Schedules `event` at absolute `time` as a late event: it runs after
    /// every ordinary event at that instant (see the module docs).
    pub fn schedule_late_at(&mut self, time: f64, event: E) {
        self.push(time, self.seq | LATE, event);
    }

    /// Schedules `event` at `time` through `lane` (1 and up): a hint for
    /// events that usually come in time order. Out of order, it goes to the
    /// heap; either way the event order is the same.
    pub fn schedule_at_in(&mut self, lane: Lane, time: f64, event: E) {
        self.push_lane(lane.0, time, self.seq, event);
    }

    /// [`Engine::schedule_late_at`] through `lane`.
    pub fn schedule_late_at_in(&mut self, lane: Lane, time: f64, event: E) {
        self.push_lane(lane.0, time, self.seq | LATE, event);
    }

    fn push(&mut self, time: f64, seq: u64, event: E) {
        if time <= self.now && seq & LATE == 0 {
            // Due now: the now lane, always in order.
            self.push_lane(NOW_LANE, time, seq, event);
        } else {
            let item = self.record(time, seq, event);
            self.push_heap(item);
        }
    }

    fn push_lane(&mut self, lane: usize, time: f64, seq: u64, event: E) {
        let item = self.record(time, seq, event);
        if lane >= self.lanes.len() {
            self.lanes.resize_with(lane + 1, VecDeque::new);
            self.fronts.resize(lane + 1, NO_EVENT);
        }
        let queue = &mut self.lanes[lane];
        match queue.back() {
            None => self.fronts[lane] = item.key(),
            Some(last) if last.before(&item) => {}
            Some(_) => return self.push_heap(item),
        }
        queue.push_back(item);
    }

    /// The record of `event` at `time` (moved to now if earlier), taking the
    /// next sequence number.
    #[inline]
    fn record(&mut self, time: f64, seq: u64, event: E) -> Scheduled<E> {
        let time = if time > self.now { time } else { self.now };
        self.seq += 1;
        Scheduled::new(time, seq, event)
    }

    #[inline]
    fn push_heap(&mut self, item: Scheduled<E>) {
        self.queue.push(item);
        self.through_heap += 1;
    }

    /// Where the next event is: `None` for the heap, else a lane.
    #[inline]
    fn next_source(&self) -> Option<(Option<usize>, f64)> {
        let mut best = self.queue.peek().map_or(NO_EVENT, Scheduled::key);
        let mut source = None;
        for (i, &front) in self.fronts.iter().enumerate() {
            if front < best {
                best = front;
                source = Some(i);
            }
        }
        (best != NO_EVENT).then(|| (source, f64::from_bits(best.0)))
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
    /// to it; otherwise leaves it queued and returns `Ok(None)`. An event that
    /// would break the watchdog's [`Limits`] is returned as a [`Runaway`].
    pub fn next_before(&mut self, until: f64) -> Result<Option<(f64, E)>, Runaway<E>> {
        let source = match self.next_source() {
            Some((source, time)) if time < until => source,
            _ => return Ok(None),
        };
        let next = match source {
            None => self.queue.pop(),
            Some(lane) => {
                let queue = &mut self.lanes[lane];
                let front = queue.pop_front();
                self.fronts[lane] = queue.front().map_or(NO_EVENT, Scheduled::key);
                front
            }
        };
        let Some(Scheduled { bits, event, .. }) = next else {
            return Ok(None);
        };
        let time = f64::from_bits(bits);
        // Two well-predicted branches: the watchdog costs nothing measurable.
        if time == self.now {
            self.at_instant += 1;
            if self.at_instant > self.limits.same_instant {
                let bound = Bound::SameInstant(self.limits.same_instant);
                return Err(Runaway { time, event, bound });
            }
        } else {
            self.at_instant = 1;
        }
        if self.processed >= self.limits.events {
            let bound = Bound::Total(self.limits.events);
            return Err(Runaway { time, event, bound });
        }
        self.processed += 1;
        self.now = time;
        Ok(Some((time, event)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next event before `until`, for tests that never hit the watchdog.
    fn pop<E: std::fmt::Debug>(engine: &mut Engine<E>, until: f64) -> Option<(f64, E)> {
        engine.next_before(until).expect("no runaway")
    }

    fn drain<E: std::fmt::Debug>(engine: &mut Engine<E>) -> Vec<E> {
        std::iter::from_fn(|| pop(engine, f64::INFINITY))
            .map(|(_, e)| e)
            .collect()
    }

    #[test]
    fn events_at_equal_times_pop_in_scheduling_order() {
        let mut engine = Engine::new();
        engine.schedule_at(5.0, "b1");
        engine.schedule_at(1.0, "a");
        engine.schedule_at(5.0, "b2");
        engine.schedule_at(5.0, "b3");
        engine.schedule_at(3.0, "c");
        assert_eq!(drain(&mut engine), ["a", "c", "b1", "b2", "b3"]);
    }

    #[test]
    fn events_scheduled_now_run_after_those_already_due_now() {
        let mut engine = Engine::new();
        engine.schedule_at(2.0, 1);
        engine.schedule_at(2.0, 2);
        let (t, first) = pop(&mut engine, 10.0).unwrap();
        assert_eq!((t, first), (2.0, 1));
        engine.schedule_now(3);
        assert_eq!(pop(&mut engine, 10.0).unwrap().1, 2);
        assert_eq!(pop(&mut engine, 10.0).unwrap().1, 3);
    }

    #[test]
    fn late_events_run_after_every_ordinary_event_at_their_instant() {
        let mut engine = Engine::new();
        engine.schedule_late_at(5.0, "late1");
        engine.schedule_at(5.0, "a");
        engine.schedule_late_at(5.0, "late2");
        engine.schedule_at(4.0, "early");
        engine.schedule_at(6.0, "after");
        assert_eq!(pop(&mut engine, 10.0).unwrap().1, "early");
        assert_eq!(pop(&mut engine, 10.0).unwrap().1, "a");
        // Scheduled while instant 5 is being handled: still before the late ones.
        engine.schedule_now("b");
        assert_eq!(drain(&mut engine), ["b", "late1", "late2", "after"]);
    }

    #[test]
    fn clock_stops_before_the_horizon_and_never_runs_backwards() {
        let mut engine = Engine::new();
        engine.schedule_at(4.0, 'x');
        engine.schedule_at(10.0, 'y');
        assert_eq!(pop(&mut engine, 10.0).unwrap(), (4.0, 'x'));
        assert!(pop(&mut engine, 10.0).is_none());
        assert_eq!(engine.pending(), 1);
        engine.schedule_at(1.0, 'z');
        assert_eq!(pop(&mut engine, 10.0).unwrap(), (4.0, 'z'));
    }

    #[test]
    fn negative_zero_and_zero_are_ordered_by_total_cmp() {
        let mut engine = Engine::new();
        engine.schedule_at(0.0, "zero");
        engine.schedule_at(-0.0, "negative zero");
        // -0.0 is not after now (0.0), so it is scheduled at now and the
        // tie is broken by the sequence counter.
        assert_eq!(pop(&mut engine, 1.0).unwrap().1, "zero");
    }

    #[test]
    fn lanes_never_change_the_order_of_events() {
        // The same schedule with and without lane hints, in a pseudo-random
        // pattern of delays (some in order, some not), ties and late events.
        let run = |use_lanes: bool| -> Vec<(u64, u32)> {
            let mut engine = Engine::new();
            let mut state: u64 = 12345;
            let mut next = || {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                state >> 33
            };
            let mut order = Vec::new();
            for i in 0..40u32 {
                engine.schedule_at(f64::from(i % 7), i);
            }
            let mut id = 100u32;
            while let Some((t, e)) = engine.next_before(1e9).unwrap() {
                order.push((t.to_bits(), e));
                if order.len() > 3000 {
                    break;
                }
                for _ in 0..2 {
                    id += 1;
                    let r = next();
                    let delay = [0.0, 1.0, 1.0, 2.5, (r % 13) as f64][(r % 5) as usize];
                    let lane = Lane(1 + (r % 3) as usize);
                    match (use_lanes, r % 4 == 0) {
                        (true, true) => engine.schedule_late_at_in(lane, t + delay, id),
                        (true, false) => engine.schedule_at_in(lane, t + delay, id),
                        (false, true) => engine.schedule_late_at(t + delay, id),
                        (false, false) => engine.schedule_at(t + delay, id),
                    }
                }
            }
            order
        };
        let with = run(true);
        assert_eq!(with.len(), 3001);
        assert_eq!(with, run(false));
    }

    #[test]
    fn an_event_that_reschedules_itself_at_the_same_instant_is_stopped() {
        let limits = Limits {
            same_instant: 1_000,
            events: u64::MAX,
        };
        let mut engine = Engine::with_limits(limits);
        engine.schedule_at(7.5, "spin");
        let runaway = loop {
            match engine.next_before(100.0) {
                Ok(Some((_, e))) => engine.schedule_now(e),
                Ok(None) => panic!("the spin ended by itself"),
                Err(runaway) => break runaway,
            }
        };
        assert_eq!(runaway.time, 7.5);
        assert_eq!(runaway.event, "spin");
        assert_eq!(runaway.bound, Bound::SameInstant(1_000));
        assert_eq!(engine.processed(), 1_000);
    }

    #[test]
    fn many_events_at_distinct_instants_are_not_a_runaway() {
        let limits = Limits {
            same_instant: 10,
            events: u64::MAX,
        };
        let mut engine = Engine::with_limits(limits);
        for i in 0..100 {
            engine.schedule_at(f64::from(i), i);
            engine.schedule_at(f64::from(i), i);
        }
        assert_eq!(drain(&mut engine).len(), 200);
    }

    #[test]
    fn the_total_event_budget_stops_a_run() {
        let limits = Limits {
            same_instant: u64::MAX,
            events: 50,
        };
        let mut engine = Engine::with_limits(limits);
        engine.schedule_at(1.0, 0u32);
        let runaway = loop {
            match engine.next_before(f64::INFINITY) {
                Ok(Some((t, n))) => engine.schedule_at(t + 1.0, n + 1),
                Ok(None) => panic!("the run ended by itself"),
                Err(runaway) => break runaway,
            }
        };
        assert_eq!(runaway.bound, Bound::Total(50));
        assert_eq!(runaway.event, 50);
        assert_eq!(runaway.time, 51.0);
    }
}
