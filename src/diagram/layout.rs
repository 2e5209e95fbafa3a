//! The swimlane's layout: nodes on a grid of columns and lanes (so no two
//! shapes overlap), flows routed orthogonally around every other shape, and
//! labels placed where they touch no shape, flow or other label.
//!
//! The drawing is compact enough to read at a page's width (about 1050 px
//! shown for a drawing about 1500 units wide, so 16-unit text is 11 px
//! high): narrow columns for gateways and events, wide ones for tasks, and
//! lanes of two rows, so that an end event sits under its gateway instead of
//! taking a column of its own.

use crate::scenario::{Lane, OnExpire, Scenario};
use crate::units::format_duration;

/// The font size of every label (tasks, gateways, events, flows).
pub const FONT: f64 = 16.0;
/// The font size of a flow's volume (bold).
pub const VOLUME_FONT: f64 = 16.0;
/// The font size of lane and pool names (bold).
pub const LANE_FONT: f64 = 18.0;
/// Line height as a multiple of the font size.
pub const LINE: f64 = 1.2;
/// The width of a character as a share of the font size, as the layout
/// reserves room for text (DejaVu Sans averages a little under 0.6).
pub const CHAR_WIDTH: f64 = 0.6;

/// Widths of a task column, a gateway column and an event column.
const TASK_COLUMN: f64 = 126.0;
const GATEWAY_COLUMN: f64 = 54.0;
/// The review outcome's column.
const REVIEW_OUTCOME_COLUMN: f64 = 100.0;
const EVENT_COLUMN: f64 = 74.0;
/// The start event's column, wide enough for its name under it.
const START_COLUMN: f64 = 64.0;
/// Height of a lane, and the centres of its two rows from its top.
const LANE_HEIGHT: f64 = 220.0;
const ROW: [f64; 2] = [96.0, 176.0];
/// Left edge of the pool, and the width of its name band and lane bands.
const POOL_X: f64 = 10.0;
/// Width of the pool's name band and of a lane's name band.
pub const BAND: f64 = 26.0;
/// Top of the pipeline pool.
const POOL_Y: f64 = 10.0;
/// Gap between the pipeline pool and the providers' pool, and its height.
const POOL_GAP: f64 = 26.0;
const PROVIDERS_HEIGHT: f64 = 56.0;
/// Room left around a shape that flows keep off.
const CLEARANCE: f64 = 6.0;

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

/// A block of text: lines centred on `cx`, the first line's top at `top`.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Horizontal centre.
    pub cx: f64,
    /// Top of the first line.
    pub top: f64,
    /// Font size.
    pub size: f64,
    /// The lines, top to bottom.
    pub lines: Vec<String>,
}

impl Label {
    /// The label's box (x, y, w, h) when a character is `char_width` times
    /// the font size wide.
    pub fn bounds(&self, char_width: f64) -> (f64, f64, f64, f64) {
        let chars = self
            .lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        let w = chars as f64 * self.size * char_width;
        let h = self.lines.len() as f64 * self.size * LINE;
        (self.cx - w / 2.0, self.top, w, h)
    }

    /// The baseline of line `i` (text sits on it; its top is about 0.8 of
    /// the size above).
    pub fn baseline(&self, i: usize) -> f64 {
        self.top + self.size * (LINE * i as f64 + 0.9)
    }
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
    /// Where its name is written: inside a task, beside other shapes.
    pub label: Label,
}

