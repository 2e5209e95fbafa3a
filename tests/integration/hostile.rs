//! Hostile input: arbitrary bytes are rejected and mutated valid scenarios
//! never panic the loader; every rejection is a bad-input error naming the
//! file; extreme arrival blocks are rejected exactly when invalid, and the
//! small valid ones run to the end in bounded work, in process and through
//! the binary.

use proptest::prelude::*;
use salesim::replication::run_with;
use salesim::scenario::{load_file, Scenario};
use salesim::units::{DAY, HOUR, WEEK};

use crate::common::{base_with, LeadLedger, BASE};

/// Values that break one constraint or another when put in place of any
/// value of the tests' base scenario.
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

/// Loads `text` as a file: never a panic, and a rejection is a bad-input
/// error (exit status 2) naming the file. Returns whether it was accepted.
fn load_never_panics(text: &[u8]) -> Result<bool, TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("hostile.toml");
    std::fs::write(&path, text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    match load_file(&path, &[]) {
        Ok(_) => Ok(true),
        Err(e) => {
            prop_assert_eq!(e.exit_code(), 2, "not a bad-input error: {}", e);
            let message = e.to_string();
            prop_assert!(
                message.contains("hostile.toml") || message.contains("<embedded canonical>"),
                "message does not name the file: {}",
                message
            );
            Ok(false)
        }
    }
}

/// As [`load_never_panics`], and the text must be rejected.
fn check_rejected(text: &[u8]) -> Result<(), TestCaseError> {
    let accepted = load_never_panics(text)?;
    prop_assert!(
        !accepted,
        "accepted as a scenario: {:?}",
        String::from_utf8_lossy(text)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    // A complete scenario has over a hundred required keys: no text drawn
    // here comes near one (and `extends = "canonical"`, the one short valid
    // scenario, is 22 given characters in a row), so every text must be
    // rejected.
    #[test]
    fn arbitrary_bytes_are_rejected_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_rejected(&bytes)?;
    }

    #[test]
    fn arbitrary_toml_like_text_is_rejected_without_panic(text in "[a-z_\\[\\]\\.= \"0-9\n{},-]{0,400}") {
        check_rejected(text.as_bytes())?;
    }

    // Some of these mutations are valid (a value within its bounds): these
    // two check only that none panics and every rejection names the file.
    #[test]
    fn mutated_base_values_never_panic(line in 0usize..400, value in 0usize..HOSTILE_VALUES.len()) {
        let lines: Vec<&str> = BASE.lines().collect();
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
        load_never_panics(mutated.join("\n").as_bytes())?;
    }

    #[test]
    fn deleted_base_lines_never_panic(line in 0usize..400) {
        let lines: Vec<&str> = BASE.lines().collect();
        let target = line % lines.len();
        let kept: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != target)
            .map(|(_, l)| *l)
            .collect();
        load_never_panics(kept.join("\n").as_bytes())?;
    }
}

/// The horizon of the arrival-block tests.
const HORIZON: f64 = 4.0 * WEEK;

/// The tests' base scenario with its arrivals replaced by `block` and a
/// 4-week horizon.
fn with_arrivals(block: &str) -> String {
    let base = base_with("horizon = \"26w\"", "horizon = \"4w\"");
    let start = base.find("[arrivals]").unwrap();
    let end = base.find("[[segments]]").unwrap();
    format!("{}[arrivals]\n{block}\n\n{}", &base[..start], &base[end..])
}

/// The most expected leads validation accepts (docs/MODEL.md section 9).
const MAX_EXPECTED_LEADS: f64 = 1e8;

/// Leads per replication up to which an accepted block is also run (a run
/// of that size is well under a second).
const SMALL_RUN: f64 = 50_000.0;

/// Each value drawn for an arrival key, with what the schema makes of it:
/// `Some(value)` (seconds for durations and times) when valid, `None` when
/// it must be rejected. Whole sizes from 1 to 1e7; positive rates up to 1e7
/// a week; durations with a unit, finite, at most 52,000w, and `every` at
/// least 1h; weekly times "DAY HH:MM" or "HH:MM" (Monday).
const SIZES: [(&str, Option<f64>); 10] = [
    ("0", None),
    ("1", Some(1.0)),
    ("-5", None),
    ("300", Some(300.0)),
    ("10000000", Some(1e7)),
    ("10000001", None),
    ("1e12", None),
    ("nan", None),
    ("\"many\"", None),
    ("\"NaN\"", None),
];
const EVERIES: [(&str, Option<f64>); 12] = [
    ("\"1s\"", None),
    ("\"59m\"", None),
    ("\"1h\"", Some(HOUR)),
    ("\"1w\"", Some(WEEK)),
    ("\"0s\"", None),
    ("\"-1h\"", None),
    ("\"1e9w\"", None),
    ("\"x\"", None),
    ("3600", None),
    ("\"nanh\"", None),
    ("\"NaN\"", None),
    ("\"infw\"", None),
];
const PER_WEEK: [(&str, Option<f64>); 12] = [
    ("0", None),
    ("-1", None),
    ("1e-9", Some(1e-9)),
    ("1", Some(1.0)),
    ("600", Some(600.0)),
    ("10000000", Some(1e7)),
    ("1e12", None),
    ("nan", None),
    ("inf", None),
    ("-inf", None),
    ("\"NaN\"", None),
    ("\"600\"", None),
];
const AT: [(&str, Option<f64>); 4] = [
    ("\"mon 08:00\"", Some(8.0 * HOUR)),
    ("\"sun 23:59\"", Some(6.0 * DAY + 23.0 * HOUR + 59.0 * 60.0)),
    ("\"08:00\"", Some(8.0 * HOUR)),
    ("\"noon\"", None),
];
/// Arrival kinds: the two real ones and garbage.
const KINDS: [&str; 4] = ["\"poisson\"", "\"batch\"", "\"trickle\"", "7"];

