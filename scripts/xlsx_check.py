"""Reads salesim's results.xlsx with an independent reader (openpyxl) and
checks what LibreOffice rendered of it.

For each kind of workbook (run, sweep, compare, sensitivity):
* the numbers equal the CSV files' numbers to the last digit (summary.csv,
  sweep.csv, compare.csv, sensitivity.csv), every metric of summary.csv;
* every chart is a chart object (not a picture) whose series read ranges of
  the workbook's own sheets, and those cells hold numbers; a comparison's
  charts have custom error bars read from cells;
* every sheet printed at least one page (the footer "Sheet: NAME") that is
  not blank, and every chart's title is on a page of the Charts sheet with
  coloured marks on it (lines, bars, markers drawn from the data).

Usage: python xlsx_check.py WORK
WORK holds KIND/ (salesim's output folder), KIND.pdf, and per page
KIND-NN.png (rendered by pdftoppm) and KIND-NN.txt (pdftotext).
"""
import csv
import glob
import os
import re
import sys

import openpyxl
from PIL import Image

KINDS = {
    "run": ["Summary", "Charts", "Weekly", "Parameters"],
    "sweep": ["Summary", "Charts", "Weekly", "Points", "Parameters"],
    "compare": ["Summary", "Charts", "Weekly", "Points", "Differences", "Parameters"],
    "sensitivity": ["Summary", "Charts", "Weekly", "Points", "Differences", "Parameters"],
}

failures = []
VALUES = {}


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def same(cell, text, where):
    """The cell holds exactly the CSV's number (both empty when undefined)."""
    want = float(text) if text != "" else None
    got = None if cell is None else float(cell)
    if got != want:
        fail(f"{where}: workbook {got!r}, CSV {text!r}")
        return 0
    return 1


def find_row(ws, col, text):
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, col).value == text:
            return r
    return None


def check_numbers(kind, wb, out):
    n = 0
    if kind == "run":
        ws = wb["Summary"]
        for row in rows(os.path.join(out, "summary.csv")):
            r = find_row(ws, 2, row["metric"])
            if r is None:
                fail(f"run: {row['metric']} is not on the Summary sheet")
                continue
            for c, key in [(4, "mean"), (5, "ci95_low"), (6, "ci95_high")]:
                n += same(ws.cell(r, c).value, row[key], f"run Summary {row['metric']} {key}")
    elif kind == "sweep":
        ws = wb["Points"]
        labels = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value}
        data = rows(os.path.join(out, "sweep.csv"))
        metrics = [k[: -len("_mean")] for k in data[0] if k.endswith("_mean")]
        params = [k for k in data[0] if k != "point" and not re.search(r"_(mean|sd|ci95_low|ci95_high)$", k)]
        for p, row in enumerate(data):
            r = 4 + p
            n += same(ws.cell(r, 1).value, row["point"], f"sweep Points point {p}")
            for k, name in enumerate(params):
                n += same(ws.cell(r, 2 + k).value, row[name], f"sweep Points {p} {name}")
            for m in metrics:
                col = labels.get(find_metric(wb, m))
                if col is None:
                    fail(f"sweep: no column for {m} on Points")
                    continue
                for k, key in enumerate(["mean", "ci95_low", "ci95_high"]):
                    n += same(ws.cell(r, col + k).value, row[f"{m}_{key}"], f"sweep Points {p} {m}_{key}")
    elif kind == "compare":
        ws = wb["Differences"]
        for row in rows(os.path.join(out, "compare.csv")):
            if row["point"] == "0":
                r = find_row(wb["Summary"], 2, row["metric"])
                n += same(wb["Summary"].cell(r, 4).value, row["mean"], f"compare Summary {row['metric']}")
                continue
            r = next(
                (r for r in range(3, ws.max_row + 1)
                 if ws.cell(r, 2).value == row["metric"] and ws.cell(r, 4).value == row["scenario"]),
                None,
            )
            if r is None:
                fail(f"compare: no difference row for {row['metric']} of {row['scenario']}")
                continue
            for c, key in [(6, "mean"), (7, "diff_mean"), (8, "diff_ci95_low"), (9, "diff_ci95_high")]:
                n += same(ws.cell(r, c).value, row[key], f"compare Differences {row['scenario']} {row['metric']} {key}")
    elif kind == "sensitivity":
        ws = wb["Differences"]
        for row in rows(os.path.join(out, "sensitivity.csv")):
            r = 2 + int(row["rank"])
            if ws.cell(r, 2).value != row["parameter"]:
                fail(f"sensitivity: rank {row['rank']} is {ws.cell(r, 2).value!r}, CSV {row['parameter']!r}")
                continue
            for c, key in [(6, "metric_low"), (7, "metric_high"), (8, "diff_low"), (9, "diff_low_ci95_low"),
                           (10, "diff_low_ci95_high"), (11, "diff_high"), (12, "diff_high_ci95_low"),
                           (13, "diff_high_ci95_high")]:
                n += same(ws.cell(r, c).value, row[key], f"sensitivity {row['parameter']} {key}")
    if n == 0:
        fail(f"{kind}: no number compared")
    return n