impl Node {
    /// Its centre.
    pub fn center(&self) -> (f64, f64) {
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
    /// Where its name is written, with room for a volume on a last line
    /// (`None` for message flows, which carry no volume).
    pub label: Option<Label>,
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

impl Layout {
    /// The drawing's width and height.
    pub fn size(&self) -> (f64, f64) {
        (
            self.pool.0 + self.pool.2 + POOL_X,
            self.providers.1 + self.providers.3 + POOL_Y,
        )
    }
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

/// Splits a label into lines of at most `width` characters (a longer word
/// keeps a line of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The kind of each column, left to right: what sets its width.
const COLUMNS: [Kind; 15] = [
    Kind::Start,   // 0 start
    Kind::Task,    // 1 lookup
    Kind::Task,    // 2 enrichment
    Kind::Gateway, // 3 contact found?; unreachable
    Kind::Task,    // 4 scoring
    Kind::Gateway, // 5 to the gate
    Kind::Gateway, // 6 gate; to nurture
    Kind::Task,    // 7 drafting; nurture sequence
    Kind::Task,    // 8 autosend?; review; engaged?, dormant under it
    Kind::Gateway, // 9 review outcome, discarded under it; expired (dropped)
    Kind::Task,    // 10 edit; to the email system
    Kind::Task,    // 11 send
    Kind::Task,    // 12 conversation; reply?, sent under it
    Kind::Gateway, // 13 meeting?, no meeting under it
    Kind::End,     // 14 meeting booked
];

/// The width of column `c`: by what it holds, the review's outcome wider
/// for the labels of its three flows.
fn column_width(c: usize) -> f64 {
    match (c, COLUMNS[c]) {
        (9, _) => REVIEW_OUTCOME_COLUMN,
        (_, Kind::Task) => TASK_COLUMN,
        (_, Kind::Gateway | Kind::Timer) => GATEWAY_COLUMN,
        (_, Kind::Start) => START_COLUMN,
        (_, Kind::End) => EVENT_COLUMN,
    }
}

/// Left edge of column `c`.
fn column_x(c: usize) -> f64 {
    POOL_X + BAND * 2.0 + (0..c).map(column_width).sum::<f64>()
}

fn lane_top(lane: usize) -> f64 {
    POOL_Y + LANE_HEIGHT * lane as f64
}

/// An axis-aligned box (x, y, w, h).
type Rect = (f64, f64, f64, f64);

fn inflate(r: Rect, by: f64) -> Rect {
    (r.0 - by, r.1 - by, r.2 + 2.0 * by, r.3 + 2.0 * by)
}

fn overlap_area(a: Rect, b: Rect) -> f64 {
    let w = (a.0 + a.2).min(b.0 + b.2) - a.0.max(b.0);
    let h = (a.1 + a.3).min(b.1 + b.3) - a.1.max(b.1);
    w.max(0.0) * h.max(0.0)
}

fn boxes_overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

/// True when the axis-aligned segment `a`-`b` passes through the inside of `r`.
pub fn segment_hits(a: (f64, f64), b: (f64, f64), r: Rect) -> bool {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    x0 < r.0 + r.2 && x1 > r.0 && y0 < r.1 + r.3 && y1 > r.1
}

/// A routed path with its cost and the sides it leaves and enters by.
type Candidate = (f64, Vec<(f64, f64)>, Side, Side);

/// A side of a shape where a flow leaves or enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Right,
    Left,
    Top,
    Bottom,
}

impl Side {
    const ALL: [Side; 4] = [Side::Right, Side::Left, Side::Top, Side::Bottom];

    fn outward(self) -> (f64, f64) {
        match self {
            Side::Right => (1.0, 0.0),
            Side::Left => (-1.0, 0.0),
            Side::Top => (0.0, -1.0),
            Side::Bottom => (0.0, 1.0),
        }
    }
}

fn port(n: &Node, side: Side) -> (f64, f64) {
    let (cx, cy) = n.center();
    match side {
        Side::Right => (n.x + n.w, cy),
        Side::Left => (n.x, cy),
        Side::Top => (cx, n.y),
        Side::Bottom => (cx, n.y + n.h),
    }
}

/// Removes repeated and collinear middle points.
fn simplify(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for p in points {
        if out
            .last()
            .is_some_and(|q| (q.0 - p.0).abs() < 1e-9 && (q.1 - p.1).abs() < 1e-9)
        {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let collinear = ((a.0 - b.0).abs() < 1e-9 && (b.0 - p.0).abs() < 1e-9)
                || ((a.1 - b.1).abs() < 1e-9 && (b.1 - p.1).abs() < 1e-9);
            if collinear {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Length of the part of two axis-aligned segments that lies on one line.
fn shared_length(a: ((f64, f64), (f64, f64)), b: ((f64, f64), (f64, f64))) -> f64 {
    let near = |u: f64, v: f64| (u - v).abs() < 4.0;
    let horizontal = |s: ((f64, f64), (f64, f64))| (s.0 .1 - s.1 .1).abs() < 1e-9;
    let vertical = |s: ((f64, f64), (f64, f64))| (s.0 .0 - s.1 .0).abs() < 1e-9;
    let overlap = |a0: f64, a1: f64, b0: f64, b1: f64| {
        (a0.max(a1).min(b0.max(b1)) - a0.min(a1).max(b0.min(b1))).max(0.0)
    };
    if horizontal(a) && horizontal(b) && near(a.0 .1, b.0 .1) {
        overlap(a.0 .0, a.1 .0, b.0 .0, b.1 .0)
    } else if vertical(a) && vertical(b) && near(a.0 .0, b.0 .0) {
        overlap(a.0 .1, a.1 .1, b.0 .1, b.1 .1)
    } else {
        0.0
    }
}

/// True when two axis-aligned segments cross at right angles.
fn crosses(a: ((f64, f64), (f64, f64)), b: ((f64, f64), (f64, f64))) -> bool {
    let h = |s: ((f64, f64), (f64, f64))| (s.0 .1 - s.1 .1).abs() < 1e-9;
    let (h_seg, v_seg) = if h(a) && !h(b) {
        (a, b)
    } else if h(b) && !h(a) {
        (b, a)
    } else {
        return false;
    };
    let y = h_seg.0 .1;
    let x = v_seg.0 .0;
    let within = |v: f64, p: f64, q: f64| v > p.min(q) && v < p.max(q);
    within(x, h_seg.0 .0, h_seg.1 .0) && within(y, v_seg.0 .1, v_seg.1 .1)
}

fn segments(points: &[(f64, f64)]) -> Vec<((f64, f64), (f64, f64))> {
    points.windows(2).map(|w| (w[0], w[1])).collect()
}

struct Builder {
    nodes: Vec<Node>,
    flows: Vec<Edge>,
    /// Sides already used, by node id.
    used: Vec<(String, Side)>,
    /// The pool's right edge, for the router's channels.
    right: f64,
}

impl Builder {
    fn node(&mut self, id: &str, name: &str, kind: Kind, lane: usize, column: usize, row: usize) {
        let (w, h) = match kind {
            Kind::Task => (114.0, 84.0),
            Kind::Gateway => (44.0, 44.0),
            Kind::Start | Kind::End | Kind::Timer => (32.0, 32.0),
        };
        let cx = column_x(column) + column_width(column) / 2.0;
        let cy = lane_top(lane) + ROW[row];
        let lines = match kind {
            Kind::Task => wrap(name, ((w - 8.0) / (FONT * CHAR_WIDTH)) as usize),
            // A merge is unnamed in the drawing (BPMN keeps its name).
            // So is the review's outcome, whose flows say what they are.
            Kind::Gateway if id.ends_with("_join") || id == "gw_review" => Vec::new(),
            _ => wrap(name, 9),
        };
        let top = cy - lines.len() as f64 * FONT * LINE / 2.0;
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
            label: Label {
                cx,
                top,
                size: FONT,
                lines,
            },
        });
    }

    fn get(&self, id: &str) -> &Node {
        self.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("layout refers to an unknown node {id}"))
    }

    fn flow(&mut self, id: &str, a: &str, b: &str, name: &str, condition: Option<String>) {
        self.flows.push(Edge {
            id: id.to_string(),
            source: a.to_string(),
            target: b.to_string(),
            name: name.to_string(),
            condition,
            waypoints: Vec::new(),
            label: None,
        });
    }

    /// Sides a flow may use at `n`: a timer only below its task; an event
    /// or task anywhere; a gateway anywhere.
    fn sides(n: &Node) -> &'static [Side] {
        match n.kind {
            Kind::Timer => &[Side::Bottom],
            _ => &Side::ALL,
        }
    }

    /// Routes every flow in order, each around every shape and, where it
    /// can, off the flows already routed.
    fn route_all(&mut self) {
        let columns: Vec<f64> = (0..=COLUMNS.len()).map(column_x).collect();
        let mut ys: Vec<f64> = Vec::new();
        for lane in 0..3 {
            let top = lane_top(lane);
            for dy in [
                14.0,
                28.0,
                ROW[0],
                ROW[1],
                LANE_HEIGHT - 12.0,
                LANE_HEIGHT - 26.0,
            ] {
                ys.push(top + dy);
            }
            ys.push(top + (ROW[0] + ROW[1]) / 2.0 + 6.0);
        }
        for i in 0..self.flows.len() {
            let (s, t) = (
                self.get(&self.flows[i].source).clone(),
                self.get(&self.flows[i].target).clone(),
            );
            let routed: Vec<Vec<(f64, f64)>> = self.flows[..i]
                .iter()
                .map(|f| f.waypoints.clone())
                .collect();
            let obstacles: Vec<Rect> = self
                .nodes
                .iter()
                .filter(|n| n.id != s.id && n.id != t.id)
                .map(|n| inflate((n.x, n.y, n.w, n.h), CLEARANCE))
                .collect();
            let own: Vec<Rect> = [&s, &t]
                .iter()
                .map(|n| inflate((n.x, n.y, n.w, n.h), -1.0))
                .collect();
            let mut xs = columns.clone();
            xs.push(s.center().0);
            xs.push(t.center().0);
            let mut best: Option<Candidate> = None;
            for &es in Self::sides(&s) {
                for &et in Self::sides(&t) {
                    let p0 = port(&s, es);
                    let d = es.outward();
                    let p1 = (p0.0 + d.0 * 14.0, p0.1 + d.1 * 14.0);
                    let q0 = port(&t, et);
                    let e = et.outward();
                    let q1 = (q0.0 + e.0 * 14.0, q0.1 + e.1 * 14.0);
                    let mut middles: Vec<Vec<(f64, f64)>> =
                        vec![vec![], vec![(q1.0, p1.1)], vec![(p1.0, q1.1)]];
                    for &x in &xs {
                        middles.push(vec![(x, p1.1), (x, q1.1)]);
                    }
                    for &y in &ys {
                        middles.push(vec![(p1.0, y), (q1.0, y)]);
                    }
                    for &x in &xs {
                        for &y in &ys {
                            middles.push(vec![(p1.0, y), (x, y), (x, q1.1)]);
                            middles.push(vec![(x, p1.1), (x, y), (q1.0, y)]);
                        }
                    }
                    for mid in middles {
                        let mut pts = vec![p0, p1];
                        pts.extend(mid);
                        pts.push(q1);
                        pts.push(q0);
                        // Orthogonal only.
                        if pts.windows(2).any(|w| {
                            (w[0].0 - w[1].0).abs() > 1e-9 && (w[0].1 - w[1].1).abs() > 1e-9
                        }) {
                            continue;
                        }
                        let pts = simplify(pts);
                        let segs = segments(&pts);
                        let blocked = segs.iter().any(|(a, b)| {
                            obstacles.iter().any(|r| segment_hits(*a, *b, *r))
                                || a.0 < POOL_X + BAND * 2.0
                                || b.0 < POOL_X + BAND * 2.0
                                || a.0 > self.right
                                || b.0 > self.right
                        }) || segs.iter().enumerate().any(|(k, (a, b))| {
                            // Only the first and last stubs touch the ends.
                            k > 0
                                && k + 1 < segs.len()
                                && own.iter().any(|r| segment_hits(*a, *b, *r))
                        });
                        if blocked {
                            continue;
                        }
                        // A flow doubling back over itself is never wanted.
                        let back = segs.windows(2).any(|w| {
                            let (u, v) = (w[0], w[1]);
                            let du = (u.1 .0 - u.0 .0, u.1 .1 - u.0 .1);
                            let dv = (v.1 .0 - v.0 .0, v.1 .1 - v.0 .1);
                            du.0 * dv.0 + du.1 * dv.1 < 0.0
                        });
                        if back {
                            continue;
                        }
                        let length: f64 = segs
                            .iter()
                            .map(|(a, b)| (a.0 - b.0).abs() + (a.1 - b.1).abs())
                            .sum();
                        let bends = segs.len().saturating_sub(1) as f64;
                        let mut cost = length + 40.0 * bends;
                        for other in &routed {
                            for o in segments(other) {
                                for seg in &segs {
                                    cost += 8.0 * shared_length(*seg, o);
                                    if crosses(*seg, o) {
                                        cost += 60.0;
                                    }
                                }
                            }
                        }
                        if self
                            .used
                            .iter()
                            .any(|(id, side)| *id == s.id && *side == es)
                        {
                            cost += 400.0;
                        }
                        if self
                            .used
                            .iter()
                            .any(|(id, side)| *id == t.id && *side == et)
                        {
                            cost += 400.0;
                        }
                        if best.as_ref().is_none_or(|(c, ..)| cost < *c) {
                            best = Some((cost, pts, es, et));
                        }
                    }
                }
            }
            let (_, pts, es, et) = best.unwrap_or_else(|| {
                (
                    0.0,
                    vec![port(&s, Side::Right), port(&t, Side::Left)],
                    Side::Right,
                    Side::Left,
                )
            });
            self.used.push((s.id.clone(), es));
            self.used.push((t.id.clone(), et));
            self.flows[i].waypoints = pts;
        }
    }

    /// Places the names of gateways and events, then every flow's label
    /// (its name and a line for its volume), each where it touches no
    /// shape, no flow and no label placed before it.
    fn place_labels(&mut self, messages: &[Edge], pool: Rect) {
        let shapes: Vec<Rect> = self
            .nodes
            .iter()
            .map(|n| inflate((n.x, n.y, n.w, n.h), 2.0))
            .collect();
        let mut segs: Vec<((f64, f64), (f64, f64))> = Vec::new();
        for f in self.flows.iter().chain(messages) {
            segs.extend(segments(&f.waypoints));
        }
        let mut placed: Vec<Rect> = Vec::new();
        // Task labels sit inside their boxes.
        let inside = |r: Rect| {
            r.0 >= pool.0 + BAND * 2.0
                && r.1 >= pool.1
                && r.0 + r.2 <= pool.0 + pool.2
                && r.1 + r.3 <= pool.1 + pool.3
        };
        let fits = |r: Rect, placed: &[Rect], own: Option<usize>| {
            inside(r)
                && !placed.iter().any(|p| boxes_overlap(*p, r))
                && !shapes
                    .iter()
                    .enumerate()
                    .any(|(k, s)| Some(k) != own && boxes_overlap(*s, r))
                && !segs.iter().any(|(a, b)| segment_hits(*a, *b, r))
        };
        for k in 0..self.nodes.len() {
            let n = &self.nodes[k];
            if n.kind == Kind::Task || n.label.lines.is_empty() {
                continue;
            }
            let (cx, cy) = n.center();
            let lines = n.label.lines.clone();
            let w = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64
                * FONT
                * CHAR_WIDTH;
            let h = lines.len() as f64 * FONT * LINE;
            let mut candidates = Vec::new();
            for gap in [3.0, 12.0, 21.0, 30.0, 40.0] {
                candidates.extend([
                    (cx, n.y - gap - h),
                    (cx, n.y + n.h + gap),
                    (n.x - gap - w / 2.0, n.y - gap - h + 8.0),
                    (n.x + n.w + gap + w / 2.0, n.y - gap - h + 8.0),
                    (n.x + n.w + gap + w / 2.0, cy - h / 2.0),
                    (n.x - gap - w / 2.0, cy - h / 2.0),
                    (n.x - gap - w / 2.0, n.y + n.h - 8.0),
                    (n.x + n.w + gap + w / 2.0, n.y + n.h - 8.0),
                    (n.x + n.w + gap + w / 2.0, n.y + n.h + gap),
                    (n.x - gap - w / 2.0, n.y + n.h + gap),
                ]);
            }
            let choice = candidates
                .iter()
                .copied()
                .find(|(x, y)| fits((x - w / 2.0, *y, w, h), &placed, Some(k)))
                .or_else(|| {
                    // Else off shapes and labels even if on a flow.
                    candidates.iter().copied().find(|(x, y)| {
                        let r = (x - w / 2.0, *y, w, h);
                        inside(r)
                            && !placed.iter().any(|p| boxes_overlap(*p, r))
                            && !shapes
                                .iter()
                                .enumerate()
                                .any(|(j, s)| j != k && boxes_overlap(*s, r))
                    })
                })
                .unwrap_or(candidates[0]);
            placed.push((choice.0 - w / 2.0, choice.1, w, h));
            self.nodes[k].label.cx = choice.0;
            self.nodes[k].label.top = choice.1;
        }
        for n in &self.nodes {
            if n.kind == Kind::Task {
                placed.push(n.label.bounds(CHAR_WIDTH));
            }
        }
        for i in 0..self.flows.len() {
            let f = &self.flows[i];
            let mut lines = wrap(&f.name, 15);
            // The last line holds the volume (`1234 /wk`) when there is one.
            lines.push(String::new());
            let chars = lines
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0)
                .max(9);
            let w = chars as f64 * FONT * CHAR_WIDTH;
            let h = lines.len() as f64 * FONT * LINE;
            let own = segments(&f.waypoints);
            let mut order: Vec<usize> = (0..own.len()).collect();
            let len =
                |s: &((f64, f64), (f64, f64))| (s.0 .0 - s.1 .0).abs() + (s.0 .1 - s.1 .1).abs();
            order.sort_by(|a, b| len(&own[*b]).total_cmp(&len(&own[*a])));
            let mut candidates: Vec<(f64, f64)> = Vec::new();
            for &k in &order {
                let (a, b) = own[k];
                for step in 0..12 {
                    let off = step as f64 * FONT * LINE / 2.0;
                    for frac in [0.5, 0.3, 0.7, 0.1, 0.9, 0.2, 0.4, 0.6, 0.8] {
                        let m = (a.0 + (b.0 - a.0) * frac, a.1 + (b.1 - a.1) * frac);
                        if (a.1 - b.1).abs() < 1e-9 {
                            candidates.push((m.0, m.1 - 3.0 - h - off));
                            candidates.push((m.0, m.1 + 3.0 + off));
                        } else {
                            candidates.push((m.0 + 4.0 + w / 2.0 + off, m.1 - h / 2.0));
                            candidates.push((m.0 - 4.0 - w / 2.0 - off, m.1 - h / 2.0));
                        }
                    }
                }
            }
            // Beside either end, stepping down or up.
            let mut ends = Vec::new();
            if let (Some(first), Some(last)) = (f.waypoints.first(), f.waypoints.last()) {
                ends.push(*first);
                ends.push(*last);
            }
            for step in [0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0] {
                for e in &ends {
                    let y = e.1 - h / 2.0 + step * FONT * LINE;
                    candidates.push((e.0 + 22.0 + w / 2.0, y));
                    candidates.push((e.0 - 22.0 - w / 2.0, y));
                }
            }
            // Last, anywhere near the middle of a segment.
            for &k in &order {
                let (a, b) = own[k];
                let m = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                for dy in -8..=8 {
                    for dx in -8..=8 {
                        candidates.push((
                            m.0 + dx as f64 * 20.0,
                            m.1 - h / 2.0 + dy as f64 * FONT * LINE / 2.0,
                        ));
                    }
                }
            }
            let choice = candidates
                .iter()
                .copied()
                .find(|(x, y)| fits((x - w / 2.0, *y, w, h), &placed, None))
                .or_else(|| {
                    // Failing that, off shapes and labels even if on a flow,
                    // else where it covers the least.
                    candidates
                        .iter()
                        .copied()
                        .map(|(x, y)| {
                            let r = (x - w / 2.0, y, w, h);
                            let covered: f64 = placed
                                .iter()
                                .chain(&shapes)
                                .map(|p| overlap_area(*p, r))
                                .sum();
                            let outside = if inside(r) { 0.0 } else { 1e6 };
                            (covered + outside, (x, y))
                        })
                        .min_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, at)| at)
                })
                .unwrap_or(candidates[0]);
            placed.push((choice.0 - w / 2.0, choice.1, w, h));
            self.flows[i].label = Some(Label {
                cx: choice.0,
                top: choice.1,
                size: FONT,
                lines,
            });
        }
    }
}

