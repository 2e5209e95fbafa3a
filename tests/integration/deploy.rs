//! The shipped cluster manifests, checked for shape (no cluster at hand for
//! Kubernetes; Slurm runs for real in `scripts/slurm-ci.sh`): both run the
//! same salesim sweep command with `--shard K/N`, then merge.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The salesim options used, in order, from a command line in a script.
fn options(command: &str) -> Vec<String> {
    command
        .split_whitespace()
        .filter(|w| {
            w.starts_with("--") || *w == "sweep" || *w == "merge" || w.contains("SWEEP_ARGS")
        })
        .map(|w| w.trim_matches('"').to_string())
        .collect()
}

#[test]
fn the_kubernetes_manifest_is_an_indexed_job_running_the_sbatch_command() {
    let yaml = read("deploy/k8s/sweep-job.yaml");
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&yaml)
        .map(|d| serde::Deserialize::deserialize(d).expect("each document parses"))
        .collect();
    assert_eq!(
        docs.len(),
        3,
        "a volume claim, the sweep job and the merge job"
    );
    let job = |name: &str| {
        docs.iter()
            .find(|d| d["kind"] == "Job" && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no job {name}"))
    };
    let sweep = job("salesim-sweep");
    assert_eq!(sweep["spec"]["completionMode"], "Indexed");
    assert_eq!(sweep["spec"]["completions"], sweep["spec"]["parallelism"]);
    let container = &sweep["spec"]["template"]["spec"]["containers"][0];
    let args = container["args"][0].as_str().unwrap();
    assert!(
        args.contains("--shard $JOB_COMPLETION_INDEX/$SHARDS"),
        "{args}"
    );
    let shards = container["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .unwrap();
    assert_eq!(
        shards["value"].as_str().unwrap(),
        sweep["spec"]["completions"].as_u64().unwrap().to_string()
    );
    assert_eq!(container["volumeMounts"][0]["mountPath"], "/results");
    assert_eq!(
        sweep["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "salesim-results"
    );
    // The same salesim command line as the Slurm array task.
    let sbatch = read("deploy/slurm/sweep.sbatch");
    let task = sbatch
        .lines()
        .skip_while(|l| !l.contains("\"$SALESIM\" sweep"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(options(args), options(&task));
    let merge = job("salesim-merge");
    let merge_args = merge["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(
        merge_args.contains("salesim merge /results/shard-* --out /results/merged"),
        "{merge_args}"
    );
}

#[test]
fn the_slurm_scripts_are_an_array_and_a_dependent_merge() {
    let sweep = read("deploy/slurm/sweep.sbatch");
    assert!(sweep.contains("#SBATCH --array="));
    assert!(sweep.contains("--shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\""));
    let merge = read("deploy/slurm/merge.sbatch");
    assert!(merge.contains("merge \"$OUT_DIR\"/shard-* --out \"$OUT_DIR/merged\""));
    let submit = read("deploy/slurm/submit.sh");
    assert!(submit.contains("--dependency=\"afterok:$array\""));
    assert!(submit.contains("--array=\"0-$((tasks - 1))\""));
}
