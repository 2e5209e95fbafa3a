//! The report's charts, pure: plain data in, SVG text and PNG bytes out, at
//! slide size (1600x900), in the embedded font and a colour-blind-safe
//! palette (Okabe-Ito), titled, axes labelled with units from the metric
//! registry.

use plotters::coord::Shift;
use plotters::element::{ErrorBar, Polygon};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::{ensure_font, FONT};
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

/// Axis numbers with as many decimals as the range needs.
pub(crate) fn tick(v: &f64, span: f64) -> String {
    if span >= 20.0 {
        format!("{v:.0}")
    } else if span >= 2.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
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
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-6);
    (if zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// Weekly lines with bands, one panel per group (one group for a run, one
/// per scenario in a comparison).
pub struct Weekly {
    /// Panels: a title and its series.
    pub panels: Vec<(String, Vec<Series>)>,
    /// The y axis label, with its unit.
    pub y_label: String,
}

impl Plot for Weekly {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, "Weekly volumes: outreach and nurture")?;
        let panels = area.split_evenly((1, self.panels.len().max(1)));
        let all = || {
            self.panels
                .iter()
                .flat_map(|(_, s)| s)
                .flat_map(|s| &s.points)
        };
        let (_, y_max) = range(all().map(|b| b.high), true);
        for (panel, (title, series)) in panels.iter().zip(&self.panels) {
            let weeks = series.first().map_or(1, |s| s.points.len()).max(2) as f64;
            let mut chart = ChartBuilder::on(panel)
                .caption(title, style(28.0))
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
                .y_desc(self.y_label.as_str())
                .axis_desc_style(style(26.0))
                .label_style(style(22.0))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(err)?;
            for (i, s) in series.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
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
                    .map_err(err)?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(5))
                    });
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(GREY)
                .label_font(style(22.0))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(err)?;
        }
        Ok(())
    }
}

/// Weekly volumes: a chart of lines with their bands.
pub fn weekly(panels: Vec<(String, Vec<Series>)>, y_label: &str) -> Result<Chart> {
    let plot = Weekly {
        panels,
        y_label: y_label.to_string(),
    };
    render(
        "weekly_volumes",
        "Weekly volumes: outreach and nurture",
        &plot,
        None,
    )
}

/// Pairs of bars with error bars (a group per scenario).
pub struct PairedBars {
    title: String,
    y_label: String,
    /// Group label and its bars (label, band).
    groups: Vec<(String, Vec<(String, Band)>)>,
}

