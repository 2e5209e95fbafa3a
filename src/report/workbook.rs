//! The workbook `results.xlsx`: a command's results as a planner works with
//! them in a spreadsheet. Numbers are numbers with formats, and the charts
//! are native charts drawn from the sheets' cells (not pictures), so a
//! planner restyles them in the company's colours and they follow an edited
//! number.
//!
//! Built from a [`ReportInput`] (the folder's `report.json`) and nothing
//! else, so `salesim report DIR` rebuilds the same bytes: data in, bytes
//! out. The document's creation date is fixed (the Unix epoch), so two
//! builds of the same input are byte-identical.
//!
//! Sheets: **Summary** (every metric of the shown point by section, with any
//! capacity warning on top), **Charts**, **Weekly** (the weekly series, mean
//! over replications), for experiments **Points** (one row per point) and,
//! for a comparison or a sensitivity analysis, **Differences** (paired
//! differences from the baseline with 95% CIs), and **Parameters** (the base
//! scenario's parameters with their sources).

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartAxisLabelPosition, ChartDataLabel, ChartErrorBars,
    ChartErrorBarsType, ChartLegendPosition, ChartLine, ChartLineDashType, ChartMarker,
    ChartMarkerType, ChartRange, ChartSolidFill, ChartType, ColNum, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, Formula, RowNum, Workbook, Worksheet, XlsxError,
};

use super::{varying, PointReport, ReportInput, SwingReport};
use crate::error::{Error, Result};
use crate::experiment::{Kind, ParamValue};
use crate::metrics::{metric, Format as Shown, Metric, Section, Weekly, METRICS};
use crate::output::table::group_thousands;

/// The workbook's file name in an output folder.
pub const FILE: &str = "results.xlsx";

/// Sheet names, as a planner reads them.
const SUMMARY: &str = "Summary";
const CHARTS: &str = "Charts";
const WEEKLY: &str = "Weekly";
const POINTS: &str = "Points";
const DIFFERENCES: &str = "Differences";
const PARAMETERS: &str = "Parameters";

/// At most this many parameters in the tornado chart (all are on the sheet).
const TORNADO_ROWS: usize = 15;

/// The palette of the report's charts (Okabe-Ito), so both look alike.
const BLUE: &str = "#0072B2";
const ORANGE: &str = "#E69F00";
const GREEN: &str = "#009E73";
const VERMILLION: &str = "#D55E00";
const PURPLE: &str = "#CC79A7";
const GREY: &str = "#B4B4B4";

/// A chart's size in pixels, and the rows it takes (20 pixels a row).
const CHART_WIDTH: u32 = 880;
const CHART_HEIGHT: u32 = 440;

type X<T> = std::result::Result<T, XlsxError>;

/// A Differences sheet and its blocks of rows: a comparison's per metric,
/// a sensitivity analysis's per parameter.
type Differences = (Worksheet, Vec<(RowNum, RowNum)>);

/// The workbook of a command's results, as bytes.
pub fn workbook(input: &ReportInput) -> Result<Vec<u8>> {
    let error = |message: String| Error::Output {
        path: FILE.to_string(),
        message,
    };
    if input.points.is_empty() {
        return Err(error("the report has no points".to_string()));
    }
    build(input).map_err(|e| error(e.to_string()))
}

fn build(input: &ReportInput) -> X<Vec<u8>> {
    let st = Styles::new();
    let (summary, summary_rows) = summary(input, &warnings(input), &st)?;
    let (weekly, blocks) = weekly(input, &st)?;
    let points = match input.kind {
        Kind::Run => None,
        _ => Some(points(input, &st)?),
    };
    let differences = match input.kind {
        Kind::Compare => compare_differences(input, &st)?,
        Kind::Sensitivity => sensitivity_differences(input, &st)?,
        _ => None,
    };
    let layout = Layout {
        summary_rows,
        weekly: blocks,
        points: points.as_ref().map(|(_, grid)| *grid),
        differences: differences.as_ref().map(|(_, rows)| rows.clone()),
    };
    let charts = charts(input, &layout, &st)?;
    let mut wb = Workbook::new();
    let properties = DocProperties::new()
        .set_title(format!("{}: {} results", input.name, input.kind))
        .set_comment("Written by salesim; the charts are drawn from the sheets' cells.")
        .set_creation_datetime(&ExcelDateTime::from_ymd(1970, 1, 1)?);
    wb.set_properties(&properties);
    wb.push_worksheet(summary);
    wb.push_worksheet(charts);
    wb.push_worksheet(weekly);
    if let Some((sheet, _)) = points {
        wb.push_worksheet(sheet);
    }
    if let Some((sheet, _)) = differences {
        wb.push_worksheet(sheet);
    }
    wb.push_worksheet(parameters(input, &st)?);
    wb.save_to_buffer()
}

/// Where the charts find their cells.
struct Layout {
    /// The Summary sheet's row of each metric.
    summary_rows: Vec<RowNum>,
    /// Each point's first and last row on the Weekly sheet.
    weekly: Vec<(RowNum, RowNum)>,
    /// The Points sheet's grid (experiments).
    points: Option<Grid>,
    /// The Differences sheet's rows: per metric for a comparison, the
    /// ranked parameters for a sensitivity analysis.
    differences: Option<Vec<(RowNum, RowNum)>>,
}

/// The Points sheet: point `p`'s row is `first + p`; metric `i`'s mean is
/// in column `metrics + 3 i`, its CI in the two after.
#[derive(Debug, Clone, Copy)]
struct Grid {
    first: RowNum,
    metrics: ColNum,
}

impl Grid {
    fn row(&self, p: usize) -> RowNum {
        self.first + p as RowNum
    }

    fn mean(&self, i: usize) -> ColNum {
        self.metrics + 3 * i as ColNum
    }
}

// ----- styles and numbers ----------------------------------------------------