/// The leads a batch block brings in [0, 4w), `None` for an invalid block:
/// one batch at `at` and every `every` after it.
fn batch_volume(size: usize, every: usize, at: usize) -> Option<f64> {
    let (size, every, at) = (SIZES[size].1?, EVERIES[every].1?, AT[at].1?);
    Some(size * ((HORIZON - at) / every).ceil())
}

/// The leads a Poisson block expects in [0, 4w), `None` for an invalid one.
fn poisson_volume(per_week: usize) -> Option<f64> {
    Some(PER_WEEK[per_week].1? * HORIZON / WEEK)
}

/// The expected leads of a block, `None` when it must be rejected (an
/// invalid value or more than [`MAX_EXPECTED_LEADS`]).
fn within_cap(volume: Option<f64>) -> Option<f64> {
    volume.filter(|v| *v <= MAX_EXPECTED_LEADS)
}

/// An upper bound on the engine events a replication of `sc` may handle
/// with `leads` arrivals, from the model's rules (docs/MODEL.md section 3),
/// not from a clock: per lead and gate pass the four stages, each provider
/// call and answer with every retry, review, deadline, edit, send, reply,
/// conversation and a nurture sequence, for at most `2 + max_reentries`
/// passes; and a hundred calendar wake-ups a day. Doubled for slack.
fn event_bound(sc: &Scenario, leads: f64) -> f64 {
    let calls: f64 = sc
        .enrichment
        .providers
        .iter()
        .map(|p| 2.0 * (f64::from(p.max_retries) + 1.0) + 1.0)
        .sum();
    let passes = f64::from(sc.nurture.max_reentries) + 2.0;
    let per_lead = passes * (12.0 + calls + f64::from(sc.nurture.touches));
    2.0 * (leads * per_lead + 100.0 * (sc.run.horizon / DAY).ceil() + 1.0)
}

