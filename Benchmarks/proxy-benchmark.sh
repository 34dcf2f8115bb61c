#!/usr/bin/env bash
# Proxy benchmark (issue 10): the same `dsconsole bench` load against `dsconsole serve`, once direct and
# once through `dsconsole watch --proxy` (observer + JSON Lines writer attached, lines to a file), in one
# run; then at a fixed rate through the console (`dsconsole proxy` in tmux). Prints latency and the CPU
# time the broker and proxy processes used per call (from /proc/PID/stat). Loopback only, bounded.
#
#   swift build -c release --product dsconsole && bash Benchmarks/proxy-benchmark.sh
#   DURATION=10 RATE=5000 bash Benchmarks/proxy-benchmark.sh
#   PROXY_BIN=/tmp/old-dsconsole bash Benchmarks/proxy-benchmark.sh   # another build as the proxy only
#                                                                    # (before/after with the same broker and load)
#   RAW_ONLY=1 bash Benchmarks/proxy-benchmark.sh                     # only the raw-generator section
#
# The raw-generator section (`broker-benchmark --raw --proxy-pid`, pre-encoded frames from one thread,
# far cheaper than `dsconsole bench`, so the generator does not starve the proxy and broker of the 2
# cores) runs direct, through `watch --proxy` (JSON Lines) and through `watch --proxy --topics-only`
# at 256 in flight, and prints the proxy's CPU per RPC beside the broker's and their ratio (issue 10:
# at most 0.5). Needs `swift build -c release --product broker-benchmark`; skipped without it.
set -euo pipefail
BIN=${BIN:-.build/release/dsconsole}
PROXY_BIN=${PROXY_BIN:-$BIN}
RAW_BIN=${RAW_BIN:-.build/release/broker-benchmark}
DURATION=${DURATION:-5}
RATE=${RATE:-5000}
RAW_ONLY=${RAW_ONLY:-0}
tmp=$(mktemp -d)
SERVE_PID=""; PROXY_PID=""
cleanup() {
    [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
    tmux -L dsconsole-proxy-bench kill-server 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
wait_for() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "no '$2' in $1" >&2; exit 1; }

# --busy-poll 0: the broker as these figures were taken (serve busy-polls by default since decision 64).
"$BIN" serve --port 0 --busy-poll 0 >"$tmp/serve.log" 2>&1 & SERVE_PID=$!
wait_for "$tmp/serve.log" "listening on ws://"
BPORT=$(sed -n 's|.*listening on ws://127.0.0.1:\([0-9]*\)/deepstream.*|\1|p' "$tmp/serve.log" | head -1)
"$PROXY_BIN" watch --proxy "ws://127.0.0.1:$BPORT" --listen 127.0.0.1:0 >"$tmp/watch.jsonl" 2>"$tmp/watch.err" & PROXY_PID=$!
wait_for "$tmp/watch.jsonl" '"listening"'
PURL=$(head -1 "$tmp/watch.jsonl" | jq -r .url)
DURL="ws://127.0.0.1:$BPORT/deepstream"

echo "proxy binary: $PROXY_BIN; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# Raw generator: broker CPU, proxy CPU and their ratio per RPC at 256 in flight.
raw() {
    local label=$1; shift
    "$RAW_BIN" --raw --port "$1" --pid "$SERVE_PID" --inflight 256 --duration "$DURATION" --warmup 1 --serial 0 "${@:2}" \
        >"$tmp/raw.txt" 2>&1 || { echo "$label: broker-benchmark failed: $(tr '\n' ' ' <"$tmp/raw.txt")"; return; }
    local rate broker proxy ratio load
    rate=$(sed -n 's/^load: .* = \([0-9]*\) RPC\/s.*/\1/p' "$tmp/raw.txt")
    broker=$(sed -n 's/.*broker CPU \([0-9.]*\) µs\/RPC.*/\1/p' "$tmp/raw.txt")
    proxy=$(sed -n 's/.*proxy CPU \([0-9.]*\) µs\/RPC.*/\1/p' "$tmp/raw.txt")
    ratio=$(sed -n 's/.*proxy \/ broker CPU per RPC = \([0-9.?]*\).*/\1/p' "$tmp/raw.txt")
    load=$(sed -n 's/.*load average before \([0-9.]*\).*after \([0-9.]*\).*/\1–\2/p' "$tmp/raw.txt")
    printf '%-44s %9s %14s %14s %8s %12s\n' "$label" "${rate:-?}" "${broker:-?}" "${proxy:--}" "${ratio:--}" "${load:-?}"
}
if [ -x "$RAW_BIN" ]; then
    echo "raw generator ($RAW_BIN), 256 in flight, $DURATION s after 1 s warm-up:"
    printf '%-44s %9s %14s %14s %8s %12s\n' scenario "RPC/s" "broker µs/RPC" "proxy µs/RPC" "ratio" "load"
    raw "direct" "$BPORT"
    raw "through watch --proxy (JSON Lines)" "$(echo "$PURL" | sed 's|.*:\([0-9]*\)/.*|\1|')" --proxy-pid "$PROXY_PID"
    "$PROXY_BIN" watch --proxy "ws://127.0.0.1:$BPORT" --listen 127.0.0.1:0 --topics-only --topic-interval 0 \
        >"$tmp/rawquiet.jsonl" 2>"$tmp/rawquiet.err" & RAW_PROXY_PID=$!
    wait_for "$tmp/rawquiet.jsonl" '"listening"'
    RAW_PURL=$(head -1 "$tmp/rawquiet.jsonl" | jq -r .url)
    raw "through watch --proxy --topics-only" "$(echo "$RAW_PURL" | sed 's|.*:\([0-9]*\)/.*|\1|')" --proxy-pid "$RAW_PROXY_PID"
    kill "$RAW_PROXY_PID"; wait "$RAW_PROXY_PID" 2>/dev/null || true
    echo "(ratio = proxy / broker CPU per RPC; issue 10 asks for at most 0.5)"
else
    echo "raw generator section skipped: no $RAW_BIN (swift build -c release --product broker-benchmark)"
fi
[ "$RAW_ONLY" = 1 ] && exit 0
printf '%-44s %8s %9s %8s %8s %8s %14s %14s %6s\n' scenario calls "calls/s" "p50 µs" "p99 µs" "fail/skip" "broker µs/call" "proxy µs/call" load
run() {
    local label=$1 url=$2; shift 2
    local b0 p0 b1 p1
    b0=$(ticks "$SERVE_PID"); p0=$(ticks "$PROXY_PID")
    "$BIN" bench --url "$url" --json --duration "$DURATION" "$@" >"$tmp/bench.json" 2>/dev/null
    b1=$(ticks "$SERVE_PID"); p1=$(ticks "$PROXY_PID")
    jq -r --arg name "$label" --argjson b "$((b1 - b0))" --argjson p "$((p1 - p0))" --argjson hz "$hz" '
        [$name, .calls, (.throughputPerSecond | floor), (.latencyMs.p50 * 1000 | floor), (.latencyMs.p99 * 1000 | floor),
         "\(.failed)/\(.skipped)", ($b / $hz * 1e6 / .calls * 10 | floor / 10), ($p / $hz * 1e6 / .calls * 10 | floor / 10)]
        | @tsv' "$tmp/bench.json" | awk -F'\t' -v load="$(cut -d' ' -f1 /proc/loadavg)" \
            '{printf "%-44s %8s %9s %8s %8s %8s %14s %14s %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, load}'
}
# Warm-up (first connections, page faults), not printed.
"$BIN" bench --url "$PURL" --duration 1 >/dev/null 2>&1
run "direct, 1 in flight" "$DURL" --requestors 1 --inflight 1
run "proxied, 1 in flight" "$PURL" --requestors 1 --inflight 1
run "direct, 4 × 64 = 256 in flight" "$DURL" --requestors 4 --inflight 64 --providers 2
run "proxied, 4 × 64 = 256 in flight" "$PURL" --requestors 4 --inflight 64 --providers 2
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""
echo "watch --proxy: $(wc -l <"$tmp/watch.jsonl") JSON lines; $(tr '\n' ' ' <"$tmp/watch.err")"
# The proxy with the observer running but nobody printing its events (forwarding + decoding + call table).
"$PROXY_BIN" watch --proxy "ws://127.0.0.1:$BPORT" --listen 127.0.0.1:0 --topics-only --topic-interval 0 >"$tmp/quiet.jsonl" 2>"$tmp/quiet.err" & PROXY_PID=$!
wait_for "$tmp/quiet.jsonl" '"listening"'
PURL=$(head -1 "$tmp/quiet.jsonl" | jq -r .url)
"$BIN" bench --url "$PURL" --duration 1 >/dev/null 2>&1
run "stats-only proxy, 1 in flight" "$PURL" --requestors 1 --inflight 1
run "stats-only proxy, 4 × 64 = 256 in flight" "$PURL" --requestors 4 --inflight 64 --providers 2
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""

# The console attached: dsconsole proxy in tmux, load at RATE calls/s through it.
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/home"
tmux -L dsconsole-proxy-bench -f /dev/null new-session -d -s bench -x 160 -y 45 \
    "HOME='$tmp/home' XDG_STATE_HOME='$tmp/home/state' '$PROXY_BIN' proxy 'ws://127.0.0.1:$BPORT' --listen 127.0.0.1:$CPORT --log-file '$tmp/console.log' 2>'$tmp/console.err'"
for _ in $(seq 100); do tmux -L dsconsole-proxy-bench capture-pane -p -t bench | grep -q "OPEN" && break; sleep 0.1; done
PANE_PID=$(tmux -L dsconsole-proxy-bench display -p -t bench '#{pane_pid}')
# By path, not by name: a PROXY_BIN copy need not be called dsconsole (pgrep finding nothing ended
# the script under `set -e -o pipefail`).
PROXY_PID=$( (pgrep -P "$PANE_PID" -f -- "$PROXY_BIN" || true) | head -1); PROXY_PID=${PROXY_PID:-$PANE_PID}
run "console proxy, $RATE calls/s open loop" "ws://127.0.0.1:$CPORT/deepstream" --rate "$RATE" --requestors 4 --inflight 64 --providers 2
sleep 1
echo "console status line: $(tmux -L dsconsole-proxy-bench capture-pane -p -t bench | grep -E 'calls/s' | tail -1 | tr -s ' ')"
# q asks first when calls are in the log: answer it.
tmux -L dsconsole-proxy-bench send-keys -t bench q; sleep 0.3; tmux -L dsconsole-proxy-bench send-keys -t bench y
for _ in $(seq 50); do grep -q "proxy:" "$tmp/console.log" 2>/dev/null && break; sleep 0.1; done
echo "console log: $(grep -o 'proxy:.*' "$tmp/console.log" | tail -1)"
PROXY_PID=""
