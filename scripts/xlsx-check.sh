#!/usr/bin/env bash
# Opens salesim's workbook results.xlsx in a real spreadsheet program:
# writes a run, a sweep, a comparison and a sensitivity analysis, converts
# each workbook with LibreOffice Calc (headless, installed with
# poppler-utils when missing) to PDF and each page to PNG (pdftoppm), then
# reads the workbooks with openpyxl (scripts/xlsx_check.py): the numbers
# equal the CSV files to the last digit, the charts are chart objects that
# reference the sheets' cells, and every sheet and chart rendered (not
# blank). The pages are kept in target/report-check/xlsx-*.png to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  echo "== installing libreoffice-calc and poppler-utils"
  bash scripts/apt-install.sh libreoffice-calc poppler-utils
fi
# openpyxl and Pillow in the checks' virtual environment (scripts/pm4py-check.sh).
venv=target/pm4py-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import openpyxl, PIL" 2>/dev/null; then
  echo "== installing openpyxl and pillow into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet openpyxl pillow
fi
[ -x target/release/salesim ] || cargo build --release --quiet
shots=target/report-check
mkdir -p "$shots"
rm -f "$shots"/xlsx-*
work=$(mktemp -d)
profile=$(mktemp -d)
lo=
watchdog=
stop() {
  # LibreOffice runs in its own process group, which this script started.
  [ -n "$lo" ] && kill -- "-$lo" 2>/dev/null || true
  [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null || true
  rm -rf "$work" "$profile"
}
trap stop EXIT

echo "== salesim run, sweep, compare and sensitivity"
s=./target/release/salesim
$s run -r 5 --quiet --out "$work/run" > /dev/null
$s sweep --set gate.nurture_below=0.2:0.8:0.1 -r 5 --objective meetings \
  --constraint 'low_fit_sent<=100' --quiet --out "$work/sweep" > /dev/null
$s compare scenarios/canonical.toml scenarios/manual-baseline.toml scenarios/ai-sdr-autonomous.toml \
  -r 5 --quiet --out "$work/compare" > /dev/null
$s sensitivity -r 3 --quiet --out "$work/sensitivity" > /dev/null
kinds="run sweep compare sensitivity"
for k in $kinds; do
  cp "$work/$k/results.xlsx" "$work/$k.xlsx"
  echo "$k: results.xlsx $(stat -c %s "$work/$k.xlsx") bytes"
done

echo "== LibreOffice Calc converts each workbook to PDF (headless)"
# A profile of its own, so it never hands the job to another running office.
setsid soffice -env:UserInstallation="file://$profile" --headless --norestore --nolockcheck \
  --convert-to pdf --outdir "$work" "$work"/run.xlsx "$work"/sweep.xlsx "$work"/compare.xlsx \
  "$work"/sensitivity.xlsx > "$work/soffice.log" 2>&1 &
lo=$!
(sleep 300 && kill -- "-$lo" 2>/dev/null) &
watchdog=$!
status=0
wait "$lo" || status=$?
kill "$watchdog" 2>/dev/null || true
watchdog=
lo=
[ "$status" = 0 ] || { cat "$work/soffice.log"; echo "LibreOffice failed ($status)"; exit 1; }

echo "== pdftoppm renders every page"
for k in $kinds; do
  [ -s "$work/$k.pdf" ] || { cat "$work/soffice.log"; echo "$k: no PDF"; exit 1; }
  pages=$(pdfinfo "$work/$k.pdf" | awk '/^Pages:/ {print $2}')
  pdftoppm -r 60 -png "$work/$k.pdf" "$work/$k"
  for png in "$work/$k"-*.png; do
    n=${png%.png}; n=${n##*-}
    pdftotext -layout -f "$((10#$n))" -l "$((10#$n))" "$work/$k.pdf" "${png%.png}.txt"
  done
  cp "$work/$k"-*.png "$shots/"
  for f in "$work/$k"-*.png; do mv "$shots/$(basename "$f")" "$shots/xlsx-$(basename "$f")"; done
  echo "$k: $pages pages"
done

echo "== openpyxl reads the workbooks; every sheet and chart rendered"
"$venv/bin/python" scripts/xlsx_check.py "$work"
echo "pages kept in $shots/xlsx-*.png"
echo "xlsx check passed"
