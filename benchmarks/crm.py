"""HubSpot first load and incremental run against the sandbox, next to the sandbox's own serving time.

    .venv/bin/python benchmarks/crm.py                 # 100,000 contacts, 1,000 changes
    .venv/bin/python benchmarks/crm.py --contacts 20000 --changes 500

Baseline, measured in the same run: a plain client that pages the same search queries (same
page size, same re-anchoring before the 10,000 cap) and batch-reads the same histories with
``requests``, parsing nothing and writing nothing. That is what serving the data costs; the
difference is leadsync's parsing, Arrow batches and the dlt load into DuckDB.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import requests

from leadsync.ingestion.config import parse_config
from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.sandboxes.hubspot import SEARCH_CAP, VALID_TOKEN, start_hubspot_sandbox


def plain_client(base_url: str, since_ms: int | None, page: int = 200) -> int:
    """Page every contact modified since ``since_ms`` and read its history; returns records read."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {VALID_TOKEN}"
    anchor, seen, total = since_ms, set(), 0
    while True:
        after, last, capped = None, None, False
        while True:
            body = {
                "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
                "limit": page,
                "properties": ["email", "lastmodifieddate"],
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(anchor)}
                        ]
                    }
                ]
                if anchor
                else [],
            }
            if after:
                body["after"] = after
            answer = session.post(f"{base_url}/crm/v3/objects/contacts/search", json=body).json()
            ids = [r["id"] for r in answer["results"] if r["id"] not in seen]
            seen.update(ids)
            total += len(ids)
            for i in range(0, len(ids), 50):
                session.post(
                    f"{base_url}/crm/v3/objects/contacts/batch/read",
                    json={
                        "inputs": [{"id": x} for x in ids[i : i + 50]],
                        "propertiesWithHistory": ["lifecyclestage", "hs_lead_status"],
                    },
                )
            if answer["results"]:
                from datetime import datetime

                last = int(
                    datetime.fromisoformat(
                        answer["results"][-1]["properties"]["lastmodifieddate"]
                    ).timestamp()
                    * 1000
                )
            after = (answer.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return total
            if int(after) + page > SEARCH_CAP:
                capped = True
                break
        if not capped:
            return total
        anchor = last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    args = parser.parse_args()
    sandbox = start_hubspot_sandbox(contacts=0)
    sandbox.add_bulk(args.contacts)
    os.environ["BENCH_HUBSPOT_TOKEN"] = VALID_TOKEN
    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config(
            {
                "warehouse": {"path": "w.duckdb"},
                "sources": [
                    {
                        "name": "hubspot_bench",
                        "type": "hubspot",
                        "access_token_env": "BENCH_HUBSPOT_TOKEN",
                        "base_url": sandbox.url,
                        "page_size": 200,
                    }
                ],
            },
            base_dir=Path(tmp),
        )
        t = time.perf_counter()
        served = plain_client(sandbox.url, None)
        baseline_full = time.perf_counter() - t
        t = time.perf_counter()
        full = run_source(config, "hubspot_bench")
        leadsync_full = time.perf_counter() - t
        since = int(sandbox.clock.timestamp() * 1000)
        for i in range(args.changes):
            sandbox.update(
                "contacts", str(1001 + i * (args.contacts // args.changes)), hs_lead_status="CONNECTED"
            )
        t = time.perf_counter()
        served_delta = plain_client(sandbox.url, since)
        baseline_inc = time.perf_counter() - t
        sandbox.request_log.clear()
        t = time.perf_counter()
        inc = run_source(config, "hubspot_bench")
        leadsync_inc = time.perf_counter() - t
    sandbox.stop()
    print(
        f"first load   {args.contacts:>7} contacts: leadsync {leadsync_full:6.1f}s "
        f"({full.rows_loaded} rows) | sandbox serving alone {baseline_full:6.1f}s ({served} read) "
        f"| ratio {leadsync_full / baseline_full:.2f}x"
    )
    print(
        f"incremental  {args.changes:>7} changes : leadsync {leadsync_inc:6.1f}s "
        f"({inc.rows_loaded} rows) | sandbox serving alone {baseline_inc:6.1f}s ({served_delta} read) "
        f"| ratio {leadsync_inc / baseline_inc:.2f}x"
    )


if __name__ == "__main__":
    main()
