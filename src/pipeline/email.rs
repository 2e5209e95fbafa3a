//! The email system: one first-come first-served send queue, sends only in
//! working time of the send calendar and at most a daily cap per calendar
//! day; bounces, replies and the conversations they start.

use std::collections::VecDeque;

use rand::Rng;

use super::lead::Fate;
use super::{schedule_wake, Event, Pipeline};
use crate::units::{DAY, HOUR};

/// Drafts waiting to be sent and today's send count.
#[derive(Debug)]
pub struct SendQueue {
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
    /// An empty queue with a daily cap.
    pub fn new(cap: u64) -> Self {
        SendQueue {
            cap,
            queue: VecDeque::new(),
            day: -1,
            sent_today: 0,
            wake_pending: false,
        }
    }
}

impl Pipeline<'_> {
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
                let day = (now / DAY).floor() as i64;
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
            self.email.sent_today += 1;
            self.send(lead);
        }
    }

    /// The irreversible send: the lead's final state is "sent"; its bounce,
    /// reply and conversation are drawn now from its own stream.
    fn send(&mut self, lead: usize) {
        let now = self.now();
        let sc = self.sc;
        let email = &sc.email;
        let mut l = self.finish_lead(lead, Fate::Sent);
        let week = self.counters.week(now);
        week.emails_sent += 1;
        if l.autonomous {
            week.emails_autosent += 1;
        }
        let in_window = self.in_window(now);
        if in_window {
            self.counters.emails_sent += 1;
            if l.autonomous {
                self.counters.emails_autosent += 1;
            }
            if l.fit < self.sc.review.reject_fit_below {
                self.counters.low_fit_sent += 1;
            }
            self.counters.lead_to_send.add((now - l.arrived) / HOUR);
        }
        let rng = &mut l.streams.email;
        if rng.random::<f64>() < email.bounce_rate {
            if in_window {
                self.counters.emails_bounced += 1;
            }
            return;
        }
        let mut p = email.reply_rate.at(l.fit);
        if l.edited {
            p *= email.edited_reply_factor;
        }
        if l.autonomous {
            p *= email.autosend_reply_factor;
        }
        if rng.random::<f64>() >= p.min(1.0) {
            return;
        }
        let delay = email.reply_delay.sample(rng);
        let positive = rng.random::<f64>() < email.positive_share;
        let (conversation, meeting) = if positive {
            let duration = self.sc.conversations.duration.sample(rng);
            (
                duration,
                rng.random::<f64>() < self.sc.conversations.meeting_rate,
            )
        } else {
            (0.0, false)
        };
        self.engine.schedule_after(
            delay,
            Event::Reply {
                positive,
                conversation,
                meeting,
            },
        );
    }

    /// A reply arrives; a positive one becomes a conversation task.
    pub(super) fn reply(&mut self, positive: bool, conversation: f64, meeting: bool) {
        let now = self.now();
        self.counters.week(now).replies += 1;
        if self.in_window(now) {
            self.counters.replies += 1;
            if positive {
                self.counters.positive_replies += 1;
            }
        }
        if positive {
            self.reps.conversations.push_back((conversation, meeting));
            self.dispatch_reps();
        }
    }
}
