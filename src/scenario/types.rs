//! The typed, validated scenario that the pipeline runs: every value checked,
//! every default filled, durations in seconds.

use crate::calendar::Calendar;
use crate::dist::Dist;

/// A complete, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name, used for the default output folder.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Horizon, warmup, replications and seed.
    pub run: RunSettings,
    /// How leads arrive.
    pub arrivals: Arrivals,
    /// Lead segments; shares sum to 1.
    pub segments: Vec<Segment>,
    /// Data lookup.
    pub lookup: PrepStage,
    /// Enrichment through the provider waterfall.
    pub enrichment: Enrichment,
    /// Lead scoring.
    pub scoring: Scoring,
    /// Drafting the email.
    pub drafting: Drafting,
    /// The gate after scoring.
    pub gate: Gate,
    /// The rep's review of drafts.
    pub review: Review,
    /// The rep pool.
    pub reps: Reps,
    /// The agent pool.
    pub agents: Agents,
    /// The email system.
    pub email: Email,
    /// Conversations after positive replies.
    pub conversations: Conversations,
    /// The nurture sequence.
    pub nurture: Nurture,
    /// Today's manual process (the counterfactual's triage).
    pub baseline: Baseline,
}

impl Scenario {
    /// The segment of a lead whose uniform draw is `u`: the first whose
    /// cumulative share exceeds `u` (the last when rounding leaves the
    /// shares' sum just under `u`).
    pub fn segment_at(&self, u: f64) -> usize {
        let mut cumulative = 0.0;
        self.segments
            .iter()
            .position(|s| {
                cumulative += s.share;
                u < cumulative
            })
            .unwrap_or(self.segments.len() - 1)
    }
}

/// Run length and replication settings. Times in seconds.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// End of the simulated time.
    pub horizon: f64,
    /// Start of the measured window W = [warmup, horizon).
    pub warmup: f64,
    /// Number of replications.
    pub replications: u32,
    /// Base seed of every random stream.
    pub seed: u64,
    /// The calendar date of t = 0, a Monday, for timestamps (`run.start_date`;
    /// its default, 2026-01-05, is applied when the scenario is read).
    pub start_date: chrono::NaiveDate,
}

/// How leads arrive.
#[derive(Debug, Clone)]
pub enum Arrivals {
    /// A Poisson process with `per_week` leads a week, spread over the
    /// working time of `calendar`.
    Poisson {
        /// Expected leads a week.
        per_week: f64,
        /// The arrival calendar.
        calendar: Calendar,
    },
    /// A list import: `size` leads at once, first at `at` (seconds after
    /// Monday 00:00 of week 1), then every `every` seconds.
    Batch {
        /// Leads per batch.
        size: u64,
        /// Seconds between batches.
        every: f64,
        /// The first batch's instant.
        at: f64,
    },
}

impl Arrivals {
    /// The expected number of leads arriving in `[0, horizon)`: the bound on
    /// work that docs/MODEL.md section 10 checks and the watchdog scales from.
    pub fn expected_before(&self, horizon: f64) -> f64 {
        match self {
            Arrivals::Poisson { per_week, .. } => per_week * horizon / crate::units::WEEK,
            Arrivals::Batch { size, every, at } => {
                let batches = if *at < horizon {
                    ((horizon - at) / every).ceil()
                } else {
                    0.0
                };
                *size as f64 * batches
            }
        }
    }
}

/// A lead segment.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Segment name.
    pub name: String,
    /// Share of arriving leads.
    pub share: f64,
    /// Distribution of the lead's true fit on [0, 1].
    pub fit: Dist,
}

/// Which lane performs a prep stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// An AI agent, holding an agent slot.
    Agent,
    /// A rep, as a prep-priority task in working time.
    Human,
}

/// A prep stage with an agent duration and a manual (rep) duration.
#[derive(Debug, Clone)]
pub struct PrepStage {
    /// Who performs the stage.
    pub lane: Lane,
    /// Agent duration (working time on the agent calendar).
    pub agent: Dist,
    /// Rep duration (working time on the rep calendar); also the manual
    /// counterfactual.
    pub manual: Dist,
}

/// Enrichment: agent or rep time, then the provider waterfall.
#[derive(Debug, Clone)]
pub struct Enrichment {
    /// Who performs the stage.
    pub lane: Lane,
    /// Agent time before the provider calls (default 0s).
    pub agent: Dist,
    /// Rep time before the provider calls; also the manual counterfactual.
    pub manual: Dist,
    /// The providers, tried in order until one matches.
    pub providers: Vec<Provider>,
}

impl Enrichment {
    /// The waterfall's coverage: 1 - product of (1 - match_rate).
    pub fn coverage(&self) -> f64 {
        1.0 - self
            .providers
            .iter()
            .map(|p| 1.0 - p.match_rate)
            .product::<f64>()
    }
}

/// An external data provider.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Provider name.
    pub name: String,
    /// Probability that an answer that is not an error is a match.
    pub match_rate: f64,
    /// Call latency (calendar time).
    pub latency: Dist,
    /// Probability that a call errors.
    pub error_rate: f64,
    /// Retries after an error before moving on.
    pub max_retries: u32,
    /// Token bucket rate, calls per minute.
    pub rate_limit_per_min: f64,
    /// Cost of each call, retries included.
    pub cost_per_call: f64,
}

/// Lead scoring.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// Who performs the stage.
    pub lane: Lane,
    /// Agent duration.
    pub agent: Dist,
    /// Rep duration.
    pub manual: Dist,
    /// Agent score noise: score = clamp(fit + N(0, noise_sd), 0, 1).
    pub noise_sd: f64,
    /// Rep score noise.
    pub manual_noise_sd: f64,
    /// Cost per agent scoring.
    pub cost: f64,
}

