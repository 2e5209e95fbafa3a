//! The event log as a process-mining tool reads it: its schema and types,
//! timestamps that parse and are ordered within a case, and activity counts
//! that reproduce the run's metrics.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;
use serde_json::Value;

use crate::common::salesim;

fn read_parquet(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn strings(df: &DataFrame, name: &str) -> Vec<String> {
    let column = df.column(name).unwrap().str().unwrap();
    (0..column.len())
        .map(|i| column.get(i).unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_event_log_reproduces_the_runs_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("log");
    let stdout = salesim()
        .args([
            "run",
            "-r",
            "2",
            "--set",
            "run.horizon=\"8w\"",
            "--event-log",
            "--format",
            "json",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&stdout).unwrap();
    let mean = |name: &str| doc["metrics"][name]["mean"].as_f64().unwrap();
    let df = read_parquet(&out.join("events.parquet"));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, salesim::output::events::COLUMNS);
    assert_eq!(df.column("true_fit").unwrap().dtype(), &DataType::Float64);
    assert_eq!(df.column("score").unwrap().dtype(), &DataType::Float64);
    assert_eq!(df.column("replication").unwrap().dtype(), &DataType::UInt32);
    let case = strings(&df, "case_id");
    let activity = strings(&df, "activity");
    let start = strings(&df, "start_time");
    let end = strings(&df, "end_time");
    let lane = strings(&df, "lane");
    // Timestamps: ISO 8601 with offset, start <= end, ordered within a case.
    let iso = |t: &str| {
        t.len() == 29
            && t.as_bytes()[10] == b'T'
            && t.ends_with("+00:00")
            && t[..4].parse::<u32>().is_ok()
    };
    let mut last_end: HashMap<&str, &str> = HashMap::new();
    for i in 0..df.height() {
        assert!(iso(&start[i]) && iso(&end[i]), "{} {}", start[i], end[i]);
        assert!(start[i] <= end[i], "row {i}");
        if let Some(prev) = last_end.insert(&case[i], &end[i]) {
            assert!(
                prev <= end[i].as_str(),
                "case {} goes back in time",
                case[i]
            );
        }
        assert!(["agent", "human", "system", "external"].contains(&lane[i].as_str()));
    }
    // W = [2w, 8w) from the default start date, Monday 2026-01-05.
    let (w0, w1) = (
        "2026-01-19T00:00:00.000+00:00",
        "2026-03-02T00:00:00.000+00:00",
    );
    let in_w = |t: &str| t >= w0 && t < w1;
    let arrival: HashMap<&str, &str> = (0..df.height())
        .filter(|&i| activity[i] == "arrival")
        .map(|i| (case[i].as_str(), end[i].as_str()))
        .collect();
    let per_replication =
        |f: &dyn Fn(usize) -> bool| (0..df.height()).filter(|&i| f(i)).count() as f64 / 2.0;
    assert_eq!(
        per_replication(&|i| activity[i] == "send" && in_w(&end[i])),
        mean("emails_sent")
    );
    assert_eq!(
        per_replication(&|i| activity[i] == "review" && in_w(arrival[case[i].as_str()])),
        mean("drafts_reviewed")
    );
    assert_eq!(
        per_replication(&|i| activity[i] == "provider call" && in_w(&start[i])),
        mean("provider_calls")
    );
    assert_eq!(
        per_replication(&|i| activity[i] == "nurture touch" && in_w(&end[i])),
        mean("nurture_touches")
    );
    assert_eq!(
        per_replication(&|i| activity[i] == "bounce" && in_w(&end[i])),
        mean("emails_bounced")
    );
    assert_eq!(
        per_replication(&|i| activity[i] == "arrival" && in_w(&end[i])),
        mean("leads_arrived")
    );
    // Every arrived lead is one case; the CSV holds the same rows.
    assert_eq!(arrival.len(), {
        let mut c = case.clone();
        c.sort();
        c.dedup();
        c.len()
    });
    let csv = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert_eq!(csv.lines().count(), df.height() + 1);
    assert!(csv.starts_with("case_id,activity,detail,lane,resource,start_time,end_time"));
}

#[test]
fn a_sweep_logs_the_point_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    salesim()
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.6",
            "--set",
            "run.horizon=\"4w\"",
            "-r",
            "1",
            "--event-log-point",
            "1",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let df = read_parquet(&out.join("events.parquet"));
    assert!(df.height() > 0);
    // The log is that of point 1: a run of that point logs the same rows.
    let single = dir.path().join("r");
    salesim()
        .args([
            "run",
            "--set",
            "gate.nurture_below=0.6",
            "--set",
            "run.horizon=\"4w\"",
            "-r",
            "1",
            "--event-log",
            "--quiet",
            "--out",
        ])
        .arg(&single)
        .assert()
        .success();
    let events = |d: &std::path::Path| std::fs::read(d.join("events.csv")).unwrap();
    assert!(events(&out) == events(&single), "not point 1's event log");
    salesim()
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.6",
            "-r",
            "1",
            "--event-log-point",
            "2",
            "--quiet",
            "--force",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--event-log-point 2"));
}

#[test]
fn without_the_flag_no_event_log_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain");
    salesim()
        .args([
            "run",
            "-r",
            "1",
            "--set",
            "run.horizon=\"2w\"",
            "--set",
            "run.warmup=\"1w\"",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("events.csv").exists());
}
