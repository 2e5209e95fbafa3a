//! `salesim fit` (docs/MODEL.md section 12): parameters recovered from
//! logs salesim wrote itself, the shipped CRM example reproduced, bad
//! input named, hostile input never a panic.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use salesim::eventlog::log_replication;
use salesim::fit::estimate::{Estimate, Fitted};
use salesim::fit::map::ColumnNames;
use salesim::fit::{self, Request};
use salesim::scenario::Override;

use crate::common::salesim;

include!("../fixtures/fit_recovery.rs");

fn request(logs: Vec<PathBuf>, map: Option<PathBuf>) -> Request {
    Request {
        logs,
        map,
        extends: None,
        columns: ColumnNames::default(),
        seed: 7,
    }
}

fn key<'a>(o: &'a fit::Outcome, name: &str) -> &'a Fitted {
    o.fit
        .keys
        .iter()
        .find(|k| k.key == name)
        .unwrap_or_else(|| {
            panic!(
                "{name} not fitted: {:?}",
                o.fit.keys.iter().map(|k| &k.key).collect::<Vec<_>>()
            )
        })
}

/// The 95% interval a key reports.
fn interval(f: &Fitted) -> (f64, f64) {
    match f.estimate.as_ref().unwrap() {
        Estimate::Rate { rate } => (rate.low, rate.high),
        Estimate::Linear { linear } => (linear.at_0.low, linear.at_0.high),
        Estimate::PerWeek { low, high, .. } => (*low, *high),
        other => panic!("{}: no interval in {other:?}", f.key),
    }
}

/// Rates, leads a week: inside their reported 95% intervals in at least
/// 95% of replications (each a seed of its own streams), pooled over
/// the keys.
#[test]
fn fitted_rates_cover_the_generating_values_in_95_percent_of_seeds() {
    let sc = source(&SOURCE);
    let dir = tempfile::tempdir().unwrap();
    let truth = [
        ("arrivals.per_week", 500.0),
        ("email.bounce_rate", 0.05),
        ("review.edit_probability", 0.3),
        ("email.positive_share", 0.4),
        ("email.reply_rate", 0.08),
        ("nurture.engage_rate", 0.03),
    ];
    let seeds = 30;
    let (mut covered, mut total) = (0, 0);
    let mut misses = Vec::new();
    for r in 0..seeds {
        let log = write_log(&sc, r, dir.path(), &format!("log-{r}.parquet"));
        let o = fit::run(&request(vec![log], None)).unwrap();
        for (name, value) in truth {
            let (lo, hi) = interval(key(&o, name));
            total += 1;
            if lo <= value && value <= hi {
                covered += 1;
            } else {
                misses.push(format!("seed {r}: {name} {value} outside [{lo}, {hi}]"));
            }
        }
    }
    let share = f64::from(covered) / f64::from(total);
    eprintln!("coverage {covered}/{total} = {share:.3}; misses: {misses:?}");
    assert!(share >= 0.95, "coverage {share}: {misses:?}");
}

