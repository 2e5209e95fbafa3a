//! The scenario library's headline table: every shipped scenario run at its
//! own fixed seed, tabulated by the figures a planner looks at first.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::experiment::{self, RunResult};
use crate::scenario::{load_file, Override};

/// Replications per scenario in the headline table: enough for stable
/// means at a fixed seed, few enough to regenerate the table in seconds.
pub const TABLE_REPLICATIONS: u32 = 3;

/// Start and end markers of the generated table in `scenarios/README.md`.
pub const TABLE_START: &str = "<!-- headline-table:start -->";
/// See [`TABLE_START`].
pub const TABLE_END: &str = "<!-- headline-table:end -->";

/// The `.toml` files of a folder, sorted by name.
pub fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

fn cell(result: &RunResult, name: &str, decimals: usize) -> String {
    match result.metric(name).and_then(|a| a.mean) {
        Some(v) => format!("{v:.decimals$}"),
        None => "—".to_string(),
    }
}

/// Runs every scenario with [`TABLE_REPLICATIONS`] replications at its own
/// seed and returns the Markdown table of headline results.
pub fn headline_table(files: &[PathBuf]) -> Result<String> {
    let mut out = String::from(
        "| scenario | hours saved per rep-week | prep time reduction | nurture share | review wait (h) | drafts expired |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    let overrides = [Override {
        path: "run.replications".into(),
        value: TABLE_REPLICATIONS.to_string(),
    }];
    for file in files {
        let loaded = load_file(file, &overrides)?;
        let result = experiment::run(&loaded.scenario, 0, &|| {})?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} |\n",
            cell(&result, "hours_saved_per_rep_week", 2),
            cell(&result, "prep_time_reduction", 1),
            cell(&result, "nurture_share", 3),
            cell(&result, "review_wait_mean_h", 2),
            cell(&result, "drafts_expired", 0),
        ));
    }
    Ok(out)
}

/// The text between [`TABLE_START`] and [`TABLE_END`] in `readme`, if both
/// markers are there.
pub fn table_in(readme: &str) -> Option<&str> {
    let start = readme.find(TABLE_START)? + TABLE_START.len();
    let end = readme[start..].find(TABLE_END)? + start;
    Some(readme[start..end].trim_start_matches('\n'))
}