/// The cell formats of the workbook.
struct Styles {
    title: Format,
    note: Format,
    header: Format,
    /// A header over several columns, wrapped and centred.
    group: Format,
    section: Format,
    warning: Format,
    text: Format,
    /// Text beside a column of numbers, set off from them.
    meaning: Format,
    assumed: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color("#555555"),
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF4")
                .set_border_bottom(FormatBorder::Thin),
            group: Format::new()
                .set_bold()
                .set_background_color("#E8EEF4")
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin),
            section: Format::new().set_bold().set_background_color("#D5E2EE"),
            warning: Format::new()
                .set_bold()
                .set_font_color("#9C0006")
                .set_background_color("#FFC7CE")
                .set_border(FormatBorder::Medium)
                .set_border_color("#9C0006")
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            text: Format::new(),
            meaning: Format::new().set_indent(1),
            assumed: Format::new().set_bold().set_font_color("#A15C00"),
        }
    }
}

/// How a column of numbers is shown, from the metric registry's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    /// Counts with thousands separators and no decimals.
    Whole,
    /// Small counts: one decimal.
    Tenths,
    /// Hours, money, ratios.
    Hundredths,
    /// Shares and loads, as a percentage.
    Percent,
}

impl Num {
    /// The format of metric `m` for `values`: a count shows no decimals
    /// when every value is whole or one is large (as the terminal table).
    fn of(m: &Metric, values: impl IntoIterator<Item = f64>) -> Num {
        match m.format {
            Shown::Share => Num::Percent,
            Shown::Fixed2 => Num::Hundredths,
            Shown::Count => {
                let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
                if v.iter().all(|x| x.fract() == 0.0) || v.iter().any(|x| x.abs() >= 100.0) {
                    Num::Whole
                } else {
                    Num::Tenths
                }
            }
        }
    }

    fn code(self) -> &'static str {
        match self {
            Num::Whole => "#,##0",
            Num::Tenths => "#,##0.0",
            Num::Hundredths => "#,##0.00",
            Num::Percent => "0.0%",
        }
    }

    fn format(self) -> Format {
        Format::new().set_num_format(self.code())
    }

    /// The number as the format shows it, to size its column.
    fn text(self, v: f64) -> String {
        match self {
            Num::Whole => group_thousands(&format!("{v:.0}")),
            Num::Tenths => group_thousands(&format!("{v:.1}")),
            Num::Hundredths => group_thousands(&format!("{v:.2}")),
            Num::Percent => format!("{:.1}%", v * 100.0),
        }
    }
}

/// Metric `i`'s 95% CI at point `p` as the tables write it: undefined
/// below two replications (where the report keeps only the mean).
fn ci(p: &PointReport, i: usize) -> (Option<f64>, Option<f64>) {
    let s = p.metrics[i];
    if s.mean.is_none() || p.n.get(i).is_some_and(|&n| n < 2) {
        return (None, None);
    }
    (s.low, s.high)
}

/// A worksheet that sizes its columns to what is written in them.
struct Sheet {
    ws: Worksheet,
    widths: Vec<usize>,
}

impl Sheet {
    /// A sheet that prints landscape, one page wide, with its name and the
    /// page number in the footer.
    fn new(name: &str) -> X<Sheet> {
        let mut sheet = Sheet::wide(name)?;
        sheet.ws.set_print_fit_to_pages(1, 0);
        Ok(sheet)
    }

    /// A sheet too wide to print on one page's width: it prints at full
    /// size over several pages.
    fn wide(name: &str) -> X<Sheet> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        ws.set_landscape();
        ws.set_footer("&LSheet: &A&RPage &P of &N");
        Ok(Sheet {
            ws,
            widths: Vec::new(),
        })
    }

    fn fit(&mut self, c: ColNum, chars: usize) {
        let c = usize::from(c);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(chars);
    }

    /// Text that sizes its column.
    fn text(&mut self, r: RowNum, c: ColNum, text: &str, f: &Format) -> X<()> {
        self.ws.write_string_with_format(r, c, text, f)?;
        self.fit(c, text.chars().count());
        Ok(())
    }

    /// A line of text that runs over the empty cells to its right.
    fn line(&mut self, r: RowNum, c: ColNum, text: &str, f: &Format) -> X<()> {
        self.ws.write_string_with_format(r, c, text, f)?;
        Ok(())
    }

    /// A header row from column `c` on.
    fn header(&mut self, r: RowNum, c: ColNum, names: &[&str], f: &Format) -> X<()> {
        for (k, name) in names.iter().enumerate() {
            // Bold and the filter button take about two characters more.
            self.ws
                .write_string_with_format(r, c + k as ColNum, *name, f)?;
            self.fit(c + k as ColNum, name.chars().count() + 3);
        }
        Ok(())
    }

    /// A number, or an empty cell when undefined.
    fn number(&mut self, r: RowNum, c: ColNum, v: Option<f64>, num: Num) -> X<()> {
        if let Some(x) = v.filter(|x| x.is_finite()) {
            self.ws.write_number_with_format(r, c, x, &num.format())?;
            self.fit(c, num.text(x).chars().count());
        }
        Ok(())
    }

    /// A formula with its value (for readers that do not calculate), or an
    /// empty cell when the value is undefined.
    fn formula(&mut self, r: RowNum, c: ColNum, formula: &str, v: Option<f64>, num: Num) -> X<()> {
        if let Some(x) = v.filter(|x| x.is_finite()) {
            let f = Formula::new(formula).set_result(x.to_string());
            self.ws.write_formula_with_format(r, c, f, &num.format())?;
            self.fit(c, num.text(x).chars().count());
        }
        Ok(())
    }

    /// A parameter value: a number when it is one.
    fn value(&mut self, r: RowNum, c: ColNum, v: &ParamValue, f: &Format) -> X<()> {
        match v.number() {
            Some(x) => {
                self.ws.write_number(r, c, x)?;
                self.fit(c, v.override_text().chars().count());
                Ok(())
            }
            None => self.text(r, c, &v.to_string(), f),
        }
    }

    /// Freezes the rows above `r` and the columns left of `c`, and puts a
    /// filter on the table whose header is row `header`.
    /// The frozen rows and columns are printed on every page too.
    fn table(&mut self, header: RowNum, last: (RowNum, ColNum), freeze: (RowNum, ColNum)) -> X<()> {
        self.ws.set_freeze_panes(freeze.0, freeze.1)?;
        self.ws.autofilter(header, 0, last.0.max(header), last.1)?;
        self.ws.set_repeat_rows(header, freeze.0 - 1)?;
        if freeze.1 > 0 {
            self.ws.set_repeat_columns(0, freeze.1 - 1)?;
        }
        Ok(())
    }

    /// The worksheet, its columns as wide as their contents (at most `cap`
    /// characters).
    fn done(mut self, cap: usize) -> X<Worksheet> {
        for (c, w) in self.widths.iter().enumerate() {
            let width = (*w).clamp(6, cap) + 2;
            self.ws.set_column_width(c as ColNum, width as f64)?;
        }
        Ok(self.ws)
    }
}

