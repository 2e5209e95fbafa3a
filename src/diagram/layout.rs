//! The swimlane's layout: nodes on a grid of columns and lanes (so no two
//! shapes overlap), flows with orthogonal waypoints, and the two pools.

use crate::scenario::{Lane, OnExpire, Scenario};
use crate::units::format_duration;

/// Width of a grid column.
const COLUMN: f64 = 150.0;
/// Height of a lane.
const LANE_HEIGHT: f64 = 170.0;
/// Left edge of the pool, and the width of its name band and lane bands.
const POOL_X: f64 = 20.0;
const BAND: f64 = 30.0;
/// Top of the pipeline pool.
const POOL_Y: f64 = 20.0;
/// Gap between the pipeline pool and the providers' pool, and its height.
const POOL_GAP: f64 = 50.0;
const PROVIDERS_HEIGHT: f64 = 90.0;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The start event.
    Start,
    /// An end event.
    End,
    /// A task.
    Task,
    /// An exclusive gateway.
    Gateway,
    /// A timer boundary event on a task (the review deadline).
    Timer,
}

/// A shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// A stable id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Its lane: 0 agent, 1 human, 2 system.
    pub lane: usize,
    /// Top-left corner and size.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// See `x`.
    pub w: f64,
    /// See `x`.
    pub h: f64,
    /// For a timer: the task it is attached to, and its duration.
    pub attached: Option<(String, String)>,
}

impl Node {
    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// A sequence flow or a message flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// A stable id, e.g. `flow_gate_nurture`.
    pub id: String,
    /// Source node id (or pool id for a message flow).
    pub source: String,
    /// Target node id (or pool id).
    pub target: String,
    /// Its label.
    pub name: String,
    /// The condition, for a flow leaving a gateway.
    pub condition: Option<String>,
    /// Waypoints, first at the source, last at the target.
    pub waypoints: Vec<(f64, f64)>,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The scenario's name.
    pub name: String,
    /// Lane names, top to bottom.
    pub lanes: [&'static str; 3],
    /// The pipeline pool's bounds (x, y, w, h).
    pub pool: (f64, f64, f64, f64),
    /// The providers' pool's bounds and name.
    pub providers: (f64, f64, f64, f64),
    /// The providers' pool's label.
    pub providers_name: String,
    /// Shapes.
    pub nodes: Vec<Node>,
    /// Sequence flows.
    pub flows: Vec<Edge>,
    /// Message flows between the pipeline and the providers' pool.
    pub messages: Vec<Edge>,
}

/// The id of the providers' pool, the end of message flows.
pub const PROVIDERS_POOL: &str = "providers";

fn lane_of(lane: Lane) -> usize {
    match lane {
        Lane::Agent => 0,
        Lane::Human => 1,
    }
}

/// A number as people write a threshold.
fn num(v: f64) -> String {
    let t = format!("{v:.4}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    t.to_string()
}

struct Builder {
    nodes: Vec<Node>,
    flows: Vec<Edge>,
}

impl Builder {
    fn node(&mut self, id: &str, name: &str, kind: Kind, lane: usize, column: usize) {
        let (w, h) = match kind {
            Kind::Task => (110.0, 80.0),
            Kind::Gateway => (50.0, 50.0),
            Kind::Start | Kind::End | Kind::Timer => (36.0, 36.0),
        };
        let cx = POOL_X + BAND * 2.0 + COLUMN * (column as f64 + 0.5);
        let cy = POOL_Y + LANE_HEIGHT * (lane as f64 + 0.5);
        self.nodes.push(Node {
            id: id.to_string(),
            name: name.to_string(),
            kind,
            lane,
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
            attached: None,
        });
    }

    fn get(&self, id: &str) -> &Node {
        self.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("layout refers to an unknown node {id}"))
    }

    /// A flow from `a` to `b` routed by `route` (see [`Route`]).
    fn flow(&mut self, id: &str, a: &str, b: &str, name: &str, condition: Option<String>) {
        self.route(id, a, b, name, condition, Route::Late);
    }

    fn route(
        &mut self,
        id: &str,
        a: &str,
        b: &str,
        name: &str,
        condition: Option<String>,
        route: Route,
    ) {
        let (s, t) = (self.get(a), self.get(b));
        let (sc, tc) = (s.center(), t.center());
        let forward = tc.0 > sc.0 + 1.0;
        let waypoints = if forward && (sc.1 - tc.1).abs() < 0.5 && route != Route::Under {
            vec![(s.x + s.w, sc.1), (t.x, tc.1)]
        } else if (tc.0 - sc.0).abs() <= 1.0 {
            // Straight down or up to a node in the same column.
            if tc.1 > sc.1 {
                vec![(sc.0, s.y + s.h), (tc.0, t.y)]
            } else {
                vec![(sc.0, s.y), (tc.0, t.y + t.h)]
            }
        } else if forward && route != Route::Under {
            // One vertical leg: just after the source, or just before the
            // target, whichever column is clear.
            let x = match route {
                Route::Early => s.x + s.w + 20.0,
                _ => t.x - 20.0,
            };
            vec![(s.x + s.w, sc.1), (x, sc.1), (x, tc.1), (t.x, tc.1)]
        } else {
            // Under: down to the bottom of the source's lane, across, then
            // into the target from above or below.
            let below = POOL_Y + LANE_HEIGHT * (s.lane as f64 + 1.0) - 12.0;
            let end_y = if tc.1 > below { t.y } else { t.y + t.h };
            vec![
                (sc.0, s.y + s.h),
                (sc.0, below),
                (tc.0, below),
                (tc.0, end_y),
            ]
        };
        self.flows.push(Edge {
            id: id.to_string(),
            source: a.to_string(),
            target: b.to_string(),
            name: name.to_string(),
            condition,
            waypoints,
        });
    }
}

/// How a flow between lanes or past other shapes is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Turn into the target's lane just after the source.
    Early,
    /// Turn just before the target.
    Late,
    /// Along the bottom of the source's lane (loops back, or past shapes).
    Under,
}