def find_metric(wb, name):
    """A metric's header on the Points sheet: its label and unit, read from
    the Summary sheet (label in A, name in B, unit in C)."""
    ws = wb["Summary"]
    r = find_row(ws, 2, name)
    return None if r is None else f"{ws.cell(r, 1).value} ({ws.cell(r, 3).value})"


def ref(source):
    if source is None:
        return None
    for attr in ("numRef", "strRef"):
        r = getattr(source, attr, None)
        if r is not None:
            return r.f
    return None


def title_text(title):
    if title is None or title.tx is None or title.tx.rich is None:
        return None
    return "".join(run.t for p in title.tx.rich.p for run in (p.r or []))


def cells_of(wb, formula, where):
    wb = VALUES[id(wb)]
    """The values of the cells a chart's range names, checking the sheet."""
    m = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", formula)
    if not m:
        fail(f"{where}: {formula} is not a sheet range")
        return []
    sheet = m.group(1)
    if sheet not in wb.sheetnames:
        fail(f"{where}: {formula} names no sheet of the workbook")
        return []
    a = f"{m.group(2)}{m.group(3)}"
    b = f"{m.group(4)}{m.group(5)}" if m.group(4) else a
    got = wb[sheet][f"{a}:{b}"]
    return [c.value for line in got for c in line]


def check_charts(kind, wb):
    titles = []
    charts = [(ws.title, ch) for ws in wb.worksheets for ch in ws._charts]
    if len(charts) < (2 if kind == "run" else 3):
        fail(f"{kind}: {len(charts)} charts")
    for sheet, ch in charts:
        kind_name = type(ch).__name__
        title = title_text(ch.title)
        where = f"{kind} {kind_name} {title!r}"
        if not title:
            fail(f"{where}: no title")
        titles.append(title)
        if not ch.series:
            fail(f"{where}: no series")
        for s in ch.series:
            values = ref(s.val) or ref(s.yVal)
            if values is None:
                fail(f"{where}: a series with no cell range")
                continue
            numbers = [v for v in cells_of(wb, values, where) if isinstance(v, (int, float))]
            if not numbers:
                fail(f"{where}: {values} holds no numbers")
            cats = ref(s.cat) or ref(s.xVal)
            if cats is not None and not any(v is not None for v in cells_of(wb, cats, where)):
                fail(f"{where}: categories {cats} are empty")
        if kind == "compare" and kind_name == "BarChart" and ch.barDir == "col" and "difference" in (title or ""):
            bars = ch.series[0].errBars
            if bars is None or bars.errValType != "cust":
                fail(f"{where}: no custom error bars")
            else:
                for end in (bars.plus, bars.minus):
                    if not any(isinstance(v, (int, float)) for v in cells_of(wb, ref(end), where)):
                        fail(f"{where}: error bars read no numbers")
    expected = {
        "run": {"LineChart", "BarChart"},
        "sweep": {"LineChart", "BarChart", "ScatterChart"},
        "compare": {"LineChart", "BarChart"},
        "sensitivity": {"LineChart", "BarChart"},
    }[kind]
    found = {type(ch).__name__ for _, ch in charts}
    if found != expected:
        fail(f"{kind}: chart types {sorted(found)}, expected {sorted(expected)}")
    if kind == "sensitivity" and not any(getattr(ch, "barDir", None) == "bar" for _, ch in charts):
        fail("sensitivity: no horizontal bar chart (the tornado)")
    return titles