// ----- what is shown -----------------------------------------------------------

/// The capacity warnings of the results for the top of the Summary sheet
/// ([`crate::metrics::capacity_warning`], docs/MODEL.md section 5): a run's
/// own, an experiment's each with the point it is about.
fn warnings(input: &ReportInput) -> Vec<String> {
    input
        .points
        .iter()
        .enumerate()
        .flat_map(|(p, point)| {
            point.warnings.iter().map(move |w| match input.kind {
                Kind::Run => format!("Warning: {w}."),
                _ => format!("Warning, point {p} ({}): {w}.", point.label),
            })
        })
        .collect()
}

/// The point the Summary sheet and the per-point charts show, and a line
/// that says which: a sweep's chosen point (else its first), a
/// comparison's first scenario, a sensitivity's base.
fn shown(input: &ReportInput) -> (usize, String) {
    let label = |p: usize| input.points[p].label.clone();
    match input.kind {
        Kind::Run => (
            0,
            "Mean and 95% confidence interval (Student t) over the replications, in the measured \
             window after the warm-up."
                .to_string(),
        ),
        Kind::Sweep => match (input.chosen, &input.objective) {
            (Some(c), Some(goal)) if c < input.points.len() => (
                c,
                format!(
                    "Showing point {c} ({}), the chosen point ({goal}). Every point is on the {POINTS} sheet.",
                    label(c)
                ),
            ),
            (_, Some(goal)) => (
                0,
                format!(
                    "No point satisfies the constraints ({goal}); showing point 0 ({}). Every point is on the {POINTS} sheet.",
                    label(0)
                ),
            ),
            _ => (
                0,
                format!(
                    "Showing point 0 ({}), the first point of the sweep. Every point is on the {POINTS} sheet.",
                    label(0)
                ),
            ),
        },
        Kind::Compare => (
            0,
            format!(
                "Showing {}, the first scenario: the baseline of the {DIFFERENCES} sheet. Every scenario is on the {POINTS} sheet.",
                label(0)
            ),
        ),
        Kind::Sensitivity => (
            0,
            format!(
                "Showing the base scenario. Every moved parameter's point is on the {POINTS} sheet, the changes on the {DIFFERENCES} sheet."
            ),
        ),
    }
}

/// The points whose weekly volumes and rep hours are charted: every
/// compared scenario, else the shown point.
fn charted(input: &ReportInput) -> Vec<usize> {
    match input.kind {
        Kind::Compare => (0..input.points.len()).collect(),
        _ => vec![shown(input).0],
    }
}

/// The names of a point's values: the swept parameters, a comparison's
/// scenario, a sensitivity's moved parameter and setting.
fn value_names(input: &ReportInput) -> Vec<String> {
    let width = input
        .points
        .iter()
        .map(|p| p.values.len())
        .max()
        .unwrap_or(0);
    let names: Vec<String> = match input.kind {
        Kind::Sweep => input.params.clone(),
        Kind::Compare => vec!["Scenario".into()],
        Kind::Sensitivity => vec!["Parameter".into(), "Setting".into(), "Value".into()],
        Kind::Run => Vec::new(),
    };
    (0..width)
        .map(|k| {
            names
                .get(k)
                .cloned()
                .unwrap_or_else(|| format!("Value {}", k + 1))
        })
        .collect()
}

/// What the command was, for titles.
fn what(input: &ReportInput) -> String {
    let n = input.points.len();
    match input.kind {
        Kind::Run => "run".to_string(),
        Kind::Sweep => format!("sweep of {n} points"),
        Kind::Compare => format!("comparison of {n} scenarios"),
        Kind::Sensitivity => match &input.sensitivity {
            Some((name, _)) => format!("sensitivity of {name}"),
            None => "sensitivity".to_string(),
        },
    }
}

// ----- sheets ------------------------------------------------------------------

/// The Summary sheet: title lines, warnings, then every metric of the shown
/// point under its section; returns the sheet and each metric's row.
fn summary(input: &ReportInput, warnings: &[String], st: &Styles) -> X<(Worksheet, Vec<RowNum>)> {
    let (s, which) = shown(input);
    let p = &input.points[s];
    let mut sh = Sheet::new(SUMMARY)?;
    let title = format!(
        "{}: {}, {} replications, seed {}",
        input.name,
        what(input),
        input.replications,
        input.seed
    );
    sh.line(0, 0, &title, &st.title)?;
    sh.ws.set_row_height(0, 21)?;
    sh.line(1, 0, &input.description, &st.note)?;
    sh.line(2, 0, &which, &st.note)?;
    let mut r: RowNum = 3;
    let last_col: ColNum = 6;
    for w in warnings {
        r += 1;
        sh.ws.merge_range(r, 0, r, last_col, w, &st.warning)?;
        // About 140 characters fit across the merged columns.
        let lines = w.chars().count() / 140 + 1;
        sh.ws.set_row_height(r, 16.0 * lines as f64 + 6.0)?;
    }
    r += 2;
    let header = r;
    sh.header(
        r,
        0,
        &[
            "Metric",
            "Name",
            "Unit",
            "Mean",
            "95% CI low",
            "95% CI high",
            "Meaning",
        ],
        &st.header,
    )?;
    let mut rows = vec![0; METRICS.len()];
    for section in Section::ALL {
        r += 1;
        sh.line(r, 0, section.title(), &st.section)?;
        for c in 1..=last_col {
            sh.ws.write_blank(r, c, &st.section)?;
        }
        for (i, m) in METRICS
            .iter()
            .enumerate()
            .filter(|(_, m)| m.section == section)
        {
            r += 1;
            let mean = p.metrics[i].mean;
            let (low, high) = ci(p, i);
            let num = Num::of(m, [mean, low, high].into_iter().flatten());
            sh.text(r, 0, m.label, &st.text)?;
            sh.text(r, 1, m.name, &st.text)?;
            sh.text(r, 2, m.unit, &st.text)?;
            sh.number(r, 3, mean, num)?;
            sh.number(r, 4, low, num)?;
            sh.number(r, 5, high, num)?;
            sh.text(r, 6, m.meaning, &st.meaning)?;
            rows[i] = r;
        }
    }
    sh.table(header, (r, last_col), (header + 1, 0))?;
    Ok((sh.done(100)?, rows))
}

