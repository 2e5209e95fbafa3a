//! Snapshots of the documents salesim writes, byte for byte: a run's JSON
//! document and `summary.csv`, a sweep's `sweep.json`, `sweep.csv` and
//! `plan.json`, a comparison's `compare.json` and a sensitivity's
//! `sensitivity.json`. Each comes from the tests' base scenario over a short
//! horizon, two replications and a fixed seed, so it is small and the same
//! on every run of the same code.
//!
//! A change to any document fails here with a diff. If the change is meant,
//! review the new snapshot (`*.snap.new` beside the old one, or
//! `cargo insta review`) and commit it. CI sets `INSTA_UPDATE=no`, so a
//! mismatch there only fails and never writes.

use std::path::Path;

use crate::common::salesim;

/// The tests' base scenario, relative to the repository root (the working
/// folder of every command here), so no document holds a machine's path.
const BASE: &str = "tests/fixtures/base.toml";

/// Options every command shares: short, two replications, a fixed seed.
const SMALL: [&str; 10] = [
    "--set",
    "run.horizon=\"3w\"",
    "--set",
    "run.warmup=\"1w\"",
    "-r",
    "2",
    "--seed",
    "7",
    "--quiet",
    "--force",
];

/// Runs `salesim args SMALL --out out` from the repository root; returns
/// its standard output, after checking it succeeded.
fn salesim_in_root(args: &[&str], out: &Path) -> String {
    let stdout = salesim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .args(SMALL)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(stdout).unwrap()
}

/// A written file's text (it must exist).
fn text_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_runs_json_document_and_summary_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let json = salesim_in_root(&["run", BASE, "--format", "json"], &out);
    insta::assert_snapshot!("run_json", json);
    insta::assert_snapshot!("run_summary_csv", text_of(&out.join("summary.csv")));
}

#[test]
fn a_sweeps_documents_and_plan_are_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    salesim_in_root(
        &[
            "sweep",
            BASE,
            "--set",
            "gate.nurture_below=0.3,0.5",
            "--objective",
            "hours_saved_per_rep_week",
            "--constraint",
            "low_fit_sent<=40",
        ],
        &out,
    );
    insta::assert_snapshot!("sweep_json", text_of(&out.join("sweep.json")));
    insta::assert_snapshot!("sweep_csv", text_of(&out.join("sweep.csv")));
    insta::assert_snapshot!("sweep_plan_json", text_of(&out.join("plan.json")));
}

#[test]
fn a_comparisons_document_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let stricter = dir.path().join("stricter.toml");
    std::fs::write(
        &stricter,
        format!(
            "extends = \"{}/{BASE}\"\nname = \"stricter\"\n[gate]\nnurture_below = 0.5\n",
            env!("CARGO_MANIFEST_DIR")
        ),
    )
    .unwrap();
    let out = dir.path().join("compare");
    salesim_in_root(&["compare", BASE, stricter.to_str().unwrap()], &out);
    insta::assert_snapshot!("compare_json", text_of(&out.join("compare.json")));
}

#[test]
fn a_sensitivity_document_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sensitivity");
    salesim_in_root(&["sensitivity", BASE], &out);
    insta::assert_snapshot!("sensitivity_json", text_of(&out.join("sensitivity.json")));
}
