//! Reading logs: CSV and Parquet through polars (columnar: one string array
//! per column used, never a row object), XES through the `process_mining`
//! crate; every row mapped to a happening on the way in, duplicates counted
//! and dropped, timestamps turned into the log's local wall time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use polars::prelude::*;

use super::map::Happening;
use super::map::{ColumnNames, LaneHint, Map, Target, DEFAULT_ACTIVITY, DEFAULT_CASE};
use super::map::{DEFAULT_LANE, DEFAULT_RESOURCE, DEFAULT_START, DEFAULT_TIME};
use crate::error::{Error, Result};
use crate::units::{DAY, WEEK};

/// No resource on a row.
pub const NO_RESOURCE: u32 = u32::MAX;

/// Lane of a row: unknown, agent, human.
pub const LANE_UNKNOWN: u8 = 0;
/// See [`LANE_UNKNOWN`].
pub const LANE_AGENT: u8 = 1;
/// See [`LANE_UNKNOWN`].
pub const LANE_HUMAN: u8 = 2;

/// What reading found besides the rows.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReadStats {
    /// Each file and its rows.
    pub files: Vec<(String, u64)>,
    /// Rows read, duplicates included.
    pub rows: u64,
    /// Exact duplicate rows (identical in every column read), dropped.
    pub duplicates: u64,
    /// Rows without a case id, left out.
    pub no_case: u64,
    /// Rows of activities the map leaves out (`ignore`).
    pub ignored: u64,
    /// Activities the map does not know, with their row counts: left out
    /// and listed.
    pub unmapped: BTreeMap<String, u64>,
    /// Rows of rep work without a resource (blank owner cells): not
    /// counted as a rep, their times still used.
    pub blank_resource: u64,
    /// The UTC offsets seen, in minutes, with their row counts (a log
    /// across a daylight-saving change has two; wall time is read in each
    /// row's own offset).
    pub offsets: BTreeMap<i32, u64>,
    /// The columns used: case, activity, time, start, resource, score.
    pub columns: BTreeMap<String, String>,
}

/// A log's mapped rows, columnar, times in seconds of local wall time from
/// [`Log::origin`] (the Monday 00:00 of the week of the first row).
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// The case of each row, an index into `cases`.
    pub case: Vec<u32>,
    /// What each row is.
    pub what: Vec<Happening>,
    /// Start (the end when the log has none).
    pub start: Vec<f64>,
    /// End.
    pub end: Vec<f64>,
    /// Resource, an index into `resources`, or [`NO_RESOURCE`].
    pub resource: Vec<u32>,
    /// Lane, [`LANE_UNKNOWN`], [`LANE_AGENT`] or [`LANE_HUMAN`].
    pub lane: Vec<u8>,
    /// The lead score on [0, 1] (NaN: none on this row).
    pub score: Vec<f32>,
    /// Whether the log has a start column (durations can be fitted).
    pub has_start: bool,
    /// Whether a score column was read.
    pub has_score: bool,
    /// Case ids.
    pub cases: Vec<String>,
    /// Resource names.
    pub resources: Vec<String>,
    /// Wall time of t = 0: days since 1970-01-01 of the first Monday.
    pub origin_days: i64,
    /// What reading found.
    pub stats: ReadStats,
}

impl Log {
    /// Rows.
    pub fn len(&self) -> usize {
        self.case.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.case.is_empty()
    }

    /// The calendar date of the origin.
    pub fn origin_date(&self) -> chrono::NaiveDate {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
        epoch + chrono::Days::new(self.origin_days.max(0) as u64)
    }

    /// `t` as a wall-clock date `YYYY-MM-DD`.
    pub fn date_of(&self, t: f64) -> String {
        let d = self.origin_days + (t / DAY).floor() as i64;
        let (y, m, dd) = crate::units::civil_from_days(d);
        format!("{y:04}-{m:02}-{dd:02}")
    }

    /// Row indices sorted by case, then end, then happening.
    pub fn by_case(&self) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.len() as u32).collect();
        idx.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            self.case[a]
                .cmp(&self.case[b])
                .then(self.end[a].total_cmp(&self.end[b]))
                .then(self.what[a].cmp(&self.what[b]))
                .then(self.start[a].total_cmp(&self.start[b]))
        });
        idx
    }
}

