//! Scale-out: `--shard K/N` splits the job list, `salesim merge` combines the
//! shards into exactly the files (and report) one machine writes, and refuses
//! shards that do not belong together.

use std::path::{Path, PathBuf};

use crate::common::{interrupt_after_jobs, salesim, tree};

/// Runs salesim with `args` plus `--out out` and returns its stdout.
fn stdout_of(args: &[&str], out: &Path) -> Vec<u8> {
    salesim()
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// Runs `args` whole and as three shards, merges them, and checks the
/// merged folder and report equal the whole run's byte for byte.
fn shards_merge_to_the_whole(args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let expected = stdout_of(args, &whole);
    let mut shards = Vec::new();
    for k in 0..3 {
        let out = dir.path().join(format!("shard-{k}"));
        let shard = format!("{k}/3");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard, "--quiet"]);
        stdout_of(&a, &out);
        assert!(out.join("shard.json").exists());
        shards.push(out);
    }
    let merged = dir.path().join("merged");
    let report = salesim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&report),
        String::from_utf8_lossy(&expected)
    );
    // Two empty folders, or two silent runs, would compare equal.
    assert!(
        !expected.is_empty(),
        "{args:?}: the whole run printed nothing"
    );
    let (a, b) = (tree(&whole), tree(&merged));
    assert!(
        a.iter()
            .any(|(p, _)| p.as_path() == Path::new("index.html")),
        "{args:?}: {:?}",
        a.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(
        a == b,
        "{args:?}: merged files differ from the unsharded run"
    );
}

#[test]
fn three_shards_of_a_run_merge_to_the_unsharded_run() {
    shards_merge_to_the_whole(&["run", "-r", "5", "--set", "run.horizon=\"6w\""]);
}

#[test]
fn three_shards_of_a_sweep_merge_to_the_unsharded_sweep() {
    shards_merge_to_the_whole(&[
        "sweep",
        "--set",
        "gate.nurture_below=0.3:0.5:0.1",
        "--set",
        "run.horizon=\"6w\"",
        "-r",
        "4",
        "--objective",
        "hours_saved_per_rep_week",
        "--constraint",
        "low_fit_sent<=40",
    ]);
}

#[test]
fn three_shards_of_a_sweep_by_a_ratio_merge_to_the_unsharded_sweep() {
    shards_merge_to_the_whole(&[
        "sweep",
        "--set",
        "gate.nurture_below=0.3:0.5:0.1",
        "--set",
        "run.horizon=\"6w\"",
        "-r",
        "4",
        "--objective",
        "-low_fit_sent/emails_sent",
        "--constraint",
        "meetings/emails_sent>=0.001",
    ]);
}

#[test]
fn three_shards_of_a_comparison_and_a_sensitivity_merge_too() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let canonical = root.join("scenarios/canonical.toml");
    let sdr = root.join("scenarios/ai-sdr-autonomous.toml");
    shards_merge_to_the_whole(&[
        "compare",
        canonical.to_str().unwrap(),
        sdr.to_str().unwrap(),
        "-r",
        "3",
        "--set",
        "run.horizon=\"4w\"",
    ]);
    shards_merge_to_the_whole(&[
        "sensitivity",
        "-r",
        "2",
        "--set",
        "run.horizon=\"3w\"",
        "--format",
        "json",
    ]);
}

/// Shards of `args` (with `extra` appended to shard k's arguments) in `dir`.
fn make_shards(dir: &Path, name: &str, args: &[&str], n: u32, only: &[u32]) -> Vec<PathBuf> {
    only.iter()
        .map(|k| {
            let out = dir.join(format!("{name}-{k}"));
            let shard = format!("{k}/{n}");
            let mut a = args.to_vec();
            a.extend(["--shard", &shard, "--quiet"]);
            stdout_of(&a, &out);
            out
        })
        .collect()
}

