#!/usr/bin/env python3
# The budgets of docs/local.md ("Limits", "Budgets"): the gateway's own time for the costliest
# requests (from its access lines) and the emulator's memory with clients that never read.
# Usage: python3 scripts/bench-budgets.py BUILD_DIR   (e.g. build/release; takes about 90 s)
import json, os, re, socket, subprocess, sys, tempfile, time

build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
exe = os.path.join(build, "src/local/cppstack-local")
fixture = os.path.join(build, "tests/local/local_fixture_function")
hostile = os.path.join(build, "tests/local/local_hostile_function")

def start(args):
    log = tempfile.NamedTemporaryFile(delete=False)
    p = subprocess.Popen([exe] + args + ["--port", "0", "--env-file", "/dev/null"],
                         stdout=subprocess.PIPE, stderr=log, text=True)
    line = p.stdout.readline()
    port = int(re.search(r":(\d+)", line).group(1))
    return p, port, log.name

def rss_kb(pid):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])

def raw(port, data, read=True):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    if not read:
        return s
    out = b""
    s.settimeout(60)
    while True:
        chunk = s.recv(1 << 20)
        if not chunk: break
        out += chunk
    s.close()
    return out

def access_ms(logfile, needle):
    text = open(logfile, errors="replace").read()
    found = re.findall(re.escape(needle) + r" \d+ \(([\d.]+) ms\)", text)
    return [float(x) for x in found]

with tempfile.TemporaryDirectory() as d:
    # (a) an unmatched request against 10,000 routes, the largest table a 4 MB file holds comfortably
    routes = [{"method": "ANY", "path": f"/r{i}/{{proxy+}}"} for i in range(10000)]
    path = os.path.join(d, "routes.json")
    json.dump({"routes": routes}, open(path, "w"))
    print("routes.json bytes", os.path.getsize(path))
    p, port, log = start(["start-api", "--bootstrap", fixture, "--routes", path])
    for i in range(20):
        raw(port, b"GET /prod/nomatch/x/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    time.sleep(0.5)
    ms = sorted(access_ms(log, "GET /prod/nomatch/x/y"))
    print("unmatched request, 10,000 routes: median %.2f ms, max %.2f ms" % (ms[len(ms)//2], ms[-1]))
    # (b) a 10 MB body: over Lambda's 6 MB payload, refused 413
    body = b"a" * (10 * 1024 * 1024 - 1000)
    for i in range(5):
        raw(port, b"POST /prod/r1/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    time.sleep(0.5)
    ms = sorted(access_ms(log, "POST /prod/r1/big"))
    print("10 MB body, refused 413: median %.2f ms, max %.2f ms" % (ms[len(ms)//2], ms[-1]))
    # (d) 6,000,000 quotes: under the limit as bytes, over it once escaped, refused 413
    body = b'"' * 6000000
    for i in range(5):
        raw(port, b"POST /prod/r2/quotes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    time.sleep(0.5)
    ms = sorted(access_ms(log, "POST /prod/r2/quotes"))
    print("6 MB of quotes (12 MB escaped), refused 413: median %.2f ms, max %.2f ms" % (ms[len(ms)//2], ms[-1]))
    p.terminate(); p.wait()

# (c) 120 clients that never read 5 MB answers (start-lambda, hostile function)
p, port, log = start(["start-lambda", "--bootstrap", hostile, "--function-name", "hostile", "--concurrency", "10"])
inv = b"/2015-03-31/functions/hostile/invocations"
ask = json.dumps({"response_bytes": 5000000}).encode()
req = b"POST " + inv + b" HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(ask) + ask
raw(port, req.replace(b"Host: x", b"Host: x\r\nConnection: close"))  # warm
before = rss_kb(p.pid)
held = []
for i in range(120):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port)); s.sendall(req); held.append(s)
time.sleep(40)
after = rss_kb(p.pid)
text = open(log, errors="replace").read()
print("120 clients not reading 5 MB answers: RSS %d MB -> %d MB, 503s logged %d" % (before // 1024, after // 1024, text.count("answer memory limit reached")))
for s in held: s.close()
p.terminate(); p.wait()
