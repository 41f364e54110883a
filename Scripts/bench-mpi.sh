#!/usr/bin/env bash
# Data-parallel overlap benchmark (Docs/BENCHMARKS.md): stage-2 steps of the micro model and of SmolLM2's shape,
# np=2 ranks x 1 thread (buckets reduced during backward, then one reduction after backward) against np=1 x 2
# threads, alternating ROUNDS times. Usage: Scripts/bench-mpi.sh PATH/TO/mlan-bench [CASES] (CASES: micro SmolLM2).
set -euo pipefail
bench=${1:?usage: bench-mpi.sh PATH/TO/mlan-bench [CASES]}
shift
cases=("${@:-micro SmolLM2}")
rounds=${ROUNDS:-2}
mpirun=(mpirun --oversubscribe --allow-run-as-root --bind-to none -np 2 -x MLAN_THREADS=1)
echo "# $(date -u +%FT%TZ) $(uptime)"
echo "# dp CASE RANKS THREADS BUCKET_KIB step_ms... | wait_ms..."
for case in ${cases[@]}; do
  for round in $(seq "$rounds"); do
    MLAN_THREADS=2 "$bench" "dp:$case"
    MLAN_BUCKET_KIB=4096 "${mpirun[@]}" -x MLAN_BUCKET_KIB "$bench" "dp:$case"
    MLAN_BUCKET_KIB=0 "${mpirun[@]}" -x MLAN_BUCKET_KIB "$bench" "dp:$case"
  done
done
echo "# $(date -u +%FT%TZ) $(uptime)"