/// Loads an arrival block in process: rejected (a bad-input error naming
/// the file and an `arrivals` key) exactly when `expected` is `None`;
/// accepted otherwise, and then, when small, one replication runs to the
/// end conserving every lead, with the arrivals expected and at most
/// [`event_bound`] events: bounded work, whatever the machine's speed.
fn check_arrivals(block: &str, expected: Option<f64>) -> Result<(), TestCaseError> {
    let text = with_arrivals(block);
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("arrivals.toml");
    std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    match (load_file(&path, &[]), expected) {
        (Err(e), None) => {
            prop_assert_eq!(e.exit_code(), 2, "not a bad-input error: {}", e);
            let message = e.to_string();
            prop_assert!(message.contains("arrivals.toml"), "{}", message);
            prop_assert!(message.contains(": arrivals"), "{}", message);
        }
        (Err(e), Some(leads)) => {
            return Err(TestCaseError::fail(format!(
                "a valid block ({leads} leads expected) was rejected: {e}\n{block}"
            )))
        }
        (Ok(_), None) => {
            return Err(TestCaseError::fail(format!(
                "an invalid block was accepted:\n{block}"
            )))
        }
        (Ok(loaded), Some(leads)) => {
            let sc = loaded.scenario;
            prop_assert_eq!(sc.arrivals.expected_before(sc.run.horizon), leads);
            if leads <= SMALL_RUN {
                let (result, ledger) = run_with(&sc, 0, LeadLedger::new(&sc))
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{block}")))?;
                // Batches arrive exactly; Poisson arrivals within six
                // standard deviations (plus six, for tiny means).
                let arrived = ledger.arrived() as f64;
                prop_assert!(
                    (arrived - leads).abs() <= 6.0 * leads.sqrt() + 6.0,
                    "{} leads arrived, {} expected",
                    arrived,
                    leads
                );
                let bound = event_bound(&sc, arrived);
                prop_assert!(
                    (result.events as f64) <= bound,
                    "{} events for {} leads, more than the bound {}",
                    result.events,
                    arrived,
                    bound
                );
                ledger.check(&result, block);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn extreme_batch_arrivals_are_rejected_when_invalid_and_small_ones_run_in_bounded_work(
        size in 0usize..SIZES.len(),
        every in 0usize..EVERIES.len(),
        at in 0usize..AT.len(),
    ) {
        check_arrivals(
            &format!(
                "kind = \"batch\"\nsize = {}\nevery = {}\nat = {}",
                SIZES[size].0, EVERIES[every].0, AT[at].0
            ),
            within_cap(batch_volume(size, every, at)),
        )?;
    }

    #[test]
    fn extreme_poisson_arrivals_are_rejected_when_invalid_and_small_ones_run_in_bounded_work(
        per_week in 0usize..PER_WEEK.len(),
        kind in 0usize..KINDS.len(),
    ) {
        let expected = if kind == 0 { within_cap(poisson_volume(per_week)) } else { None };
        let kind = KINDS[kind];
        check_arrivals(&format!("kind = {kind}\nper_week = {}", PER_WEEK[per_week].0), expected)?;
    }
}

/// A hang detector only, not a speed limit: a `salesim check` or a small
/// `salesim run` takes well under a second, so a child still running after
/// five minutes, even on a loaded machine, hangs; it is killed then and the
/// test fails (exit status none). Bounded work itself is checked by event
/// counts in process (`check_arrivals`).
const HANG_DETECTOR: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs the `salesim` binary on an arrival block (in the tests' base
/// scenario with a 4-week horizon): `check` must exit 2 naming the file and
/// an `arrivals` key exactly when `expected` is `None`, else 0; then `run`
/// must agree, exit 2 without writing, or, when the input is valid and
/// small, exit 0. Never a panic (101), never a hang (killed by the
/// [`HANG_DETECTOR`], no exit status).
fn check_arrivals_with_the_binary(block: &str, expected: Option<f64>) -> Result<(), TestCaseError> {
    let text = with_arrivals(block);
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("block.toml");
    std::fs::write(&path, &text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let child = |args: &[&std::ffi::OsStr]| {
        crate::common::salesim()
            .args(args)
            .timeout(HANG_DETECTOR)
            .output()
            .map_err(|e| TestCaseError::fail(e.to_string()))
    };
    let checked = child(&["check".as_ref(), path.as_os_str()])?;
    let stderr = String::from_utf8_lossy(&checked.stderr);
    prop_assert!(!stderr.contains("panicked"), "check panicked: {}", stderr);
    let valid = expected.is_some();
    match (checked.status.code(), valid) {
        (Some(0), true) => {}
        (Some(2), false) => {
            prop_assert!(stderr.contains("block.toml"), "{}", stderr);
            prop_assert!(stderr.contains(": arrivals"), "{}", stderr);
        }
        (status, _) => {
            return Err(TestCaseError::fail(format!(
                "check: status {status:?} for a{} block (none: killed after {HANG_DETECTOR:?}): {stderr}\n{block}",
                if valid { " valid" } else { "n invalid" }
            )))
        }
    }
    if expected.is_some_and(|leads| leads > SMALL_RUN) {
        // Accepted but large (at most 1e8 leads): a full run would be a
        // benchmark, not a test.
        return Ok(());
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
    prop_assert_eq!(
        ran.status.code(),
        Some(if valid { 0 } else { 2 }),
        "run (none: killed after {:?}): {}",
        HANG_DETECTOR,
        stderr
    );
    if valid {
        prop_assert!(
            out.join("summary.csv").is_file(),
            "a valid run wrote no summary"
        );
    } else {
        prop_assert!(!out.exists(), "a rejected scenario wrote output");
    }
    Ok(())
}

proptest! {
    // Each case starts one or two processes: few cases keep this at seconds.
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn salesim_check_and_run_reject_exactly_the_invalid_extreme_arrivals_without_panic(
        kind in 0usize..KINDS.len(),
        size in 0usize..SIZES.len(),
        every in 0usize..EVERIES.len(),
        per_week in 0usize..PER_WEEK.len(),
        at in 0usize..AT.len(),
        shape in 0usize..3,
    ) {
        let (block, expected) = match shape {
            // A batch block, keys as a batch has them: valid for a batch.
            0 => (
                format!(
                    "kind = {}\nsize = {}\nevery = {}\nat = {}",
                    KINDS[kind], SIZES[size].0, EVERIES[every].0, AT[at].0
                ),
                within_cap(batch_volume(size, every, at)).filter(|_| kind == 1),
            ),
            // A Poisson block, keys as a Poisson block has them.
            1 => (
                format!("kind = {}\nper_week = {}", KINDS[kind], PER_WEEK[per_week].0),
                within_cap(poisson_volume(per_week)).filter(|_| kind == 0),
            ),
            // Both sets of keys at once: never valid.
            _ => (
                format!(
                    "kind = {}\nper_week = {}\nsize = {}\nevery = {}",
                    KINDS[kind], PER_WEEK[per_week].0, SIZES[size].0, EVERIES[every].0
                ),
                None,
            ),
        };
        check_arrivals_with_the_binary(&block, expected)?;
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
        let text = with_arrivals(block);
        let expected = valid.then(|| {
            let loaded =
                salesim::scenario::load_text(&text, "block.toml", std::path::Path::new(""), &[])
                    .unwrap();
            loaded.scenario.arrivals.expected_before(HORIZON)
        });
        if let Err(e) = check_arrivals_with_the_binary(block, expected) {
            panic!("{block}: {e}");
        }
    }
}