/// Calendars exactly, the rep count, the lanes, nurture's count and
/// interval exactly, and each duration's family and parameters at large n.
#[test]
fn calendars_counts_and_duration_families_are_recovered() {
    let mut overrides = SOURCE.to_vec();
    overrides.extend([
        ("run.horizon", "\"40w\""),
        ("arrivals.per_week", "800"),
        (
            "review.edit",
            "{ dist = \"gamma\", mean = \"6m\", cv = 0.5 }",
        ),
        ("review.edit_probability", "0.5"),
        ("email.reply_rate", "{ at_fit_0 = 0.3, at_fit_1 = 0.3 }"),
        ("email.positive_share", "0.8"),
        (
            "conversations.duration",
            "{ dist = \"exponential\", mean = \"30m\" }",
        ),
    ]);
    let sc = source(&overrides);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(&sc, 0, dir.path(), "log.csv");
    let o = fit::run(&request(vec![log], None)).unwrap();
    let toml = |k: &str| key(&o, k).toml.clone().unwrap_or_default();
    // Calendars: the arrivals' and the email's office hours, the reps' own.
    let cal = |k: &str| -> String {
        let name = toml(k).trim_matches('"').to_string();
        let c = &o.fit.calendars.iter().find(|(n, _)| *n == name).unwrap().1;
        c.describe()
    };
    assert_eq!(
        cal("arrivals.calendar"),
        "mon,tue,wed,thu,fri 09:00-12:00, 13:00-17:00"
    );
    // Emails are sent when a rep has approved a draft and the mailboxes'
    // office hours are open: the hours in which sends happen are the two
    // calendars' overlap, which is what the log shows and what the
    // fitted scenario needs (a send waits for both either way).
    assert_eq!(
        cal("email.calendar"),
        "mon,tue,wed,thu 09:00-12:00, 13:00-15:30"
    );
    assert_eq!(cal("reps.calendar"), "mon,tue,wed,thu 07:30-15:30");
    assert_eq!(toml("reps.count"), "3");
    assert_eq!(toml("nurture.touches"), "4");
    assert_eq!(toml("nurture.interval"), "\"1w\"");
    assert_eq!(toml("lookup.lane"), "\"agent\"");
    let family = |k: &str| match key(&o, k).estimate.as_ref().unwrap() {
        Estimate::Duration { chosen, fit } => (chosen.clone(), fit.candidates[0].params, fit.n),
        other => panic!("{other:?}"),
    };
    for (k, want) in [
        ("review.duration", "lognormal"),
        ("review.edit", "gamma"),
        ("conversations.duration", "exponential"),
        ("email.reply_delay", "lognormal"),
        ("lookup.agent", "lognormal"),
    ] {
        let (chosen, params, n) = family(k);
        eprintln!("{k}: {chosen} {params:?} n={n}");
        assert_eq!(chosen, want, "{k}");
    }
    // Parameters within 5%: review lognormal median 10m, p90 25m.
    let (_, [mu, sigma], _) = family("review.duration");
    let (median, p90) = (mu.exp(), (mu + salesim::dist::Z90 * sigma).exp());
    assert!((median / 600.0 - 1.0).abs() < 0.05, "{median}");
    assert!((p90 / 1500.0 - 1.0).abs() < 0.05, "{p90}");
    let (_, [shape, scale], _) = family("review.edit");
    assert!(
        (shape * scale / 360.0 - 1.0).abs() < 0.05,
        "gamma mean {}",
        shape * scale
    );
    assert!(
        (1.0 / shape.sqrt() / 0.5 - 1.0).abs() < 0.1,
        "gamma cv {}",
        1.0 / shape.sqrt()
    );
    let (_, [mean, _], _) = family("conversations.duration");
    assert!((mean / 1800.0 - 1.0).abs() < 0.08, "{mean}");
    // The fitted scenario is valid as it is.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for (name, bytes) in fit::files(&o).unwrap() {
        let p = out.join(&name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    salesim()
        .arg("check")
        .arg(out.join("fitted.toml"))
        .assert()
        .success();
}

/// With the score mapped (here the true fit itself), the reply rate is
/// linear in it and both ends are recovered.
#[test]
fn a_reply_rate_linear_in_a_mapped_score_is_recovered() {
    let mut overrides = SOURCE.to_vec();
    overrides.extend([
        ("run.horizon", "\"40w\""),
        ("arrivals.per_week", "1500"),
        ("gate.nurture_below", "0.0"),
        ("email.reply_rate", "{ at_fit_0 = 0.02, at_fit_1 = 0.3 }"),
    ]);
    let sc = source(&overrides);
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(&sc, 0, dir.path(), "log.parquet");
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nscore = \"true_fit\"\n").unwrap();
    let o = fit::run(&request(vec![log], Some(map))).unwrap();
    let Some(Estimate::Linear { linear }) = &key(&o, "email.reply_rate").estimate else {
        panic!()
    };
    eprintln!("{linear:?}");
    assert!(linear.sloped);
    assert!(
        linear.at_0.low <= 0.02 && 0.02 <= linear.at_0.high,
        "{linear:?}"
    );
    assert!(
        linear.at_1.low <= 0.3 && 0.3 <= linear.at_1.high,
        "{linear:?}"
    );
}

