//! The findings of an adversarial pass, each a promise of docs/MODEL.md
//! section 8 or 10: no accepted input loses data, mislabels a result or
//! outgrows the machine. (The memory budget has its own module, budget.rs.)

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::common::{salesim, tree};

const SHORT: [&str; 2] = ["--set", "run.horizon=\"4w\""];

/// Writes `text` as `name` in `dir`.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The names of the entries of `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// No temporary file anywhere below `dir`.
fn no_temporaries(dir: &Path) {
    for (path, _) in tree(dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.contains(".tmp-"),
            "a temporary file is left: {}",
            path.display()
        );
    }
}

/// Runs salesim with `args`, expects exit 2 and every fragment on stderr.
fn refused(args: &[&str], fragments: &[&str]) {
    let mut a = salesim().args(args).assert().code(2);
    for f in fragments {
        a = a.stderr(predicate::str::contains(*f));
    }
}

// 1. The event log belongs to the command's one atomic set.

#[test]
fn an_interrupted_write_leaves_the_new_event_log_with_the_new_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |seed: &str, reps: &str| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("salesim"));
        c.args(["run", "-r", reps, "--seed", seed, "--event-log", "-q"])
            .args(SHORT)
            .arg("--out")
            .arg(&out);
        c
    };
    assert!(run("1", "2").status().unwrap().success());
    let old_rows = std::fs::read_to_string(out.join("events.csv"))
        .unwrap()
        .lines()
        .count();
    // The second run pauses in its final commit (the write lock held) and
    // is interrupted there: the handler waits, so the whole new set lands.
    let mut second = run("2", "3");
    second
        .env("SALESIM_TEST_HOLD_WRITE_MS", "1500")
        .stderr(std::process::Stdio::piped());
    let mut child = second.spawn().unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    use std::io::BufRead;
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("holding the write lock") {
        line.clear();
    }
    assert!(
        line.contains("holding the write lock"),
        "the hook never held the lock"
    );
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let scenario = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(scenario.contains("seed = 2"), "the new run's scenario");
    let rows = std::fs::read_to_string(out.join("events.csv"))
        .unwrap()
        .lines()
        .count();
    assert!(
        rows > old_rows,
        "the new run's log (3 replications), not the old one's"
    );
    no_temporaries(&out);
}

#[test]
fn an_interrupted_sweep_with_an_event_log_leaves_no_temporary_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("salesim"))
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.1:0.9:0.01",
            "--event-log-point",
            "3",
            "-r",
            "4",
            "-j",
            "1",
            "-q",
            "--out",
        ])
        .arg(&out)
        .spawn()
        .unwrap();
    // The log's files exist from the start, under temporary names.
    let started = std::time::Instant::now();
    while !out.join("jobs").exists() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    // 324 jobs on one thread take seconds; the signal came after the first.
    assert_eq!(child.wait().unwrap().code(), Some(130));
    no_temporaries(&out);
    assert!(
        !out.join("events.csv").exists(),
        "no log of an unfinished sweep"
    );
    // Resumed to the end: the log is complete and nothing temporary is left.
    salesim()
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.1:0.9:0.01",
            "--event-log-point",
            "3",
        ])
        .args(["-r", "4", "-q", "--resume", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("events.csv").exists() && out.join("events.parquet").exists());
    no_temporaries(&out);
}

// 2. Each key is one path; a key given twice is refused.

#[test]
fn a_key_swept_twice_or_under_two_spellings_is_refused() {
    refused(
        &[
            "sweep",
            "--set",
            "gate.nurture_below=0.3",
            "--set",
            "gate.nurture_below=0.4",
        ],
        &["gate.nurture_below: the key is set twice"],
    );
    refused(
        &[
            "sweep",
            "--set",
            "enrichment.providers.0.match_rate=0.3,0.5",
            "--set",
            "enrichment.providers.00.match_rate=0.4",
        ],
        &["enrichment.providers.0.match_rate: the key is set twice"],
    );
    refused(
        &[
            "run",
            "--set",
            "enrichment.providers.+0.match_rate=0.3",
            "--set",
            " enrichment . providers.0 .match_rate=0.4",
        ],
        &["set twice"],
    );
    refused(
        &["run", "--seed", "3", "--set", "run.seed=4"],
        &["run.seed: the key is set twice"],
    );
    // One spelling alone is that key.
    let dir = tempfile::tempdir().unwrap();
    salesim()
        .args([
            "run",
            "-r",
            "1",
            "-q",
            "--set",
            "enrichment.providers.00.match_rate=0.25",
        ])
        .args(SHORT)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let toml = std::fs::read_to_string(dir.path().join("o/scenario.toml")).unwrap();
    assert!(toml.contains("match_rate = 0.25"), "{toml}");
}

// 4. A folder holds one command's results.

