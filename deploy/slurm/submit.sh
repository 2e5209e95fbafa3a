#!/bin/bash
# Submits a salesim sweep to Slurm as an N-task job array and queues the
# merge to run when every task has succeeded (afterok).
#
#   SCENARIO=scenarios/canonical.toml \
#   SWEEP_ARGS="--set gate.nurture_below=0.2:0.8:0.05 -r 30" \
#   OUT_DIR=/shared/salesim-sweep SALESIM=/opt/salesim/bin/salesim \
#   deploy/slurm/submit.sh 20
#
# Extra sbatch options (e.g. --partition) go in SBATCH_OPTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tasks=${1:-3}
export SALESIM="${SALESIM:-salesim}" SCENARIO="${SCENARIO:-}" SWEEP_ARGS="${SWEEP_ARGS:-}" \
  OUT_DIR="${OUT_DIR:-salesim-sweep}"
mkdir -p "$OUT_DIR"
# shellcheck disable=SC2086 # SBATCH_OPTS is a list of options.
array=$(sbatch --parsable --export=ALL ${SBATCH_OPTS:-} --array="0-$((tasks - 1))" "$here/sweep.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --export=ALL ${SBATCH_OPTS:-} --kill-on-invalid-dep=yes --dependency="afterok:$array" "$here/merge.sbatch")
echo "array job $array ($tasks tasks), merge job ${merge%%;*}"
