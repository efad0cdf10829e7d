"""Each provider's verifier against requests signed the provider's documented way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from leadsync.ingestion.source_types import GenericSignature, WebhookSource
from leadsync.ingestion.webhooks import signatures as sig
from leadsync.ingestion.webhooks.signatures import SignatureError, SignedRequest

BODY = b'{"event_id":"e1","hello":"world"}'
URL = "https://leads.example.com/webhooks/site?x=1"


def req(headers: dict[str, str], body: bytes = BODY, query: str = "", url: str = URL) -> SignedRequest:
    return SignedRequest("POST", url, query, {k.lower(): v for k, v in headers.items()}, body)


def b64_hmac(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


def test_typeform_matches_documented_scheme_and_rejects_others():
    header = {"Typeform-Signature": "sha256=" + b64_hmac(b"s3cret", BODY)}
    sig.verify_typeform(req(header), [b"s3cret"], 300)
    with pytest.raises(SignatureError, match="does not match"):
        sig.verify_typeform(req(header, body=BODY + b" "), [b"s3cret"], 300)
    with pytest.raises(SignatureError, match="missing"):
        sig.verify_typeform(req({}), [b"s3cret"], 300)


def test_rotation_accepts_any_configured_secret():
    header = sig.sign_tally(b"new", BODY)
    sig.verify_tally(req(header), [b"old", b"new"], 300)
    with pytest.raises(SignatureError):
        sig.verify_tally(req(header), [b"old"], 300)
    assert header["Tally-Signature"] == b64_hmac(b"new", BODY)


def test_hubspot_v3_signs_method_uri_body_timestamp_and_enforces_window():
    ts = str(int(time.time() * 1000))
    expected = b64_hmac(b"app", b"POST" + URL.encode() + BODY + ts.encode())
    headers = {"X-HubSpot-Signature-v3": expected, "X-HubSpot-Request-Timestamp": ts}
    sig.verify_hubspot(req(headers), [b"app"], 300)
    with pytest.raises(SignatureError):  # same signature, other URI
        sig.verify_hubspot(req(headers, url=URL + "&y=2"), [b"app"], 300)
    encoded = "https://leads.example.com/webhooks/site?next=%2Fthanks%3Fa%3D1"
    decoded = "https://leads.example.com/webhooks/site?next=/thanks?a%3D1"  # only the listed escapes
    signed = {
        "X-HubSpot-Signature-v3": b64_hmac(b"app", b"POST" + decoded.encode() + BODY + ts.encode()),
        "X-HubSpot-Request-Timestamp": ts,
    }
    sig.verify_hubspot(req(signed, url=encoded), [b"app"], 300)
    old = str(int((time.time() - 301) * 1000))
    stale = sig.sign_hubspot(b"app", "POST", URL, BODY, old)
    with pytest.raises(SignatureError) as info:
        sig.verify_hubspot(req(stale), [b"app"], 300)
    assert info.value.stale


def test_webflow_hex_of_timestamp_colon_body():
    ts = str(int(time.time() * 1000))
    digest = hmac.new(b"wf", f"{ts}:".encode() + BODY, hashlib.sha256).hexdigest()
    sig.verify_webflow(req({"x-webflow-signature": digest, "x-webflow-timestamp": ts}), [b"wf"], 300)
    with pytest.raises(SignatureError) as info:
        sig.verify_webflow(
            req(sig.sign_webflow(b"wf", BODY, str(int(time.time() * 1000) - 600_000))), [b"wf"], 300
        )
    assert info.value.stale


def test_jotform_token_in_query():
    sig.verify_jotform(req({}, query="token=tok&x=1"), [b"tok"], 300)
    for query in ("token=nope", "", "x=1"):
        with pytest.raises(SignatureError):
            sig.verify_jotform(req({}, query=query), [b"tok"], 300)


def test_standard_webhooks_whsec_multiple_signatures_and_tolerance():
    key = b"0123456789abcdef0123456789abcdef"
    secret = ("whsec_" + base64.b64encode(key).decode()).encode()
    ts = str(int(time.time()))
    good = b64_hmac(key, f"msg_1.{ts}.".encode() + BODY)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": ts,
        "webhook-signature": f"v1,{b64_hmac(b'other', BODY)} v1,{good}",
    }
    sig.verify_standard(req(headers), [secret], 300)
    with pytest.raises(SignatureError):  # id is part of the signed content
        sig.verify_standard(req({**headers, "webhook-id": "msg_2"}), [secret], 300)
    with pytest.raises(SignatureError, match="no v1"):
        sig.verify_standard(req({**headers, "webhook-signature": f"v2,{good}"}), [secret], 300)
    with pytest.raises(SignatureError) as info:
        sig.verify_standard(
            req(sig.sign_standard(secret, "msg_1", BODY, str(int(time.time()) - 400))), [secret], 300
        )
    assert info.value.stale


@pytest.mark.parametrize(
    "spec",
    [
        GenericSignature(header="X-Sig", algorithm="sha1", encoding="hex", prefix="sha1="),
        GenericSignature(header="X-Hub", algorithm="sha512", encoding="base64"),
        GenericSignature(scheme="bearer"),
    ],
)
def test_generic_schemes(spec: GenericSignature):
    src = WebhookSource(name="g", type="webhook", provider="generic", signature=spec)
    verify = sig.verifier_for(src)
    verify(req(sig.sign_generic(spec, b"k", BODY)), [b"k"], 300)
    with pytest.raises(SignatureError):
        verify(req(sig.sign_generic(spec, b"wrong", BODY)), [b"k"], 300)
    if spec.scheme == "hmac":
        h = sig.sign_generic(spec, b"k", BODY)[spec.header]
        assert h.startswith(spec.prefix)


def test_signature_error_never_contains_the_expected_signature():
    expected = sig.sign_typeform(b"s3cret", BODY)["Typeform-Signature"]
    with pytest.raises(SignatureError) as info:
        sig.verify_typeform(req({"Typeform-Signature": "sha256=AAAA"}), [b"s3cret"], 300)
    assert expected not in str(info.value) and "s3cret" not in str(info.value)
