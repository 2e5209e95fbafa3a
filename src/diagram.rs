//! The scenario's swimlane as a diagram (docs/MODEL.md sections 1 and 11): one
//! layout computed from the scenario, drawn as BPMN 2.0 XML with DI for
//! modellers (bpmn.io, Camunda Modeler) or as SVG for the report.
//!
//! The pipeline pool has lanes agent, human and system; each prep stage sits
//! in its scenario's lane; the external data providers are a second pool
//! joined by message flows. Exclusive gateways carry the thresholds as
//! readable conditions. Every flow has a stable id (`flow_gate_nurture`...)
//! so a report can write measured volumes on it.

pub mod bpmn;
pub mod layout;
pub mod svg;

pub use layout::{layout, Edge, Kind, Layout, Node};
