//! The summary frame of a run, and the CSV and Parquet encodings of every
//! frame (the per-point frames are built in output/experiment.rs).

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::experiment::RunResult;
use crate::metrics::METRICS;

/// Builds a frame from columns that were built together, so they have equal
/// lengths and, being metric or weekly-count names plus the key
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
    fn parquet_reads_back_to_the_same_frames() {
        let result = run_result();
        let df = summary_frame(&result);
        let bytes = parquet_bytes(&df).unwrap();
        assert_eq!(&bytes[..4], b"PAR1");
        let back = read_parquet(bytes);
        assert_eq!(back.schema(), df.schema());
        assert!(back.equals_missing(&df));
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
