//! The JSON document of `--format json` (docs/MODEL.md section 8), keys in
//! contract order and metrics in [`METRICS`] order.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::experiment::RunResult;
use crate::metrics::{Aggregate, METRICS};

/// A run as the JSON object
/// `{"scenario", "seed", "replications", "metrics": {NAME: {"mean", "sd",
/// "ci95_low", "ci95_high"}}}`; undefined statistics are `null`.
///
/// Struct fields serialise in declaration order and the metrics map is
/// written in [`METRICS`] order, so the document's order does not depend on
/// serde_json's `preserve_order` feature. Sweep and compare documents embed
/// their own documents (output/experiment.rs).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunJson<'a> {
    scenario: &'a str,
    seed: u64,
    replications: usize,
    metrics: MetricsJson<'a>,
    /// The capacity warning, if any (docs/MODEL.md section 5).
    warnings: Vec<String>,
}

impl<'a> RunJson<'a> {
    /// The JSON view of a run.
    pub fn new(result: &'a RunResult) -> Self {
        RunJson {
            scenario: &result.scenario,
            seed: result.seed,
            replications: result.replications.len(),
            metrics: MetricsJson(&result.summary),
            warnings: crate::metrics::capacity_warning(&result.summary)
                .into_iter()
                .collect(),
        }
    }
}

/// The aggregates as a map from metric name, in [`METRICS`] order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricsJson<'a>(pub(crate) &'a [Aggregate]);

/// The statistics of one metric; serde_json writes `None` and non-finite
/// values as `null`.
#[derive(serde::Serialize)]
pub(crate) struct StatsJson {
    pub(crate) mean: Option<f64>,
    pub(crate) sd: Option<f64>,
    pub(crate) ci95_low: Option<f64>,
    pub(crate) ci95_high: Option<f64>,
}

impl From<&Aggregate> for StatsJson {
    fn from(a: &Aggregate) -> Self {
        StatsJson {
            mean: a.mean,
            sd: a.sd,
            ci95_low: a.ci95_low,
            ci95_high: a.ci95_high,
        }
    }
}

impl Serialize for MetricsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len().min(METRICS.len())))?;
        for (metric, a) in METRICS.iter().zip(self.0) {
            map.serialize_entry(metric.name, &StatsJson::from(a))?;
        }
        map.end()
    }
}

/// The pretty-printed JSON document of a run (no trailing newline).
pub fn json_document(result: &RunResult) -> String {
    serde_json::to_string_pretty(&RunJson::new(result))
        .expect("a document of strings, integers and floats always serialises")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::output::fixtures::run_result;

    #[test]
    fn json_document_parses_and_has_every_metric() {
        let result = run_result();
        let doc: Value = serde_json::from_str(&json_document(&result)).unwrap();
        assert_eq!(doc["scenario"], "canonical \"test\"");
        assert_eq!(doc["seed"], 42);
        assert_eq!(doc["replications"], 3);
        let metrics = doc["metrics"].as_object().unwrap();
        assert_eq!(metrics.len(), METRICS.len());
        for name in crate::metrics::metric_names() {
            let m = metrics[name].as_object().unwrap();
            let keys: Vec<&str> = m.keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 4, "{name}");
            for key in ["mean", "sd", "ci95_low", "ci95_high"] {
                assert!(m.contains_key(key), "{name}.{key}");
            }
        }
        assert_eq!(doc["metrics"]["leads_arrived"]["mean"], 12_100.0);
        assert!(doc["metrics"]["cost_per_meeting"]["mean"].is_null());
        assert!(doc["metrics"]["nurture_share"]["ci95_low"].is_number());
    }

    #[test]
    fn json_document_keeps_contract_order() {
        let text = json_document(&run_result());
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(at("\"scenario\"") < at("\"seed\""));
        assert!(at("\"seed\"") < at("\"replications\""));
        assert!(at("\"replications\"") < at("\"metrics\""));
        let positions: Vec<usize> = METRICS
            .iter()
            .map(|m| at(&format!("\"{}\":", m.name)))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        assert!(at("\"mean\"") < at("\"sd\""));
        assert!(at("\"ci95_low\"") < at("\"ci95_high\""));
    }

    #[test]
    fn non_finite_statistics_are_null() {
        let mut result = run_result();
        result.summary[0].mean = Some(f64::NAN);
        result.summary[0].sd = Some(f64::INFINITY);
        let doc: Value = serde_json::from_str(&json_document(&result)).unwrap();
        assert!(doc["metrics"][METRICS[0].name]["mean"].is_null());
        assert!(doc["metrics"][METRICS[0].name]["sd"].is_null());
    }
}
