//! Hostile input: arbitrary bytes and mutated valid scenarios never panic the
//! loader; every rejection is a bad-input error naming the file; and the
//! binary ends on extreme arrival blocks with status 0 or 2.

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

/// The canonical scenario with its arrivals replaced by `block` and a
/// 4-week horizon.
fn with_arrivals(block: &str) -> String {
    let start = CANONICAL.find("[arrivals]").unwrap();
    let end = CANONICAL.find("[[segments]]").unwrap();
    format!(
        "{}[arrivals]\n{block}\n\n{}",
        &CANONICAL[..start],
        &CANONICAL[end..]
    )
    .replacen("horizon = \"26w\"", "horizon = \"4w\"", 1)
}

/// Arrival blocks at and past their limits: each is rejected as bad input
/// naming the file, or accepted, and then a replication ends in bounded
/// time. (Huge accepted volumes are only checked, not run: the bound that
/// matters for them is that validation caps expected arrivals at 1e8.)
fn check_arrivals(block: &str) -> Result<(), TestCaseError> {
    let text = with_arrivals(block);
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
                let result = salesim::replication::run(&sc, 0);
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

const SIZES: [&str; 10] = [
    "0", "1", "-5", "300", "10000000", "10000001", "1e12", "nan", "\"many\"", "\"NaN\"",
];
const EVERIES: [&str; 12] = [
    "\"1s\"", "\"59m\"", "\"1h\"", "\"1w\"", "\"0s\"", "\"-1h\"", "\"1e9w\"", "\"x\"", "3600",
    "\"nanh\"", "\"NaN\"", "\"infw\"",
];
const PER_WEEK: [&str; 12] = [
    "0", "-1", "1e-9", "1", "600", "10000000", "1e12", "nan", "inf", "-inf", "\"NaN\"", "\"600\"",
];
const AT: [&str; 4] = ["\"mon 08:00\"", "\"sun 23:59\"", "\"08:00\"", "\"noon\""];
/// Arrival kinds: the two real ones and garbage.
const KINDS: [&str; 4] = ["\"poisson\"", "\"batch\"", "\"trickle\"", "7"];

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
        kind in 0usize..KINDS.len(),
    ) {
        let kind = KINDS[kind];
        check_arrivals(&format!("kind = {kind}\nper_week = {}", PER_WEEK[per_week]))?;
    }
}

