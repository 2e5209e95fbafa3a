//! The email system: one first-come first-served send queue of first emails
//! and follow-ups, sends only in working time of the send calendar and at
//! most a daily cap per calendar day; bounces, replies, the follow-up
//! sequence (docs/MODEL.md section 10, "Follow-ups") and the conversations
//! replies start.

use std::collections::VecDeque;

use rand::Rng;

use super::happening::{Fate, Happening, LeadRef, Recorder, Resource};
use super::{schedule_wake, Event, Pipeline};
use crate::rng::{Purpose, Stream};
use crate::units::DAY;

/// What waits in the send queue.
#[derive(Debug, Clone, Copy)]
enum Outgoing {
    /// A first email: the draft of the lead in this slot.
    First(usize),
    /// The next follow-up of the sequence in this slot.
    FollowUp(usize),
}

/// A lead's follow-up sequence after its first email. The lead itself
/// reached its final state, "sent", at the first email; the sequence keeps
/// what the follow-ups need.
#[derive(Debug, Clone)]
struct Sequence {
    lead: LeadRef,
    /// When the first email was sent.
    sent_at: f64,
    /// The first email's reply probability (already capped at 1).
    p_first: f64,
    /// The number of the next follow-up, from 1.
    next: u32,
    /// When the reply drawn for the lead arrives, once one is drawn.
    reply_at: Option<f64>,
    /// The lead's follow-up stream, apart from its first email's draws.
    stream: Stream,
}

/// A reply on its way: what its arrival needs.
#[derive(Debug, Clone, Copy)]
struct PendingReply {
    lead: LeadRef,
    /// When the lead's first email was sent.
    sent_at: f64,
    positive: bool,
    /// The conversation's working time, for a positive reply.
    conversation: f64,
    meeting: bool,
}

/// A slab of records referred to by events, by slot; freed slots are reused.
#[derive(Debug)]
struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    fn insert(&mut self, value: T) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(value);
                i
            }
            None => {
                self.slots.push(Some(value));
                self.slots.len() - 1
            }
        }
    }

    fn remove(&mut self, slot: usize) -> T {
        let value = self.slots[slot]
            .take()
            .expect("an event refers to an occupied slot");
        self.free.push(slot);
        value
    }

    fn at(&mut self, slot: usize) -> &mut T {
        self.slots[slot]
            .as_mut()
            .expect("an event refers to an occupied slot")
    }

    fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

/// What waits to be sent, today's send count, the follow-up sequences in
/// flight and the replies on their way.
#[derive(Debug)]
pub struct SendQueue {
    /// Sending mailboxes; a day's sends go round them in turn.
    mailboxes: u64,
    /// Sends per calendar day: mailboxes x daily cap.
    cap: u64,
    /// First emails and follow-ups waiting, first come first served.
    queue: VecDeque<Outgoing>,
    /// The calendar day of `sent_today`.
    day: i64,
    sent_today: u64,
    /// Follow-up sequences in flight.
    sequences: Slab<Sequence>,
    /// Replies on their way.
    replies: Slab<PendingReply>,
    /// A wake-up is scheduled.
    pub wake_pending: bool,
}

impl SendQueue {
    /// An empty queue for `mailboxes` mailboxes of `daily_cap` sends each.
    pub fn new(mailboxes: u32, daily_cap: u32) -> Self {
        SendQueue {
            mailboxes: u64::from(mailboxes).max(1),
            cap: u64::from(mailboxes) * u64::from(daily_cap),
            queue: VecDeque::new(),
            day: -1,
            sent_today: 0,
            sequences: Slab::default(),
            replies: Slab::default(),
            wake_pending: false,
        }
    }

    /// Follow-up sequences and replies in flight (for the memory guard).
    pub fn in_flight(&self) -> usize {
        self.sequences.len() + self.replies.len()
    }
}

