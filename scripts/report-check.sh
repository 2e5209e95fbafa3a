#!/usr/bin/env bash
# Opens salesim's HTML reports in a real browser: installs Debian's chromium
# when missing, writes the reports of a canonical run, of a threshold sweep,
# of a comparison, of a sensitivity analysis and of `salesim fit` on the
# shipped HubSpot example, takes screenshots (kept in target/report-check/
# to look at), and proves in the browser (scripts/report_check.py):
#  * every chart rendered (an inline SVG with content per chart), the page
#    is not blank;
#  * no two text boxes overlap on any page (bounding boxes from the DOM);
#  * moving the sweep's control (the page reads #point=N) moves every chart
#    and the swimlane: each differs from point 0's and is, element by
#    element, the SVG written for that point, its PNG link that point's PNG;
#  * the comparison leads with the paired differences, the sensitivity
#    page's headline names its base and its tornado's settings.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "== installing chromium"
  APT_RECOMMENDS=1 bash scripts/apt-install.sh chromium
fi
[ -x target/release/salesim ] || cargo build --release --quiet
shots=target/report-check
rm -rf "$shots"
mkdir -p "$shots"
work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT
browser() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>/dev/null
}

echo "== salesim run, sweep, compare and sensitivity with their reports"
./target/release/salesim run -r 5 --quiet --out "$work/run" > /dev/null
./target/release/salesim sweep --set gate.nurture_below=0.2:0.8:0.1 -r 5 \
  --objective meetings --constraint 'low_fit_sent<=100' --quiet --out "$work/sweep" > /dev/null
./target/release/salesim compare scenarios/canonical.toml scenarios/ai-sdr-autonomous.toml -r 5 \
  --quiet --out "$work/compare" > /dev/null
./target/release/salesim sensitivity -r 3 --metric meetings --set run.horizon=12w \
  --quiet --out "$work/sensitivity" > /dev/null

