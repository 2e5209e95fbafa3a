#!/usr/bin/env bash
# Regenerates the metric glossary in README.md from the metric registry
# (src/metrics.rs). A test fails while the committed glossary is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example metric_glossary |
  python3 scripts/splice-generated.py README.md \
    "<!-- metric-glossary:start -->" "<!-- metric-glossary:end -->"
echo "updated README.md"
