#!/usr/bin/env bash
# Checks salesim's BPMN with the tools of the bpmn.io ecosystem: writes the
# swimlane of every shipped scenario (and an AI-SDR variant that drops
# expired drafts), imports each with bpmn-moddle (no warnings allowed) and
# lints it with bpmnlint's recommended rules (no errors allowed; warnings
# are printed). The npm packages are installed into scripts/bpmn/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/salesim ] || cargo build --release --quiet
if [ ! -x scripts/bpmn/node_modules/.bin/bpmnlint ]; then
  echo "== installing bpmn-moddle and bpmnlint"
  (cd scripts/bpmn && npm install --no-audit --no-fund --loglevel=error)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in scenarios/*.toml; do
  ./target/release/salesim diagram "$f" --format bpmn --out "$out/$(basename "$f" .toml).bpmn"
done
./target/release/salesim diagram --set gate.autosend_at_or_above=0.8 --set review.on_expire=drop \
  --format bpmn --out "$out/variant-autosend-drop.bpmn"
echo "== bpmn-moddle import"
node scripts/bpmn/import-check.mjs "$out"/*.bpmn
echo "== bpmnlint (recommended rules)"
(cd scripts/bpmn && ./node_modules/.bin/bpmnlint "$out"/*.bpmn)
echo "bpmn check passed"
