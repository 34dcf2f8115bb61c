#!/usr/bin/env bash
# One call at a time with busy-poll (busypoll branch; issues 15 and 10): alternates `dsconsole serve
# --busy-poll N` (and a BEFORE binary, if given) back to back with the raw generator, then the issue-10
# comparison (direct and through `watch --proxy`, same run) with busy-poll off/on in the proxy and the
# broker, then what it costs (idle CPU, `dsconsole bench --rate 5000`, 256 in flight). Every line carries
# the load average. Loopback only.
#
#   swift build -c release --product dsconsole --product broker-benchmark && bash Benchmarks/busy-poll-benchmark.sh
#   BEFORE=/tmp/busypoll-before-dsconsole ROUNDS=3 WINDOWS="0 25 50 100 200" bash Benchmarks/busy-poll-benchmark.sh
#   PARTS="broker proxy cost" (default all three)
set -uo pipefail
BIN=${BIN:-.build/release/dsconsole}
GEN=${GEN:-.build/release/broker-benchmark}
BEFORE=${BEFORE:-}
ROUNDS=${ROUNDS:-3}
WINDOWS=${WINDOWS:-0 25 50 100 200}
PARTS=${PARTS:-broker proxy cost}
SERIAL=${SERIAL:-3}
source "$(dirname "$0")/pacing-common.sh"

