#!/usr/bin/env bash
# Regenerates the tables made by running the shipped scenarios at their
# fixed seeds: the headline table in scenarios/README.md, the face-validity
# table in VALIDATION.md and the soft gate versus AI SDR comparison in
# scenarios/README.md and README.md. Run it after any model or scenario
# change; a test fails while a committed table is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
# Generate first: a generator that fails must leave the files untouched.
generated=$(cargo run --release --quiet --example scenario_table)
section() { # the text after start marker $1 up to the next start marker
  python3 -c 'import sys,re; t=sys.stdin.read(); a=t.index(sys.argv[1])+len(sys.argv[1]); b=t.find("<!-- ",a); print(t[a:b if b>=0 else None].strip("\n"))' "$1" <<<"$generated"
}
splice() { # file start end: the section after `start` into `file`
  section "$2" | python3 scripts/splice-generated.py "$1" "$2" "$3"
}
splice scenarios/README.md "<!-- headline-table:start -->" "<!-- headline-table:end -->"
splice VALIDATION.md "<!-- face-validity:start -->" "<!-- face-validity:end -->"
splice scenarios/README.md "<!-- autonomy-comparison:start -->" "<!-- autonomy-comparison:end -->"
splice README.md "<!-- autonomy-comparison:start -->" "<!-- autonomy-comparison:end -->"
echo "updated scenarios/README.md, VALIDATION.md and README.md"