/// The HubSpot exporter of `examples/crm_export` (it wrote the shipped
/// `scenarios/data/hubspot-export.csv`).
#[path = "../../examples/crm_export/hubspot.rs"]
mod hubspot;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data")
}

/// The shipped export is exactly what its script writes from the
/// documented scenario, so what `fit` recovers can be held against it.
#[test]
fn the_shipped_hubspot_export_is_what_its_script_writes() {
    let loaded =
        salesim::scenario::load_file(&data_dir().join("hubspot-source.toml"), &[]).unwrap();
    let sc = &loaded.scenario;
    let rows = log_replication(sc, 0, Vec::new()).unwrap();
    let text = hubspot::export(&rows, sc.run.start_date);
    let shipped = std::fs::read_to_string(data_dir().join("hubspot-export.csv")).unwrap();
    assert!(
        text == shipped,
        "scenarios/data/hubspot-export.csv is stale: run `cargo run --release --example crm_export`"
    );
}

fn hubspot_request(log: PathBuf) -> Request {
    Request {
        logs: vec![log],
        map: Some(data_dir().join("hubspot-map.toml")),
        extends: Some(data_dir().join("team-policy.toml")),
        columns: ColumnNames::default(),
        seed: 20261124,
    }
}

/// The shipped HubSpot-shaped export, fitted with its map, gives back the
/// documented scenario: calendars and counts exactly, rates inside their
/// intervals, and the reproduction within 1.5x of the yardstick.
#[test]
fn the_hubspot_export_fits_back_to_its_documented_scenario() {
    let o = fit::run(&hubspot_request(data_dir().join("hubspot-export.csv"))).unwrap();
    let toml = |k: &str| key(&o, k).toml.clone().unwrap_or_default();
    assert_eq!(toml("arrivals.calendar"), "\"always\"");
    assert_eq!(toml("reps.count"), "6");
    let rep_cal = toml("reps.calendar");
    let c = &o
        .fit
        .calendars
        .iter()
        .find(|(n, _)| format!("\"{n}\"") == rep_cal)
        .unwrap()
        .1;
    assert_eq!(c.describe(), "mon,tue,wed,thu,fri 08:00-12:00, 12:30-16:30");
    assert_eq!(toml("nurture.touches"), "4");
    assert_eq!(toml("nurture.interval"), "\"1w\"");
    assert_eq!(toml("email.follow_ups"), "2");
    assert_eq!(toml("email.follow_up_interval"), "\"3d\"");
    assert_eq!(toml("lookup.lane"), "\"agent\"");
    for (name, value) in [
        ("conversations.meeting_rate", 0.5),
        ("arrivals.per_week", 350.0),
        ("email.bounce_rate", 0.03),
        ("review.edit_probability", 0.2),
        ("email.positive_share", 0.5),
        ("nurture.engage_rate", 0.02),
    ] {
        let (lo, hi) = interval(key(&o, name));
        assert!(
            lo <= value && value <= hi,
            "{name}: {value} outside [{lo}, {hi}]"
        );
    }
    let Some(Estimate::Duration { chosen, .. }) = &key(&o, "review.duration").estimate else {
        panic!()
    };
    assert_eq!(chosen, "lognormal");
    assert!(o
        .fit
        .notes
        .iter()
        .any(|n| n.contains("exact duplicate rows dropped")));
    assert!(o
        .fit
        .notes
        .iter()
        .any(|n| n.contains("-05:00") && n.contains("-04:00")));
    let failing: Vec<String> = o
        .reproduction
        .measures
        .iter()
        .filter(|m| !m.pass)
        .map(|m| {
            format!(
                "{} {} {:?} vs {:?}",
                m.measure, m.activity, m.fitted, m.yardstick
            )
        })
        .collect();
    assert!(o.reproduction.passes, "{failing:?}");
    // The export logs meetings apart: the simulated log has them too, so
    // they are measured (too few here to be judged).
    for measure in ["weekly counts", "hour of week"] {
        let m = o
            .reproduction
            .measures
            .iter()
            .find(|m| m.measure == measure && m.activity == "meeting")
            .unwrap();
        assert!(
            m.fitted.is_some_and(f64::is_finite) && m.simulated_n > 0,
            "{m:?}"
        );
    }
    // The shipped policy's mailboxes send what the team sent.
    assert!(
        !o.fit.notes.iter().any(|n| n.contains("emails a day")),
        "{:?}",
        o.fit.notes
    );
}