/// A bad-input error naming a file, a row, a column and a value.
fn cell_error(file: &str, row: usize, column: &str, value: &str, why: &str) -> Error {
    Error::Usage(format!(
        "{file}, row {} (line {}), column \"{column}\": {why}: \"{}\"",
        row + 1,
        row + 2,
        value.chars().take(80).collect::<String>()
    ))
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
}

/// Parses an ISO 8601 timestamp (`2026-01-05T09:00:00.250+01:00`, `Z`, a
/// space for `T`, seconds and fractions optional, a bare date) into its
/// local wall time (milliseconds since 1970-01-01 00:00 of the wall clock)
/// and its UTC offset in minutes (0 when it has none: taken as written).
pub fn parse_time(text: &str) -> Option<(i64, i32)> {
    let s = text.trim().as_bytes();
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let y = digits(&s[0..4])?;
    let mo = digits(&s[5..7])?;
    let d = digits(&s[8..10])?;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y as i64, mo) {
        return None;
    }
    let mut ms: i64 = 0;
    let mut rest = &s[10..];
    if !rest.is_empty() {
        if rest[0] != b'T' && rest[0] != b' ' {
            return None;
        }
        rest = &rest[1..];
        if rest.len() < 5 || rest[2] != b':' {
            return None;
        }
        let h = digits(&rest[0..2])?;
        let mi = digits(&rest[3..5])?;
        rest = &rest[5..];
        let mut sec = 0;
        if rest.first() == Some(&b':') {
            sec = digits(rest.get(1..3)?)?;
            rest = &rest[3..];
            if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
                let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                let frac = &rest[1..1 + n];
                let mut v = 0i64;
                for (i, c) in frac.iter().take(3).enumerate() {
                    v += i64::from(c - b'0') * [100, 10, 1][i];
                }
                ms += v;
                rest = &rest[1 + n..];
            }
        }
        if h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi > 0 || sec > 0)) {
            return None;
        }
        ms += (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec)) * 1000;
    }
    let offset = match rest {
        [] => 0,
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), r @ ..] => {
            let (h, m) = match r {
                [a, b, b':', c, d] | [a, b, c, d] => (digits(&[*a, *b])?, digits(&[*c, *d])?),
                [a, b] => (digits(&[*a, *b])?, 0),
                _ => return None,
            };
            if h > 18 || m > 59 {
                return None;
            }
            let v = (h * 60 + m) as i32;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(y), mo, d);
    Some((days * 86_400_000 + ms, offset))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses a number that may be stored as text (`"0.73"`, `" 73 "`, `"1e-2"`).
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The columns actually read from one file.
#[derive(Debug, Clone)]
struct Resolved {
    case: String,
    activity: String,
    time: String,
    start: Option<String>,
    resource: Option<String>,
    score: Option<String>,
    lane: Option<String>,
    selectors: Vec<String>,
}

fn pick(
    given: &Option<String>,
    defaults: &[&str],
    have: &[String],
    file: &str,
    what: &str,
    flag: &str,
    required: bool,
) -> Result<Option<String>> {
    if let Some(name) = given {
        if have.iter().any(|h| h == name) {
            return Ok(Some(name.clone()));
        }
        return Err(Error::Usage(format!(
            "{file} has no column \"{name}\" (the {what} column, {flag}); its columns: {}",
            have.join(", ")
        )));
    }
    if let Some(found) = defaults.iter().find(|d| have.iter().any(|h| h == *d)) {
        return Ok(Some(found.to_string()));
    }
    if required {
        return Err(Error::Usage(format!(
            "{file} has no {what} column: none of {} is there; name it with {flag} (its columns: {})",
            defaults
                .iter()
                .map(|d| format!("\"{d}\""))
                .collect::<Vec<_>>()
                .join(", "),
            have.join(", ")
        )));
    }
    Ok(None)
}

