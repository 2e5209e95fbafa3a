//! Writes `scenarios/data/hubspot-export.csv`, the synthetic HubSpot
//! activity export `salesim fit` is shown on: one replication of the
//! documented scenario `scenarios/data/hubspot-source.toml` with its
//! event log, rewritten in HubSpot's shape (`hubspot.rs`).
//!
//! ```text
//! cargo run --release --example crm_export [-- OUT.csv]
//! ```

mod hubspot;

use std::path::PathBuf;

use anyhow::Context;

/// The documented scenario and the export, from the repository's root.
const SOURCE: &str = "scenarios/data/hubspot-source.toml";
const EXPORT: &str = "scenarios/data/hubspot-export.csv";

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from(EXPORT), PathBuf::from);
    let loaded = salesim::scenario::load_file(std::path::Path::new(SOURCE), &[])?;
    let sc = &loaded.scenario;
    let rows = salesim::eventlog::log_replication(sc, 0, Vec::new())?;
    let text = hubspot::export(&rows, sc.run.start_date);
    std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "{}: {} rows from {} event-log rows of {SOURCE}",
        out.display(),
        text.lines().count() - 1,
        rows.len()
    );
    Ok(())
}
