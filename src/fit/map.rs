//! What the rows of a log mean: the model's happenings, the columns that
//! hold case, activity and time, and `MAP.toml`, which maps a team's own
//! activity names (HubSpot, Salesforce, Outreach...) to happenings
//! (docs/MODEL.md section 12).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// Something the model knows happened to a lead. The order is the order
/// rows at one instant are read in (a send before its bounce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Happening {
    /// The lead entered the CRM: its arrival.
    LeadCreated,
    /// Data lookup (a prep stage).
    Lookup,
    /// Enrichment (a prep stage).
    Enrichment,
    /// A call to an external data provider (inside enrichment).
    ProviderCall,
    /// Scoring (a prep stage).
    Scoring,
    /// Drafting (a prep stage).
    Drafting,
    /// A review that approved the draft as it was.
    ReviewApproved,
    /// A review that approved the draft after an edit.
    ReviewEdited,
    /// A review that discarded the draft.
    ReviewDiscarded,
    /// The edit after a review.
    Edit,
    /// An outbound email that is the first of its case.
    FirstEmail,
    /// An automated follow-up email.
    FollowUp,
    /// An outbound email: the case's first is its first email, later
    /// ones are follow-ups.
    Email,
    /// The first email bounced.
    Bounce,
    /// A reply whose sentiment the row does not say (a conversation after
    /// it makes it positive).
    Reply,
    /// A positive reply.
    ReplyPositive,
    /// A reply that is not positive.
    ReplyNotPositive,
    /// A conversation with the prospect (a rep's task).
    Conversation,
    /// A conversation that booked a meeting.
    ConversationMeeting,
    /// A conversation that booked no meeting.
    ConversationNoMeeting,
    /// A meeting booked.
    Meeting,
    /// A nurture touch.
    NurtureTouch,
    /// The lead engaged with a nurture touch (and re-entered outreach).
    NurtureEngagement,
}

/// Every happening with its name in `MAP.toml`.
pub const NAMES: [(Happening, &str); 23] = [
    (Happening::LeadCreated, "lead created"),
    (Happening::Lookup, "lookup"),
    (Happening::Enrichment, "enrichment"),
    (Happening::ProviderCall, "provider call"),
    (Happening::Scoring, "scoring"),
    (Happening::Drafting, "drafting"),
    (Happening::ReviewApproved, "review approved"),
    (Happening::ReviewEdited, "review edited"),
    (Happening::ReviewDiscarded, "review discarded"),
    (Happening::Edit, "edit"),
    (Happening::FirstEmail, "first email"),
    (Happening::FollowUp, "follow-up"),
    (Happening::Email, "email"),
    (Happening::Bounce, "bounce"),
    (Happening::Reply, "reply"),
    (Happening::ReplyPositive, "reply positive"),
    (Happening::ReplyNotPositive, "reply not positive"),
    (Happening::Conversation, "conversation"),
    (Happening::ConversationMeeting, "conversation with meeting"),
    (
        Happening::ConversationNoMeeting,
        "conversation without meeting",
    ),
    (Happening::Meeting, "meeting"),
    (Happening::NurtureTouch, "nurture touch"),
    (Happening::NurtureEngagement, "nurture engagement"),
];

impl Happening {
    /// Its name in `MAP.toml`.
    pub fn name(self) -> &'static str {
        NAMES[self as usize].1
    }

    /// The happening of a code stored in a row.
    pub fn from_code(code: u8) -> Option<Happening> {
        NAMES.get(code as usize).map(|(h, _)| *h)
    }

    /// The happening named `name` in `MAP.toml`.
    pub fn named(name: &str) -> Option<Happening> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(h, _)| *h)
    }

    /// A rep's own work: its rows name a rep, and its times say when reps work.
    pub fn is_rep_work(self) -> bool {
        matches!(
            self,
            Happening::ReviewApproved
                | Happening::ReviewEdited
                | Happening::ReviewDiscarded
                | Happening::Edit
                | Happening::Conversation
                | Happening::ConversationMeeting
                | Happening::ConversationNoMeeting
        )
    }

    /// A prep stage (lookup, enrichment, scoring, drafting).
    pub fn is_prep(self) -> bool {
        matches!(
            self,
            Happening::Lookup | Happening::Enrichment | Happening::Scoring | Happening::Drafting
        )
    }

    /// An outbound email of a sequence.
    pub fn is_send(self) -> bool {
        matches!(
            self,
            Happening::FirstEmail | Happening::FollowUp | Happening::Email
        )
    }

    /// A reply of any sentiment.
    pub fn is_reply(self) -> bool {
        matches!(
            self,
            Happening::Reply | Happening::ReplyPositive | Happening::ReplyNotPositive
        )
    }

    /// A conversation, whatever it booked.
    pub fn is_conversation(self) -> bool {
        matches!(
            self,
            Happening::Conversation
                | Happening::ConversationMeeting
                | Happening::ConversationNoMeeting
        )
    }
}

