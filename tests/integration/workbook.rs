//! The workbook `results.xlsx` read back from its zip and XML parts: every
//! command writes one, its numbers are the CSV files' numbers to the last
//! digit, its charts are native charts whose series reference cells of its
//! own sheets, and its bytes depend on nothing but the results.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use salesim::metrics::METRICS;

use crate::common::salesim;

/// A cell as the sheet's XML holds it.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    /// A formula and the value written with it.
    Formula(String, Option<f64>),
}

impl Cell {
    fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(x) => Some(*x),
            Cell::Formula(_, x) => *x,
            Cell::Text(_) => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// An xlsx file's XML parts, by name inside the zip.
struct Xlsx {
    parts: BTreeMap<String, String>,
}

type Cells = BTreeMap<(u32, u32), Cell>;

/// `B12` -> (row 11, column 1), zero-based.
fn cell_ref(r: &str) -> (u32, u32) {
    let r = r.replace('$', "");
    let split = r.find(|c: char| c.is_ascii_digit()).expect("a row number");
    let (letters, digits) = r.split_at(split);
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

impl Xlsx {
    fn open(path: &Path) -> Xlsx {
        let file = std::fs::File::open(path).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut parts = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            parts.insert(name, text);
        }
        Xlsx { parts }
    }

    fn part(&self, name: &str) -> &str {
        self.parts
            .get(name)
            .unwrap_or_else(|| panic!("no part {name}"))
    }

    /// The sheets in workbook order: (name, part).
    fn sheets(&self) -> Vec<(String, String)> {
        let rels = roxmltree::Document::parse(self.part("xl/_rels/workbook.xml.rels")).unwrap();
        let target: BTreeMap<&str, &str> = rels
            .descendants()
            .filter(|n| n.has_tag_name("Relationship"))
            .map(|n| (n.attribute("Id").unwrap(), n.attribute("Target").unwrap()))
            .collect();
        let wb = roxmltree::Document::parse(self.part("xl/workbook.xml")).unwrap();
        wb.descendants()
            .filter(|n| n.has_tag_name("sheet"))
            .map(|n| {
                let id = n
                    .attributes()
                    .find(|a| a.name() == "id")
                    .expect("r:id")
                    .value();
                (
                    n.attribute("name").unwrap().to_string(),
                    format!("xl/{}", target[id]),
                )
            })
            .collect()
    }

    fn sheet_xml(&self, name: &str) -> &str {
        let part = self
            .sheets()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
            .1;
        self.part(&part)
    }

    fn shared_strings(&self) -> Vec<String> {
        let Some(sst) = self.parts.get("xl/sharedStrings.xml") else {
            return Vec::new();
        };
        let doc = roxmltree::Document::parse(sst).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("si"))
            .map(|si| {
                si.descendants()
                    .filter(|n| n.has_tag_name("t"))
                    .filter_map(|t| t.text())
                    .collect()
            })
            .collect()
    }

    fn cells(&self, sheet: &str) -> Cells {
        let strings = self.shared_strings();
        let doc = roxmltree::Document::parse(self.sheet_xml(sheet)).unwrap();
        let mut cells = BTreeMap::new();
        for c in doc.descendants().filter(|n| n.has_tag_name("c")) {
            let child = |tag: &str| {
                c.children()
                    .find(|n| n.has_tag_name(tag))
                    .and_then(|n| n.text())
            };
            let value = child("v");
            let cell = match (c.attribute("t"), child("f")) {
                (_, Some(f)) => Cell::Formula(f.to_string(), value.map(|v| v.parse().unwrap())),
                (Some("s"), None) => {
                    Cell::Text(strings[value.unwrap().parse::<usize>().unwrap()].clone())
                }
                (Some("inlineStr"), None) => Cell::Text(
                    c.descendants()
                        .filter(|n| n.has_tag_name("t"))
                        .filter_map(|t| t.text())
                        .collect(),
                ),
                (_, None) => match value {
                    Some(v) => Cell::Number(v.parse().unwrap()),
                    None => continue,
                },
            };
            cells.insert(cell_ref(c.attribute("r").unwrap()), cell);
        }
        cells
    }

