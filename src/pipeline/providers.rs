//! External data providers: the enrichment waterfall, errors with retries,
//! and one token bucket per provider shared by all leads.

use std::collections::VecDeque;

use rand::Rng;

use super::happening::{Answer, Fate, Happening, Recorder, Resource, Stage};
use super::{Event, Pipeline};

/// A token bucket of capacity max(1, rate) tokens, starting full, refilled
/// continuously at rate / 60 per second; calls wait first come, first served.
///
/// It keeps times, not a fractional token count (the generic cell rate
/// algorithm): since `base`, the last instant the bucket was full, `taken`
/// calls went through, and the next may go at `base + (taken + 1 -
/// capacity) x interval`. That instant is computed by one expression, the
/// same when a wait is scheduled and when the waiting call asks again, so
/// the call always gets its token then: no refill is lost to rounding and no
/// wake-up repeats at the same instant (docs/MODEL.md section 10, "Bounded
/// work"). One product instead of a running sum keeps the error to an ulp
/// however long the bucket stays saturated.
#[derive(Debug)]
pub struct TokenBucket {
    /// Seconds between tokens: 60 / rate.
    interval: f64,
    /// Tokens a full bucket holds.
    capacity: f64,
    /// The last instant the bucket was full.
    base: f64,
    /// Calls taken since `base`.
    taken: f64,
    /// Calls waiting for a token: (lead slot, is a retry).
    waiting: VecDeque<(usize, bool)>,
    ready_pending: bool,
}

impl TokenBucket {
    /// A full bucket for `rate_per_min` calls a minute.
    pub fn new(rate_per_min: f64) -> Self {
        TokenBucket {
            interval: 60.0 / rate_per_min,
            capacity: rate_per_min.max(1.0),
            base: 0.0,
            taken: 0.0,
            waiting: VecDeque::new(),
            ready_pending: false,
        }
    }

    /// The earliest instant a call may take a token.
    fn ready_at(&self) -> f64 {
        self.base + (self.taken + 1.0 - self.capacity) * self.interval
    }

    /// Takes a token at `now` if one is there.
    fn take(&mut self, now: f64) -> bool {
        // Refilled to the brim since the last call: start counting afresh.
        if now >= self.base + self.taken * self.interval {
            self.base = now;
            self.taken = 0.0;
        }
        if now >= self.ready_at() {
            self.taken += 1.0;
            true
        } else {
            false
        }
    }
}

