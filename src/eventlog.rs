//! The event log: a second recorder on the pipeline's seam that turns
//! happenings into one row per activity instance in process-mining columns
//! (docs/MODEL.md section 11): case, activity, lane, resource, start and end,
//! and the case attributes segment, true fit, score and outcome.
//!
//! A case's rows wait until its outcome is known (its final state, or the
//! end of its reply and conversation), then go to a [`RowSink`] in end-time
//! order. Only cases in flight are held, so memory does not grow with the
//! horizon; the sink streams rows to files in batches.

use std::collections::HashMap;

use crate::pipeline::{Answer, Fate, Happening, LeadRef, Recorder, Resource, Verdict};
use crate::scenario::Scenario;
use crate::units::civil_from_days;

/// Who did an activity: a resource of the model (named when written, from
/// the scenario), or a fixed name (`crm`, `gate`, `prospect`...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Who {
    /// An agent slot, rep, mailbox, provider or the nurture sequence.
    Resource(Resource),
    /// A named system or party.
    Named(&'static str),
}

impl Who {
    /// The name written in the log: `agent-3`, `rep-2`, `mailbox-1`, a
    /// provider's own name from the scenario, `nurture`, or the fixed name.
    pub fn name(self, sc: &Scenario) -> String {
        match self {
            Who::Resource(r) => r.name(sc),
            Who::Named(n) => n.to_string(),
        }
    }
}

/// One activity instance with its case's attributes. Names are kept as
/// indices and `&'static str` until the row is written, so recording a row
/// allocates nothing of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// The replication.
    pub replication: u32,
    /// The lead's arrival ordinal in the replication.
    pub lead: u64,
    /// What happened, as named in the model (`review`, `send`...).
    pub activity: &'static str,
    /// How it turned out, where that varies: a provider's `match`, `miss`
    /// or `error`; a review's `approve`, `edit` or `discard`; else empty.
    pub detail: &'static str,
    /// `agent`, `human`, `system` or `external`.
    pub lane: &'static str,
    /// Who did it.
    pub resource: Who,
    /// Start, in simulated seconds.
    pub start: f64,
    /// End, in simulated seconds.
    pub end: f64,
    /// The lead's segment, by its index in the scenario.
    pub segment: u32,
    /// Its true fit.
    pub true_fit: f64,
    /// Its last score, once scored.
    pub score: Option<f64>,
    /// Its final state, or `in progress` at the horizon.
    pub outcome: &'static str,
}

/// Where finished rows go (a file writer, or a test's vector).
pub trait RowSink {
    /// Takes rows of one finished case, in end-time order.
    fn rows(&mut self, rows: Vec<EventRow>);
}

impl RowSink for Vec<EventRow> {
    fn rows(&mut self, mut rows: Vec<EventRow>) {
        self.append(&mut rows);
    }
}

/// The rows of one replication, held with their cases' boundaries until
/// they can go to the real sink in replication order.
#[derive(Debug, Default)]
pub struct CaseRows {
    rows: Vec<EventRow>,
    /// The number of rows of each case, in the order the cases closed.
    cases: Vec<usize>,
}

impl RowSink for CaseRows {
    fn rows(&mut self, mut rows: Vec<EventRow>) {
        self.cases.push(rows.len());
        self.rows.append(&mut rows);
    }
}

impl CaseRows {
    /// Sends the rows to `sink` case by case, as the recorder sent them.
    pub fn replay(self, sink: &mut dyn RowSink) {
        let mut rows = self.rows.into_iter();
        for n in self.cases {
            sink.rows(rows.by_ref().take(n).collect());
        }
    }
}

/// A row waiting for its case to finish.
#[derive(Debug, Clone)]
struct Pending {
    activity: &'static str,
    detail: &'static str,
    lane: &'static str,
    resource: Who,
    start: f64,
    end: f64,
}

/// A case in flight.
#[derive(Debug, Default)]
struct Case {
    segment: u32,
    fit: f64,
    score: Option<f64>,
    outcome: Option<&'static str>,
    rows: Vec<Pending>,
    /// Start of the stage, call, review, edit or conversation under way.
    stage_start: f64,
    call_start: f64,
    review_start: f64,
    edit_start: f64,
    conversation_start: f64,
    /// A sent lead's case stays open while a reply is on its way, its
    /// follow-up sequence runs, or a conversation waits or goes on.
    reply_pending: bool,
    sequence_open: bool,
    talking: bool,
}

impl Case {
    /// True when nothing more can happen to a sent lead.
    fn done(&self) -> bool {
        !(self.reply_pending || self.sequence_open || self.talking)
    }
}

