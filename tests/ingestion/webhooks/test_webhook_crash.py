"""Kill -9 the receiver under load, several times: every acknowledged submission loads exactly once."""

from __future__ import annotations

import asyncio
import threading
import time

import duckdb
import httpx
import pytest
from webhook_testkit import secret_for, source

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.webhooks.client import sample_submissions, signed_headers

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

TOTAL = 2400
KILL_AT = (400, 1100, 1800)  # acknowledged submissions at which the receiver is SIGKILLed
CONCURRENCY = 32


class Sender:
    """Sends every submission until it gets a 2xx, retrying like a provider does; records the 2xx."""

    def __init__(self, base_url: str, requests: list[tuple[str, bytes, dict[str, str]]]) -> None:
        self.base_url = base_url
        self.requests = requests
        self.acked: set[str] = set()
        self.failures = 0
        self.done = threading.Event()

    async def _one(
        self,
        client: httpx.AsyncClient,
        sem: asyncio.Semaphore,
        url: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        async with sem:
            for _ in range(400):
                try:
                    r = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    self.failures += 1
                    await asyncio.sleep(0.05)
                    continue
                if r.status_code == 200:
                    self.acked.add(r.json()["delivery_id"])
                    return
                self.failures += 1
                await asyncio.sleep(0.05)

    async def _run(self) -> None:
        sem = asyncio.Semaphore(CONCURRENCY)
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(timeout=5, limits=limits) as client:
            await asyncio.gather(*(self._one(client, sem, *req) for req in self.requests))
        self.done.set()

    def start(self) -> threading.Thread:
        t = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        t.start()
        return t


def test_sigkill_restarts_lose_nothing_acknowledged_and_load_nothing_twice(config, receiver):
    src = source(config, "typeform")
    url = f"{receiver.base_url}/webhooks/{src.name}"
    requests = []
    for s in sample_submissions(("typeform",), TOTAL, start=1):
        _, headers = signed_headers(src, secret_for("typeform"), s.body, url)
        requests.append((url, s.body, {**headers, "content-type": s.content_type}))

    receiver.start(segment_max_age=1.0)
    sender = Sender(receiver.base_url, requests)
    thread = sender.start()
    kills = 0
    deadline = time.monotonic() + 90
    for threshold in KILL_AT:
        while len(sender.acked) < threshold and not sender.done.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)
        receiver.kill()
        kills += 1
        if kills == 2:  # a drain between crashes, while submissions keep arriving afterwards
            run_source(config, src.name)
        receiver.start(segment_max_age=1.0)
    thread.join(90)
    assert sender.done.is_set(), "sender did not finish"
    receiver.stop()
    run_source(config, src.name)

    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        rows = con.execute("select source_record_id from raw.webhook_leads").fetchall()
    loaded = [r[0] for r in rows]
    assert kills == 3 and sender.failures > 0  # the kills did cut requests off mid-flight
    assert len(sender.acked) == TOTAL
    assert len(loaded) == len(set(loaded)) == TOTAL  # exactly once
    assert set(loaded) == sender.acked