/// The header of a weekly count: its name as words (`Leads to outreach`).
fn weekly_header(w: Weekly) -> String {
    let words = w.name().replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The first weekly count's column on the Weekly sheet.
fn weekly_first(input: &ReportInput) -> ColNum {
    match input.kind {
        Kind::Run => 1,
        _ => 3,
    }
}

/// The Weekly sheet: per point (experiments) and week, the mean of every
/// weekly count over the replications; returns each point's rows.
fn weekly(input: &ReportInput, st: &Styles) -> X<(Worksheet, Vec<(RowNum, RowNum)>)> {
    let mut sh = Sheet::new(WEEKLY)?;
    sh.line(
        0,
        0,
        "Weekly counts by event time, mean over the replications; week 1 starts at time 0 \
         (the warm-up weeks are included).",
        &st.note,
    )?;
    let first = weekly_first(input);
    let mut names: Vec<String> = match input.kind {
        Kind::Run => vec!["Week".into()],
        Kind::Compare => vec!["Point".into(), "Scenario".into(), "Week".into()],
        _ => vec!["Point".into(), "Settings".into(), "Week".into()],
    };
    names.extend(Weekly::ALL.iter().map(|w| weekly_header(*w)));
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    sh.header(1, 0, &names, &st.header)?;
    let mut r: RowNum = 1;
    let mut blocks = Vec::new();
    for (p, point) in input.points.iter().enumerate() {
        let weeks = point.weekly.first().map_or(0, Vec::len);
        let start = r + 1;
        for w in 0..weeks {
            r += 1;
            if input.kind != Kind::Run {
                sh.number(r, 0, Some(p as f64), Num::Whole)?;
                sh.text(r, 1, &point.label, &st.text)?;
            }
            sh.number(r, first - 1, Some((w + 1) as f64), Num::Whole)?;
            for (k, count) in point.weekly.iter().enumerate() {
                let mean = count.get(w).map(|v| v[0]);
                sh.number(r, first + k as ColNum, mean, Num::Tenths)?;
            }
        }
        blocks.push((start, r));
    }
    let last_col = first + Weekly::ALL.len() as ColNum - 1;
    sh.table(1, (r, last_col), (2, first))?;
    Ok((sh.done(40)?, blocks))
}

/// The Points sheet: one row per point, its values, whether it is chosen
/// (a sweep with a goal), then each metric's mean and 95% CI.
fn points(input: &ReportInput, st: &Styles) -> X<(Worksheet, Grid)> {
    let mut sh = Sheet::wide(POINTS)?;
    sh.line(
        0,
        0,
        "One row per point: its settings, then every metric's mean and 95% confidence interval \
         over the replications (units in the headers).",
        &st.note,
    )?;
    let mut keys = vec!["Point".to_string()];
    keys.extend(value_names(input));
    let status = input.objective.is_some();
    if status {
        keys.push("Status".to_string());
    }
    let grid = Grid {
        first: 3,
        metrics: keys.len() as ColNum,
    };
    for c in 0..keys.len() {
        sh.ws.write_blank(1, c as ColNum, &st.header)?;
    }
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    sh.header(2, 0, &keys, &st.header)?;
    for (i, m) in METRICS.iter().enumerate() {
        let c = grid.mean(i);
        sh.ws
            .merge_range(1, c, 1, c + 2, &m.axis_label(), &st.group)?;
        sh.header(2, c, &["Mean", "95% CI low", "95% CI high"], &st.header)?;
    }
    sh.ws.set_row_height(1, 45)?;
    let nums: Vec<Num> = METRICS
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let values = input.points.iter().flat_map(|p| {
                let (low, high) = ci(p, i);
                [p.metrics[i].mean, low, high].into_iter().flatten()
            });
            Num::of(m, values)
        })
        .collect();
    for (p, point) in input.points.iter().enumerate() {
        let r = grid.row(p);
        sh.number(r, 0, Some(p as f64), Num::Whole)?;
        for (k, v) in point.values.iter().enumerate() {
            sh.value(r, 1 + k as ColNum, v, &st.text)?;
        }
        if status {
            let text = if input.chosen == Some(p) {
                "chosen"
            } else if !point.feasible {
                "fails a constraint"
            } else {
                ""
            };
            sh.text(r, grid.metrics - 1, text, &st.text)?;
        }
        for (i, num) in nums.iter().enumerate() {
            let (low, high) = ci(point, i);
            let c = grid.mean(i);
            sh.number(r, c, point.metrics[i].mean, *num)?;
            sh.number(r, c + 1, low, *num)?;
            sh.number(r, c + 2, high, *num)?;
        }
    }
    let last = grid.row(input.points.len() - 1);
    sh.table(2, (last, grid.mean(METRICS.len()) - 1), (3, grid.metrics))?;
    // The metrics' names above their columns are printed on every page too;
    // about five metrics fit across a page.
    sh.ws.set_repeat_rows(1, 2)?;
    let pages = METRICS.len().div_ceil(5) as u16;
    sh.ws.set_print_fit_to_pages(pages, 0);
    Ok((sh.done(40)?, grid))
}

/// The columns of a comparison's Differences sheet.
mod diff_col {
    use rust_xlsxwriter::ColNum;
    pub const SCENARIO: ColNum = 3;
    pub const DIFFERENCE: ColNum = 6;
    pub const LOW: ColNum = 7;
    pub const HIGH: ColNum = 8;
    pub const PLUS: ColNum = 9;
    pub const MINUS: ColNum = 10;
}

