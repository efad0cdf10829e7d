"""The real receiver (uvicorn process on loopback): every contract answer, then a sync with exact counts."""

from __future__ import annotations

import json
import socket
import time

import duckdb
import httpx
from webhook_testkit import PROVIDERS, secret_for, source

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.webhooks.client import sample_submissions, send_samples, sign_and_send, signed_headers
from leadsync.ingestion.webhooks.landing import list_segments
from leadsync.ingestion.webhooks.receiver import serve_in_background
from leadsync.ingestion.webhooks.signatures import sign_generic, sign_hubspot, sign_standard, sign_webflow
from leadsync.ingestion.webhooks.source import pending_count


def post(
    base: str,
    name: str,
    body: bytes,
    headers: dict[str, str],
    ctype: str = "application/json",
    query: str = "",
) -> httpx.Response:
    return httpx.post(
        f"{base}/webhooks/{name}{query}", content=body, headers={**headers, "content-type": ctype}, timeout=10
    )


def test_every_provider_valid_wrong_missing_replayed_duplicate_then_sync(config, receiver):
    receiver.start()
    base = receiver.base_url
    assert httpx.get(base + "/healthz").status_code == 200
    for s in sample_submissions(count=2):
        src = source(config, s.provider)
        secret = secret_for(s.provider)
        # valid, twice: stored, then answered 200 again and stored once
        first = sign_and_send(base, src, secret, s.body, s.content_type)
        assert first.status_code == 200 and first.json()["status"] == "stored", (s.provider, first.text)
        again = sign_and_send(base, src, secret, s.body, s.content_type, msg_id=None)
        assert again.status_code == 200 and again.json()["status"] == "duplicate", s.provider
        assert again.json()["delivery_id"] == first.json()["delivery_id"]
        # wrong secret
        wrong = sign_and_send(
            base,
            src,
            "not-the-secret" if s.provider != "standard" else "whsec_" + "QUJD" * 8,
            s.body,
            s.content_type,
        )
        assert wrong.status_code == 401, s.provider
        # missing signature
        url = f"{base}/webhooks/{src.name}"
        missing = httpx.post(url, content=s.body, headers={"content-type": s.content_type})
        assert missing.status_code == 401, s.provider
        # a tampered body under a valid signature
        _, headers = signed_headers(src, secret, s.body, url)
        if s.provider != "jotform":
            assert post(base, src.name, s.body + b" ", headers, s.content_type).status_code == 401

    # replayed (stale) signed timestamps
    old_ms = str(int((time.time() - 3600) * 1000))
    hub = source(config, "hubspot")
    body = sample_submissions(("hubspot",), start=50)[0].body
    url = f"{base}/webhooks/{hub.name}"
    assert (
        post(
            base, hub.name, body, sign_hubspot(secret_for("hubspot").encode(), "POST", url, body, old_ms)
        ).status_code
        == 401
    )
    wf_body = sample_submissions(("webflow",), start=50)[0].body
    assert (
        post(
            base, "webflow_forms", wf_body, sign_webflow(secret_for("webflow").encode(), wf_body, old_ms)
        ).status_code
        == 401
    )
    st_body = sample_submissions(("standard",), start=50)[0].body
    stale = sign_standard(secret_for("standard").encode(), "msg_old", st_body, str(int(time.time()) - 3600))
    assert post(base, "standard_forms", st_body, stale).status_code == 401

    # generic HMAC with id_field and field_map
    gen = config.source("generic_forms")
    gbody = json.dumps(
        {"submission": {"id": "g-1", "who": {"mail": "gen@x.example"}, "org": "GenCo"}}
    ).encode()
    assert post(
        base, "generic_forms", gbody, sign_generic(gen.signature, b"generic-secret", gbody)
    ).json() == {"status": "stored", "delivery_id": "g-1"}

    # limits and bad input
    tf = source(config, "typeform")
    big = b'{"pad": "' + b"x" * 30000 + b'"}'
    assert sign_and_send(base, tf, secret_for("typeform"), big, "application/json").status_code == 413
    assert sign_and_send(base, tf, secret_for("typeform"), b"a=b", "text/plain").status_code == 415
    assert sign_and_send(base, tf, secret_for("typeform"), b"{broken", "application/json").status_code == 400
    assert post(base, "nope", b"{}", {}).status_code == 404
    assert post(base, "unset_secret", b"{}", {}).status_code == 503  # secret env missing: retry later
    jf = source(config, "jotform")
    assert sign_and_send(base, jf, secret_for("jotform"), b"{}", "application/json").status_code == 415

    # a readable, signed submission that is not a Typeform response: stored, quarantined at load
    odd = b'{"event_id": "odd-1", "hello": "world"}'
    assert sign_and_send(base, tf, secret_for("typeform"), odd, "application/json").status_code == 200

    receiver.stop()  # graceful stop seals segments
    for p in PROVIDERS:
        run_source(config, f"{p}_forms")
    run_source(config, "generic_forms")
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        counts = dict(
            con.execute("select source_name, count(*) from raw.webhook_leads group by 1").fetchall()
        )
        distinct = con.execute(
            "select count(distinct (source_name, source_record_id)) from raw.webhook_leads"
        ).fetchone()
        quarantined = con.execute("select source_record_id, reason from raw.quarantine").fetchall()
        subs = con.execute(
            "select count(*), count(*) filter (where headers like '%signature%') from raw.webhook_submissions"
        ).fetchone()
        tokens = con.execute(
            "select count(*) from raw.webhook_submissions where query like '%token%'"
        ).fetchone()
    assert counts == {**{f"{p}_forms": 2 for p in PROVIDERS}, "generic_forms": 1}
    assert distinct == (13,)
    assert quarantined == [("odd-1", "typeform submission: Typeform payload has no form_response object")]
    assert subs == (14, 0) and tokens == (0,)
    log = receiver.log.read_text()
    assert "test-secret" not in log and "ada.lovelace" not in log


def test_slow_client_is_cut_off(config, receiver):
    receiver.start()
    host, port = receiver.sock.getsockname()[:2]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(
            b"POST /webhooks/typeform_forms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"a":'
        )
        started = time.monotonic()
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 8


def test_demo_path_background_receiver_and_send_samples(config):
    with serve_in_background(config) as base_url:
        codes = send_samples(config, base_url, count=2)
    assert codes.pop("unset_secret") == [503, 503]  # its secret env var is not set
    assert codes == {f"{p}_forms": [200, 200] for p in PROVIDERS}
    assert pending_count(config) == 2 * len(PROVIDERS)
    # the graceful stop sealed every segment, so a drain can retire them all
    run_source(config, "webflow_forms")
    assert list_segments(config.landing_dir, "webflow_forms") == []


def test_routing_around_the_hot_path_matches_the_router(config, receiver):
    """The POST route is served as raw ASGI; everything else must still behave like Starlette's router."""
    receiver.start()
    base = receiver.base_url
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{base}/webhooks/typeform_forms", timeout=10).status_code == 405
    assert httpx.post(f"{base}/webhooks/typeform_forms/extra", content=b"{}", timeout=10).status_code == 404
    assert httpx.post(f"{base}/webhooks/", content=b"{}", timeout=10).status_code == 404
    unknown = httpx.post(
        f"{base}/webhooks/no_such_source",
        content=b"{}",
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert unknown.status_code == 404 and unknown.json()["status"] == "error"
    assert unknown.headers["content-type"] == "application/json"
    assert int(unknown.headers["content-length"]) == len(unknown.content)
