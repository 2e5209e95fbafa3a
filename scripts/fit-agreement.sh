#!/usr/bin/env bash
# Checks `salesim fit` against the Simod team's own implementations: fits
# the shipped HubSpot example, then recomputes every reproduction distance
# with log-distance-measures on the same two logs and the fitted duration
# families with pix-framework (scripts/fit_agreement.py states the
# tolerances). Both come from PyPI into the virtual environment the pm4py
# check makes (target/pm4py-venv). pix-framework is installed without its
# dependencies: its distribution fitting needs only numpy and scipy, while
# its declared ones (polars, optuna, scikit-learn < 1.6...) serve the rest
# of the framework and weigh 800 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pm4py-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import log_distance_measures, pix_framework.statistics.distribution" 2>/dev/null; then
  echo "== installing log-distance-measures and pix-framework into $venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet log-distance-measures==2.2.0 pandas numpy scipy
  "$venv/bin/pip" install --quiet --no-deps pix-framework==0.15.0
fi
[ -x target/release/salesim ] || cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== salesim fit on scenarios/data/hubspot-export.csv"
./target/release/salesim fit scenarios/data/hubspot-export.csv \
  --map scenarios/data/hubspot-map.toml --extends scenarios/data/team-policy.toml \
  --quiet --out "$out/fit" > /dev/null
echo "== log-distance-measures and pix-framework on the same logs"
"$venv/bin/python" -W ignore scripts/fit_agreement.py "$out/fit"
echo "fit agreement check passed"
