//! Sweeps, comparisons and sensitivity from the command line: a sweep point
//! is the run at that point, results do not depend on threads, common random
//! numbers narrow the paired CI, objectives pick the right point (or say none
//! is feasible), sensitivity finds what is known, and an interrupted sweep
//! resumes to the same files.

use std::path::{Path, PathBuf};

use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;

use crate::common::{interrupt_after_jobs, salesim, tree};

/// Runs salesim with `args` and returns its standard output as JSON.
fn json_of(args: &[&str]) -> Value {
    let out = salesim()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

const SHORT: [&str; 2] = ["--set", "run.horizon=\"8w\""];

#[test]
fn a_sweep_point_is_the_run_at_that_point() {
    let dir = tempfile::tempdir().unwrap();
    let sweep_out = dir.path().join("sweep");
    let run_out = dir.path().join("run");
    let sweep = json_of(&[
        "sweep",
        "--set",
        "gate.nurture_below=0.3,0.45",
        "--set",
        "run.horizon=\"8w\"",
        "-r",
        "3",
        "--format",
        "json",
        "--quiet",
        "--out",
        sweep_out.to_str().unwrap(),
    ]);
    let run = json_of(&[
        "run",
        "--set",
        "gate.nurture_below=0.45",
        "--set",
        "run.horizon=\"8w\"",
        "-r",
        "3",
        "--format",
        "json",
        "--quiet",
        "--out",
        run_out.to_str().unwrap(),
    ]);
    let point = &sweep["points"][1];
    assert_eq!(point["params"]["gate.nurture_below"], 0.45);
    assert_eq!(point["metrics"], run["metrics"]);
    assert_ne!(sweep["points"][0]["metrics"], run["metrics"]);
    assert_eq!(
        sweep["params"],
        serde_json::json!(["gate.nurture_below", "run.horizon"])
    );
}

#[test]
fn sweep_files_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        salesim()
            .args([
                "sweep",
                "--set",
                "gate.nurture_below=0.3:0.5:0.1",
                "--set",
                "reps.count=4,8",
            ])
            .args(SHORT)
            .args(["-r", "3", "--quiet", "-j", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        trees.push(tree(&out));
    }
    let names: Vec<&Path> = trees[0].iter().map(|(p, _)| p.as_path()).collect();
    for f in [
        "sweep.csv",
        "sweep.parquet",
        "replications.parquet",
        "weekly.parquet",
        "sweep.json",
        "plan.json",
    ] {
        assert!(names.contains(&Path::new(f)), "{f} missing: {names:?}");
    }
    assert_eq!(
        trees[0]
            .iter()
            .filter(|(p, _)| p.starts_with("jobs"))
            .count(),
        18
    );
    assert!(trees[0] == trees[1], "files differ between 1 and 2 threads");
}

/// Two scenario files that differ only in the gate threshold, 0.45 (the
/// tests' base) and 0.5.
fn thresholds(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("a.toml");
    let b = dir.join("b.toml");
    std::fs::write(dir.join("base.toml"), crate::common::BASE).unwrap();
    std::fs::write(&a, "extends = \"base.toml\"\nname = \"gate-045\"\n").unwrap();
    std::fs::write(
        &b,
        "extends = \"base.toml\"\nname = \"gate-050\"\n[gate]\nnurture_below = 0.5\n",
    )
    .unwrap();
    (a, b)
}

#[test]
fn common_random_numbers_make_the_paired_ci_narrower() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = thresholds(dir.path());
    let out = dir.path().join("cmp");
    let doc = json_of(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-r",
        "10",
        "--format",
        "json",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "run.horizon=\"12w\"",
    ]);
    assert_eq!(doc["points"][0]["params"]["scenario"], "gate-045");
    assert!(doc["points"][0].get("differences").is_none());
    for metric in ["hours_saved_per_rep_week", "emails_sent", "rep_prep_hours"] {
        let d = &doc["points"][1]["differences"][metric];
        let width = |lo: &str, hi: &str| d[hi].as_f64().unwrap() - d[lo].as_f64().unwrap();
        let paired = width("ci95_low", "ci95_high");
        let unpaired = width("unpaired_ci95_low", "unpaired_ci95_high");
        eprintln!("{metric}: paired CI width {paired:.4}, unpaired {unpaired:.4}");
        assert!(
            paired < unpaired / 2.0,
            "{metric}: paired {paired} vs unpaired {unpaired}"
        );
    }
    // A stricter gate sends fewer emails: the paired difference says so.
    assert!(
        doc["points"][1]["differences"]["emails_sent"]["ci95_high"]
            .as_f64()
            .unwrap()
            < 0.0
    );
    assert!(out.join("compare.csv").exists() && out.join("compare.parquet").exists());
}

