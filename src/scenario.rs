//! Scenario files: raw TOML -> `extends` and `--set` applied -> validated ->
//! typed [`Scenario`].
//!
//! Nothing raw reaches the pipeline. Every error names the file, the dotted
//! key path and, where the TOML has one, the line and column.

mod load;
mod raw;
mod read;
pub mod schema;
pub mod types;
mod validate;

pub use types::*;

use std::path::Path;

use crate::error::Result;

/// The canonical scenario, embedded in the binary and used when no scenario
/// file is given (and by `extends = "canonical"`).
pub const CANONICAL: &str = include_str!("../scenarios/canonical.toml");

/// The tests' own complete scenario (`tests/fixtures/base.toml`): unit tests
/// edit its text, so recalibrating the shipped scenarios moves no test.
#[cfg(test)]
pub(crate) const TEST_BASE: &str = include_str!("../tests/fixtures/base.toml");

/// The name under which the embedded canonical scenario appears in messages.
pub const CANONICAL_ORIGIN: &str = "<embedded canonical>";

/// A `--set PATH=VALUE` override of one scenario key.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    /// Dotted key path; array items by index (`enrichment.providers.0.match_rate`).
    pub path: String,
    /// The value as typed: parsed as a TOML value, else taken as a string.
    pub value: String,
}

impl Override {
    /// Parses `PATH=VALUE` as given to `--set`; the value is parsed as a TOML
    /// value when the scenario is loaded. A text without `=` or with an empty
    /// key path is a usage error.
    pub fn parse(text: &str) -> Result<Override> {
        load::parse_override(text)
    }
}

pub use load::{check_distinct, parameters_of};
pub(crate) use load::{override_text, SET_SOURCE};

/// One parameter of a resolved scenario with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Dotted key path.
    pub key: String,
    /// The value as TOML text.
    pub value: String,
    /// The `<key>_source` sibling, if any.
    pub source: Option<String>,
}

/// A scenario loaded and validated, with its resolved form.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The typed scenario the pipeline runs.
    pub scenario: Scenario,
    /// The resolved scenario as complete TOML: `extends` and overrides
    /// applied, `_source` keys kept. Loading it again gives the same scenario.
    pub resolved_toml: String,
    /// Every parameter (leaf value, `_source` keys excluded) with its source.
    pub parameters: Vec<Parameter>,
    /// The file the scenario came from, or [`CANONICAL_ORIGIN`].
    pub origin: String,
    /// The data files the scenario reads, named in `resolved_toml` by
    /// their place beside it (`data/crm.csv`): an output folder holds a
    /// copy, so it needs nothing outside it.
    pub data: Vec<DataFile>,
}

/// The folder, beside a resolved `scenario.toml`, of the data files it reads.
pub const DATA_DIR: &str = "data";

/// A data file a scenario reads (an `empirical` column's CSV).
#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// Its name beside the resolved scenario: `data/crm.csv`.
    pub name: String,
    /// Where it is read from.
    pub source: std::path::PathBuf,
}

/// Loads, resolves and validates a scenario file, then applies `overrides`.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Loaded> {
    load::load_file(path, overrides)
}

/// Loads a scenario from TOML text (a resolved scenario kept in a record)
/// as if read from `folder`, named `name` in messages, then applies
/// `overrides`.
pub fn load_text(text: &str, name: &str, folder: &Path, overrides: &[Override]) -> Result<Loaded> {
    load::load_str_in(text, name, folder, overrides)
}

/// Loads the embedded canonical scenario, then applies `overrides`.
pub fn load_embedded(overrides: &[Override]) -> Result<Loaded> {
    load::load_embedded(overrides)
}

/// Loads the tests' own base scenario ([`TEST_BASE`]), then applies
/// `overrides`: the scenario unit tests build on when they need one that
/// the shipped scenarios' recalibration must not move.
#[cfg(test)]
pub(crate) fn load_test_base(overrides: &[Override]) -> Result<Loaded> {
    load::load_str(TEST_BASE, "base.toml", overrides)
}
