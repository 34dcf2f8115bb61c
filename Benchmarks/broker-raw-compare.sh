#!/bin/bash
# Runs `broker-benchmark --raw` against several dsconsole builds, alternated, ROUNDS times (issue 15).
# usage: Benchmarks/broker-raw-compare.sh BROKER_BENCHMARK DSCONSOLE... (env: ROUNDS=2 DURATION=10 SERIAL=5)
set -u
bench=$1; shift
for round in $(seq 1 "${ROUNDS:-2}"); do
  for binary in "$@"; do
    echo "=== $binary (round $round) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    timeout 180 "$bench" --raw --dsconsole "$binary" --duration "${DURATION:-10}" --warmup 2 --serial "${SERIAL:-5}"
  done
done
