"""Hostile but signed submissions (issue #15) through the real receiver on loopback and the real drain.

The promise: whatever the receiver acknowledges is loaded or quarantined with its raw body and a
reason; what it cannot promise that for it refuses (400/401/413), and a poisoned record never
blocks the submissions stored after it.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from webhook_testkit import Receiver, secret_for, source, write_config

from leadsync.ingestion.pipeline import run_source
from leadsync.ingestion.webhooks.bodies import DEFAULT_LIMITS
from leadsync.ingestion.webhooks.client import encode_multipart, signed_headers
from leadsync.ingestion.webhooks.landing import encode_record, source_dir
from leadsync.ingestion.webhooks.signatures import sign_standard

VALID = {"submission": {"id": "ok-1", "who": {"mail": "ada@example.com"}, "org": "Acme"}}


def deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, Receiver]]:
    """The default limits (1 MiB bodies), a receiver process on a loopback socket of port 0."""
    config = write_config(tmp_path, monkeypatch)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    rec = Receiver(tmp_path / "leadsync.yaml", sock, tmp_path / "receiver.log")
    rec.start()
    try:
        yield config, rec
    finally:
        rec.stop()
        sock.close()


def post(config, rec: Receiver, provider: str, body: bytes, content_type: str = "application/json", **kw):
    src = source(config, provider) if provider != "generic" else config.source("generic_forms")
    url, headers = signed_headers(
        src,
        secret_for(provider) if provider != "generic" else "generic-secret",
        body,
        f"{rec.base_url}/webhooks/{src.name}",
        **kw,
    )
    return httpx.post(url, content=body, headers={**headers, "content-type": content_type}, timeout=30)


def query(config, sql: str) -> list[tuple]:
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_deep_nesting_is_400_and_lone_surrogate_is_quarantined_not_lost(live):
    config, rec = live
    for levels in (500, 900, 985, 100_000):
        r = post(config, rec, "generic", deep(levels))
        assert r.status_code == 400, levels
        assert r.json()["message"] == f"body is nested deeper than {DEFAULT_LIMITS.max_depth} levels"
    surrogate = b'{"submission": {"id": "sur-1", "who": {"mail": "x\\ud800@example.com"}}}'
    assert post(config, rec, "generic", surrogate).status_code == 200
    assert post(config, rec, "generic", json.dumps(VALID).encode()).status_code == 200
    rec.stop()
    run_source(config, "generic_forms")
    assert query(config, "select source_record_id, email from raw.webhook_leads") == [
        ("ok-1", "ada@example.com")
    ]
    ((rid, reason, raw),) = query(config, "select source_record_id, reason, raw_content from raw.quarantine")
    assert rid == "sur-1" and "lone surrogate" in reason and raw == surrogate.decode()


def test_replay_window_rejects_non_finite_timestamps(live):
    config, rec = live
    src = source(config, "standard")
    body = json.dumps({"type": "form.submitted", "data": {"email": "ada@example.com"}}).encode()
    for stamp in ("NaN", "nan", "inf", "-Infinity"):
        headers = sign_standard(secret_for("standard").encode(), f"msg_{stamp}", body, timestamp=stamp)
        r = httpx.post(
            f"{rec.base_url}/webhooks/{src.name}",
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
        assert r.status_code == 401 and r.json()["message"] == "timestamp outside the replay window", stamp
    fresh = sign_standard(secret_for("standard").encode(), "msg_ok", body, timestamp=str(int(time.time())))
    r = httpx.post(
        f"{rec.base_url}/webhooks/{src.name}",
        content=body,
        headers={**fresh, "content-type": "application/json"},
    )
    assert r.status_code == 200


def test_error_bodies_never_reflect_input(live):
    config, rec = live
    name = "no_such_source_<script>alert(1)</script>"
    r = httpx.post(
        f"{rec.base_url}/webhooks/{name}", content=b"{}", headers={"content-type": "application/json"}
    )
    assert r.status_code == 404 and "no_such" not in r.text and "script" not in r.text
    marker = b"REFLECTED-MARKER"
    for body, ctype in ((b"{" + marker, "application/json"), (marker, "multipart/form-data; boundary=zz")):
        r = post(config, rec, "generic", body, ctype)
        assert r.status_code == 400 and marker.decode() not in r.text


def test_body_limit_holds_on_chunked_requests(tmp_path, monkeypatch):
    config = write_config(tmp_path, monkeypatch, max_body_bytes=20_000)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    rec = Receiver(tmp_path / "leadsync.yaml", sock, tmp_path / "receiver.log")
    rec.start()
    try:
        src = config.source("generic_forms")
        body = json.dumps({"submission": {"id": "big", "pad": "x" * 30_000}}).encode()
        url, headers = signed_headers(src, "generic-secret", body, f"{rec.base_url}/webhooks/{src.name}")

        def chunks() -> Iterator[bytes]:  # a generator body: httpx sends Transfer-Encoding: chunked
            for i in range(0, len(body), 4096):
                yield body[i : i + 4096]

        r = httpx.post(url, content=chunks(), headers={**headers, "content-type": "application/json"})
        assert r.status_code == 413
        assert list((Path(config.landing_dir) / src.name).glob("*")) == [] or not any(
            p.stat().st_size for p in (Path(config.landing_dir) / src.name).glob("*")
        )
    finally:
        rec.stop()
        sock.close()


def test_same_delivery_id_with_another_body_is_quarantined_with_both_hashes(live):
    config, rec = live
    first = json.dumps({"data": {"email": "ada@example.com"}}).encode()
    second = json.dumps({"data": {"email": "mallory@example.com"}}).encode()
    answers = [
        post(config, rec, "standard", b, msg_id="msg_same").json()["status"]
        for b in (first, second, second, first)
    ]
    assert answers == ["stored", "conflict", "duplicate", "duplicate"]
    rec.stop()
    run_source(config, "standard_forms")
    assert query(config, "select source_record_id, email from raw.webhook_leads") == [
        ("msg_same", "ada@example.com")
    ]
    ((rid, reason, raw),) = query(config, "select source_record_id, reason, raw_content from raw.quarantine")

    assert rid == "msg_same" and raw == second.decode()
    assert hashlib.sha256(first).hexdigest() in reason and hashlib.sha256(second).hexdigest() in reason


def test_stored_poison_never_blocks_the_source(tmp_path, monkeypatch):
    """Bodies an older receiver stored (no limits then) are quarantined one by one; the valid
    submission stored after them loads, and the next sync runs clean."""
    config = write_config(tmp_path, monkeypatch)
    name = "generic_forms"
    seg_dir = source_dir(config.landing_dir, name)
    seg_dir.mkdir(parents=True)
    poison = {
        "deep-900": deep(900),
        "deep-100k": deep(100_000),
        "surrogate": b'{"submission": {"id": "s", "org": "\\udfff"}}',
        "not-json": b"{nope",
        "too-big": json.dumps({"pad": "x" * (DEFAULT_LIMITS.max_bytes + 1)}).encode(),
        "bad-id": json.dumps({"submission": {"id": "\ud800"}}, ensure_ascii=True).encode(),
        "many-values": json.dumps(list(range(DEFAULT_LIMITS.max_values + 1))).encode(),
    }
    frames = [
        encode_record(
            {
                "delivery_id": did,
                "source": name,
                "provider": "generic",
                "content_type": "application/json",
                "received_ns": time.time_ns(),
            },
            body,
        )
        for did, body in [*poison.items(), ("ok-1", json.dumps(VALID).encode())]
    ]
    (seg_dir / "00000000000000000001-1.seg").write_bytes(b"".join(frames))
    result = run_source(config, name)
    assert result.rows_by_table["webhook_leads"] == 1
    assert query(config, "select source_record_id from raw.webhook_leads") == [("ok-1",)]
    quarantined = dict(query(config, "select source_record_id, reason from raw.quarantine"))
    assert set(quarantined) == set(poison)
    assert quarantined["deep-900"].endswith(f"nested deeper than {DEFAULT_LIMITS.max_depth} levels")
    assert quarantined["deep-100k"].endswith(f"nested deeper than {DEFAULT_LIMITS.max_depth} levels")
    assert "lone surrogate" in quarantined["surrogate"]
    assert quarantined["too-big"].endswith(f"body over {DEFAULT_LIMITS.max_bytes} bytes")
    assert quarantined["many-values"].endswith(f"more than {DEFAULT_LIMITS.max_values} values")
    again = run_source(config, name)
    assert again.rows_by_table.get("webhook_leads", 0) == 0


# --- property: acknowledged => loaded or quarantined --------------------------------------------
_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
_form = st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=30), max_size=6)


@st.composite
def bodies(draw) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["json", "json-ascii", "urlencoded", "multipart", "bytes"]))
    if kind in ("json", "json-ascii"):
        return json.dumps(draw(_json), ensure_ascii=kind == "json-ascii").encode(
            "utf-8", "surrogatepass"
        ), "application/json"
    if kind == "urlencoded":
        return urlencode(draw(_form)).encode(), "application/x-www-form-urlencoded"
    if kind == "multipart":
        fields = draw(_form)
        if not fields:
            fields = {"x": ""}
        return encode_multipart(fields)
    return draw(st.binary(max_size=200)), draw(
        st.sampled_from(["application/json", "multipart/form-data; boundary=b"])
    )


def test_acknowledged_means_loaded_or_quarantined(live):
    config, rec = live
    acknowledged: set[str] = set()
    src = config.source("generic_forms")
    client = httpx.Client(timeout=30)

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(bodies())
    @example((b'{"submission": {"id": "\\ud800"}}', "application/json"))
    @example((b'["\\udc00", {"a": "\\ud83d"}]', "application/json"))
    @example((deep(31), "application/json"))
    @example((deep(500), "application/json"))
    @example((b"a=%FF%FE&b=\xff", "application/x-www-form-urlencoded"))
    def check(case: tuple[bytes, str]) -> None:
        body, ctype = case
        url, headers = signed_headers(src, "generic-secret", body, f"{rec.base_url}/webhooks/{src.name}")
        r = client.post(url, content=body, headers={**headers, "content-type": ctype})
        assert r.status_code in (200, 400, 413), r.text
        if r.status_code == 200:
            acknowledged.add(r.json()["delivery_id"])

    try:
        check()
    finally:
        client.close()
    rec.stop()
    run_source(config, "generic_forms")
    loaded = {
        r for (r,) in query(config, "select split_part(source_record_id, '#', 1) from raw.webhook_leads")
    }
    quarantined = {r for (r,) in query(config, "select source_record_id from raw.quarantine")}
    assert acknowledged, "the strategy produced no readable body at all"
    assert acknowledged <= loaded | quarantined, acknowledged - loaded - quarantined
