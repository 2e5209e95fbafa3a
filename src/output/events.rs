//! The event log's files: `events.csv` and `events.parquet` in
//! process-mining columns, written in batches as rows come, so a long log
//! never sits whole in memory (docs/MODEL.md section 11).

use polars::io::csv::write::BatchedWriter as CsvBatched;
use polars::io::parquet::write::BatchedWriter as ParquetBatched;
use polars::prelude::*;

use super::files::{output_error, Streamed};
use super::frames::frame;
use crate::error::{Error, Result};
use crate::eventlog::{Clock, EventRow, RowSink};

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

/// A batch of rows as a frame (case_id is `<replication>-<lead>`; times are
/// ISO 8601 with offset from the clock's start date).
pub fn rows_frame(rows: &[EventRow], clock: &Clock) -> DataFrame {
    let text = |f: &dyn Fn(&EventRow) -> String| -> Vec<String> { rows.iter().map(f).collect() };
    frame(vec![
        Column::new(
            COLUMNS[0].into(),
            text(&|r| format!("{}-{}", r.replication, r.lead)),
        ),
        Column::new(COLUMNS[1].into(), text(&|r| r.activity.to_string())),
        Column::new(COLUMNS[2].into(), text(&|r| r.detail.to_string())),
        Column::new(COLUMNS[3].into(), text(&|r| r.lane.to_string())),
        Column::new(COLUMNS[4].into(), text(&|r| r.resource.clone())),
        Column::new(COLUMNS[5].into(), text(&|r| clock.iso(r.start))),
        Column::new(COLUMNS[6].into(), text(&|r| clock.iso(r.end))),
        Column::new(COLUMNS[7].into(), text(&|r| r.segment.clone())),
        Column::new(
            COLUMNS[8].into(),
            rows.iter().map(|r| r.true_fit).collect::<Vec<f64>>(),
        ),
        Column::new(
            COLUMNS[9].into(),
            rows.iter().map(|r| r.score).collect::<Vec<Option<f64>>>(),
        ),
        Column::new(COLUMNS[10].into(), text(&|r| r.outcome.to_string())),
        Column::new(
            COLUMNS[11].into(),
            rows.iter().map(|r| r.replication).collect::<Vec<u32>>(),
        ),
    ])
}

/// Streams event rows into `events.csv` and `events.parquet`.
pub struct EventFiles {
    clock: Clock,
    buffer: Vec<EventRow>,
    csv: Option<(Streamed, CsvBatched<std::fs::File>)>,
    parquet: Option<(Streamed, ParquetBatched<std::fs::File>)>,
    error: Option<Error>,
    written: u64,
}

fn polars_error(file: &Streamed, e: PolarsError) -> Error {
    output_error(file.dest(), e)
}

impl EventFiles {
    /// Starts both files in `dir`.
    pub fn create(dir: &std::path::Path, clock: Clock) -> Result<EventFiles> {
        let schema = rows_frame(&[], &clock).schema().clone();
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
        Ok(EventFiles {
            clock,
            buffer: Vec::with_capacity(BATCH_ROWS),
            csv: Some((csv_file, csv_writer)),
            parquet: Some((parquet_file, parquet_writer)),
            error: None,
            written: 0,
        })
    }

    fn flush(&mut self) {
        if self.buffer.is_empty() || self.error.is_some() {
            self.buffer.clear();
            return;
        }
        let df = rows_frame(&self.buffer, &self.clock);
        self.written += self.buffer.len() as u64;
        self.buffer.clear();
        if let Some((file, w)) = &mut self.csv {
            if let Err(e) = w.write_batch(&df) {
                self.error = Some(polars_error(file, e));
            }
        }
        if let Some((file, w)) = &mut self.parquet {
            if let Err(e) = w.write_batch(&df) {
                self.error.get_or_insert(polars_error(file, e));
            }
        }
    }

    /// Writes what is left, closes both files and gives them their final
    /// names. Returns the paths and the number of rows.
    pub fn commit(mut self) -> Result<(Vec<std::path::PathBuf>, u64)> {
        self.flush();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let (csv_file, mut csv_writer) = self.csv.take().expect("open until committed");
        csv_writer
            .finish()
            .map_err(|e| polars_error(&csv_file, e))?;
        let (parquet_file, parquet_writer) = self.parquet.take().expect("open until committed");
        parquet_writer
            .finish()
            .map_err(|e| polars_error(&parquet_file, e))?;
        drop((csv_writer, parquet_writer));
        let paths = Streamed::commit_all(vec![csv_file, parquet_file])?;
        Ok((paths, self.written))
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
