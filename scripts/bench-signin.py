#!/usr/bin/env python3
"""Sign-in flood figures for BENCHMARKS.md: starts the release `keygate` on a free loopback port
and, for each configuration, floods it with concurrent Basic (login/password) attempts for
random logins while one signed request is sent every 200 ms. Prints, per phase, the answers the
flood got, the server's resident memory (current and peak) and the signed request's latency,
each beside the idle baseline measured first in the same run.

Usage: scripts/bench-signin.py [seconds per flood] [concurrent attempts]
"""
import base64, http.client, json, os, re, statistics, subprocess, sys, tempfile, threading, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
CONCURRENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 100


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(field + r":\s+(\d+)", f.read()).group(1))


def start(env):
    data = tempfile.mkdtemp()
    port = bench.free_port()
    host = f"127.0.0.1:{port}"
    server = subprocess.Popen([bench.BIN, "serve", "--data-dir", data, "--listen", host],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn", **env})
    for _ in range(200):
        if subprocess.run([bench.BIN, "healthcheck", "--listen", host], stderr=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.05)
    creds = json.load(open(os.path.join(data, "root-credentials.json")))
    return server, host, creds


def signed_latency(host, creds):
    body = "{}"
    headers = bench.sign("OSC4", creds["access_key_id"], creds["secret_access_key"], host,
                         "/api/v1/ReadAccessKeys", "application/json", body, "api")
    c = http.client.HTTPConnection(host, timeout=30)
    t = time.monotonic()
    c.request("POST", "/api/v1/ReadAccessKeys", body, headers)
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 200, r.status
    return time.monotonic() - t


def attempt(host):
    token = base64.b64encode(f"{uuid.uuid4().hex}@example.com:guess".encode()).decode()
    c = http.client.HTTPConnection(host, timeout=30)
    c.request("POST", "/api/v1/ReadAccessKeys", "{}",
              {"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read() or b"{}")
    c.close()
    return f'{r.status} code {body.get("Errors", [{}])[0].get("Code", "-")}'


def phase(name, env):
    server, host, creds = start(env)
    try:
        idle = [signed_latency(host, creds) for _ in range(20)]
        idle_rss = rss_kib(server.pid, "VmRSS")
        stop = time.monotonic() + SECONDS
        answers, lock = {}, threading.Lock()

        def flood():
            while time.monotonic() < stop:
                try:
                    a = attempt(host)
                except OSError as e:
                    a = type(e).__name__
                with lock:
                    answers[a] = answers.get(a, 0) + 1

        threads = [threading.Thread(target=flood) for _ in range(CONCURRENCY)]
        for t in threads:
            t.start()
        during, rss = [], []
        while time.monotonic() < stop:
            during.append(signed_latency(host, creds))
            rss.append(rss_kib(server.pid, "VmRSS"))
            time.sleep(0.2)
        for t in threads:
            t.join()
        after_rss = rss_kib(server.pid, "VmRSS")
        peak = rss_kib(server.pid, "VmHWM")
        total = sum(answers.values())
        print(f"### {name}\n")
        print(f"{CONCURRENCY} concurrent attempts for {SECONDS} s: {total} answered "
              f"({total / SECONDS * 60:,.0f} per minute)")
        for a, n in sorted(answers.items(), key=lambda x: -x[1]):
            print(f"- {a}: {n} ({n / SECONDS * 60:,.0f} per minute)")
        print()
        print("| | idle baseline | during the flood | ratio |")
        print("|---|---|---|---|")
        print(f"| signed ReadAccessKeys, median | {statistics.median(idle) * 1000:.1f} ms | "
              f"{statistics.median(during) * 1000:.1f} ms | {statistics.median(during) / statistics.median(idle):.1f}× |")
        print(f"| signed ReadAccessKeys, slowest | {max(idle) * 1000:.1f} ms | {max(during) * 1000:.1f} ms | "
              f"{max(during) / max(idle):.1f}× |")
        print(f"| resident memory | {idle_rss / 1024:.1f} MiB | max {max(rss) / 1024:.1f} MiB, "
              f"after {after_rss / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB | {max(rss) / idle_rss:.1f}× |")
        print()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    phase("defaults (10 failed sign-ins per address and minute, 2 checks at once)", {})
    phase("no per-address throttle: only the bound on checks at once",
          {"KEYGATE__LIMITS__PASSWORD_FAILURES_PER_SOURCE_PER_MINUTE": "0"})