#[test]
fn the_objective_picks_the_best_feasible_point() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let args = |constraint: &str| -> Value {
        json_of(&[
            "sweep",
            "--set",
            "gate.nurture_below=0.3:0.6:0.1",
            "--set",
            "run.horizon=\"8w\"",
            "-r",
            "3",
            "--objective",
            "emails_sent",
            "--constraint",
            constraint,
            "--format",
            "json",
            "--quiet",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let doc = args("low_fit_sent<=20");
    // Reach (first emails) falls with the threshold and low-fit sends fall
    // too: the best feasible point is the lowest threshold within the bound.
    let points = doc["points"].as_array().unwrap();
    let feasible: Vec<bool> = points
        .iter()
        .map(|p| p["feasible"].as_bool().unwrap())
        .collect();
    let first_ok = feasible
        .iter()
        .position(|f| *f)
        .expect("some point is feasible");
    assert!(feasible[first_ok..].iter().all(|f| *f), "{feasible:?}");
    assert_eq!(doc["chosen"]["point"], first_ok);
    for p in points {
        let sent = p["metrics"]["low_fit_sent"]["mean"].as_f64().unwrap();
        assert_eq!(p["feasible"].as_bool().unwrap(), sent <= 20.0);
    }
    let none = args("low_fit_sent<0");
    assert!(none["chosen"].is_null());
    salesim()
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.4",
            "--set",
            "run.horizon=\"4w\"",
            "-r",
            "2",
        ])
        .args([
            "--objective",
            "-review_wait_mean_h",
            "--constraint",
            "meetings>1000000",
            "--quiet",
            "--force",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "No point satisfies the constraints",
        ));
}