/// Mailboxes are policy, not fitted: a base that allows fewer sends a day
/// than the log made is named in a note (the day, the count, the
/// capacity), and its reproduction shows the held-back sends.
#[test]
fn a_base_that_sends_fewer_a_day_than_the_log_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(data_dir().join("team-policy.toml")).unwrap();
    let base = dir.path().join("small-mailboxes.toml");
    std::fs::write(
        &base,
        format!("{policy}\n[email]\nmailboxes = 1\nmailboxes_source = \"test\"\ndaily_cap_per_mailbox = 15\ndaily_cap_per_mailbox_source = \"test\"\n"),
    )
    .unwrap();
    let mut request = hubspot_request(data_dir().join("hubspot-export.csv"));
    request.extends = Some(base);
    let o = fit::run(&request).unwrap();
    let note = o
        .fit
        .notes
        .iter()
        .find(|n| n.contains("emails a day"))
        .unwrap_or_else(|| panic!("no capacity note: {:?}", o.fit.notes));
    assert!(
        note.contains("(1 mailboxes x 15 a day = 15)") && note.contains("2026-"),
        "{note}"
    );
    assert!(!o.reproduction.passes);
}

/// A map that takes the nurture sequence's marketing emails for the sales
/// sequence's emails fits a scenario that does not run as the history did:
/// the reproduction fails and says where.
#[test]
fn a_wrong_map_fails_the_reproduction_and_the_report_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data_dir().join("hubspot-map.toml")).unwrap();
    let right = "name = \"Marketing email\"\nhappening = \"nurture touch\"";
    assert!(
        text.contains(right),
        "the map's marketing-email entry moved"
    );
    let swapped = text.replace(right, "name = \"Marketing email\"\nhappening = \"email\"");
    let map = dir.path().join("wrong-map.toml");
    std::fs::write(&map, swapped).unwrap();
    let out = dir.path().join("out");
    let assert = salesim()
        .args(["fit", "--quiet", "--out"])
        .arg(&out)
        .arg(data_dir().join("hubspot-export.csv"))
        .arg("--map")
        .arg(&map)
        .arg("--extends")
        .arg(data_dir().join("team-policy.toml"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("NOT REPRODUCED"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("trace variants") && l.ends_with("FAIL")),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("fit.json")).unwrap()).unwrap();
    assert_eq!(json["reproduction"]["passes"], false);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("does not reproduce the history"),
        "the report's verdict"
    );
    assert!(
        html.contains("<td class=\"fail\">fail</td>"),
        "the failing row is marked"
    );
}

