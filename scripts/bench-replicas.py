#!/usr/bin/env python3
"""Store figures for BENCHMARKS.md: signed reads and durable writes per second on SQLite, on
PostgreSQL with one replica, and on PostgreSQL with two replicas sharing the database, in one
run. Starts a throwaway PostgreSQL cluster (scripts/postgres-cluster) and the release `keygate`,
drives each set-up with wrk (Debian package). Usage: scripts/bench-replicas.py [seconds]

A read is a signed IAM ListAccessKeys. A write is a signed IAM UpdateAccessKey of a user's key
(Status=Active): one write transaction with its audit record, committed durably
(SQLite synchronous=FULL; PostgreSQL fsync and synchronous_commit on). Signed requests are made
once and replayed, as in bench.py; writes go round the keys of USERS users, so that they are
not all on one row (that case, every write on one key, is measured apart: `hot row`). With two replicas, two wrk processes run at once, one per replica,
each with half the connections; their figures add up.
"""
import base64, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import BIN, ROOT, free_port, sign  # noqa: E402

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CONNECTIONS = 32
USERS = 64
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def start(data, env):
    host = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen([BIN, "serve", "--data-dir", data, "--listen", host],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn", **env})
    for _ in range(200):
        if subprocess.run([BIN, "healthcheck", "--listen", host], stderr=subprocess.DEVNULL).returncode == 0:
            return server, host
        time.sleep(0.05)
    raise SystemExit(f"keygate on {data} did not start")


def iam(host, key, secret, body):
    """One signed IAM call through curl: its answer."""
    headers = sign("AWS4", key, secret, host, "/", FORM, body, "iam")
    args = ["curl", "-sS", "-X", "POST", f"http://{host}/", "--data-binary", body]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def script(host, bodies, key, secret):
    """A wrk script that sends the signed `bodies` in turn."""
    lines = ["local requests = {}"]
    for body in bodies:
        headers = {"Host": host, **sign("AWS4", key, secret, host, "/", FORM, body, "iam")}
        table = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        lines.append(f'table.insert(requests, wrk.format("POST", "/", {{{table}}}, {json.dumps(body)}))')
    lines += ["local i = 0",
              "request = function() i = i + 1; return requests[(i % #requests) + 1] end"]
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def wrk(hosts, bodies, key, secret):
    """Runs one wrk per host at once; answers the summed req/s and the requests refused."""
    runs = []
    for host in hosts:
        conns = CONNECTIONS // len(hosts)
        runs.append(subprocess.Popen(["wrk", f"-t{max(1, 2 // len(hosts))}", f"-c{conns}", f"-d{SECONDS}s",
                                      "-s", script(host, bodies, key, secret), f"http://{host}/"],
                                     stdout=subprocess.PIPE, text=True))
    total, refused = 0.0, 0
    for run in runs:
        out = run.communicate()[0]
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        refused += int(failed.group(1)) if failed else 0
        total += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return total, refused


def measure(name, hosts, creds):
    key, secret = creds["access_key_id"], creds["secret_access_key"]
    updates = []
    for n in range(USERS):
        user = f"bench{n}"
        iam(hosts[0], key, secret, f"Action=CreateUser&Version=2010-05-08&UserName={user}")
        made = iam(hosts[0], key, secret, f"Action=CreateAccessKey&Version=2010-05-08&UserName={user}")
        key_id = re.search(r"<AccessKeyId>(\w+)</AccessKeyId>", made).group(1)
        updates.append(f"Action=UpdateAccessKey&Version=2010-05-08&UserName={user}"
                       f"&AccessKeyId={key_id}&Status=Active")
    reads, refused_reads = wrk(hosts, ["Action=ListAccessKeys&Version=2010-05-08"], key, secret)
    writes, refused_writes = wrk(hosts, updates, key, secret)
    hot, refused_hot = wrk(hosts, updates[:1], key, secret)
    if refused_reads:
        raise SystemExit(f"{name}: {refused_reads} reads refused")
    return name, reads, writes, refused_writes, hot, refused_hot


def main():
    work = tempfile.mkdtemp()
    os.chmod(work, 0o755)  # the cluster's owner, an unprivileged user, must reach its directory
    cluster = os.path.join(work, "pg")
    servers = []
    results = []
    url = subprocess.run([os.path.join(ROOT, "scripts", "postgres-cluster"), "start", cluster],
                         capture_output=True, text=True, check=True).stdout.strip()
    try:
        data = os.path.join(work, "sqlite")
        server, host = start(data, {})
        servers.append(server)
        creds = json.load(open(os.path.join(data, "root-credentials.json")))
        results.append(measure("SQLite, one process", [host], creds))
        server.terminate()
        server.wait()

        key = base64.b64encode(os.urandom(32)).decode()
        for replicas in (1, 2):
            db = f"bench{replicas}"
            subprocess.run(["psql", f"{url} dbname=postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
            env = {"KEYGATE__STORAGE__BACKEND": "postgres",
                   "KEYGATE__STORAGE__POSTGRES_URL": f"{url} dbname={db}",
                   "KEYGATE__STORAGE__AT_REST_KEY": key,
                   "KEYGATE__STORAGE__POSTGRES_CA_FILE": os.path.join(cluster, "ca.pem")}
            hosts = []
            for i in range(replicas):
                server, host = start(os.path.join(work, f"{db}-{i}"), env)
                servers.append(server)
                hosts.append(host)
            creds = json.load(open(os.path.join(work, f"{db}-0", "root-credentials.json")))
            results.append(measure(f"PostgreSQL, {replicas} replica{'s' if replicas > 1 else ''}", hosts, creds))
            for server in servers[-replicas:]:
                server.terminate()
                server.wait()
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
                server.wait()
        subprocess.run([os.path.join(ROOT, "scripts", "postgres-cluster"), "stop", cluster])
    base = results[0]
    print(f"wrk, {CONNECTIONS} connections in all, {SECONDS} s per figure\n")
    print("| store | signed reads/s | ratio | durable writes/s (refused) | ratio "
          "| one hot row: writes/s (refused) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, reads, writes, refused, hot, refused_hot in results:
        print(f"| {name} | {reads:,.0f} | {reads / base[1]:.2f} | {writes:,.0f} ({refused}) "
              f"| {writes / base[2]:.2f} | {hot:,.0f} ({refused_hot}) | {hot / base[4]:.2f} |")

if __name__ == "__main__":
    main()