/// What a mapped row is: a happening, or deliberately left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The row is this happening.
    Is(Happening),
    /// The row is known and not used (`happening = "ignore"`).
    Ignore,
}

/// Who did a prep stage, when the map says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneHint {
    /// A rep (the manual process).
    Human,
    /// An agent (a pilot).
    Agent,
}

/// One entry of the map: rows of activity `name` (and, with `when`, whose
/// column holds a value) are `target`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The activity name in the log.
    pub name: String,
    /// The other column and the value it must hold, if any.
    pub when: Option<(String, String)>,
    /// What the rows are.
    pub target: Target,
    /// The lane of a prep stage, if the map says.
    pub lane: Option<LaneHint>,
}

/// Column names, each given on the command line, in `MAP.toml`'s
/// `[columns]`, or found among the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnNames {
    /// The case (lead, contact).
    pub case: Option<String>,
    /// The activity name.
    pub activity: Option<String>,
    /// The timestamp (the end of the activity).
    pub time: Option<String>,
    /// The start timestamp (optional).
    pub start_time: Option<String>,
    /// The resource (rep, owner; optional).
    pub resource: Option<String>,
    /// The lead score, a case attribute (optional; only when named).
    pub score: Option<String>,
    /// The lane (`agent` / `human`) of salesim's own log (optional).
    pub lane: Option<String>,
}

/// Default column names, first found wins: pm4py/XES ones, then salesim's
/// own event log's (docs/MODEL.md section 11).
pub const DEFAULT_CASE: [&str; 2] = ["case:concept:name", "case_id"];
/// See [`DEFAULT_CASE`].
pub const DEFAULT_ACTIVITY: [&str; 2] = ["concept:name", "activity"];
/// See [`DEFAULT_CASE`].
pub const DEFAULT_TIME: [&str; 2] = ["time:timestamp", "end_time"];
/// See [`DEFAULT_CASE`].
pub const DEFAULT_START: [&str; 3] = ["start_timestamp", "start_time", "time:start"];
/// See [`DEFAULT_CASE`].
pub const DEFAULT_RESOURCE: [&str; 2] = ["org:resource", "resource"];
/// See [`DEFAULT_CASE`].
pub const DEFAULT_LANE: [&str; 1] = ["lane"];

/// The map: entries by activity name, in the order given, and the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// Where it came from (`MAP.toml`'s path or `<salesim event log>`).
    pub origin: String,
    /// Column names from `[columns]`.
    pub columns: ColumnNames,
    /// The largest value of the score column (100 for a 0-100 score): the
    /// score read is divided by it.
    pub score_max: f64,
    /// Entries by activity name; within a name, in the order given.
    pub entries: BTreeMap<String, Vec<Entry>>,
}