/// A comparison's Differences sheet: per metric and scenario after the
/// first, the paired difference from the first with its 95% CI, and the
/// error bars' lengths (formulas of those cells). Returns each metric's
/// rows; `None` for a folder written before the workbook, whose report
/// has no differences.
fn compare_differences(input: &ReportInput, st: &Styles) -> X<Option<Differences>> {
    let others = &input.points[1..];
    if others.is_empty() || others.iter().any(|p| p.differences.len() != METRICS.len()) {
        return Ok(None);
    }
    let base = &input.points[0];
    let mut sh = Sheet::new(DIFFERENCES)?;
    sh.line(
        0,
        0,
        &format!(
            "Each scenario minus the baseline {}, paired on common random numbers: the mean of \
             per-replication differences and its 95% CI (Student t). The error bars' lengths \
             are the distances to the CI's ends.",
            base.label
        ),
        &st.note,
    )?;
    sh.header(
        1,
        0,
        &[
            "Metric",
            "Name",
            "Unit",
            "Scenario",
            "Baseline mean",
            "Scenario mean",
            "Difference",
            "95% CI low",
            "95% CI high",
            "Error bar +",
            "Error bar -",
        ],
        &st.header,
    )?;
    let mut r: RowNum = 1;
    let mut blocks = Vec::new();
    for (i, m) in METRICS.iter().enumerate() {
        let start = r + 1;
        let values = others.iter().flat_map(|p| {
            let d = p.differences[i];
            [p.metrics[i].mean, d.mean, d.low, d.high]
        });
        let num = Num::of(m, values.chain([base.metrics[i].mean]).flatten());
        for p in others {
            r += 1;
            let d = p.differences[i];
            sh.text(r, 0, m.label, &st.text)?;
            sh.text(r, 1, m.name, &st.text)?;
            sh.text(r, 2, m.unit, &st.text)?;
            sh.text(r, diff_col::SCENARIO, &p.label, &st.text)?;
            sh.number(r, 4, base.metrics[i].mean, num)?;
            sh.number(r, 5, p.metrics[i].mean, num)?;
            sh.number(r, diff_col::DIFFERENCE, d.mean, num)?;
            sh.number(r, diff_col::LOW, d.low, num)?;
            sh.number(r, diff_col::HIGH, d.high, num)?;
            if let (Some(mean), Some(low), Some(high)) = (d.mean, d.low, d.high) {
                let cell = |c: ColNum| row_col_to_cell(r, c);
                let (dc, lc, hc) = (
                    cell(diff_col::DIFFERENCE),
                    cell(diff_col::LOW),
                    cell(diff_col::HIGH),
                );
                sh.formula(
                    r,
                    diff_col::PLUS,
                    &format!("={hc}-{dc}"),
                    Some(high - mean),
                    num,
                )?;
                sh.formula(
                    r,
                    diff_col::MINUS,
                    &format!("={dc}-{lc}"),
                    Some(mean - low),
                    num,
                )?;
            }
        }
        blocks.push((start, r));
    }
    sh.table(1, (r, diff_col::MINUS), (2, 1))?;
    Ok(Some((sh.done(50)?, blocks)))
}

/// The columns of a sensitivity's Differences sheet.
mod swing_col {
    use rust_xlsxwriter::ColNum;
    pub const PARAMETER: ColNum = 1;
    pub const LOW_CHANGE: ColNum = 7;
    pub const HIGH_CHANGE: ColNum = 10;
    /// The tornado's label: the parameter with its low and high settings.
    pub const LABEL: ColNum = 13;
}

/// The metric's mean at a swing's `setting` (`low` or `high`), read from
/// the point that holds it; the swing's own figure otherwise.
fn at_setting(
    input: &ReportInput,
    i: Option<usize>,
    w: &SwingReport,
    setting: &str,
) -> Option<f64> {
    let point = input.points.iter().find(|p| {
        p.values.first().map(ToString::to_string).as_deref() == Some(w.parameter.as_str())
            && p.values.get(1).map(ToString::to_string).as_deref() == Some(setting)
    });
    match (point, i) {
        (Some(p), Some(i)) => p.metrics[i].mean,
        _ => Some(if setting == "low" { w.low } else { w.high }),
    }
}

/// A sensitivity's Differences sheet: the parameters ranked, each with its
/// settings, the metric at them and the paired changes from the base with
/// 95% CIs. Returns the rows of the parameters.
fn sensitivity_differences(input: &ReportInput, st: &Styles) -> X<Option<Differences>> {
    let Some((name, swings)) = &input.sensitivity else {
        return Ok(None);
    };
    let m = metric(name);
    let i = m.map(Metric::index);
    let base = i.and_then(|i| input.points[0].metrics[i].mean);
    let num = m.map_or(Num::Hundredths, |m| {
        let values = swings.iter().flat_map(|w| {
            let (lo, hi) = &w.changes;
            [lo.mean, lo.low, lo.high, hi.mean, hi.low, hi.high]
        });
        Num::of(m, values.chain([base]).flatten())
    });
    let mut sh = Sheet::new(DIFFERENCES)?;
    let label = m.map_or(name.clone(), Metric::axis_label);
    sh.line(
        0,
        0,
        &format!(
            "{label} at the base: {}. Each parameter moved down and up, one at a time, all others \
             at the base; ranked by the larger absolute change. Changes are paired differences \
             from the base on common random numbers, with 95% CIs.",
            base.map_or("undefined".to_string(), |b| num.text(b))
        ),
        &st.note,
    )?;
    sh.header(
        1,
        0,
        &[
            "Rank",
            "Parameter",
            "Status",
            "Low setting",
            "High setting",
            "At low",
            "At high",
            "Change at low",
            "95% CI low",
            "95% CI high",
            "Change at high",
            "95% CI low",
            "95% CI high",
            "Chart label",
        ],
        &st.header,
    )?;
    let mut r: RowNum = 1;
    let mut rows = Vec::new();
    for (rank, w) in swings.iter().enumerate() {
        r += 1;
        sh.number(r, 0, Some((rank + 1) as f64), Num::Whole)?;
        sh.text(r, swing_col::PARAMETER, &w.parameter, &st.text)?;
        if w.assumed {
            sh.text(r, 2, "assumed", &st.assumed)?;
        } else {
            sh.text(r, 2, "cited", &st.text)?;
        }
        sh.text(r, 3, &w.settings.0, &st.text)?;
        sh.text(r, 4, &w.settings.1, &st.text)?;
        sh.number(r, 5, at_setting(input, i, w, "low"), num)?;
        sh.number(r, 6, at_setting(input, i, w, "high"), num)?;
        for (c, change) in [
            (swing_col::LOW_CHANGE, &w.changes.0),
            (swing_col::HIGH_CHANGE, &w.changes.1),
        ] {
            sh.number(r, c, change.mean, num)?;
            sh.number(r, c + 1, change.low, num)?;
            sh.number(r, c + 2, change.high, num)?;
        }
        let label = match &w.settings {
            (low, high) if low.is_empty() && high.is_empty() => w.parameter.clone(),
            (low, high) => format!("{} ({low} to {high})", w.parameter),
        };
        sh.text(r, swing_col::LABEL, &label, &st.text)?;
        rows.push((r, r));
    }
    sh.table(1, (r, swing_col::LABEL), (2, 2))?;
    Ok(Some((sh.done(50)?, rows)))
}

