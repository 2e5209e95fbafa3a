//! What a command decided before running: its kind, its base scenario, its
//! plan of points, and how its results are to be read (a sweep's goal, a
//! sensitivity's metric and moved parameters, the table's metrics, the point
//! whose event log is kept). A run is a design of one point.
//!
//! Everything here is recorded in `plan.json`, so that `--resume` and
//! `salesim merge` rebuild the same results without the command line.

use serde::{Deserialize, Serialize};

use super::jobs::Plan;
use super::select::Goal;
use super::sensitivity::Knob;
use crate::error::{Error, Result};
use crate::metrics::Metric;
use crate::scenario::{DataFile, Loaded};

/// Which command an experiment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The replications of one scenario.
    Run,
    /// A grid over scenario keys.
    Sweep,
    /// Scenarios side by side.
    Compare,
    /// One-at-a-time sensitivity.
    Sensitivity,
}

impl Kind {
    /// The kind's name, as in the command line and file names.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A parameter moved down and up, with the points that hold its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    /// The parameter and its settings.
    pub knob: Knob,
    /// The point of the low setting.
    pub low: usize,
    /// The point of the high setting.
    pub high: usize,
}

/// What a sensitivity analysis measures and moves.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityDesign {
    /// The metric whose changes are ranked.
    pub metric: &'static Metric,
    /// The moved parameters, in the scenario's key order (point 0 is the base).
    pub swings: Vec<Swing>,
    /// Parameters that could not be moved, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// A command's design.
#[derive(Debug, Clone)]
pub struct Design {
    /// Which command.
    pub kind: Kind,
    /// The base scenario (the first one of a comparison).
    pub base: Loaded,
    /// The points and their jobs.
    pub plan: Plan,
    /// The metrics an experiment's table shows.
    pub metrics: Vec<&'static Metric>,
    /// How a sweep chooses its point.
    pub goal: Option<Goal>,
    /// The point whose replications also write the event log.
    pub event_log: Option<usize>,
    /// A sensitivity analysis's metric and swings.
    pub sensitivity: Option<SensitivityDesign>,
}

impl Design {
    /// The design of a plain run of `base`: one point, no parameters.
    pub fn run(base: Loaded, plan: Plan, event_log: bool) -> Design {
        Design {
            kind: Kind::Run,
            base,
            plan,
            metrics: Vec::new(),
            goal: None,
            event_log: event_log.then_some(0),
            sensitivity: None,
        }
    }

    /// The base scenario's name.
    pub fn name(&self) -> &str {
        &self.base.scenario.name
    }

    /// The resolved base scenario and every data file a point reads, as
    /// files of the output folder (`scenario.toml`, `data/...`), so that the
    /// folder needs nothing outside it. Two compared scenarios that read
    /// different files of one name cannot share a folder: refused.
    pub fn folder_files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut data: Vec<&DataFile> = self.base.data.iter().collect();
        for d in self.plan.points.iter().flat_map(|p| &p.data) {
            match data.iter().find(|seen| seen.name == d.name) {
                Some(seen) if seen.source != d.source => {
                    return Err(Error::Usage(format!(
                    "{} and {} would both be {} in the output folder; give one another file name",
                    seen.source.display(),
                    d.source.display(),
                    d.name
                )))
                }
                Some(_) => {}
                None => data.push(d),
            }
        }
        let mut files = vec![(
            "scenario.toml".to_string(),
            self.base.resolved_toml.clone().into_bytes(),
        )];
        for d in data {
            let text = crate::input::read_text(&d.source, crate::input::DATA_LIMIT)
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", d.source.display())))?;
            files.push((d.name.clone(), text.into_bytes()));
        }
        Ok(files)
    }
}
