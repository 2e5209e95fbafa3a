//! Leads in flight: their attributes, their own random streams and the slab
//! that holds them until they reach a final state.

use super::happening::LeadRef;
use crate::rng::{Purpose, Stream, StreamKey};

/// Who holds a lead while it is in a stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Holder {
    /// Nobody: the lead is waiting or between stages.
    Nobody,
    /// An agent slot, taken at `since`.
    Agent {
        /// The slot.
        slot: u32,
        /// When the slot was taken.
        since: f64,
    },
    /// The rep with this index.
    Rep(usize),
}

/// Where a lead is in the review queue: (order key, sequence number).
pub type ReviewKey = (u64, u64);

/// The per-purpose random streams of one lead.
#[derive(Debug, Clone)]
pub struct LeadStreams {
    /// Stage durations.
    pub durations: Stream,
    /// Provider outcomes and latencies.
    pub providers: Stream,
    /// Scoring noise.
    pub scoring: Stream,
    /// Review time, judgement and edit.
    pub review: Stream,
    /// Email outcome.
    pub email: Stream,
    /// Nurture engagement.
    pub nurture: Stream,
}

impl LeadStreams {
    /// The streams of the lead whose streams are keyed by `key`.
    #[inline]
    pub fn new(key: StreamKey) -> Self {
        let s = |p| key.stream(p);
        LeadStreams {
            durations: s(Purpose::Durations),
            providers: s(Purpose::Providers),
            scoring: s(Purpose::Scoring),
            review: s(Purpose::Review),
            email: s(Purpose::Email),
            nurture: s(Purpose::Nurture),
        }
    }
}

/// A lead in flight.
#[derive(Debug, Clone)]
pub struct Lead {
    /// Arrival ordinal in the replication (the key of its random streams).
    pub key: u64,
    /// Arrival time.
    pub arrived: f64,
    /// True fit on [0, 1] (latent).
    pub fit: f64,
    /// Current score.
    pub score: f64,
    /// Re-entries from nurture so far.
    pub reentries: u32,
    /// True once the first gate decision is made.
    pub routed: bool,
    /// The current draft was edited.
    pub edited: bool,
    /// The current draft goes out autonomously.
    pub autonomous: bool,
    /// Who holds the lead now.
    pub holder: Holder,
    /// Provider being tried in the waterfall.
    pub provider: usize,
    /// Retries made at that provider.
    pub retries: u32,
    /// Place in the review queue, while waiting for review.
    pub review_key: Option<ReviewKey>,
    /// When the draft was queued for review.
    pub queued_at: f64,
    /// The lead's random streams.
    pub streams: LeadStreams,
}

impl Lead {
    /// A lead that has just arrived, with true fit `fit`.
    pub fn new(arrival: LeadRef, fit: f64, streams: LeadStreams) -> Self {
        Lead {
            key: arrival.key,
            arrived: arrival.arrived,
            fit,
            score: 0.0,
            reentries: 0,
            routed: false,
            edited: false,
            autonomous: false,
            holder: Holder::Nobody,
            provider: 0,
            retries: 0,
            review_key: None,
            queued_at: 0.0,
            streams,
        }
    }

    /// The recorders' view of the lead.
    pub fn lead_ref(&self) -> LeadRef {
        LeadRef {
            key: self.key,
            arrived: self.arrived,
        }
    }
}

/// A slab of leads in flight, indexed by slot; freed slots are reused.
#[derive(Debug, Default)]
pub struct Leads {
    slots: Vec<Option<Lead>>,
    free: Vec<usize>,
}

impl Leads {
    /// Stores a lead and returns its slot.
    pub fn insert(&mut self, lead: Lead) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(lead);
                i
            }
            None => {
                self.slots.push(Some(lead));
                self.slots.len() - 1
            }
        }
    }

    /// Removes and returns the lead in `slot`.
    pub fn remove(&mut self, slot: usize) -> Lead {
        let lead = self.slots[slot]
            .take()
            .expect("a lead is removed from an occupied slot");
        self.free.push(slot);
        lead
    }

    /// The lead in `slot`, if the slot is occupied.
    pub fn get(&self, slot: usize) -> Option<&Lead> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    /// The lead in an occupied `slot`.
    pub fn at(&mut self, slot: usize) -> &mut Lead {
        self.slots[slot]
            .as_mut()
            .expect("an event refers to a lead in flight")
    }

    /// The number of leads in flight.
    pub fn in_flight(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Leads in flight.
    pub fn iter(&self) -> impl Iterator<Item = &Lead> {
        self.slots.iter().flatten()
    }
}