    /// Every chart part's XML.
    fn charts(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter(|(k, _)| k.starts_with("xl/charts/chart"))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A CSV file as rows of fields, by header. The files salesim writes quote
/// only fields with commas, which no numeric field has.
fn csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            for ch in line.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            fields.push(field);
            header.iter().map(|h| h.to_string()).zip(fields).collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    let v = row.get(key).unwrap_or_else(|| panic!("no column {key}"));
    (!v.is_empty()).then(|| v.parse().unwrap())
}

/// The row of `cells` whose column `col` holds the text `text`.
fn row_with(cells: &Cells, col: u32, text: &str) -> u32 {
    cells
        .iter()
        .find(|((_, c), v)| *c == col && v.text() == Some(text))
        .map(|((r, _), _)| *r)
        .unwrap_or_else(|| panic!("no row with {text} in column {col}"))
}

fn number_at(cells: &Cells, r: u32, c: u32) -> Option<f64> {
    cells.get(&(r, c)).and_then(Cell::number)
}

/// A range of cells: its sheet, first and last cell (row, column).
type Range = (String, (u32, u32), (u32, u32));

/// Each range a chart series reads (`<c:f>`).
fn chart_ranges(chart: &str) -> Vec<Range> {
    let doc = roxmltree::Document::parse(chart).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("f"))
        .map(|f| {
            let text = f.text().unwrap();
            let (sheet, range) = text.rsplit_once('!').expect("a sheet-qualified range");
            let sheet = sheet.trim_matches('\'').to_string();
            let (a, b) = range.split_once(':').unwrap_or((range, range));
            (sheet, cell_ref(a), cell_ref(b))
        })
        .collect()
}

/// Runs salesim with `args` writing to `out`.
fn write(args: &[&str], out: &Path) {
    salesim()
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Checks what every workbook has: its sheets in order, every chart's
/// ranges on those sheets and non-empty, frozen headers and filters on the
/// tables, a creation date fixed at the epoch; returns it.
fn check_common(out: &Path, sheets: &[&str], charts: usize) -> Xlsx {
    let xlsx = Xlsx::open(&out.join("results.xlsx"));
    let names: Vec<String> = xlsx.sheets().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, sheets, "{}: sheet names", out.display());
    let all: BTreeMap<&str, Cells> = sheets.iter().map(|s| (*s, xlsx.cells(s))).collect();
    let parts = xlsx.charts();
    assert_eq!(parts.len(), charts, "{}: chart count", out.display());
    for chart in parts {
        let ranges = chart_ranges(chart);
        assert!(ranges.len() >= 2, "a chart with no cell ranges: {chart}");
        for (sheet, first, last) in ranges {
            let cells = all
                .get(sheet.as_str())
                .unwrap_or_else(|| panic!("a chart reads sheet {sheet}, which is not there"));
            let filled = (first.0..=last.0)
                .flat_map(|r| (first.1..=last.1).map(move |c| (r, c)))
                .filter(|rc| cells.contains_key(rc))
                .count();
            assert!(
                filled > 0,
                "a chart reads {sheet}!{first:?}:{last:?}, which is empty"
            );
        }
    }
    for sheet in sheets.iter().filter(|s| **s != "Charts") {
        let xml = xlsx.sheet_xml(sheet);
        assert!(
            xml.contains("state=\"frozen\""),
            "{sheet}: no frozen header"
        );
        assert!(xml.contains("<autoFilter ref="), "{sheet}: no filter");
        assert!(xml.contains("<cols>"), "{sheet}: no column widths");
    }
    assert!(xlsx
        .part("docProps/core.xml")
        .contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">1970-01-01T00:00:00Z"));
    xlsx
}