check_page() {
  local name=$1 dir=$2
  browser --screenshot="$shots/$name.png" --window-size=1280,4000 "file://$dir/index.html"
  browser --dump-dom "file://$dir/index.html" > "$work/$name.dom"
  local charts svgs size
  charts=$(ls "$dir"/charts/*.svg | wc -l)
  # Every chart (the swimlane among them) is an inline SVG with content.
  svgs=$(grep -o '<svg[^>]*>' "$work/$name.dom" | wc -l)
  [ "$svgs" -ge "$charts" ] || { echo "$name: $svgs inline SVGs for $charts charts"; exit 1; }
  if grep -q '<svg[^>]*></svg>' "$work/$name.dom"; then echo "$name: an empty SVG"; exit 1; fi
  for png in "$dir"/charts/*.png; do
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || { echo "$png: not a PNG"; exit 1; }
  done
  # A blank page of this size compresses to a few kilobytes.
  size=$(stat -c %s "$shots/$name.png")
  [ "$size" -gt 100000 ] || { echo "$name: the screenshot is blank ($size bytes)"; exit 1; }
  echo "$name: $charts charts (the swimlane among them) rendered; screenshot $shots/$name.png ($size bytes)"
  no_overlaps "$name" "$dir" ""
}
# No two text boxes of the page (opened at `#fragment`) overlap, measured by
# the browser after its fonts load.
no_overlaps() {
  local name=$1 dir=$2 fragment=$3
  python3 scripts/report_check.py inject "$dir/index.html" "$dir/check.html"
  browser --dump-dom --window-size=1280,4000 --virtual-time-budget=10000 \
    "file://$dir/check.html$fragment" > "$work/$name-measured.dom"
  rm -f "$dir/check.html"
  python3 scripts/report_check.py overlaps "$work/$name-measured.dom" "$name$fragment"
}
check_page run "$work/run"
check_page sweep "$work/sweep"
check_page compare "$work/compare"
check_page sensitivity "$work/sensitivity"

echo "== the comparison leads with its paired differences"
grep -q 'paired differences (common random numbers)' "$work/compare.dom" ||
  { echo "compare: no paired differences in the headline"; exit 1; }
grep -q 'id="chart-compare_differences"' "$work/compare.dom" ||
  { echo "compare: no forest plot of the differences"; exit 1; }
grep -q '<th>difference (paired) \[95% CI\]</th>' "$work/compare.dom" ||
  { echo "compare: the metric table has no differences"; exit 1; }
grep -q 'id="compared-settings"' "$work/compare.dom" && grep -q '<td>gate.autosend_at_or_above</td>' "$work/compare.dom" ||
  { echo "compare: the settings that differ are not listed"; exit 1; }
echo "compare: the headline and the table show the paired differences, with the forest plot and the settings that differ"
# A comparison of teams of different size says so on the page.
sed -e 's/^count = 10$/count = 12/' -e 's/^per_week = 600$/per_week = 900/' -e 's/^name = .*/name = "bigger-team"/' \
  scenarios/canonical.toml > "$work/bigger-team.toml"
./target/release/salesim compare scenarios/canonical.toml "$work/bigger-team.toml" -r 3 \
  --quiet --out "$work/compare-teams" > "$work/compare-teams.err" 2>&1
grep -q 'team size' "$work/compare-teams.err" || { echo "compare: no team-size warning on the terminal"; exit 1; }
browser --dump-dom "file://$work/compare-teams/index.html" > "$work/compare-teams.dom"
grep -o '<p class="warning" id="warning">[^<]*team size (10 vs 12 reps)[^<]*' "$work/compare-teams.dom" ||
  { echo "compare: no team-size warning on the page"; exit 1; }

echo "== the sensitivity page names its base and its settings"
grep -q 'id="headline-title">Headline: the base scenario<' "$work/sensitivity.dom" ||
  { echo "sensitivity: wrong headline"; exit 1; }
grep -q '<h3>What moves Meetings booked' "$work/sensitivity.dom" ||
  { echo "sensitivity: no ranking of what moves the metric"; exit 1; }
! grep -q 'parameter=base' "$work/sensitivity.dom" || { echo "sensitivity: a raw point label"; exit 1; }
echo "sensitivity: headline, ranking with low and high settings"

echo "== salesim fit on the shipped HubSpot example, and its report"
./target/release/salesim fit scenarios/data/hubspot-export.csv --map scenarios/data/hubspot-map.toml \
  --extends scenarios/data/team-policy.toml --quiet --out "$work/fit" > /dev/null
check_page fit "$work/fit"
# The fit report's own parts, as the browser built them: the table of
# fitted keys, a histogram with the fitted density over it (a polyline in
# its SVG) for each fitted duration, the arrivals by hour of the week, and
# the reproduction table with its verdict.
fit_dom="$work/fit.dom"
grep -q '<h2[^>]*>Fitted keys' "$fit_dom" || { echo "fit: no table of fitted keys"; exit 1; }
grep -q '<h2[^>]*>How well it reproduces the history' "$fit_dom" || { echo "fit: no reproduction table"; exit 1; }
grep -q 'class="verdict pass"' "$fit_dom" || { echo "fit: the shipped example is not reproduced"; exit 1; }
grep -q 'Arrivals by hour of the week' "$fit_dom" || { echo "fit: no arrivals by hour of week"; exit 1; }
histograms=$(ls "$work/fit"/charts/duration_*.svg | wc -l)
with_density=$(grep -l '<polyline' "$work/fit"/charts/duration_*.svg | wc -l)
[ "$histograms" -ge 3 ] && [ "$with_density" -eq "$histograms" ] ||
  { echo "fit: $with_density of $histograms histograms have a fitted density"; exit 1; }
echo "fit: $histograms histograms with their fitted density, the reproduction verdict: pass"

echo "== moving the sweep's control moves every chart, the swimlane and the headline"
last=$(($(ls -d "$work/sweep"/charts/point-* | wc -l) - 1))
for k in 0 3 "$last"; do
  browser --dump-dom --window-size=1280,4000 "file://$work/sweep/index.html#point=$k" > "$work/sweep-$k.dom"
  if [ "$k" = 0 ]; then
    python3 scripts/report_check.py point "$work/sweep-$k.dom" "$work/sweep" "$k"
  else
    python3 scripts/report_check.py point "$work/sweep-$k.dom" "$work/sweep" "$k" "$work/sweep-0.dom"
  fi
  no_overlaps "sweep" "$work/sweep" "#point=$k"
done
headline() { grep -o 'id="value-emails_sent">[^<]*<' "$work/sweep-$1.dom" | head -1; }
echo "point 0: $(headline 0); point $last: $(headline "$last")"
[ -n "$(headline 0)" ] && [ "$(headline 0)" != "$(headline "$last")" ] ||
  { echo "the control did not change the headline"; exit 1; }
browser --screenshot="$shots/sweep-point-$last.png" --window-size=1280,4000 "file://$work/sweep/index.html#point=$last"
echo "report check passed"