fn resolve(cols: &ColumnNames, map: &Map, have: &[String], file: &str) -> Result<Resolved> {
    let need = |v: Option<String>| v.expect("a required column is found or an error");
    let selectors = map.selector_columns();
    for s in &selectors {
        if !have.iter().any(|h| h == s) && map.origin != Map::salesim().origin {
            return Err(Error::Usage(format!(
                "{file} has no column \"{s}\" (the map {} selects rows by it); its columns: {}",
                map.origin,
                have.join(", ")
            )));
        }
    }
    Ok(Resolved {
        case: need(pick(
            &cols.case,
            &DEFAULT_CASE,
            have,
            file,
            "case",
            "--case",
            true,
        )?),
        activity: need(pick(
            &cols.activity,
            &DEFAULT_ACTIVITY,
            have,
            file,
            "activity",
            "--activity",
            true,
        )?),
        time: need(pick(
            &cols.time,
            &DEFAULT_TIME,
            have,
            file,
            "time",
            "--time",
            true,
        )?),
        start: pick(
            &cols.start_time,
            &DEFAULT_START,
            have,
            file,
            "start time",
            "--start-time",
            false,
        )?,
        resource: pick(
            &cols.resource,
            &DEFAULT_RESOURCE,
            have,
            file,
            "resource",
            "--resource",
            false,
        )?,
        score: pick(
            &cols.score,
            &[],
            have,
            file,
            "score",
            "[columns] score",
            false,
        )?,
        lane: pick(
            &cols.lane,
            &DEFAULT_LANE,
            have,
            file,
            "lane",
            "[columns] lane",
            false,
        )?,
        selectors: selectors
            .into_iter()
            .filter(|s| have.iter().any(|h| h == s))
            .collect(),
    })
}

/// Collects rows from files into one [`Log`].
pub struct Reader<'m> {
    map: &'m Map,
    columns: ColumnNames,
    log: Log,
    /// Wall time in ms of each row until the origin is known.
    end_ms: Vec<i64>,
    start_ms: Vec<i64>,
    case_ids: HashMap<String, u32>,
    resource_ids: HashMap<String, u32>,
    seen: HashSet<u128>,
}

impl<'m> Reader<'m> {
    /// A reader mapping rows with `map`, columns named by `columns` (the
    /// command line's, over the map's, over the defaults).
    pub fn new(map: &'m Map, columns: ColumnNames) -> Reader<'m> {
        Reader {
            map,
            columns,
            log: Log::default(),
            end_ms: Vec::new(),
            start_ms: Vec::new(),
            case_ids: HashMap::new(),
            resource_ids: HashMap::new(),
            seen: HashSet::new(),
        }
    }

    /// Reads one file by its extension: `.csv`, `.parquet`, `.xes` or
    /// `.xes.gz`.
    pub fn read_file(&mut self, path: &Path) -> Result<()> {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::Usage(format!("cannot read the log {name}: {e}")))?;
        if !meta.is_file() {
            return Err(Error::Usage(format!(
                "cannot read the log {name}: not a regular file"
            )));
        }
        if meta.len() > crate::input::DATA_LIMIT {
            return Err(Error::Usage(format!(
                "cannot read the log {name}: {} bytes, more than the {} a data file may have",
                meta.len(),
                crate::input::limit_text(crate::input::DATA_LIMIT)
            )));
        }
        let lower = name.to_ascii_lowercase();
        let df = if lower.ends_with(".csv") {
            read_csv(path, &name)?
        } else if lower.ends_with(".parquet") {
            read_parquet(path, &name)?
        } else if lower.ends_with(".xes") || lower.ends_with(".xes.gz") {
            self.read_xes(path, &name)?
        } else {
            return Err(Error::Usage(format!(
                "{name}: a log is .csv, .parquet, .xes or .xes.gz"
            )));
        };
        self.ingest(&df, &name)
    }

    fn read_xes(&self, path: &Path, name: &str) -> Result<DataFrame> {
        let extra: Vec<String> = [self.columns.score.clone(), self.columns.lane.clone()]
            .into_iter()
            .flatten()
            .chain(self.map.selector_columns())
            .collect();
        super::xes::read(path, name, &extra)
    }

