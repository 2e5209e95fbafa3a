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
