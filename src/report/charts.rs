//! The report's charts, pure: plain data in, SVG text and PNG bytes out, at
//! slide size (1600x900), in the embedded font and a colour-blind-safe
//! palette (Okabe-Ito), titled, axes labelled with units from the metric
//! registry.

use plotters::coord::Shift;
use plotters::element::{DashedPathElement, Polygon};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::{ensure_font, FONT};
use crate::diagram::layout::wrap;
use crate::error::{Error, Result};

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (1600, 900);

/// Okabe-Ito: distinguishable with every common colour-vision deficiency.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
];
pub(crate) const GREY: RGBColor = RGBColor(150, 150, 150);
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `weekly_volumes`.
    pub name: String,
    /// Title, as drawn.
    pub title: String,
    /// The SVG drawing.
    pub svg: String,
    /// The PNG drawing.
    pub png: Vec<u8>,
    /// For charts with a swept x axis: the plot area's pixel range in x and
    /// the data range, so a page can place a marker over the static image.
    pub x_mapping: Option<XMapping>,
}

/// Where data x values fall in the SVG, for a marker moved by script.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XMapping {
    /// Pixel x of the data minimum and maximum, in each panel (first panel).
    pub pixels: (f64, f64),
    /// Data minimum and maximum.
    pub data: (f64, f64),
}

/// A mean with its 95% CI (or any band).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The mean.
    pub mean: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// One line with its band, over x = 1, 2, ...
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// One band per x.
    pub points: Vec<Band>,
}

pub(crate) type DrawResult<T = ()> = std::result::Result<T, String>;

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

pub(crate) fn style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// Something drawn onto any backend.
pub(crate) trait Plot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// A chart that failed to draw or encode: an error of the command, never
/// an empty picture.
pub(crate) fn chart_error(file: &str, message: String) -> Error {
    Error::Output {
        path: format!("charts/{file}"),
        message: format!("cannot draw the chart: {message}"),
    }
}

/// Draws `plot` as SVG and PNG.
pub(crate) fn render(
    name: &str,
    title: &str,
    plot: &impl Plot,
    x_mapping: Option<XMapping>,
) -> Result<Chart> {
    ensure_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        plot.draw(&root)
            .and_then(|()| root.present().map_err(err))
            .map_err(|e| chart_error(&format!("{name}.svg"), e))?;
    }
    let png = png(SIZE, plot).map_err(|e| chart_error(&format!("{name}.png"), e))?;
    Ok(Chart {
        name: name.to_string(),
        title: title.to_string(),
        svg,
        png,
        x_mapping,
    })
}

pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    root.margin(18, 8, 8, 8)
        .titled(title, style(38.0))
        .map_err(err)
}

/// The label of the category whose centre is at `x` (categories sit at
/// 0.5, 1.5, ...), empty between them.
fn category(labels: &[String], x: f64) -> String {
    let i = (x - 0.5).round();
    if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Axis numbers with as many decimals as the range needs; a tick that
/// rounds to zero reads 0, never "-0.00" (a grid line a rounding error
/// below zero).
pub(crate) fn tick(v: &f64, span: f64) -> String {
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

pub(crate) fn range(values: impl Iterator<Item = f64>, zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if zero {
        lo = lo.min(0.0);
    }
    // Nothing but zeros (no difference at all): a unit range, whose ticks
    // read 0 once, not a millionth whose ticks all round to "0.00".
    if lo.abs() < 1e-9 && hi.abs() < 1e-9 {
        return if zero { (0.0, 1.0) } else { (-1.0, 1.0) };
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-6);
    (if zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// A number as a label: as many decimals as its size needs to show three
/// significant figures (none from 100 up, at most two).
pub(crate) fn value_label(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The fewest decimals (up to four) that write every value of `xs` exactly
/// enough to tell it back (a swept axis of 0.2, 0.3, ... needs one).
fn decimals(xs: &[f64]) -> usize {
    (0..=4)
        .find(|&d| {
            xs.iter().all(|x| {
                let written: f64 = format!("{x:.d$}").parse().unwrap_or(f64::NAN);
                (written - x).abs() <= 1e-9 * x.abs().max(1.0)
            })
        })
        .unwrap_or(4)
}

/// What a legend entry shows before its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key {
    /// A thick line of the colour.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box.
    Fill(RGBAColor),
    /// A box outline.
    Outline(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// A hollow dot.
    Ring(RGBColor),
    /// An error bar: a vertical line with caps.
    Whisker(RGBColor),
}

/// Width of a legend key, in pixels.
const KEY_W: i32 = 34;

fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: Key,
    (x, y): (i32, i32),
) -> DrawResult {
    let r = match key {
        Key::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (x + KEY_W, y)],
            c.stroke_width(5),
        )),
        Key::Dashed(c) => area.draw(&DashedPathElement::new(
            vec![(x, y), (x + KEY_W, y)],
            7,
            5,
            c.stroke_width(3),
        )),
        Key::Fill(c) => area.draw(&Rectangle::new(
            [(x + 4, y - 10), (x + KEY_W - 4, y + 10)],
            c.filled(),
        )),
        Key::Outline(c) => area.draw(&Rectangle::new(
            [(x + 4, y - 10), (x + KEY_W - 4, y + 10)],
            c.stroke_width(4),
        )),
        Key::Dot(c) => area.draw(&Circle::new((x + KEY_W / 2, y), 9, c.filled())),
        Key::Ring(c) => area.draw(&Circle::new((x + KEY_W / 2, y), 8, c.stroke_width(3))),
        Key::Whisker(c) => {
            let m = x + KEY_W / 2;
            area.draw(&PathElement::new(
                vec![(m, y - 11), (m, y + 11)],
                c.stroke_width(3),
            ))
            .and_then(|()| {
                area.draw(&PathElement::new(
                    vec![(m - 8, y - 11), (m + 8, y - 11)],
                    c.stroke_width(3),
                ))
            })
            .and_then(|()| {
                area.draw(&PathElement::new(
                    vec![(m - 8, y + 11), (m + 8, y + 11)],
                    c.stroke_width(3),
                ))
            })
        }
    };
    r.map_err(err)
}

/// A legend in one row, centred in `area`: a strip kept for it outside
/// every plot, so it never covers data or labels.
fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Key)],
    size: f64,
) -> DrawResult {
    let st = style(size);
    let gap = 40;
    let widths = entries
        .iter()
        .map(|(t, _)| area.estimate_text_size(t, &st).map(|s| s.0 as i32))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    let total: i32 =
        widths.iter().map(|w| KEY_W + 8 + w).sum::<i32>() + gap * (entries.len() as i32 - 1);
    let (w, h) = area.dim_in_pixel();
    let mut x = (w as i32 - total).max(0) / 2;
    let y = h as i32 / 2;
    for ((text, key), tw) in entries.iter().zip(widths) {
        draw_key(area, *key, (x, y))?;
        area.draw(&Text::new(
            text.clone(),
            (x + KEY_W + 8, y),
            st.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        x += KEY_W + 8 + tw + gap;
    }
    Ok(())
}

/// A legend in one column, its top left at `(x, y)` of `area`, a line of
/// `step` pixels per entry.
fn legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Key)],
    size: f64,
    (x, y): (i32, i32),
    step: i32,
) -> DrawResult {
    for (k, (text, key)) in entries.iter().enumerate() {
        let yk = y + step / 2 + step * k as i32;
        draw_key(area, *key, (x, yk))?;
        area.draw(&Text::new(
            text.clone(),
            (x + KEY_W + 8, yk),
            style(size).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A panel's caption centred in `head`, on two lines when one would not
/// fit (broken before its unit's parenthesis, else at the middle space).
fn caption<DB: DrawingBackend>(head: &DrawingArea<DB, Shift>, text: &str, size: f64) -> DrawResult {
    let (w, h) = head.dim_in_pixel();
    let st = style(size);
    let (tw, _) = head.estimate_text_size(text, &st).map_err(err)?;
    let lines: Vec<&str> = if tw + 16 <= w {
        vec![text]
    } else if let Some(at) = text.rfind(" (") {
        vec![&text[..at], &text[at + 1..]]
    } else {
        let mid = text.len() / 2;
        let at = text
            .match_indices(' ')
            .map(|(i, _)| i)
            .min_by_key(|i| i.abs_diff(mid))
            .unwrap_or(text.len());
        vec![text[..at].trim(), text[at..].trim()]
    };
    let line_h = (size / 1.24 * 1.2).round() as i32;
    let top = h as i32 / 2 - line_h * lines.len() as i32 / 2;
    for (i, line) in lines.iter().enumerate() {
        head.draw(&Text::new(
            line.to_string(),
            (w as i32 / 2, top + line_h * i as i32 + line_h / 2),
            st.pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// A text at pixel `at` of `root`, anchored at `pos`, on a pale box so
/// that a line it crosses (a zero line, a band's edge) does not run
/// through its letters.
fn backed_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    st: TextStyle,
    pos: Pos,
) -> DrawResult {
    let (w, h) = root.estimate_text_size(text, &st).map_err(err)?;
    let (w, h) = (w as i32, h as i32);
    let left = match pos.h_pos {
        HPos::Left => at.0,
        HPos::Center => at.0 - w / 2,
        HPos::Right => at.0 - w,
    };
    let top = match pos.v_pos {
        VPos::Top => at.1,
        VPos::Center => at.1 - h / 2,
        VPos::Bottom => at.1 - h,
    };
    root.draw(&Rectangle::new(
        [(left - 3, top - 2), (left + w + 3, top + h + 2)],
        WHITE.mix(0.85).filled(),
    ))
    .map_err(err)?;
    root.draw(&Text::new(text.to_string(), at, st.pos(pos)))
        .map_err(err)
}

/// The colours of a weekly panel's series, by panel: outreach, nurture.
const WEEKLY_COLOURS: [[RGBColor; 3]; 2] = [
    [PALETTE[0], PALETTE[2], PALETTE[4]],
    [PALETTE[1], PALETTE[3], PALETTE[5]],
];

/// The y axis labels of the weekly panels, with units.
const WEEKLY_Y: [&str; 2] = [
    "Outreach per week (leads, emails)",
    "Nurture per week (leads, touches)",
];

/// One scenario's (or point's) weekly series, split by scale: outreach runs
/// at tens to hundreds a week, nurture at up to thousands, so each has its
/// own panel and axis.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyGroup {
    /// The column title: a scenario's name or a point's label.
    pub title: String,
    /// Leads to outreach, emails sent, follow-ups sent (up to three).
    pub outreach: Vec<Series>,
    /// Leads to nurture, nurture touches (up to three).
    pub nurture: Vec<Series>,
}

/// Weekly lines with bands: a column per group (one for a run, one per
/// scenario in a comparison), outreach on top, nurture below, each row on
/// one y scale across the columns, the legends right of the rows.
pub struct Weekly {
    groups: Vec<WeeklyGroup>,
}

const WEEKLY_TITLE: &str = "Weekly volumes: outreach and nurture, on their own scales";

impl Weekly {
    fn row(&self, r: usize) -> impl Iterator<Item = &Vec<Series>> {
        self.groups
            .iter()
            .map(move |g| if r == 0 { &g.outreach } else { &g.nurture })
    }
}

impl Plot for Weekly {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, WEEKLY_TITLE)?;
        let (w, h) = area.dim_in_pixel();
        let (plots, legends) = area.split_horizontally(w as i32 - 290);
        let cols = self.groups.len().max(1);
        let cells = plots.split_evenly((2, cols));
        for r in 0..2 {
            let (_, y_max) = range(
                self.row(r)
                    .flatten()
                    .flat_map(|s| &s.points)
                    .map(|b| b.high),
                true,
            );
            for (c, series) in self.row(r).enumerate() {
                let weeks = series.first().map_or(1, |s| s.points.len()).max(2) as f64;
                let mut builder = ChartBuilder::on(&cells[r * cols + c]);
                builder
                    .margin(14)
                    .x_label_area_size(if r == 1 { 70 } else { 40 })
                    .y_label_area_size(110);
                if r == 0 {
                    builder.caption(&self.groups[c].title, style(28.0));
                }
                let mut chart = builder
                    .build_cartesian_2d(1.0..weeks, 0.0..y_max)
                    .map_err(err)?;
                let mut mesh = chart.configure_mesh();
                if r == 1 {
                    mesh.x_desc("week");
                }
                mesh.x_label_formatter(&|x| format!("{x:.0}"))
                    .y_label_formatter(&|y| tick(y, y_max))
                    .y_desc(WEEKLY_Y[r])
                    .axis_desc_style(style(24.0))
                    .label_style(style(22.0))
                    .light_line_style(RGBColor(238, 238, 238))
                    .draw()
                    .map_err(err)?;
                for (i, s) in series.iter().enumerate() {
                    let color = WEEKLY_COLOURS[r][i % 3];
                    let xs: Vec<f64> = (1..=s.points.len()).map(|w| w as f64).collect();
                    let mut band: Vec<(f64, f64)> = xs
                        .iter()
                        .zip(&s.points)
                        .map(|(x, b)| (*x, b.high))
                        .collect();
                    band.extend(xs.iter().zip(&s.points).rev().map(|(x, b)| (*x, b.low)));
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            band,
                            color.mix(0.18).filled(),
                        )))
                        .map_err(err)?;
                    chart
                        .draw_series(LineSeries::new(
                            xs.iter().zip(&s.points).map(|(x, b)| (*x, b.mean)),
                            color.stroke_width(4),
                        ))
                        .map_err(err)?;
                }
            }
            // The legend of the row, beside its last panel.
            let labels: Vec<(String, Key)> = self
                .row(r)
                .next()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, s)| (s.label.clone(), Key::Line(WEEKLY_COLOURS[r][i % 3])))
                .chain(std::iter::once((
                    "lowest-highest run".to_string(),
                    Key::Fill(GREY.mix(0.3)),
                )))
                .collect();
            let step = 38;
            let top = (h as i32 / 4) * (2 * r as i32 + 1) - step * labels.len() as i32 / 2;
            legend_column(&legends, &labels, 22.0, (10, top), step)?;
        }
        Ok(())
    }
}

