"""Webhook receiver throughput per provider: the real (durable) receiver next to a bare endpoint.

Both run the same way (uvicorn, one process, on a loopback socket this script binds) and are
loaded the same way in the same run: `--connections` concurrent connections for `--seconds` per
endpoint. The bare Starlette endpoint reads the body and answers, storing nothing (the ceiling).
Then each provider's receive path is loaded with distinct submissions (unique delivery ids, from
examples/webhooks/, signed the way that provider signs: Typeform/Tally/HubSpot v3/Webflow HMACs,
Jotform multipart with its URL token, Standard Webhooks, generic bearer token), so each one is
verified, framed and fsynced before its 200.

Load generator: a small asyncio/httpx client in this script (requests are built and signed
before each run, so the client only sends). It competes with the servers for the same cores, so
its figures understate both; the ratio to the bare endpoint is the figure that matters.

    .venv/bin/python benchmarks/webhooks.py [--seconds 10] [--connections 64] [--providers jotform,generic]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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

from leadsync.ingestion.source_types import WebhookSource  # noqa: E402
from leadsync.ingestion.webhooks.client import (  # noqa: E402
    SAMPLE_PROVIDERS,
    sample_submissions,
    signed_headers,
)

PROVIDERS = (*SAMPLE_PROVIDERS, "generic")
STANDARD_SECRET = "whsec_YmVuY2gta2V5LTAxMjM0NTY3ODlhYmNkZWY="
GENERIC_TOKEN = "bench-token"
POOL = 10_000  # distinct submissions prepared per provider (the run stops early if they run out)


def secret_for(provider: str) -> str:
    return {"standard": STANDARD_SECRET, "generic": GENERIC_TOKEN}.get(provider, f"bench-secret-{provider}")


def env_name(provider: str) -> str:
    return f"BENCH_{provider.upper()}_SECRET"


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
    env = {**os.environ, "PYTHONPATH": str(REPO), **{env_name(p): secret_for(p) for p in PROVIDERS}}
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


Prepared = tuple[str, bytes, dict[str, str]]


def prepare(source: WebhookSource, base_url: str, count: int) -> list[Prepared]:
    """`count` distinct, signed submissions for one provider (signed now: timestamps are fresh)."""
    provider = source.provider
    if provider == "generic":
        bodies = [
            (
                json.dumps({"submission": {"id": f"g{i}", "email": f"lead{i}@example.com"}}).encode(),
                "application/json",
            )
            for i in range(count)
        ]
    else:
        bodies = [(s.body, s.content_type) for s in sample_submissions((provider,), count, start=1)]
    out = []
    for i, (body, ctype) in enumerate(bodies):
        url, headers = signed_headers(
            source, secret_for(provider), body, f"{base_url}/webhooks/{source.name}", f"msg_bench_{i}"
        )
        out.append((url, body, {**headers, "content-type": ctype}))
    return out


async def _httpx_load(requests: list[Prepared], seconds: int, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    non2xx = 0
    sent = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal non2xx, sent
        while time.perf_counter() < stop and sent < len(requests):
            url, body, headers = requests[sent]
            sent += 1
            t0 = time.perf_counter()
            r = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            non2xx += r.status_code >= 300

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "non_2xx": non2xx,
        "requests": len(latencies),
        "pool_exhausted": sent >= len(requests),
    }


def write_config(workdir: Path, providers: tuple[str, ...]) -> dict[str, WebhookSource]:
    sources = []
    for p in providers:
        src = {"name": f"{p}_forms", "type": "webhook", "provider": p, "secret_env": env_name(p)}
        if p == "generic":
            src |= {"signature": {"scheme": "bearer"}, "id_field": "submission.id"}
        sources.append(src)
    cfg = {
        "warehouse": {"path": str(workdir / "leads.duckdb")},
        "webhooks": {"landing_dir": str(workdir / "landing")},
        "sources": sources,
    }
    (workdir / "leadsync.yaml").write_text(yaml.safe_dump(cfg))
    from leadsync.ingestion.config import parse_config

    parsed = parse_config(cfg, base_dir=workdir)
    return {p: parsed.source(f"{p}_forms") for p in providers}  # type: ignore[misc]


def count_stored(workdir: Path, source_name: str) -> int:
    from leadsync.ingestion.webhooks.landing import list_segments, scan_segment

    return sum(
        len(scan_segment(s, sealed=True, headers_only=True).records)
        for s in list_segments(workdir / "landing", source_name)
    )


def measure(kind: str, workdir: Path, runs: list[tuple[str, str]], args) -> dict:
    """Start one server, load it with each (label, requests) in turn; requests None = bare bodies."""
    sock = listening_socket()
    proc = start_server(kind, sock, workdir)
    host, port = sock.getsockname()[:2]
    base = f"http://{host}:{port}"
    out = {}
    try:
        for label, provider in runs:
            requests = prepare(SOURCES[provider], base, POOL)
            cpu_before = cpu_seconds(proc.pid)
            r = asyncio.run(_httpx_load(requests, args.seconds, args.connections))
            r["cpu_ms_per_request"] = (cpu_seconds(proc.pid) - cpu_before) * 1000 / max(1, r["requests"])
            out[label] = r
    finally:
        proc.terminate()
        proc.wait(30)
        sock.close()
    return out


SOURCES: dict[str, WebhookSource] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--serve-bare", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:
        serve_bare(args.serve_bare)
        return
    providers = tuple(p for p in args.providers.split(",") if p)
    with tempfile.TemporaryDirectory(prefix="leadsync-bench-") as tmp:
        workdir = Path(tmp)
        SOURCES.update(write_config(workdir, providers))
        load_before = os.getloadavg()[0]
        # the bare endpoint gets the same requests as the first and the heaviest provider
        bare_with = [p for p in ("generic", "jotform") if p in providers] or [providers[0]]
        results = {
            f"bare ({p} bodies)": r
            for p, r in measure("bare", workdir, [(p, p) for p in bare_with], args).items()
        }
        results |= measure("receiver", workdir, [(p, p) for p in providers], args)
        stored = {p: count_stored(workdir, f"{p}_forms") for p in providers}
        load_after = os.getloadavg()[0]

    bare = max(r["rps"] for k, r in results.items() if k.startswith("bare"))
    # server CPU per request: what the receiver would sustain when the load generator is not the limit
    bare_cpu = min(r["cpu_ms_per_request"] for k, r in results.items() if k.startswith("bare"))
    print(
        f"load generator: asyncio/httpx (in this script); {args.connections} connections, {args.seconds}s per"
        f" endpoint; {os.cpu_count()} cores; load average {load_before:.1f} -> {load_after:.1f}"
    )
    print(
        f"{'endpoint':<26}{'req/s':>9}{'of bare':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'CPU ms/req':>12}{'stored':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<26}{r['rps']:>9.0f}{r['rps'] / bare:>9.0%}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['non_2xx']:>9}{r['cpu_ms_per_request']:>12.3f}{bare_cpu / r['cpu_ms_per_request']:>11.0%}"
            f"{stored.get(name, ''):>9}" + ("  (pool exhausted: raise POOL)" if r["pool_exhausted"] else "")
        )
    worst = min((r["rps"] / bare, p) for p, r in results.items() if not p.startswith("bare"))
    cpu_worst = min(
        (bare_cpu / r["cpu_ms_per_request"], p) for p, r in results.items() if not p.startswith("bare")
    )
    print(f"slowest provider: {worst[1]} at {worst[0]:.0%} of the bare endpoint's rate (target >= 60%)")
    print(
        f"highest server CPU per request: {cpu_worst[1]}, {cpu_worst[0]:.0%} of the bare endpoint's capacity"
    )
    print(json.dumps({"bare_rps": bare, "results": results, "stored": stored}))


if __name__ == "__main__":
    main()
