#!/bin/bash
# The cluster console under a burst on the Redis bus (docs/benchmarks.md, "Cluster view").
# Starts redis-server on PORT and `dsconsole cluster` in a tmux pane, pipes N cross-node calls
# (Benchmarks/cluster_bus_load.py) into Redis, and polls the pane until the Calls footer's count stops
# changing for 5 s (or reaches N). Prints the footer, the status line, and the times.
# Usage: Benchmarks/cluster-console-burst.sh [N] [DSCONSOLE] [PORT]   (needs redis-server, redis-cli, tmux, bc)
set -u
N=${1:-20000}
BIN=${2:-.build/debug/dsconsole}
PORT=${3:-16998}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SOCKET=dsconsole-burst-$$
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
REDIS=$!
trap 'tmux -L $SOCKET kill-server 2>/dev/null; kill $REDIS 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 0.5
python3 "$HERE/cluster_bus_load.py" "$N" > "$WORK/bus.resp"
tmux -L "$SOCKET" -f /dev/null new-session -d -s burst -x 160 -y 40 -e HOME="$WORK" -e XDG_STATE_HOME="$WORK/state" \
    "$BIN cluster redis://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$PORT" PUBSUB NUMSUB 9 | tail -1)" = "1" ] && break
    sleep 0.1
done
start=$(date +%s.%N)
redis-cli -p "$PORT" --pipe < "$WORK/bus.resp" > /dev/null
piped=$(date +%s.%N)
last=""
changed=$(date +%s.%N)
while true; do
    screen=$(tmux -L "$SOCKET" capture-pane -p -t burst)
    count=$(echo "$screen" | grep -o "follow · [0-9]* calls" | tail -1)
    now=$(date +%s.%N)
    if [ "$count" != "$last" ]; then last=$count; changed=$now; fi
    echo "$screen" | grep -q "follow · $N calls" && break
    (( $(echo "$now - $changed > 5" | bc) )) && break
    sleep 0.05
done
echo "$screen" | grep -E "follow ·" | tail -1
echo "$screen" | tail -1
echo "pipe $(echo "$piped - $start" | bc) s, last row $(echo "$changed - $start" | bc) s after the pipe started, load $(cut -d' ' -f1-3 /proc/loadavg)"
