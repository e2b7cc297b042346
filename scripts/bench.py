#!/usr/bin/env python3
"""Load figures for BENCHMARKS.md: starts the release `keygate` on a free loopback port with a
fresh data directory, then drives it with wrk (Debian package) for each request kind, and prints
requests/s, latency and the server's peak memory. Usage: scripts/bench.py [seconds]

Signed requests stay valid for the server's clock window, so one signed request is replayed:
what is measured is the server's work per request (signature check with a cached signing key,
key lookup and secret decryption, core call, encoding), not the client's signing.
"""
import datetime, hashlib, hmac, json, os, re, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "keygate")
SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(flavour, key, secret, host, path, ctype, body, service):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    day, region = now[:8], "eu-west-2"
    date_header = "x-osc-date" if flavour == "OSC4" else "x-amz-date"
    term = "osc4_request" if flavour == "OSC4" else "aws4_request"
    signed = f"content-type;host;{date_header}"
    canonical = "\n".join(["POST", path, "", f"content-type:{ctype}", f"host:{host}", f"{date_header}:{now}", "",
                           signed, hashlib.sha256(body.encode()).hexdigest()])
    scope = f"{day}/{region}/{service}/{term}"
    to_sign = "\n".join([f"{flavour}-HMAC-SHA256", now, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = (flavour + secret).encode()
    for part in [day, region, service, term]:
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    auth = f"{flavour}-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={sig}"
    return {"Content-Type": ctype, date_header: now, "Authorization": auth}


def lua(path, body, headers):
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))


def main():
    data = tempfile.mkdtemp()
    port = free_port()
    host = f"127.0.0.1:{port}"
    server = subprocess.Popen([BIN, "serve", "--data-dir", data, "--listen", host],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn"})
    try:
        for _ in range(100):
            if subprocess.run([BIN, "healthcheck", "--listen", host], stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.05)
        creds = json.load(open(os.path.join(data, "root-credentials.json")))
        key, secret = creds["access_key_id"], creds["secret_access_key"]
        form = "application/x-www-form-urlencoded; charset=utf-8"
        cases = [
            ("GET /healthz", "/healthz", None),
            ("IAM GetCallerIdentity (AWS4)", "/",
             ("Action=GetCallerIdentity&Version=2011-06-15", sign("AWS4", key, secret, host, "/", form,
                                                                 "Action=GetCallerIdentity&Version=2011-06-15", "sts"))),
            ("IAM ListAccessKeys (AWS4)", "/",
             ("Action=ListAccessKeys&Version=2010-05-08", sign("AWS4", key, secret, host, "/", form,
                                                              "Action=ListAccessKeys&Version=2010-05-08", "iam"))),
            ("OSC ReadAccessKeys (OSC4)", "/api/v1/ReadAccessKeys",
             ("{}", sign("OSC4", key, secret, host, "/api/v1/ReadAccessKeys", "application/json", "{}", "api"))),
        ]
        print(f"| request | requests/s | latency avg | latency p99 |")
        print(f"|---|---|---|---|")
        for name, path, signed in cases:
            args = ["wrk", "-t2", "-c32", f"-d{SECONDS}s", "--latency"]
            if signed:
                args += ["-s", lua(path, signed[0], signed[1])]
            out = subprocess.run(args + [f"http://{host}{path}"], capture_output=True, text=True).stdout
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
            avg = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
            p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            if non2xx:
                raise SystemExit(f"{name}: {non2xx.group(1)} failed requests\n{out}")
            print(f"| {name} | {float(rps):,.0f} | {avg} | {p99} |")
        print(f"\npeak resident memory of the server: {peak_rss_kib(server.pid) / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
