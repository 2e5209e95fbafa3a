#!/usr/bin/env bash
# Opens salesim's HTML report in a real browser: installs Debian's chromium
# when missing, writes the report of a canonical run, of a threshold sweep
# and of `salesim fit` on the shipped HubSpot example, takes screenshots
# (kept in target/report-check/ to look at), and checks that every chart
# rendered (an inline SVG with content per chart),
# that the page is not blank, and that moving the sweep's control (the
# page reads #point=N) changes the headline numbers.
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

echo "== salesim run and sweep with their reports"
./target/release/salesim run -r 5 --quiet --out "$work/run" > /dev/null
./target/release/salesim sweep --set gate.nurture_below=0.2:0.8:0.1 -r 5 \
  --objective meetings --constraint 'low_fit_sent<=100' --quiet --out "$work/sweep" > /dev/null

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
}
check_page run "$work/run"
check_page sweep "$work/sweep"

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

echo "== moving the sweep's control changes the headline"
headline() {
  browser --dump-dom "file://$work/sweep/index.html#point=$1" |
    grep -o 'id="headline-emails_sent">[^<]*<' | head -1
}
first=$(headline 0)
last=$(headline 6)
echo "point 0: $first; point 6: $last"
[ -n "$first" ] && [ "$first" != "$last" ] || { echo "the control did not change the headline"; exit 1; }
browser --screenshot="$shots/sweep-point-6.png" --window-size=1280,2000 "file://$work/sweep/index.html#point=6"
echo "report check passed"
