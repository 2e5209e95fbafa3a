//! Polars frames of a run (summary, per-replication metrics, weekly counts)
//! and their CSV and Parquet encodings.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::experiment::RunResult;
use crate::metrics::{Weekly, METRICS, WEEKLY_LEN};

/// Builds a frame from columns that were built together, so they have equal
/// lengths and, being [`METRICS`] or [`Weekly`] names plus the key
/// columns, unique names; `DataFrame::new` checks only that.
pub(crate) fn frame(columns: Vec<Column>) -> DataFrame {
    let height = columns.first().map_or(0, Column::len);
    DataFrame::new(height, columns)
        .expect("columns built together have equal lengths and unique names")
}

/// One row per metric, in [`METRICS`] order: `metric` (string), `n` (u32,
/// replications in which the metric is defined), `mean`, `sd`, `ci95_low`,
/// `ci95_high` (f64, null where undefined).
pub fn summary_frame(result: &RunResult) -> DataFrame {
    let rows: Vec<_> = METRICS.iter().zip(&result.summary).collect();
    let n: Vec<u32> = rows
        .iter()
        .map(|(_, a)| u32::try_from(a.n).unwrap_or(u32::MAX))
        .collect();
    let stat = |f: fn(&crate::metrics::Aggregate) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|(_, a)| f(a)).collect()
    };
    frame(vec![
        Column::new(
            "metric".into(),
            rows.iter().map(|(m, _)| m.name).collect::<Vec<&str>>(),
        ),
        Column::new("n".into(), n),
        Column::new("mean".into(), stat(|a| a.mean)),
        Column::new("sd".into(), stat(|a| a.sd)),
        Column::new("ci95_low".into(), stat(|a| a.ci95_low)),
        Column::new("ci95_high".into(), stat(|a| a.ci95_high)),
    ])
}

/// One row per replication: `replication` (u32, from 0), then one nullable
/// f64 column per metric in [`METRICS`] order.
pub fn replications_frame(result: &RunResult) -> DataFrame {
    let reps = &result.replications;
    let mut columns = Vec::with_capacity(METRICS.len() + 1);
    columns.push(Column::new(
        "replication".into(),
        reps.iter().map(|r| r.replication).collect::<Vec<u32>>(),
    ));
    for (i, metric) in METRICS.iter().enumerate() {
        let values: Vec<Option<f64>> = reps
            .iter()
            .map(|r| r.metrics.get(i).copied().flatten())
            .collect();
        columns.push(Column::new(metric.name.into(), values));
    }
    frame(columns)
}

/// One row per replication and week: `replication` (u32), `week` (u32,
/// 1-based: week 1 is [0, 1 week) of simulated time, warm-up included), then
/// the [`Weekly`] counts (u64).
pub fn weekly_frame(result: &RunResult) -> DataFrame {
    let rows: Vec<(u32, u32, [u64; WEEKLY_LEN])> = result
        .replications
        .iter()
        .flat_map(|r| {
            (1u32..)
                .zip(&r.weekly)
                .map(move |(week, counts)| (r.replication, week, counts.values()))
        })
        .collect();
    let mut columns = Vec::with_capacity(WEEKLY_LEN + 2);
    columns.push(Column::new(
        "replication".into(),
        rows.iter().map(|row| row.0).collect::<Vec<u32>>(),
    ));
    columns.push(Column::new(
        "week".into(),
        rows.iter().map(|row| row.1).collect::<Vec<u32>>(),
    ));
    for (i, count) in Weekly::ALL.iter().enumerate() {
        columns.push(Column::new(
            count.name().into(),
            rows.iter().map(|row| row.2[i]).collect::<Vec<u64>>(),
        ));
    }
    frame(columns)
}

/// Encodes a frame as CSV (header row, comma-separated, empty field for null).
pub(crate) fn encode_csv(df: &DataFrame) -> PolarsResult<Vec<u8>> {
    let mut buf = Vec::new();
    // The writer takes `&mut` only to rechunk; a clone shares the column data.
    CsvWriter::new(&mut buf).finish(&mut df.clone())?;
    Ok(buf)
}

/// Encodes a frame as a Parquet file (polars defaults: zstd, statistics).
pub(crate) fn encode_parquet(df: &DataFrame) -> PolarsResult<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df.clone())?;
    Ok(buf)
}

/// An encoding failure of an in-memory document, which has no path yet.
fn in_memory(what: &str, e: PolarsError) -> Error {
    Error::Output {
        path: format!("<{what} in memory>"),
        message: e.to_string(),
    }
}

/// The frame as CSV bytes.
pub fn csv_bytes(df: &DataFrame) -> Result<Vec<u8>> {
    encode_csv(df).map_err(|e| in_memory("CSV", e))
}