/// Rates from logs in the HubSpot shape, fitted with the shipped map:
/// inside their reported 95% intervals in at least 95% of the seeds.
#[test]
fn hubspot_shaped_logs_cover_the_generating_rates_in_95_percent_of_seeds() {
    let loaded =
        salesim::scenario::load_file(&data_dir().join("hubspot-source.toml"), &[]).unwrap();
    let sc = &loaded.scenario;
    let dir = tempfile::tempdir().unwrap();
    let truth = [
        ("arrivals.per_week", 350.0),
        ("email.bounce_rate", 0.03),
        ("review.edit_probability", 0.2),
        ("email.positive_share", 0.5),
        ("nurture.engage_rate", 0.02),
    ];
    let (mut covered, mut total) = (0, 0);
    let mut misses = Vec::new();
    for r in 1..=20u32 {
        let rows = log_replication(sc, r, Vec::new()).unwrap();
        let path = dir.path().join(format!("hubspot-{r}.csv"));
        std::fs::write(&path, hubspot::export(&rows, sc.run.start_date)).unwrap();
        let o = fit::run(&hubspot_request(path)).unwrap();
        assert_eq!(key(&o, "reps.count").toml.as_deref(), Some("6"), "seed {r}");
        assert_eq!(
            key(&o, "nurture.touches").toml.as_deref(),
            Some("4"),
            "seed {r}"
        );
        assert_eq!(
            key(&o, "email.follow_ups").toml.as_deref(),
            Some("2"),
            "seed {r}"
        );
        assert_eq!(
            key(&o, "email.follow_up_interval").toml.as_deref(),
            Some("\"3d\""),
            "seed {r}"
        );
        for (name, value) in truth {
            let (lo, hi) = interval(key(&o, name));
            total += 1;
            if lo <= value && value <= hi {
                covered += 1;
            } else {
                misses.push(format!("seed {r}: {name} {value} outside [{lo}, {hi}]"));
            }
        }
    }
    let share = f64::from(covered) / f64::from(total);
    eprintln!("hubspot coverage {covered}/{total} = {share:.3}; misses: {misses:?}");
    assert!(share >= 0.95, "coverage {share}: {misses:?}");
}

/// A small export in the HubSpot shape (three weeks, 200 contacts a week):
/// the header and the rows, split into cells.
fn small_export() -> (String, Vec<Vec<String>>) {
    let set = |p: &str, v: &str| Override {
        path: p.into(),
        value: v.into(),
    };
    let loaded = salesim::scenario::load_file(
        &data_dir().join("hubspot-source.toml"),
        &[
            set("run.horizon", "\"3w\""),
            set("arrivals.per_week", "200"),
        ],
    )
    .unwrap();
    let sc = &loaded.scenario;
    let rows = log_replication(sc, 0, Vec::new()).unwrap();
    let text = hubspot::export(&rows, sc.run.start_date);
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let cells = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, cells)
}

fn column(header: &str, name: &str) -> usize {
    header.split(',').position(|c| c == name).unwrap()
}