def words(text):
    return " ".join(text.split())


def ink(png, top_fraction=0.92):
    """Dark and coloured pixels above the footer of a rendered page."""
    img = Image.open(png).convert("RGB")
    w, h = img.size
    body = img.crop((0, 0, w, int(h * top_fraction)))
    dark = coloured = 0
    for r, g, b in body.get_flattened_data() if hasattr(body, "get_flattened_data") else body.getdata():
        if min(r, g, b) < 200:
            dark += 1
        if max(r, g, b) - min(r, g, b) > 60:
            coloured += 1
    return dark, coloured


def check_pages(kind, work, titles):
    pngs = sorted(glob.glob(os.path.join(work, f"{kind}-*.png")))
    if not pngs:
        fail(f"{kind}: no rendered pages")
        return 0
    sheets = {}
    for png in pngs:
        text = open(png[:-4] + ".txt").read()
        m = re.search(r"Sheet: (\S+)", text)
        if not m:
            fail(f"{png}: no sheet footer")
            continue
        sheets.setdefault(m.group(1), []).append((png, words(text)))
    for sheet in KINDS[kind]:
        pages = sheets.get(sheet, [])
        if not pages:
            fail(f"{kind}: sheet {sheet} printed no page")
            continue
        dark, _ = ink(pages[0][0])
        if dark < 2000:
            fail(f"{kind}: the first page of {sheet} is blank ({dark} dark pixels)")
        print(f"  {kind}: sheet {sheet}: {len(pages)} page(s), first page {dark} dark pixels")
    for title in titles:
        # A chart has a page of its own, which begins with its title.
        page = next((p for p in sheets.get("Charts", []) if p[1].startswith(words(title))), None)
        if page is None:
            fail(f"{kind}: chart {title!r} is on no rendered page of the Charts sheet")
            continue
        dark, coloured = ink(page[0])
        if coloured < 300 or dark < 3000:
            fail(f"{kind}: chart {title!r} rendered blank ({dark} dark, {coloured} coloured pixels)")
        print(f"  {kind}: chart {title!r}: {os.path.basename(page[0])}, {dark} dark, {coloured} coloured pixels")
    return len(pngs)


def main():
    work = sys.argv[1]
    for kind in KINDS:
        out = os.path.join(work, kind)
        path = os.path.join(out, "results.xlsx")
        wb = openpyxl.load_workbook(path)
        # The same cells with the values written beside their formulas.
        VALUES[id(wb)] = openpyxl.load_workbook(path, data_only=True)
        if wb.sheetnames != KINDS[kind]:
            fail(f"{kind}: sheets {wb.sheetnames}, expected {KINDS[kind]}")
        for name in wb.sheetnames:
            ws = wb[name]
            if name != "Charts" and (ws.freeze_panes is None or not ws.auto_filter.ref):
                fail(f"{kind}: {name} has no frozen header or no filter")
        numbers = check_numbers(kind, wb, out)
        titles = check_charts(kind, wb)
        pages = check_pages(kind, work, titles)
        print(f"{kind}: {numbers} numbers equal the CSV, {len(titles)} charts reference the sheets' cells, "
              f"{pages} pages rendered")
    if failures:
        print(f"xlsx check failed: {len(failures)} problem(s)")
        sys.exit(1)


main()
