//! The floor: what simulating a scenario's leads costs with no model logic.
//!
//! For each shipped scenario, a census run (untimed) counts, from the model's
//! own happenings, every random draw the replication makes (which
//! distribution, from which of the lead's streams) and how it used the event
//! queue (events scheduled, how many through the heap, how many handled).
//! The floor then replays that budget lead by lead: it seeds each lead's
//! eight streams exactly as the model does, makes the lead's share of every
//! draw from the scenario's own distributions, and schedules and handles the
//! lead's share of events on the same [`Engine`], through the heap (at a
//! time drawn from the lead's durations) and through a lane in the model's
//! proportion, with event records of the model's size. What it leaves out
//! is the model: routing, resources, calendars, the metrics recorder.
//!
//! Prints, per scenario, the model's and the floor's time per replication
//! with leads/s and events/s, and the ratio (issue 13: at most 2x).
//! Run with `cargo bench --bench floor`.

mod common;

use rand::Rng;
use rand_distr::StandardNormal;
use salesim::dist::Dist;
use salesim::engine::{Engine, Lane};
use salesim::pipeline::{
    queue_profile, stage_spec, Answer, Happening, LeadStreams, QueueProfile, Recorder, Resource,
    Stage, Verdict, EVENT_BYTES,
};
use salesim::replication::run as run_replication;
use salesim::rng::{Purpose, ReplicationKey, Stream};
use salesim::scenario::Scenario;

/// Every draw of one replication, counted from its happenings.
#[derive(Debug, Default)]
struct Census {
    arrivals: u64,
    /// Stage durations: [stage][0 agent, 1 rep].
    stages: [[u64; 2]; 4],
    /// Provider calls (one latency each), by provider.
    calls: Vec<u64>,
    /// Uniform draws for provider answers (1 for an error, else 2).
    answer_uniforms: u64,
    /// Scoring noise (one normal per scored lead).
    scorings: u64,
    review_starts: u64,
    /// One normal and one uniform each.
    review_ends: u64,
    edits: u64,
    /// One uniform each; one more when the email did not bounce.
    sends: u64,
    delivered: u64,
    /// Reply delay and a uniform each.
    replies: u64,
    /// Conversation duration and a uniform each.
    positive: u64,
    nurture_touches: u64,
    /// Follow-ups sent: a uniform each (the reply draw while none is drawn).
    follow_ups: u64,
    /// Follow-up sequences started (a follow-up stream seeded for each).
    sequences: u64,
    /// Replies drawn at a follow-up: reply delay and a uniform each.
    follow_up_replies: u64,
    /// Reps' other-work periods: an exponential gap and a block each.
    other_work: u64,
}

impl Recorder for &mut Census {
    fn record(&mut self, _: f64, happening: Happening) {
        match happening {
            Happening::Arrival { .. } => self.arrivals += 1,
            Happening::StageStart {
                stage, resource, ..
            } => {
                let lane = usize::from(matches!(resource, Resource::Rep(_)));
                self.stages[stage as usize][lane] += 1;
            }
            Happening::StageEnd {
                stage: Stage::Scoring,
                ..
            } => self.scorings += 1,
            Happening::ProviderCall {
                provider: Resource::Provider(p),
                ..
            } => {
                let p = p as usize;
                if self.calls.len() <= p {
                    self.calls.resize(p + 1, 0);
                }
                self.calls[p] += 1;
            }
            Happening::ProviderAnswer { answer, .. } => {
                self.answer_uniforms += if answer == Answer::Error { 1 } else { 2 }
            }
            Happening::ReviewStart { .. } => self.review_starts += 1,
            Happening::ReviewEnd { verdict, .. } => {
                self.review_ends += 1;
                self.edits += u64::from(verdict == Verdict::Edited);
            }
            Happening::Send {
                bounced,
                reply,
                sequence,
                ..
            } => {
                self.sends += 1;
                self.delivered += u64::from(!bounced);
                self.replies += u64::from(reply);
                self.sequences += u64::from(sequence);
            }
            Happening::FollowUp { reply, .. } => {
                self.follow_ups += 1;
                self.follow_up_replies += u64::from(reply);
            }
            Happening::OtherWork { .. } => self.other_work += 1,
            Happening::Reply { positive, .. } => self.positive += u64::from(positive),
            Happening::NurtureTouch { .. } => self.nurture_touches += 1,
            _ => {}
        }
    }
}