fn write_export(dir: &Path, header: &str, rows: &[Vec<String>]) -> PathBuf {
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    let path = dir.join("export.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// `salesim fit` on the export with the shipped map: (exit code, stdout,
/// stderr).
fn fit_cli(dir: &Path, export: &Path, map: Option<&Path>) -> (i32, String, String) {
    let map = map.map_or_else(|| data_dir().join("hubspot-map.toml"), Path::to_path_buf);
    let out = salesim()
        .args(["fit", "--quiet", "--force", "--out"])
        .arg(dir.join("out"))
        .arg(export)
        .arg("--map")
        .arg(map)
        .arg("--extends")
        .arg(data_dir().join("team-policy.toml"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The row (0-based among the data rows) of the first `activity` row.
fn first_row(header: &str, rows: &[Vec<String>], activity: &str) -> usize {
    let a = column(header, "Activity type");
    rows.iter().position(|r| r[a] == activity).unwrap()
}

/// Each bad input of docs/MODEL.md section 12 is exit 2 with a message
/// naming the file and, for a cell, its row, column and value.
#[test]
fn bad_exports_are_exit_2_naming_file_row_column_and_value() {
    let (header, rows) = small_export();
    let dir = tempfile::tempdir().unwrap();
    let date = column(&header, "Activity date");
    let start = column(&header, "Start date");
    let score = column(&header, "HubSpot score");
    let expect = |rows: &[Vec<String>], header: &str, map: Option<&Path>, needles: &[&str]| {
        let export = write_export(dir.path(), header, rows);
        let (code, _, err) = fit_cli(dir.path(), &export, map);
        assert_eq!(code, 2, "{needles:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{n:?} not in: {err}");
        }
    };
    // An unparseable timestamp.
    let mut bad = rows.clone();
    let i = first_row(&header, &bad, "Contact created");
    bad[i][date] = "yesterday at 5".into();
    expect(
        &bad,
        &header,
        None,
        &[
            "export.csv",
            "row",
            "\"Activity date\"",
            "\"yesterday at 5\"",
        ],
    );
    // An activity that ends before it starts.
    let mut bad = rows.clone();
    let subject = column(&header, "Subject");
    let i = (0..bad.len())
        .find(|&i| !bad[i][start].is_empty() && bad[i][subject].starts_with("Review AI draft"))
        .unwrap();
    let (s, e) = (bad[i][start].clone(), bad[i][date].clone());
    bad[i][start] = e.clone();
    bad[i][date] = s.clone();
    if s != e {
        expect(
            &bad,
            &header,
            None,
            &["export.csv", "\"Start date\"", "ends before it starts"],
        );
    }
    // A score that is not a number, and one off the map's scale.
    let mut bad = rows.clone();
    let i = (0..bad.len()).find(|&i| !bad[i][score].is_empty()).unwrap();
    bad[i][score] = "high".into();
    expect(
        &bad,
        &header,
        None,
        &[
            "export.csv",
            "\"HubSpot score\"",
            "not a number",
            "\"high\"",
        ],
    );
    bad[i][score] = "150".into();
    expect(
        &bad,
        &header,
        None,
        &["export.csv", "\"HubSpot score\"", "[0, 100]", "\"150\""],
    );
    // A missing column.
    let missing = header.replace("Activity date", "Activity when");
    expect(&rows, &missing, None, &["export.csv", "Activity date"]);
    // No arrivals: the contacts' creation rows left out.
    let a = column(&header, "Activity type");
    let no_arrivals: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r[a] != "Contact created")
        .cloned()
        .collect();
    expect(
        &no_arrivals,
        &header,
        None,
        &["export.csv", "no arrivals", "lead created"],
    );
    // A span shorter than a week: the last four days only.
    let short: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r[date].as_str() >= "2026-01-22")
        .cloned()
        .collect();
    expect(&short, &header, None, &["export.csv", "less than a week"]);
    // A span of centuries: one year mistyped.
    let mut bad = rows.clone();
    let i = first_row(&header, &bad, "Contact created");
    bad[i][date] = bad[i][date].replacen("2026", "2926", 1);
    expect(&bad, &header, None, &["export.csv", "more than 520"]);
    // An activity mapped twice.
    let text = std::fs::read_to_string(data_dir().join("hubspot-map.toml")).unwrap();
    let twice = dir.path().join("twice.toml");
    std::fs::write(
        &twice,
        format!("{text}\n[[activities]]\nname = \"Call\"\nhappening = \"meeting\"\n"),
    )
    .unwrap();
    expect(&rows, &header, Some(&twice), &["twice.toml", "Call"]);
}

/// What a real export also holds is handled as documented, and said:
/// blank owner cells, exact duplicates, a second time zone, 0-second
/// durations and a score stored as quoted text all fit (exit 0), with a
/// note for each that changes what is read.
#[test]
fn blank_owners_duplicates_time_zones_zero_durations_and_text_numbers_fit() {
    let (header, rows) = small_export();
    let dir = tempfile::tempdir().unwrap();
    let owner = column(&header, "Activity assigned to");
    let subject = column(&header, "Subject");
    let start = column(&header, "Start date");
    let date = column(&header, "Activity date");
    let score = column(&header, "HubSpot score");
    let mut rows = rows;
    let reviews: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i][subject].starts_with("Review AI draft"))
        .collect();
    // Every tenth review without its owner.
    for &i in reviews.iter().step_by(10) {
        rows[i][owner].clear();
    }
    // Every seventh review took no time (logged as done when opened).
    for &i in reviews.iter().skip(3).step_by(7) {
        rows[i][start] = rows[i][date].clone();
    }
    // A second office: one contact's rows in London time, same wall time.
    let a = column(&header, "Activity type");
    let case = rows.iter().find(|r| r[a] == "Contact created").unwrap()[0].clone();
    for r in rows.iter_mut().filter(|r| r[0] == case) {
        for c in [start, date] {
            if let Some(at) = r[c].rfind('-').filter(|at| *at > 10) {
                r[c].replace_range(at.., "+00:00");
            }
        }
    }
    // Scores as quoted text, and one row twice more.
    for r in rows.iter_mut().filter(|r| !r[score].is_empty()) {
        r[score] = format!("\"{}\"", r[score]);
    }
    let again = rows[5].clone();
    rows.push(again);
    let export = write_export(dir.path(), &header, &rows);
    let (code, out, err) = fit_cli(dir.path(), &export, None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("rows of rep work without a resource (blank owner)"),
        "{out}"
    );
    assert!(out.contains("exact duplicate rows dropped"), "{out}");
    assert!(
        out.contains("+00:00") && out.contains("UTC offsets"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/fit.json")).unwrap()).unwrap();
    let review = json["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "review.duration")
        .unwrap();
    assert!(
        review["estimate"]["fit"]["zeros"].as_u64().unwrap() > 0,
        "{review}"
    );
}

/// Values a broken export might hold, put in any cell.
const HOSTILE_CELLS: [&str; 16] = [
    "",
    "nan",
    "-1",
    "1e309",
    "2026-13-45 25:61:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "2026-01-05",
    "2026-01-05T09:00:00+0100",
    "abc",
    "\"",
    "\u{0}",
    "Contact created",
    "Email",
    "99999999999999999999",
    "-05:00",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any cell of a valid export replaced by a hostile value: the fit
    /// either succeeds or is a bad-input error naming the file, never a
    /// panic.
    #[test]
    fn hostile_cells_never_panic_the_fit(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..11, 0usize..16), 1..4)
    ) {
        let (header, mut rows) = small_export_cached();
        for (row, col, value) in &picks {
            let i = row.index(rows.len());
            rows[i][*col] = HOSTILE_CELLS[*value].to_string();
        }
        let dir = tempfile::tempdir().unwrap();
        let export = write_export(dir.path(), &header, &rows);
        match fit::run(&hubspot_request(export)) {
            Ok(_) => {}
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                prop_assert!(e.to_string().contains("export.csv"), "{}", e);
            }
        }
    }
}

