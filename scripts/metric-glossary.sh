#!/usr/bin/env bash
# Regenerates the metric glossary in README.md from the metric registry
# (src/metrics.rs). A test fails while the committed glossary is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
# Generate first: a generator that fails must leave the README untouched.
generated=$(cargo run --release --quiet --example metric_glossary)
printf '%s\n' "$generated" |
  python3 scripts/splice-generated.py README.md \
    "<!-- metric-glossary:start -->" "<!-- metric-glossary:end -->"
echo "updated README.md"