/// The Parameters sheet: every parameter of the base scenario, its value,
/// whether it is assumed, and its source.
fn parameters(input: &ReportInput, st: &Styles) -> X<Worksheet> {
    let mut sh = Sheet::new(PARAMETERS)?;
    sh.line(
        0,
        0,
        "The base scenario's parameters as run (TOML values). A parameter is assumed when its \
         source is missing or begins with \"assumption\".",
        &st.note,
    )?;
    sh.header(
        1,
        0,
        &["Parameter", "Value", "Status", "Source"],
        &st.header,
    )?;
    let mut r: RowNum = 1;
    for p in &input.parameters {
        r += 1;
        sh.text(r, 0, &p.key, &st.text)?;
        sh.text(r, 1, &p.value, &st.text)?;
        if p.assumed {
            sh.text(r, 2, "assumed", &st.assumed)?;
        } else {
            sh.text(r, 2, "cited", &st.text)?;
        }
        sh.text(r, 3, p.source.as_deref().unwrap_or(""), &st.text)?;
    }
    sh.table(1, (r, 3), (2, 1))?;
    sh.done(90)
}

// ----- charts --------------------------------------------------------------------

/// A line of a colour and width (points), solid or dashed.
fn stroke(color: &str, width: f64, dash: Option<ChartLineDashType>) -> ChartLine {
    let mut line = ChartLine::new();
    line.set_color(color).set_width(width);
    if let Some(d) = dash {
        line.set_dash_type(d);
    }
    line
}

fn fill(color: &str) -> ChartSolidFill {
    let mut f = ChartSolidFill::new();
    f.set_color(color);
    f
}

fn no_marker() -> ChartMarker {
    let mut m = ChartMarker::new();
    m.set_none();
    m
}

/// A chart's title, size and legend at the bottom.
fn frame(chart: &mut Chart, title: &str, height: u32) {
    chart.title().set_name(title);
    chart.set_width(CHART_WIDTH).set_height(height);
    chart.legend().set_position(ChartLegendPosition::Bottom);
}

/// Weekly volumes of a point: leads to outreach and to nurture and emails
/// sent on the left axis, nurture touches (many times more) on the right.
fn weekly_chart(input: &ReportInput, p: usize, rows: (RowNum, RowNum)) -> Chart {
    let first = weekly_first(input);
    let week = first - 1;
    let mut chart = Chart::new(ChartType::Line);
    let lines = [
        (Weekly::LeadsToOutreach, BLUE, None, false),
        (
            Weekly::EmailsSent,
            GREEN,
            Some(ChartLineDashType::Dash),
            false,
        ),
        (Weekly::LeadsToNurture, ORANGE, None, false),
        (
            Weekly::NurtureTouches,
            PURPLE,
            Some(ChartLineDashType::RoundDot),
            true,
        ),
    ];
    for (w, color, dash, secondary) in lines {
        let c = first + w as ColNum;
        chart
            .add_series()
            .set_name((WEEKLY, 1, c))
            .set_categories((WEEKLY, rows.0, week, rows.1, week))
            .set_values((WEEKLY, rows.0, c, rows.1, c))
            .set_format(&mut stroke(color, 2.25, dash))
            .set_marker(&no_marker())
            .set_secondary_axis(secondary);
    }
    let title = match input.kind {
        Kind::Compare => format!("Outreach and nurture per week: {}", input.points[p].label),
        _ => "Outreach and nurture per week".to_string(),
    };
    frame(&mut chart, &title, CHART_HEIGHT);
    chart.x_axis().set_name("Week (warm-up included)");
    chart
        .y_axis()
        .set_name("Leads or emails per week")
        .set_num_format("#,##0");
    chart
        .y2_axis()
        .set_name("Nurture touches per week (right axis)")
        .set_num_format("#,##0");
    chart
}

/// Rep hours per rep-week from the Charts sheet's table: the hours of a
/// rep-week, the manual process's prep and prep with agents.
fn rep_hours_chart(rows: (RowNum, RowNum)) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    let mut labels = ChartDataLabel::new();
    labels.show_value().set_num_format("0.0");
    for (c, color) in [(2, GREY), (3, VERMILLION), (4, BLUE)] {
        let series = chart
            .add_series()
            .set_name((CHARTS, rows.0 - 1, c))
            .set_categories((CHARTS, rows.0, 0, rows.1, 0))
            .set_values((CHARTS, rows.0, c, rows.1, c))
            .set_format(&mut fill(color))
            .set_data_label(&labels);
        if c == 2 {
            series.set_gap(80);
        }
    }
    frame(
        &mut chart,
        "Prep hours per rep-week: by hand (today) and with agents",
        CHART_HEIGHT,
    );
    chart
        .y_axis()
        .set_name("Hours per rep-week")
        .set_num_format("#,##0")
        .set_min(0.0);
    chart
}

