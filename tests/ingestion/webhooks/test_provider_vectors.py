"""Outside test vectors for the webhook verifiers: the official Standard Webhooks library, both ways.

`standardwebhooks` (PyPI, https://github.com/standard-webhooks/standard-webhooks, spec
https://www.standardwebhooks.com/) signs with leadsync verifying, and verifies what leadsync's
signer produced, including rotated keys (several `v1,` signatures in one header).
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from leadsync.ingestion.webhooks import signatures as sig
from leadsync.ingestion.webhooks.signatures import SignatureError, SignedRequest

BODY = b'{"type":"lead.created","data":{"email":"ada@acme-analytics.com"}}'
OLD = "whsec_" + base64.b64encode(b"old-key-0123456789abcdef0123456").decode()
NEW = "whsec_" + base64.b64encode(b"new-key-0123456789abcdef0123456").decode()


def req(headers: dict[str, str]) -> SignedRequest:
    return SignedRequest(
        "POST", "https://leads.example.com/webhooks/std", "", {k.lower(): v for k, v in headers.items()}, BODY
    )


def official_headers(secret: str, msg_id: str, ts: int) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, UTC), BODY.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": signature}


def test_official_signature_verifies_in_leadsync():
    headers = official_headers(NEW, "msg_2Kq9", int(time.time()))
    sig.verify_standard(req(headers), [NEW.encode()], 300)
    with pytest.raises(SignatureError):
        sig.verify_standard(req(headers), [OLD.encode()], 300)


def test_leadsync_signature_verifies_in_the_official_library():
    headers = sig.sign_standard(NEW.encode(), "msg_2Kq9", BODY)
    assert Webhook(NEW).verify(BODY, headers) == {
        "type": "lead.created",
        "data": {"email": "ada@acme-analytics.com"},
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD).verify(BODY, headers)


def test_rotated_keys_both_ways():
    ts = int(time.time())
    old, new = official_headers(OLD, "msg_rot", ts), official_headers(NEW, "msg_rot", ts)
    rotated = {**new, "webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}
    # a sender mid-rotation signs with both keys: each side accepts it with either key configured
    sig.verify_standard(req(rotated), [OLD.encode()], 300)
    sig.verify_standard(req(rotated), [NEW.encode()], 300)
    assert Webhook(OLD).verify(BODY, rotated) and Webhook(NEW).verify(BODY, rotated)
    # a receiver mid-rotation holds both keys: leadsync accepts a signature made with either
    sig.verify_standard(req(old), [NEW.encode(), OLD.encode()], 300)


def test_both_reject_a_stale_timestamp():
    headers = official_headers(NEW, "msg_old", int(time.time()) - 3600)
    with pytest.raises(SignatureError) as info:
        sig.verify_standard(req(headers), [NEW.encode()], 300)
    assert info.value.stale
    with pytest.raises(WebhookVerificationError):
        Webhook(NEW).verify(BODY, headers)