/// The event-log recorder of one replication.
pub struct EventLog<S: RowSink> {
    replication: u32,
    cases: HashMap<u64, Case>,
    sink: S,
}

impl<S: RowSink> EventLog<S> {
    /// A recorder of replication `replication` writing to `sink`.
    pub fn new(replication: u32, sink: S) -> Self {
        EventLog {
            replication,
            cases: HashMap::new(),
            sink,
        }
    }

    fn push(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        resource: Resource,
        start: f64,
        end: f64,
    ) {
        self.push_detail(lead, activity, "", resource, start, end);
    }

    fn push_detail(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        detail: &'static str,
        resource: Resource,
        start: f64,
        end: f64,
    ) {
        self.push_row(
            lead,
            activity,
            detail,
            resource.lane(),
            Who::Resource(resource),
            start,
            end,
        );
    }

    fn push_named(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        lane: &'static str,
        resource: &'static str,
        at: f64,
    ) {
        self.push_row(lead, activity, "", lane, Who::Named(resource), at, at);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_row(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        detail: &'static str,
        lane: &'static str,
        resource: Who,
        start: f64,
        end: f64,
    ) {
        if let Some(case) = self.cases.get_mut(&lead.key) {
            case.rows.push(Pending {
                activity,
                detail,
                lane,
                resource,
                start,
                end,
            });
        }
    }

    /// Closes a sent lead's case once nothing more can happen to it.
    fn close_if_done(&mut self, lead: LeadRef) {
        if self.cases.get(&lead.key).is_some_and(Case::done) {
            self.close(lead, Fate::Sent.name());
        }
    }

    fn case(&mut self, lead: LeadRef) -> Option<&mut Case> {
        self.cases.get_mut(&lead.key)
    }

    /// Sends a finished case's rows to the sink.
    fn close(&mut self, lead: LeadRef, outcome: &'static str) {
        let Some(mut case) = self.cases.remove(&lead.key) else {
            return;
        };
        let outcome = case.outcome.unwrap_or(outcome);
        case.rows
            .sort_by(|a, b| a.end.total_cmp(&b.end).then(a.start.total_cmp(&b.start)));
        let rows = case
            .rows
            .into_iter()
            .map(|p| EventRow {
                replication: self.replication,
                lead: lead.key,
                activity: p.activity,
                detail: p.detail,
                lane: p.lane,
                resource: p.resource,
                start: p.start,
                end: p.end,
                segment: case.segment,
                true_fit: case.fit,
                score: case.score,
                outcome,
            })
            .collect();
        self.sink.rows(rows);
    }

    /// Closes the cases still open at the horizon (sent leads awaiting a
    /// reply or a conversation) and returns the sink.
    pub fn finish(mut self) -> S {
        let mut open: Vec<u64> = self.cases.keys().copied().collect();
        open.sort_unstable();
        for key in open {
            let lead = LeadRef { key, arrived: 0.0 };
            self.close(lead, "in progress");
        }
        self.sink
    }
}

const SYSTEM: &str = "system";
const EXTERNAL: &str = "external";

impl<S: RowSink> Recorder for EventLog<S> {
    fn record(&mut self, now: f64, happening: Happening) {
        match happening {
            Happening::Arrival {
                lead, segment, fit, ..
            } => {
                self.cases.insert(
                    lead.key,
                    Case {
                        segment,
                        fit,
                        ..Case::default()
                    },
                );
                self.push_named(lead, "arrival", SYSTEM, "crm", now);
            }
            Happening::StageStart { lead, .. } => {
                if let Some(c) = self.case(lead) {
                    c.stage_start = now;
                }
            }
            Happening::StageEnd {
                lead,
                stage,
                resource,
            } => {
                let start = self.case(lead).map_or(now, |c| c.stage_start);
                self.push(lead, stage.name(), resource, start, now);
            }
            Happening::ProviderCall { lead, .. } => {
                if let Some(c) = self.case(lead) {
                    c.call_start = now;
                }
            }
            Happening::ProviderAnswer {
                lead,
                provider,
                answer,
            } => {
                let start = self.case(lead).map_or(now, |c| c.call_start);
                let detail = match answer {
                    Answer::Match => "match",
                    Answer::Miss => "miss",
                    Answer::Error => "error",
                };
                self.push_detail(lead, "provider call", detail, provider, start, now);
            }
            Happening::Gate { lead, score, .. } => {
                if let Some(c) = self.case(lead) {
                    c.score = Some(score);
                }
                self.push_named(lead, "gate decision", "agent", "gate", now);
            }
            Happening::ReviewQueued { .. } => {}
            Happening::ReviewStart { lead, .. } => {
                if let Some(c) = self.case(lead) {
                    c.review_start = now;
                }
            }
            Happening::ReviewEnd {
                lead, rep, verdict, ..
            } => {
                let start = self.case(lead).map_or(now, |c| c.review_start);
                let detail = match verdict {
                    Verdict::Discarded => "discard",
                    Verdict::Approved => "approve",
                    Verdict::Edited => "edit",
                };
                self.push_detail(lead, "review", detail, rep, start, now);
                if let Some(c) = self.case(lead) {
                    c.edit_start = now;
                }
            }
            Happening::EditEnd { lead, rep } => {
                let start = self.case(lead).map_or(now, |c| c.edit_start);
                self.push(lead, "edit", rep, start, now);
            }
            Happening::Expired { lead } => {
                self.push_named(lead, "expiry", SYSTEM, "review queue", now);
            }
            Happening::Send {
                lead,
                mailbox,
                bounced,
                reply,
                sequence,
                ..
            } => {
                self.push(lead, "send", mailbox, now, now);
                if bounced {
                    self.push(lead, "bounce", mailbox, now, now);
                }
                if let Some(c) = self.case(lead) {
                    c.reply_pending = reply;
                    c.sequence_open = sequence;
                }
                self.close_if_done(lead);
            }
            Happening::FollowUp {
                lead,
                mailbox,
                reply,
                ..
            } => {
                self.push(lead, "follow-up", mailbox, now, now);
                if let Some(c) = self.case(lead) {
                    c.reply_pending |= reply;
                }
            }
            Happening::SequenceEnd { lead } => {
                if let Some(c) = self.case(lead) {
                    c.sequence_open = false;
                }
                self.close_if_done(lead);
            }
            Happening::Reply { lead, positive, .. } => {
                let detail = if positive { "positive" } else { "not positive" };
                self.push_row(
                    lead,
                    "reply",
                    detail,
                    EXTERNAL,
                    Who::Named("prospect"),
                    now,
                    now,
                );
                if let Some(c) = self.case(lead) {
                    c.reply_pending = false;
                    c.talking = positive;
                }
                self.close_if_done(lead);
            }
            Happening::OtherWork { .. } => {}
            Happening::ConversationStart { lead, .. } => {
                if let Some(c) = self.case(lead) {
                    c.conversation_start = now;
                }
            }
            Happening::ConversationEnd { lead, rep, meeting } => {
                let start = self.case(lead).map_or(now, |c| c.conversation_start);
                let detail = if meeting { "meeting" } else { "no meeting" };
                self.push_detail(lead, "conversation", detail, rep, start, now);
                if let Some(c) = self.case(lead) {
                    c.talking = false;
                }
                self.close_if_done(lead);
            }
            Happening::NurtureStart { .. } => {}
            Happening::NurtureTouch { lead, reentry, .. } => {
                self.push(lead, "nurture touch", Resource::Nurture, now, now);
                if reentry {
                    self.push(lead, "re-entry", Resource::Nurture, now, now);
                }
            }
            Happening::Fate { lead, fate } => {
                if let Some(c) = self.case(lead) {
                    c.outcome = Some(fate.name());
                }
                // A sent lead's case goes on with the send and any reply.
                if fate != Fate::Sent {
                    self.close(lead, fate.name());
                }
            }
            Happening::InProgress { lead } => self.close(lead, "in progress"),
            Happening::Busy { .. } => {}
        }
    }
}

/// Simulated seconds as ISO 8601 timestamps from a start date.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Days from 1970-01-01 to the start date.
    epoch_days: i64,
}

