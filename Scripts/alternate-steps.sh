#!/bin/bash
# Alternating before/after timing of training steps (Docs/BENCHMARKS.md §5):
#   Scripts/alternate-steps.sh BEFORE_BINARY AFTER_BINARY CONFIG THREADS ROUNDS
# Each round runs `MLAN_THREADS=THREADS BINARY step:CONFIG` with the before binary, then the after binary, under
# /usr/bin/time, and prints the 1-minute load, the step times (ms, after one warm-up) and the whole run's CPU
# seconds (user + system). On a shared machine the CPU seconds of one-thread runs scatter far less than wall time.
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: $0 BEFORE_BINARY AFTER_BINARY CONFIG THREADS ROUNDS" >&2
  exit 2
fi
before=$1 after=$2 config=$3 threads=$4 rounds=$5
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    binary=$before
    [ "$which" = after ] && binary=$after
    load=$(cut -d' ' -f1 /proc/loadavg)
    output=$( { MLAN_THREADS=$threads /usr/bin/time -f "cpu %U %S" "$binary" "step:$config"; } 2>&1 )
    steps=$(echo "$output" | grep '^step' | cut -d' ' -f4-)
    cpu=$(echo "$output" | grep '^cpu' | awk '{printf "%.2f", $2 + $3}')
    echo "round $round load $load $which: steps $steps | cpu ${cpu}s"
  done
done
