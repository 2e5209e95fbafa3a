//! External data providers: the enrichment waterfall, errors with retries,
//! and one token bucket per provider shared by all leads.

use std::collections::VecDeque;

use rand::Rng;

use super::lead::{Fate, Stage};
use super::{Event, Pipeline};

/// Tokens within this of a whole token count as one: refills computed from
/// elapsed time lose a few ulps.
const TOKEN_EPSILON: f64 = 1e-9;

/// A token bucket: capacity max(1, rate) tokens, starting full, refilled
/// continuously at rate / 60 per second; calls wait first come, first served.
#[derive(Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    updated: f64,
    /// Calls waiting for a token: (lead slot, is a retry).
    waiting: VecDeque<(usize, bool)>,
    ready_pending: bool,
}

impl TokenBucket {
    /// A full bucket for `rate_per_min` calls a minute.
    pub fn new(rate_per_min: f64) -> Self {
        let capacity = rate_per_min.max(1.0);
        TokenBucket {
            capacity,
            per_second: rate_per_min / 60.0,
            tokens: capacity,
            updated: 0.0,
            waiting: VecDeque::new(),
            ready_pending: false,
        }
    }

    fn refill(&mut self, now: f64) {
        self.tokens = (self.tokens + (now - self.updated) * self.per_second).min(self.capacity);
        self.updated = now;
    }

    /// Takes a token if one is there.
    fn take(&mut self) -> bool {
        if self.tokens >= 1.0 - TOKEN_EPSILON {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }

    /// Seconds until the next whole token.
    fn time_to_token(&self) -> f64 {
        ((1.0 - self.tokens) / self.per_second).max(0.0)
    }
}

impl Pipeline<'_> {
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
        bucket.refill(now);
        if bucket.waiting.is_empty() && bucket.take() {
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
            let delay = bucket.time_to_token();
            self.engine
                .schedule_after(delay, Event::TokenReady { provider });
        }
    }

    /// Tokens may have refilled: serve waiting calls in order.
    pub(super) fn token_ready(&mut self, provider: usize) {
        let now = self.now();
        self.buckets[provider].ready_pending = false;
        self.buckets[provider].refill(now);
        while !self.buckets[provider].waiting.is_empty() && self.buckets[provider].take() {
            if let Some((lead, retry)) = self.buckets[provider].waiting.pop_front() {
                self.issue_call(lead, retry);
            }
        }
        self.schedule_token_ready(provider);
    }

    /// Issues a call: counted and paid when issued, answered after its latency.
    fn issue_call(&mut self, lead: usize, retry: bool) {
        let now = self.now();
        let l = self.leads.at(lead);
        let provider = &self.sc.enrichment.providers[l.provider];
        let latency = provider.latency.sample(&mut l.streams.providers);
        if self.in_window(now) {
            self.counters.provider_calls += 1;
            if retry {
                self.counters.provider_retries += 1;
            }
            self.counters.cost_agents += provider.cost_per_call;
        }
        self.engine
            .schedule_after(latency, Event::ProviderAnswer { lead });
    }

    /// A provider answered: an error is retried (or moves on after the last
    /// retry), a match ends the waterfall, a miss moves to the next provider.
    pub(super) fn provider_answer(&mut self, lead: usize) {
        let l = self.leads.at(lead);
        let provider = &self.sc.enrichment.providers[l.provider];
        let error = l.streams.providers.random::<f64>() < provider.error_rate;
        if error {
            if l.retries < provider.max_retries {
                l.retries += 1;
                self.request_call(lead, true);
            } else {
                self.next_provider(lead);
            }
            return;
        }
        if l.streams.providers.random::<f64>() < provider.match_rate {
            self.release_holder(lead);
            self.complete_stage(lead, Stage::Enrichment);
        } else {
            self.next_provider(lead);
        }
    }

    fn next_provider(&mut self, lead: usize) {
        let l = self.leads.at(lead);
        l.provider += 1;
        l.retries = 0;
        if l.provider < self.sc.enrichment.providers.len() {
            self.request_call(lead, false);
        } else {
            self.release_holder(lead);
            self.counters.week(self.engine.now()).leads_unreachable += 1;
            self.finish_lead(lead, Fate::Unreachable);
        }
    }
}