/// Weekly volumes, outreach and nurture on panels of their own, a column
/// per group.
pub fn weekly(groups: Vec<WeeklyGroup>) -> Result<Chart> {
    render("weekly_volumes", WEEKLY_TITLE, &Weekly { groups }, None)
}

/// Pairs of bars with 95% CI whiskers (a group per scenario), each bar's
/// value printed above its CI's upper end, the legend above the plot.
pub struct PairedBars {
    title: String,
    y_label: String,
    /// Group label and its bars (label, band).
    groups: Vec<(String, Vec<(String, Band)>)>,
    unit: String,
}

impl Plot for PairedBars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let (strip, plot) = area.split_vertically(50);
        let names: Vec<(String, Key)> = self
            .groups
            .first()
            .map(|g| {
                g.1.iter()
                    .enumerate()
                    .map(|(i, (l, _))| (l.clone(), Key::Fill(PALETTE[i % 7].to_rgba())))
                    .collect()
            })
            .unwrap_or_default();
        let mut entries = names;
        entries.push(("95% CI".to_string(), Key::Whisker(INK)));
        legend_row(&strip, &entries, 24.0)?;
        let per = self.groups.first().map_or(1, |g| g.1.len()).max(1);
        let n = self.groups.len().max(1) as f64;
        let (_, top) = range(
            self.groups
                .iter()
                .flat_map(|g| g.1.iter().map(|b| b.1.high)),
            true,
        );
        // Room above the highest whisker for its value.
        let y_max = top * 1.12;
        let mut chart = ChartBuilder::on(&plot)
            .margin(30)
            .x_label_area_size(60)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..n, 0.0..y_max)
            .map_err(err)?;
        let labels: Vec<String> = self.groups.iter().map(|g| g.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.groups.len() * 2 + 1)
            .x_label_formatter(&|x| category(labels.as_slice(), *x))
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&|y| tick(y, y_max))
            .axis_desc_style(style(26.0))
            .label_style(style(24.0))
            .draw()
            .map_err(err)?;
        let width = 0.7 / per as f64;
        for (g, (_, bars)) in self.groups.iter().enumerate() {
            for (i, (_, b)) in bars.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let x0 = g as f64 + 0.15 + width * i as f64;
                let xc = x0 + width * 0.46;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x0 + width * 0.92, b.mean)],
                        color.filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(xc, b.low), (xc, b.high)],
                        INK.stroke_width(3),
                    )))
                    .map_err(err)?;
                for end in [b.low, b.high] {
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((xc, end))
                                + PathElement::new(vec![(-12, 0), (12, 0)], INK.stroke_width(3)),
                        ))
                        .map_err(err)?;
                }
                // Above the CI's upper end, clear of the whisker's cap.
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((xc, b.high))
                            + Text::new(
                                format!("{} {}", value_label(b.mean), self.unit),
                                (0, -8),
                                style(24.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                            ),
                    ))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// Rep hours per rep-week on outbound preparation: the manual process beside
/// the simulated pipeline, with 95% CIs, a pair per scenario.
pub fn rep_hours(groups: Vec<(String, Band, Band)>, unit: &str) -> Result<Chart> {
    let plot = PairedBars {
        title: "Rep hours on outbound preparation, per rep-week".into(),
        y_label: format!("Prep hours per rep-week ({unit})"),
        groups: groups
            .into_iter()
            .map(|(g, manual, pipeline)| {
                (
                    g,
                    vec![
                        ("manual process (counterfactual)".to_string(), manual),
                        ("with agents (simulated)".to_string(), pipeline),
                    ],
                )
            })
            .collect(),
        unit: unit.to_string(),
    };
    render("rep_hours", &plot.title.clone(), &plot, None)
}

/// Stacked bars: rep time per rep-week split into preparation,
/// conversations, other work and idle, a bar per scenario or point; a
/// segment's hours inside it when they fit, else beside the bar on a
/// leader line.
pub struct Stacked {
    groups: Vec<(String, [f64; 4])>,
    y_label: String,
    unit: String,
}

const STACKED_TITLE: &str = "Rep time per rep-week: preparation, conversations, other work, idle";
const STACKED_NAMES: [&str; 4] = ["preparation", "conversations", "other work", "idle"];
const STACKED_COLOURS: [RGBColor; 4] = [
    PALETTE[0],
    PALETTE[1],
    RGBColor(150, 150, 150),
    RGBColor(225, 225, 225),
];

