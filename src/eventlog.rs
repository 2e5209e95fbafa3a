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

/// One activity instance with its case's attributes.
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
    /// Who did it: `agent-3`, `rep-2`, `mailbox-1`, a provider's name...
    pub resource: String,
    /// Start, in simulated seconds.
    pub start: f64,
    /// End, in simulated seconds.
    pub end: f64,
    /// The lead's segment.
    pub segment: String,
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

/// A row waiting for its case to finish.
#[derive(Debug, Clone)]
struct Pending {
    activity: &'static str,
    detail: &'static str,
    lane: &'static str,
    resource: String,
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
}

/// The event-log recorder of one replication.
pub struct EventLog<'a, S: RowSink> {
    sc: &'a Scenario,
    replication: u32,
    cases: HashMap<u64, Case>,
    sink: S,
}

impl<'a, S: RowSink> EventLog<'a, S> {
    /// A recorder of replication `replication` of `sc` writing to `sink`.
    pub fn new(sc: &'a Scenario, replication: u32, sink: S) -> Self {
        EventLog {
            sc,
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
        if self.cases.contains_key(&lead.key) {
            let name = resource.name(self.sc);
            self.push_row(lead, activity, detail, resource.lane(), name, start, end);
        }
    }

    fn push_named(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        lane: &'static str,
        resource: &str,
        at: f64,
    ) {
        self.push_row(lead, activity, "", lane, resource.to_string(), at, at);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_row(
        &mut self,
        lead: LeadRef,
        activity: &'static str,
        detail: &'static str,
        lane: &'static str,
        resource: String,
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

    fn case(&mut self, lead: LeadRef) -> Option<&mut Case> {
        self.cases.get_mut(&lead.key)
    }

    /// Sends a finished case's rows to the sink.
    fn close(&mut self, lead: LeadRef, outcome: &'static str) {
        let Some(mut case) = self.cases.remove(&lead.key) else {
            return;
        };
        let outcome = case.outcome.unwrap_or(outcome);
        let segment = self
            .sc
            .segments
            .get(case.segment as usize)
            .map_or_else(String::new, |s| s.name.clone());
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
                segment: segment.clone(),
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

impl<S: RowSink> Recorder for EventLog<'_, S> {
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
                ..
            } => {
                self.push(lead, "send", mailbox, now, now);
                if bounced {
                    self.push(lead, "bounce", mailbox, now, now);
                }
                if !reply {
                    self.close(lead, Fate::Sent.name());
                }
            }
            Happening::Reply { lead, positive } => {
                self.push_named(lead, "reply", EXTERNAL, "prospect", now);
                if !positive {
                    self.close(lead, Fate::Sent.name());
                }
            }
            Happening::ConversationStart { lead, .. } => {
                if let Some(c) = self.case(lead) {
                    c.conversation_start = now;
                }
            }
            Happening::ConversationEnd { lead, rep, .. } => {
                let start = self.case(lead).map_or(now, |c| c.conversation_start);
                self.push(lead, "conversation", rep, start, now);
                self.close(lead, Fate::Sent.name());
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
        let millis = (t * 1000.0).round() as i64;
        let days = millis.div_euclid(86_400_000);
        let rest = millis.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(self.epoch_days + days);
        let (h, rest) = (rest / 3_600_000, rest % 3_600_000);
        let (min, rest) = (rest / 60_000, rest % 60_000);
        let (s, ms) = (rest / 1000, rest % 1000);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}+00:00")
    }
}

/// Runs replication `replication` of `sc` with the event log beside the
/// metrics, sending its rows to `sink`; returns the sink.
pub fn log_replication<S: RowSink>(
    sc: &Scenario,
    replication: u32,
    sink: S,
) -> crate::error::Result<S> {
    let mut log = EventLog::new(sc, replication, sink);
    crate::pipeline::run_replication_with(sc, replication, &mut log)?;
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