/// A sweep's trade-off of `m` against the parameter in Points column `x`:
/// the mean with its CI's ends, and the chosen point.
fn tradeoff_chart(input: &ReportInput, grid: Grid, x: ColNum, m: &Metric, lines: bool) -> Chart {
    let numeric = input.points.iter().all(|p| {
        p.values
            .get(usize::from(x) - 1)
            .and_then(ParamValue::number)
            .is_some()
    });
    let kind = match (numeric, lines) {
        (true, true) => ChartType::ScatterStraightWithMarkers,
        (true, false) => ChartType::Scatter,
        (false, _) => ChartType::Line,
    };
    let mut chart = Chart::new(kind);
    let (r1, r2) = (grid.row(0), grid.row(input.points.len() - 1));
    let c = grid.mean(m.index());
    let mut marker = ChartMarker::new();
    marker.set_type(ChartMarkerType::Circle).set_size(6);
    let mut mean_line = stroke(BLUE, 2.25, None);
    if !lines {
        mean_line.set_hidden(true);
    }
    marker.set_format(&mut fill(BLUE));
    chart
        .add_series()
        .set_name("Mean")
        .set_categories((POINTS, r1, x, r2, x))
        .set_values((POINTS, r1, c, r2, c))
        .set_format(&mut mean_line)
        .set_marker(&marker);
    if lines {
        for (k, name) in [(1, "95% CI low"), (2, "95% CI high")] {
            chart
                .add_series()
                .set_name(name)
                .set_categories((POINTS, r1, x, r2, x))
                .set_values((POINTS, r1, c + k, r2, c + k))
                .set_format(&mut stroke(GREY, 1.25, Some(ChartLineDashType::Dash)))
                .set_marker(&no_marker());
        }
    }
    if let Some(chosen) = input.chosen.filter(|c| *c < input.points.len()) {
        let r = grid.row(chosen);
        let mut hidden = stroke(VERMILLION, 1.0, None);
        hidden.set_hidden(true);
        let mut star = ChartMarker::new();
        star.set_type(ChartMarkerType::Diamond)
            .set_size(14)
            .set_format(&mut fill(VERMILLION));
        chart
            .add_series()
            .set_name("Chosen point")
            .set_categories((POINTS, r, x, r, x))
            .set_values((POINTS, r, c, r, c))
            .set_format(&mut hidden)
            .set_marker(&star);
    }
    let title = if lines {
        m.label.to_string()
    } else {
        format!("{} (every point; other parameters vary too)", m.label)
    };
    frame(&mut chart, &title, CHART_HEIGHT);
    let param = value_names(input)
        .get(usize::from(x) - 1)
        .cloned()
        .unwrap_or_default();
    chart.x_axis().set_name(&param);
    let num = Num::of(m, std::iter::empty());
    chart
        .y_axis()
        .set_name(m.unit)
        .set_num_format(if num == Num::Whole {
            "#,##0"
        } else {
            num.code()
        });
    chart
}

/// A comparison's difference in `m` of every scenario from the first, with
/// its 95% CI as error bars read from the Differences sheet.
fn difference_chart(input: &ReportInput, m: &Metric, rows: (RowNum, RowNum)) -> Chart {
    use diff_col::{DIFFERENCE, MINUS, PLUS, SCENARIO};
    let mut chart = Chart::new(ChartType::Column);
    let mut bars = ChartErrorBars::new();
    bars.set_type(ChartErrorBarsType::Custom(
        ChartRange::new_from_range(DIFFERENCES, rows.0, PLUS, rows.1, PLUS),
        ChartRange::new_from_range(DIFFERENCES, rows.0, MINUS, rows.1, MINUS),
    ))
    .set_end_cap(true);
    chart
        .add_series()
        .set_name((DIFFERENCES, 1, DIFFERENCE))
        .set_categories((DIFFERENCES, rows.0, SCENARIO, rows.1, SCENARIO))
        .set_values((DIFFERENCES, rows.0, DIFFERENCE, rows.1, DIFFERENCE))
        .set_format(&mut fill(BLUE))
        .set_y_error_bars(&bars)
        .set_gap(120);
    frame(
        &mut chart,
        &format!(
            "{}: difference from {} (95% CI)",
            m.label, input.points[0].label
        ),
        CHART_HEIGHT,
    );
    chart.legend().set_hidden();
    chart
        .x_axis()
        .set_name("Scenario")
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.y_axis().set_name(&format!("Difference ({})", m.unit));
    // Bars of differences start at zero: when every CI lies on one side of
    // it, some programs would otherwise start the axis near the bars.
    let i = m.index();
    let ends: Vec<f64> = input.points[1..]
        .iter()
        .filter_map(|p| p.differences.get(i))
        .flat_map(|d| [d.mean, d.low, d.high])
        .flatten()
        .collect();
    if ends.iter().all(|x| *x >= 0.0) {
        chart.y_axis().set_min(0.0);
    } else if ends.iter().all(|x| *x <= 0.0) {
        chart.y_axis().set_max(0.0);
    }
    chart
}

/// The tornado: the change of the metric with each parameter moved down
/// and up, the largest on top.
fn tornado_chart(input: &ReportInput, rows: &[(RowNum, RowNum)]) -> Option<(Chart, u32)> {
    let (name, _) = input.sensitivity.as_ref()?;
    let shown = rows.len().min(TORNADO_ROWS);
    if shown == 0 {
        return None;
    }
    let (r1, r2) = (rows[0].0, rows[shown - 1].0);
    let mut chart = Chart::new(ChartType::Bar);
    for (c, color) in [
        (swing_col::LOW_CHANGE, BLUE),
        (swing_col::HIGH_CHANGE, ORANGE),
    ] {
        chart
            .add_series()
            .set_name((DIFFERENCES, 1, c))
            .set_categories((DIFFERENCES, r1, swing_col::LABEL, r2, swing_col::LABEL))
            .set_values((DIFFERENCES, r1, c, r2, c))
            .set_format(&mut fill(color))
            .set_overlap(100)
            .set_gap(40);
    }
    let m = metric(name);
    let label = m.map_or(name.clone(), Metric::axis_label);
    let title = if rows.len() > shown {
        format!(
            "Sensitivity of {label}: the {shown} largest of {} parameters",
            rows.len()
        )
    } else {
        format!("Sensitivity of {label}")
    };
    let height = 140 + 26 * shown as u32;
    frame(&mut chart, &title, height);
    // A bar chart's x axis is the horizontal one, of values.
    chart.x_axis().set_name(&format!(
        "Change from the base ({})",
        m.map_or("", |m| m.unit)
    ));
    chart
        .y_axis()
        .set_reverse()
        .set_crossing(ChartAxisCrossing::Max)
        .set_label_position(ChartAxisLabelPosition::Low);
    Some((chart, height))
}

