//! salesim's event log rewritten as a HubSpot activity export: HubSpot's
//! column labels and activity types, numeric record and owner ids, the
//! HubSpot score (0-100) on every row, and timestamps in New York wall
//! time with their offset (-05:00, then -04:00 after the daylight-saving
//! change). What a CRM does not see is left out: the provider calls inside
//! an enrichment, and a reply's sentiment. Rows come newest first, as a
//! HubSpot export lists them, and a few are exported twice.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use salesim::eventlog::{EventRow, Who};
use salesim::pipeline::Resource;

/// The export's columns, in order.
pub const COLUMNS: [&str; 11] = [
    "Record ID",
    "Activity type",
    "Subject",
    "Email send status",
    "Sequence step",
    "Call outcome",
    "Meeting outcome",
    "Activity assigned to",
    "HubSpot score",
    "Start date",
    "Activity date",
];

/// The HubSpot owner id of rep `k` (HubSpot numbers its users' owner ids).
pub fn owner_id(rep: u32) -> String {
    (52_718_433 + 1_117 * u64::from(rep)).to_string()
}

/// The owner id of the integration user the AI agent's tasks are logged as.
pub const AGENT_OWNER: &str = "1002003";

/// The contact's record id of lead `lead`.
fn record_id(lead: u64) -> u64 {
    30_120_001 + lead
}

/// Every how many rows one is exported twice (HubSpot repeats an activity
/// associated with a contact twice).
pub const DUPLICATE_EVERY: usize = 250;

/// The n-th `weekday` of `month` in `year`.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n as u8).expect("a date")
}

/// New York's UTC offset in minutes at the wall time `t`: daylight saving
/// from the second Sunday of March 02:00 to the first Sunday of November
/// 02:00 (the US rule since 2007).
pub fn new_york_offset(t: NaiveDateTime) -> i32 {
    let y = t.year();
    let begin = nth_weekday(y, 3, Weekday::Sun, 2)
        .and_hms_opt(2, 0, 0)
        .expect("02:00");
    let end = nth_weekday(y, 11, Weekday::Sun, 1)
        .and_hms_opt(2, 0, 0)
        .expect("02:00");
    if t >= begin && t < end {
        -240
    } else {
        -300
    }
}

/// `2026-01-05 09:14:05.250-05:00`: simulated seconds `t` from `start`
/// as New York wall time with its offset.
pub fn timestamp(start: NaiveDate, t: f64) -> String {
    let wall = start.and_hms_opt(0, 0, 0).expect("midnight")
        + Duration::milliseconds((t * 1000.0).round() as i64);
    let off = new_york_offset(wall);
    let sign = if off < 0 { '-' } else { '+' };
    format!(
        "{}{sign}{:02}:{:02}",
        wall.format("%Y-%m-%d %H:%M:%S%.3f"),
        off.abs() / 60,
        off.abs() % 60
    )
}

/// One exported row, before it is written.
struct Row {
    end: f64,
    fields: [String; 11],
}

/// The export of `rows` (one replication's event log, cases in the order
/// they finished) as CSV text, with `start` the date of t = 0.
pub fn export(rows: &[EventRow], start: NaiveDate) -> String {
    // A contact's HubSpot score is a property of the contact: every row of
    // the case carries its latest score.
    let mut score: BTreeMap<u64, f64> = BTreeMap::new();
    for r in rows {
        if let Some(s) = r.score {
            score.insert(r.lead, s);
        }
    }
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    let mut sends: BTreeMap<u64, u32> = BTreeMap::new();
    for r in rows {
        let rep = match r.resource {
            Who::Resource(Resource::Rep(k)) => owner_id(k),
            Who::Resource(Resource::Agent(_)) => AGENT_OWNER.to_string(),
            _ => String::new(),
        };
        let (kind, subject, status, step, call, meeting) = match (r.activity, r.detail) {
            ("arrival", _) => ("Contact created", "", "", "", "", ""),
            ("lookup", _) => ("Task", "AI research: company lookup", "", "", "", ""),
            ("enrichment", _) => ("Task", "AI research: enrich contact", "", "", "", ""),
            ("scoring", _) => ("Task", "AI research: score lead", "", "", "", ""),
            ("drafting", _) => ("Task", "AI draft: first email", "", "", "", ""),
            ("review", "approve") => ("Task", "Review AI draft: send as is", "", "", "", ""),
            ("review", "edit") => ("Task", "Review AI draft: needs edits", "", "", "", ""),
            ("review", _) => ("Task", "Review AI draft: discard", "", "", "", ""),
            ("edit", _) => ("Task", "Edit AI draft", "", "", "", ""),
            ("send" | "follow-up", _) => ("Email", "", "SENT", "", "", ""),
            ("bounce", _) => ("Email", "", "BOUNCED", "", "", ""),
            ("reply", _) => ("Incoming email", "", "", "", "", ""),
            ("conversation", _) => ("Call", "Discovery call", "", "", "Connected", ""),
            ("nurture touch", _) => ("Marketing email", "Nurture", "", "", "", ""),
            ("re-entry", _) => ("Form submission", "Nurture", "", "", "", ""),
            // A CRM does not see the provider calls of an enrichment.
            _ => continue,
        };
        let step = match (r.activity, step) {
            ("send" | "follow-up", _) => {
                let n = sends.entry(r.lead).or_insert(0);
                *n += 1;
                n.to_string()
            }
            ("bounce", _) => sends.get(&r.lead).copied().unwrap_or(1).to_string(),
            (_, s) => s.to_string(),
        };
        let owner = match kind {
            // Sequence emails are sent from the contact owner's mailbox, but
            // the export leaves automated rows unassigned.
            "Email" | "Incoming email" | "Marketing email" | "Form submission"
            | "Contact created" => String::new(),
            _ => rep.clone(),
        };
        let score_text = score
            .get(&r.lead)
            .map_or(String::new(), |s| format!("{}", (s * 100.0).round() as i64));
        let start_text = if r.end > r.start {
            timestamp(start, r.start)
        } else {
            String::new()
        };
        let fields = [
            record_id(r.lead).to_string(),
            kind.to_string(),
            subject.to_string(),
            status.to_string(),
            step,
            call.to_string(),
            meeting.to_string(),
            owner,
            score_text.clone(),
            start_text,
            timestamp(start, r.end),
        ];
        out.push(Row { end: r.end, fields });
        if r.activity == "conversation" && r.detail == "meeting" {
            // The meeting the call booked, logged when the call ends.
            out.push(Row {
                end: r.end,
                fields: [
                    record_id(r.lead).to_string(),
                    "Meeting".into(),
                    "Demo".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    "SCHEDULED".into(),
                    rep,
                    score_text,
                    String::new(),
                    timestamp(start, r.end),
                ],
            });
        }
    }
    // Newest first; equal times keep the log's order.
    out.sort_by(|a, b| b.end.total_cmp(&a.end));
    let mut text = COLUMNS.join(",");
    text.push('\n');
    for (i, row) in out.iter().enumerate() {
        let line = row.fields.join(",");
        let _ = writeln!(text, "{line}");
        if (i + 1) % DUPLICATE_EVERY == 0 {
            let _ = writeln!(text, "{line}");
        }
    }
    text
}