impl Map {
    /// The columns other than case, activity and time that entries select
    /// rows by.
    pub fn selector_columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = self
            .entries
            .values()
            .flatten()
            .filter_map(|e| e.when.as_ref().map(|(c, _)| c.clone()))
            .collect();
        cols.sort();
        cols.dedup();
        cols
    }

    /// What a row of activity `name` is, given the values of the selector
    /// columns (`value(column)`): the first entry of that name whose
    /// condition holds. `None`: the activity is not mapped.
    pub fn resolve<'v>(
        &self,
        name: &str,
        value: impl Fn(&str) -> Option<&'v str>,
    ) -> Option<&Entry> {
        self.entries.get(name)?.iter().find(|e| match &e.when {
            None => true,
            Some((col, want)) => value(col).map(str::trim) == Some(want.as_str()),
        })
    }

    /// The map of salesim's own event log (docs/MODEL.md section 11):
    /// activities by their names, a review's outcome, a reply's sentiment
    /// and a conversation's meeting from its `detail` column.
    pub fn salesim() -> Map {
        let mut m = Map {
            origin: "<salesim event log>".into(),
            columns: ColumnNames::default(),
            score_max: 1.0,
            entries: BTreeMap::new(),
        };
        let plain = [
            ("arrival", Target::Is(Happening::LeadCreated)),
            ("lookup", Target::Is(Happening::Lookup)),
            ("enrichment", Target::Is(Happening::Enrichment)),
            ("provider call", Target::Is(Happening::ProviderCall)),
            ("scoring", Target::Is(Happening::Scoring)),
            ("drafting", Target::Is(Happening::Drafting)),
            ("gate decision", Target::Ignore),
            ("edit", Target::Is(Happening::Edit)),
            ("expiry", Target::Ignore),
            ("send", Target::Is(Happening::Email)),
            ("follow-up", Target::Is(Happening::FollowUp)),
            ("bounce", Target::Is(Happening::Bounce)),
            ("nurture touch", Target::Is(Happening::NurtureTouch)),
            ("re-entry", Target::Is(Happening::NurtureEngagement)),
        ];
        for (name, target) in plain {
            m.add(name, None, target);
        }
        let detailed = [
            ("review", "approve", Happening::ReviewApproved),
            ("review", "edit", Happening::ReviewEdited),
            ("review", "discard", Happening::ReviewDiscarded),
            ("reply", "positive", Happening::ReplyPositive),
            ("reply", "not positive", Happening::ReplyNotPositive),
            ("conversation", "meeting", Happening::ConversationMeeting),
            (
                "conversation",
                "no meeting",
                Happening::ConversationNoMeeting,
            ),
        ];
        for (name, detail, h) in detailed {
            m.add(name, Some(("detail", detail)), Target::Is(h));
        }
        // Without a detail (a log written before replies and conversations
        // carried one), the plain happening.
        m.add("reply", None, Target::Is(Happening::Reply));
        m.add("conversation", None, Target::Is(Happening::Conversation));
        m
    }

    fn add(&mut self, name: &str, when: Option<(&str, &str)>, target: Target) {
        self.entries.entry(name.into()).or_default().push(Entry {
            name: name.into(),
            when: when.map(|(c, v)| (c.into(), v.into())),
            target,
            lane: None,
        });
    }

    /// Reads `MAP.toml`.
    pub fn read(path: &Path) -> Result<Map> {
        let origin = path.display().to_string();
        let text = crate::input::read_text(path, crate::input::SCENARIO_LIMIT)
            .map_err(|e| Error::Usage(format!("cannot read the map {origin}: {e}")))?;
        Map::parse(&text, &origin)
    }

    /// Parses the text of a `MAP.toml` named `origin` in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Map> {
        let doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| map_error(origin, "", e.to_string()))?;
        let mut map = Map {
            origin: origin.to_string(),
            columns: ColumnNames::default(),
            score_max: 1.0,
            entries: BTreeMap::new(),
        };
        for (key, item) in doc.iter() {
            match key {
                "columns" => read_columns(&mut map, item, origin)?,
                "activities" => read_entries(&mut map, item, origin)?,
                other => {
                    return Err(map_error(
                        origin,
                        other,
                        "unknown key (a map has [columns] and [[activities]])",
                    ))
                }
            }
        }
        if map.entries.is_empty() {
            // Only [columns]: salesim's own activity names.
            map.entries = Map::salesim().entries;
        }
        Ok(map)
    }
}

fn map_error(origin: &str, key: &str, message: impl Into<String>) -> Error {
    Error::scenario(
        crate::error::Location {
            file: origin.to_string(),
            key: key.to_string(),
            line_col: None,
        },
        message,
    )
}

fn string_of(item: &toml_edit::Item, origin: &str, key: &str) -> Result<String> {
    item.as_str()
        .map(str::to_string)
        .ok_or_else(|| map_error(origin, key, "expected a string"))
}

fn read_columns(map: &mut Map, item: &toml_edit::Item, origin: &str) -> Result<()> {
    let table = item
        .as_table_like()
        .ok_or_else(|| map_error(origin, "columns", "expected a table"))?;
    for (key, value) in table.iter() {
        let at = format!("columns.{key}");
        let slot = match key {
            "case" => &mut map.columns.case,
            "activity" => &mut map.columns.activity,
            "time" => &mut map.columns.time,
            "start_time" => &mut map.columns.start_time,
            "resource" => &mut map.columns.resource,
            "score" => &mut map.columns.score,
            "lane" => &mut map.columns.lane,
            "score_max" => {
                let v = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|i| i as f64))
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .ok_or_else(|| map_error(origin, &at, "expected a number above 0"))?;
                map.score_max = v;
                continue;
            }
            other => {
                return Err(map_error(
                    origin,
                    &at,
                    format!(
                        "unknown column key \"{other}\" (known: case, activity, time, start_time, resource, score, score_max, lane)"
                    ),
                ))
            }
        };
        *slot = Some(string_of(value, origin, &at)?);
    }
    Ok(())
}

