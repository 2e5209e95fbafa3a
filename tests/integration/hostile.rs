//! Hostile input: arbitrary bytes and mutated valid scenarios never panic the
//! loader; every rejection is a bad-input error naming the file.

use proptest::prelude::*;
use salesim::scenario::{load_file, CANONICAL};

/// Values that break one constraint or another when put in place of any
/// value of the canonical scenario.
const HOSTILE_VALUES: [&str; 24] = [
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0.5",
    "1e308",
    "1.5",
    "99999999999999",
    "\"\"",
    "\"-5m\"",
    "\"5\"",
    "\"nanh\"",
    "\"1e400w\"",
    "\"25:00-26:00\"",
    "\"09:00-17:00\"",
    "[]",
    "[\"mon\", \"mon\"]",
    "{}",
    "{ dist = \"lognormal\", median = \"5m\", p90 = \"1m\" }",
    "{ dist = \"beta\", alpha = 0.0, beta = 1.0 }",
    "true",
    "\"always\"",
    "1979-05-27T07:32:00Z",
];

fn check_never_panics(text: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("hostile.toml");
    std::fs::write(&path, text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Err(e) = load_file(&path, &[]) {
        prop_assert_eq!(e.exit_code(), 2, "not a bad-input error: {}", e);
        let message = e.to_string();
        prop_assert!(
            message.contains("hostile.toml") || message.contains("<embedded canonical>"),
            "message does not name the file: {}",
            message
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_are_rejected_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_never_panics(&bytes)?;
    }

    #[test]
    fn arbitrary_toml_like_text_is_rejected_without_panic(text in "[a-z_\\[\\]\\.= \"0-9\n{},-]{0,400}") {
        check_never_panics(text.as_bytes())?;
    }

    #[test]
    fn mutated_canonical_values_never_panic(line in 0usize..400, value in 0usize..HOSTILE_VALUES.len()) {
        let lines: Vec<&str> = CANONICAL.lines().collect();
        let assignments: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains(" = ") && !l.trim_start().starts_with('#'))
            .map(|(i, _)| i)
            .collect();
        let target = assignments[line % assignments.len()];
        let mut mutated: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let key = lines[target].split(" = ").next().unwrap_or("");
        mutated[target] = format!("{key} = {}", HOSTILE_VALUES[value]);
        check_never_panics(mutated.join("\n").as_bytes())?;
    }

    #[test]
    fn deleted_canonical_lines_never_panic(line in 0usize..400) {
        let lines: Vec<&str> = CANONICAL.lines().collect();
        let target = line % lines.len();
        let kept: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != target)
            .map(|(_, l)| *l)
            .collect();
        check_never_panics(kept.join("\n").as_bytes())?;
    }
}

/// Arrival blocks at and past their limits: each is rejected as bad input
/// naming the file, or accepted, and then a replication ends in bounded
/// time. (Huge accepted volumes are only checked, not run: the bound that
/// matters for them is that validation caps expected arrivals at 1e8.)
fn check_arrivals(block: &str) -> Result<(), TestCaseError> {
    let start = CANONICAL.find("[arrivals]").unwrap();
    let end = CANONICAL.find("[[segments]]").unwrap();
    let text = format!(
        "{}[arrivals]\n{block}\n\n{}",
        &CANONICAL[..start],
        &CANONICAL[end..]
    )
    .replacen("horizon = \"26w\"", "horizon = \"4w\"", 1);
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("arrivals.toml");
    std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let began = std::time::Instant::now();
    match load_file(&path, &[]) {
        Err(e) => {
            prop_assert_eq!(e.exit_code(), 2, "not a bad-input error: {}", e);
            prop_assert!(e.to_string().contains("arrivals.toml"), "{}", e);
        }
        Ok(loaded) => {
            let sc = loaded.scenario;
            let expected = sc.arrivals.expected_before(sc.run.horizon);
            prop_assert!(expected <= 1e8, "accepted {} expected leads", expected);
            if expected <= 50_000.0 {
                let result = salesim::pipeline::run_replication(&sc, 0);
                prop_assert!(result.is_ok(), "{:?}", result.err());
            }
        }
    }
    prop_assert!(
        began.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        began.elapsed()
    );
    Ok(())
}

const SIZES: [&str; 7] = ["0", "1", "-5", "300", "10000000", "10000001", "\"many\""];
const EVERIES: [&str; 9] = [
    "\"1s\"", "\"59m\"", "\"1h\"", "\"1w\"", "\"0s\"", "\"-1h\"", "\"1e9w\"", "\"x\"", "3600",
];
const PER_WEEK: [&str; 8] = ["0", "-1", "1e-9", "1", "600", "10000000", "1e12", "nan"];
const AT: [&str; 4] = ["\"mon 08:00\"", "\"sun 23:59\"", "\"08:00\"", "\"noon\""];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn extreme_batch_arrivals_are_rejected_or_run_in_bounded_time(
        size in 0usize..SIZES.len(),
        every in 0usize..EVERIES.len(),
        at in 0usize..AT.len(),
    ) {
        check_arrivals(&format!(
            "kind = \"batch\"\nsize = {}\nevery = {}\nat = {}",
            SIZES[size], EVERIES[every], AT[at]
        ))?;
    }

    #[test]
    fn extreme_poisson_arrivals_are_rejected_or_run_in_bounded_time(
        per_week in 0usize..PER_WEEK.len(),
        kind in 0usize..3,
    ) {
        let kind = ["\"poisson\"", "\"batch\"", "\"trickle\""][kind];
        check_arrivals(&format!("kind = {kind}\nper_week = {}", PER_WEEK[per_week]))?;
    }
}
