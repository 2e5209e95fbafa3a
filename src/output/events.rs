//! The event log's files: `events.csv` and `events.parquet` in
//! process-mining columns, written in batches as rows come, so a long log
//! never sits whole in memory (docs/MODEL.md section 11).

use polars::io::csv::write::BatchedWriter as CsvBatched;
use polars::io::parquet::write::BatchedWriter as ParquetBatched;
use polars::prelude::*;

use std::fmt::Write;

use super::files::{output_error, Streamed};
use super::frames::frame;
use crate::error::{Error, Result};
use crate::eventlog::{Clock, EventRow, RowSink, Who};
use crate::pipeline::Resource;
use crate::scenario::Scenario;

/// Rows per batch written to the files.
pub const BATCH_ROWS: usize = 50_000;

/// The event log's column names, in order.
pub const COLUMNS: [&str; 12] = [
    "case_id",
    "activity",
    "detail",
    "lane",
    "resource",
    "start_time",
    "end_time",
    "segment",
    "true_fit",
    "score",
    "outcome",
    "replication",
];

/// The names a log writes for the indices its rows keep: each provider's
/// and each segment's, from the scenario.
#[derive(Debug, Clone)]
pub struct Names {
    providers: Vec<String>,
    segments: Vec<String>,
}

impl Names {
    /// The names of `sc`.
    pub fn of(sc: &Scenario) -> Names {
        Names {
            providers: sc
                .enrichment
                .providers
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            segments: sc.segments.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// Appends the name of `who` to `out`.
    fn write_who(&self, who: Who, out: &mut String) {
        let numbered = |out: &mut String, prefix: &str, i: u32| {
            out.push_str(prefix);
            let _ = write!(out, "{}", u64::from(i) + 1);
        };
        match who {
            Who::Named(n) => out.push_str(n),
            Who::Resource(Resource::Agent(i)) => numbered(out, "agent-", i),
            Who::Resource(Resource::Rep(i)) => numbered(out, "rep-", i),
            Who::Resource(Resource::Mailbox(i)) => numbered(out, "mailbox-", i),
            Who::Resource(Resource::Nurture) => out.push_str("nurture"),
            Who::Resource(Resource::Provider(i)) => match self.providers.get(i as usize) {
                Some(name) => out.push_str(name),
                None => numbered(out, "provider-", i),
            },
        }
    }

    fn segment(&self, i: u32) -> &str {
        self.segments.get(i as usize).map_or("", String::as_str)
    }
}

/// A string column built value by value through one reused buffer.
struct Texts {
    builder: StringChunkedBuilder,
    buffer: String,
}

impl Texts {
    fn new(name: &str, capacity: usize) -> Texts {
        Texts {
            builder: StringChunkedBuilder::new(name.into(), capacity),
            buffer: String::with_capacity(32),
        }
    }

    /// Appends the text `write` puts in the buffer.
    fn push(&mut self, write: impl FnOnce(&mut String)) {
        self.buffer.clear();
        write(&mut self.buffer);
        self.builder.append_value(self.buffer.as_str());
    }

    fn push_str(&mut self, text: &str) {
        self.builder.append_value(text);
    }

    fn column(self) -> Column {
        self.builder.finish().into_series().into_column()
    }
}

/// A batch of rows as a frame (case_id is `<replication>-<lead>`; times are
/// ISO 8601 with offset from the clock's start date). Text columns are built
/// straight into polars' string arrays: no string per value.
pub fn rows_frame(rows: &[EventRow], names: &Names, clock: &Clock) -> DataFrame {
    let n = rows.len();
    let mut case_id = Texts::new(COLUMNS[0], n);
    let mut activity = Texts::new(COLUMNS[1], n);
    let mut detail = Texts::new(COLUMNS[2], n);
    let mut lane = Texts::new(COLUMNS[3], n);
    let mut resource = Texts::new(COLUMNS[4], n);
    let mut start = Texts::new(COLUMNS[5], n);
    let mut end = Texts::new(COLUMNS[6], n);
    let mut segment = Texts::new(COLUMNS[7], n);
    let mut outcome = Texts::new(COLUMNS[10], n);
    for r in rows {
        case_id.push(|b| {
            let _ = write!(b, "{}-{}", r.replication, r.lead);
        });
        activity.push_str(r.activity);
        detail.push_str(r.detail);
        lane.push_str(r.lane);
        resource.push(|b| names.write_who(r.resource, b));
        start.push(|b| clock.write_iso(r.start, b));
        end.push(|b| clock.write_iso(r.end, b));
        segment.push_str(names.segment(r.segment));
        outcome.push_str(r.outcome);
    }
    frame(vec![
        case_id.column(),
        activity.column(),
        detail.column(),
        lane.column(),
        resource.column(),
        start.column(),
        end.column(),
        segment.column(),
        Column::new(
            COLUMNS[8].into(),
            rows.iter().map(|r| r.true_fit).collect::<Vec<f64>>(),
        ),
        Column::new(
            COLUMNS[9].into(),
            rows.iter().map(|r| r.score).collect::<Vec<Option<f64>>>(),
        ),
        outcome.column(),
        Column::new(
            COLUMNS[11].into(),
            rows.iter().map(|r| r.replication).collect::<Vec<u32>>(),
        ),
    ])
}

/// The two files and their polars writers, owned by the writing thread.
struct Writer {
    clock: Clock,
    names: Names,
    csv: (Streamed, CsvBatched<std::fs::File>),
    parquet: (Streamed, ParquetBatched<std::fs::File>),
    written: u64,
}

fn polars_error(file: &Streamed, e: PolarsError) -> Error {
    output_error(file.dest(), e)
}

impl Writer {
    /// Frames one batch and writes it to both files, side by side.
    fn write(&mut self, rows: &[EventRow]) -> Result<()> {
        let df = rows_frame(rows, &self.names, &self.clock);
        self.written += rows.len() as u64;
        let (csv, parquet) = (&mut self.csv, &mut self.parquet);
        let (a, b) = rayon::join(
            || csv.1.write_batch(&df).map_err(|e| polars_error(&csv.0, e)),
            || {
                parquet
                    .1
                    .write_batch(&df)
                    .map_err(|e| polars_error(&parquet.0, e))
            },
        );
        a.and(b)
    }

    /// Finishes both files, still under their temporary names.
    fn close(self) -> Result<(Vec<Streamed>, u64)> {
        let (csv_file, mut csv_writer) = self.csv;
        csv_writer
            .finish()
            .map_err(|e| polars_error(&csv_file, e))?;
        let (parquet_file, parquet_writer) = self.parquet;
        parquet_writer
            .finish()
            .map_err(|e| polars_error(&parquet_file, e))?;
        drop((csv_writer, parquet_writer));
        Ok((vec![csv_file, parquet_file], self.written))
    }
}

/// Batches waiting for the writing thread: enough to keep it busy while
/// the next rows are simulated, few enough to bound memory.
const QUEUED_BATCHES: usize = 2;

/// Streams event rows into `events.csv` and `events.parquet`: rows are
/// gathered into batches of [`BATCH_ROWS`], which a thread of their own
/// frames and writes while the simulation goes on. The files take their
/// final names only on [`EventFiles::commit`]; dropped uncommitted, they are
/// removed once the thread has stopped.
pub struct EventFiles {
    buffer: Vec<EventRow>,
    batches: Option<std::sync::mpsc::SyncSender<Vec<EventRow>>>,
    thread: Option<std::thread::JoinHandle<Result<Writer>>>,
}

impl EventFiles {
    /// Starts both files in `dir`, for the rows of scenario `sc`.
    pub fn create(dir: &std::path::Path, sc: &Scenario, clock: Clock) -> Result<EventFiles> {
        let names = Names::of(sc);
        let schema = rows_frame(&[], &names, &clock).schema().clone();
        let mut csv_file = Streamed::create(&dir.join("events.csv"))?;
        let csv_writer = CsvWriter::new(
            csv_file
                .writer()
                .try_clone()
                .map_err(|e| output_error(csv_file.dest(), e))?,
        )
        .batched(&schema)
        .map_err(|e| polars_error(&csv_file, e))?;
        let mut parquet_file = Streamed::create(&dir.join("events.parquet"))?;
        let parquet_writer = ParquetWriter::new(
            parquet_file
                .writer()
                .try_clone()
                .map_err(|e| output_error(parquet_file.dest(), e))?,
        )
        .batched(&schema)
        .map_err(|e| polars_error(&parquet_file, e))?;
        let mut writer = Writer {
            clock,
            names,
            csv: (csv_file, csv_writer),
            parquet: (parquet_file, parquet_writer),
            written: 0,
        };
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<EventRow>>(QUEUED_BATCHES);
        let thread = std::thread::Builder::new()
            .name("event log".into())
            .spawn(move || {
                // After an error the rest is received and dropped, so the
                // sender never blocks; the error is returned at the end.
                let mut outcome = Ok(());
                for batch in received {
                    if outcome.is_ok() {
                        outcome = writer.write(&batch);
                    }
                }
                outcome.map(|()| writer)
            })
            .map_err(|e| output_error(dir, format!("cannot start the event log's writer: {e}")))?;
        Ok(EventFiles {
            buffer: Vec::with_capacity(BATCH_ROWS),
            batches: Some(batches),
            thread: Some(thread),
        })
    }

    /// Hands the buffered rows to the writing thread as one batch.
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.buffer, Vec::with_capacity(BATCH_ROWS));
        if let Some(batches) = &self.batches {
            // A send fails only when the thread has stopped, which `commit`
            // reports.
            let _ = batches.send(batch);
        }
    }

