#!/usr/bin/env bash
# Regenerates the headline table in scenarios/README.md by running every
# shipped scenario at its fixed seed. Run it after any model or scenario
# change; a test fails while the committed table is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(cargo run --release --quiet --example scenario_table)
python3 - "$table" <<'PY'
import sys
path = "scenarios/README.md"
start, end = "<!-- headline-table:start -->", "<!-- headline-table:end -->"
text = open(path).read()
a = text.index(start) + len(start)
b = text.index(end)
open(path, "w").write(text[:a] + "\n" + sys.argv[1] + "\n" + text[b:])
PY
echo "updated scenarios/README.md"