impl Clock {
    /// The clock whose t = 0 is midnight at the start of `start_date`
    /// (`run.start_date`).
    pub fn new(start_date: chrono::NaiveDate) -> Clock {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a date");
        Clock {
            epoch_days: start_date.signed_duration_since(epoch).num_days(),
        }
    }

    /// `t` seconds after the start as `2026-01-05T09:00:00.000+00:00`.
    pub fn iso(&self, t: f64) -> String {
        let mut out = String::with_capacity(29);
        self.write_iso(t, &mut out);
        out
    }

    /// Appends [`Clock::iso`] of `t` to `out`, without allocating (the
    /// event log writes two timestamps a row).
    pub fn write_iso(&self, t: f64, out: &mut String) {
        let millis = (t * 1000.0).round() as i64;
        let days = millis.div_euclid(86_400_000);
        let rest = millis.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(self.epoch_days + days);
        let (h, rest) = (rest / 3_600_000, rest % 3_600_000);
        let (min, rest) = (rest / 60_000, rest % 60_000);
        let (s, ms) = (rest / 1000, rest % 1000);
        if !(0..=9999).contains(&y) {
            use std::fmt::Write;
            let _ = write!(out, "{y:04}");
        } else {
            push_digits(out, y, 4);
        }
        let parts = [
            (b'-', m as i64, 2),
            (b'-', d as i64, 2),
            (b'T', h, 2),
            (b':', min, 2),
            (b':', s, 2),
            (b'.', ms, 3),
        ];
        for (sep, value, width) in parts {
            out.push(sep as char);
            push_digits(out, value, width);
        }
        out.push_str("+00:00");
    }
}

