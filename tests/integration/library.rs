//! The scenario library: every shipped scenario is valid and cited, and the
//! headline table in `scenarios/README.md` is what the script prints now.

use predicates::prelude::*;
use salesim::library::{headline_table, scenario_files, table_in};
use salesim::scenario::load_file;

use crate::common::{salesim, scenarios_dir};

#[test]
fn every_parameter_of_every_shipped_scenario_has_a_source() {
    let files = scenario_files(&scenarios_dir()).unwrap();
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let loaded = load_file(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
        let missing: Vec<&str> = loaded
            .parameters
            .iter()
            .filter(|p| p.source.as_deref().is_none_or(|s| s.trim().is_empty()))
            .map(|p| p.key.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "{}: no source for {missing:?}",
            file.display()
        );
        // The resolved scenario keeps the sources.
        assert!(
            loaded.resolved_toml.contains("_source"),
            "{}",
            file.display()
        );
    }
}

#[test]
fn check_sources_lists_values_and_sources() {
    let file = scenarios_dir().join("canonical.toml");
    salesim()
        .args(["check", "--sources"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("gate.nurture_below"))
        .stdout(predicate::str::contains("replyworks.io"))
        .stdout(predicate::str::contains("every parameter has a source"));
}

#[test]
fn check_sources_names_parameters_without_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("uncited.toml");
    std::fs::write(
        &file,
        "extends = \"canonical\"\n[gate]\nnurture_below = 0.3\n",
    )
    .unwrap();
    salesim()
        .args(["check", "--sources"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 without a source: gate.nurture_below",
        ));
}

#[test]
fn committed_headline_table_is_what_the_script_prints_now() {
    let readme = std::fs::read_to_string(scenarios_dir().join("README.md")).unwrap();
    let committed = table_in(&readme).expect("scenarios/README.md has the table markers");
    let now = headline_table(&scenario_files(&scenarios_dir()).unwrap()).unwrap();
    assert_eq!(
        committed.trim(),
        now.trim(),
        "scenarios/README.md is out of date: run scripts/scenario-table.sh"
    );
}

#[test]
fn readme_metric_glossary_is_the_registry() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let start = readme
        .find(salesim::metrics::GLOSSARY_START)
        .expect("README has the glossary start marker")
        + salesim::metrics::GLOSSARY_START.len();
    let end = readme
        .find(salesim::metrics::GLOSSARY_END)
        .expect("README has the glossary end marker");
    assert_eq!(
        readme[start..end].trim(),
        salesim::metrics::glossary_markdown().trim(),
        "README.md's metric glossary is stale: run scripts/metric-glossary.sh"
    );
}
