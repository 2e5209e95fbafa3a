#!/usr/bin/env bash
# Runs a salesim sweep on a real single-node Slurm cluster and checks that
# the merged shards equal the unsharded run byte for byte.
#
# As root: installs Debian's slurm-wlm and munge when missing, starts munged
# (as the munge user) unless one already answers, writes a slurm.conf into a
# temporary folder, starts slurmctld and slurmd, submits the shipped
# deploy/slurm/sweep.sbatch as a 3-task job array and deploy/slurm/
# merge.sbatch after it (--dependency=afterok), waits, and compares. The
# daemons it started are stopped by the pids in their pid files, also when
# the check fails. `--smoke` checks only the cluster: a trivial array and a
# dependent job.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-check}

say() { echo "== $*"; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  say "installing slurm-wlm and munge"
  bash scripts/apt-install.sh slurm-wlm munge
fi

work=$(mktemp -d /tmp/salesim-slurm.XXXXXX)
chmod 755 "$work"
started=()   # pid files of the daemons this script started

stop_daemons() {
  local status=$?
  for pidfile in "${started[@]}"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -20 "$log"; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap stop_daemons EXIT

# munge: reuse a running daemon; else start one as the munge user.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged already running"
else
  say "starting munged"
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge "$work/munge"
  runuser -u munge -- /usr/sbin/munged --pid-file="$work/munge/munged.pid" --log-file="$work/munged.log" 2>/dev/null \
    || runuser -u munge -- /usr/sbin/munged --pid-file="$work/munge/munged.pid"
  started+=("$work/munge/munged.pid")
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null
fi

host=$(hostname)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=salesimci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

say "starting slurmctld and slurmd ($host, $(nproc) CPUs)"
slurmctld -f "$SLURM_CONF"
started+=("$work/slurmctld.pid")
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.1; done
slurmd -f "$SLURM_CONF"
started+=("$work/slurmd.pid")
for _ in $(seq 100); do
  state=$(sinfo -h -o %t 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 0.2
done
sinfo
[ "$(sinfo -h -o %t)" = "idle" ] || { echo "the node never became idle"; exit 1; }

if [ "$mode" = "--smoke" ]; then
  say "smoke: a 3-task array and a dependent job"
  cat > "$work/task.sh" <<'TASK'
#!/bin/bash
echo "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" > "$OUT/task-$SLURM_ARRAY_TASK_ID"
TASK
  mkdir -p "$work/smoke"
  array=$(OUT="$work/smoke" sbatch --parsable --export=ALL --chdir="$work" --array=0-2 "$work/task.sh")
  OUT="$work/smoke" timeout 300 sbatch --wait --export=ALL --chdir="$work" \
    --dependency="afterok:${array%%;*}" --wrap 'cat "$OUT"/task-* > "$OUT/all"'
  diff <(printf '0/3\n1/3\n2/3\n') "$work/smoke/all"
  say "slurm smoke test passed"
  exit 0
fi

[ -x target/release/salesim ] || cargo build --release --quiet
export SALESIM="$root/target/release/salesim"
export SCENARIO=""
# Word-split like the job scripts split it: no quotes inside.
export SWEEP_ARGS='--set gate.nurture_below=0.3,0.45,0.6 --set run.horizon=8w -r 4 --seed 7'
export OUT_DIR="$work/out"
mkdir -p "$OUT_DIR"

say "unsharded sweep on this machine"
# shellcheck disable=SC2086
"$SALESIM" sweep $SWEEP_ARGS --out "$work/unsharded" --quiet > "$work/unsharded.txt"

say "sweep.sbatch as a 3-task job array, merge.sbatch after it (afterok)"
array=$(sbatch --parsable --export=ALL --chdir="$work" --array=0-2 deploy/slurm/sweep.sbatch)
array=${array%%;*}
timeout 600 sbatch --wait --export=ALL --chdir="$work" --kill-on-invalid-dep=yes --dependency="afterok:$array" deploy/slurm/merge.sbatch
sacct_state=$(scontrol show job "$array" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort -u | tr '\n' ' ' || true)
echo "array job $array: ${sacct_state:-finished}"
ls "$OUT_DIR"

say "merged shards vs the unsharded run"
diff -r "$work/unsharded" "$OUT_DIR/merged"
cmp "$work/unsharded.txt" "$OUT_DIR/merged.txt"
say "slurm check passed: 3 shards merged byte for byte into the unsharded sweep"
