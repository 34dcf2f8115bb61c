#!/usr/bin/env python3
"""dsconsole open on a large recording: time to the first rows, time to read the whole file, and the
console's peak memory (VmHWM), with the call log's default capacity (100,000 calls).

Usage: Benchmarks/open-recording.py DSCONSOLE [CALLS] [extra open options…]
Generates /tmp/dsconsole-open-CALLS.jsonl (CALLS recorded calls, 5 names, 4 timeline steps, ~450 bytes
a line) unless it exists, runs `dsconsole open` in tmux with a private HOME and reads the load time
from the console's log file ("opened FILE: N calls, … read in X seconds")."""
import json, os, shutil, subprocess, sys, tempfile, time

B = sys.argv[1]
CALLS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
EXTRA = sys.argv[3:]
PATH = f"/tmp/dsconsole-open-{CALLS}.jsonl"
T = ["tmux", "-L", f"openbench{os.getpid()}"]

def generate():
    base = 1_764_000_000_000_000_000
    names = ["pay", "search", "lookup", "greet", "add"]
    with open(PATH + ".part", "w") as f:
        f.write(json.dumps({"recording": "dsconsole", "version": 1, "source": "ws://127.0.0.1:6020/deepstream",
                            "startedAt": base}, separators=(",", ":")) + "\n")
        for i in range(CALLS):
            at = base + i * 1_000_000
            peer, user = 100 + i % 7, f"prov{i % 7}"
            f.write(json.dumps({
                "name": names[i % 5], "correlationId": f"c{i:07d}", "requestor": f"req{i % 50}", "provider": user,
                "outcome": "RESPONSE", "request": '{"n":%d,"q":"item-%d"}' % (i, i % 977),
                "response": '{"ok":true,"n":%d,"items":[1,2,3]}' % i,
                "timeline": [{"at": at, "step": "requested"},
                             {"at": at + 100_000, "step": "routed", "peer": peer, "user": user},
                             {"at": at + 200_000, "step": "accepted", "peer": peer, "user": user},
                             {"at": at + 900_000 + (i % 13) * 10_000, "step": "responded"}]},
                separators=(",", ":")) + "\n")
    os.rename(PATH + ".part", PATH)

def tmux(*a):
    return subprocess.run(T + list(a), capture_output=True, text=True)

def status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return float("nan")

if not os.path.exists(PATH):
    generate()
home = tempfile.mkdtemp(prefix="openbench-")
log = os.path.join(home, "console.log")
command = f"exec env HOME={home} XDG_STATE_HOME={home}/state {B} open {PATH} --log-file {log} {' '.join(EXTRA)} 2>{home}/stderr"
tmux("new-session", "-d", "-s", "o", "-x", "160", "-y", "40", command)
start = time.monotonic()
pid = int(tmux("display-message", "-p", "-t", "o", "#{pane_pid}").stdout.strip())
first = None
peak = 0.0
loaded = None
try:
    while time.monotonic() - start < 1800:
        peak = max(peak, status(pid, "VmRSS:"))
        if first is None and " calls · " in tmux("capture-pane", "-p", "-t", "o").stdout:
            first = time.monotonic() - start
        text = open(log).read() if os.path.exists(log) else ""
        if "opened " in text:
            loaded = [line for line in text.splitlines() if "opened " in line][-1]
            break
        time.sleep(0.1)
    hwm = status(pid, "VmHWM:")
    rss = status(pid, "VmRSS:")
    footer = [line for line in tmux("capture-pane", "-p", "-t", "o").stdout.splitlines() if " calls · " in line]
finally:
    tmux("kill-server")
    shutil.rmtree(home, ignore_errors=True)
size = os.path.getsize(PATH) / 1e6
print(f"file: {PATH} ({CALLS} calls, {size:.0f} MB)")
print(f"first rows on screen after {first:.2f} s" if first is not None else "no rows seen")
print(f"whole file read after {time.monotonic() - start:.1f} s (wall, includes polling); log: {loaded}")
print(f"memory: peak VmHWM {hwm:.0f} MB, VmRSS at the end {rss:.0f} MB (sampled peak {peak:.0f} MB)")
print(f"calls pane footer: {footer[0].strip() if footer else '?'}")