    /// Maps every row of `df` (a file's columns) into the log.
    fn ingest(&mut self, df: &DataFrame, file: &str) -> Result<()> {
        let have: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = resolve(&self.columns, self.map, &have, file)?;
        let text = |name: &str| -> Result<StringChunked> {
            let col = df
                .column(name)
                .map_err(|e| Error::Usage(format!("{file}: {e}")))?;
            let s = col
                .as_materialized_series()
                .cast(&DataType::String)
                .map_err(|e| {
                    Error::Usage(format!(
                        "{file}, column \"{name}\": cannot be read as text: {e}"
                    ))
                })?;
            Ok(s.str().expect("cast to String").rechunk().into_owned())
        };
        let n = df.height();
        let case = text(&r.case)?;
        let activity = text(&r.activity)?;
        let time = text(&r.time)?;
        let start = r.start.as_deref().map(text).transpose()?;
        let resource = r.resource.as_deref().map(text).transpose()?;
        let score = r.score.as_deref().map(text).transpose()?;
        let lane = r.lane.as_deref().map(text).transpose()?;
        let selectors: Vec<(String, StringChunked)> = r
            .selectors
            .iter()
            .map(|s| text(s).map(|c| (s.clone(), c)))
            .collect::<Result<_>>()?;
        let columns = &mut self.log.stats.columns;
        columns.insert("case".into(), r.case.clone());
        columns.insert("activity".into(), r.activity.clone());
        columns.insert("time".into(), r.time.clone());
        if let Some(s) = &r.start {
            columns.insert("start".into(), s.clone());
            self.log.has_start = true;
        }
        if let Some(s) = &r.resource {
            columns.insert("resource".into(), s.clone());
        }
        if let Some(s) = &r.score {
            columns.insert("score".into(), s.clone());
            self.log.has_score = true;
        }
        let case = vals(&case);
        let activity = vals(&activity);
        let time = vals(&time);
        let start = start.as_ref().map(vals);
        let resource = resource.as_ref().map(vals);
        let score = score.as_ref().map(vals);
        let lane = lane.as_ref().map(vals);
        let selectors: Vec<(String, Vec<Option<&str>>)> = selectors
            .iter()
            .map(|(name, c)| (name.clone(), vals(c)))
            .collect();
        self.log.stats.files.push((file.to_string(), n as u64));
        self.log.stats.rows += n as u64;
        for i in 0..n {
            let Some(case_id) = blank(case[i]) else {
                self.log.stats.no_case += 1;
                continue;
            };
            let act = activity[i].map(str::trim).unwrap_or("");
            let selector = |col: &str| -> Option<&str> {
                selectors
                    .iter()
                    .find(|(n, _)| n == col)
                    .and_then(|(_, v)| v[i])
            };
            let entry = self.map.resolve(act, selector);
            // Duplicates: every column read, hashed twice (128 bits).
            let mut h1 = std::collections::hash_map::DefaultHasher::new();
            let mut h2 = std::collections::hash_map::DefaultHasher::new();
            0xA5u8.hash(&mut h2);
            for cell in [
                Some(case_id),
                Some(act),
                time[i],
                start.as_ref().and_then(|s| s[i]),
                resource.as_ref().and_then(|s| s[i]),
                score.as_ref().and_then(|s| s[i]),
            ]
            .into_iter()
            .chain(selectors.iter().map(|(_, v)| v[i]))
            {
                cell.hash(&mut h1);
                cell.hash(&mut h2);
            }
            let key = (u128::from(h1.finish()) << 64) | u128::from(h2.finish());
            if !self.seen.insert(key) {
                self.log.stats.duplicates += 1;
                continue;
            }
            let Some(entry) = entry else {
                *self.log.stats.unmapped.entry(act.to_string()).or_insert(0) += 1;
                continue;
            };
            let what = match entry.target {
                Target::Ignore => {
                    self.log.stats.ignored += 1;
                    continue;
                }
                Target::Is(h) => h,
            };
            let t = time[i].unwrap_or("");
            let (end_ms, offset) = parse_time(t).ok_or_else(|| {
                cell_error(
                    file,
                    i,
                    &r.time,
                    t,
                    "not a timestamp (expected ISO 8601, e.g. 2026-01-05T09:30:00+01:00)",
                )
            })?;
            *self.log.stats.offsets.entry(offset).or_insert(0) += 1;
            let start_ms = match start.as_ref().and_then(|s| blank(s[i])) {
                None => end_ms,
                Some(st) => {
                    let col = r.start.as_deref().unwrap_or("start");
                    let (ms, _) = parse_time(st).ok_or_else(|| {
                        cell_error(file, i, col, st, "not a timestamp (expected ISO 8601)")
                    })?;
                    if ms > end_ms {
                        return Err(cell_error(
                            file,
                            i,
                            col,
                            st,
                            &format!("the activity ends before it starts (end \"{t}\")"),
                        ));
                    }
                    ms
                }
            };
            let res = match resource.as_ref().and_then(|s| blank(s[i])) {
                None => {
                    if what.is_rep_work() {
                        self.log.stats.blank_resource += 1;
                    }
                    NO_RESOURCE
                }
                Some(name) => match self.resource_ids.get(name) {
                    Some(&id) => id,
                    None => {
                        let id = self.log.resources.len() as u32;
                        self.log.resources.push(name.to_string());
                        self.resource_ids.insert(name.to_string(), id);
                        id
                    }
                },
            };
            let sc = match score.as_ref().and_then(|s| blank(s[i])) {
                None => f32::NAN,
                Some(v) => {
                    let col = r.score.as_deref().unwrap_or("score");
                    let x = parse_number(v)
                        .ok_or_else(|| cell_error(file, i, col, v, "not a number"))?;
                    if x < 0.0 || x > self.map.score_max {
                        return Err(cell_error(
                            file,
                            i,
                            col,
                            v,
                            &format!(
                                "a score lies on [0, {}] (set [columns] score_max in the map for another scale)",
                                self.map.score_max
                            ),
                        ));
                    }
                    (x / self.map.score_max) as f32
                }
            };
            let lane_code = match (entry.lane, lane.as_ref().and_then(|l| blank(l[i]))) {
                (Some(LaneHint::Human), _) => LANE_HUMAN,
                (Some(LaneHint::Agent), _) => LANE_AGENT,
                (None, Some("human")) => LANE_HUMAN,
                (None, Some("agent")) => LANE_AGENT,
                _ => LANE_UNKNOWN,
            };
            let case_ix = match self.case_ids.get(case_id) {
                Some(&id) => id,
                None => {
                    let id = self.log.cases.len() as u32;
                    self.log.cases.push(case_id.to_string());
                    self.case_ids.insert(case_id.to_string(), id);
                    id
                }
            };
            self.log.case.push(case_ix);
            self.log.what.push(what);
            self.end_ms.push(end_ms);
            self.start_ms.push(start_ms);
            self.log.resource.push(res);
            self.log.lane.push(lane_code);
            self.log.score.push(sc);
        }
        Ok(())
    }

