//! Loading scales linearly with the size of the scenario file: scenarios
//! of 25,000, 50,000 and 100,000 segments, written as `[[segments]]` tables
//! and as one inline array, timed through `salesim::scenario::load_file`.
//! Run with `cargo bench --bench loading`.

mod common;

use std::fmt::Write;
use std::time::Instant;

/// A scenario extending the canonical one with `n` segments.
fn segments(n: usize, inline: bool) -> String {
    let share = 1.0 / n as f64;
    let mut text = String::from("extends = \"canonical\"\nname = \"segments\"\n");
    if inline {
        text.push_str("segments = [\n");
        for i in 0..n {
            let _ = writeln!(
                text,
                "{{ name = \"s{i}\", share = {share:?}, fit = {{ dist = \"beta\", alpha = 2.0, beta = 5.0 }} }},"
            );
        }
        text.push_str("]\n");
    } else {
        for i in 0..n {
            let _ = write!(
                text,
                "[[segments]]\nname = \"s{i}\"\nshare = {share:?}\nfit = {{ dist = \"beta\", alpha = 2.0, beta = 5.0 }}\n"
            );
        }
    }
    text
}

fn main() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| common::fail(e));
    for inline in [false, true] {
        let mut per_segment = Vec::new();
        for n in [25_000, 50_000, 100_000] {
            let path = dir.path().join(format!("segments-{n}.toml"));
            let text = segments(n, inline);
            std::fs::write(&path, &text).unwrap_or_else(|e| common::fail(e));
            let start = Instant::now();
            let loaded =
                salesim::scenario::load_file(&path, &[]).unwrap_or_else(|e| common::fail(e));
            let seconds = start.elapsed().as_secs_f64();
            assert_eq!(loaded.scenario.segments.len(), n);
            per_segment.push(seconds / n as f64);
            println!(
                "{} segments ({}, {:.1} MB): {}, {:.1} us a segment",
                n,
                if inline {
                    "inline array"
                } else {
                    "[[segments]] tables"
                },
                text.len() as f64 / 1e6,
                common::duration(seconds),
                1e6 * seconds / n as f64
            );
        }
        println!(
            "time per segment at 100,000 over 25,000: {:.2}x (1.0 is linear)",
            per_segment[2] / per_segment[0]
        );
    }
}