impl Plot for Stacked {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, STACKED_TITLE)?;
        let (w, h) = area.dim_in_pixel();
        let (plot, legends) = area.split_horizontally(w as i32 - 250);
        let entries: Vec<(String, Key)> = STACKED_NAMES
            .iter()
            .zip(STACKED_COLOURS)
            .rev()
            .map(|(n, c)| (n.to_string(), Key::Fill(c.to_rgba())))
            .collect();
        legend_column(&legends, &entries, 24.0, (10, h as i32 / 2 - 80), 40)?;
        let n = self.groups.len().max(1) as f64;
        let y_max = self
            .groups
            .iter()
            .map(|g| g.1.iter().sum::<f64>())
            .fold(1.0, f64::max)
            * 1.06;
        let mut chart = ChartBuilder::on(&plot)
            .margin(30)
            .x_label_area_size(60)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..n, 0.0..y_max)
            .map_err(err)?;
        let labels: Vec<String> = self.groups.iter().map(|g| g.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.groups.len() * 2 + 1)
            .x_label_formatter(&|x| category(labels.as_slice(), *x))
            .y_label_formatter(&|y| tick(y, y_max))
            .y_desc(self.y_label.as_str())
            .axis_desc_style(style(26.0))
            .label_style(style(24.0))
            .draw()
            .map_err(err)?;
        let font = 22.0;
        let text_h = font / 1.24 + 6.0;
        for (g, (_, parts)) in self.groups.iter().enumerate() {
            let (left, right) = (g as f64 + 0.2, g as f64 + 0.6);
            let mut outside: Vec<(i32, usize, String)> = Vec::new();
            let mut base = 0.0;
            for (k, v) in parts.iter().enumerate() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(left, base), (right, base + v)],
                        STACKED_COLOURS[k].filled(),
                    )))
                    .map_err(err)?;
                let text = format!("{} {}", value_label(*v), self.unit);
                let (_, y_lo) = chart.backend_coord(&(left, base));
                let (_, y_hi) = chart.backend_coord(&(left, base + v));
                if f64::from(y_lo - y_hi) >= text_h {
                    let ink = if k == 0 { WHITE } else { INK };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{}: {text}", STACKED_NAMES[k]),
                            ((left + right) / 2.0, base + v / 2.0),
                            style(font)
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )))
                        .map_err(err)?;
                } else if *v > 0.0 {
                    outside.push(((y_lo + y_hi) / 2, k, text));
                }
                base += v;
            }
            // Thin segments' labels beside the bar, pushed apart upwards
            // from the lowest so that no two touch.
            let (x_bar, _) = chart.backend_coord(&(right, 0.0));
            let (x_next, _) = chart.backend_coord(&(left + 1.0, 0.0));
            let x_text = x_bar + 40;
            let mut floor = i32::MAX;
            for (y, k, value) in outside {
                // With its segment's name when that fits before the next bar.
                let named = format!("{}: {value}", STACKED_NAMES[k]);
                let (w, _) = root.estimate_text_size(&named, &style(font)).map_err(err)?;
                let text = if x_text + w as i32 + 12 < x_next {
                    named
                } else {
                    value
                };
                let at = y.min(floor);
                floor = at - text_h.ceil() as i32;
                root.draw(&PathElement::new(
                    vec![(x_bar, y), (x_text - 6, at)],
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
                root.draw(&Text::new(
                    text,
                    (x_text, at),
                    style(font).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// Rep time per rep-week, stacked: preparation, conversations, other work,
/// idle.
pub fn rep_time(groups: Vec<(String, [f64; 4])>, unit: &str) -> Result<Chart> {
    let plot = Stacked {
        groups,
        y_label: format!("Hours per rep-week ({unit})"),
        unit: unit.to_string(),
    };
    render("rep_time", STACKED_TITLE, &plot, None)
}

/// The review gate: the distribution of waits and the weekly backlog.
pub struct ReviewGate {
    bands: Vec<(String, f64)>,
    backlog: Vec<f64>,
}

impl Plot for ReviewGate {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, "The review gate: waits and backlog")?;
        let (left, right) = area.split_horizontally(800);
        let total: f64 = self.bands.iter().map(|b| b.1).sum::<f64>().max(1.0);
        let n = self.bands.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&left)
            .caption("Reviews by wait before review", style(28.0))
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(110)
            // Room above a full bar for its share.
            .build_cartesian_2d(0.0..n, 0.0..110.0)
            .map_err(err)?;
        let labels: Vec<String> = self.bands.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.bands.len() * 2 + 1)
            .x_label_formatter(&|x| category(labels.as_slice(), *x))
            .y_labels(12)
            .y_label_formatter(&|y| {
                if *y <= 100.0 {
                    format!("{y:.0}")
                } else {
                    String::new()
                }
            })
            .x_desc("wait from queueing to review (calendar time)")
            .y_desc("Share of reviews, total over the run (%)")
            .axis_desc_style(style(24.0))
            .label_style(style(20.0))
            .draw()
            .map_err(err)?;
        for (i, (_, c)) in self.bands.iter().enumerate() {
            let share = 100.0 * c / total;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, share)],
                    PALETTE[0].filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((i as f64 + 0.5, share))
                        + Text::new(
                            format!("{share:.1}%"),
                            (0, -6),
                            style(20.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                        ),
                ))
                .map_err(err)?;
        }
        let weeks = self.backlog.len().max(2) as f64;
        let (_, y_max) = range(self.backlog.iter().copied(), true);
        let y_max = y_max.max(1.0);
        let mut chart = ChartBuilder::on(&right)
            .caption("Drafts waiting at each week's end", style(28.0))
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(1.0..weeks, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("week")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| tick(y, y_max))
            .y_desc("Review backlog (drafts)")
            .axis_desc_style(style(24.0))
            .label_style(style(20.0))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                self.backlog
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i as f64 + 1.0, *v)),
                PALETTE[3].stroke_width(4),
            ))
            .map_err(err)?;
        Ok(())
    }
}

/// The review gate chart: wait bands (label, count) and the weekly backlog.
pub fn review_gate(bands: Vec<(String, f64)>, backlog: Vec<f64>) -> Result<Chart> {
    render(
        "review_gate",
        "The review gate: waits and backlog",
        &ReviewGate { bands, backlog },
        None,
    )
}

/// A vertical dashed line at `x` from `y0` to `y1`, in data coordinates.
fn dashed_v(
    x: f64,
    (y0, y1): (f64, f64),
    color: RGBColor,
) -> DashedPathElement<std::vec::IntoIter<(f64, f64)>, i32> {
    DashedPathElement::new(vec![(x, y0), (x, y1)], 10, 7, color.stroke_width(3))
}

/// The colour of the shown point's marker (the page's slider), apart from
/// the chosen point's vermillion.
const SHOWN: RGBColor = INK;

/// A sweep's trade-off: metrics against the swept parameter.
pub struct Tradeoff {
    x_label: String,
    xs: Vec<f64>,
    panels: Vec<(String, Vec<Band>)>,
    chosen: Option<usize>,
    shown: Option<usize>,
    feasible: Vec<bool>,
    /// Where the first panel put its x range, in pixels, once drawn.
    mapping: std::cell::Cell<Option<XMapping>>,
}

const TRADEOFF_TITLE: &str = "Trade-off across the sweep";