impl<R: Recorder> Pipeline<'_, R> {
    /// Starts the waterfall at the first provider; the lead's holder (agent
    /// slot or rep) stays held until it ends.
    pub(super) fn start_waterfall(&mut self, lead: usize) {
        let l = self.leads.at(lead);
        l.provider = 0;
        l.retries = 0;
        self.request_call(lead, false);
    }

    /// Asks the current provider's bucket for a token, then calls.
    fn request_call(&mut self, lead: usize, retry: bool) {
        let now = self.now();
        let p = self.leads.at(lead).provider;
        let bucket = &mut self.buckets[p];
        if bucket.waiting.is_empty() && bucket.take(now) {
            self.issue_call(lead, retry);
            return;
        }
        bucket.waiting.push_back((lead, retry));
        self.schedule_token_ready(p);
    }

    fn schedule_token_ready(&mut self, provider: usize) {
        let bucket = &mut self.buckets[provider];
        if !bucket.ready_pending && !bucket.waiting.is_empty() {
            bucket.ready_pending = true;
            let at = bucket.ready_at();
            self.engine.schedule_at(at, Event::TokenReady { provider });
        }
    }

    /// Tokens may have refilled: serve waiting calls in order.
    pub(super) fn token_ready(&mut self, provider: usize) {
        let now = self.now();
        self.buckets[provider].ready_pending = false;
        while !self.buckets[provider].waiting.is_empty() && self.buckets[provider].take(now) {
            if let Some((lead, retry)) = self.buckets[provider].waiting.pop_front() {
                self.issue_call(lead, retry);
            }
        }
        self.schedule_token_ready(provider);
    }

    /// Issues a call: counted and paid when issued, answered after its latency.
    fn issue_call(&mut self, lead: usize, retry: bool) {
        let l = self.leads.at(lead);
        let index = l.provider;
        let provider = &self.sc.enrichment.providers[index];
        let latency = provider.latency.sample(&mut l.streams.providers);
        let lead_ref = l.lead_ref();
        self.tell(Happening::ProviderCall {
            lead: lead_ref,
            provider: Resource::Provider(index as u32),
            retry,
            cost: provider.cost_per_call,
        });
        self.engine
            .schedule_after(latency, Event::ProviderAnswer { lead });
    }

    /// A provider answered: an error is retried (or moves on after the last
    /// retry), a match ends the waterfall, a miss moves to the next provider.
    pub(super) fn provider_answer(&mut self, lead: usize) {
        let l = self.leads.at(lead);
        let index = l.provider;
        let provider = &self.sc.enrichment.providers[index];
        let answer = if l.streams.providers.random::<f64>() < provider.error_rate {
            Answer::Error
        } else if l.streams.providers.random::<f64>() < provider.match_rate {
            Answer::Match
        } else {
            Answer::Miss
        };
        let can_retry = l.retries < provider.max_retries;
        let lead_ref = l.lead_ref();
        self.tell(Happening::ProviderAnswer {
            lead: lead_ref,
            provider: Resource::Provider(index as u32),
            answer,
        });
        match answer {
            Answer::Error if can_retry => {
                self.leads.at(lead).retries += 1;
                self.request_call(lead, true);
            }
            Answer::Error | Answer::Miss => self.next_provider(lead),
            Answer::Match => {
                self.end_stage(lead, Stage::Enrichment);
                self.complete_stage(lead, Stage::Enrichment);
            }
        }
    }

    fn next_provider(&mut self, lead: usize) {
        let l = self.leads.at(lead);
        l.provider += 1;
        l.retries = 0;
        if l.provider < self.sc.enrichment.providers.len() {
            self.request_call(lead, false);
        } else {
            self.end_stage(lead, Stage::Enrichment);
            self.finish_lead(lead, Fate::Unreachable);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{MINUTE, WEEK};

    /// A provider kept saturated from `start`: every call waits for the
    /// earliest instant the bucket allows, as the pipeline schedules it.
    /// Returns the call times.
    fn saturated_calls(rate: f64, start: f64, calls: usize) -> Vec<f64> {
        let mut bucket = TokenBucket::new(rate);
        let mut now = start;
        let mut times = Vec::with_capacity(calls);
        while times.len() < calls {
            if bucket.take(now) {
                times.push(now);
            } else {
                let at = bucket.ready_at();
                assert!(at > now, "a wait that rounds to zero at t = {now}");
                now = at;
                assert!(bucket.take(now), "no token at the instant scheduled for it");
                times.push(now);
            }
        }
        times
    }

    #[test]
    fn a_saturated_bucket_never_stalls_far_from_time_zero() {
        // Eight weeks in, a second's ulp is about 1e-9 s: a fractional token
        // count short of one by less than that used to wait zero seconds
        // forever. Every wait here is positive and ends with a token.
        for rate in [60.0, 600.0, 6000.0, 7.0, 0.5] {
            let calls = saturated_calls(rate, 8.0 * WEEK + 0.123, 50_000);
            assert_eq!(calls.len(), 50_000);
        }
    }

    #[test]
    fn calls_per_minute_never_exceed_the_rate_plus_the_burst() {
        for rate in [60.0, 600.0, 6000.0, 1.5] {
            let times = saturated_calls(rate, 3.0 * WEEK, 200_000);
            let capacity = rate.max(1.0);
            // Sliding one-minute windows: at most capacity at once, then
            // the rate.
            let mut first = 0;
            for (i, &t) in times.iter().enumerate() {
                while times[first] <= t - MINUTE {
                    first += 1;
                }
                let in_window = (i - first + 1) as f64;
                assert!(
                    in_window <= rate + capacity,
                    "rate {rate}: {in_window} calls in the minute to {t}"
                );
            }
            // Saturated long enough, the mean rate is the limit.
            let span = times[times.len() - 1] - times[0];
            let per_min = (times.len() as f64 - capacity) / (span / MINUTE);
            assert!(
                (per_min - rate).abs() < 1e-6 * rate,
                "rate {rate}: {per_min} a minute"
            );
        }
    }

    #[test]
    fn a_full_bucket_lets_its_capacity_through_at_once() {
        let mut bucket = TokenBucket::new(600.0);
        let at_once = (0..1000).take_while(|_| bucket.take(100.0)).count();
        assert_eq!(at_once, 600);
        // Idle for a minute, it is full again, and no fuller.
        let later = (0..1000)
            .take_while(|_| bucket.take(100.0 + 2.0 * MINUTE))
            .count();
        assert_eq!(later, 600);
    }
}
