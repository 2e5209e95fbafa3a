//! The live swimlane of the report: each flow's mean weekly volume from a
//! point's metrics, the labels the drawing writes on the flows, and the
//! swimlane's PNG (its SVG comes from `diagram::svg`).

use std::collections::BTreeMap;

use super::charts::chart_error;
use super::font::FONT_BYTES;
use super::{PointReport, Stat};
use crate::error::Result;
use crate::metrics::metric_index;

/// The mean weekly volume on each swimlane flow from a point's metrics.
///
/// Every volume counts the leads arriving in the measured window W and what
/// they did before the horizon (docs/MODEL.md section 10's per-lead counts),
/// so volumes balance at every node: at a gateway what comes in goes out;
/// at a task what comes in goes out or is still there at the horizon (its
/// work in progress, part of `leads_in_progress_end`). The work in progress
/// of lookup and enrichment shows at scoring, that of drafting in an AI-SDR
/// pipeline in its autonomous sends, and that of edits at the send. After
/// the send (replies and conversations, which the per-lead counts do not
/// follow) the volumes are the events in W: positive replies, meetings, and
/// what is left of the leads emailed.
pub fn flows(metrics: &[Stat], weeks: f64) -> BTreeMap<String, f64> {
    let get = |name: &str| {
        metric_index(name)
            .and_then(|i| metrics.get(i))
            .and_then(|s| s.mean)
            .unwrap_or(0.0)
    };
    let per = |v: f64| if weeks > 0.0 { v / weeks } else { 0.0 };
    let arrived = get("leads_arrived");
    let unreachable = get("leads_unreachable");
    let (first_nurture, first_outreach) = (get("leads_to_nurture"), get("leads_to_outreach"));
    let reentered = get("nurture_reengaged");
    let reentered_outreach = get("reentries_to_outreach");
    let reentered_nurture = reentered - reentered_outreach;
    let dormant = get("leads_dormant");
    let (reviewed, approved, edited) = (
        get("drafts_reviewed"),
        get("drafts_approved"),
        get("drafts_edited"),
    );
    let (discarded, expired) = (get("drafts_discarded"), get("drafts_expired"));
    let (written, queued) = (get("drafts_written"), get("drafts_queued"));
    let sent = get("leads_sent");
    let in_progress = get("leads_in_progress_end");
    // The final states account for every lead (section 3), so the leads
    // dropped on expiry are what the others leave; the rest of the expired
    // drafts went to nurture.
    let dropped =
        (arrived - unreachable - dormant - sent - discarded - in_progress).clamp(0.0, expired);
    let expired_nurture = expired - dropped;
    // Agent drafts not queued for review were sent autonomously (none
    // without autosend); a rep's own drafts are all of them.
    let not_reviewed = written - queued;
    let positive = get("positive_replies");
    let meetings = get("meetings");
    let pairs = [
        ("flow_start_lookup", arrived),
        ("flow_lookup_enrichment", arrived),
        ("flow_enrichment_found", arrived),
        ("flow_found_unreachable", unreachable),
        ("flow_found_scoring", arrived - unreachable),
        ("flow_scoring_gate", first_nurture + first_outreach),
        (
            "flow_gate_join_gate",
            first_nurture + first_outreach + reentered,
        ),
        ("flow_gate_nurture", first_nurture + reentered_nurture),
        ("flow_gate_outreach", first_outreach + reentered_outreach),
        (
            "flow_nurture_join_nurture",
            first_nurture + reentered_nurture + expired_nurture,
        ),
        ("flow_nurture_touches", reentered + dormant),
        ("flow_engaged_reentry", reentered),
        ("flow_engaged_dormant", dormant),
        ("flow_drafting_autosend", written),
        ("flow_autosend_send", not_reviewed),
        ("flow_autosend_review", queued),
        ("flow_drafting_review", queued),
        ("flow_drafting_send", written),
        ("flow_review_outcome", reviewed),
        ("flow_review_discard", discarded),
        ("flow_review_edit", edited),
        ("flow_review_approve", approved - edited),
        ("flow_edit_send", edited),
        ("flow_expiry_nurture", expired_nurture),
        ("flow_expiry_drop", dropped),
        ("flow_send_join_send", approved + not_reviewed),
        ("flow_send_reply", sent),
        ("flow_reply_conversation", positive),
        ("flow_reply_none", sent - positive),
        ("flow_conversation_outcome", positive),
        ("flow_meeting_booked", meetings),
        ("flow_meeting_none", positive - meetings),
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

/// Width and height of the swimlane's PNG: a 16:9 slide.
pub const PNG_SIZE: (u32, u32) = (1920, 1080);

/// The swimlane as a 16:9 PNG ([`PNG_SIZE`]): its `svg`, rasterised with
/// resvg and the embedded font (no system fonts), scaled to fit and
/// centred on white, so the picture and the SVG cannot differ in any mark.
pub fn png(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let fail = |message: String| chart_error("swimlane.png", message);
    let mut options = usvg::Options::default();
    {
        let fonts = options.fontdb_mut();
        fonts.load_font_data(FONT_BYTES.to_vec());
        fonts.set_sans_serif_family(EMBEDDED_FAMILY);
    }
    options.font_family = EMBEDDED_FAMILY.to_string();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| fail(e.to_string()))?;
    let (w, h) = PNG_SIZE;
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| fail("no room for the picture".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    // A margin of 2% on the tighter side.
    let scale = (w as f32 * 0.98 / size.width()).min(h as f32 * 0.98 / size.height());
    let (dx, dy) = (
        (w as f32 - size.width() * scale) / 2.0,
        (h as f32 - size.height() * scale) / 2.0,
    );
    let transform = tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, dx, dy);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| fail(e.to_string()))
}

/// The family name of the embedded font file (DejaVu Sans).
const EMBEDDED_FAMILY: &str = "DejaVu Sans";

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