#[test]
fn a_folder_of_another_command_is_refused_and_forced_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    salesim()
        .args([
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.5",
            "-r",
            "2",
            "-q",
        ])
        .args(SHORT)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let run = || {
        let mut c = salesim();
        c.args(["run", "-r", "2", "-q"])
            .args(SHORT)
            .arg("--out")
            .arg(&out);
        c
    };
    run().assert().code(2).stderr(predicate::str::contains(
        "holds the results of `salesim sweep`",
    ));
    run().arg("--force").assert().success();
    let left = names(&out);
    for stale in [
        "sweep.csv",
        "sweep.json",
        "sweep.parquet",
        "plan.json",
        "jobs",
    ] {
        assert!(
            !left.contains(&stale.to_string()),
            "{stale} kept beside the run: {left:?}"
        );
    }
    assert!(left.contains(&"summary.csv".to_string()));
}

#[test]
fn a_run_without_an_event_log_removes_the_previous_runs_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |log: bool| {
        let mut c = salesim();
        c.args(["run", "-r", "1", "-q"])
            .args(SHORT)
            .arg("--out")
            .arg(&out);
        if log {
            c.arg("--event-log");
        }
        c.assert().success();
    };
    run(true);
    assert!(out.join("events.csv").exists());
    run(false);
    assert!(!out.join("events.csv").exists() && !out.join("events.parquet").exists());
}

#[test]
fn merge_refuses_to_write_into_one_of_its_shards() {
    let dir = tempfile::tempdir().unwrap();
    let shards: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        salesim()
            .args(["run", "-r", "2", "-q", "--shard", &format!("{k}/2")])
            .args(SHORT)
            .arg("--out")
            .arg(s)
            .assert()
            .success();
    }
    salesim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&shards[0])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is one of the shard folders"));
    assert!(shards[0].join("shard.json").exists());
}

#[test]
fn a_forced_shard_into_an_old_folder_keeps_none_of_its_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sweep = || {
        let mut c = salesim();
        c.args([
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.5",
            "-r",
            "2",
            "-q",
        ])
        .args(SHORT)
        .arg("--out")
        .arg(&out);
        c
    };
    sweep().assert().success();
    assert!(out.join("report.json").exists());
    // A new experiment in progress (here a shard, which stops there) is
    // never beside the old one's report.
    sweep()
        .args(["--shard", "0/2", "--force"])
        .assert()
        .success();
    let left = names(&out);
    for old in [
        "report.json",
        "index.html",
        "results.xlsx",
        "sweep.csv",
        "charts",
    ] {
        assert!(!left.contains(&old.to_string()), "{old} kept: {left:?}");
    }
}

// 5, 7, 8, 9, 11. What the engine, XML or the machine cannot honour is refused.

#[test]
fn a_rate_limit_too_small_to_represent_is_refused() {
    for rate in ["5e-324", "2.2e-308", "1e-9"] {
        refused(
            &[
                "run",
                "--set",
                &format!("enrichment.providers.0.rate_limit_per_min={rate}"),
            ],
            &["rate_limit_per_min must be at least 1e-7"],
        );
    }
}

#[test]
fn control_characters_in_names_are_refused() {
    for (key, value) in [
        ("enrichment.providers.0.name", "\"a\u{1}b\""),
        ("segments.0.name", "\"seg\u{7}\""),
        ("name", "\"x\u{1b}[31m\""),
        ("description", "\"bell\u{7}\""),
        ("enrichment.providers.0.match_rate_source", "\"cited\u{2}\""),
    ] {
        let set = format!("{key}={value}");
        refused(&["run", "-q", "--set", &set], &[key, "control character"]);
    }
    let dir = tempfile::tempdir().unwrap();
    // A calendar whose name holds one (a quoted TOML key).
    let path = file(
        dir.path(),
        "cal.toml",
        "extends = \"canonical\"\n[calendars.\"of\\u0001fice\"]\ndays = [\"mon\"]\nhours = [\"09:00-17:00\"]\n",
    );
    salesim()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("U+0001"));
    // Line breaks and tabs in a description are prose, not control.
    let path = file(
        dir.path(),
        "d.toml",
        "extends = \"canonical\"\ndescription = \"two\\nlines\\tand a tab\"\n",
    );
    salesim().arg("check").arg(&path).assert().success();
}

#[test]
fn thread_counts_beyond_a_sane_bound_are_refused_at_once() {
    for j in ["10000", "1000000"] {
        refused(&["run", "-j", j, "-q"], &["--threads", "at most 1024"]);
        refused(
            &["sweep", "--set", "gate.nurture_below=0.3", "-j", j],
            &["at most 1024"],
        );
    }
}

#[test]
fn reads_are_bounded_to_regular_files_of_a_stated_size() {
    refused(
        &["check", "/dev/zero"],
        &["/dev/zero", "not a regular file"],
    );
    let dir = tempfile::tempdir().unwrap();
    refused(
        &["check", dir.path().to_str().unwrap()],
        &["not a regular file"],
    );
    // A scenario over 16 MiB.
    let big = file(dir.path(), "big.toml", &"# padding\n".repeat(1_700_000));
    refused(&["check", big.to_str().unwrap()], &["more than the 16 MiB"]);
    // An empirical column read from a device.
    refused(
        &[
            "run",
            "-q",
            "--set",
            "review.duration={ dist = \"empirical\", file = \"/dev/zero\", column = \"m\" }",
        ],
        &["/dev/zero", "not a regular file"],
    );
}

