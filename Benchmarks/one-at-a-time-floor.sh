#!/usr/bin/env bash
# Where one call at a time spends its time (issues 10 and 15): runs `dsconsole serve` and the raw
# generator with one call in flight, and prints the machine's bare wake-up floor (a C ping-pong,
# Benchmarks/wakeup-pingpong.c), the broker's system calls per call (strace -c over
# 2 s; one epoll_wait, read and write each per wake-up is the floor), the p50 with the broker and generator
# on the same CPU and on different CPUs (every thread: `taskset -a`), and the p50 and system calls of a
# second broker with `--busy-poll ${BUSY_POLL:-50}` (docs/broker.md). Needs strace and taskset; loopback only.
#
#   swift build -c release --product dsconsole --product broker-benchmark && bash Benchmarks/one-at-a-time-floor.sh
set -euo pipefail
BIN=${BIN:-.build/release/dsconsole}
GEN=${GEN:-.build/release/broker-benchmark}
tmp=$(mktemp -d)
SERVE=
trap 'kill $SERVE 2>/dev/null; rm -rf "$tmp"' EXIT
# start_serve [ARGS…]: `dsconsole serve` on a free port → SERVE (pid), PORT.
start_serve() {
    "$BIN" serve --port 0 --log-level error "$@" >"$tmp/serve.log" 2>&1 & SERVE=$!
    for _ in $(seq 100); do grep -q "listening on ws://" "$tmp/serve.log" 2>/dev/null && break; sleep 0.05; done
    PORT=$(sed -n 's|.*listening on ws://127.0.0.1:\([0-9]*\)/deepstream.*|\1|p' "$tmp/serve.log" | head -1)
}
start_serve --busy-poll 0  # the sleeping loop (serve busy-polls by default since decision 64)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The machine's floor: two processes bouncing 64 bytes over loopback TCP with no work in between
# (two wake-ups per round trip; one RPC through the broker is four).
if command -v cc >/dev/null; then
    cc -O2 -o "$tmp/pingpong" "$(dirname "$0")/wakeup-pingpong.c" && "$tmp/pingpong" 20000
fi
serial() { "$@" "$GEN" --raw --port "$PORT" --pid "$SERVE" --duration 0.2 --warmup 0.5 --serial "${SECONDS_SERIAL:-4}" 2>&1 | grep "one at a time" -A1; }
# syscalls TITLE PATTERN: the broker's system calls (strace -c) over 2 s of one-at-a-time calls.
syscalls() {
    SECONDS_SERIAL=5 serial env >"$tmp/bg.txt" & BG=$!
    sleep 2
    timeout 2 strace -f -c -p "$SERVE" -o "$tmp/strace.txt" 2>/dev/null || true
    wait $BG
    echo "$1"
    grep -E "$2" "$tmp/strace.txt" | awk '{print "  " $NF ": " $(NF-1) (NF == 6 ? " (" $5 " errors)" : "")}' | sed 's/(.* errors)//'
}
serial env
syscalls "broker system calls over 2 s of one-at-a-time calls (strace -c):" "epoll_wait|read|write|futex|timerfd|total"
# -a: every thread of the broker (the event loop is not the main thread).
echo "same CPU (0):"; taskset -a -pc 0 "$SERVE" >/dev/null; serial taskset -c 0 | head -1
echo "different CPUs (broker 0, generator 1):"; serial taskset -c 1 | head -1
taskset -a -pc 0-$(( $(nproc) - 1 )) "$SERVE" >/dev/null
# The same broker binary with busy-poll: the loop polls for BUSY_POLL µs after each input instead of sleeping.
kill $SERVE 2>/dev/null; wait $SERVE 2>/dev/null || true
start_serve --busy-poll "${BUSY_POLL:-50}"
echo "busy-poll ${BUSY_POLL:-50} µs:"; serial env
syscalls "busy-poll broker system calls over 2 s of one-at-a-time calls (strace -c; poll = readiness checks while polling):" \
    "epoll_wait| poll|read|write|futex|timerfd|total"
