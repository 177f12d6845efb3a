"""The HTTP API under load: single-verdict latency from one keep-alive client,
verdicts/s with N workers (wrk), a 10 000-number batch, and the ratio to an
in-process ``Service.check`` measured in the same run.

    python bench/http_bench.py [--numbers 1000000] [--database-url URL] [--workers 2]

Builds a store (a SQLite file in a temp dir by default; for PostgreSQL pass a
URL with a scratch schema in its search_path) with ``--numbers`` numbers on
the internal list, starts ``dnc serve`` as real processes on loopback, and
prints one figure per line with the load average. The single-client figures
use http.client (a few µs of client overhead, unlike a full HTTP library);
the throughput figure uses wrk when installed (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

import dnc

NOT_REQUIRED = "".join(
    f"[registries.{name}]\nrequired = false\n"
    for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
)
WRK_SCRIPT = """
math.randomseed(42)
request = function()
  local n = 2012000000 + math.random(0, 7999999)
  return wrk.format("GET", "/v1/numbers/+1" .. n .. "/verdict")
end
"""


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build(url: str, numbers: int, config: str) -> tuple[str, list[str]]:
    service = dnc.open(url, config, create=True)
    rng = random.Random(42)
    listed = [2012000000 + n for n in rng.sample(range(8_000_000), numbers)]
    t = datetime(2026, 1, 1, tzinfo=UTC)
    start = time.perf_counter()
    rows = [{"n": 10_000_000_000 + n, "t": t} for n in sorted(listed)]
    with service.store.engine.begin() as conn:
        for i in range(0, len(rows), 100_000):
            conn.execute(
                sa.text(
                    "INSERT INTO list_entry (number, source, channel, created_at, recorded_at,"
                    " actor) VALUES (:n, 'opt_out', 'call', :t, :t, 'bench')"
                ),
                rows[i : i + 100_000],
            )
    print(f"store: {len(rows)} numbers listed in {time.perf_counter() - start:.1f} s")
    key = service.create_api_key(f"bench-{os.getpid()}", ["check"]).secret
    probes = [f"+1{2012000000 + rng.randrange(8_000_000)}" for _ in range(20_000)]
    # The ratio's baseline: the same checks in-process, warm.
    for number in probes[:2000]:
        service.check(number)
    lat = []
    for number in probes[:10_000]:
        s = time.perf_counter()
        service.check(number)
        lat.append(time.perf_counter() - s)
    print(
        f"in-process check: p50 {pct(lat, 50) * 1e6:.0f} us, p99 {pct(lat, 99) * 1e6:.0f} us"
        f"  (load {load()})"
    )
    globals()["IN_PROCESS_P50"] = pct(lat, 50)
    service.close()
    return key, probes


def serve(url: str, config: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "DNC_CONFIG": config}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dnc",
            "--database-url",
            url,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("dnc serve did not start")


def single(port: int, key: str, probes: list[str], n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {key}"}
    for number in probes[:1000]:  # warm: parses, connections, caches
        conn.request("GET", f"/v1/numbers/{number}/verdict", headers=headers)
        conn.getresponse().read()
    lat = []
    for number in probes[1000 : 1000 + n]:
        s = time.perf_counter()
        conn.request("GET", f"/v1/numbers/{number}/verdict", headers=headers)
        r = conn.getresponse()
        r.read()
        lat.append(time.perf_counter() - s)
        assert r.status == 200, r.status
    conn.close()
    p50 = pct(lat, 50)
    base = globals().get("IN_PROCESS_P50") or p50
    print(
        f"HTTP single verdict, 1 client keep-alive, {n} requests: p50 {p50 * 1e3:.2f} ms,"
        f" p99 {pct(lat, 99) * 1e3:.2f} ms (x{p50 / base:.0f} the in-process p50)"
        f"  (load {load()})"
    )


def batch(port: int, key: str, probes: list[str], size: int, runs: int = 5) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps(
        {"numbers": [{"number": n, "ref": f"lead-{i}"} for i, n in enumerate(probes[:size])]}
    )
    times = []
    for _ in range(runs + 1):
        s = time.perf_counter()
        conn.request("POST", "/v1/verdicts", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        times.append(time.perf_counter() - s)
        assert r.status == 200, (r.status, data[:300])
    conn.close()
    times = times[1:]
    print(
        f"HTTP batch of {size} ({len(body) / 1024:.0f} KiB): median {pct(times, 50) * 1e3:.0f} ms,"
        f" best {min(times) * 1e3:.0f} ms over {runs}  (load {load()})"
    )


def throughput(port: int, key: str, workers: int, seconds: int, connections: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("throughput: wrk not installed (apt-get install wrk); skipped")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            "-H",
            f"Authorization: Bearer {key}",
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"HTTP verdicts/s, {workers} workers, wrk {connections} connections {seconds} s:"
        f" {float(rate.group(1)) if rate else 0:.0f}/s, p50 {p50.group(1) if p50 else '?'},"
        f" p99 {p99.group(1) if p99 else '?'}, non-2xx {errors.group(1) if errors else 0}"
        f"  (load {load()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = str(Path(tmp) / "config.toml")
        Path(config).write_text(NOT_REQUIRED)
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        print(f"machine: {os.cpu_count()} cores, load {load()}; store {url.split(':')[0]}")
        key, probes = build(url, args.numbers, config)
        proc, port = serve(url, config, 1)
        try:
            single(port, key, probes, args.requests)
            batch(port, key, probes, 10_000)
        finally:
            proc.terminate()
            proc.wait()
        proc, port = serve(url, config, args.workers)
        try:
            throughput(port, key, args.workers, args.seconds, args.connections)
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
