#!/usr/bin/env bash
# Read coalescing (issue 15, decision 63): what `--coalesce-reads` does to CPU and latency.
#   1. the console on its embedded broker at 5,000 calls/s (Benchmarks/console-under-load.py), default
#      (500 µs) against --coalesce-reads 0, alternating;
#   2. `dsconsole serve` at `bench --rate 5000` with naps of 0 250 500 1000 µs: broker CPU, call latency;
#   3. what it costs where it hurts or should not matter: one call at a time (the raw generator's
#      --serial), 256 in flight, and sparse traffic (bench --rate 100, below the 2,000 messages/s at
#      which naps start).
# Every line carries the load average. Loopback only.
#
#   swift build -c release --product dsconsole --product broker-benchmark && bash Benchmarks/read-coalescing-benchmark.sh
#   ROUNDS=2 PARTS="console serve cost" NAPS="0 250 500 1000" (defaults)
set -uo pipefail
BIN=${BIN:-$PWD/.build/release/dsconsole}
GEN=${GEN:-$PWD/.build/release/broker-benchmark}
ROUNDS=${ROUNDS:-2}
PARTS=${PARTS:-console serve cost}
NAPS=${NAPS:-0 250 500 1000}
source "$(dirname "$0")/pacing-common.sh"
serve() {
    # --busy-poll 0: nap 0 is the sleeping loop, as in the documented runs (serve's default busy-poll,
    # decision 64, came after them).
    "$BIN" serve --port 0 --log-level error --busy-poll 0 --coalesce-reads "$1" >"$tmp/serve.log" 2>&1 & SERVE=$!; PIDS+=("$SERVE")
    wait_for "$tmp/serve.log" "listening on ws://" || exit 1
    PORT=$(sed -n 's|.*listening on ws://127.0.0.1:\([0-9]*\)/deepstream.*|\1|p' "$tmp/serve.log" | head -1)
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# bench RATE SECONDS → "broker-% calls p50-ms p99-ms"
bench() {
    local t0 t1
    t0=$(ticks "$SERVE")
    "$BIN" bench --url "ws://127.0.0.1:$PORT/deepstream" --rate "$1" --inflight 64 --duration "$2" --json >"$tmp/bench.json" 2>/dev/null
    t1=$(ticks "$SERVE")
    echo "$(( (t1 - t0) * 1000 / hz / $2 / 10 ))% $(jq -r .calls "$tmp/bench.json") $(jq -r .latencyMs.p50 "$tmp/bench.json") $(jq -r .latencyMs.p99 "$tmp/bench.json")"
}

if [[ " $PARTS " == *" console "* ]]; then
    echo "== 1. console on its embedded broker, 5,000 calls/s for 30 s (console-under-load.py), default vs --coalesce-reads 0"
    printf '#!/bin/sh\nif [ "$1" = "--port" ]; then exec "%s" "$@" --coalesce-reads 0; fi\nexec "%s" "$@"\n' "$BIN" "$BIN" >"$tmp/off"
    chmod +x "$tmp/off"
    for round in $(seq "$ROUNDS"); do
        for variant in default off; do
            binary=$BIN; [ "$variant" = off ] && binary=$tmp/off
            l=$(load)
            python3 Benchmarks/console-under-load.py "$binary" 16321 5000 30 >"$tmp/console.txt" 2>&1
            cpu=$(sed -n 's/^load: cpu mean \([0-9.]*\)%.*/\1/p' "$tmp/console.txt")
            key=$(sed -n 's/^load: key latency n=[0-9]* median \([0-9.]*\) ms.*/\1/p' "$tmp/console.txt")
            calls=$(sed -n 's/^calls *\([0-9]*\).*/\1/p' "$tmp/console.txt")
            lat=$(sed -n 's/^latency ms *p50 \([0-9.]*\).*p99 \([0-9.]*\).*/p50 \1 p99 \2/p' "$tmp/console.txt")
            rss=$(sed -n 's/^after: rss \([0-9.]*\) MB.*/\1/p' "$tmp/console.txt")
            dropped=$(sed -n 's/.*│ \([0-9]*\) dropped.*/\1/p' "$tmp/console.txt" | tail -1)
            echo "round $round $variant: console CPU ${cpu:-?} %; calls ${calls:-?}, call latency ms ${lat:-?}; key (tmux) median ${key:-?} ms; RSS ${rss:-?} MB; dropped ${dropped:-?}; load $l"
        done
    done
fi

if [[ " $PARTS " == *" serve "* ]]; then
    echo "== 2. dsconsole serve --coalesce-reads N at bench --rate 5000 (10 s): broker CPU, calls, call latency p50/p99 ms"
    for round in $(seq "$ROUNDS"); do
        for nap in $NAPS; do
            serve "$nap"; l=$(load)
            read -r cpu calls p50 p99 <<<"$(bench 5000 10)"
            echo "round $round nap $nap µs: broker $cpu of a core; calls $calls; p50 $p50 ms, p99 $p99 ms; load $l"
            stop "$SERVE"
        done
    done
fi

if [[ " $PARTS " == *" cost "* ]]; then
    echo "== 3. cost: one at a time ($GEN --raw --serial 3), 256 in flight (10 s), sparse traffic (bench --rate 100, 10 s)"
    for round in $(seq "$ROUNDS"); do
        for nap in 0 500; do
            serve "$nap"; l=$(load)
            "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 0.2 --warmup 0.5 --serial 3 >"$tmp/gen.txt" 2>&1
            echo "round $round nap $nap µs, one at a time: $(grep '^one at a time' "$tmp/gen.txt" | sed 's/.*= //'); load $l"
            stop "$SERVE"
            serve "$nap"; l=$(load)
            "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 10 --warmup 2 --serial 0 >"$tmp/gen.txt" 2>&1
            echo "round $round nap $nap µs, 256 in flight: $(grep '^load:' "$tmp/gen.txt" | sed 's/^load: //'); $(grep 'broker CPU' "$tmp/gen.txt" | head -1 | sed 's/;.*//;s/^ *//'); load $l"
            stop "$SERVE"
            serve "$nap"; l=$(load)
            read -r cpu calls p50 p99 <<<"$(bench 100 10)"
            echo "round $round nap $nap µs, bench --rate 100: broker $cpu of a core; calls $calls; p50 $p50 ms, p99 $p99 ms; load $l"
            stop "$SERVE"
        done
    done
fi