fn small_export_cached() -> (String, Vec<Vec<String>>) {
    static CACHE: std::sync::OnceLock<(String, Vec<Vec<String>>)> = std::sync::OnceLock::new();
    CACHE.get_or_init(small_export).clone()
}

/// Follow-up sequences (docs/MODEL.md section 3): the number of follow-ups
/// and their interval, exactly, from the sequences that got no reply.
#[test]
fn follow_up_counts_and_intervals_are_recovered_exactly() {
    for (count, interval) in [("3", "2d"), ("1", "4d")] {
        let mut overrides = SOURCE.to_vec();
        overrides.extend([
            ("email.follow_ups", count),
            ("email.follow_up_reply_factor", "0.6"),
        ]);
        let quoted = format!("\"{interval}\"");
        overrides.push(("email.follow_up_interval", &quoted));
        let sc = source(&overrides);
        let dir = tempfile::tempdir().unwrap();
        let log = write_log(&sc, 0, dir.path(), "log.parquet");
        let o = fit::run(&request(vec![log], None)).unwrap();
        assert_eq!(key(&o, "email.follow_ups").toml.as_deref(), Some(count));
        assert_eq!(
            key(&o, "email.follow_up_interval").toml.as_deref(),
            Some(quoted.as_str())
        );
        assert!(o
            .reproduction
            .measures
            .iter()
            .any(|m| m.activity == "follow-up"));
    }
}

