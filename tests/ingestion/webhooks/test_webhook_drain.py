"""The drain: incremental loads, retire only after commit, re-parse, forget, sensor figures."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import duckdb
import httpx
import pytest
from webhook_testkit import secret_for, source

from leadsync.ingestion.pipeline import build_source, make_pipeline, run_source
from leadsync.ingestion.webhooks import payloads
from leadsync.ingestion.webhooks.client import sample_submissions, signed_headers
from leadsync.ingestion.webhooks.landing import encode_record, list_segments, source_dir
from leadsync.ingestion.webhooks.receiver import create_app
from leadsync.ingestion.webhooks.source import (
    forget_email,
    oldest_undrained_age,
    pending_count,
    reparse_source,
)


def post_in_process(config, requests: list[tuple[str, bytes, dict[str, str]]]) -> list[int]:
    """POST through the real ASGI app (lifespan included) without a server: fast, same code path."""
    app = create_app(config)

    async def go() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return [
                    (await client.post(url, content=body, headers=headers)).status_code
                    for url, body, headers in requests
                ]

    return asyncio.run(go())


def land(config, provider: str, count: int, start: int = 0, extra: list[bytes] | None = None) -> list[int]:
    """Post signed samples (plus `extra` JSON bodies) for one provider; returns the status codes."""
    src = source(config, provider)
    bodies = [(s.body, s.content_type) for s in sample_submissions((provider,), count, start=start)]
    bodies += [(b, "application/json") for b in extra or []]
    requests = []
    for body, ctype in bodies:
        url, headers = signed_headers(
            src, secret_for(provider), body, f"http://testserver/webhooks/{src.name}"
        )
        requests.append((url, body, {**headers, "content-type": ctype}))
    return post_in_process(config, requests)


def test_storage_failure_answers_503_and_nothing_is_stored(config):
    Path(config.landing_dir).mkdir(parents=True)
    (Path(config.landing_dir) / "tally_forms").write_text("a file where the source folder should be")
    assert land(config, "tally", 2) == [503, 503]
    assert pending_count(config, "tally_forms") == 0


def query(config, sql: str) -> list[tuple]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_incremental_drain_retires_only_after_commit_and_remembers_ids(config):
    assert land(config, "tally", 3) == [200] * 3
    assert pending_count(config) == 3 and pending_count(config, "typeform_forms") == 0
    age = oldest_undrained_age(config, "tally_forms")
    assert age is not None and timedelta(0) <= age < timedelta(minutes=1)

    # extract + normalize without a load: nothing committed, so nothing may be retired
    pipeline = make_pipeline(config, "tally_forms")
    pipeline.extract(build_source(config, "tally_forms"))
    pipeline.normalize()
    pipeline.abort_packages()
    assert len(list_segments(config.landing_dir, "tally_forms")) == 1 and pending_count(config) == 3

    result = run_source(config, "tally_forms")
    assert result.rows_by_table["webhook_leads"] == 3
    assert list_segments(config.landing_dir, "tally_forms") == [] and pending_count(config) == 0
    assert oldest_undrained_age(config) is None

    # new submissions plus a re-delivery of an already retired one
    assert land(config, "tally", 2, start=2) == [200, 200]
    assert pending_count(config) == 1  # copy 2 was a duplicate, answered 200 and not stored
    assert run_source(config, "tally_forms").rows_by_table["webhook_leads"] == 1
    assert query(config, "select count(*), count(distinct source_record_id) from raw.webhook_leads") == [
        (4, 4)
    ]
    assert run_source(config, "tally_forms").rows_by_table["webhook_leads"] == 0


def test_torn_tail_and_parse_failures_reach_quarantine(config):
    land(config, "typeform", 2, extra=[b'{"event_id": "bad-1"}'])
    seg_dir = source_dir(config.landing_dir, "typeform_forms")
    torn = seg_dir / "99999999999999999999-1.seg"
    torn.write_bytes(encode_record({"delivery_id": "t1", "source": "typeform_forms"}, b"{}")[:25])
    run_source(config, "typeform_forms")
    assert query(config, "select count(*) from raw.webhook_leads") == [(2,)]
    reasons = sorted(r for (r,) in query(config, "select reason from raw.quarantine"))
    assert reasons[0] == "typeform submission: Typeform payload has no form_response object"
    assert reasons[1].startswith(
        "unreadable bytes in landing segment 99999999999999999999-1 at offset 0 (25 bytes)"
    )


def test_reparse_replays_stored_submissions_after_a_parser_fix(config, monkeypatch: pytest.MonkeyPatch):
    land(config, "webflow", 2, extra=[b'{"payload": {"id": "w-odd", "fields": {"Email": "odd@x.example"}}}'])
    run_source(config, "webflow_forms")
    assert query(config, "select count(*) from raw.webhook_leads") == [(2,)]
    assert query(config, "select count(*) from raw.quarantine") == [(1,)]

    original = payloads.PARSERS["webflow"]

    def fixed(decoded, src):  # the "fix": an older Webflow shape keeps its values under `fields`
        if isinstance(decoded.get("payload", {}).get("fields"), dict):
            decoded = {"payload": {**decoded["payload"], "data": decoded["payload"]["fields"]}}
        leads = original(decoded, src)
        for lead in leads:
            lead["lead_status"] = "reparsed"
        return leads

    monkeypatch.setitem(payloads.PARSERS, "webflow", fixed)
    counts = reparse_source(config, "webflow_forms")
    assert counts["webhook_leads"] == 3
    assert query(
        config, "select count(*), count(*) filter (where lead_status = 'reparsed') from raw.webhook_leads"
    ) == [(3, 3)]
    assert query(config, "select email from raw.webhook_leads where source_record_id = 'w-odd'") == [
        ("odd@x.example",)
    ]
    assert query(config, "select count(*) from raw.quarantine") == [(0,)]


def test_forget_email_erases_landed_submissions(config):
    land(config, "jotform", 3)
    assert forget_email(config, "MARGARET+1@apollo-software.example") == 1
    assert forget_email(config, "margaret+1@apollo-software.example") == 0  # already erased
    raw = b"".join(p.read_bytes() for p in list_segments(config.landing_dir, "jotform_forms"))
    assert b"margaret+1@" not in raw and b"margaret+2@" in raw
    assert pending_count(config) == 2
    run_source(config, "jotform_forms")
    emails = sorted(e for (e,) in query(config, "select email from raw.webhook_leads"))
    assert emails == ["margaret+2@apollo-software.example", "margaret@apollo-software.example"]


def test_submissions_table_keeps_what_reparse_needs(config):
    land(config, "jotform", 1)
    run_source(config, "jotform_forms")
    ((provider, ctype, headers, body_text, query_string),) = query(
        config, "select provider, content_type, headers, body_text, query from raw.webhook_submissions"
    )
    assert provider == "jotform" and ctype.startswith("multipart/form-data")
    assert "rawRequest" in body_text and query_string is None  # ?token= never stored
    assert "content-type" in json.loads(headers)


def test_retirement_compacts_the_id_memory_to_its_retention(config):
    from leadsync.ingestion.webhooks.landing import append_retired_ids, read_retired_ids
    from leadsync.ingestion.webhooks.landing.layout import RETIRED_IDS_FILE

    source_dir(config.landing_dir, "tally_forms").mkdir(parents=True, exist_ok=True)
    append_retired_ids(config.landing_dir, "tally_forms", {f"stale{i}": "h" for i in range(500)}, now=0)
    assert land(config, "tally", 3) == [200] * 3
    assert run_source(config, "tally_forms").rows_by_table["webhook_leads"] == 3
    ids = read_retired_ids(config.landing_dir, "tally_forms")
    assert len(ids) == 3 and not any(k.startswith("stale") for k in ids)  # the 1970 ids are gone
    lines = (source_dir(config.landing_dir, "tally_forms") / RETIRED_IDS_FILE).read_text().splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == 3 for line in lines)
    # the remembered ids still answer a redelivery "duplicate"
    assert land(config, "tally", 3) == [200] * 3 and pending_count(config) == 0