/// Lead `i`'s share of `total` spread evenly over `n` leads.
fn share(i: u64, total: u64, n: u64) -> u64 {
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n.max(1))) as u64;
    at(i + 1) - at(i)
}

/// The floor's event record: the model's size and alignment.
type Record = [u64; EVENT_BYTES.div_ceil(8)];

/// Draws `n` values from `dist` into the lead's last durations.
fn draw(n: u64, dist: &Dist, rng: &mut Stream, sink: &mut f64, last: &mut f64) {
    for _ in 0..n {
        let v = dist.sample(rng);
        *sink += v;
        *last = v;
    }
}

/// Uniform draws.
fn uniforms(n: u64, rng: &mut Stream, sink: &mut f64) {
    for _ in 0..n {
        *sink += rng.random::<f64>();
    }
}

/// Normal draws.
fn normals(n: u64, rng: &mut Stream, sink: &mut f64) {
    for _ in 0..n {
        *sink += rng.sample::<f64, _>(StandardNormal);
    }
}

/// One replication's worth of draws and queue work, no model: returns
/// (a sum of every draw, the events handled: at most the model's).
fn floor(sc: &Scenario, replication: u32, census: &Census, queue: &QueueProfile) -> (f64, u64) {
    let n = census.arrivals;
    let keys = ReplicationKey::new(sc.run.seed, replication);
    let mut arrivals = keys.key(0).stream(Purpose::Arrivals);
    let mut other_work = keys.key(0).stream(Purpose::OtherWork);
    let mut engine: Engine<Record> = Engine::new();
    let lane = Lane(1);
    let mean_gap = sc.run.horizon / n.max(1) as f64;
    let (mut t, mut sink, mut handled) = (0.0f64, 0.0f64, 0u64);
    for i in 0..n {
        // The arrival: an exponential gap.
        let u: f64 = arrivals.random();
        t += -mean_gap * (1.0 - u).ln();
        while handled < queue.processed {
            let Some((_, record)) = engine.next_before(t).unwrap_or(None) else {
                break;
            };
            handled += 1;
            sink += record[0] as f64;
        }
        // The lead's attributes and its manual counterfactual.
        let key = keys.key(i);
        let mut attributes = key.stream(Purpose::Attributes);
        let segment = sc.segment_at(attributes.random());
        sink += sc.segments[segment].fit.sample(&mut attributes);
        let mut cf = key.stream(Purpose::Counterfactual);
        let mut last = 1.0;
        for stage in Stage::ALL {
            let (_, _, manual) = stage_spec(sc, stage);
            draw(1, manual, &mut cf, &mut sink, &mut last);
        }
        uniforms(1, &mut cf, &mut sink);
        normals(1, &mut cf, &mut sink);
        // The lead's share of every other draw, from its own streams.
        let mut s = LeadStreams::new(key);
        let part = |total| share(i, total, n);
        for stage in Stage::ALL {
            let (_, agent, manual) = stage_spec(sc, stage);
            for (lane, dist) in [agent, manual].into_iter().enumerate() {
                let k = part(census.stages[stage as usize][lane]);
                draw(k, dist, &mut s.durations, &mut sink, &mut last);
            }
        }
        for (p, &calls) in census.calls.iter().enumerate() {
            let latency = &sc.enrichment.providers[p].latency;
            draw(part(calls), latency, &mut s.providers, &mut sink, &mut last);
        }
        uniforms(part(census.answer_uniforms), &mut s.providers, &mut sink);
        normals(part(census.scorings), &mut s.scoring, &mut sink);
        let review = &sc.review;
        let k = part(census.review_starts);
        draw(k, &review.duration, &mut s.review, &mut sink, &mut last);
        let k = part(census.review_ends);
        normals(k, &mut s.review, &mut sink);
        uniforms(k, &mut s.review, &mut sink);
        draw(
            part(census.edits),
            &review.edit,
            &mut s.review,
            &mut sink,
            &mut last,
        );
        let k = part(census.sends) + part(census.delivered);
        uniforms(k, &mut s.email, &mut sink);
        let email = &sc.email;
        let k = part(census.replies);
        draw(k, &email.reply_delay, &mut s.email, &mut sink, &mut last);
        uniforms(k, &mut s.email, &mut sink);
        let k = part(census.positive);
        let conversation = &sc.conversations.duration;
        draw(k, conversation, &mut s.email, &mut sink, &mut last);
        uniforms(k, &mut s.email, &mut sink);
        uniforms(part(census.nurture_touches), &mut s.nurture, &mut sink);
        // Follow-ups: a stream per sequence, a uniform per follow-up, a
        // reply delay and a uniform per reply drawn at one.
        if part(census.sequences) > 0 {
            let mut f = key.stream(Purpose::FollowUps);
            uniforms(part(census.follow_ups), &mut f, &mut sink);
            let k = part(census.follow_up_replies);
            draw(k, &email.reply_delay, &mut f, &mut sink, &mut last);
            uniforms(k, &mut f, &mut sink);
        }
        // Reps' other work: an exponential gap and a block per period.
        if let Some(ow) = &sc.reps.other_work {
            let k = part(census.other_work);
            uniforms(k, &mut other_work, &mut sink);
            draw(k, &ow.block, &mut other_work, &mut sink, &mut last);
        }
        // The lead's share of the queue work: heap events at a time drawn
        // from its durations, the rest through a lane.
        let heap = part(queue.through_heap);
        let scheduled = part(queue.scheduled);
        for k in 0..scheduled {
            let record = [k; EVENT_BYTES.div_ceil(8)];
            if k < heap {
                engine.schedule_at(t + last * (k + 1) as f64, record);
            } else {
                engine.schedule_at_in(lane, t, record);
            }
        }
    }
    while handled < queue.processed {
        let Some((_, record)) = engine.next_before(sc.run.horizon).unwrap_or(None) else {
            break;
        };
        handled += 1;
        sink += record[0] as f64;
    }
    (sink, handled)
}

