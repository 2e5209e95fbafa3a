#!/usr/bin/env bash
# Opens salesim's HTML report in a real browser: installs Debian's chromium
# when missing, writes the report of a canonical run and of a threshold
# sweep, takes screenshots (kept in target/report-check/ to look at), and
# checks that every chart rendered (an inline SVG with content per chart),
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
  --objective hours_saved_per_rep_week --constraint 'low_fit_sent<=100' --quiet --out "$work/sweep" > /dev/null

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
