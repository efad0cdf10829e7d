"""Webhook receiver throughput: the real (durable, group-committed) receiver next to a bare endpoint.

Both run in the same way (uvicorn, one process, on a loopback socket this script binds) and are
loaded the same way in the same run: 64 concurrent connections for `--seconds` each. Every
request to the real receiver is a distinct submission (unique delivery id), authenticated with
a generic bearer token, so each one is verified, framed and fsynced before its 200.

Load generator: `wrk` when it is on PATH (Debian: `apt-get install wrk`; this script installs
nothing), else a built-in asyncio/httpx generator (slower: it competes for the same cores, so
its figures understate both servers). The output says which one ran.

    .venv/bin/python benchmarks/webhooks.py [--seconds 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TOKEN = "bench-token"
SOURCE = "bench_forms"

WRK_SCRIPT = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"submission":{"id":"%s-%d","email":"lead%d-%s@example.com","company":"Acme %d","message":"benchmark"}}',
    tid, counter, counter, tid, counter)
  return wrk.format("POST", "/webhooks/bench_forms",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench-token"}, body)
end
"""


def bare_app():
    """A Starlette endpoint that reads the body and answers, storing nothing: the ceiling."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def receive(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"status": "stored", "delivery_id": "x"})

    return Starlette(routes=[Route("/webhooks/{source_name}", receive, methods=["POST"])])


def serve_bare(fd: int) -> None:
    """Served exactly like the receiver (see ingestion.webhooks.receiver.serve)."""
    import uvicorn

    settings = uvicorn.Config(bare_app(), access_log=False, log_level="warning", timeout_keep_alive=30)
    uvicorn.Server(settings).run(sockets=[socket.socket(fileno=fd)])


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock


def start_server(kind: str, sock: socket.socket, workdir: Path) -> subprocess.Popen[bytes]:
    fd = sock.fileno()
    if kind == "bare":
        cmd = [sys.executable, __file__, "--serve-bare", str(fd)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "leadsync.ingestion.webhooks.receiver",
            "--config",
            str(workdir / "leadsync.yaml"),
            "--fd",
            str(fd),
        ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "BENCH_TOKEN": TOKEN}
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        pass_fds=(fd,),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / f"{kind}.log").open("wb"),
    )
    host, port = sock.getsockname()[:2]
    for _ in range(300):
        try:
            httpx.post(f"http://{host}:{port}/webhooks/warmup", content=b"{}", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{kind} server did not start: {(workdir / f'{kind}.log').read_text()[-1000:]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc): a figure other jobs on the box cannot skew."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, seconds: int, connections: int, workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


async def _httpx_load(url: str, seconds: int, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    non2xx = 0
    stop = time.perf_counter() + seconds

    async def worker(w: int, client: httpx.AsyncClient) -> None:
        nonlocal non2xx
        i = 0
        while time.perf_counter() < stop:
            i += 1
            body = json.dumps(
                {"submission": {"id": f"{w}-{i}", "email": f"lead{i}-{w}@example.com"}}
            ).encode()
            t0 = time.perf_counter()
            r = await client.post(
                url,
                content=body,
                headers={"content-type": "application/json", "authorization": f"Bearer {TOKEN}"},
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            non2xx += r.status_code >= 300

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(w, client) for w in range(connections)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "non_2xx": non2xx,
        "socket_errors": "",
    }


def write_config(workdir: Path) -> None:
    cfg = {
        "warehouse": {"path": str(workdir / "leads.duckdb")},
        "webhooks": {"landing_dir": str(workdir / "landing")},
        "sources": [
            {
                "name": SOURCE,
                "type": "webhook",
                "provider": "generic",
                "secret_env": "BENCH_TOKEN",
                "signature": {"scheme": "bearer"},
                "id_field": "submission.id",
            }
        ],
    }
    (workdir / "leadsync.yaml").write_text(yaml.safe_dump(cfg))


def count_stored(workdir: Path) -> int:
    from leadsync.ingestion.webhooks.landing import list_segments, scan_segment

    return sum(
        len(scan_segment(s, sealed=True, headers_only=True).records)
        for s in list_segments(workdir / "landing", SOURCE)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--serve-bare", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:
        serve_bare(args.serve_bare)
        return

    generator = "wrk" if shutil.which("wrk") else "asyncio/httpx (wrk not found)"
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="leadsync-bench-") as tmp:
        workdir = Path(tmp)
        write_config(workdir)
        for kind in ("bare", "receiver"):
            sock = listening_socket()
            proc = start_server(kind, sock, workdir)
            host, port = sock.getsockname()[:2]
            url = f"http://{host}:{port}/webhooks/{SOURCE}"
            try:
                cpu_before = cpu_seconds(proc.pid)
                if generator == "wrk":
                    results[kind] = run_wrk(url, args.seconds, args.connections, workdir)
                else:
                    results[kind] = asyncio.run(_httpx_load(url, args.seconds, args.connections))
                requests_done = results[kind]["rps"] * args.seconds
                results[kind]["cpu_ms_per_request"] = (
                    (cpu_seconds(proc.pid) - cpu_before) * 1000 / requests_done
                )
            finally:
                proc.terminate()
                proc.wait(30)
                sock.close()
        stored = count_stored(workdir)

    bare, real = results["bare"], results["receiver"]
    share = real["rps"] / bare["rps"] if bare["rps"] else float("nan")
    print(
        f"load generator: {generator}; {args.connections} connections, {args.seconds}s each, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'CPU ms/req':>12}")
    for name, r in (("bare Starlette (no storage)", bare), ("leadsync receiver (fsync)", real)):
        print(
            f"{name:<28}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['non_2xx']:>10}"
            f"{r['cpu_ms_per_request']:>12.3f}"
        )
    print(
        f"receiver / bare throughput: {share:.0%} (target >= 50%); receiver p99 {real['p99_ms']:.1f} ms "
        f"(target < 50 ms); submissions durably stored: {stored}"
    )
    print(
        json.dumps({"generator": generator, "bare": bare, "receiver": real, "share": share, "stored": stored})
    )


if __name__ == "__main__":
    main()
