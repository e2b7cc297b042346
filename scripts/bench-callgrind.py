#!/usr/bin/env python3
"""Instruction counts per request for BENCHMARKS.md: runs the release `keygate` (and, for the
ceiling, `keygate-bench hello`) under `valgrind --tool=callgrind`, sends a fixed number of one
kind of request on one connection with `keygate-bench send`, stops the server with SIGTERM and
reads callgrind's total. Each server is run twice, with FEW and with MANY requests: the
difference divided by MANY - FEW is the instructions one request costs, start-up and shut-down
cancelled out. Unlike wall-clock figures on a shared machine, these are stable from run to run.
Usage (after `cargo build --release -p keygate-server -p keygate-bench`; needs Debian's
valgrind): scripts/bench-callgrind.py
"""
import os, re, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import BIN as KEYGATE, ROOT, free_port  # noqa: E402

BENCH = os.path.join(ROOT, "target", "release", "keygate-bench")
FEW, MANY = 200, 1200
KINDS = ["healthz", "iam-get", "iam-post", "osc-post"]


def wait_ready(host, process):
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        if subprocess.run([KEYGATE, "healthcheck", "--listen", host], stderr=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.1)
    raise SystemExit("the server did not become ready")


def instructions(server_args, data, kind, count, work):
    host = f"127.0.0.1:{free_port()}"
    out = os.path.join(work, f"callgrind.{kind}.{count}.{server_args[0] == BENCH}")
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               *server_args, "--listen", host],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn"})
    try:
        wait_ready(host, server)
        subprocess.run([BENCH, "send", "--target", host, "--data-dir", data, "--kind", kind,
                        "--count", str(count)], check=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    text = open(out).read()
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def per_request(server_args, data, kind, work):
    few = instructions(server_args, data, kind, FEW, work)
    many = instructions(server_args, data, kind, MANY, work)
    return (many - few) / (MANY - FEW)


def main():
    work = tempfile.mkdtemp(dir=os.path.join(ROOT, "target"))
    data = os.path.join(work, "data")
    # The first start makes the default account (a password hash): done once, outside valgrind.
    host = f"127.0.0.1:{free_port()}"
    first = subprocess.Popen([KEYGATE, "serve", "--data-dir", data, "--listen", host],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(host, first)
    first.send_signal(signal.SIGTERM)
    first.wait()
    print(f"instructions per request (callgrind, {MANY} - {FEW} requests on one connection)\n")
    print("| request | hello | keygate | ratio |")
    print("|---|---|---|---|")
    for kind in KINDS:
        hello = per_request([BENCH, "hello"], data, kind, work)
        keygate = per_request([KEYGATE, "serve", "--data-dir", data], data, kind, work)
        print(f"| {kind} | {hello:,.0f} | {keygate:,.0f} | {keygate / hello:.1f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
