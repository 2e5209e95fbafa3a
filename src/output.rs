//! Reports of a run: polars frames, CSV / Parquet / JSON bytes, the terminal
//! table, and the one place that writes files (atomically).
//!
//! Everything but [`files`] is pure: data in, frames, bytes or text out. The
//! file writers build every byte first and then write each file under a
//! temporary name and rename it over the final one, so an interrupted run
//! never leaves a partial file where a complete one was expected.

pub mod events;
pub mod experiment;
pub mod files;
pub mod frames;
pub mod json;
pub mod store;
pub mod table;

pub use files::{check_out_dir, prepare_dir, write_atomic, write_atomic_all};
pub use frames::{csv_bytes, parquet_bytes, summary_csv, summary_frame};
pub use json::{json_document, RunJson};
pub use table::table;

/// How a command prints its report on standard output.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A table for people: metric, mean, 95% CI.
    Table,
    /// One JSON document.
    Json,
    /// The main table as CSV.
    Csv,
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small hand-made [`RunResult`] shared by the output tests.

    use crate::experiment::RunResult;
    use crate::metrics::{aggregate, WeekCounts, METRICS};
    use crate::replication::ReplicationResult;

    /// Three replications of three weeks; `nurture_share` is undefined in
    /// replication 1 and `cost_per_meeting` in every replication.
    pub fn run_result() -> RunResult {
        let replications: Vec<ReplicationResult> = (0..3u32)
            .map(|r| {
                let metrics = METRICS
                    .iter()
                    .enumerate()
                    .map(|(i, m)| match m.name {
                        "cost_per_meeting" => None,
                        "nurture_share" if r == 1 => None,
                        "nurture_share" => Some(0.25 + 0.01 * f64::from(r)),
                        "leads_arrived" => Some(12_000.0 + 100.0 * f64::from(r)),
                        "hours_saved_per_rep_week" => Some(9.84 + 0.1 * f64::from(r)),
                        // Below 1: no capacity warning.
                        "manual_prep_load" => Some(0.5 + 0.1 * f64::from(r)),
                        _ => Some(i as f64 + f64::from(r)),
                    })
                    .collect();
                let weekly = (0..3u64)
                    .map(|w| {
                        // In `Weekly::ALL` order: arrived, unreachable, to
                        // nurture, to outreach, sent, autosent, replies,
                        // meetings, nurture touches.
                        let mut counts = [0; crate::metrics::WEEKLY_LEN];
                        counts[..9].copy_from_slice(&[
                            100 + w,
                            10,
                            20,
                            70,
                            60 + u64::from(r),
                            5,
                            6,
                            1,
                            30,
                        ]);
                        WeekCounts::new(counts)
                    })
                    .collect();
                ReplicationResult {
                    replication: r,
                    metrics,
                    weekly,
                    events: 1_000,
                }
            })
            .collect();
        let summary = (0..METRICS.len())
            .map(|i| aggregate(replications.iter().map(|r| r.metrics[i])))
            .collect();
        RunResult {
            scenario: "canonical \"test\"".to_string(),
            seed: 42,
            replications,
            summary,
        }
    }
}