#[test]
fn timestamps_past_the_year_9999_are_refused() {
    refused(
        &["run", "--set", "run.start_date=\"9999-12-27\""],
        &["run.start_date", "outside the years 0001 to 9999"],
    );
    // The last Monday whose 26 weeks end inside 9999 is accepted.
    let dir = tempfile::tempdir().unwrap();
    salesim()
        .args([
            "run",
            "-r",
            "1",
            "-q",
            "--set",
            "run.start_date=\"9999-06-07\"",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .assert()
        .success();
}

// 10. Job files are checked.

#[test]
fn an_edited_job_file_is_rerun_on_resume_and_refused_by_merge() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |out: &Path, extra: &[&str]| {
        let mut c = salesim();
        c.args(["sweep", "--set", "gate.nurture_below=0.3,0.5", "-r", "2"])
            .args(SHORT)
            .args(extra)
            .arg("--out")
            .arg(out);
        c
    };
    let clean = dir.path().join("clean");
    sweep(&clean, &["-q"]).assert().success();
    let tampered = dir.path().join("tampered");
    sweep(&tampered, &["-q"]).assert().success();
    let job = tampered.join("jobs/job-0000001.json");
    let text = std::fs::read_to_string(&job).unwrap();
    // The first metric, leads arrived, one more.
    let start = text.find("\"metrics\":[").unwrap() + "\"metrics\":[".len();
    let end = start + text[start..].find(',').unwrap();
    let arrived: f64 = text[start..end].parse().unwrap();
    std::fs::write(
        &job,
        format!("{}{:?}{}", &text[..start], arrived + 1.0, &text[end..]),
    )
    .unwrap();
    sweep(&tampered, &["--resume"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "job-0000001.json is its contents do not match its checksum",
        ));
    assert_eq!(
        std::fs::read(tampered.join("sweep.csv")).unwrap(),
        std::fs::read(clean.join("sweep.csv")).unwrap(),
        "the edited job was run again, not used"
    );
    // Shards: merge refuses an edited job.
    let shards: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        sweep(s, &["-q", "--shard", &format!("{k}/2")])
            .assert()
            .success();
    }
    let job = shards[1].join("jobs/job-0000001.json");
    let text = std::fs::read_to_string(&job).unwrap();
    std::fs::write(&job, text.replacen("\"events\":", "\"events\":1", 1)).unwrap();
    salesim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "job-0000001.json: its contents do not match its checksum",
        ));
}

// 12. Errors name where the bad value came from.

#[test]
fn errors_name_the_override_or_the_users_own_file() {
    refused(
        &["run", "--set", "calendars.office.hours.0=\"10:00-14:00\""],
        &[
            "--set calendars.office.hours.0=\"10:00-14:00\": calendars.office.hours",
            "overlap",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let mine = file(
        dir.path(),
        "mine.toml",
        "extends = \"canonical\"\nname = \"mine\"\n[calendars.office]\ndays = []\nhours = [\"09:00-17:00\"]\n",
    );
    salesim()
        .arg("check")
        .arg(&mine)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mine.toml:4:8: calendars.office.days",
        ));
    let bare = file(dir.path(), "nameonly.toml", "name = \"nameonly\"\n");
    salesim()
        .args(["run", "--seed", "5", "-q"])
        .arg(&bare)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nameonly.toml: description: missing required key",
        ));
    refused(
        &["run", "--seed", "9223372036854775808"],
        &["--seed 9223372036854775808: at most 9223372036854775807"],
    );
}

// 13. A report folder is self-contained.

#[test]
fn a_report_folder_keeps_the_data_its_scenario_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("crm")).unwrap();
    file(
        &dir.path().join("crm"),
        "review.csv",
        "minutes\n2m\n3m\n4m\n",
    );
    let scenario = file(
        dir.path(),
        "emp.toml",
        "extends = \"canonical\"\nname = \"emp\"\n[review]\nduration = { dist = \"empirical\", file = \"crm/review.csv\", column = \"minutes\" }\n",
    );
    let out = dir.path().join("out");
    salesim()
        .arg("run")
        .arg(&scenario)
        .args(["-r", "2", "-q"])
        .args(SHORT)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let shards: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        salesim()
            .arg("sweep")
            .arg(&scenario)
            .args([
                "--set",
                "gate.nurture_below=0.3,0.5",
                "-r",
                "2",
                "-q",
                "--shard",
                &format!("{k}/2"),
            ])
            .args(SHORT)
            .arg("--out")
            .arg(s)
            .assert()
            .success();
    }
    std::fs::rename(dir.path().join("crm"), dir.path().join("moved")).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("data/review.csv")).unwrap(),
        "minutes\n2m\n3m\n4m\n"
    );
    let toml = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(toml.contains("file = \"data/review.csv\""), "{toml}");
    salesim().arg("report").arg(&out).assert().success();
    salesim()
        .arg("merge")
        .args(&shards)
        .args(["-q", "--out"])
        .arg(dir.path().join("merged"))
        .assert()
        .success();
    assert!(dir.path().join("merged/data/review.csv").exists());
}
