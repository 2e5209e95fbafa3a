//! The live swimlane of the report: each flow's mean weekly volume from a
//! point's metrics, the labels the drawing writes on the flows, and the
//! swimlane's PNG (its SVG comes from `diagram::svg`).

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::element::Polygon;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{chart_error, err, style, DrawResult, Plot, INK, PALETTE};
use super::font::ensure_font;
use super::{PointReport, Stat};
use crate::error::Result;
use crate::metrics::metric_index;

/// The mean weekly volume on each swimlane flow from a point's metrics.
pub fn flows(metrics: &[Stat], weeks: f64) -> BTreeMap<String, f64> {
    let get = |name: &str| {
        metric_index(name)
            .and_then(|i| metrics[i].mean)
            .unwrap_or(0.0)
    };
    let per = |v: f64| if weeks > 0.0 { v / weeks } else { 0.0 };
    let arrived = get("leads_arrived");
    let unreachable = get("leads_unreachable");
    let reachable = arrived - unreachable;
    let approved = get("drafts_approved");
    let edited = get("drafts_edited");
    let reviewed = get("drafts_reviewed");
    let expired = get("drafts_expired");
    let queued = reviewed + expired;
    let sent = get("emails_sent");
    let autosent = get("emails_autosent");
    let positive = get("positive_replies");
    let to_nurture = get("leads_to_nurture");
    let reengaged = get("nurture_reengaged");
    let pairs = [
        ("flow_start_lookup", arrived),
        ("flow_lookup_enrichment", arrived),
        ("flow_enrichment_found", arrived),
        ("flow_found_unreachable", unreachable),
        ("flow_found_scoring", reachable),
        ("flow_scoring_gate", reachable),
        ("flow_gate_join_gate", reachable + reengaged),
        ("flow_gate_nurture", to_nurture),
        ("flow_gate_outreach", get("leads_to_outreach")),
        ("flow_nurture_join_nurture", to_nurture + expired),
        ("flow_nurture_touches", get("nurture_touches")),
        ("flow_engaged_reentry", reengaged),
        ("flow_engaged_dormant", get("leads_dormant")),
        ("flow_drafting_autosend", autosent + queued),
        ("flow_autosend_send", autosent),
        ("flow_autosend_review", queued),
        ("flow_drafting_review", queued),
        ("flow_drafting_send", sent),
        ("flow_review_outcome", reviewed),
        ("flow_review_discard", get("drafts_discarded")),
        ("flow_review_edit", edited),
        ("flow_review_approve", approved - edited),
        ("flow_edit_send", edited),
        ("flow_expiry_nurture", expired),
        ("flow_expiry_drop", expired),
        ("flow_send_join_send", sent),
        ("flow_send_reply", sent),
        ("flow_reply_conversation", positive),
        ("flow_reply_none", sent - positive),
        ("flow_conversation_end", get("meetings")),
    ];
    pairs
        .iter()
        .map(|(id, v)| (id.to_string(), per(*v).max(0.0)))
        .collect()
}

/// Each flow's mean weekly volume as the swimlane writes it (`480 /wk`).
pub fn volume_labels(p: &PointReport) -> BTreeMap<String, String> {
    p.flows
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                format!(
                    "{} /wk",
                    super::page::fmt("leads_arrived", Some(*v)).replace(".0", "")
                ),
            )
        })
        .collect()
}

/// The swimlane drawn with plotters, for its PNG (the SVG with live
/// volumes comes from `diagram::svg`).
struct Swimlane<'a> {
    layout: &'a crate::diagram::Layout,
    volumes: &'a std::collections::BTreeMap<String, String>,
}