/// The Charts sheet: a table of rep hours per rep-week (formulas of the
/// Summary or Points cells) and every chart, one to a printed page.
fn charts(input: &ReportInput, layout: &Layout, st: &Styles) -> X<Worksheet> {
    let mut sh = Sheet::new(CHARTS)?;
    sh.line(0, 0, &format!("{}: {}", input.name, what(input)), &st.title)?;
    sh.ws.set_row_height(0, 21)?;
    sh.line(
        1,
        0,
        "Native charts drawn from the cells of the other sheets: restyle them as you like, and \
         they follow an edited number.",
        &st.note,
    )?;
    let header: RowNum = 3;
    let first_name = if input.kind == Kind::Compare {
        "Scenario"
    } else {
        "Point"
    };
    sh.header(
        header,
        0,
        &[
            first_name,
            "Rep-weeks measured",
            "Working hours per rep-week",
            "Manual prep, h per rep-week",
            "With agents, h per rep-week",
        ],
        &st.header,
    )?;
    let shown = charted(input);
    let index = |name: &str| crate::metrics::metric_index(name).expect("a metric of the registry");
    let (manual, agents) = (index("manual_prep_hours"), index("rep_prep_hours"));
    let mut r = header;
    for &p in &shown {
        r += 1;
        let point = &input.points[p];
        sh.text(r, 0, &point.label, &st.text)?;
        sh.number(r, 1, Some(point.rep_weeks), Num::Whole)?;
        sh.number(r, 2, Some(point.rep_week_hours), Num::Tenths)?;
        let weeks = row_col_to_cell(r, 1);
        for (c, i) in [(3, manual), (4, agents)] {
            let cell = match layout.points {
                Some(grid) => format!("{POINTS}!{}", row_col_to_cell(grid.row(p), grid.mean(i))),
                None => format!("{SUMMARY}!{}", row_col_to_cell(layout.summary_rows[i], 3)),
            };
            let value = point.metrics[i]
                .mean
                .map(|h| h / point.rep_weeks)
                .filter(|_| point.rep_weeks > 0.0);
            sh.formula(r, c, &format!("={cell}/{weeks}"), value, Num::Tenths)?;
        }
    }
    let table = (header + 1, r);
    // Each chart with its height in pixels.
    let mut list: Vec<(Chart, u32)> = Vec::new();
    for &p in &shown {
        let rows = layout.weekly[p];
        if rows.1 >= rows.0 {
            list.push((weekly_chart(input, p, rows), CHART_HEIGHT));
        }
    }
    list.push((rep_hours_chart(table), CHART_HEIGHT));
    let table_metrics: Vec<&Metric> = if input.metrics.is_empty() {
        crate::output::experiment::TABLE_METRICS
            .iter()
            .filter_map(|n| metric(n))
            .collect()
    } else {
        input.metrics.iter().filter_map(|n| metric(n)).collect()
    };
    match (input.kind, layout.points, &layout.differences) {
        (Kind::Sweep, Some(grid), _) => {
            let vary = varying(input);
            if let Some(&k) = vary.first() {
                let x = 1 + k as ColNum;
                for m in &table_metrics {
                    let chart = tradeoff_chart(input, grid, x, m, vary.len() == 1);
                    list.push((chart, CHART_HEIGHT));
                }
            }
        }
        (Kind::Compare, _, Some(blocks)) => {
            for m in &table_metrics {
                list.push((difference_chart(input, m, blocks[m.index()]), CHART_HEIGHT));
            }
        }
        (Kind::Sensitivity, _, Some(rows)) => list.extend(tornado_chart(input, rows)),
        _ => {}
    }
    // One chart to a printed page, below the table; a page starts a row
    // above its chart, as a chart that touches a page break is drawn on the
    // page before it too.
    let mut at = r + 2;
    let mut breaks = Vec::new();
    for (chart, height) in &list {
        breaks.push(at);
        sh.ws.insert_chart(at + 1, 0, chart)?;
        at += height.div_ceil(20) + 3;
    }
    sh.ws.set_page_breaks(&breaks)?;
    sh.done(40)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Stat;

    fn m(name: &str) -> &'static Metric {
        metric(name).expect("a metric of the registry")
    }

    #[test]
    fn numbers_take_the_registry_format_of_their_metric() {
        assert_eq!(Num::of(m("nurture_share"), [0.79]), Num::Percent);
        assert_eq!(Num::of(m("rep_prep_hours"), [106.0]), Num::Hundredths);
        // Counts: whole means, or large ones, show no decimals, as in the
        // terminal table; small fractional means show one.
        assert_eq!(Num::of(m("emails_sent"), [1591.5, 1525.6]), Num::Whole);
        assert_eq!(Num::of(m("meetings"), [4.0, 3.0]), Num::Whole);
        assert_eq!(Num::of(m("meetings"), [4.25, 2.7]), Num::Tenths);
        // An undefined value does not decide.
        assert_eq!(Num::of(m("meetings"), [f64::NAN, 4.0]), Num::Whole);
    }

    #[test]
    fn a_number_sizes_its_column_as_the_format_shows_it() {
        assert_eq!(Num::Whole.text(1_234_567.4), "1,234,567");
        assert_eq!(Num::Tenths.text(4.25), "4.2");
        assert_eq!(Num::Hundredths.text(3060.1), "3,060.10");
        assert_eq!(Num::Percent.text(0.7933), "79.3%");
        assert_eq!(Num::Percent.code(), "0.0%");
    }

    #[test]
    fn the_ci_is_left_out_below_two_replications() {
        let stat = Stat {
            mean: Some(2.0),
            low: Some(2.0),
            high: Some(2.0),
        };
        let mut p = PointReport {
            label: "x".into(),
            values: Vec::new(),
            metrics: vec![stat],
            n: vec![1],
            differences: Vec::new(),
            rep_weeks: 1.0,
            weeks: 1.0,
            rep_week_hours: 35.0,
            weekly: Vec::new(),
            flows: Default::default(),
            feasible: true,
            warnings: Vec::new(),
        };
        assert_eq!(ci(&p, 0), (None, None));
        p.n = vec![2];
        assert_eq!(ci(&p, 0), (Some(2.0), Some(2.0)));
        // A folder written before the workbook keeps no counts.
        p.n = Vec::new();
        assert_eq!(ci(&p, 0), (Some(2.0), Some(2.0)));
    }
}