/// The layout of `sc`'s swimlane.
pub fn layout(sc: &Scenario) -> Layout {
    let mut b = Builder {
        nodes: Vec::new(),
        flows: Vec::new(),
    };
    let (lookup, enrich, score, draft) = (
        lane_of(sc.lookup.lane),
        lane_of(sc.enrichment.lane),
        lane_of(sc.scoring.lane),
        lane_of(sc.drafting.lane),
    );
    let gate = &sc.gate;
    let below = num(gate.nurture_below);
    let reviewed = sc.drafting.lane == Lane::Agent;
    let autosend = gate.autosend_at_or_above.filter(|_| reviewed);

    b.node("start", "Lead arrives", Kind::Start, lookup, 0);
    b.node("task_lookup", "Lookup", Kind::Task, lookup, 1);
    b.node(
        "task_enrichment",
        "Enrichment (provider waterfall)",
        Kind::Task,
        enrich,
        2,
    );
    b.node("gw_found", "Contact found?", Kind::Gateway, enrich, 3);
    b.node("end_unreachable", "Unreachable", Kind::End, 2, 3);
    b.node("task_scoring", "Scoring", Kind::Task, score, 4);
    b.node("gw_gate_join", "To the gate", Kind::Gateway, score, 5);
    b.node("gw_gate", "Gate", Kind::Gateway, score, 6);
    b.node("gw_nurture_join", "To nurture", Kind::Gateway, 2, 7);
    b.node("task_nurture", "Nurture sequence", Kind::Task, 2, 8);
    b.node("gw_engaged", "Engaged?", Kind::Gateway, 2, 9);
    b.node("end_dormant", "Dormant", Kind::End, 2, 10);
    b.node("task_drafting", "Drafting", Kind::Task, draft, 7);
    b.node("gw_send_join", "To the email system", Kind::Gateway, 2, 13);
    b.node("task_send", "Send email (irreversible)", Kind::Task, 2, 14);
    b.node("gw_reply", "Reply?", Kind::Gateway, 2, 15);
    b.node("end_sent", "Sent", Kind::End, 2, 16);
    b.node("task_conversation", "Conversation", Kind::Task, 1, 16);
    b.node("end_conversation", "Conversation held", Kind::End, 1, 17);

    b.flow("flow_start_lookup", "start", "task_lookup", "", None);
    b.flow(
        "flow_lookup_enrichment",
        "task_lookup",
        "task_enrichment",
        "",
        None,
    );
    b.flow(
        "flow_enrichment_found",
        "task_enrichment",
        "gw_found",
        "",
        None,
    );
    b.flow(
        "flow_found_unreachable",
        "gw_found",
        "end_unreachable",
        "no provider matched",
        Some("no provider matched".into()),
    );
    b.flow(
        "flow_found_scoring",
        "gw_found",
        "task_scoring",
        "contact found",
        Some("contact found".into()),
    );
    b.flow(
        "flow_scoring_gate",
        "task_scoring",
        "gw_gate_join",
        "",
        None,
    );
    b.flow("flow_gate_join_gate", "gw_gate_join", "gw_gate", "", None);
    b.route(
        "flow_gate_nurture",
        "gw_gate",
        "gw_nurture_join",
        &format!("score < {below}"),
        Some(format!("score < {below}")),
        Route::Early,
    );
    b.flow(
        "flow_gate_outreach",
        "gw_gate",
        "task_drafting",
        &format!("score >= {below}"),
        Some(format!("score >= {below}")),
    );
    b.flow(
        "flow_nurture_join_nurture",
        "gw_nurture_join",
        "task_nurture",
        "",
        None,
    );
    b.flow(
        "flow_nurture_touches",
        "task_nurture",
        "gw_engaged",
        &format!(
            "{} touches, every {}",
            sc.nurture.touches,
            format_duration(sc.nurture.interval)
        ),
        None,
    );
    b.flow(
        "flow_engaged_reentry",
        "gw_engaged",
        "gw_gate_join",
        &format!(
            "engaged, re-entries < {}: score + {}",
            sc.nurture.max_reentries,
            num(sc.nurture.rescore_boost)
        ),
        Some(format!(
            "engaged and reentries < {}",
            sc.nurture.max_reentries
        )),
    );
    b.flow(
        "flow_engaged_dormant",
        "gw_engaged",
        "end_dormant",
        "no re-entry after the last touch",
        Some("not engaged after the last touch".into()),
    );

    if reviewed {
        b.node(
            "task_review",
            "Review: approve, edit or discard",
            Kind::Task,
            1,
            9,
        );
        b.node("gw_review", "Review outcome", Kind::Gateway, 1, 10);
        b.node("task_edit", "Edit", Kind::Task, 1, 11);
        b.node("end_discarded", "Discarded", Kind::End, 1, 12);
        let review = &sc.review;
        let reject = num(review.reject_fit_below);
        if let Some(at) = autosend {
            let at = num(at);
            b.node(
                "gw_autosend",
                "Confident enough to send?",
                Kind::Gateway,
                draft,
                8,
            );
            b.flow(
                "flow_drafting_autosend",
                "task_drafting",
                "gw_autosend",
                "",
                None,
            );
            b.flow(
                "flow_autosend_send",
                "gw_autosend",
                "gw_send_join",
                &format!("score >= {at}: sent autonomously"),
                Some(format!("score >= {at}")),
            );
            b.flow(
                "flow_autosend_review",
                "gw_autosend",
                "task_review",
                &format!("score < {at}"),
                Some(format!("score < {at}")),
            );
        } else {
            b.flow(
                "flow_drafting_review",
                "task_drafting",
                "task_review",
                "draft to a rep",
                None,
            );
        }
        b.flow("flow_review_outcome", "task_review", "gw_review", "", None);
        b.route(
            "flow_review_discard",
            "gw_review",
            "end_discarded",
            &format!("discard: perceived fit < {reject}"),
            Some(format!("perceived fit < {reject}")),
            Route::Under,
        );
        b.flow(
            "flow_review_edit",
            "gw_review",
            "task_edit",
            &format!("edit ({}%)", num(review.edit_probability * 100.0)),
            Some(format!("perceived fit >= {reject} and edited")),
        );
        b.route(
            "flow_review_approve",
            "gw_review",
            "gw_send_join",
            "approve",
            Some(format!("perceived fit >= {reject} and not edited")),
            Route::Early,
        );
        b.route(
            "flow_edit_send",
            "task_edit",
            "gw_send_join",
            "",
            None,
            Route::Early,
        );
        // The review deadline, a timer on the review.
        let expiry = format_duration(review.expire_after);
        let task = b.get("task_review").clone();
        b.nodes.push(Node {
            id: "timer_expiry".into(),
            name: format!("not reviewed within {expiry}"),
            kind: Kind::Timer,
            lane: 1,
            x: task.x + task.w - 30.0,
            y: task.y + task.h - 18.0,
            w: 36.0,
            h: 36.0,
            attached: Some(("task_review".into(), expiry)),
        });
        match review.on_expire {
            OnExpire::Nurture => {
                b.flow(
                    "flow_expiry_nurture",
                    "timer_expiry",
                    "gw_nurture_join",
                    "expired: to nurture",
                    None,
                );
            }
            OnExpire::Drop => {
                b.node("end_expired", "Expired (dropped)", Kind::End, 2, 11);
                b.flow(
                    "flow_expiry_drop",
                    "timer_expiry",
                    "end_expired",
                    "expired: dropped",
                    None,
                );
            }
        }
    } else {
        b.flow(
            "flow_drafting_send",
            "task_drafting",
            "gw_send_join",
            "a rep's own draft",
            None,
        );
    }
    b.flow("flow_send_join_send", "gw_send_join", "task_send", "", None);
    b.flow("flow_send_reply", "task_send", "gw_reply", "", None);
    b.flow(
        "flow_reply_conversation",
        "gw_reply",
        "task_conversation",
        "positive reply",
        Some("positive reply".into()),
    );
    b.flow(
        "flow_reply_none",
        "gw_reply",
        "end_sent",
        "bounce, no reply or a negative one",
        Some("no positive reply".into()),
    );
    b.flow(
        "flow_conversation_end",
        "task_conversation",
        "end_conversation",
        &format!(
            "meeting booked ({}%)",
            num(sc.conversations.meeting_rate * 100.0)
        ),
        None,
    );

    let columns = 18.0;
    let pool_w = BAND * 2.0 + COLUMN * columns;
    let pool = (POOL_X, POOL_Y, pool_w, LANE_HEIGHT * 3.0);
    let providers = (
        POOL_X,
        POOL_Y + LANE_HEIGHT * 3.0 + POOL_GAP,
        pool_w,
        PROVIDERS_HEIGHT,
    );
    let names: Vec<String> = sc
        .enrichment
        .providers
        .iter()
        .map(|p| format!("{} (match {}%)", p.name, num(p.match_rate * 100.0)))
        .collect();
    let enrichment = b.get("task_enrichment").clone();
    let (ex, _) = enrichment.center();
    let pool_top = providers.1;
    let enrichment_bottom = enrichment.y + enrichment.h;
    let messages = vec![
        Edge {
            id: "message_provider_call".into(),
            source: "task_enrichment".into(),
            target: PROVIDERS_POOL.into(),
            name: "call".into(),
            condition: None,
            waypoints: vec![(ex - 20.0, enrichment_bottom), (ex - 20.0, pool_top)],
        },
        Edge {
            id: "message_provider_answer".into(),
            source: PROVIDERS_POOL.into(),
            target: "task_enrichment".into(),
            name: "match, miss or error".into(),
            condition: None,
            waypoints: vec![(ex + 20.0, pool_top), (ex + 20.0, enrichment_bottom)],
        },
    ];
    Layout {
        name: sc.name.clone(),
        lanes: ["agent", "human", "system"],
        pool,
        providers,
        providers_name: format!("External data providers: {}", names.join(", then ")),
        nodes: b.nodes,
        flows: b.flows,
        messages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_test_base, Override};

    fn set(path: &str, value: &str) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
        }
    }

    fn overlaps(a: &Node, b: &Node) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn no_two_shapes_overlap_and_every_flow_joins_known_nodes() {
        for overrides in [
            vec![],
            vec![set("gate.autosend_at_or_above", "0.85")],
            vec![
                set("lookup.lane", "\"human\""),
                set("enrichment.lane", "\"human\""),
                set("scoring.lane", "\"human\""),
                set("drafting.lane", "\"human\""),
            ],
            vec![set("review.on_expire", "\"drop\"")],
        ] {
            let sc = load_test_base(&overrides).unwrap().scenario;
            let l = layout(&sc);
            for (i, a) in l.nodes.iter().enumerate() {
                for b in &l.nodes[i + 1..] {
                    // A timer sits on its task's border by design.
                    let attached = a.attached.as_ref().is_some_and(|(t, _)| *t == b.id)
                        || b.attached.as_ref().is_some_and(|(t, _)| *t == a.id);
                    assert!(attached || !overlaps(a, b), "{} overlaps {}", a.id, b.id);
                }
            }
            let ids: Vec<&str> = l.nodes.iter().map(|n| n.id.as_str()).collect();
            for f in &l.flows {
                assert!(ids.contains(&f.source.as_str()), "{}", f.id);
                assert!(ids.contains(&f.target.as_str()), "{}", f.id);
                assert!(f.waypoints.len() >= 2, "{}", f.id);
            }
        }
    }

    #[test]
    fn stages_sit_in_their_lanes_and_variants_change_the_shape() {
        let sc = load_test_base(&[]).unwrap().scenario;
        let l = layout(&sc);
        let lane = |l: &Layout, id: &str| l.nodes.iter().find(|n| n.id == id).map(|n| n.lane);
        assert_eq!(lane(&l, "task_drafting"), Some(0));
        assert_eq!(lane(&l, "task_review"), Some(1));
        assert_eq!(lane(&l, "task_send"), Some(2));
        assert_eq!(lane(&l, "gw_autosend"), None);
        let gate = l
            .flows
            .iter()
            .find(|f| f.id == "flow_gate_nurture")
            .unwrap();
        assert_eq!(gate.condition.as_deref(), Some("score < 0.45"));
        let sdr = layout(
            &load_test_base(&[set("gate.autosend_at_or_above", "0.85")])
                .unwrap()
                .scenario,
        );
        let auto = sdr
            .flows
            .iter()
            .find(|f| f.id == "flow_autosend_send")
            .unwrap();
        assert_eq!(auto.condition.as_deref(), Some("score >= 0.85"));
        let manual = layout(
            &load_test_base(&[
                set("scoring.lane", "\"human\""),
                set("drafting.lane", "\"human\""),
            ])
            .unwrap()
            .scenario,
        );
        assert_eq!(lane(&manual, "task_scoring"), Some(1));
        assert_eq!(
            lane(&manual, "task_review"),
            None,
            "a rep's own draft is not reviewed"
        );
    }
}