impl Plot for Swimlane<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        use crate::diagram::Kind;
        let p = |x: f64, y: f64| (x as i32, y as i32);
        root.fill(&WHITE).map_err(err)?;
        let l = self.layout;
        let (px, py, pw, ph) = l.pool;
        let fills = [
            RGBColor(232, 241, 248),
            RGBColor(253, 241, 224),
            RGBColor(238, 247, 239),
        ];
        for (i, lane) in l.lanes.iter().enumerate() {
            let y = py + ph / 3.0 * i as f64;
            root.draw(&Rectangle::new(
                [p(px + 30.0, y), p(px + pw, y + ph / 3.0)],
                fills[i].filled(),
            ))
            .map_err(err)?;
            root.draw(&Rectangle::new(
                [p(px + 30.0, y), p(px + pw, y + ph / 3.0)],
                INK.stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                format!("{lane} lane"),
                p(px + 34.0, y + 8.0),
                style(15.0),
            ))
            .map_err(err)?;
        }
        let (qx, qy, qw, qh) = l.providers;
        root.draw(&Rectangle::new(
            [p(qx, qy), p(qx + qw, qy + qh)],
            RGBColor(244, 244, 244).filled(),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            l.providers_name.clone(),
            p(qx + qw / 2.0, qy + qh / 2.0),
            style(16.0).pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        for e in l.flows.iter().chain(&l.messages) {
            let pts: Vec<(i32, i32)> = e.waypoints.iter().map(|(x, y)| p(*x, *y)).collect();
            root.draw(&PathElement::new(pts, INK.stroke_width(2)))
                .map_err(err)?;
            if let Some(&(x, y)) = e.waypoints.last() {
                root.draw(&Circle::new(p(x, y), 4, INK.filled()))
                    .map_err(err)?;
            }
        }
        for n in &l.nodes {
            let (cx, cy) = (n.x + n.w / 2.0, n.y + n.h / 2.0);
            match n.kind {
                Kind::Task => {
                    root.draw(&Rectangle::new(
                        [p(n.x, n.y), p(n.x + n.w, n.y + n.h)],
                        WHITE.filled(),
                    ))
                    .map_err(err)?;
                    root.draw(&Rectangle::new(
                        [p(n.x, n.y), p(n.x + n.w, n.y + n.h)],
                        INK.stroke_width(2),
                    ))
                    .map_err(err)?;
                }
                Kind::Gateway => {
                    let pts = vec![p(cx, n.y), p(n.x + n.w, cy), p(cx, n.y + n.h), p(n.x, cy)];
                    root.draw(&Polygon::new(pts.clone(), WHITE.filled()))
                        .map_err(err)?;
                    let mut closed = pts;
                    closed.push(p(cx, n.y));
                    root.draw(&PathElement::new(closed, INK.stroke_width(2)))
                        .map_err(err)?;
                }
                Kind::Start | Kind::End | Kind::Timer => {
                    let width = if n.kind == Kind::End { 4 } else { 2 };
                    root.draw(&Circle::new(p(cx, cy), (n.w / 2.0) as i32, WHITE.filled()))
                        .map_err(err)?;
                    root.draw(&Circle::new(
                        p(cx, cy),
                        (n.w / 2.0) as i32,
                        INK.stroke_width(width),
                    ))
                    .map_err(err)?;
                }
            }
            let label_y = match n.kind {
                Kind::Task => cy,
                Kind::Gateway => n.y - 12.0,
                _ => n.y + n.h + 12.0,
            };
            let words: Vec<&str> = n.name.split_whitespace().collect();
            let lines: Vec<String> = words.chunks(2).map(|c| c.join(" ")).collect();
            for (i, line) in lines.iter().enumerate() {
                let dy = (i as f64 - (lines.len() as f64 - 1.0) / 2.0) * 14.0;
                root.draw(&Text::new(
                    line.clone(),
                    p(cx, label_y + dy),
                    style(12.0).pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
        for e in &l.flows {
            if let Some(v) = self.volumes.get(&e.id) {
                let seg = e.waypoints.windows(2).max_by(|a, b| {
                    let len = |w: &[(f64, f64)]| (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs();
                    len(a).total_cmp(&len(b))
                });
                if let Some(w) = seg {
                    let (x, y) = ((w[0].0 + w[1].0) / 2.0, (w[0].1 + w[1].1) / 2.0 + 12.0);
                    root.draw(&Text::new(
                        v.clone(),
                        p(x, y),
                        style(13.0)
                            .color(&PALETTE[0])
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}

/// The swimlane as a PNG at the layout's size.
pub fn png(
    layout: &crate::diagram::Layout,
    volumes: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    ensure_font();
    let w = (layout.pool.0 + layout.pool.2 + 20.0) as u32;
    let h = (layout.providers.1 + layout.providers.3 + 20.0) as u32;
    super::charts::png((w, h), &Swimlane { layout, volumes })
        .map_err(|e| chart_error("swimlane.png", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram;
    use crate::metrics::METRICS;
    use crate::scenario::{load_embedded, Override};

    /// Every flow of the live swimlane, in every variant of the drawing,
    /// gets a volume: an id the volumes do not know would silently show none.
    #[test]
    fn every_swimlane_flow_has_a_volume() {
        let stat = Stat {
            mean: Some(1.0),
            low: None,
            high: None,
        };
        let volumes = flows(&vec![stat; METRICS.len()], 1.0);
        let set = |path: &str, value: &str| Override {
            path: path.into(),
            value: value.into(),
        };
        let variants = [
            vec![],
            vec![set("gate.autosend_at_or_above", "0.85")],
            vec![set("review.on_expire", "\"drop\"")],
            vec![
                set("lookup.lane", "\"human\""),
                set("drafting.lane", "\"human\""),
            ],
        ];
        let mut checked = 0;
        for overrides in variants {
            let sc = load_embedded(&overrides).unwrap().scenario;
            for edge in diagram::layout(&sc).flows {
                assert!(volumes.contains_key(&edge.id), "{} has no volume", edge.id);
                checked += 1;
            }
        }
        assert!(checked > 80, "{checked}");
    }
}