/// The layout of `sc`'s swimlane.
pub fn layout(sc: &Scenario) -> Layout {
    let pool_w = BAND * 2.0 + (0..COLUMNS.len()).map(column_width).sum::<f64>();
    let mut b = Builder {
        nodes: Vec::new(),
        flows: Vec::new(),
        used: Vec::new(),
        right: POOL_X + pool_w,
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

    b.node("start", "Lead arrives", Kind::Start, lookup, 0, 0);
    b.node("task_lookup", "Lookup", Kind::Task, lookup, 1, 0);
    b.node(
        "task_enrichment",
        "Enrichment (provider waterfall)",
        Kind::Task,
        enrich,
        2,
        0,
    );
    b.node("gw_found", "Contact found?", Kind::Gateway, enrich, 3, 0);
    b.node("end_unreachable", "Unreachable", Kind::End, 2, 3, 0);
    b.node("task_scoring", "Scoring", Kind::Task, score, 4, 0);
    b.node("gw_gate_join", "To the gate", Kind::Gateway, score, 5, 0);
    b.node("gw_gate", "Gate", Kind::Gateway, score, 6, 0);
    b.node("gw_nurture_join", "To nurture", Kind::Gateway, 2, 6, 0);
    b.node("task_nurture", "Nurture sequence", Kind::Task, 2, 7, 0);
    b.node("gw_engaged", "Engaged?", Kind::Gateway, 2, 8, 0);
    b.node("end_dormant", "Dormant", Kind::End, 2, 8, 1);
    b.node("task_drafting", "Drafting", Kind::Task, draft, 7, 0);
    b.node(
        "gw_send_join",
        "To the email system",
        Kind::Gateway,
        2,
        10,
        0,
    );
    b.node(
        "task_send",
        "Send email: irreversible",
        Kind::Task,
        2,
        11,
        0,
    );
    b.node("gw_reply", "Reply?", Kind::Gateway, 2, 12, 0);
    b.node("end_sent", "No positive reply", Kind::End, 2, 12, 1);
    b.node("task_conversation", "Conversation", Kind::Task, 1, 12, 0);
    b.node("gw_meeting", "Meeting?", Kind::Gateway, 1, 13, 0);
    b.node("end_meeting", "Meeting booked", Kind::End, 1, 14, 0);
    b.node("end_no_meeting", "No meeting", Kind::End, 1, 13, 1);

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
        "flow_found_scoring",
        "gw_found",
        "task_scoring",
        "",
        Some("contact found".into()),
    );
    b.flow(
        "flow_found_unreachable",
        "gw_found",
        "end_unreachable",
        "no match",
        Some("no provider matched".into()),
    );
    b.flow(
        "flow_scoring_gate",
        "task_scoring",
        "gw_gate_join",
        "",
        None,
    );
    b.flow("flow_gate_join_gate", "gw_gate_join", "gw_gate", "", None);
    b.flow(
        "flow_gate_outreach",
        "gw_gate",
        "task_drafting",
        &format!("score >= {below}"),
        Some(format!("score >= {below}")),
    );
    b.flow(
        "flow_gate_nurture",
        "gw_gate",
        "gw_nurture_join",
        &format!("score < {below}"),
        Some(format!("score < {below}")),
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
        "flow_engaged_dormant",
        "gw_engaged",
        "end_dormant",
        "no re-entry",
        Some("not engaged after the last touch".into()),
    );
    b.flow(
        "flow_engaged_reentry",
        "gw_engaged",
        "gw_gate_join",
        &format!("engaged: score + {}", num(sc.nurture.rescore_boost)),
        Some(format!(
            "engaged and reentries < {}",
            sc.nurture.max_reentries
        )),
    );

    if reviewed {
        b.node(
            "task_review",
            "Review: approve, edit or discard",
            Kind::Task,
            1,
            8,
            0,
        );
        b.node("gw_review", "Review outcome", Kind::Gateway, 1, 9, 0);
        b.node("task_edit", "Edit", Kind::Task, 1, 10, 0);
        b.node("end_discarded", "Discarded", Kind::End, 1, 9, 1);
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
                0,
            );
            b.flow(
                "flow_drafting_autosend",
                "task_drafting",
                "gw_autosend",
                "",
                None,
            );
            b.flow(
                "flow_autosend_review",
                "gw_autosend",
                "task_review",
                &format!("score < {at}"),
                Some(format!("score < {at}")),
            );
            b.flow(
                "flow_autosend_send",
                "gw_autosend",
                "gw_send_join",
                &format!("score >= {at}: sent autonomously"),
                Some(format!("score >= {at}")),
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
        b.flow(
            "flow_review_edit",
            "gw_review",
            "task_edit",
            &format!("edit ({}%)", num(review.edit_probability * 100.0)),
            Some(format!("perceived fit >= {reject} and edited")),
        );
        b.flow(
            "flow_review_discard",
            "gw_review",
            "end_discarded",
            &format!("rep: fit < {reject}"),
            Some(format!("perceived fit < {reject}")),
        );
        b.flow(
            "flow_review_approve",
            "gw_review",
            "gw_send_join",
            "approve",
            Some(format!("perceived fit >= {reject} and not edited")),
        );
        b.flow("flow_edit_send", "task_edit", "gw_send_join", "", None);
        // The review deadline, a timer on the review's lower edge.
        let expiry = format_duration(review.expire_after);
        let task = b.get("task_review").clone();
        let name = format!("not reviewed in {expiry}");
        let timer_name = name.clone();
        // On the lower right corner, clear of the task's own name.
        let (cx, cy) = (task.x + task.w, task.y + task.h);
        b.nodes.push(Node {
            id: "timer_expiry".into(),
            name: timer_name,
            kind: Kind::Timer,
            lane: 1,
            x: cx - 14.0,
            y: cy - 14.0,
            w: 28.0,
            h: 28.0,
            attached: Some(("task_review".into(), expiry)),
            // Its flow says what it means.
            label: Label {
                cx,
                top: cy + 16.0,
                size: FONT,
                lines: Vec::new(),
            },
        });
        match review.on_expire {
            OnExpire::Nurture => {
                b.flow(
                    "flow_expiry_nurture",
                    "timer_expiry",
                    "gw_nurture_join",
                    &format!("{name}: to nurture"),
                    None,
                );
            }
            OnExpire::Drop => {
                b.node("end_expired", "Expired (dropped)", Kind::End, 2, 9, 0);
                b.flow(
                    "flow_expiry_drop",
                    "timer_expiry",
                    "end_expired",
                    &format!("{name}: dropped"),
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
        "",
        Some("no positive reply".into()),
    );
    b.flow(
        "flow_conversation_outcome",
        "task_conversation",
        "gw_meeting",
        "",
        None,
    );
    b.flow(
        "flow_meeting_booked",
        "gw_meeting",
        "end_meeting",
        &format!("{}%", num(sc.conversations.meeting_rate * 100.0)),
        Some("meeting booked".into()),
    );
    b.flow(
        "flow_meeting_none",
        "gw_meeting",
        "end_no_meeting",
        "",
        Some("no meeting".into()),
    );
    b.route_all();

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
            label: None,
        },
        Edge {
            id: "message_provider_answer".into(),
            source: PROVIDERS_POOL.into(),
            target: "task_enrichment".into(),
            name: "match, miss or error".into(),
            condition: None,
            waypoints: vec![(ex + 20.0, pool_top), (ex + 20.0, enrichment_bottom)],
            label: None,
        },
    ];
    b.place_labels(&messages, pool);
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

    /// Every variant the layout draws: each prep stage in the agent or
    /// the human lane (16), with and without autosend, expired drafts to
    /// nurture or dropped.
    fn variants() -> Vec<Vec<Override>> {
        let mut out = Vec::new();
        for lanes in 0..16u32 {
            for autosend in [false, true] {
                for drop in [false, true] {
                    let mut o = Vec::new();
                    for (bit, stage) in ["lookup", "enrichment", "scoring", "drafting"]
                        .iter()
                        .enumerate()
                    {
                        if lanes & (1 << bit) != 0 {
                            o.push(set(&format!("{stage}.lane"), "\"human\""));
                        }
                    }
                    if autosend {
                        o.push(set("gate.autosend_at_or_above", "0.85"));
                    }
                    if drop {
                        o.push(set("review.on_expire", "\"drop\""));
                    }
                    out.push(o);
                }
            }
        }
        out
    }

    /// The text width estimate of the checks: font size x characters x 0.55.
    const CHECK_CHAR_WIDTH: f64 = 0.55;

    #[test]
    fn in_every_variant_flows_keep_off_other_shapes_and_no_labels_overlap() {
        let variants = variants();
        assert_eq!(variants.len(), 64);
        // Every problem of every variant, reported together.
        let mut problems: Vec<String> = Vec::new();
        macro_rules! check {
            ($cond:expr, $($fmt:tt)+) => {
                if !$cond {
                    problems.push(format!($($fmt)+));
                }
            };
        }
        for overrides in variants {
            let sc = load_test_base(&overrides).unwrap().scenario;
            let l = layout(&sc);
            let what = format!("{overrides:?}");
            for (i, a) in l.nodes.iter().enumerate() {
                for b in &l.nodes[i + 1..] {
                    // A timer sits on its task's border by design.
                    let attached = a.attached.as_ref().is_some_and(|(t, _)| *t == b.id)
                        || b.attached.as_ref().is_some_and(|(t, _)| *t == a.id);
                    check!(
                        attached || !overlaps(a, b),
                        "{} overlaps {} in {what}",
                        a.id,
                        b.id
                    );
                }
            }
            let ids: Vec<&str> = l.nodes.iter().map(|n| n.id.as_str()).collect();
            for f in l.flows.iter().chain(&l.messages) {
                if !f.id.starts_with("message") {
                    assert!(ids.contains(&f.source.as_str()), "{}", f.id);
                    assert!(ids.contains(&f.target.as_str()), "{}", f.id);
                }
                assert!(f.waypoints.len() >= 2, "{}", f.id);
                for w in f.waypoints.windows(2) {
                    check!(
                        w[0].0 == w[1].0 || w[0].1 == w[1].1,
                        "{} has a slanted segment in {what}",
                        f.id
                    );
                    for n in &l.nodes {
                        if n.id == f.source || n.id == f.target {
                            continue;
                        }
                        check!(
                            !segment_hits(w[0], w[1], (n.x, n.y, n.w, n.h)),
                            "{} passes through {} in {what}",
                            f.id,
                            n.id
                        );
                    }
                }
            }
            // Every label: names of shapes and flows, with a flow's volume line.
            let mut labels: Vec<(String, (f64, f64, f64, f64))> = Vec::new();
            for n in l.nodes.iter().filter(|n| !n.label.lines.is_empty()) {
                labels.push((n.id.clone(), n.label.bounds(CHECK_CHAR_WIDTH)));
            }
            for f in &l.flows {
                let label = f.label.as_ref().expect("every sequence flow has a label");
                let mut check = label.clone();
                // The volume line as the report writes it.
                let last = check.lines.len() - 1;
                check.lines[last] = "1234 /wk".into();
                labels.push((f.id.clone(), check.bounds(CHECK_CHAR_WIDTH)));
            }
            for (i, (a, ra)) in labels.iter().enumerate() {
                for (b, rb) in &labels[i + 1..] {
                    check!(
                        !boxes_overlap(*ra, *rb),
                        "the labels of {a} and {b} overlap in {what}: {ra:?} {rb:?}"
                    );
                }
                // No label on another shape (a task's own name is inside it).
                for n in &l.nodes {
                    if n.id == *a && n.kind == Kind::Task {
                        continue;
                    }
                    let own = n.id == *a;
                    check!(
                        own || !boxes_overlap(*ra, (n.x, n.y, n.w, n.h)),
                        "the label of {a} lies on {} in {what}",
                        n.id
                    );
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn the_drawing_reads_at_page_width() {
        // Shown 1050 px wide, the smallest text must be about 11 px high.
        let l = layout(&load_test_base(&[]).unwrap().scenario);
        let (w, _) = l.size();
        let smallest = l
            .nodes
            .iter()
            .map(|n| n.label.size)
            .chain(
                l.flows
                    .iter()
                    .filter_map(|f| f.label.as_ref().map(|x| x.size)),
            )
            .fold(f64::INFINITY, f64::min);
        assert!(smallest * 1050.0 / w >= 10.9, "{smallest} in {w}");
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
