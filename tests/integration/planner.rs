//! What a planner hits in sweep, compare and sensitivity (issue 20): ratio
//! objectives and constraints, a hint for a range written with a dash,
//! invalid `--set` values named as written, values set on the command line
//! labelled so, readable titles for the tornado's parameters, and the
//! settings that differ between compared scenarios with a warning when
//! their team, volume or horizon differ.

use std::path::Path;

use serde_json::Value;

use crate::common::{salesim, scenarios_dir};

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

/// The `report.json` of an output folder.
fn report_of(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap()
}

/// Standard error of a command that must fail with a bad-input status.
fn refused(args: &[&str]) -> String {
    let out = salesim().args(args).assert().code(2).get_output().clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mean(point: &Value, metric: &str) -> f64 {
    point["metrics"][metric]["mean"].as_f64().unwrap()
}

#[test]
fn ratio_objectives_and_constraints_choose_by_the_ratio_of_means() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ratio");
    let sweep_by = |objective: &str, extra: &[&str]| -> Value {
        let mut args = vec![
            "sweep",
            "--set",
            "gate.nurture_below=0.2:0.6:0.1",
            "--set",
            "run.horizon=\"6w\"",
            "-r",
            "3",
            "--objective",
            objective,
            "--format",
            "json",
            "--quiet",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        json_of(&args)
    };
    let sweep = |extra: &[&str]| sweep_by("meetings/emails_sent", extra);
    let free = sweep(&[]);
    assert_eq!(free["objective"]["metric"], "meetings/emails_sent");
    let points = free["points"].as_array().unwrap();
    let ratio = |p: &Value, a: &str, b: &str| mean(p, a) / mean(p, b);
    // Unconstrained, the best meetings per email among all points.
    let best = (0..points.len())
        .max_by(|&i, &j| {
            ratio(&points[i], "meetings", "emails_sent").total_cmp(&ratio(
                &points[j],
                "meetings",
                "emails_sent",
            ))
        })
        .unwrap();
    assert_eq!(free["chosen"]["point"], best);
    // A bound between the lowest and highest share of low-fit sends makes
    // some points feasible and some not.
    let shares: Vec<f64> = points
        .iter()
        .map(|p| ratio(p, "low_fit_sent", "emails_sent"))
        .collect();
    let lo = shares.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(lo < hi, "{shares:?}");
    let bound = format!("{:.6}", (lo + hi) / 2.0);
    let constraint = format!("low_fit_sent/emails_sent<={bound}");
    let bounded = sweep(&["--constraint", &constraint]);
    let constraints = bounded["constraints"].as_array().unwrap();
    assert_eq!(
        constraints[0],
        format!(
            "low_fit_sent/emails_sent <= {}",
            bound.parse::<f64>().unwrap()
        )
    );
    let feasible: Vec<bool> = bounded["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["feasible"].as_bool().unwrap())
        .collect();
    let expected: Vec<bool> = shares
        .iter()
        .map(|s| *s <= bound.parse::<f64>().unwrap())
        .collect();
    assert_eq!(feasible, expected);
    let chosen = bounded["chosen"]["point"].as_u64().unwrap() as usize;
    assert!(feasible[chosen]);
    for (p, point) in points.iter().enumerate() {
        if feasible[p] {
            assert!(
                ratio(point, "meetings", "emails_sent")
                    <= ratio(&points[chosen], "meetings", "emails_sent")
            );
        }
    }
    // The plan record reads back: a resume finds every job done, and the
    // report rebuilt from the folder says the goal as written.
    salesim()
        .args(["sweep", "--set", "gate.nurture_below=0.2:0.6:0.1"])
        .args(["--set", "run.horizon=\"6w\"", "-r", "3"])
        .args(["--objective", "meetings/emails_sent", "--constraint"])
        .arg(&constraint)
        .args(["--resume", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("15 of 15 jobs already done"))
        .stdout(predicates::str::contains(format!(
            "chosen (maximise meetings/emails_sent subject to low_fit_sent/emails_sent <= {}",
            bound.parse::<f64>().unwrap()
        )));
    salesim().arg("report").arg(&out).assert().success();
    let report = report_of(&out);
    assert_eq!(
        report["objective"]["objective"]["metric"],
        "meetings/emails_sent"
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("maximise meetings/emails_sent"));
    // Minimising a ratio picks the fewest meetings per email.
    let low = sweep_by("-meetings/emails_sent", &[]);
    let worst = (0..points.len())
        .min_by(|&i, &j| {
            ratio(&points[i], "meetings", "emails_sent").total_cmp(&ratio(
                &points[j],
                "meetings",
                "emails_sent",
            ))
        })
        .unwrap();
    assert_eq!(low["chosen"]["point"], worst);
}

#[test]
fn a_ratio_with_an_unknown_side_says_did_you_mean() {
    for (option, text, name) in [
        ("--objective", "meetings/emails_snt", "emails_sent"),
        ("--objective", "meetngs/emails_sent", "meetings"),
        (
            "--constraint",
            "low_fit_snt/emails_sent<=0.04",
            "low_fit_sent",
        ),
    ] {
        let mut args = vec!["sweep", "--set", "gate.nurture_below=0.3", "--quiet"];
        if option == "--constraint" {
            args.extend(["--objective", "meetings"]);
        }
        args.extend([option, text]);
        let err = refused(&args);
        assert!(err.contains(&format!("did you mean \"{name}\"")), "{err}");
    }
    let err = refused(&[
        "sweep",
        "--set",
        "gate.nurture_below=0.3",
        "--objective",
        "meetings/",
    ]);
    assert!(err.contains("--objective meetings/"), "{err}");
}

#[test]
fn a_dash_between_two_numbers_hints_at_a_range() {
    let hint = "ranges are written START:END:STEP, e.g. 0.2:0.8:0.1";
    for command in ["run", "sweep"] {
        let err = refused(&[command, "--set", "gate.nurture_below=0.2-0.8", "-q"]);
        assert!(err.contains(hint), "{command}: {err}");
    }
    // A negative number, a date and a duration hold a dash of their own.
    for set in [
        "gate.nurture_below=-0.5",
        "run.start_date=2026-01-06",
        "gate.nurture_below=2026-01-05",
        "review.expire_after=1d-2d",
        "gate.nurture_below=1e-3-x",
    ] {
        let err = refused(&["run", "--set", set, "-q"]);
        assert!(!err.contains("START:END:STEP"), "{set}: {err}");
    }
}

#[test]
fn an_invalid_set_names_the_override_as_written() {
    let canonical = scenarios_dir().join("canonical.toml");
    let canonical = canonical.to_str().unwrap();
    for set in [
        "gate.nurture_below=abc",
        "gate.nurture_below=2",
        "gate.nurture_belo=0.3",
        "reps.count=abc",
        "review.duration.p90=\"1m\"",
        "review.duration={ dist = \"normal\" }",
        "segments.0.fit.alpha=-1",
        "reps.calendar=\"nightshift\"",
        "calendars.office.hours=[\"09:00-12:00\", \"11:00-17:00\"]",
        "arrivals.kind=\"batch\"",
        "run.horizon=\"1w\"",
    ] {
        let runs: [Vec<&str>; 4] = [
            vec!["run", "-q", "--set", set],
            vec![
                "sweep",
                "-q",
                "--set",
                "agents.concurrency=8,16",
                "--set",
                set,
            ],
            vec!["compare", canonical, canonical, "-q", "--set", set],
            vec!["sensitivity", "-q", "--set", set],
        ];
        for args in runs {
            let err = refused(&args);
            assert!(err.contains(&format!("--set {set}")), "{args:?}: {err}");
            assert!(!err.contains("<embedded canonical>"), "{args:?}: {err}");
            assert!(!err.contains("canonical.toml:"), "{args:?}: {err}");
        }
    }
}

#[test]
fn values_set_on_the_command_line_are_labelled_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    salesim()
        .args(["run", "-r", "1", "-q", "--set", "run.horizon=\"3w\""])
        .args(["--set", "review.duration.median=\"3m\""])
        .args(["--set", "review.duration.p90=\"6m\""])
        .args(["--set", "gate.autosend_at_or_above=0.9", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = report_of(&out);
    let parameter = |report: &Value, key: &str| -> Value {
        report["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == key)
            .unwrap_or_else(|| panic!("no parameter {key}"))
            .clone()
    };
    let duration = parameter(&report, "review.duration");
    assert_eq!(
        duration["source"],
        "set on the command line: --set review.duration.median=\"3m\", --set review.duration.p90=\"6m\""
    );
    assert!(!duration["value"].as_str().unwrap().contains("_source"));
    assert_eq!(duration["assumed"], false);
    let autosend = parameter(&report, "gate.autosend_at_or_above");
    assert_eq!(
        autosend["source"],
        "set on the command line: --set gate.autosend_at_or_above=0.9"
    );
    let resolved = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(
        resolved.contains(
            "duration_source = 'set on the command line: --set review.duration.median=\"3m\", --set review.duration.p90=\"6m\"'"
        ),
        "{resolved}"
    );
    // A sweep's keys, swept or set to one value, are the command line's.
    let sweep = dir.path().join("sweep");
    salesim()
        .args(["sweep", "-r", "1", "-q", "--set", "run.horizon=\"3w\""])
        .args(["--set", "gate.nurture_below=0.3,0.4"])
        .args(["--set", "reps.count=8"])
        .args(["--set", "review.duration.median=2m,3m"])
        .args(["--set", "review.duration.p90=6m,8m", "--out"])
        .arg(&sweep)
        .assert()
        .success();
    let report = report_of(&sweep);
    // Two swept fields of one distribution: its source names both.
    assert_eq!(
        parameter(&report, "review.duration")["source"],
        "set on the command line: --set review.duration.median=2m,3m, --set review.duration.p90=6m,8m"
    );
    assert_eq!(
        parameter(&report, "gate.nurture_below")["source"],
        "set on the command line: --set gate.nurture_below=0.3,0.4"
    );
    assert_eq!(
        parameter(&report, "reps.count")["source"],
        "set on the command line: --set reps.count=8"
    );
    assert_eq!(parameter(&report, "reps.count")["value"], "8");
}

#[test]
fn the_tornado_names_parameters_in_words_and_marks_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sens");
    let doc = json_of(&[
        "sensitivity",
        "-r",
        "2",
        "--set",
        "run.horizon=\"3w\"",
        "--set",
        "gate.nurture_below=0.4",
        "--format",
        "json",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let gate = doc["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["parameter"] == "gate.nurture_below")
        .unwrap()
        .clone();
    assert_eq!(gate["status"], "set on the command line");
    let report = report_of(&out);
    let swings = report["sensitivity"][1].as_array().unwrap();
    assert!(swings.len() > 40, "{}", swings.len());
    for s in swings {
        let (key, title) = (
            s["parameter"].as_str().unwrap(),
            s["title"].as_str().unwrap(),
        );
        assert!(!title.is_empty() && title != key, "{key}: {title:?}");
        let from_set = key == "gate.nurture_below";
        assert_eq!(s["set_on_command_line"], from_set, "{key}");
        if from_set {
            assert_eq!(s["assumed"], false);
        }
    }
    let title = |key: &str| {
        swings
            .iter()
            .find(|s| s["parameter"] == key)
            .unwrap_or_else(|| panic!("no swing {key}"))["title"]
            .clone()
    };
    assert_eq!(
        title("segments.0.fit.beta"),
        "mid-market segment: fit Beta β"
    );
    assert_eq!(
        title("enrichment.providers.0.match_rate"),
        "provider primary: match rate"
    );
    assert_eq!(title("review.edit_probability"), "review: edit probability");
    assert_eq!(
        title("drafting.agent (scale)"),
        "drafting (agent): duration scale"
    );
}

/// The canonical scenario's text with `edits` (from, to) made, written as
/// `name.toml` in `dir`.
fn canonical_copy(dir: &Path, name: &str, edits: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string(scenarios_dir().join("canonical.toml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "canonical.toml has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    text = text.replacen("name = \"canonical\"", &format!("name = \"{name}\""), 1);
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn compare_lists_the_settings_that_differ_and_warns_when_the_team_or_volume_does() {
    let dir = tempfile::tempdir().unwrap();
    let canonical = scenarios_dir().join("canonical.toml");
    let bigger = canonical_copy(
        dir.path(),
        "bigger",
        &[
            ("count = 10", "count = 12"),
            ("per_week = 600", "per_week = 900"),
        ],
    );
    let out = dir.path().join("cmp");
    let compare = |b: &Path, format: &str| {
        salesim()
            .arg("compare")
            .arg(&canonical)
            .arg(b)
            .args(["-r", "2", "--set", "run.horizon=\"3w\"", "--force"])
            .args(["--format", format, "--out"])
            .arg(&out)
            .assert()
            .success()
            .get_output()
            .clone()
    };
    let warning = "the compared scenarios differ in team size (10 vs 12 reps) and lead volume (600 vs 900 leads a week): their differences include those, not only the setting you changed";
    let table = compare(&bigger, "table");
    let shown = String::from_utf8_lossy(&table.stdout).to_string()
        + &String::from_utf8_lossy(&table.stderr);
    assert!(shown.contains(warning), "{shown}");
    let json = compare(&bigger, "json");
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["warnings"], serde_json::json!([warning]));
    let report = report_of(&out);
    assert_eq!(report["comparability"], serde_json::json!([warning]));
    let settings = report["compared_settings"].as_array().unwrap();
    let keys: Vec<&str> = settings
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["arrivals.per_week", "reps.count"]);
    assert_eq!(settings[1]["values"], serde_json::json!(["10", "12"]));
    // Rebuilt from the folder, the report keeps them.
    let before = std::fs::read(out.join("report.json")).unwrap();
    salesim().arg("report").arg(&out).assert().success();
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), before);
    // One setting changed: listed, and nothing to warn about.
    let gate = canonical_copy(
        dir.path(),
        "gate",
        &[("nurture_below = 0.45", "nurture_below = 0.35")],
    );
    let json = compare(&gate, "json");
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(doc.get("warnings").is_none(), "{}", doc["warnings"]);
    assert!(!String::from_utf8_lossy(&json.stderr).contains("differ in"));
    let report = report_of(&out);
    assert!(report.get("comparability").is_none());
    assert_eq!(
        report["compared_settings"],
        serde_json::json!([{"key": "gate.nurture_below", "values": ["0.45", "0.35"]}])
    );
}
