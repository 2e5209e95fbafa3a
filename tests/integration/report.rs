//! The planning report from the command line: every command writes its
//! charts, index.html and results.xlsx beside its data, and `salesim report
//! DIR` rebuilds them from the folder's files alone, byte for byte.

use std::path::Path;

use crate::common::salesim;

fn report_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = ["index.html", "results.xlsx"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect();
    // Every chart, a sweep's point folders (charts/point-K/) included.
    let mut charts = Vec::new();
    let mut folders = vec![dir.join("charts")];
    while let Some(folder) = folders.pop() {
        for e in std::fs::read_dir(folder).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                charts.push(path);
            }
        }
    }
    charts.sort();
    for c in charts {
        files.push((c.display().to_string(), std::fs::read(&c).unwrap()));
    }
    files
}

#[test]
fn every_command_writes_a_report_that_salesim_report_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let canonical = root.join("scenarios/canonical.toml");
    let sdr = root.join("scenarios/ai-sdr-autonomous.toml");
    let commands: Vec<(&str, Vec<&str>, &[&str])> = vec![
        (
            "run",
            vec!["run", "-r", "2", "--set", "run.horizon=\"4w\""],
            &["weekly_volumes", "rep_hours", "review_gate", "rep_time"],
        ),
        (
            "sweep",
            vec![
                "sweep",
                "--set",
                "gate.nurture_below=0.3,0.5",
                "--set",
                "run.horizon=\"4w\"",
                "-r",
                "2",
            ],
            &["sweep_tradeoff"],
        ),
        (
            "sweep2",
            vec![
                "sweep",
                "--set",
                "reps.count=4,8",
                "--set",
                "gate.nurture_below=0.3,0.5",
                "--set",
                "run.horizon=\"4w\"",
                "-r",
                "2",
            ],
            &["sweep_heatmap"],
        ),
        (
            "compare",
            vec![
                "compare",
                canonical.to_str().unwrap(),
                sdr.to_str().unwrap(),
                "-r",
                "2",
                "--set",
                "run.horizon=\"4w\"",
            ],
            &["weekly_volumes", "rep_hours"],
        ),
        (
            "sensitivity",
            vec!["sensitivity", "-r", "2", "--set", "run.horizon=\"3w\""],
            &["sensitivity_tornado"],
        ),
    ];
    for (name, args, charts) in commands {
        let out = dir.path().join(name);
        salesim()
            .args(&args)
            .args(["--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        for chart in charts {
            for ext in ["svg", "png"] {
                assert!(
                    out.join(format!("charts/{chart}.{ext}")).exists(),
                    "{name}: {chart}.{ext}"
                );
            }
        }
        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(html.contains("Every metric") && html.contains("Parameters and their sources"));
        let before = report_files(&out);
        std::fs::remove_file(out.join("index.html")).unwrap();
        std::fs::remove_file(out.join("results.xlsx")).unwrap();
        std::fs::remove_dir_all(out.join("charts")).unwrap();
        salesim().arg("report").arg(&out).assert().success();
        assert!(
            before == report_files(&out),
            "{name}: salesim report rebuilt different files"
        );
    }
    salesim()
        .arg("report")
        .arg(dir.path().join("nowhere"))
        .assert()
        .code(2);
}
