#!/usr/bin/env bash
# The joint reply fit's calibration on salesim's own event logs (docs/MODEL.md
# section 12, VALIDATION.md): 400 replications of the recovery tests'
# scenario with three follow-ups, each log fitted as `salesim fit` fits it.
# Fails when the 95% intervals of the reply rate and the follow-ups' factor
# hold the generating values in under 95% of the 800 cases pooled, or when a
# key's exact 99% interval of its coverage misses 95%. Deterministic (the
# replications are seeds 0-399); about 2-3 minutes on two cores. Too slow for
# `cargo test`, whose recovery test fits a batch of 30.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example log_coverage
./target/release/examples/log_coverage "${1:-400}"
echo "fit calibration check passed"