/// The longest a `salesim check` or a small `salesim run` may take here; a
/// hang is killed at this point and fails the test (exit status none).
const CHILD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Leads per replication up to which an accepted block is also run (a run
/// of that size takes well under a second).
const SMALL_RUN: f64 = 50_000.0;

/// Runs the `salesim` binary on an arrival block (in the canonical scenario
/// with a 4-week horizon): `check` must exit 2 naming the file and an
/// `arrivals` key, or 0; then `run` must agree, exit 2 without writing, or,
/// when the input is valid and small, exit 0. Never a panic (101), never a
/// hang (killed at [`CHILD_TIMEOUT`], no exit status). Returns whether the
/// block was accepted.
fn check_arrivals_with_the_binary(block: &str) -> Result<bool, TestCaseError> {
    let text = with_arrivals(block);
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("block.toml");
    std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let child = |args: &[&std::ffi::OsStr]| {
        crate::common::salesim()
            .args(args)
            .timeout(CHILD_TIMEOUT)
            .output()
            .map_err(|e| TestCaseError::fail(e.to_string()))
    };
    let checked = child(&["check".as_ref(), path.as_os_str()])?;
    let stderr = String::from_utf8_lossy(&checked.stderr);
    prop_assert!(!stderr.contains("panicked"), "check panicked: {}", stderr);
    let valid = match checked.status.code() {
        Some(0) => true,
        Some(2) => {
            prop_assert!(stderr.contains("block.toml"), "{}", stderr);
            prop_assert!(stderr.contains(": arrivals"), "{}", stderr);
            false
        }
        other => {
            return Err(TestCaseError::fail(format!(
                "check: status {other:?} (none: killed after {CHILD_TIMEOUT:?}): {stderr}"
            )))
        }
    };
    let small = match load_file(&path, &[]) {
        Ok(loaded) => {
            let sc = loaded.scenario;
            sc.arrivals.expected_before(sc.run.horizon) <= SMALL_RUN
        }
        Err(_) => false,
    };
    if valid && !small {
        // Accepted but large (at most 1e8 leads, see `check_arrivals`): a
        // full run would be a benchmark, not a test.
        return Ok(true);
    }
    let out = dir.path().join("out");
    let ran = child(&[
        "run".as_ref(),
        "-r".as_ref(),
        "1".as_ref(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        path.as_os_str(),
    ])?;
    let stderr = String::from_utf8_lossy(&ran.stderr);
    prop_assert!(!stderr.contains("panicked"), "run panicked: {}", stderr);
    let expected = if valid { 0 } else { 2 };
    prop_assert_eq!(
        ran.status.code(),
        Some(expected),
        "run (none: killed after {:?}): {}",
        CHILD_TIMEOUT,
        stderr
    );
    if !valid {
        prop_assert!(!out.exists(), "a rejected scenario wrote output");
    }
    Ok(valid)
}

proptest! {
    // Each case starts one or two processes: few cases keep this at seconds.
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn salesim_check_and_run_end_on_extreme_arrivals_without_panic(
        kind in 0usize..KINDS.len(),
        size in 0usize..SIZES.len(),
        every in 0usize..EVERIES.len(),
        per_week in 0usize..PER_WEEK.len(),
        at in 0usize..AT.len(),
        shape in 0usize..3,
    ) {
        let kind = KINDS[kind];
        let block = match shape {
            // A batch block, keys as a batch has them.
            0 => format!(
                "kind = {kind}\nsize = {}\nevery = {}\nat = {}",
                SIZES[size], EVERIES[every], AT[at]
            ),
            // A Poisson block, keys as a Poisson block has them.
            1 => format!("kind = {kind}\nper_week = {}", PER_WEEK[per_week]),
            // Both sets of keys at once.
            _ => format!(
                "kind = {kind}\nper_week = {}\nsize = {}\nevery = {}",
                PER_WEEK[per_week], SIZES[size], EVERIES[every]
            ),
        };
        check_arrivals_with_the_binary(&block)?;
    }
}

/// The cases the property test may not draw: valid small blocks of both
/// kinds run to the end (exit 0), the limits' edges are rejected (exit 2),
/// and a valid block at the volume limit passes `check`.
#[test]
fn salesim_runs_small_arrival_blocks_and_rejects_their_limits() {
    let cases = [
        ("kind = \"poisson\"\nper_week = 600", true),
        ("kind = \"poisson\"\nper_week = 1e-9", true),
        ("kind = \"poisson\"\nper_week = 1e12", false),
        (
            "kind = \"batch\"\nsize = 300\nevery = \"1w\"\nat = \"mon 08:00\"",
            true,
        ),
        (
            "kind = \"batch\"\nsize = 10\nevery = \"1h\"\nat = \"sun 23:59\"",
            true,
        ),
        (
            "kind = \"batch\"\nsize = 10\nevery = \"59m\"\nat = \"mon 08:00\"",
            false,
        ),
        // 672 hourly batches in 4 weeks: 148,809 x 672 = 99,999,648 leads.
        (
            "kind = \"batch\"\nsize = 148809\nevery = \"1h\"\nat = \"mon 00:00\"",
            true,
        ),
        (
            "kind = \"batch\"\nsize = 148810\nevery = \"1h\"\nat = \"mon 00:00\"",
            false,
        ),
    ];
    for (block, valid) in cases {
        match check_arrivals_with_the_binary(block) {
            Ok(accepted) => assert_eq!(accepted, valid, "{block}"),
            Err(e) => panic!("{block}: {e}"),
        }
    }
}