# serve BINARY WINDOW → sets SERVE, PORT
serve() {
    local args=(serve --port 0 --log-level error)
    [ "$2" != "-" ] && args+=(--busy-poll "$2")
    "$1" "${args[@]}" >"$tmp/serve.log" 2>&1 & SERVE=$!; PIDS+=("$SERVE")
    wait_for "$tmp/serve.log" "listening on ws://" || exit 1
    PORT=$(sed -n 's|.*listening on ws://127.0.0.1:\([0-9]*\)/deepstream.*|\1|p' "$tmp/serve.log" | head -1)
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# The generator's one-at-a-time figures: p50 p99 broker-µs/RPC broker-% [proxy-µs/RPC]
serial_figures() {
    awk '/^one at a time/ {on=1; s=$0; sub(/.*p50 /,"",s); p50=s; sub(/ .*/,"",p50); s=$0; sub(/.*p99 /,"",s); p99=s; sub(/ .*/,"",p99); next}
        on && /^  broker CPU/ {b=$0; sub(/.*broker CPU /,"",b); bc=b; sub(/ .*/,"",bc); split(b, parts, "("); bp=parts[2]; sub(/ .*/,"",bp); next}
        on && /^  proxy CPU/ {p=$0; sub(/.*proxy CPU /,"",p); sub(/ .*/,"",p); pc=p}
        END { printf "%s %s %s %s%% %s", p50, p99, bc, bp, (pc == "" ? "-" : pc) }' "$1"
}

if [[ " $PARTS " == *" broker "* ]]; then
    echo "== 1. broker, one at a time ($GEN --raw --duration 0.2 --warmup 0.5 --serial $SERIAL), $ROUNDS rounds alternating"
    printf '%-7s %-10s %9s %9s %12s %8s  %s\n' round variant "p50 µs" "p99 µs" "broker µs" "core" "load average"
    variants=()
    [ -n "$BEFORE" ] && variants+=("before")
    for w in $WINDOWS; do variants+=("$w"); done
    for round in $(seq "$ROUNDS"); do
        for v in "${variants[@]}"; do
            # "-" passes no option: the BEFORE binary's own default.
            if [ "$v" = before ]; then serve "$BEFORE" -; else serve "$BIN" "$v"; fi
            l=$(load)
            "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 0.2 --warmup 0.5 --serial "$SERIAL" >"$tmp/gen.txt" 2>&1
            read -r p50 p99 bc bp _ <<<"$(serial_figures "$tmp/gen.txt")"
            printf '%-7s %-10s %9s %9s %12s %8s  %s\n' "$round" "$v" "$p50" "$p99" "$bc" "$bp" "$l"
            [ -z "$p50" ] && tail -3 "$tmp/gen.txt" | sed 's/^/    /'
            stop "$SERVE"
        done
    done
fi

if [[ " $PARTS " == *" proxy "* ]]; then
    echo "== 2. issue 10: one at a time direct vs through watch --proxy (JSON Lines to a file), same run"
    printf '%-7s %-22s %9s %9s %9s %9s %11s %11s  %s\n' round "broker/proxy busy-poll" "direct" "proxied" "added" "prx p99" "broker µs" "proxy µs" "load average"
    for round in $(seq "$ROUNDS"); do
        for pair in "0 0" "0 50" "50 50"; do
            read -r bw pw <<<"$pair"
            serve "$BIN" "$bw"
            "$BIN" watch --proxy "ws://127.0.0.1:$PORT" --listen 127.0.0.1:0 --busy-poll "$pw" >"$tmp/watch.jsonl" 2>"$tmp/watch.err" & PROXY=$!; PIDS+=("$PROXY")
            wait_for "$tmp/watch.jsonl" '"listening"' || exit 1
            PPORT=$(head -1 "$tmp/watch.jsonl" | sed -n 's|.*"url":"ws://127.0.0.1:\([0-9]*\)/deepstream".*|\1|p')
            l=$(load)
            "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 0.2 --warmup 0.5 --serial "$SERIAL" >"$tmp/direct.txt" 2>&1
            "$GEN" --raw --port "$PPORT" --pid "$SERVE" --proxy-pid "$PROXY" --duration 0.2 --warmup 0.5 --serial "$SERIAL" >"$tmp/proxied.txt" 2>&1
            read -r d50 _ _ _ _ <<<"$(serial_figures "$tmp/direct.txt")"
            read -r p50 p99 bc _ pc <<<"$(serial_figures "$tmp/proxied.txt")"
            added="?"; [[ "$p50" =~ ^[0-9]+$ && "$d50" =~ ^[0-9]+$ ]] && added=$(( p50 - d50 ))
            printf '%-7s %-22s %9s %9s %9s %9s %11s %11s  %s\n' "$round" "$bw / $pw" "$d50" "$p50" "$added" "$p99" "$bc" "$pc" "$l"
            [ "$added" = "?" ] && { echo "  generator output:"; tail -3 "$tmp/direct.txt" "$tmp/proxied.txt" | sed 's/^/    /'; }
            stop "$PROXY"; stop "$SERVE"
        done
    done
fi

if [[ " $PARTS " == *" cost "* ]]; then
    echo "== 3. cost"
    for w in 0 50; do
        serve "$BIN" "$w"
        "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 0.2 --warmup 0.2 --serial 1 >/dev/null 2>&1
        sleep 1
        t0=$(ticks "$SERVE"); sleep 10; t1=$(ticks "$SERVE")
        echo "idle after calls, busy-poll $w: broker CPU over 10 s = $(( (t1 - t0) * 1000 / hz )) ms (load $(load))"
        if command -v strace >/dev/null; then
            timeout 3 strace -f -c -p "$SERVE" -o "$tmp/idle-strace.txt" 2>/dev/null
            echo "  system calls in 3 s idle (strace -c): $(awk '/total/ {print $(NF-1)}' "$tmp/idle-strace.txt")"
        fi
        stop "$SERVE"
    done
    for round in 1 2; do
        for w in 0 50; do
            serve "$BIN" "$w"
            l=$(load)
            t0=$(ticks "$SERVE")
            "$BIN" bench --url "ws://127.0.0.1:$PORT/deepstream" --rate 5000 --inflight 64 --duration 10 --json >"$tmp/bench.json" 2>/dev/null
            t1=$(ticks "$SERVE")
            calls=$(jq -r .calls "$tmp/bench.json" 2>/dev/null)
            p50=$(jq -r .latencyMs.p50 "$tmp/bench.json" 2>/dev/null)
            echo "bench --rate 5000 (10 s), busy-poll $w: broker CPU $(( (t1 - t0) * 1000 / hz / 10 )) ms/s = $(( (t1 - t0) * 100 / hz / 10 )) % of a core; calls ${calls:-?}; p50 ${p50:-?} ms; load $l"
            stop "$SERVE"
        done
    done
    for round in 1 2; do
        for w in 0 50; do
            serve "$BIN" "$w"
            l=$(load)
            "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 10 --warmup 2 --serial 0 >"$tmp/gen.txt" 2>&1
            echo "256 in flight, busy-poll $w (load at start $l):"
            grep -E "^load:|broker CPU" "$tmp/gen.txt" | head -2 | sed 's/^/  /'
            stop "$SERVE"
        done
    done
fi
