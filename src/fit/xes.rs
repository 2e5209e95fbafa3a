//! XES logs through the `process_mining` crate (streamed trace by trace):
//! each event becomes a row of string columns named as pm4py names them
//! (`case:concept:name`, `concept:name`, `time:timestamp`,
//! `start_timestamp`, `org:resource`), plus the event or trace attributes
//! the map asks for. A `start` life-cycle event is paired with the next
//! `complete` of the same activity in its trace and gives its start.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use polars::prelude::*;
use process_mining::core::event_data::case_centric::xes::{stream_xes_from_path, XESImportOptions};
use process_mining::core::event_data::case_centric::{
    AttributeValue, Attributes, XESEditableAttribute,
};

use crate::error::{Error, Result};

fn text_of(value: &AttributeValue) -> Option<String> {
    match value {
        AttributeValue::String(s) => Some(s.clone()),
        AttributeValue::Date(d) => Some(d.to_rfc3339()),
        AttributeValue::None() => None,
        other => Some(other.to_string()),
    }
}

fn get(attrs: &Attributes, key: &str, globals: &Option<Attributes>) -> Option<String> {
    attrs
        .get_by_key_or_global(key, globals)
        .and_then(|a| text_of(&a.value))
}

/// Reads the XES file at `path` (`name` in messages) into string columns;
/// `extra` are further attributes to read (`case:X` for trace attribute X).
pub fn read(path: &Path, name: &str, extra: &[String]) -> Result<DataFrame> {
    let options = XESImportOptions {
        verbose: false,
        ..XESImportOptions::default()
    };
    let (mut stream, outer) = stream_xes_from_path(path, options)
        .map_err(|e| Error::Usage(format!("cannot read the log {name} as XES: {e}")))?;
    let g_trace = Some(outer.global_trace_attrs.clone());
    let g_event = Some(outer.global_event_attrs.clone());
    let mut case = Vec::new();
    let mut activity = Vec::new();
    let mut time = Vec::new();
    let mut start: Vec<Option<String>> = Vec::new();
    let mut resource = Vec::new();
    let mut extras: Vec<Vec<Option<String>>> = vec![Vec::new(); extra.len()];
    let mut any_start = false;
    for (i, trace) in (&mut stream).enumerate() {
        let case_id = get(&trace.attributes, "concept:name", &g_trace)
            .unwrap_or_else(|| format!("trace {}", i + 1));
        let mut open: HashMap<String, VecDeque<Option<String>>> = HashMap::new();
        for ev in &trace.events {
            let act = get(&ev.attributes, "concept:name", &g_event).unwrap_or_default();
            // A timestamp must be the event's own: a global default is a
            // placeholder, and a date the crate could not parse is None.
            let ts = ev
                .attributes
                .get_by_key("time:timestamp")
                .and_then(|a| text_of(&a.value));
            let life = get(&ev.attributes, "lifecycle:transition", &g_event)
                .map(|l| l.to_ascii_lowercase());
            match life.as_deref() {
                Some("start") => {
                    open.entry(act).or_default().push_back(ts);
                    continue;
                }
                None | Some("complete") => {}
                // schedule, suspend, resume, abort...: not activity ends.
                Some(_) => continue,
            }
            let st = open.get_mut(&act).and_then(|q| q.pop_front()).flatten();
            any_start |= st.is_some();
            case.push(Some(case_id.clone()));
            activity.push(Some(act));
            time.push(ts);
            start.push(st);
            resource.push(get(&ev.attributes, "org:resource", &g_event));
            for (k, key) in extra.iter().enumerate() {
                let v = match key.strip_prefix("case:") {
                    Some(t) => get(&trace.attributes, t, &g_trace),
                    None => get(&ev.attributes, key, &g_event)
                        .or_else(|| get(&trace.attributes, key, &g_trace)),
                };
                extras[k].push(v);
            }
        }
    }
    if let Some(e) = stream.check_for_errors() {
        return Err(Error::Usage(format!(
            "cannot read the log {name} as XES: {e}"
        )));
    }
    let height = case.len();
    let col = |n: &str, v: Vec<Option<String>>| Column::new(n.into(), v);
    let mut columns = vec![
        col("case:concept:name", case),
        col("concept:name", activity),
        col("time:timestamp", time),
        col("org:resource", resource),
    ];
    if any_start {
        columns.push(col("start_timestamp", start));
    }
    for (key, values) in extra.iter().zip(extras) {
        if !columns.iter().any(|c| c.name().as_str() == key) {
            columns.push(col(key, values));
        }
    }
    DataFrame::new(height, columns)
        .map_err(|e| Error::Usage(format!("cannot read the log {name} as XES: {e}")))
}
