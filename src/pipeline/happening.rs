//! What happens in a run, as the model tells it: typed domain events emitted
//! to a [`Recorder`], and the named resources that do the work.
//!
//! The model emits; it never counts. Recorders decide what to keep: the
//! metrics recorder applies the window rules of docs/MODEL.md section 10 in one
//! place, and an event log can be added as a second recorder without
//! touching the model. Dispatch is static (the pipeline is generic over its
//! recorder), so a recorder that ignores a happening costs nothing.

use crate::scenario::Scenario;

/// A prep stage of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Data lookup.
    Lookup,
    /// Enrichment through the provider waterfall.
    Enrichment,
    /// Scoring.
    Scoring,
    /// Drafting the email.
    Drafting,
}

impl Stage {
    /// Every prep stage, in pipeline order.
    pub const ALL: [Stage; 4] = [
        Stage::Lookup,
        Stage::Enrichment,
        Stage::Scoring,
        Stage::Drafting,
    ];

    /// The stage's activity name, as in the model.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Lookup => "lookup",
            Stage::Enrichment => "enrichment",
            Stage::Scoring => "scoring",
            Stage::Drafting => "drafting",
        }
    }
}

/// The final states a lead can reach before the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// No provider matched.
    Unreachable = 0,
    /// The nurture sequence ended without re-entry.
    Dormant = 1,
    /// An email was sent (whatever came of it).
    Sent = 2,
    /// A rep discarded the draft.
    Discarded = 3,
    /// The draft expired and was dropped.
    Dropped = 4,
}

/// Checks the conservation of leads over `scope` ("all", or the measured
/// window): every arrived lead is in exactly one final state (`fates`, by
/// [`Fate`] index) or still in progress. The message tells the counts when
/// it is broken.
pub(crate) fn conservation(
    scope: &str,
    arrived: u64,
    fates: &[u64; Fate::ALL.len()],
    in_progress: u64,
) -> Option<String> {
    let ended: u64 = fates.iter().sum();
    if arrived == ended + in_progress {
        return None;
    }
    let detail: Vec<String> = Fate::ALL
        .iter()
        .map(|f| format!("{} {}", f.name(), fates[*f as usize]))
        .collect();
    Some(format!(
        "conservation of leads broken ({scope}): {arrived} arrived, but {} and {in_progress} in progress",
        detail.join(", ")
    ))
}

impl Fate {
    /// Every fate, in index order.
    pub const ALL: [Fate; 5] = [
        Fate::Unreachable,
        Fate::Dormant,
        Fate::Sent,
        Fate::Discarded,
        Fate::Dropped,
    ];

    /// The fate's name.
    pub fn name(self) -> &'static str {
        match self {
            Fate::Unreachable => "unreachable",
            Fate::Dormant => "dormant",
            Fate::Sent => "sent",
            Fate::Discarded => "discarded",
            Fate::Dropped => "dropped",
        }
    }
}

/// Who or what does a piece of work. Indices count from 0; names from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// An agent slot.
    Agent(u32),
    /// A rep.
    Rep(u32),
    /// A sending mailbox of the email system.
    Mailbox(u32),
    /// An external data provider, by its place in the waterfall.
    Provider(u32),
    /// The email system's automated nurture sequence.
    Nurture,
}

impl Resource {
    /// The lane of the swimlane the resource works in (docs/MODEL.md section 1;
    /// providers are outside the pool).
    pub fn lane(self) -> &'static str {
        match self {
            Resource::Agent(_) => "agent",
            Resource::Rep(_) => "human",
            Resource::Mailbox(_) | Resource::Nurture => "system",
            Resource::Provider(_) => "external",
        }
    }

    /// The resource's name: `agent-3`, `rep-2`, `mailbox-1`, the provider's
    /// own name from the scenario, or `nurture`.
    pub fn name(self, sc: &Scenario) -> String {
        match self {
            Resource::Agent(i) => format!("agent-{}", i + 1),
            Resource::Rep(i) => format!("rep-{}", i + 1),
            Resource::Mailbox(i) => format!("mailbox-{}", i + 1),
            Resource::Provider(i) => sc
                .enrichment
                .providers
                .get(i as usize)
                .map_or_else(|| format!("provider-{}", i + 1), |p| p.name.clone()),
            Resource::Nurture => "nurture".to_string(),
        }
    }
}