impl Plot for Tradeoff {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, TRADEOFF_TITLE)?;
        let (strip, grid) = area.split_vertically(46);
        let mut entries = vec![("mean with its 95% CI".to_string(), Key::Line(PALETTE[0]))];
        if self.chosen.is_some() {
            entries.push(("chosen by the objective".to_string(), Key::Dot(PALETTE[3])));
        }
        if let Some(s) = self.shown.and_then(|s| self.xs.get(s)) {
            entries.push((
                format!("shown: {} = {}", self.x_label, self.x_text(*s)),
                Key::Dashed(SHOWN),
            ));
        }
        if self.feasible.iter().any(|f| !f) {
            entries.push((
                "breaks a constraint".to_string(),
                Key::Fill(RGBColor(225, 225, 225).to_rgba()),
            ));
        }
        legend_row(&strip, &entries, 22.0)?;
        let cols = 3;
        let rows = self.panels.len().div_ceil(cols).max(1);
        let panels = grid.split_evenly((rows, cols));
        let (x0, x1) = range(self.xs.iter().copied(), false);
        let half = if self.xs.len() > 1 {
            (self.xs[1] - self.xs[0]).abs() / 2.0
        } else {
            0.5
        };
        for (p, (panel, (label, bands))) in panels.iter().zip(&self.panels).enumerate() {
            let (y0, top) = range(bands.iter().flat_map(|b| [b.low, b.high]), true);
            // Headroom above the data for the shown point's value, the same
            // in every drawing so that the panels do not move with the slider.
            let y1 = top + (top - y0) * 0.14;
            // Ticks at the swept values, each once; every k-th when they
            // would not fit side by side.
            let (pw, _) = panel.dim_in_pixel();
            let label_w = self
                .xs
                .iter()
                .map(|x| self.x_text(*x).chars().count())
                .max()
                .unwrap_or(1) as f64
                * 18.0
                / 1.24
                * 0.6
                + 14.0;
            let room = (f64::from(pw) - 114.0).max(1.0);
            let every = ((self.xs.len() as f64 * label_w / room).ceil() as usize).max(1);
            let ticks: Vec<f64> = self.xs.iter().copied().step_by(every).collect();
            let (head, body) = panel.split_vertically(54);
            caption(&head, label, 22.0)?;
            let mut chart = ChartBuilder::on(&body)
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(90)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(err)?;
            if p == 0 {
                let px = |x: f64| f64::from(chart.backend_coord(&(x, y0)).0);
                self.mapping.set(Some(XMapping {
                    pixels: (px(x0), px(x1)),
                    data: (x0, x1),
                }));
            }
            // Infeasible points shaded, behind everything.
            chart
                .draw_series(
                    self.xs
                        .iter()
                        .zip(&self.feasible)
                        .filter(|(_, f)| !**f)
                        .map(|(x, _)| {
                            Rectangle::new(
                                [(x - half, y0), (x + half, y1)],
                                RGBColor(225, 225, 225).filled(),
                            )
                        }),
                )
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_labels(0)
                .x_desc(self.x_label.as_str())
                .y_label_formatter(&|y| tick(y, y1 - y0))
                .axis_desc_style(style(20.0))
                .label_style(style(18.0))
                .light_line_style(RGBColor(238, 238, 238))
                .draw()
                .map_err(err)?;
            // The x ticks by hand (plotters' own land on round numbers):
            // a grid line and a mark at every swept value, the value under
            // the chosen ones.
            chart
                .draw_series(
                    self.xs.iter().map(|x| {
                        PathElement::new(vec![(*x, y0), (*x, y1)], RGBColor(232, 232, 232))
                    }),
                )
                .map_err(err)?;
            for x in &self.xs {
                let (px, py) = chart.backend_coord(&(*x, y0));
                root.draw(&PathElement::new(
                    vec![(px, py), (px, py + 6)],
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
            }
            for x in &ticks {
                let (px, py) = chart.backend_coord(&(*x, y0));
                root.draw(&Text::new(
                    self.x_text(*x),
                    (px, py + 9),
                    style(18.0).pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(err)?;
            }
            let mut band: Vec<(f64, f64)> = self
                .xs
                .iter()
                .zip(bands)
                .map(|(x, b)| (*x, b.high))
                .collect();
            band.extend(self.xs.iter().zip(bands).rev().map(|(x, b)| (*x, b.low)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    PALETTE[0].mix(0.2).filled(),
                )))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    self.xs.iter().zip(bands).map(|(x, b)| (*x, b.mean)),
                    PALETTE[0].stroke_width(3),
                ))
                .map_err(err)?;
            if let Some(s) = self.shown.filter(|s| *s < self.xs.len()) {
                let x = self.xs[s];
                chart
                    .draw_series(std::iter::once(dashed_v(x, (y0, y1), SHOWN)))
                    .map_err(err)?;
                // The value at the top, on the side with more room.
                let right = x > (x0 + x1) / 2.0;
                let (px, py) = chart.backend_coord(&(x, y1));
                backed_text(
                    root,
                    &self.x_text(x),
                    (if right { px - 8 } else { px + 8 }, py + 4),
                    style(20.0).color(&SHOWN),
                    Pos::new(if right { HPos::Right } else { HPos::Left }, VPos::Top),
                )?;
            }
            if let Some(c) = self.chosen.filter(|c| *c < self.xs.len()) {
                let (x, y) = (self.xs[c], bands[c].mean);
                chart
                    .draw_series(std::iter::once(Circle::new((x, y), 9, PALETTE[3].filled())))
                    .map_err(err)?;
                // Below the dot in the upper half (clear of the shown
                // value at the top), above it in the lower half; towards
                // the middle in x.
                let upper = y > (y0 + y1) / 2.0;
                let right = x > x0 + (x1 - x0) * 0.75;
                let (px, py) = chart.backend_coord(&(x, y));
                backed_text(
                    root,
                    "chosen",
                    (
                        if right { px - 12 } else { px + 12 },
                        if upper { py + 8 } else { py - 8 },
                    ),
                    style(20.0).color(&PALETTE[3]),
                    Pos::new(
                        if right { HPos::Right } else { HPos::Left },
                        if upper { VPos::Top } else { VPos::Bottom },
                    ),
                )?;
            }
        }
        Ok(())
    }
}

impl Tradeoff {
    /// A swept value as its tick writes it.
    fn x_text(&self, x: f64) -> String {
        let d = decimals(&self.xs);
        format!("{x:.d$}")
    }
}

/// The trade-off chart of a sweep: one panel per (label with unit, bands),
/// the objective's `chosen` point as a dot, the `shown` point (the page's
/// slider) as a dashed line with its value across every panel, points that
/// break a constraint shaded.
pub fn tradeoff(
    x_label: &str,
    xs: Vec<f64>,
    panels: Vec<(String, Vec<Band>)>,
    chosen: Option<usize>,
    shown: Option<usize>,
    feasible: Vec<bool>,
) -> Result<Chart> {
    let plot = Tradeoff {
        x_label: x_label.to_string(),
        xs,
        panels,
        chosen,
        shown,
        feasible,
        mapping: std::cell::Cell::new(None),
    };
    let mut chart = render("sweep_tradeoff", TRADEOFF_TITLE, &plot, None)?;
    chart.x_mapping = plot.mapping.get();
    Ok(chart)
}

/// A two-parameter sweep's heat map of one metric.
pub struct Heatmap {
    title: String,
    x_label: String,
    y_label: String,
    xs: Vec<String>,
    ys: Vec<String>,
    values: Vec<Vec<Option<f64>>>,
    chosen: Option<(usize, usize)>,
    shown: Option<(usize, usize)>,
}

impl Plot for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let (strip, plot) = area.split_vertically(46);
        let mut entries = Vec::new();
        if self.chosen.is_some() {
            entries.push((
                "chosen by the objective".to_string(),
                Key::Outline(PALETTE[3]),
            ));
        }
        if let Some((i, j)) = self.shown {
            entries.push((
                format!(
                    "shown: {} = {}, {} = {}",
                    self.x_label,
                    self.xs.get(i).map_or("", |s| s.as_str()),
                    self.y_label,
                    self.ys.get(j).map_or("", |s| s.as_str())
                ),
                Key::Outline(SHOWN),
            ));
        }
        legend_row(&strip, &entries, 22.0)?;
        let (nx, ny) = (self.xs.len().max(1), self.ys.len().max(1));
        let (lo, hi) = range(self.values.iter().flatten().flatten().copied(), false);
        let mut chart = ChartBuilder::on(&plot)
            .margin(30)
            .x_label_area_size(80)
            .y_label_area_size(140)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(err)?;
        let (xs, ys) = (self.xs.clone(), self.ys.clone());
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx * 2 + 1)
            .y_labels(ny * 2 + 1)
            .x_label_formatter(&|x| category(xs.as_slice(), *x))
            .y_label_formatter(&|y| category(ys.as_slice(), *y))
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style(style(26.0))
            .label_style(style(22.0))
            .draw()
            .map_err(err)?;
        for (j, row) in self.values.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                let color = match v {
                    Some(v) => {
                        // Viridis-like from dark blue to yellow, readable in grey.
                        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                        RGBColor(
                            (68.0 + t * 185.0) as u8,
                            (1.0 + t * 230.0) as u8,
                            (84.0 + (1.0 - t) * 50.0) as u8,
                        )
                    }
                    None => RGBColor(230, 230, 230),
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                        color.filled(),
                    )))
                    .map_err(err)?;
                let text = v.map_or("—".to_string(), value_label);
                let ink = if v.is_none_or(|v| (v - lo) / (hi - lo) > 0.6) {
                    INK
                } else {
                    WHITE
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (i as f64 + 0.5, j as f64 + 0.5),
                        style(22.0)
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(err)?;
            }
        }
        // The chosen cell outlined in vermillion at its edge, the shown one
        // in black further in, so both read when they are the same cell.
        for (cell, color, inset, width) in [
            (self.chosen, PALETTE[3], 0.03, 7),
            (self.shown, SHOWN, 0.1, 5),
        ] {
            if let Some((i, j)) = cell {
                let (i, j) = (i as f64, j as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(i + inset, j + inset), (i + 1.0 - inset, j + 1.0 - inset)],
                        color.stroke_width(width),
                    )))
                    .map_err(err)?;
            }
        }
        // A white line inside the shown outline, for dark cells.
        if let Some((i, j)) = self.shown {
            let (i, j) = (i as f64, j as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(i + 0.13, j + 0.13), (i + 0.87, j + 0.87)],
                    WHITE.stroke_width(2),
                )))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The heat map of a two-parameter sweep: `values[y][x]`, the objective's
/// `chosen` cell and the `shown` cell (the page's slider) outlined, each
/// as `(x index, y index)`.
pub fn heatmap(
    title: &str,
    (x_label, xs): (&str, Vec<String>),
    (y_label, ys): (&str, Vec<String>),
    values: Vec<Vec<Option<f64>>>,
    chosen: Option<(usize, usize)>,
    shown: Option<(usize, usize)>,
) -> Result<Chart> {
    let plot = Heatmap {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        xs,
        ys,
        values,
        chosen,
        shown,
    };
    render("sweep_heatmap", title, &plot, None)
}

/// One metric's panel of the forest plot: the paired difference of each
/// compared scenario from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPanel {
    /// The metric's axis label with its unit, e.g. `Emails sent (emails)`.
    pub metric: String,
    /// A row per compared scenario, top first: its name and its paired
    /// difference from the baseline (scenario minus baseline) with the
    /// difference's 95% CI.
    pub rows: Vec<(String, Band)>,
}

/// The forest plot of a comparison: small multiples, a panel per metric.
pub struct Forest {
    panels: Vec<ForestPanel>,
}

const FOREST_TITLE: &str = "Differences from the baseline: paired, with 95% CIs";

/// A real difference: its 95% CI leaves out zero.
fn excludes_zero(b: &Band) -> bool {
    b.low > 0.0 || b.high < 0.0
}

