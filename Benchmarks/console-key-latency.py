#!/usr/bin/env python3
"""Key-to-screen latency of a dsconsole console measured on a pseudo-terminal (no tmux).

usage: console-key-latency.py BINARY [PORT] [RATE] [DURATION] [PROBES] [PAYLOAD] [CONSOLE-ARGS…]

PAYLOAD is bench's request size in bytes (default 64; the echo provider sends it back); CONSOLE-ARGS
go to the console after `--port PORT` (e.g. `--payload-memory 64`).

The console runs on the slave side of a pty (TERM=xterm-256color, 120x40 via TIOCSWINSZ). This
process is its terminal: one loop drains the master all the time (so the console never blocks on a
full pty), and a probe writes `?` at t0 (time.perf_counter) and stops the clock at the first read
whose bytes, accumulated since t0, contain the help overlay's title `Help · Esc closes` as the
console wrote it. Escape then closes the overlay (not timed; the next probe waits until the help
title has been gone for a while). What is measured: key byte written → console reads it → reducer
→ frame drawn → ncurses' output for the frame reaches the terminal. What is not: a terminal
emulator's parse and paint. The idle floor is measured the same way before the load starts.

With RATE > 0, `BINARY bench` drives RATE calls/s through the console's embedded broker for
DURATION seconds while probes run; the console's CPU (from /proc/PID/stat, utime+stime, the
broker included: it runs in the console's process) and RSS are sampled every second, and CPU is split
by thread (NIO threads: the broker; the rest: the console side) and given per delivered call.
"""
import fcntl, os, pty, select, signal, statistics, struct, subprocess, sys, termios, time

B = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 16240
RATE = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
DURATION = int(sys.argv[4]) if len(sys.argv) > 4 else 30
PROBES = int(sys.argv[5]) if len(sys.argv) > 5 else 40
PAYLOAD = int(sys.argv[6]) if len(sys.argv) > 6 else 64
CONSOLE_ARGS = sys.argv[7:]
ROWS, COLS = 40, 120
EXPECT = "Help · Esc closes".encode()
HZ = os.sysconf("SC_CLK_TCK")

home = f"/tmp/ptybench-home-{PORT}"
subprocess.run(["rm", "-rf", home])
os.makedirs(home)

pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    os.execve(B, [B, "--port", str(PORT)] + CONSOLE_ARGS, env)

total_bytes = 0

def drain(timeout):
    """Reads whatever the console wrote within `timeout` seconds; returns the bytes."""
    global total_bytes
    r, _, _ = select.select([master], [], [], timeout)
    if not r:
        return b""
    try:
        data = os.read(master, 1 << 16)
    except OSError:
        return b""
    total_bytes += len(data)
    return data

def pump(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        drain(max(0.0, end - time.perf_counter()))

def probe():
    """Writes `?` and returns ms until the help title arrives (nan after 5 s)."""
    pump(0.05)  # settle: whatever was pending before the key is not part of the answer
    seen = b""
    t0 = time.perf_counter()
    os.write(master, b"?")
    while time.perf_counter() - t0 < 5:
        data = drain(0.5)
        if data:
            seen += data
            if EXPECT in seen:
                ms = (time.perf_counter() - t0) * 1000
                break
    else:
        ms = float("nan")
    os.write(master, b"\x1b")
    pump(0.25)
    return ms

def cpu_seconds():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ

def thread_cpu_seconds():
    """CPU seconds of the console's threads by group: SwiftNIO's (`NIO-*`: the embedded broker, and
    the engine's own socket) and the rest (Swift's cooperative pool: tap relay, event hub, runtime,
    reducer, frames; ncurses)."""
    nio = other = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{task}/comm").read().strip()
            f = open(f"/proc/{pid}/task/{task}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        ticks = int(f[11]) + int(f[12])
        if name.startswith("NIO-"):
            nio += ticks
        else:
            other += ticks
    return nio / HZ, other / HZ

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def summary(values):
    values = sorted(v for v in values if v == v)
    if not values:
        return "no samples"
    p = lambda q: values[min(len(values) - 1, int(len(values) * q))]
    return f"n={len(values)} p50 {statistics.median(values):.1f} ms p90 {p(0.9):.1f} ms max {values[-1]:.1f} ms"

pump(2.5)
idle = [probe() for _ in range(max(10, PROBES // 2))]
print(f"idle: key-to-screen {summary(idle)}; rss {rss_mb():.1f} MB; load average {os.getloadavg()}", flush=True)

if RATE > 0:
    bench = subprocess.Popen([B, "bench", "--url", f"127.0.0.1:{PORT}", "--rate", str(RATE), "--duration", str(DURATION),
                              "--requestors", "2", "--inflight", "256", "--providers", "1", "--payload", str(PAYLOAD)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    pump(2)
    loaded, samples = [], []
    c0, t0 = cpu_seconds(), time.perf_counter()
    n0, o0 = thread_cpu_seconds()
    prev_c, prev_t = c0, t0
    while bench.poll() is None and time.perf_counter() - t0 < DURATION - 3:
        if len(loaded) < PROBES:
            loaded.append(probe())
        else:
            pump(0.3)
        c, t = cpu_seconds(), time.perf_counter()
        if t - prev_t >= 1:
            samples.append(((c - prev_c) / (t - prev_t) * 100, rss_mb()))
            prev_c, prev_t = c, t
    c1, t1 = cpu_seconds(), time.perf_counter()
    n1, o1 = thread_cpu_seconds()
    while bench.poll() is None:
        pump(0.2)
    report = bench.stdout.read()
    for line in report.splitlines():
        if line.startswith("calls"):
            calls = int(line.split()[1])
            # Calls delivered while CPU was sampled, assuming an even rate over the bench's run.
            sampled = calls * (t1 - t0) / DURATION
            print(f"load: console CPU per delivered call {(c1 - c0) / sampled * 1e6:.0f} µs "
                  f"(console side {(o1 - o0) / sampled * 1e6:.0f} µs, NIO {(n1 - n0) / sampled * 1e6:.0f} µs)")
    pump(1)
    print(f"load: key-to-screen {summary(loaded)}")
    print(f"load: cpu mean {(c1 - c0) / (t1 - t0) * 100:.1f}% of one core over {t1 - t0:.0f} s, per second {[round(s[0]) for s in samples]}")
    print(f"load: by thread: NIO (broker) {(n1 - n0) / (t1 - t0) * 100:.1f}%, other threads (console side) {(o1 - o0) / (t1 - t0) * 100:.1f}%")
    print(f"load: rss MB {[round(s[1], 1) for s in samples]}; load average {os.getloadavg()}")
    print("bench report:\n" + report.strip())
    print(f"after: rss {rss_mb():.1f} MB; console wrote {total_bytes / 1e6:.1f} MB to the terminal")

os.write(master, b"q")
pump(0.3)
os.write(master, b"y")
pump(0.5)
try:
    os.kill(pid, signal.SIGTERM)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
