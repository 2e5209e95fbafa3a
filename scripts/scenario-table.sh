#!/usr/bin/env bash
# Regenerates the headline table in scenarios/README.md by running every
# shipped scenario at its fixed seed. Run it after any model or scenario
# change; a test fails while the committed table is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
# Generate first: a generator that fails must leave the README untouched.
generated=$(cargo run --release --quiet --example scenario_table)
printf '%s\n' "$generated" |
  python3 scripts/splice-generated.py scenarios/README.md \
    "<!-- headline-table:start -->" "<!-- headline-table:end -->"
echo "updated scenarios/README.md"
