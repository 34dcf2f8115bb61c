#!/usr/bin/env python3
"""Console under load: CPU, RSS and key-to-screen latency of a dsconsole console while
`dsconsole bench` drives RPCs through its embedded broker."""
import os, subprocess, sys, time, statistics, threading

B = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 16100
RATE = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
DURATION = int(sys.argv[4]) if len(sys.argv) > 4 else 20
# STATS_VIEW=1 keeps the Stats view open during the run (issue: cost of the view).
STATS_VIEW = os.environ.get("STATS_VIEW") == "1"
T = ["tmux", "-L", "rtbench"]
HZ = os.sysconf("SC_CLK_TCK")

def tmux(*a, **kw):
    return subprocess.run(T + list(a), capture_output=True, text=True, **kw)

def console_pid():
    shell = int(tmux("display-message", "-p", "-t", "m", "#{pane_pid}").stdout.strip())
    out = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else shell

def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ

def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def key_latency(key, expect, gone=False):
    start = time.monotonic()
    tmux("send-keys", "-t", "m", key)
    while time.monotonic() - start < 5:
        screen = tmux("capture-pane", "-p", "-t", "m").stdout
        if (expect in screen) != gone:
            return (time.monotonic() - start) * 1000
    return float("nan")

def latencies(n=10):
    out = []
    for _ in range(n):
        out.append(key_latency("?", "Help · Esc closes"))
        time.sleep(0.05)
        out.append(key_latency("Escape", "Help · Esc closes", gone=True))
        time.sleep(0.05)
        if STATS_VIEW:
            out.append(key_latency("S", "Stats ·"))
            time.sleep(0.05)
    return out

tmux("kill-server")
home = "/tmp/rtbench-home"
subprocess.run(["rm", "-rf", home]); os.makedirs(home)
tmux("new-session", "-d", "-s", "m", "-x", "120", "-y", "40", "-e", f"HOME={home}", "-e", "LANG=C.UTF-8",
     f"{B} --port {PORT}; sleep 1000")
time.sleep(2)
pid = console_pid()
if STATS_VIEW:
    tmux("send-keys", "-t", "m", "S")
# The calls pane otherwise changes every frame; the help overlay check needs Calls focus (default).
idle_lat = latencies(5)
c0, t0 = cpu_seconds(pid), time.monotonic()
time.sleep(3)
idle_cpu = (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100
print(f"idle: cpu {idle_cpu:.1f}% rss {rss_mb(pid):.1f} MB key latency median {statistics.median(idle_lat):.1f} ms", flush=True)

bench = subprocess.Popen([B, "bench", "--url", f"127.0.0.1:{PORT}", "--rate", str(RATE), "--duration", str(DURATION),
                          "--requestors", "2", "--inflight", "256", "--providers", "1", "--payload", "64"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
samples = []
lat = []
time.sleep(2)
start = time.monotonic()
prev_c, prev_t = cpu_seconds(pid), time.monotonic()
while bench.poll() is None and time.monotonic() - start < DURATION - 3:
    time.sleep(1)
    c, t = cpu_seconds(pid), time.monotonic()
    samples.append(((c - prev_c) / (t - prev_t) * 100, rss_mb(pid)))
    prev_c, prev_t = c, t
    if len(samples) % 3 == 0:
        lat += latencies(2)
report = bench.communicate()[0]
time.sleep(1)
print(f"load: {len(samples)} samples, cpu per second: {[round(s[0]) for s in samples]}")
print(f"load: rss MB over time: {[round(s[1], 1) for s in samples]}")
print(f"load: cpu mean {statistics.mean(s[0] for s in samples):.1f}% max {max(s[0] for s in samples):.1f}%")
lat = [x for x in lat if x == x]
if lat:
    lat.sort()
    print(f"load: key latency n={len(lat)} median {statistics.median(lat):.1f} ms p90 {lat[int(len(lat)*0.9)-1]:.1f} ms max {lat[-1]:.1f} ms")
print("bench report:\n" + report)
after = rss_mb(pid)
screen = tmux("capture-pane", "-p", "-t", "m").stdout
print(f"after: rss {after:.1f} MB; status line: {screen.splitlines()[-1]}")
print("calls footer:", [l for l in screen.splitlines() if "calls ·" in l])
tmux("send-keys", "-t", "m", "q"); time.sleep(0.3); tmux("send-keys", "-t", "m", "y"); time.sleep(1)
tmux("kill-server")