/// A lead as recorders see it: its key (arrival ordinal in the replication,
/// the case id of an event log) and its arrival time (for window rules).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeadRef {
    /// Arrival ordinal, from 0.
    pub key: u64,
    /// Arrival time.
    pub arrived: f64,
}

/// What a resource's busy time counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyClass {
    /// Rep prep: reviews, edits and human prep stages.
    Prep,
    /// Rep conversations.
    Conversation,
    /// An agent slot's work, enrichment's provider waits included.
    Agent,
}

/// How a provider answered a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An error (retried, or the waterfall moves on after the last retry).
    Error,
    /// No contact found.
    Miss,
    /// A contact found: enrichment ends.
    Match,
}

/// Where the gate sent a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Below `gate.nurture_below`: the nurture sequence.
    Nurture,
    /// At or above it: drafting.
    Outreach,
}

/// The outcome of a completed review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Discarded: the lead's final state.
    Discarded,
    /// Approved as is.
    Approved,
    /// Approved after an edit by the same rep.
    Edited,
}

/// A domain event, at the time the recorder is given with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Happening {
    /// A lead arrives, carrying the manual prep it would have cost a rep.
    Arrival {
        /// The lead.
        lead: LeadRef,
        /// Index of its segment in the scenario.
        segment: u32,
        /// Its true fit.
        fit: f64,
        /// Seconds of manual prep work (the counterfactual, docs/MODEL.md section 5).
        manual_prep: f64,
    },
    /// A resource starts a prep stage (an agent's own work, or a rep's).
    StageStart {
        /// The lead.
        lead: LeadRef,
        /// The stage.
        stage: Stage,
        /// Who does it.
        resource: Resource,
        /// The stage's per-call cost, incurred now (0 for rep work).
        cost: f64,
    },
    /// A prep stage ends; enrichment ends when its waterfall does.
    StageEnd {
        /// The lead.
        lead: LeadRef,
        /// The stage.
        stage: Stage,
        /// Who did it.
        resource: Resource,
    },
    /// A call is issued to a provider (counted and paid when issued).
    ProviderCall {
        /// The lead.
        lead: LeadRef,
        /// The provider.
        provider: Resource,
        /// A retry after an error.
        retry: bool,
        /// The call's cost.
        cost: f64,
    },
    /// A provider answers.
    ProviderAnswer {
        /// The lead.
        lead: LeadRef,
        /// The provider.
        provider: Resource,
        /// The answer.
        answer: Answer,
    },
    /// A scored lead meets the gate (again, after a re-entry from nurture).
    Gate {
        /// The lead.
        lead: LeadRef,
        /// Its true fit.
        fit: f64,
        /// Its current score.
        score: f64,
        /// The lead's first gate decision (the one routing counts).
        first: bool,
        /// Where it goes.
        route: Route,
    },
    /// A draft joins the review queue.
    ReviewQueued {
        /// The lead.
        lead: LeadRef,
    },
    /// A rep starts a review.
    ReviewStart {
        /// The lead.
        lead: LeadRef,
        /// The rep.
        rep: Resource,
        /// When the draft was queued.
        queued_at: f64,
    },
    /// A review is done (an edit, if any, follows with the same rep).
    ReviewEnd {
        /// The lead.
        lead: LeadRef,
        /// The rep.
        rep: Resource,
        /// The lead's true fit.
        fit: f64,
        /// The outcome.
        verdict: Verdict,
    },
    /// An edit is done.
    EditEnd {
        /// The lead.
        lead: LeadRef,
        /// The rep.
        rep: Resource,
    },
    /// A draft's review had not started within `review.expire_after`.
    Expired {
        /// The lead.
        lead: LeadRef,
    },
    /// The irreversible send, with what came of it at once.
    Send {
        /// The lead.
        lead: LeadRef,
        /// The lead's true fit.
        fit: f64,
        /// Sent autonomously (AI SDR).
        autonomous: bool,
        /// The mailbox it went from.
        mailbox: Resource,
        /// The email bounced (no reply can follow).
        bounced: bool,
        /// A reply to it will arrive later ([`Happening::Reply`]).
        reply: bool,
        /// Follow-ups come after it ([`Happening::FollowUp`], until
        /// [`Happening::SequenceEnd`]).
        sequence: bool,
    },
    /// An automated follow-up email of the lead's sequence is sent.
    FollowUp {
        /// The lead.
        lead: LeadRef,
        /// Its number in the sequence, from 1.
        number: u32,
        /// The mailbox it went from.
        mailbox: Resource,
        /// A reply to it will arrive later ([`Happening::Reply`]).
        reply: bool,
    },
    /// A lead's follow-up sequence is over: its last follow-up went out, or
    /// its reply came.
    SequenceEnd {
        /// The lead.
        lead: LeadRef,
    },
    /// A reply arrives.
    Reply {
        /// The lead.
        lead: LeadRef,
        /// A positive reply (a conversation for a rep).
        positive: bool,
        /// When the lead's first email was sent.
        sent_at: f64,
    },
    /// A rep's period of other work (calls, meetings, admin), in clock time.
    OtherWork {
        /// The rep.
        rep: Resource,
        /// When it starts.
        start: f64,
        /// When it ends.
        end: f64,
    },
    /// A rep starts a conversation.
    ConversationStart {
        /// The lead.
        lead: LeadRef,
        /// The rep.
        rep: Resource,
    },
    /// A conversation ends.
    ConversationEnd {
        /// The lead.
        lead: LeadRef,
        /// The rep.
        rep: Resource,
        /// It booked a meeting.
        meeting: bool,
    },
    /// A lead starts a nurture sequence.
    NurtureStart {
        /// The lead.
        lead: LeadRef,
    },
    /// A nurture touch.
    NurtureTouch {
        /// The lead.
        lead: LeadRef,
        /// The touch's number in the sequence, from 1.
        touch: u32,
        /// The lead engaged and re-enters the gate.
        reentry: bool,
    },
    /// A lead reaches its final state.
    Fate {
        /// The lead.
        lead: LeadRef,
        /// The state.
        fate: Fate,
    },
    /// A lead still in flight at the horizon.
    InProgress {
        /// The lead.
        lead: LeadRef,
    },
    /// A resource's stretch of busy time ends (or is cut at the horizon).
    Busy {
        /// Who was busy.
        resource: Resource,
        /// What the time counts as.
        class: BusyClass,
        /// When it started.
        start: f64,
        /// When it ended.
        end: f64,
    },
}

/// Receives what happens in a run, in time order.
pub trait Recorder {
    /// One happening at simulated time `now`.
    fn record(&mut self, now: f64, happening: Happening);
}

impl<R: Recorder + ?Sized> Recorder for &mut R {
    #[inline(always)]
    fn record(&mut self, now: f64, happening: Happening) {
        (**self).record(now, happening);
    }
}

/// Two recorders side by side: both see every happening, the first first.
impl<A: Recorder, B: Recorder> Recorder for (A, B) {
    #[inline(always)]
    fn record(&mut self, now: f64, happening: Happening) {
        self.0.record(now, happening);
        self.1.record(now, happening);
    }
}

/// A recorder that keeps nothing.
impl Recorder for () {
    #[inline(always)]
    fn record(&mut self, _: f64, _: Happening) {}
}