impl Plot for PairedBars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let per = self.groups.first().map_or(1, |g| g.1.len()).max(1);
        let n = self.groups.len().max(1) as f64;
        let (_, y_max) = range(
            self.groups
                .iter()
                .flat_map(|g| g.1.iter().map(|b| b.1.high)),
            true,
        );
        let mut chart = ChartBuilder::on(&area)
            .margin(30)
            .x_label_area_size(80)
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
            for (i, (label, b)) in bars.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let x0 = g as f64 + 0.15 + width * i as f64;
                let bar = chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x0 + width * 0.92, b.mean)],
                        color.filled(),
                    )))
                    .map_err(err)?;
                if g == 0 {
                    bar.label(label.as_str()).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 8), (x + 24, y + 8)], color.filled())
                    });
                }
                chart
                    .draw_series(std::iter::once(ErrorBar::new_vertical(
                        x0 + width * 0.46,
                        b.low,
                        b.mean,
                        b.high,
                        INK.stroke_width(3),
                        24,
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{:.1}", b.mean),
                        (x0 + width * 0.46, b.high),
                        style(24.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )))
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(style(24.0))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// Rep hours per rep-week on outbound preparation: the manual process beside
/// the simulated pipeline, with 95% CIs, a pair per scenario.
pub fn rep_hours(groups: Vec<(String, Band, Band)>, unit: &str) -> Result<Chart> {
    let plot = PairedBars {
        title: "Rep hours on outbound preparation".into(),
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
    };
    render("rep_hours", &plot.title.clone(), &plot, None)
}

/// Stacked bars: rep time per week split into preparation, conversations
/// and idle, a bar per scenario or point.
pub struct Stacked {
    groups: Vec<(String, [f64; 4])>,
    y_label: String,
}

impl Plot for Stacked {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(
            root,
            "Rep time per week: preparation, conversations, other work, idle",
        )?;
        let n = self.groups.len().max(1) as f64;
        let y_max = self
            .groups
            .iter()
            .map(|g| g.1.iter().sum::<f64>())
            .fold(1.0, f64::max)
            * 1.1;
        let mut chart = ChartBuilder::on(&area)
            .margin(30)
            .x_label_area_size(80)
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
            .axis_desc_style(style(26.0))
            .label_style(style(24.0))
            .draw()
            .map_err(err)?;
        let names = ["preparation", "conversations", "other work", "idle"];
        for (k, name) in names.iter().enumerate() {
            let color = [
                PALETTE[0],
                PALETTE[1],
                RGBColor(150, 150, 150),
                RGBColor(225, 225, 225),
            ][k];
            let bars = self.groups.iter().enumerate().map(|(g, (_, parts))| {
                let base: f64 = parts[..k].iter().sum();
                Rectangle::new(
                    [(g as f64 + 0.2, base), (g as f64 + 0.8, base + parts[k])],
                    color.filled(),
                )
            });
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 8), (x + 24, y + 8)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(style(24.0))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// Rep time per rep-week, stacked: preparation, conversations, other work,
/// idle.
pub fn rep_time(groups: Vec<(String, [f64; 4])>, unit: &str) -> Result<Chart> {
    let plot = Stacked {
        groups,
        y_label: format!("Hours per rep-week ({unit})"),
    };
    render(
        "rep_time",
        "Rep time per week: preparation, conversations, other work, idle",
        &plot,
        None,
    )
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
            .build_cartesian_2d(0.0..n, 0.0..100.0)
            .map_err(err)?;
        let labels: Vec<String> = self.bands.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.bands.len() * 2 + 1)
            .x_label_formatter(&|x| category(labels.as_slice(), *x))
            .x_desc("wait from queueing to review (calendar time)")
            .y_desc("Share of reviews (%)")
            .axis_desc_style(style(24.0))
            .label_style(style(20.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(self.bands.iter().enumerate().map(|(i, (_, c))| {
                Rectangle::new(
                    [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, 100.0 * c / total)],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(err)?;
        let weeks = self.backlog.len().max(2) as f64;
        let (_, y_max) = range(self.backlog.iter().copied(), true);
        let mut chart = ChartBuilder::on(&right)
            .caption("Drafts waiting at each week's end", style(28.0))
            .margin(20)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(1.0..weeks, 0.0..y_max.max(1.0))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("week")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| tick(y, y_max))
            .y_desc("Review backlog (drafts)")
            .axis_desc_style(style(24.0))
            .label_style(style(20.0))
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

/// A sweep's trade-off: metrics against the swept parameter.
pub struct Tradeoff {
    x_label: String,
    xs: Vec<f64>,
    panels: Vec<(String, Vec<Band>)>,
    chosen: Option<usize>,
    feasible: Vec<bool>,
}

impl Plot for Tradeoff {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, "Trade-off across the sweep")?;
        let cols = 3;
        let rows = self.panels.len().div_ceil(cols).max(1);
        let panels = area.split_evenly((rows, cols));
        let (x0, x1) = range(self.xs.iter().copied(), false);
        for (panel, (label, bands)) in panels.iter().zip(&self.panels) {
            let (y0, y1) = range(bands.iter().flat_map(|b| [b.low, b.high]), true);
            let mut chart = ChartBuilder::on(panel)
                .caption(label, style(24.0))
                .margin(12)
                .x_label_area_size(55)
                .y_label_area_size(90)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(err)?;
            // Infeasible points shaded, behind everything.
            let half = if self.xs.len() > 1 {
                (self.xs[1] - self.xs[0]).abs() / 2.0
            } else {
                0.5
            };
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
                .x_desc(self.x_label.as_str())
                .x_label_formatter(&|x| tick(x, (x1 - x0) * 10.0))
                .y_label_formatter(&|y| tick(y, y1 - y0))
                .axis_desc_style(style(20.0))
                .label_style(style(18.0))
                .light_line_style(RGBColor(238, 238, 238))
                .draw()
                .map_err(err)?;
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
            if let Some(c) = self.chosen {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (self.xs[c], bands[c].mean),
                        9,
                        PALETTE[3].filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        "chosen",
                        (self.xs[c], bands[c].mean),
                        style(20.0)
                            .color(&PALETTE[3])
                            .pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// Where x data values land in the first panel of a trade-off chart, for a
/// marker moved by the page's script (pixels of the SVG's 1600 width).
fn tradeoff_mapping(xs: &[f64], panels: usize) -> XMapping {
    let (x0, x1) = range(xs.iter().copied(), false);
    let cols: f64 = 3.0;
    let panel_w = SIZE.0 as f64 / cols.min(panels.max(1) as f64).max(1.0);
    // Plot area of a panel: margin 12 + y label area 90 on the left, 12 on
    // the right.
    let left = 12.0 + 90.0;
    let right = panel_w - 12.0;
    let px = |x: f64| left + (x - x0) / (x1 - x0) * (right - left);
    XMapping {
        pixels: (px(x0), px(x1)),
        data: (x0, x1),
    }
}

/// The trade-off chart of a sweep: one panel per (label with unit, bands).
pub fn tradeoff(
    x_label: &str,
    xs: Vec<f64>,
    panels: Vec<(String, Vec<Band>)>,
    chosen: Option<usize>,
    feasible: Vec<bool>,
) -> Result<Chart> {
    let mapping = tradeoff_mapping(&xs, panels.len());
    let plot = Tradeoff {
        x_label: x_label.to_string(),
        xs,
        panels,
        chosen,
        feasible,
    };
    render(
        "sweep_tradeoff",
        "Trade-off across the sweep",
        &plot,
        Some(mapping),
    )
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
}

impl Plot for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let (nx, ny) = (self.xs.len().max(1), self.ys.len().max(1));
        let (lo, hi) = range(self.values.iter().flatten().flatten().copied(), false);
        let mut chart = ChartBuilder::on(&area)
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
                let text = v.map_or("—".to_string(), |v| format!("{v:.2}"));
                let ink = if v.is_some_and(|v| (v - lo) / (hi - lo) > 0.6) {
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
        if let Some((i, j)) = self.chosen {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (i as f64 + 0.03, j as f64 + 0.03),
                        (i as f64 + 0.97, j as f64 + 0.97),
                    ],
                    PALETTE[3].stroke_width(6),
                )))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The heat map of a two-parameter sweep: `values[y][x]`.
pub fn heatmap(
    title: &str,
    (x_label, xs): (&str, Vec<String>),
    (y_label, ys): (&str, Vec<String>),
    values: Vec<Vec<Option<f64>>>,
    chosen: Option<(usize, usize)>,
) -> Result<Chart> {
    let plot = Heatmap {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        xs,
        ys,
        values,
        chosen,
    };
    render("sweep_heatmap", title, &plot, None)
}

/// A row of the tornado: parameter, metric at low and at high, assumed.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The parameter.
    pub label: String,
    /// The metric's mean with the parameter moved down.
    pub low: f64,
    /// The metric's mean with the parameter moved up.
    pub high: f64,
    /// Its value is an assumption, not a cited figure.
    pub assumed: bool,
}

/// The sensitivity tornado.
pub struct Tornado {
    title: String,
    x_label: String,
    base: f64,
    rows: Vec<Swing>,
}

impl Plot for Tornado {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let area = titled(root, &self.title)?;
        let n = self.rows.len().max(1);
        let (lo, hi) = range(
            self.rows
                .iter()
                .flat_map(|r| [r.low, r.high])
                .chain([self.base]),
            false,
        );
        let mut chart = ChartBuilder::on(&area)
            .margin(30)
            .x_label_area_size(70)
            .y_label_area_size(520)
            .build_cartesian_2d(lo..hi, 0.0..n as f64)
            .map_err(err)?;
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                if r.assumed {
                    format!("{} (assumed)", r.label)
                } else {
                    r.label.clone()
                }
            })
            .collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = (y - 0.5).round();
                if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    // The largest swing on top.
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(self.x_label.as_str())
            .axis_desc_style(style(24.0))
            .label_style(style(18.0))
            .draw()
            .map_err(err)?;
        for (k, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            for (v, color) in [(r.low, PALETTE[0]), (r.high, PALETTE[1])] {
                let fill = if r.assumed {
                    color.mix(0.45).filled()
                } else {
                    color.filled()
                };
                let (a, b) = if v < self.base {
                    (v, self.base)
                } else {
                    (self.base, v)
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y + 0.15), (b, y + 0.85)],
                        fill,
                    )))
                    .map_err(err)?;
            }
        }
        let base = self.base;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(base, 0.0), (base, n as f64)],
                INK.stroke_width(2),
            )))
            .map_err(err)?;
        for (label, color) in [
            ("parameter moved down", PALETTE[0]),
            ("parameter moved up", PALETTE[1]),
        ] {
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 8), (x + 24, y + 8)], color.filled())
                });
        }
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(err)?
            .label("lighter: assumed (no cited source)")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 8), (x + 24, y + 8)], GREY.mix(0.45).filled())
            });
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .label_font(style(20.0))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// The tornado of a sensitivity analysis, rows ranked largest first.
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

    #[test]
    fn weekly_volumes_show_every_series_with_axis_units() {
        let series = [
            "leads to outreach",
            "leads to nurture",
            "emails sent",
            "nurture touches",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| Series {
            label: l.to_string(),
            points: (0..26)
                .map(|w| band(100.0 + 10.0 * i as f64 + w as f64))
                .collect(),
        })
        .collect();
        let c = weekly(
            vec![("canonical".into(), series)],
            "Volume per week (leads)",
        )
        .unwrap();
        for text in [
            "Weekly volumes",
            "leads to nurture",
            "nurture touches",
            "week",
            "Volume per week (leads)",
        ] {
            assert!(c.svg.contains(text), "{text}");
        }
        assert_eq!(png_size(&c.png), SIZE);
        assert!(c.svg.contains(FONT), "text is set in the embedded font");
    }

    #[test]
    fn the_tradeoff_marks_the_chosen_point_and_shades_infeasible_ones() {
        let xs: Vec<f64> = (0..7).map(|i| 0.3 + 0.05 * f64::from(i)).collect();
        let panel = |name: &str| {
            (
                name.to_string(),
                xs.iter().map(|x| band(10.0 + x)).collect::<Vec<_>>(),
            )
        };
        let c = tradeoff(
            "gate.nurture_below",
            xs.clone(),
            vec![
                panel("Hours saved per rep-week (h/rep-week)"),
                panel("Emails sent (emails)"),
            ],
            Some(2),
            vec![false, false, true, true, true, true, true],
        )
        .unwrap();
        assert!(c.svg.contains("chosen"));
        assert!(c.svg.contains("Hours saved per rep-week (h/rep-week)"));
        assert!(c.svg.contains("gate.nurture_below"));
        // The infeasible points' shading (plotters writes colours in upper case).
        assert!(c.svg.contains("#E1E1E1"));
        let m = c.x_mapping.unwrap();
        assert!(m.pixels.0 < m.pixels.1 && m.data.0 < 0.3 && m.data.1 > 0.6);
    }

    #[test]
    fn the_tornado_sets_assumed_parameters_apart() {
        let c = tornado(
            "Hours saved per rep-week (h/rep-week)",
            12.2,
            vec![
                Swing {
                    label: "reps.count".into(),
                    low: 15.3,
                    high: 10.2,
                    assumed: true,
                },
                Swing {
                    label: "arrivals.per_week".into(),
                    low: 9.8,
                    high: 14.7,
                    assumed: false,
                },
            ],
        )
        .unwrap();
        assert!(c.svg.contains("reps.count (assumed)"));
        assert!(c.svg.contains("arrivals.per_week"));
        assert!(!c.svg.contains("arrivals.per_week (assumed)"));
        assert_eq!(png_size(&c.png), SIZE);
    }

    #[test]
    fn bars_heatmap_and_review_gate_render() {
        let r = rep_hours(vec![("canonical".into(), band(12.6), band(0.4))], "h").unwrap();
        assert!(r.svg.contains("manual process"));
        assert!(r.svg.contains("Prep hours per rep-week (h)"));
        let t = rep_time(vec![("canonical".into(), [0.4, 0.02, 20.0, 14.5])], "h").unwrap();
        assert!(t.svg.contains("idle"));
        let g = review_gate(
            vec![("< 1h".into(), 90.0), ("1-8h".into(), 10.0)],
            vec![1.0, 2.0, 0.5],
        )
        .unwrap();
        assert!(g.svg.contains("Review backlog (drafts)"));
        let h = heatmap(
            "Emails sent (emails)",
            ("gate.nurture_below", vec!["0.3".into(), "0.4".into()]),
            ("reps.count", vec!["4".into(), "8".into()]),
            vec![vec![Some(1.0), Some(2.0)], vec![None, Some(3.0)]],
            Some((1, 1)),
        )
        .unwrap();
        assert!(h.svg.contains("reps.count") && h.svg.contains("3.00"));
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
}