/// With follow-ups, a reply may answer any send: the first email's reply
/// rate and the follow-ups' reply factor are fitted jointly with the reply
/// delay (docs/MODEL.md section 12). Over 30 replications (each a seed of
/// its own; the test is deterministic) the estimates average near the
/// generating values: per seed the rate's standard error is about 0.007
/// and the factor's about 0.06, so the means of 30 have about 0.0013 and
/// 0.011, and the bounds below (10% and 20%) are several of those wide.
/// The fit that gave every reply to the first email estimated the whole
/// sequence's reply rate and no factor; this one averages 0.0790 and
/// 0.505. Its 95% intervals (likelihood-ratio, averaged over the delay's
/// families by their Akaike weights) cover the truth in 54 of the 60
/// cases here. A batch this small cannot show 95% on its own: at a true
/// 95% it covers 52 or fewer with probability 0.98% (binomial), so 53 is
/// the floor. The 95% itself is checked on 400 logs by
/// `scripts/fit-calibration.sh` (`examples/log_coverage.rs`): 761 of 800
/// (95.1%; the rate 384, the factor 377 of 400).
#[test]
fn reply_rate_and_follow_up_factor_are_recovered_jointly() {
    let sc = source(&[&SOURCE[..], &FOLLOW_UPS[..]].concat());
    let dir = tempfile::tempdir().unwrap();
    let (mut covered, mut total, mut medians) = (0, 0, Vec::new());
    let (mut rates, mut factors) = (Vec::new(), Vec::new());
    let mut misses = Vec::new();
    for r in 0..30 {
        let log = write_log(&sc, r, dir.path(), &format!("log-{r}.parquet"));
        let o = fit::run(&request(vec![log], None)).unwrap();
        rates.push(key(&o, "email.reply_rate").number);
        factors.push(key(&o, "email.follow_up_reply_factor").number);
        for (name, value) in [
            ("email.reply_rate", 0.08),
            ("email.follow_up_reply_factor", 0.5),
        ] {
            let (lo, hi) = interval(key(&o, name));
            total += 1;
            if lo <= value && value <= hi {
                covered += 1;
            } else {
                misses.push(format!("seed {r}: {name} {value} outside [{lo}, {hi}]"));
            }
        }
        let Some(Estimate::Duration { fit, .. }) = &key(&o, "email.reply_delay").estimate else {
            panic!("seed {r}: no reply delay fitted");
        };
        // The fitted family's median.
        medians.push(fit.candidates[0].median());
    }
    let share = f64::from(covered) / f64::from(total);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (rate, factor) = (mean(&rates), mean(&factors));
    eprintln!(
        "mean rate {rate:.4}, mean factor {factor:.3}; coverage {covered}/{total} = {share:.3}; misses: {misses:?}; delays {medians:?}"
    );
    assert!(covered >= 53, "coverage {covered}/{total}: {misses:?}");
    assert!((rate / 0.08 - 1.0).abs() < 0.1, "mean reply rate {rate}");
    assert!((factor / 0.5 - 1.0).abs() < 0.2, "mean factor {factor}");
    // The delay (lognormal, median 1d in the base) is not pulled short by
    // replies to the first email that arrive after a follow-up went out
    // (the old fit's 21.4 h on the shipped example, -11%): the geometric
    // mean of 30 fitted medians, each from about 200 replies (sd about
    // 1.25 x 1.08 / sqrt(200) = 9.6% in log terms, 1.8% for the mean),
    // within 8%. Seen: 25.1 h (+4.6%, 2.1 of those standard errors);
    // over 400 logs (`examples/log_coverage.rs`) 24.2 h (+1.0%, sd 12% a
    // log in log terms): this batch's draw, not a bias.
    let mean = (medians.iter().map(|m| m.ln()).sum::<f64>() / medians.len() as f64).exp();
    eprintln!("geometric mean delay median {:.1} h", mean / 3600.0);
    assert!(
        (mean / 86_400.0 - 1.0).abs() < 0.08,
        "mean median {mean}: {medians:?}"
    );
}