fn read_entries(map: &mut Map, item: &toml_edit::Item, origin: &str) -> Result<()> {
    let array = item.as_array_of_tables().ok_or_else(|| {
        map_error(
            origin,
            "activities",
            "expected [[activities]] entries (an array of tables)",
        )
    })?;
    for (i, table) in array.iter().enumerate() {
        let at = |k: &str| format!("activities.{i}.{k}");
        let mut name = None;
        let mut target = None;
        let mut when = None;
        let mut lane = None;
        for (key, value) in table.iter() {
            match key {
                "name" => name = Some(string_of(value, origin, &at("name"))?),
                "happening" => {
                    let h = string_of(value, origin, &at("happening"))?;
                    target = Some(match h.as_str() {
                        "ignore" => Target::Ignore,
                        _ => Target::Is(Happening::named(&h).ok_or_else(|| {
                            let known: Vec<&str> = NAMES.iter().map(|(_, n)| *n).collect();
                            map_error(
                                origin,
                                &at("happening"),
                                format!(
                                    "unknown happening \"{h}\" (known: {}, ignore)",
                                    known.join(", ")
                                ),
                            )
                        })?),
                    });
                }
                "where" => {
                    let t = value.as_table_like().ok_or_else(|| {
                        map_error(
                            origin,
                            &at("where"),
                            "expected { column = \"...\", value = \"...\" }",
                        )
                    })?;
                    let get = |k: &str| -> Result<String> {
                        let v = t.get(k).ok_or_else(|| {
                            map_error(origin, &at("where"), format!("missing \"{k}\""))
                        })?;
                        // A number in the map selects the same text in the log.
                        if let Some(s) = v.as_str() {
                            return Ok(s.to_string());
                        }
                        v.as_value()
                            .map(|v| v.to_string().trim().to_string())
                            .ok_or_else(|| map_error(origin, &at("where"), "expected a value"))
                    };
                    if t.len() != 2 {
                        return Err(map_error(
                            origin,
                            &at("where"),
                            "expected exactly { column = \"...\", value = \"...\" }",
                        ));
                    }
                    when = Some((get("column")?, get("value")?));
                }
                "lane" => {
                    let l = string_of(value, origin, &at("lane"))?;
                    lane = Some(match l.as_str() {
                        "human" => LaneHint::Human,
                        "agent" => LaneHint::Agent,
                        _ => {
                            return Err(map_error(
                                origin,
                                &at("lane"),
                                "expected \"human\" or \"agent\"",
                            ))
                        }
                    });
                }
                other => {
                    return Err(map_error(
                        origin,
                        &at(other),
                        "unknown key (an entry has name, happening, where, lane)",
                    ))
                }
            }
        }
        let name = name.ok_or_else(|| map_error(origin, &at("name"), "missing"))?;
        let target = target.ok_or_else(|| map_error(origin, &at("happening"), "missing"))?;
        let list = map.entries.entry(name.clone()).or_default();
        if let Some(prev) = list.iter().find(|e| e.when == when) {
            let what = match &when {
                Some((c, v)) => format!("activity \"{name}\" where {c} = \"{v}\""),
                None => format!("activity \"{name}\""),
            };
            let before = match prev.target {
                Target::Is(h) => h.name(),
                Target::Ignore => "ignore",
            };
            return Err(map_error(
                origin,
                &at("name"),
                format!("{what} is mapped twice (already to \"{before}\")"),
            ));
        }
        list.push(Entry {
            name,
            when,
            target,
            lane,
        });
        // Entries with a condition are tried before the plain one.
        list.sort_by_key(|e| e.when.is_none());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_agree() {
        for (i, (h, name)) in NAMES.iter().enumerate() {
            assert_eq!(*h as usize, i);
            assert_eq!(Happening::named(name), Some(*h));
            assert_eq!(Happening::from_code(i as u8), Some(*h));
        }
    }

    #[test]
    fn a_map_selects_rows_by_another_column() {
        let m = Map::parse(
            r#"
[columns]
case = "Contact ID"
score = "Score"
score_max = 100
[[activities]]
name = "EMAIL"
happening = "follow-up"
[[activities]]
name = "EMAIL"
where = { column = "Sequence step", value = 1 }
happening = "first email"
"#,
            "map.toml",
        )
        .unwrap();
        assert_eq!(m.score_max, 100.0);
        assert_eq!(m.columns.case.as_deref(), Some("Contact ID"));
        let first = m.resolve("EMAIL", |c| (c == "Sequence step").then_some("1"));
        assert_eq!(first.unwrap().target, Target::Is(Happening::FirstEmail));
        let later = m.resolve("EMAIL", |c| (c == "Sequence step").then_some("2"));
        assert_eq!(later.unwrap().target, Target::Is(Happening::FollowUp));
        assert!(m.resolve("CALL", |_| None).is_none());
        assert_eq!(m.selector_columns(), ["Sequence step"]);
    }

    #[test]
    fn an_activity_mapped_twice_is_named() {
        let err = Map::parse(
            "[[activities]]\nname = \"EMAIL\"\nhappening = \"email\"\n[[activities]]\nname = \"EMAIL\"\nhappening = \"bounce\"\n",
            "map.toml",
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(
            text.contains("map.toml") && text.contains("\"EMAIL\" is mapped twice"),
            "{text}"
        );
        let err = Map::parse(
            "[[activities]]\nname = \"X\"\nhappening = \"sale\"\n",
            "m.toml",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown happening \"sale\""),
            "{err}"
        );
    }
}