/// Appends `value` (0 <= value < 10^width) as `width` decimal digits.
fn push_digits(out: &mut String, value: i64, width: u32) {
    let mut div = 10i64.pow(width - 1);
    while div > 0 {
        out.push((b'0' + ((value / div) % 10) as u8) as char);
        div /= 10;
    }
}

/// Runs replication `replication` of `sc` with the event log beside the
/// metrics, sending its rows to `sink`; returns the sink.
pub fn log_replication<S: RowSink>(
    sc: &Scenario,
    replication: u32,
    sink: S,
) -> crate::error::Result<S> {
    let log = EventLog::new(replication, sink);
    let log = crate::pipeline::simulate(sc, replication, log)?.recorder;
    Ok(log.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_embedded;
    use chrono::Datelike;

    fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_timestamps_count_from_the_start_date() {
        let clock = Clock::new(date(2026, 1, 5));
        assert_eq!(clock.iso(0.0), "2026-01-05T00:00:00.000+00:00");
        assert_eq!(
            clock.iso(9.0 * 3600.0 + 0.25),
            "2026-01-05T09:00:00.250+00:00"
        );
        // 26 weeks later, across a month and a year boundary elsewhere.
        assert_eq!(
            clock.iso(26.0 * 7.0 * 86_400.0),
            "2026-07-06T00:00:00.000+00:00"
        );
        let clock = Clock::new(date(2024, 12, 30));
        assert_eq!(clock.iso(3.0 * 86_400.0), "2025-01-02T00:00:00.000+00:00");
        assert_eq!(clock.iso(61.0 * 86_400.0), "2025-03-01T00:00:00.000+00:00");
    }

    #[test]
    fn fast_timestamps_match_formatted_ones() {
        let clock = Clock::new(date(2024, 12, 30));
        let mut t = 0.0;
        while t < 3.0e8 {
            let millis = (t * 1000.0_f64).round() as i64;
            let (y, m, d) = civil_from_days(clock.epoch_days + millis.div_euclid(86_400_000));
            let rest = millis.rem_euclid(86_400_000);
            let expected = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+00:00",
                rest / 3_600_000,
                rest % 3_600_000 / 60_000,
                rest % 60_000 / 1000,
                rest % 1000
            );
            assert_eq!(clock.iso(t), expected, "{t}");
            t = t * 1.37 + 0.123;
        }
    }

    #[test]
    fn iso_dates_agree_with_chrono_across_year_boundaries() {
        // Every Monday from 1899 to 2101 as a start, and the days around
        // the next New Year from it.
        let mut start = date(1899, 1, 2);
        while start < date(2101, 1, 1) {
            let clock = Clock::new(start);
            let new_year = date(start.year() + 1, 1, 1);
            let to_new_year = new_year.signed_duration_since(start).num_days();
            for day in [0, 1, 6, to_new_year - 1, to_new_year, to_new_year + 59] {
                let expected = start + chrono::Days::new(day as u64);
                assert_eq!(
                    clock.iso(day as f64 * 86_400.0 + 3_600.5),
                    expected.format("%Y-%m-%dT01:00:00.500+00:00").to_string(),
                    "{start} + {day} days"
                );
            }
            start = start + chrono::Days::new(7);
        }
    }

    #[test]
    fn every_case_has_one_arrival_and_rows_in_time_order() {
        let sc = load_embedded(&[]).unwrap().scenario;
        let rows = log_replication(&sc, 0, Vec::new()).unwrap();
        let mut by_case: HashMap<u64, Vec<&EventRow>> = HashMap::new();
        for r in &rows {
            by_case.entry(r.lead).or_default().push(r);
        }
        for (lead, case) in &by_case {
            assert_eq!(
                case.iter().filter(|r| r.activity == "arrival").count(),
                1,
                "lead {lead}"
            );
            assert!(case.windows(2).all(|w| w[0].end <= w[1].end), "lead {lead}");
            assert!(case.iter().all(|r| r.start <= r.end));
            let outcome = case[0].outcome;
            assert!(case.iter().all(|r| r.outcome == outcome));
        }
        let outcomes: std::collections::HashSet<&str> = rows.iter().map(|r| r.outcome).collect();
        for o in ["sent", "dormant", "unreachable"] {
            assert!(outcomes.contains(o), "{o}");
        }
    }
}