impl<R: Recorder> Pipeline<'_, R> {
    /// Queues an approved, autonomous or human draft for sending.
    pub(super) fn enqueue_send(&mut self, lead: usize, autonomous: bool) {
        self.leads.at(lead).autonomous = autonomous;
        self.email.queue.push_back(Outgoing::First(lead));
        self.dispatch_email();
    }

    /// A follow-up is due: it joins the send queue.
    pub(super) fn follow_up_due(&mut self, seq: usize) {
        self.email.queue.push_back(Outgoing::FollowUp(seq));
        self.dispatch_email();
    }

    /// Sends what the calendar and today's cap allow; otherwise wakes at the
    /// next opening or the next day's. A follow-up whose lead's reply has
    /// arrived (at this instant included) is dropped without using the cap.
    pub(super) fn dispatch_email(&mut self) {
        let now = self.now();
        let sc = self.sc;
        let cal = &sc.email.calendar;
        while let Some(&next) = self.email.queue.front() {
            if let Outgoing::FollowUp(seq) = next {
                let answered = self
                    .email
                    .sequences
                    .at(seq)
                    .reply_at
                    .is_some_and(|t| t <= now);
                if answered {
                    self.email.queue.pop_front();
                    self.end_sequence(seq);
                    continue;
                }
            }
            let wake = if !cal.is_working(now) {
                Some(cal.next_working(now))
            } else {
                // now >= 0, so the cast truncates to the floor.
                let day = (now / DAY) as i64;
                if day != self.email.day {
                    self.email.day = day;
                    self.email.sent_today = 0;
                }
                if self.email.sent_today >= self.email.cap {
                    Some(cal.next_working((day + 1) as f64 * DAY))
                } else {
                    None
                }
            };
            if let Some(t) = wake {
                schedule_wake(
                    &mut self.engine,
                    &mut self.email.wake_pending,
                    t,
                    Event::EmailWake,
                );
                return;
            }
            self.email.queue.pop_front();
            let mailbox = (self.email.sent_today % self.email.mailboxes) as u32;
            self.email.sent_today += 1;
            match next {
                Outgoing::First(lead) => self.send(lead, Resource::Mailbox(mailbox)),
                Outgoing::FollowUp(seq) => self.send_follow_up(seq, Resource::Mailbox(mailbox)),
            }
        }
    }

    /// The irreversible first email: the lead's final state is "sent"; its
    /// bounce and reply are drawn now from its own stream, and unless it
    /// bounced its follow-up sequence starts.
    fn send(&mut self, lead: usize, mailbox: Resource) {
        let sc = self.sc;
        let email = &sc.email;
        let now = self.now();
        let mut l = self.finish_lead(lead, Fate::Sent);
        let lead_ref = l.lead_ref();
        let rng = &mut l.streams.email;
        let bounced = rng.random::<f64>() < email.bounce_rate;
        let mut p_first = email.reply_rate.at(l.fit);
        if l.edited {
            p_first *= email.edited_reply_factor;
        }
        if l.autonomous {
            p_first *= email.autosend_reply_factor;
        }
        let p_first = p_first.min(1.0);
        let reply = !bounced && rng.random::<f64>() < p_first;
        let sequence = !bounced && email.follow_ups > 0;
        self.tell(Happening::Send {
            lead: lead_ref,
            fit: l.fit,
            autonomous: l.autonomous,
            mailbox,
            bounced,
            reply,
            sequence,
        });
        let reply_at = reply.then(|| self.draw_reply(lead_ref, now, rng));
        if sequence {
            let seq = self.email.sequences.insert(Sequence {
                lead: lead_ref,
                sent_at: now,
                p_first,
                next: 1,
                reply_at,
                stream: self.keys.key(lead_ref.key).stream(Purpose::FollowUps),
            });
            self.engine.schedule_after(
                email.follow_up_interval,
                Event::FollowUpDue { seq: seq as u32 },
            );
        }
    }

    /// Follow-up number `next` of a sequence goes out: while no reply has
    /// been drawn for the lead, one is drawn with the first email's
    /// probability times `follow_up_reply_factor`^k; the next follow-up is
    /// due an interval later, or the sequence ends with its last.
    fn send_follow_up(&mut self, seq: usize, mailbox: Resource) {
        let sc = self.sc;
        let email = &sc.email;
        let now = self.now();
        let s = self.email.sequences.at(seq);
        let (lead, k, sent_at) = (s.lead, s.next, s.sent_at);
        let mut reply = false;
        if s.reply_at.is_none() {
            let p = (s.p_first * email.follow_up_reply_factor.powi(k as i32)).min(1.0);
            reply = s.stream.random::<f64>() < p;
        }
        self.tell(Happening::FollowUp {
            lead,
            number: k,
            mailbox,
            reply,
        });
        if reply {
            let mut stream = self.email.sequences.at(seq).stream.clone();
            let at = self.draw_reply(lead, sent_at, &mut stream);
            let s = self.email.sequences.at(seq);
            s.stream = stream;
            s.reply_at = Some(at);
        }
        let s = self.email.sequences.at(seq);
        if k < email.follow_ups {
            s.next = k + 1;
            let due = now + email.follow_up_interval;
            self.engine
                .schedule_at(due, Event::FollowUpDue { seq: seq as u32 });
        } else {
            self.end_sequence(seq);
        }
    }

    /// A sequence is over: its last follow-up went out, or the reply came.
    fn end_sequence(&mut self, seq: usize) {
        let s = self.email.sequences.remove(seq);
        self.tell(Happening::SequenceEnd { lead: s.lead });
    }

    /// Draws a reply from `rng` — its delay, whether it is positive, and for a
    /// positive one the conversation and whether it books a meeting — and
    /// schedules its arrival. Returns the arrival time.
    fn draw_reply(&mut self, lead: LeadRef, sent_at: f64, rng: &mut Stream) -> f64 {
        let sc = self.sc;
        let delay = sc.email.reply_delay.sample(rng);
        let positive = rng.random::<f64>() < sc.email.positive_share;
        let (conversation, meeting) = if positive {
            let duration = sc.conversations.duration.sample(rng);
            (
                duration,
                rng.random::<f64>() < sc.conversations.meeting_rate,
            )
        } else {
            (0.0, false)
        };
        let slot = self.email.replies.insert(PendingReply {
            lead,
            sent_at,
            positive,
            conversation,
            meeting,
        });
        let at = self.now() + delay;
        self.engine
            .schedule_at(at, Event::Reply { slot: slot as u32 });
        at
    }

    /// A reply arrives; a positive one becomes a conversation task.
    pub(super) fn reply(&mut self, slot: usize) {
        let r = self.email.replies.remove(slot);
        self.tell(Happening::Reply {
            lead: r.lead,
            positive: r.positive,
            sent_at: r.sent_at,
        });
        if r.positive {
            self.reps
                .conversations
                .push_back((r.lead, r.conversation, r.meeting));
            self.dispatch_reps();
        }
    }
}