    /// The log, times from the Monday 00:00 of the first row's week.
    pub fn finish(mut self) -> Log {
        let first = self.start_ms.iter().copied().min().unwrap_or(0);
        let day = first.div_euclid(86_400_000);
        // 1970-01-01 was a Thursday: weekday 0 = Monday is (day + 3) mod 7.
        let monday = day - (day + 3).rem_euclid(7);
        self.log.origin_days = monday;
        let base = monday * 86_400_000;
        self.log.end = self
            .end_ms
            .iter()
            .map(|&ms| (ms - base) as f64 / 1000.0)
            .collect();
        self.log.start = self
            .start_ms
            .iter()
            .map(|&ms| (ms - base) as f64 / 1000.0)
            .collect();
        self.log
    }
}

/// A string column's cells.
fn vals(c: &StringChunked) -> Vec<Option<&str>> {
    c.iter().collect()
}

/// A cell's text, trimmed; `None` when blank.
fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn read_csv(path: &Path, name: &str) -> Result<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| Error::Usage(format!("cannot read the log {name} as CSV: {e}")))
}

fn read_parquet(path: &Path, name: &str) -> Result<DataFrame> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Usage(format!("cannot read the log {name}: {e}")))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| Error::Usage(format!("cannot read the log {name} as Parquet: {e}")))
}

/// The week of a wall time, from the origin.
pub fn week_of(t: f64) -> i64 {
    (t / WEEK).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_their_wall_time_in_any_offset() {
        let (a, o) = parse_time("2026-03-29T09:15:00+02:00").unwrap();
        let (b, p) = parse_time("2026-03-28 09:15:00+01:00").unwrap();
        assert_eq!((o, p), (120, 60));
        // One calendar day apart on the wall clock, though 23 hours apart.
        assert_eq!(a - b, 86_400_000);
        assert_eq!(
            parse_time("2026-01-05T09:00:00.250Z").unwrap().0 % 86_400_000,
            32_400_250
        );
        assert_eq!(
            parse_time("2026-01-05 09:00").unwrap().0 % 86_400_000,
            32_400_000
        );
        assert_eq!(
            parse_time("2026-01-05").unwrap().0,
            days_from_civil(2026, 1, 5) * 86_400_000
        );
        assert_eq!(parse_time("2026-01-05T09:00:00-0500").unwrap().1, -300);
        for bad in [
            "",
            "05/01/2026 09:00",
            "2026-13-01",
            "2026-02-30T00:00",
            "2026-01-05T25:00",
            "2026-01-05T09:00+5",
            "1736064000",
        ] {
            assert!(parse_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn civil_days_round_trip() {
        for d in [-1000i64, 0, 1, 20_000, 20_458] {
            let (y, m, dd) = crate::units::civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