impl Plot for Forest {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, FOREST_TITLE)?;
        let (strip, grid) = area.split_vertically(46);
        legend_row(
            &strip,
            &[
                (
                    "95% CI leaves out 0: a real difference".to_string(),
                    Key::Dot(PALETTE[0]),
                ),
                ("95% CI takes in 0".to_string(), Key::Ring(GREY)),
                ("no difference (0)".to_string(), Key::Line(INK)),
            ],
            22.0,
        )?;
        let n = self.panels.len().max(1);
        let cols = n.min(3);
        let rows = n.div_ceil(cols);
        let cells = grid.split_evenly((rows, cols));
        let label_style = style(20.0);
        let mut label_w = 40;
        for p in &self.panels {
            for (name, _) in &p.rows {
                let (w, _) = root.estimate_text_size(name, &label_style).map_err(err)?;
                label_w = label_w.max(w as i32 + 24);
            }
        }
        for (cell, panel) in cells.iter().zip(&self.panels) {
            let k = panel.rows.len().max(1);
            let (lo, hi) = range(
                panel
                    .rows
                    .iter()
                    .flat_map(|(_, b)| [b.low, b.high, b.mean])
                    .chain([0.0]),
                false,
            );
            // Room either side for a value printed over a point at an end.
            let pad = (hi - lo) * 0.12;
            let (x0, x1) = (lo - pad, hi + pad);
            let names: Vec<String> = panel.rows.iter().map(|r| r.0.clone()).collect();
            let (head, body) = cell.split_vertically(54);
            caption(&head, &panel.metric, 22.0)?;
            let mut chart = ChartBuilder::on(&body)
                .margin(14)
                .x_label_area_size(60)
                .y_label_area_size(label_w)
                .build_cartesian_2d(x0..x1, 0.0..k as f64)
                .map_err(err)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .x_labels(5)
                .y_labels(k * 2 + 1)
                .y_label_formatter(&|y| {
                    // The first row on top.
                    let i = (y - 0.5).round();
                    if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < k {
                        names[k - 1 - i as usize].clone()
                    } else {
                        String::new()
                    }
                })
                .x_label_formatter(&|x| tick(x, x1 - x0))
                .x_desc("scenario minus baseline")
                .axis_desc_style(style(20.0))
                .label_style(style(20.0))
                .light_line_style(RGBColor(238, 238, 238))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, 0.0), (0.0, k as f64)],
                    INK.stroke_width(2),
                )))
                .map_err(err)?;
            for (r, (_, b)) in panel.rows.iter().enumerate() {
                let y = (k - 1 - r) as f64 + 0.5;
                let real = excludes_zero(b);
                let (color, width) = if real { (PALETTE[0], 4) } else { (GREY, 2) };
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(b.low, y), (b.high, y)],
                        color.stroke_width(width),
                    )))
                    .map_err(err)?;
                for end in [b.low, b.high] {
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((end, y))
                                + PathElement::new(
                                    vec![(0, -10), (0, 10)],
                                    color.stroke_width(width),
                                ),
                        ))
                        .map_err(err)?;
                }
                if real {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (b.mean, y),
                            10,
                            color.filled(),
                        )))
                        .map_err(err)?;
                } else {
                    chart
                        .draw_series(std::iter::once(Circle::new((b.mean, y), 9, WHITE.filled())))
                        .map_err(err)?;
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (b.mean, y),
                            9,
                            color.stroke_width(3),
                        )))
                        .map_err(err)?;
                }
                // Above the point, clear of the whisker and its caps.
                let sign = if b.mean > 0.0 { "+" } else { "" };
                let (px, py) = chart.backend_coord(&(b.mean, y));
                backed_text(
                    root,
                    &format!("{sign}{}", value_label(b.mean)),
                    (px, py - 16),
                    style(if real { 24.0 } else { 20.0 }).color(if real { &INK } else { &GREY }),
                    Pos::new(HPos::Center, VPos::Bottom),
                )?;
            }
        }
        Ok(())
    }
}

/// The forest plot of a comparison (`compare_differences`): a panel per
/// metric, a row per compared scenario, its paired difference from the
/// baseline as a point with its 95% CI, the value printed above the point,
/// a line at zero, rows whose CI leaves out zero drawn strong.
pub fn forest(panels: Vec<ForestPanel>) -> Result<Chart> {
    render(
        "compare_differences",
        FOREST_TITLE,
        &Forest { panels },
        None,
    )
}

/// A row of the tornado: a parameter, the metric at its low and high
/// settings, and where its value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The parameter as a person reads it (`mid-market segment: fit Beta β`).
    pub label: String,
    /// The metric's mean with the parameter moved down.
    pub low: f64,
    /// The metric's mean with the parameter moved up.
    pub high: f64,
    /// Its value is an assumption, not a cited figure: a lighter colour.
    pub assumed: bool,
    /// The low and high settings as a person reads them (`0.36`, `x0.8`).
    pub settings: (String, String),
    /// Its provenance, shown beside the label: `assumed`, `set on the
    /// command line`, or empty.
    pub note: String,
}

/// The sensitivity tornado.
pub struct Tornado {
    title: String,
    x_label: String,
    base: f64,
    rows: Vec<Swing>,
}

impl Tornado {
    fn label_lines(&self, r: &Swing) -> Vec<String> {
        let text = if r.note.is_empty() {
            r.label.clone()
        } else {
            format!("{} ({})", r.label, r.note)
        };
        wrap(&text, 44)
    }
}

impl Plot for Tornado {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let (strip, main) = area.split_vertically(46);
        legend_row(
            &strip,
            &[
                ("low setting".to_string(), Key::Fill(PALETTE[0].to_rgba())),
                ("high setting".to_string(), Key::Fill(PALETTE[1].to_rgba())),
                (
                    "lighter: assumed (no cited source)".to_string(),
                    Key::Fill(GREY.mix(0.45)),
                ),
                ("base".to_string(), Key::Line(INK)),
            ],
            22.0,
        )?;
        let n = self.rows.len().max(1);
        let label_style = style(18.0);
        let mut label_w = 120;
        for r in &self.rows {
            for line in self.label_lines(r) {
                let (w, _) = root.estimate_text_size(&line, &label_style).map_err(err)?;
                label_w = label_w.max(w as i32 + 30);
            }
        }
        let (lo, hi) = range(
            self.rows
                .iter()
                .flat_map(|r| [r.low, r.high])
                .chain([self.base]),
            false,
        );
        let digits = if hi - lo >= 200.0 {
            0
        } else if hi - lo >= 20.0 {
            1
        } else {
            2
        };
        let fixed = |v: f64| format!("{v:.digits$}");
        // Room at both ends for the values written beyond the bars.
        let pad = (hi - lo) * 0.3;
        let (x0, x1) = (lo - pad, hi + pad);
        // A row of headroom for the base's value.
        let top = n as f64 + 0.7;
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x0..x1, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|x| tick(x, x1 - x0))
            .x_desc(self.x_label.as_str())
            .axis_desc_style(style(24.0))
            .label_style(style(18.0))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(err)?;
        let base = self.base;
        let line_h = 18.0 / 1.24 + 3.0;
        for (k, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            // The parameter's name, right-aligned left of the plot, its
            // lines centred on the row.
            let lines = self.label_lines(r);
            let (px, py) = chart.backend_coord(&(x0, y + 0.5));
            for (i, line) in lines.iter().enumerate() {
                let dy = (i as f64 - (lines.len() as f64 - 1.0) / 2.0) * line_h;
                root.draw(&Text::new(
                    line.clone(),
                    (px - 12, py + dy.round() as i32),
                    label_style.pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(err)?;
            }
            // A side for each bar: left of the base or right of it; the low
            // setting goes left and the high right when they tie.
            let left = |v: f64, low: bool| v < base || (v == base && low);
            let (low_left, high_left) = (left(r.low, true), left(r.high, false));
            let same_side = low_left == high_left;
            for (v, setting, color, is_low, is_left) in [
                (r.low, &r.settings.0, PALETTE[0], true, low_left),
                (r.high, &r.settings.1, PALETTE[1], false, high_left),
            ] {
                let fill = if r.assumed {
                    color.mix(0.45).filled()
                } else {
                    color.filled()
                };
                // On one side, each bar takes half the row.
                let (b0, b1) = match (same_side, is_low) {
                    (false, _) => (y + 0.15, y + 0.85),
                    (true, true) => (y + 0.5, y + 0.88),
                    (true, false) => (y + 0.12, y + 0.5),
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(v.min(base), b0), (v.max(base), b1)],
                        fill,
                    )))
                    .map_err(err)?;
                let text = if setting.is_empty() {
                    fixed(v)
                } else {
                    format!("{setting}: {}", fixed(v))
                };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((v, (b0 + b1) / 2.0))
                            + Text::new(
                                text,
                                (if is_left { -8 } else { 8 }, 0),
                                style(18.0).pos(Pos::new(
                                    if is_left { HPos::Right } else { HPos::Left },
                                    VPos::Center,
                                )),
                            ),
                    ))
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(base, 0.0), (base, n as f64 + 0.1)],
                INK.stroke_width(2),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("base: {}", fixed(base)),
                (base, n as f64 + 0.4),
                style(20.0).pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(err)?;
        Ok(())
    }
}

/// The tornado of a sensitivity analysis, rows ranked largest first: each
/// bar's value with its setting at the bar's end, the base value on its
/// line, assumed parameters lighter, a legend above the plot.
pub fn tornado(metric_label: &str, base: f64, rows: Vec<Swing>) -> Result<Chart> {
    let plot = Tornado {
        title: format!("Sensitivity of {}", metric_label),
        x_label: metric_label.to_string(),
        base,
        rows,
    };
    render("sensitivity_tornado", &plot.title.clone(), &plot, None)
}

