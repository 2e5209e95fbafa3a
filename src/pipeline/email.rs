//! The email system: one first-come first-served send queue, sends only in
//! working time of the send calendar and at most a daily cap per calendar
//! day; bounces, replies and the conversations they start.

use std::collections::VecDeque;

use rand::Rng;

use super::happening::{Fate, Happening, LeadRef, Recorder, Resource};
use super::{schedule_wake, Event, Pipeline};
use crate::units::DAY;

/// Drafts waiting to be sent and today's send count.
#[derive(Debug)]
pub struct SendQueue {
    /// Sending mailboxes; a day's sends go round them in turn.
    mailboxes: u64,
    /// Sends per calendar day: mailboxes x daily cap.
    cap: u64,
    /// Leads waiting to be sent, by slot.
    queue: VecDeque<usize>,
    /// The calendar day of `sent_today`.
    day: i64,
    sent_today: u64,
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
            wake_pending: false,
        }
    }
}

impl<R: Recorder> Pipeline<'_, R> {
    /// Queues an approved, autonomous or human draft for sending.
    pub(super) fn enqueue_send(&mut self, lead: usize, autonomous: bool) {
        self.leads.at(lead).autonomous = autonomous;
        self.email.queue.push_back(lead);
        self.dispatch_email();
    }

    /// Sends what the calendar and today's cap allow; otherwise wakes at the
    /// next opening or the next day's.
    pub(super) fn dispatch_email(&mut self) {
        let now = self.now();
        let sc = self.sc;
        let cal = &sc.email.calendar;
        while let Some(&lead) = self.email.queue.front() {
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
            self.send(lead, Resource::Mailbox(mailbox));
        }
    }

    /// The irreversible send: the lead's final state is "sent"; its bounce,
    /// reply and conversation are drawn now from its own stream.
    fn send(&mut self, lead: usize, mailbox: Resource) {
        let sc = self.sc;
        let email = &sc.email;
        let mut l = self.finish_lead(lead, Fate::Sent);
        let lead_ref = l.lead_ref();
        let rng = &mut l.streams.email;
        let bounced = rng.random::<f64>() < email.bounce_rate;
        let reply = !bounced && {
            let mut p = email.reply_rate.at(l.fit);
            if l.edited {
                p *= email.edited_reply_factor;
            }
            if l.autonomous {
                p *= email.autosend_reply_factor;
            }
            rng.random::<f64>() < p.min(1.0)
        };
        self.tell(Happening::Send {
            lead: lead_ref,
            fit: l.fit,
            autonomous: l.autonomous,
            mailbox,
            bounced,
            reply,
        });
        if !reply {
            return;
        }
        let delay = email.reply_delay.sample(rng);
        let positive = rng.random::<f64>() < email.positive_share;
        let (conversation, meeting) = if positive {
            let duration = sc.conversations.duration.sample(rng);
            (
                duration,
                rng.random::<f64>() < sc.conversations.meeting_rate,
            )
        } else {
            (0.0, false)
        };
        self.engine.schedule_after(
            delay,
            Event::Reply {
                lead: lead_ref,
                positive,
                conversation,
                meeting,
            },
        );
    }

    /// A reply arrives; a positive one becomes a conversation task.
    pub(super) fn reply(
        &mut self,
        lead: LeadRef,
        positive: bool,
        conversation: f64,
        meeting: bool,
    ) {
        self.tell(Happening::Reply { lead, positive });
        if positive {
            self.reps
                .conversations
                .push_back((lead, conversation, meeting));
            self.dispatch_reps();
        }
    }
}