#[test]
fn a_run_workbook_holds_every_metric_of_summary_csv_to_the_last_digit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    write(&["run", "-r", "3", "--set", "run.horizon=\"5w\""], &out);
    let xlsx = check_common(&out, &["Summary", "Charts", "Weekly", "Parameters"], 2);
    let cells = xlsx.cells("Summary");
    let rows = csv(&out.join("summary.csv"));
    assert_eq!(rows.len(), METRICS.len());
    for m in &METRICS {
        let r = row_with(&cells, 1, m.name);
        let row = rows.iter().find(|row| row["metric"] == m.name).unwrap();
        assert_eq!(cells[&(r, 2)].text(), Some(m.unit), "{}: unit", m.name);
        assert_eq!(
            cells[&(r, 6)].text(),
            Some(m.meaning),
            "{}: meaning",
            m.name
        );
        for (c, key) in [(3, "mean"), (4, "ci95_low"), (5, "ci95_high")] {
            assert_eq!(
                number_at(&cells, r, c),
                num(row, key),
                "{}: {key} differs from summary.csv",
                m.name
            );
        }
    }
    // The sections of the terminal table, in its order, above their metrics.
    let mut last = 0;
    for section in salesim::metrics::Section::ALL {
        let r = row_with(&cells, 0, section.title());
        assert!(r > last, "{}: sections out of order", section.title());
        last = r;
    }
    // The rep-hours table reads the Summary cells through formulas.
    let charts = xlsx.cells("Charts");
    assert!(charts
        .values()
        .any(|c| matches!(c, Cell::Formula(f, Some(_)) if f.starts_with("Summary!"))));
    // Weekly: a row per week of the horizon.
    let weekly = xlsx.cells("Weekly");
    assert_eq!(number_at(&weekly, 6, 0), Some(5.0));
    assert_eq!(number_at(&weekly, 7, 0), None);
}

#[test]
fn a_sweep_workbook_holds_sweep_csv_and_charts_its_trade_offs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    write(
        &[
            "sweep",
            "--set",
            "gate.nurture_below=0.3,0.45,0.6",
            "--set",
            "run.horizon=\"4w\"",
            "-r",
            "2",
            "--objective",
            "hours_saved_per_rep_week",
        ],
        &out,
    );
    // Weekly volumes, rep hours, six trade-off panels (the default metrics).
    let xlsx = check_common(
        &out,
        &["Summary", "Charts", "Weekly", "Points", "Parameters"],
        8,
    );
    let cells = xlsx.cells("Points");
    let rows = csv(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 3);
    for m in &METRICS {
        let c = cells
            .iter()
            .find(|((r, _), v)| *r == 1 && v.text() == Some(m.axis_label().as_str()))
            .map(|((_, c), _)| *c)
            .unwrap_or_else(|| panic!("{}: no column on Points", m.name));
        for (p, row) in rows.iter().enumerate() {
            let r = 3 + p as u32;
            assert_eq!(number_at(&cells, r, 0), num(row, "point"));
            assert_eq!(number_at(&cells, r, 1), num(row, "gate.nurture_below"));
            for (k, key) in ["mean", "ci95_low", "ci95_high"].iter().enumerate() {
                assert_eq!(
                    number_at(&cells, r, c + k as u32),
                    num(row, &format!("{}_{key}", m.name)),
                    "point {p}, {}_{key} differs from sweep.csv",
                    m.name
                );
            }
        }
    }
    let trade = xlsx
        .charts()
        .into_iter()
        .filter(|c| c.contains("<c:scatterChart>"))
        .count();
    assert_eq!(trade, 6, "a scatter chart per trade-off metric");
}