/// `plot` drawn on a white bitmap of `size` pixels, encoded as PNG.
pub(crate) fn png(size: (u32, u32), plot: &impl Plot) -> DrawResult<Vec<u8>> {
    let mut pixels = vec![255u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        plot.draw(&root)
            .and_then(|()| root.present().map_err(err))?;
    }
    let mut png = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut png);
    image::ImageEncoder::write_image(encoder, &pixels, size.0, size.1, image::ColorType::Rgb8)
        .map_err(err)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(m: f64) -> Band {
        Band {
            mean: m,
            low: m * 0.9,
            high: m * 1.1,
        }
    }

    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        (w, h)
    }

    /// A run's weekly group at the magnitudes of a canonical report:
    /// outreach near a hundred a week, nurture touches near 1,200 after a
    /// four-week ramp.
    fn group(title: &str) -> WeeklyGroup {
        let weeks = |level: f64| -> Vec<Band> {
            (0..26)
                .map(|w| band(level * (f64::from(w) / 4.0).min(1.0)))
                .collect()
        };
        let series = |names: &[(&str, f64)]| -> Vec<Series> {
            names
                .iter()
                .map(|(l, m)| Series {
                    label: l.to_string(),
                    points: weeks(*m),
                })
                .collect()
        };
        WeeklyGroup {
            title: title.to_string(),
            outreach: series(&[
                ("leads to outreach", 75.0),
                ("emails sent", 80.0),
                ("follow-ups sent", 66.0),
            ]),
            nurture: series(&[("leads to nurture", 290.0), ("nurture touches", 1170.0)]),
        }
    }

    /// The largest y tick label (right-anchored numbers) in the top and
    /// the bottom half of an SVG.
    fn y_tick_maxima(svg: &str) -> (f64, f64) {
        let (mut top, mut bottom) = (f64::NAN, f64::NAN);
        for tag in svg.split("<text ").skip(1) {
            let text = tag[tag.find('>').unwrap() + 1..tag.find("</text>").unwrap()].trim();
            let (Ok(v), Some("end")) = (text.parse::<f64>(), attr(tag, "text-anchor").as_deref())
            else {
                continue;
            };
            if num(tag, "y") < f64::from(SIZE.1) / 2.0 {
                top = top.max(v);
            } else {
                bottom = bottom.max(v);
            }
        }
        (top, bottom)
    }

    /// A tick a rounding error below zero reads 0, not -0.00.
    #[test]
    fn ticks_near_zero_have_no_sign() {
        assert_eq!(tick(&-1e-17, 0.3), "0.00");
        assert_eq!(tick(&-0.004, 0.3), "0.00");
        assert_eq!(tick(&-0.02, 0.3), "-0.02");
        assert_eq!(tick(&-0.04, 5.0), "0.0");
        assert_eq!(tick(&-3.0, 50.0), "-3");
    }

    #[test]
    fn nurture_has_its_own_panel_so_outreach_reads_on_its_own_scale() {
        let c = weekly(vec![group("canonical")]).unwrap();
        for text in [
            "Weekly volumes",
            "leads to outreach",
            "follow-ups sent",
            "leads to nurture",
            "nurture touches",
            "week",
            "Outreach per week (leads, emails)",
            "Nurture per week (leads, touches)",
        ] {
            assert!(c.svg.contains(text), "{text}");
        }
        // Outreach's axis ends near its hundred a week, not at nurture's
        // 1,200.
        let (outreach, nurture) = y_tick_maxima(&c.svg);
        assert!((60.0..=150.0).contains(&outreach), "{outreach}");
        assert!(nurture >= 1000.0, "{nurture}");
        assert_eq!(png_size(&c.png), SIZE);
        assert!(c.svg.contains(FONT), "text is set in the embedded font");
    }

    /// Six trade-off panels at a canonical sweep's magnitudes.
    fn sweep_panels(xs: &[f64]) -> Vec<(String, Vec<Band>)> {
        let panel = |name: &str, f: &dyn Fn(f64) -> f64| {
            (
                name.to_string(),
                xs.iter().map(|x| band(f(*x))).collect::<Vec<_>>(),
            )
        };
        vec![
            panel("Hours saved per rep-week (h/rep-week)", &|x| 11.0 + 2.0 * x),
            panel("Emails sent (emails, total over 24 weeks)", &|x| {
                3200.0 - 3700.0 * x
            }),
            panel("Meetings booked (meetings, total over 24 weeks)", &|x| {
                40.0 - 45.0 * x
            }),
            panel(
                "Good leads lost to nurture (leads, total over 24 weeks)",
                &|x| 1500.0 * x * x,
            ),
            panel(
                "Irreversible low-fit sends (emails, total over 24 weeks)",
                &|x| 400.0 * (1.0 - x),
            ),
            panel("Review wait, mean (h)", &|x| 0.07 + 0.01 * x),
        ]
    }

    /// The x pixels of the vertical dashes (3-pixel `<polyline>`s) of
    /// `color`.
    fn dash_columns(svg: &str, color: &str) -> Vec<i64> {
        let mut xs: Vec<i64> = svg
            .split('<')
            .filter(|t| {
                t.starts_with("polyline ")
                    && t.contains(&format!("stroke=\"{color}\""))
                    && t.contains("stroke-width=\"3\"")
            })
            .filter_map(|t| {
                let points = attr(t, "points")?;
                let xs: Vec<&str> = points
                    .split_whitespace()
                    .map(|p| p.split(',').next().unwrap())
                    .collect();
                (xs.len() == 2 && xs[0] == xs[1]).then(|| xs[0].parse().unwrap())
            })
            .collect();
        xs.sort_unstable();
        xs.dedup();
        xs
    }

    #[test]
    fn the_tradeoff_marks_the_chosen_point_and_shades_infeasible_ones() {
        let xs: Vec<f64> = (0..7).map(|i| 0.2 + 0.1 * f64::from(i)).collect();
        let c = tradeoff(
            "gate.nurture_below",
            xs.clone(),
            sweep_panels(&xs),
            Some(2),
            None,
            vec![false, false, true, true, true, true, true],
        )
        .unwrap();
        assert!(c.svg.contains("chosen"));
        assert!(c.svg.contains("Hours saved per rep-week (h/rep-week)"));
        assert!(c.svg.contains("gate.nurture_below"));
        // The infeasible points' shading (plotters writes colours in upper case).
        assert!(c.svg.contains("#E1E1E1"));
        assert!(!c.svg.contains("shown"), "no slider marker unless asked");
        let m = c.x_mapping.unwrap();
        assert!(m.pixels.0 < m.pixels.1 && m.data.0 < 0.2 && m.data.1 > 0.8);
    }

    #[test]
    fn the_shown_point_crosses_every_trade_off_panel_with_its_value() {
        let xs: Vec<f64> = (0..7).map(|i| 0.2 + 0.1 * f64::from(i)).collect();
        let panels = sweep_panels(&xs);
        for shown in [0, 2, 6] {
            let c = tradeoff(
                "gate.nurture_below",
                xs.clone(),
                panels.clone(),
                Some(2),
                Some(shown),
                vec![true; 7],
            )
            .unwrap();
            // A dashed black line in each of the three columns of panels.
            let columns = dash_columns(&c.svg, "#1E1E1E");
            assert_eq!(columns.len(), 3, "shown {shown}: {columns:?}");
            // Its value at the top of every panel, and in the legend.
            let value = format!("{:.1}", xs[shown]);
            let labels = marks(&c.svg)
                .into_iter()
                .filter(|m| matches!(m, Mark::Text(t, _) if *t == value))
                .count();
            // Six panels' markers plus the tick under each panel.
            assert_eq!(labels, 12, "shown {shown}");
            assert!(c
                .svg
                .contains(&format!("shown: gate.nurture_below = {value}")));
            assert_no_collisions(&[c]);
        }
    }

    fn swing(label: &str, low: f64, high: f64, assumed: bool, settings: (&str, &str)) -> Swing {
        Swing {
            label: label.into(),
            low,
            high,
            assumed,
            settings: (settings.0.into(), settings.1.into()),
            note: if assumed {
                "assumed".into()
            } else {
                String::new()
            },
        }
    }

    /// A sensitivity's rows at a canonical run's magnitudes, with the long
    /// readable labels the report gives them.
    fn swings() -> Vec<Swing> {
        vec![
            swing("reps: count", 15.37, 10.25, true, ("8", "12")),
            swing(
                "arrivals: leads per week",
                9.87,
                14.74,
                false,
                ("480", "720"),
            ),
            swing(
                "enrichment: manual lookup time (scale)",
                11.01,
                13.58,
                false,
                ("x0.8", "x1.2"),
            ),
            swing(
                "lookup: manual research time (scale)",
                11.48,
                13.11,
                false,
                ("x0.8", "x1.2"),
            ),
            swing(
                "baseline: manual triage drops leads scoring below",
                12.85,
                11.93,
                true,
                ("0.36", "0.54"),
            ),
            swing(
                "enrichment provider 1 (Apollo-like): match rate",
                11.93,
                12.64,
                false,
                ("0.48", "0.72"),
            ),
            swing(
                "scoring: manual scoring time (scale)",
                11.98,
                12.61,
                true,
                ("x0.8", "x1.2"),
            ),
            swing(
                "gate: send to nurture below score",
                12.04,
                12.51,
                true,
                ("0.36", "0.54"),
            ),
            swing(
                "mid-market segment: fit Beta β",
                12.47,
                12.19,
                false,
                ("4.0", "6.0"),
            ),
            swing(
                "mid-market segment: fit Beta α",
                12.21,
                12.41,
                false,
                ("1.6", "2.4"),
            ),
            swing(
                "review: duration of one review (scale)",
                12.38,
                12.21,
                false,
                ("x0.8", "x1.2"),
            ),
            swing(
                "reps: share of the week on other work",
                12.34,
                12.28,
                true,
                ("0.48", "0.72"),
            ),
            swing(
                "nurture: interval between touches",
                12.31,
                12.30,
                true,
                ("5.6d", "1.2w"),
            ),
            // Both settings on one side of the base.
            swing(
                "review: drafts expire unreviewed after",
                12.33,
                12.31,
                true,
                ("2.4d", "3.6d"),
            ),
            swing(
                "email: follow-up interval",
                12.30,
                12.30,
                false,
                ("2.4d", "3.6d"),
            ),
        ]
    }

    #[test]
    fn the_tornado_writes_settings_and_values_at_the_bar_ends() {
        let c = tornado("Hours saved per rep-week (h/rep-week)", 12.30, swings()).unwrap();
        for text in [
            "reps: count (assumed)",
            "arrivals: leads per week",
            "8: 15.37",
            "12: 10.25",
            "x0.8: 11.01",
            "x1.2: 13.58",
            "base: 12.30",
            "low setting",
            "lighter: assumed (no cited source)",
        ] {
            assert!(c.svg.contains(text), "{text}");
        }
        assert!(!c.svg.contains("arrivals: leads per week (assumed)"));
        // The long label wraps onto two lines rather than running off.
        assert!(c
            .svg
            .contains("baseline: manual triage drops leads scoring"));
        assert_no_collisions(std::slice::from_ref(&c));
        assert_eq!(png_size(&c.png), SIZE);
    }

    /// A comparison's forest at a canonical-versus-autonomous report's
    /// magnitudes, with a third scenario.
    fn forest_panels() -> Vec<ForestPanel> {
        let d = |mean: f64, low: f64, high: f64| Band { mean, low, high };
        let rows = |a: Band, b: Band| {
            vec![
                ("ai-sdr-autonomous".to_string(), a),
                ("enterprise-heavy".to_string(), b),
            ]
        };
        vec![
            ForestPanel {
                metric: "Hours saved per rep-week (h/rep-week)".into(),
                rows: rows(d(0.38, 0.36, 0.39), d(-0.02, -0.06, 0.02)),
            },
            ForestPanel {
                metric: "Emails sent (emails, total over 24 weeks)".into(),
                rows: rows(d(-1383.0, -1410.4, -1355.6), d(161.0, 147.3, 174.7)),
            },
            ForestPanel {
                metric: "Meetings booked (meetings, total over 24 weeks)".into(),
                rows: rows(d(-4.6, -7.46, -1.74), d(0.4, -1.08, 1.9)),
            },
            ForestPanel {
                metric: "Good leads lost to nurture (leads, total over 24 weeks)".into(),
                rows: rows(d(-0.4, -1.08, 0.28), d(508.6, 475.7, 541.5)),
            },
            ForestPanel {
                metric: "Irreversible low-fit sends (emails, total over 24 weeks)".into(),
                rows: rows(d(-90.68, -94.62, -86.73), d(-4.96, -7.04, -2.88)),
            },
            ForestPanel {
                metric: "Review wait, mean (h)".into(),
                rows: rows(d(93.21, 6.52, 179.9), d(-0.03, -0.03, -0.03)),
            },
        ]
    }

    #[test]
    fn the_forest_shows_each_difference_against_a_zero_line() {
        let c = forest(forest_panels()).unwrap();
        assert_eq!(c.name, "compare_differences");
        for text in [
            "Emails sent (emails, total over 24 weeks)",
            "ai-sdr-autonomous",
            "enterprise-heavy",
            "-1383",
            "+161",
            "+0.38",
            "scenario minus baseline",
            "95% CI takes in 0",
        ] {
            assert!(c.svg.contains(text), "{text}");
        }
        // The zero line: a vertical black line in each of the six panels.
        let zero_lines = c
            .svg
            .split('<')
            .filter(|t| {
                t.starts_with("polyline ")
                    && t.contains("stroke=\"#1E1E1E\"")
                    && t.contains("stroke-width=\"2\"")
            })
            .filter(|t| {
                let points = attr(t, "points").unwrap();
                let ends: Vec<(f64, f64)> = points
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                // Vertical, and across the panel's rows.
                ends.len() == 2 && ends[0].0 == ends[1].0 && (ends[0].1 - ends[1].1).abs() > 100.0
            })
            .count();
        assert_eq!(zero_lines, 6);
        assert_no_collisions(std::slice::from_ref(&c));
        assert_eq!(png_size(&c.png), SIZE);
    }

    #[test]
    fn thin_segments_of_rep_time_keep_their_labels_clear() {
        let t = rep_time(
            vec![
                ("canonical".into(), [0.5, 0.3, 21.0, 13.2]),
                ("ai-sdr-autonomous".into(), [0.13, 0.35, 21.0, 13.52]),
            ],
            "h",
        )
        .unwrap();
        for text in [
            "preparation: 0.50 h",
            "conversations: 0.30 h",
            "other work: 21.0 h",
            "idle: 13.2 h",
            "Hours per rep-week (h)",
        ] {
            assert!(t.svg.contains(text), "{text}");
        }
        assert_no_collisions(&[t]);
    }

    #[test]
    fn bars_heatmap_and_review_gate_render() {
        let r = rep_hours(vec![("canonical".into(), band(12.6), band(0.4))], "h").unwrap();
        assert!(r.svg.contains("manual process"));
        assert!(r.svg.contains("Prep hours per rep-week (h)"));
        assert!(r.svg.contains("12.6 h"));
        let g = review_gate(
            vec![("< 1h".into(), 90.0), ("1-8h".into(), 10.0)],
            vec![1.0, 2.0, 0.5],
        )
        .unwrap();
        assert!(g.svg.contains("Review backlog (drafts)"));
        assert!(g.svg.contains("90.0%"));
        let h = heatmap(
            "Emails sent (emails)",
            ("gate.nurture_below", vec!["0.3".into(), "0.4".into()]),
            ("reps.count", vec!["4".into(), "8".into()]),
            vec![vec![Some(1.0), Some(2.0)], vec![None, Some(3.0)]],
            Some((1, 1)),
            Some((0, 1)),
        )
        .unwrap();
        assert!(h.svg.contains("reps.count") && h.svg.contains("3.00"));
        // The chosen cell in vermillion, the shown one in black, both
        // outlines only.
        for colour in ["#D55E00", "#1E1E1E"] {
            assert!(
                h.svg.split('<').any(|t| t.starts_with("rect ")
                    && t.contains("fill=\"none\"")
                    && t.contains(&format!("stroke=\"{colour}\""))),
                "{colour}"
            );
        }
        assert!(h
            .svg
            .contains("shown: gate.nurture_below = 0.3, reps.count = 8"));
        assert_no_collisions(&[h]);
    }

    #[test]
    fn the_same_data_draws_the_same_bytes() {
        let a = forest(forest_panels()).unwrap();
        let b = forest(forest_panels()).unwrap();
        assert_eq!(a.svg, b.svg);
        assert_eq!(a.png, b.png);
        let a = tornado("Meetings booked (meetings)", 12.3, swings()).unwrap();
        let b = tornado("Meetings booked (meetings)", 12.3, swings()).unwrap();
        assert_eq!(a.svg, b.svg);
        assert_eq!(a.png, b.png);
    }

    /// A plot that cannot be drawn (as a backend error would leave it).
    struct Broken;

    impl Plot for Broken {
        fn draw<DB: DrawingBackend>(&self, _: &DrawingArea<DB, Shift>) -> DrawResult {
            Err("no room for the legend".into())
        }
    }

    #[test]
    fn a_chart_that_cannot_be_drawn_is_an_error_not_an_empty_picture() {
        let err = render("broken", "Broken", &Broken, None).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        let text = err.to_string();
        assert!(text.contains("charts/broken.svg"), "{text}");
        assert!(text.contains("no room for the legend"), "{text}");
        let err = png((10, 10), &Broken).unwrap_err();
        assert!(err.contains("no room"), "{err}");
    }

    /// A box in SVG pixels: left, top, right, bottom.
    type Bounds = (f64, f64, f64, f64);

    /// What the tests read of an SVG, in drawing order.
    #[derive(Debug, Clone)]
    enum Mark {
        /// A text and its estimated box.
        Text(String, Bounds),
        /// A filled rectangle (bars, cells, legend backgrounds).
        Fill(Bounds),
        /// A circle (dots, markers).
        Circle(Bounds),
    }

    fn attr(tag: &str, name: &str) -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let len = tag[start..].find('"')?;
        Some(tag[start..start + len].to_string())
    }

    fn num(tag: &str, name: &str) -> f64 {
        attr(tag, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {tag}"))
    }

    /// The box of a `<text>` tag holding `text`. The estimate, stated: a
    /// glyph is `0.55 x font-size` wide and a line `font-size` high, its
    /// baseline `0.76 em` below the top (plotters' `dy` of `0.76em`,
    /// `0.5ex`, `-0.5ex` for top, centre and bottom anchors; an ex taken as
    /// `0.55 em`); `rotate(a, cx, cy)` turns the box about its anchor.
    fn text_bounds(tag: &str, text: &str) -> Bounds {
        let (x, y, size) = (num(tag, "x"), num(tag, "y"), num(tag, "font-size"));
        let w = text.chars().count() as f64 * size * 0.55;
        let ex = 0.55 * size;
        let baseline = y + match attr(tag, "dy").as_deref() {
            Some("0.76em") => 0.76 * size,
            Some("0.5ex") => 0.5 * ex,
            Some("-0.5ex") => -0.5 * ex,
            other => panic!("unknown dy {other:?}"),
        };
        let (l, r) = match attr(tag, "text-anchor").as_deref() {
            Some("start") => (x, x + w),
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            Some("end") => (x - w, x),
            other => panic!("unknown anchor {other:?}"),
        };
        let (t, b) = (baseline - 0.76 * size, baseline + 0.24 * size);
        let Some(tr) = attr(tag, "transform") else {
            return (l, t, r, b);
        };
        let args: Vec<f64> = tr
            .trim_start_matches("rotate(")
            .trim_end_matches(')')
            .split(',')
            .map(|v| v.trim().parse().unwrap())
            .collect();
        let (a, cx, cy) = (args[0].to_radians(), args[1], args[2]);
        let turn = |px: f64, py: f64| {
            let (dx, dy) = (px - cx, py - cy);
            (
                cx + dx * a.cos() - dy * a.sin(),
                cy + dx * a.sin() + dy * a.cos(),
            )
        };
        let corners = [turn(l, t), turn(r, t), turn(l, b), turn(r, b)];
        let (xs, ys) = (corners.map(|c| c.0), corners.map(|c| c.1));
        (
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            ys.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    }

    /// The non-empty texts, filled rectangles and circles of an SVG, in
    /// the order drawn.
    fn marks(svg: &str) -> Vec<Mark> {
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            let close = rest.find('>').expect("a tag closes");
            let tag = &rest[..close];
            if tag.starts_with("<text ") {
                let end = rest.find("</text>").expect("a text element ends");
                let text = rest[close + 1..end]
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                if !text.is_empty() {
                    out.push(Mark::Text(text.clone(), text_bounds(tag, &text)));
                }
                rest = &rest[end..];
            } else if tag.starts_with("<rect ") && attr(tag, "fill").as_deref() != Some("none") {
                let (x, y) = (num(tag, "x"), num(tag, "y"));
                out.push(Mark::Fill((
                    x,
                    y,
                    x + num(tag, "width"),
                    y + num(tag, "height"),
                )));
                rest = &rest[close..];
            } else if tag.starts_with("<circle ") {
                let (x, y, r) = (num(tag, "cx"), num(tag, "cy"), num(tag, "r"));
                out.push(Mark::Circle((x - r, y - r, x + r, y + r)));
                rest = &rest[close..];
            } else {
                rest = &rest[close..];
            }
        }
        out
    }

    /// Two boxes share more than a pixel both ways.
    fn overlap(a: &Bounds, b: &Bounds) -> bool {
        a.2.min(b.2) - a.0.max(b.0) > 1.0 && a.3.min(b.3) - a.1.max(b.1) > 1.0
    }

    /// What makes a text of `chart` unreadable: another text over it, a
    /// marker (circle) through it, a filled box drawn over it (a legend),
    /// or the picture's edge cutting it.
    fn collisions(chart: &Chart) -> Vec<String> {
        let marks = marks(&chart.svg);
        let mut out = Vec::new();
        for (i, m) in marks.iter().enumerate() {
            let Mark::Text(text, a) = m else { continue };
            if a.0 < -1.0
                || a.1 < -1.0
                || a.2 > f64::from(SIZE.0) + 1.0
                || a.3 > f64::from(SIZE.1) + 1.0
            {
                out.push(format!("{}: {text:?} {a:?} leaves the picture", chart.name));
            }
            for (j, other) in marks.iter().enumerate() {
                match other {
                    Mark::Text(t, b) if j > i && overlap(a, b) => out.push(format!(
                        "{}: {text:?} {a:?} overlaps {t:?} {b:?}",
                        chart.name
                    )),
                    Mark::Circle(b) if overlap(a, b) => out.push(format!(
                        "{}: a marker {b:?} runs through {text:?} {a:?}",
                        chart.name
                    )),
                    Mark::Fill(b) if j > i && overlap(a, b) => {
                        out.push(format!("{}: a box {b:?} covers {text:?} {a:?}", chart.name))
                    }
                    _ => {}
                }
            }
        }
        out
    }

    fn assert_no_collisions(charts: &[Chart]) {
        let all: Vec<String> = charts.iter().flat_map(collisions).collect();
        assert!(
            all.is_empty(),
            "{} collisions:\n{}",
            all.len(),
            all.join("\n")
        );
    }

    /// The numbers written as x tick labels (centred, hanging below the
    /// axis) of an SVG.
    fn x_ticks(svg: &str) -> Vec<f64> {
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(at) = rest.find("<text ") {
            rest = &rest[at..];
            let close = rest.find('>').unwrap();
            let tag = &rest[..close];
            let end = rest.find("</text>").unwrap();
            let text = rest[close + 1..end].trim();
            if attr(tag, "text-anchor").as_deref() == Some("middle")
                && attr(tag, "dy").as_deref() == Some("0.76em")
                && attr(tag, "transform").is_none()
            {
                if let Ok(v) = text.parse::<f64>() {
                    out.push(v);
                }
            }
            rest = &rest[end..];
        }
        out
    }

    #[test]
    fn the_tradeoff_ticks_sit_at_the_swept_values_each_once() {
        let xs: Vec<f64> = (0..7).map(|i| 0.3 + 0.05 * f64::from(i)).collect();
        let panel = |name: &str| {
            (
                name.to_string(),
                xs.iter()
                    .map(|x| band(1000.0 + 500.0 * x))
                    .collect::<Vec<_>>(),
            )
        };
        let c = tradeoff(
            "gate.nurture_below",
            xs.clone(),
            vec![
                panel("Emails sent (emails)"),
                panel("Meetings booked (meetings)"),
            ],
            None,
            None,
            vec![true; 7],
        )
        .unwrap();
        let mut ticks = x_ticks(&c.svg);
        ticks.sort_by(f64::total_cmp);
        let mut want: Vec<f64> = xs.iter().chain(&xs).copied().collect();
        want.sort_by(f64::total_cmp);
        assert_eq!(ticks.len(), want.len(), "{ticks:?}");
        for (t, w) in ticks.iter().zip(&want) {
            assert!((t - w).abs() < 1e-9, "{ticks:?}");
        }
    }

    #[test]
    fn no_text_is_overlapped_covered_or_cut_in_the_charts_of_each_command() {
        let rep_hours_of = |n: usize| {
            rep_hours(
                ["canonical", "ai-sdr-autonomous", "enterprise-heavy"][..n]
                    .iter()
                    .map(|g| {
                        (
                            g.to_string(),
                            Band {
                                mean: 12.7,
                                low: 12.55,
                                high: 12.85,
                            },
                            Band {
                                mean: 0.5,
                                low: 0.47,
                                high: 0.53,
                            },
                        )
                    })
                    .collect(),
                "h",
            )
            .unwrap()
        };
        let rep_time_of = |n: usize| {
            rep_time(
                [
                    ("canonical", [0.5, 0.3, 21.0, 13.2]),
                    ("ai-sdr-autonomous", [0.13, 0.35, 21.0, 13.52]),
                    ("enterprise-heavy", [1.2, 0.9, 21.0, 11.9]),
                ][..n]
                    .iter()
                    .map(|(g, parts)| (g.to_string(), *parts))
                    .collect(),
                "h",
            )
            .unwrap()
        };
        let gate = review_gate(
            vec![
                ("< 1 h".into(), 1580.0),
                ("1-8 h".into(), 2.0),
                ("8-24 h".into(), 5.0),
                ("1-3 d".into(), 0.0),
                ("> 3 d".into(), 0.0),
            ],
            (0..26)
                .map(|w| if w % 5 == 4 { 0.2 } else { 0.0 })
                .collect(),
        )
        .unwrap();
        let xs: Vec<f64> = (0..7).map(|i| 0.2 + 0.1 * f64::from(i)).collect();
        let fine: Vec<f64> = (0..25).map(|i| 0.2 + 0.025 * f64::from(i)).collect();
        let cells: Vec<String> = xs.iter().map(|x| format!("{x:.1}")).collect();
        let reps: Vec<String> = (6..=12).map(|r| r.to_string()).collect();
        let run = vec![
            weekly(vec![group("canonical")]).unwrap(),
            rep_hours_of(1),
            rep_time_of(1),
            gate.clone(),
        ];
        let sweep = vec![
            tradeoff(
                "gate.nurture_below",
                xs.clone(),
                sweep_panels(&xs),
                Some(2),
                Some(5),
                vec![false, false, true, true, true, true, true],
            )
            .unwrap(),
            tradeoff(
                "gate.nurture_below",
                fine.clone(),
                sweep_panels(&fine),
                Some(24),
                Some(0),
                vec![true; 25],
            )
            .unwrap(),
            heatmap(
                "Meetings booked (meetings, total over 24 weeks)",
                ("gate.nurture_below", cells.clone()),
                ("reps.count", reps.clone()),
                reps.iter()
                    .enumerate()
                    .map(|(j, _)| {
                        xs.iter()
                            .map(|x| Some(40.0 - 45.0 * x + j as f64))
                            .collect()
                    })
                    .collect(),
                Some((2, 3)),
                Some((2, 3)),
            )
            .unwrap(),
        ];
        let compare = vec![
            weekly(vec![group("canonical"), group("ai-sdr-autonomous")]).unwrap(),
            weekly(vec![
                group("canonical"),
                group("ai-sdr-autonomous"),
                group("enterprise-heavy"),
            ])
            .unwrap(),
            rep_hours_of(2),
            rep_hours_of(3),
            rep_time_of(2),
            rep_time_of(3),
            forest(forest_panels()).unwrap(),
            forest(forest_panels()[..2].to_vec()).unwrap(),
        ];
        let sensitivity = vec![
            tornado("Hours saved per rep-week (h/rep-week)", 12.30, swings()).unwrap(),
            tornado(
                "Meetings booked (meetings, total over 24 weeks)",
                22.8,
                swings()
                    .into_iter()
                    .map(|s| Swing {
                        low: s.low * 1.8,
                        high: s.high * 1.8,
                        ..s
                    })
                    .collect(),
            )
            .unwrap(),
        ];
        for charts in [run, sweep, compare, sensitivity] {
            assert_no_collisions(&charts);
        }
    }
}
