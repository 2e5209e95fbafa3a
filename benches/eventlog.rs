//! Writing the event log: rows per second from recorded rows to
//! `events.csv` and `events.parquet` through salesim's writer, against
//! polars' own writers given the same rows as ready-made frames (the floor
//! the writer can approach). Run with `cargo bench --bench eventlog`.

mod common;

use std::time::Instant;

use polars::prelude::*;
use salesim::eventlog::{CaseRows, Clock, EventLog, EventRow, RowSink};
use salesim::output::events::{rows_frame, EventFiles, Names, BATCH_ROWS};

/// Canonical replications whose rows are written.
const REPLICATIONS: u32 = 4;

/// Collects every case's rows.
#[derive(Default)]
struct Collect(Vec<Vec<EventRow>>);

impl RowSink for Collect {
    fn rows(&mut self, rows: Vec<EventRow>) {
        self.0.push(rows);
    }
}

fn main() {
    let sc = common::canonical();
    let clock = Clock::new(sc.run.start_date);

    // Recording: the replications with the event log beside the metrics.
    let start = Instant::now();
    let mut cases = Collect::default();
    for r in 0..REPLICATIONS {
        let log = EventLog::new(r, CaseRows::default());
        let (_, log) =
            salesim::replication::run_with(&sc, r, log).unwrap_or_else(|e| common::fail(e));
        log.finish().replay(&mut cases);
    }
    let recorded = start.elapsed().as_secs_f64();
    let rows: usize = cases.0.iter().map(Vec::len).sum();
    println!(
        "recording {REPLICATIONS} canonical replications with the log: {}, {:.0} rows/s",
        common::duration(recorded),
        rows as f64 / recorded
    );

    // salesim's writer: rows in, both files out.
    let dir = tempfile::tempdir().unwrap_or_else(|e| common::fail(e));
    let start = Instant::now();
    let mut files = EventFiles::create(dir.path(), &sc, clock).unwrap_or_else(|e| common::fail(e));
    for case in cases.0.clone() {
        files.rows(case);
    }
    let (_, written) = files.commit().unwrap_or_else(|e| common::fail(e));
    let ours = start.elapsed().as_secs_f64();
    assert_eq!(written as usize, rows);
    println!(
        "salesim's writer, {rows} rows to CSV and Parquet: {}, {:.0} rows/s",
        common::duration(ours),
        rows as f64 / ours
    );

    // The same rows as ready-made frames of the writer's batch size, given
    // to polars' batched writers: what the writing alone costs.
    let all: Vec<EventRow> = cases.0.into_iter().flatten().collect();
    let names = Names::of(&sc);
    let start = Instant::now();
    let frames: Vec<DataFrame> = all
        .chunks(BATCH_ROWS)
        .map(|chunk| rows_frame(chunk, &names, &clock))
        .collect();
    let framing = start.elapsed().as_secs_f64();
    println!(
        "building the frames alone: {}, {:.0} rows/s",
        common::duration(framing),
        rows as f64 / framing
    );
    let schema = frames[0].schema().clone();
    let start = Instant::now();
    let csv =
        std::fs::File::create(dir.path().join("polars.csv")).unwrap_or_else(|e| common::fail(e));
    let mut w = CsvWriter::new(csv)
        .batched(&schema)
        .unwrap_or_else(|e| common::fail(e));
    for df in &frames {
        w.write_batch(df).unwrap_or_else(|e| common::fail(e));
    }
    w.finish().unwrap_or_else(|e| common::fail(e));
    let csv_time = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let pq = std::fs::File::create(dir.path().join("polars.parquet"))
        .unwrap_or_else(|e| common::fail(e));
    let mut w = ParquetWriter::new(pq)
        .batched(&schema)
        .unwrap_or_else(|e| common::fail(e));
    for df in &frames {
        w.write_batch(df).unwrap_or_else(|e| common::fail(e));
    }
    w.finish().unwrap_or_else(|e| common::fail(e));
    let pq_time = start.elapsed().as_secs_f64();
    let floor = csv_time + pq_time;
    println!(
        "polars' own writers on the same frames: CSV {}, Parquet {}, together {:.0} rows/s",
        common::duration(csv_time),
        common::duration(pq_time),
        rows as f64 / floor
    );
    println!(
        "salesim's writer reaches {:.0}% of polars' own writers' rate",
        100.0 * floor / ours
    );
}