    /// Stops the writing thread and returns its writer, or its error.
    fn stop(&mut self) -> Result<Writer> {
        self.batches = None;
        let thread = self.thread.take().expect("the writer runs until stopped");
        thread.join().unwrap_or_else(|_| {
            Err(Error::Output {
                path: "events.csv".into(),
                message: "the event log's writer stopped unexpectedly".into(),
            })
        })
    }

    /// Writes what is left and closes both files, still under their
    /// temporary names, for the command's atomic set of files
    /// (`files::commit`). Returns them and the number of rows.
    pub fn close(mut self) -> Result<(Vec<Streamed>, u64)> {
        self.flush();
        self.stop()?.close()
    }

    /// Closes both files and gives them their final names at once.
    /// Returns the paths and the number of rows.
    pub fn commit(self) -> Result<(Vec<std::path::PathBuf>, u64)> {
        let (files, rows) = self.close()?;
        Ok((Streamed::commit_all(files)?, rows))
    }
}

impl Drop for EventFiles {
    /// Uncommitted: stop the thread, whose writer then removes both
    /// temporary files.
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.buffer.clear();
            let _ = self.stop();
        }
    }
}

impl RowSink for EventFiles {
    fn rows(&mut self, mut rows: Vec<EventRow>) {
        self.buffer.append(&mut rows);
        if self.buffer.len() >= BATCH_ROWS {
            self.flush();
        }
    }
}