fn refuses(shards: &[PathBuf], fragment: &str) {
    let out = shards[0].parent().unwrap().join("merged");
    salesim()
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(fragment));
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = [
        "sweep",
        "--set",
        "gate.nurture_below=0.3,0.5",
        "--set",
        "run.horizon=\"3w\"",
        "-r",
        "2",
    ];
    let good = make_shards(d, "good", &base, 2, &[0, 1]);
    // Missing and duplicate shards.
    refuses(&good[..1], "shard 1/2 is missing");
    refuses(
        &[good[0].clone(), good[0].clone(), good[1].clone()],
        "given twice",
    );
    // Another seed, grid, scenario or split.
    let mut seed = base.to_vec();
    seed.extend(["--seed", "7"]);
    let other_seed = make_shards(d, "seed", &seed, 2, &[1]);
    refuses(&[good[0].clone(), other_seed[0].clone()], "another seed");
    let grid = [
        "sweep",
        "--set",
        "gate.nurture_below=0.3,0.6",
        "--set",
        "run.horizon=\"3w\"",
        "-r",
        "2",
    ];
    let other_grid = make_shards(d, "grid", &grid, 2, &[1]);
    refuses(&[good[0].clone(), other_grid[0].clone()], "another grid");
    let sdr = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ai-sdr-autonomous.toml");
    let mut scenario = base.to_vec();
    scenario.insert(1, sdr.to_str().unwrap());
    let other_scenario = make_shards(d, "scenario", &scenario, 2, &[1]);
    refuses(
        &[good[0].clone(), other_scenario[0].clone()],
        "another scenario",
    );
    let three = make_shards(d, "three", &base, 3, &[1, 2]);
    refuses(
        &[good[0].clone(), three[0].clone(), three[1].clone()],
        "of 3",
    );
    // Not a shard at all.
    refuses(&[d.join("nowhere")], "not a shard");
}

#[test]
fn an_interrupted_shard_keeps_its_jobs_and_finishes_with_resume() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "sweep",
        "--set",
        "gate.nurture_below=0.2:0.8:0.05",
        "--set",
        "run.horizon=\"8w\"",
        "-r",
        "4",
    ];
    let whole = d.join("whole");
    stdout_of(&args, &whole);
    let shard0 = d.join("s0");
    // Interrupted with exactly 2 of its jobs on disk (the test hook pauses
    // it there; one thread).
    let mut interrupted = args.to_vec();
    interrupted.extend(["--shard", "0/2", "-j", "1", "--quiet"]);
    let (status, _) = interrupt_after_jobs(&interrupted, &shard0, 2, "-TERM");
    assert_eq!(status.code(), Some(130), "not interrupted: {status:?}");
    let jobs: Vec<PathBuf> = tree(&shard0)
        .into_iter()
        .filter(|(p, _)| p.starts_with("jobs"))
        .map(|(p, _)| shard0.join(p))
        .collect();
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    // Whatever was written is complete: no temporary files, every job file
    // parses as a job of this plan (checked by the merge below).
    for (path, _) in tree(&shard0) {
        assert!(
            !path.to_string_lossy().contains(".tmp"),
            "{}",
            path.display()
        );
    }
    // The resume must keep the finished jobs' files, not compute and write
    // them again. A rewrite is a new file renamed over the old name (never
    // an edit in place), so each kept file gets a second name outside the
    // folder: after the resume, the job's name must still be that same file
    // (same inode, two links), with the same bytes. A modification time
    // would not do: a file rewritten within one tick of a coarse clock looks
    // untouched. The second link also keeps the old inode number from being
    // reused by a new file.
    let keep = d.join("kept");
    std::fs::create_dir(&keep).unwrap();
    let kept: Vec<(PathBuf, PathBuf, Vec<u8>)> = jobs
        .iter()
        .map(|path| {
            let link = keep.join(path.file_name().unwrap());
            std::fs::hard_link(path, &link).unwrap();
            (path.clone(), link, std::fs::read(path).unwrap())
        })
        .collect();
    let mut resume = args.to_vec();
    resume.extend(["--shard", "0/2", "--resume", "--quiet"]);
    stdout_of(&resume, &shard0);
    for (path, link, bytes) in &kept {
        use std::os::unix::fs::MetadataExt;
        let (now, old) = (
            std::fs::metadata(path).unwrap(),
            std::fs::metadata(link).unwrap(),
        );
        assert!(
            now.ino() == old.ino() && now.nlink() == 2,
            "{} was written again (inode {} was {}, {} links)",
            path.display(),
            now.ino(),
            old.ino(),
            now.nlink()
        );
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{}", path.display());
    }
    let mut other = args.to_vec();
    other.extend(["--shard", "1/2", "--quiet"]);
    let shard1 = d.join("s1");
    stdout_of(&other, &shard1);
    let merged = d.join("merged");
    salesim()
        .arg("merge")
        .args([&shard0, &shard1])
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .assert()
        .success();
    let expected = tree(&whole);
    assert!(expected
        .iter()
        .any(|(p, _)| p.as_path() == Path::new("sweep.csv")));
    assert!(expected == tree(&merged));
}