/// Drafting the email.
#[derive(Debug, Clone)]
pub struct Drafting {
    /// Who performs the stage.
    pub lane: Lane,
    /// Agent duration.
    pub agent: Dist,
    /// Rep duration.
    pub manual: Dist,
    /// Cost per agent draft.
    pub cost: f64,
}

/// The gate after scoring.
#[derive(Debug, Clone)]
pub struct Gate {
    /// Scores below this go to nurture.
    pub nurture_below: f64,
    /// Scores at or above this are sent autonomously, when set.
    pub autosend_at_or_above: Option<f64>,
    /// True fit at or above this is a good lead (gate quality).
    pub good_fit_at: f64,
}

/// Order of the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOrder {
    /// First queued, first reviewed.
    Fifo,
    /// Highest current score first, ties in queueing order.
    HighestScore,
}

/// What happens to a draft that expires unreviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExpire {
    /// The lead enters the nurture sequence.
    Nurture,
    /// The lead is dropped.
    Drop,
}

/// The rep's review of drafts (the soft gate).
#[derive(Debug, Clone)]
pub struct Review {
    /// Review time (working time).
    pub duration: Dist,
    /// Probability that an approved draft is edited first.
    pub edit_probability: f64,
    /// Edit time (working time).
    pub edit: Dist,
    /// Noise of the rep's perception of fit.
    pub judgement_noise_sd: f64,
    /// Perceived fit below this is discarded; true fit below it is "low fit".
    pub reject_fit_below: f64,
    /// Queue order.
    pub order: ReviewOrder,
    /// Calendar time a draft may wait before it expires.
    pub expire_after: f64,
    /// Where expired drafts go.
    pub on_expire: OnExpire,
}

/// The rep pool.
#[derive(Debug, Clone)]
pub struct Reps {
    /// Number of reps.
    pub count: u32,
    /// Their working calendar.
    pub calendar: Calendar,
    /// Cost of a rep hour.
    pub hourly_cost: f64,
    /// The reps' other work (calls, meetings, admin), if any.
    pub other_work: Option<OtherWork>,
}

/// Reps' other work (docs/MODEL.md section 3): each rep's working time
/// alternates between available periods, exponential with mean
/// `mean(block) x (1 - share) / share`, and other-work periods of `block`.
#[derive(Debug, Clone)]
pub struct OtherWork {
    /// The long-run share of working time, in [0, 1); above 0 here.
    pub share: f64,
    /// An other-work period's length (working time).
    pub block: Dist,
}

impl OtherWork {
    /// The mean length of an available period (working time).
    pub fn mean_available(&self) -> f64 {
        self.block.mean() * (1.0 - self.share) / self.share
    }
}

/// Today's manual process, held fixed: the counterfactual's triage.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    /// A rep drafts for a reachable lead whose own score is at or above
    /// this (today's threshold).
    pub triage_below: f64,
}

/// The agent pool.
#[derive(Debug, Clone)]
pub struct Agents {
    /// Concurrent agent slots.
    pub concurrency: u32,
    /// The agents' working calendar (default always).
    pub calendar: Calendar,
}

/// A probability linear in true fit.
#[derive(Debug, Clone, Copy)]
pub struct LinearInFit {
    /// Probability at fit 0.
    pub at_fit_0: f64,
    /// Probability at fit 1.
    pub at_fit_1: f64,
}

impl LinearInFit {
    /// The probability at `fit`, capped to [0, 1].
    pub fn at(&self, fit: f64) -> f64 {
        (self.at_fit_0 + (self.at_fit_1 - self.at_fit_0) * fit).clamp(0.0, 1.0)
    }
}

/// The email system.
#[derive(Debug, Clone)]
pub struct Email {
    /// Sending mailboxes.
    pub mailboxes: u32,
    /// Sends per mailbox per calendar day.
    pub daily_cap_per_mailbox: u32,
    /// Sends happen only in this calendar's working time.
    pub calendar: Calendar,
    /// Probability that a send bounces.
    pub bounce_rate: f64,
    /// Reply probability by true fit.
    pub reply_rate: LinearInFit,
    /// Reply factor for edited drafts.
    pub edited_reply_factor: f64,
    /// Reply factor for autonomous sends.
    pub autosend_reply_factor: f64,
    /// Share of replies that are positive.
    pub positive_share: f64,
    /// Delay from send to reply (calendar time).
    pub reply_delay: Dist,
    /// Automated follow-up emails after the first (0: none).
    pub follow_ups: u32,
    /// Calendar time from a send of the sequence to the next follow-up
    /// (0 when there are none).
    pub follow_up_interval: f64,
    /// Follow-up k replies with the first email's probability times this to
    /// the power k (1 when there are none).
    pub follow_up_reply_factor: f64,
}

/// Conversations after positive replies.
#[derive(Debug, Clone)]
pub struct Conversations {
    /// Conversation time (working time).
    pub duration: Dist,
    /// Probability that a conversation books a meeting.
    pub meeting_rate: f64,
}

/// The nurture sequence.
#[derive(Debug, Clone)]
pub struct Nurture {
    /// Touches in a sequence.
    pub touches: u32,
    /// Calendar time between touches.
    pub interval: f64,
    /// Engagement probability at a touch, by true fit.
    pub engage_rate: LinearInFit,
    /// Score added on re-entry (capped at 1).
    pub rescore_boost: f64,
    /// Re-entries into outreach a lead may make.
    pub max_reentries: u32,
}