fn main() {
    println!(
        "{:<24} {:>10} {:>10} {:>6}  {:>12} {:>12} {:>13}",
        "scenario", "model", "floor", "ratio", "leads/s", "floor leads/s", "model events/s"
    );
    for path in common::shipped() {
        let sc = common::load(&path);
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let mut census = Census::default();
        let queue = queue_profile(&sc, 0, &mut census).unwrap_or_else(|e| common::fail(e));
        // One replication of the model first, to pick the repeats.
        let started = std::time::Instant::now();
        let rep = run_replication(&sc, 0).unwrap_or_else(|e| common::fail(e));
        let repeats = common::repeats_for(started.elapsed().as_secs_f64(), 0.5);
        let (model, model_fastest) = common::time(repeats, || run_replication(&sc, 0));
        let (floor_time, floor_fastest) = common::time(repeats, || floor(&sc, 0, &census, &queue));
        let (_, handled) = floor(&sc, 0, &census, &queue);
        let leads = common::leads(&rep);
        assert_eq!(leads, census.arrivals, "the census saw every arrival");
        println!(
            "{:<24} {:>10} {:>10} {:>5.2}x  {:>12.0} {:>12.0} {:>13.0}",
            name,
            common::duration(model_fastest),
            common::duration(floor_fastest),
            model_fastest / floor_fastest,
            leads as f64 / model,
            leads as f64 / floor_time,
            rep.events as f64 / model,
        );
        println!(
            "{:<24} {} events handled ({} scheduled, {:.1}% through the heap); the floor handled {}",
            "",
            rep.events,
            queue.scheduled,
            100.0 * queue.through_heap as f64 / queue.scheduled.max(1) as f64,
            handled
        );
    }
}