/// The frame as the bytes of a Parquet file.
pub fn parquet_bytes(df: &DataFrame) -> Result<Vec<u8>> {
    encode_parquet(df).map_err(|e| in_memory("Parquet", e))
}

/// The summary as CSV: `summary.csv`, and what `--format csv` prints.
pub fn summary_csv(result: &RunResult) -> Result<Vec<u8>> {
    csv_bytes(&summary_frame(result))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::output::fixtures::run_result;

    fn names(df: &DataFrame) -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    fn read_parquet(bytes: Vec<u8>) -> DataFrame {
        ParquetReader::new(Cursor::new(bytes))
            .finish()
            .expect("our own Parquet reads back")
    }

    #[test]
    fn summary_frame_has_one_row_per_metric_in_order() {
        let df = summary_frame(&run_result());
        assert_eq!(df.shape(), (METRICS.len(), 6));
        assert_eq!(
            names(&df),
            ["metric", "n", "mean", "sd", "ci95_low", "ci95_high"]
        );
        let metric = df.column("metric").unwrap().str().unwrap();
        let listed: Vec<&str> = (0..metric.len()).filter_map(|i| metric.get(i)).collect();
        assert_eq!(listed, crate::metrics::metric_names().collect::<Vec<_>>());
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::UInt32);
        assert_eq!(df.column("mean").unwrap().dtype(), &DataType::Float64);
        // cost_per_meeting is undefined everywhere: n = 0 and null statistics.
        let i = crate::metrics::metric_index("cost_per_meeting").unwrap();
        assert_eq!(df.column("n").unwrap().u32().unwrap().get(i), Some(0));
        assert_eq!(df.column("mean").unwrap().f64().unwrap().get(i), None);
        let j = crate::metrics::metric_index("nurture_share").unwrap();
        assert_eq!(df.column("n").unwrap().u32().unwrap().get(j), Some(2));
    }

    #[test]
    fn replications_frame_has_a_column_per_metric() {
        let result = run_result();
        let df = replications_frame(&result);
        assert_eq!(df.shape(), (3, METRICS.len() + 1));
        let mut expected = vec!["replication".to_string()];
        expected.extend(METRICS.iter().map(|m| m.name.to_string()));
        assert_eq!(names(&df), expected);
        assert_eq!(df.column("replication").unwrap().dtype(), &DataType::UInt32);
        let share = df.column("nurture_share").unwrap().f64().unwrap();
        assert_eq!(share.get(0), Some(0.25));
        assert_eq!(share.get(1), None);
        assert_eq!(df.column("cost_per_meeting").unwrap().null_count(), 3);
    }

    #[test]
    fn weekly_frame_has_a_row_per_replication_and_week_from_week_one() {
        let df = weekly_frame(&run_result());
        assert_eq!(df.shape(), (9, WEEKLY_LEN + 2));
        let mut expected = vec!["replication".to_string(), "week".to_string()];
        expected.extend(Weekly::ALL.iter().map(|w| w.name().to_string()));
        assert_eq!(names(&df), expected);
        let week: Vec<u32> = df
            .column("week")
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(week, [1, 2, 3, 1, 2, 3, 1, 2, 3]);
        let arrived = df.column("leads_arrived").unwrap().u64().unwrap();
        assert_eq!(arrived.get(2), Some(102));
        let sent = df.column("emails_sent").unwrap().u64().unwrap();
        assert_eq!(sent.get(8), Some(62));
    }

    #[test]
    fn empty_results_give_empty_frames() {
        let mut result = run_result();
        result.replications.clear();
        assert_eq!(replications_frame(&result).shape(), (0, METRICS.len() + 1));
        assert_eq!(weekly_frame(&result).shape(), (0, WEEKLY_LEN + 2));
        assert!(parquet_bytes(&weekly_frame(&result)).is_ok());
    }

    #[test]
    fn parquet_reads_back_to_the_same_frames() {
        let result = run_result();
        for df in [
            summary_frame(&result),
            replications_frame(&result),
            weekly_frame(&result),
        ] {
            let bytes = parquet_bytes(&df).unwrap();
            assert_eq!(&bytes[..4], b"PAR1");
            let back = read_parquet(bytes);
            assert_eq!(back.schema(), df.schema());
            assert!(back.equals_missing(&df));
        }
    }

    #[test]
    fn summary_csv_has_a_header_and_a_line_per_metric() {
        let bytes = summary_csv(&run_result()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "metric,n,mean,sd,ci95_low,ci95_high");
        assert_eq!(lines.len(), METRICS.len() + 1);
        assert!(lines[1].starts_with("leads_arrived,3,12100"));
        // Undefined statistics are empty fields.
        assert!(lines.contains(&"cost_per_meeting,0,,,,"));
    }
}