#[test]
fn a_compare_workbook_charts_paired_differences_with_error_bars_from_cells() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.path().join("compare");
    write(
        &[
            "compare",
            root.join("scenarios/canonical.toml").to_str().unwrap(),
            root.join("scenarios/ai-sdr-autonomous.toml")
                .to_str()
                .unwrap(),
            "-r",
            "3",
            "--set",
            "run.horizon=\"4w\"",
        ],
        &out,
    );
    // Weekly volumes of both scenarios, rep hours, six differences.
    let xlsx = check_common(
        &out,
        &[
            "Summary",
            "Charts",
            "Weekly",
            "Points",
            "Differences",
            "Parameters",
        ],
        9,
    );
    let cells = xlsx.cells("Differences");
    let rows = csv(&out.join("compare.csv"));
    let second: Vec<_> = rows.iter().filter(|r| r["point"] == "1").collect();
    assert_eq!(second.len(), METRICS.len());
    for row in second {
        let r = row_with(&cells, 1, &row["metric"]);
        assert_eq!(cells[&(r, 3)].text(), Some(row["scenario"].as_str()));
        for (c, key) in [
            (6, "diff_mean"),
            (7, "diff_ci95_low"),
            (8, "diff_ci95_high"),
        ] {
            assert_eq!(
                number_at(&cells, r, c),
                num(row, key),
                "{}: {key} differs from compare.csv",
                row["metric"]
            );
        }
    }
    let with_bars: Vec<&str> = xlsx
        .charts()
        .into_iter()
        .filter(|c| c.contains("<c:errBars>"))
        .collect();
    assert_eq!(with_bars.len(), 6);
    for chart in with_bars {
        assert!(chart.contains("<c:errValType val=\"cust\"/>"));
        assert!(chart.contains("<c:plus><c:numRef><c:f>Differences!$J$"));
        assert!(chart.contains("<c:minus><c:numRef><c:f>Differences!$K$"));
    }
}

#[test]
fn a_sensitivity_workbook_holds_sensitivity_csv_and_a_tornado() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sensitivity");
    write(
        &["sensitivity", "-r", "2", "--set", "run.horizon=\"3w\""],
        &out,
    );
    let xlsx = check_common(
        &out,
        &[
            "Summary",
            "Charts",
            "Weekly",
            "Points",
            "Differences",
            "Parameters",
        ],
        3,
    );
    let cells = xlsx.cells("Differences");
    let rows = csv(&out.join("sensitivity.csv"));
    assert!(rows.len() > 10, "{} parameters moved", rows.len());
    for row in &rows {
        let r = 1 + num(row, "rank").unwrap() as u32;
        assert_eq!(cells[&(r, 1)].text(), Some(row["parameter"].as_str()));
        for (c, key) in [
            (5, "metric_low"),
            (6, "metric_high"),
            (7, "diff_low"),
            (8, "diff_low_ci95_low"),
            (9, "diff_low_ci95_high"),
            (10, "diff_high"),
            (11, "diff_high_ci95_low"),
            (12, "diff_high_ci95_high"),
        ] {
            assert_eq!(
                number_at(&cells, r, c),
                num(row, key),
                "{}: {key} differs from sensitivity.csv",
                row["parameter"]
            );
        }
    }
    let tornado = xlsx
        .charts()
        .into_iter()
        .find(|c| c.contains("<c:barDir val=\"bar\"/>"))
        .expect("a horizontal bar chart");
    assert!(tornado.contains("<c:f>Differences!$N$3:$N$"));
}

#[test]
fn the_workbook_flags_a_point_the_manual_process_could_not_keep_up_with() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    write(
        &[
            "run",
            "-r",
            "2",
            "--set",
            "run.horizon=\"4w\"",
            "--set",
            "arrivals.per_week=3000",
        ],
        &out,
    );
    let xlsx = Xlsx::open(&out.join("results.xlsx"));
    let cells = xlsx.cells("Summary");
    let warning = cells
        .values()
        .filter_map(Cell::text)
        .find(|t| t.starts_with("Warning"))
        .expect("a capacity warning on the Summary sheet");
    assert!(warning.contains("manual_prep_load"), "{warning}");
}

#[test]
fn the_workbook_bytes_depend_only_on_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "--set",
        "reps.count=6,10",
        "--set",
        "run.horizon=\"3w\"",
        "-r",
        "3",
    ];
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    write(&[&args[..], &["-j", "1"]].concat(), &one);
    write(&[&args[..], &["-j", "2"]].concat(), &two);
    let bytes = std::fs::read(one.join("results.xlsx")).unwrap();
    assert!(
        bytes == std::fs::read(two.join("results.xlsx")).unwrap(),
        "threads changed the workbook"
    );
    std::fs::remove_file(one.join("results.xlsx")).unwrap();
    salesim().arg("report").arg(&one).assert().success();
    assert!(
        bytes == std::fs::read(one.join("results.xlsx")).unwrap(),
        "salesim report rebuilt a different workbook"
    );
}
