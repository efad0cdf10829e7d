"""Outside test vectors for the webhook verifiers: the official Standard Webhooks library, both ways.

`standardwebhooks` (PyPI, https://github.com/standard-webhooks/standard-webhooks, spec
https://www.standardwebhooks.com/) signs with leadsync verifying, and verifies what leadsync's
signer produced, including rotated keys (several `v1,` signatures in one header).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks import signatures as sig
from leadsync.ingestion.webhooks.payloads import ParseError, delivery_id, parse_submission
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


# ---------------------------------------------------------------------------------------------
# Fixed vectors published outside leadsync (a vector leadsync signed itself would only prove the
# verifier agrees with itself). Retrieved 2026-12-02.
# ---------------------------------------------------------------------------------------------
VECTORS = Path(__file__).parent / "vectors"
FAR = 10**12  # a replay window wide enough for a vector signed in 1970 or 2021

# The Standard Webhooks specification's test vector (standard-webhooks/standard-webhooks, spec
# and libraries; the same values in Svix's manual-verification guide,
# https://docs.svix.com/receiving/verifying-payloads/how-manual).
STD_SECRET = b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STD_HEADERS = {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
STD_BODY = b'{"test": 2432232314}'

# HubSpot's official Python SDK, tests/spec/utils/test_signature.py::test_get_signature__v3
# (HubSpot/hubspot-api-python; scheme: https://developers.hubspot.com/docs/api/webhooks/validating-requests).
HUBSPOT = {
    "secret": b"yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
    "body": b"{'example_field':'example_value'}",
    "url": "https://www.example.com/webhook_uri",
    "method": "POST",
    "timestamp": "15000000",
    "signature": "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw=",
}


def std_req(headers: dict[str, str], body: bytes = STD_BODY) -> SignedRequest:
    return SignedRequest("POST", "https://leads.example.com/webhooks/std", "", headers, body)


def test_standard_webhooks_spec_vector():
    sig.verify_standard(std_req(STD_HEADERS), [STD_SECRET], FAR)
    # the bare base64 key (without whsec_) is the same key
    assert (
        sig.sign_standard(STD_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", STD_BODY, "1614265330") == STD_HEADERS
    )


@pytest.mark.parametrize(
    "tamper",
    [
        {"body": b'{"test": 2432232315}'},
        {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJel"},
        {"webhook-timestamp": "1614265331"},
        {"webhook-signature": "v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
        {"webhook-signature": "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
    ],
)
def test_standard_webhooks_spec_vector_tampered(tamper):
    body = tamper.pop("body", STD_BODY)
    with pytest.raises(SignatureError):
        sig.verify_standard(std_req({**STD_HEADERS, **tamper}, body), [STD_SECRET], FAR)
    with pytest.raises(WebhookVerificationError):  # the official library agrees
        Webhook(STD_SECRET.decode()).verify(body, {**STD_HEADERS, **tamper})


def test_standard_webhooks_spec_vector_is_stale_today():
    with pytest.raises(SignatureError) as info:
        sig.verify_standard(std_req(STD_HEADERS), [STD_SECRET], 300)
    assert info.value.stale


def hubspot_req(**over: str | bytes) -> SignedRequest:
    v = {**HUBSPOT, **over}
    headers = {"x-hubspot-signature-v3": v["signature"], "x-hubspot-request-timestamp": v["timestamp"]}
    return SignedRequest(str(v["method"]), str(v["url"]), "", headers, bytes(v["body"]))  # type: ignore[arg-type]


def test_hubspot_v3_official_sdk_vector():
    signed = sig.sign_hubspot(
        HUBSPOT["secret"], "POST", HUBSPOT["url"], HUBSPOT["body"], HUBSPOT["timestamp"]
    )
    assert signed["X-HubSpot-Signature-v3"] == HUBSPOT["signature"]
    sig.verify_hubspot(hubspot_req(), [HUBSPOT["secret"]], FAR)


@pytest.mark.parametrize(
    "tamper",
    [
        {"body": b"{'example_field':'example_valuf'}"},
        {"url": "https://www.example.com/webhook_uri2"},
        {"method": "PUT"},
        {"timestamp": "15000001"},
        {"signature": "IPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="},
    ],
)
def test_hubspot_v3_official_sdk_vector_tampered(tamper):
    with pytest.raises(SignatureError):
        sig.verify_hubspot(hubspot_req(**tamper), [HUBSPOT["secret"]], FAR)
    with pytest.raises(SignatureError):  # the vector is from 1970: outside any real window
        sig.verify_hubspot(hubspot_req(), [HUBSPOT["secret"]], 300)


def test_typeform_documented_example_payload_maps_to_the_canonical_lead():
    doc = json.loads((VECTORS / "typeform_example_payload.json").read_text())
    source = WebhookSource(name="typeform_forms", type="webhook", provider="typeform")
    (lead,) = parse_submission(source, "application/json", json.dumps(doc["payload"]).encode())
    assert (lead["email"], lead["first_name"]) == ("laura@example.com", "Laura")
    assert (lead["form_id"], lead["submitted_at"]) == ("lT4Z3j", "2018-01-18T18:17:02Z")
    custom = lead["custom_fields"]
    # custom answers keep the field's ref, which the documented payload carries in its definition
    assert custom["readable_ref_multiple_choice"] == "London"
    assert custom["readable_ref_picture_choice"] == "London, Sydney"
    assert custom["readable_ref_legal"] is True and custom["readable_ref_number2"] == 4
    assert len(custom) == 10  # twelve answers: email and first name canonical, ten kept as custom


def test_webflow_documented_example_payload_maps_to_the_canonical_lead():
    doc = json.loads((VECTORS / "webflow_form_submission.json").read_text())
    source = WebhookSource(name="webflow_forms", type="webhook", provider="webflow")
    body = json.dumps(doc["payload"]).encode()
    (lead,) = parse_submission(source, "application/json", body)
    assert (lead["first_name"], lead["last_name"]) == ("Zaphod", "Beeblebrox")
    assert (lead["email"], lead["phone"]) == ("zaphod@heartofgold.ai", "15550000000")
    assert (lead["form_id"], lead["submitted_at"]) == ("65429eadebe8a9f3a30f62d0", "2022-09-14T12:35:16.117Z")
    assert lead["custom_fields"] == {"form_name": "Contact Us"}
    # the submission's own id is the delivery id (a redelivery is recognised as the same one)
    assert delivery_id(source, {}, doc["payload"], body) == "6321ca84df3949bfc6752327"


def test_tally_documented_example_event_maps_to_the_canonical_lead():
    """Tally's example with every field type. Found by it: its "Date" question used to take the
    place of the submission time (providers' metadata is now set before the answers)."""
    doc = json.loads((VECTORS / "tally_example_event.json").read_text())
    source = WebhookSource(name="tally_forms", type="webhook", provider="tally")
    body = json.dumps(doc["payload"]).encode()
    (lead,) = parse_submission(source, "application/json", body)
    assert (lead["email"], lead["phone"], lead["website"]) == (
        "alice@example.com",
        "+32491223344",
        "example.com",
    )
    assert (lead["form_id"], lead["submitted_at"]) == ("VwbNEw", "2023-06-28T15:00:21.000Z")
    assert lead["utm_campaign"] == "newsletter"  # a hidden field
    custom = lead["custom_fields"]
    assert custom["Date"] == "2023-06-28"
    assert custom["Multiple choice"] == "In progress"  # option ids resolved to their text
    assert custom["Checkboxes"] == "Swimming, Skiing" and custom["Multi-select"] == "Surf, Golf"
    assert custom["Payment (email)"] == "alice@example.com" and custom["form_name"] == "Webhook payload"
    assert delivery_id(source, {}, doc["payload"], body) == "a4cb511e-d513-4fa5-baee-b815d718dfd1"


def test_hubspot_documented_webhook_example_is_no_lead_and_says_why():
    """HubSpot's documented webhook is a CRM property change, not a form submission: the drain
    quarantines it with this reason (form submissions reach leadsync with their field values)."""
    doc = json.loads((VECTORS / "hubspot_webhook_example.json").read_text())
    source = WebhookSource(name="hubspot_forms", type="webhook", provider="hubspot")
    with pytest.raises(ParseError) as info:
        parse_submission(source, "application/json", json.dumps(doc["payload"]).encode())
    assert str(info.value) == (
        "HubSpot contact.propertyChange carries no form values (no fields, values or properties)"
    )