#[test]
fn sensitivity_finds_what_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sens");
    let doc = json_of(&[
        "sensitivity",
        "-r",
        "3",
        "--set",
        "run.horizon=\"10w\"",
        "--format",
        "json",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(doc["metric"], "hours_saved_per_rep_week");
    let base = doc["base"]["hours_saved_per_rep_week"]["mean"]
        .as_f64()
        .unwrap();
    let params = doc["parameters"].as_array().unwrap();
    let find = |name: &str| {
        params
            .iter()
            .find(|p| p["parameter"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // Hours saved per rep-week is (manual - rep prep) / (reps x weeks):
    // linear in 1 / reps.count (10 reps moved to 8 and 12).
    let reps = find("reps.count");
    for (side, count) in [("low", 8.0), ("high", 12.0)] {
        let at = reps[side]["mean"].as_f64().unwrap();
        let expected = base * 10.0 / count;
        assert!(
            (at / expected - 1.0).abs() < 0.01,
            "{side}: {at} vs {expected}"
        );
    }
    assert_eq!(reps["rank"], 1, "reps.count moves hours saved the most");
    assert_eq!(reps["status"], "assumed");
    // The meeting rate touches nothing a rep prepares: no difference at all.
    let meeting = find("conversations.meeting_rate");
    for side in ["low", "high"] {
        assert_eq!(meeting[side]["difference"]["mean"], 0.0);
    }
    assert_eq!(find("enrichment.providers.0.match_rate")["status"], "cited");
    // Ranked by the larger absolute paired difference.
    let swing = |p: &Value| -> f64 {
        ["low", "high"]
            .iter()
            .map(|s| p[s]["difference"]["mean"].as_f64().unwrap_or(0.0).abs())
            .fold(0.0, f64::max)
    };
    assert!(params.windows(2).all(|w| swing(&w[0]) >= swing(&w[1])));
    assert!(out.join("sensitivity.csv").exists());
}

#[test]
fn an_interrupted_sweep_resumes_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let resumed = dir.path().join("resumed");
    let sweep = |out: &Path, extra: &[&str]| {
        salesim()
            .args(["sweep", "--set", "gate.nurture_below=0.2:0.8:0.05"])
            .args(SHORT)
            .args(["-r", "4", "--quiet", "--out"])
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    sweep(&whole, &[]);
    // Interrupt a real run with exactly 3 of its 84 jobs on disk (the test
    // hook pauses it there; one thread).
    let (status, after) = interrupt_after_jobs(
        &[
            "sweep",
            "--set",
            "gate.nurture_below=0.2:0.8:0.05",
            "--set",
            "run.horizon=\"8w\"",
            "-r",
            "4",
            "-j",
            "1",
            "--quiet",
        ],
        &resumed,
        3,
        "-INT",
    );
    let jobs = resumed.join("jobs");
    let finished = tree(&resumed);
    // Interrupted: the three job files complete, and the final tables absent.
    assert_eq!(status.code(), Some(130), "not interrupted: {status:?}");
    assert!(after.iter().any(|l| l == "interrupted"), "{after:?}");
    assert!(!resumed.join("sweep.csv").exists());
    assert!(finished
        .iter()
        .all(|(p, _)| !p.to_string_lossy().contains(".tmp")));
    assert_eq!(
        finished
            .iter()
            .filter(|(p, _)| p.starts_with("jobs"))
            .count(),
        3
    );
    // Drop a few more results, as if they had never finished.
    for j in [7, 30] {
        let _ = std::fs::remove_file(jobs.join(format!("job-{j:07}.json")));
    }
    sweep(&resumed, &["--resume"]);
    let expected = tree(&whole);
    assert!(expected
        .iter()
        .any(|(p, _)| p.as_path() == Path::new("sweep.csv")));
    assert!(
        expected == tree(&resumed),
        "a resumed sweep differs from an uninterrupted one"
    );
    // Resuming into another experiment's folder is refused.
    salesim()
        .args(["sweep", "--set", "gate.nurture_below=0.3"])
        .args(SHORT)
        .args(["-r", "4", "--quiet", "--resume", "--out"])
        .arg(&resumed)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("another grid"));
}

#[test]
fn bad_sweeps_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    for (args, fragment) in [
        (
            vec!["--set", "gate.nurture_below=0.2:0.8"],
            "START:END:STEP",
        ),
        (vec!["--set", "gate.nurture_blow=0.2,0.3"], "nurture_blow"),
        (vec!["--set", "gate.nurture_below=0.2,1.5"], "point 1"),
        // Valid alone, not together: autosend below the gate.
        (
            vec![
                "--set",
                "gate.autosend_at_or_above=0.3,0.9",
                "--set",
                "gate.nurture_below=0.5",
            ],
            "point 0",
        ),
        (
            vec!["--set", "gate.nurture_below=0.3", "--objective", "nope"],
            "unknown metric",
        ),
        (vec!["--set", "run.seed=1,2"], "seed"),
    ] {
        salesim()
            .arg("sweep")
            .args(&args)
            .args(["--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(fragment));
        assert!(!out.join("jobs").exists(), "{args:?} ran jobs");
    }
}

/// Splits a documented command line into words: spaces separate, single
/// quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[test]
fn every_ready_made_experiment_runs_as_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("scenarios/experiments/README.md")).unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("$ salesim "))
        .collect();
    assert!(commands.len() >= 3, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    for (i, command) in commands.iter().enumerate() {
        let out = dir.path().join(i.to_string());
        salesim()
            .current_dir(root)
            .args(words(command))
            .args(["-r", "2", "--set", "run.horizon=\"4w\"", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicates::str::contains("chosen").or(predicates::str::contains("No point")));
        assert!(out.join("sweep.csv").exists(), "{command}");
    }
}
