#!/usr/bin/env bash
# Checks the event log with a real process-mining library: writes the
# canonical scenario's event log (one replication), then reads events.csv
# with pm4py, converts it to an event log and discovers a process model.
# pm4py comes from PyPI into a virtual environment this script creates
# (target/pm4py-venv), so the check needs nothing installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pm4py-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pm4py" 2>/dev/null; then
  echo "== installing pm4py into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet pm4py pandas
fi
[ -x target/release/salesim ] || cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== salesim run --event-log (canonical, 1 replication)"
./target/release/salesim run -r 1 --event-log --quiet --out "$out/log" > /dev/null
echo "== pm4py reads events.csv"
"$venv/bin/python" scripts/pm4py_check.py "$out/log/events.csv"
echo "pm4py check passed"
