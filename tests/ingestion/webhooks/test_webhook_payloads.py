"""Provider payloads (examples/webhooks/) -> canonical lead fields, delivery ids, parse failures."""

from __future__ import annotations

import json

import pytest

from leadsync.ingestion.source_types import WebhookSource
from leadsync.ingestion.webhooks.bodies import DEFAULT_LIMITS
from leadsync.ingestion.webhooks.client import encode_multipart, sample_submissions
from leadsync.ingestion.webhooks.payloads import (
    ParseError,
    UnreadableBody,
    content_type_accepted,
    decode_body,
    delivery_id,
    parse_submission,
)


def src(provider: str, **kw) -> WebhookSource:
    return WebhookSource(name=f"{provider}_forms", type="webhook", provider=provider, **kw)


def parse_example(provider: str, **kw) -> dict:
    (s,) = sample_submissions((provider,))
    (lead,) = parse_submission(src(provider, **kw), s.content_type, s.body)
    return lead


def test_typeform_answers_by_type_ref_and_hidden_fields():
    lead = parse_example("typeform")
    assert lead["email"] == "ada.lovelace@analytical-engines.example"  # by field type, ref is a uuid
    assert lead["phone"] == "+442071234567"
    assert (lead["first_name"], lead["last_name"]) == ("Ada", "Lovelace")
    assert lead["company_name"] == "Analytical Engines Ltd"
    assert lead["employee_count"] == "51-200"  # choice label, ref company_size
    assert (lead["utm_source"], lead["utm_medium"], lead["utm_campaign"]) == (
        "linkedin",
        "paid_social",
        "q4-data-teams",
    )
    assert lead["form_id"] == "lT4Z3j" and lead["submitted_at"] == "2026-11-20T09:16:02Z"
    assert lead["custom_fields"]["newsletter"] is True
    assert "what_brings_you" in lead["custom_fields"]


def test_hubspot_form_fields_and_properties_shapes():
    lead = parse_example("hubspot")
    assert lead["email"] == "grace.hopper@cobol-systems.example"
    assert (lead["first_name"], lead["last_name"], lead["job_title"]) == ("Grace", "Hopper", "VP Engineering")
    assert lead["submitted_at"].startswith("2026-11-20T09:20:00")
    assert lead["custom_fields"]["how_did_you_hear"] == "Podcast"
    contact = {"vid": 51, "properties": {"email": {"value": "x@y.example"}, "firstname": {"value": "X"}}}
    (lead2,) = parse_submission(src("hubspot"), "application/json", json.dumps(contact).encode())
    assert (lead2["email"], lead2["first_name"]) == ("x@y.example", "X")
    events = [{"eventId": 1, "subscriptionType": "contact.creation", "objectId": 9}]
    with pytest.raises(ParseError, match="contact.creation carries no form values"):
        parse_submission(src("hubspot"), "application/json", json.dumps(events).encode())


def test_tally_fields_by_type_label_and_options():
    lead = parse_example("tally")
    assert lead["email"] == "k.johnson@orbital-mechanics.example"
    assert lead["phone"] == "+1 757 555 0199"  # label "Mobile" and type INPUT_PHONE_NUMBER
    assert lead["full_name"] == "Katherine Johnson"
    assert lead["industry"] == "Aerospace"  # option id resolved to its text
    assert lead["utm_source"] == "newsletter"
    assert lead["custom_fields"]["Anything else?"] == "Looking at trajectory analytics"


def test_webflow_data_labels():
    lead = parse_example("webflow")
    assert (lead["first_name"], lead["last_name"], lead["email"]) == (
        "Alan",
        "Turing",
        "alan@bletchley-analytics.example",
    )
    assert lead["phone"] == "441908640404" and lead["job_title"] == "Head of Data"
    assert lead["need"] == "Please call me about the enterprise plan"
    assert lead["form_id"] == "65429eadebe8a9f3a30f62d0"


def test_jotform_multipart_raw_request_compound_fields():
    lead = parse_example("jotform")
    assert (lead["first_name"], lead["last_name"]) == ("Margaret", "Hamilton")
    assert lead["email"] == "margaret@apollo-software.example"
    assert lead["phone"] == "(617) 555-0100"
    assert (lead["city"], lead["state"], lead["country"]) == ("Cambridge", "MA", "United States")
    assert lead["employee_count"] == "201-500" and lead["form_id"] == "241234567890123"
    assert lead["custom_fields"]["type A"] == "Flight software"
    assert "slug" not in lead["custom_fields"]


def test_jotform_urlencoded_and_area_phone():
    body = "submissionID=77&formID=1&rawRequest=" + json.dumps(
        {"q2_phone": {"area": "212", "phone": "5550100"}, "q3_eMail": "a@b.example"}
    )
    from urllib.parse import quote

    body = "submissionID=77&formID=1&rawRequest=" + quote(body.split("rawRequest=")[1])
    (lead,) = parse_submission(src("jotform"), "application/x-www-form-urlencoded", body.encode())
    assert lead["phone"] == "212 5550100" and lead["email"] == "a@b.example"


def test_standard_json_synonyms_on_paths_and_field_map_wins():
    lead = parse_example("standard")
    assert lead["email"] == "linus@kernel-tools.example"
    assert lead["company_name"] == "Kernel Tools Oy" and lead["company_domain"] == "kernel-tools.example"
    assert lead["employee_count"] == "11-50" and lead["country"] == "FI"
    assert lead["custom_fields"]["favourite_editor"] == "micro"
    mapped = parse_example("standard", field_map={"email": "data.company.domain"})
    assert mapped["email"] == "kernel-tools.example"


def test_delivery_ids_per_provider_and_fallback_hash():
    ids = {}
    for s in sample_submissions():
        decoded = decode_body(s.content_type, s.body, DEFAULT_LIMITS)
        headers = {"webhook-id": "msg_9"} if s.provider == "standard" else {}
        ids[s.provider] = delivery_id(src(s.provider), headers, decoded, s.body)
    assert ids == {
        "typeform": "01HZX3K9Q2TYPEFORM0000001",
        "hubspot": "hs-7f1c0b3e-5a51-4d2e-9c1a-000000000001",
        "tally": "a4cb511e-d513-4fa5-baee-b815d718dfd1",
        "webflow": "6321ca84df3949bfc6752327",
        "jotform": "5912345678901234567",
        "standard": "msg_9",
    }
    body = b'{"no": "id"}'
    assert delivery_id(src("generic"), {}, json.loads(body), body).startswith("sha256:")
    assert delivery_id(src("generic", id_field="a.b"), {}, {"a": {"b": 7}}, b"") == "7"


def test_unreadable_and_unmappable_bodies_raise_plain_reasons():
    with pytest.raises(UnreadableBody, match="not valid JSON"):
        parse_submission(src("typeform"), "application/json", b"{not json")
    with pytest.raises(ParseError, match="no form_response"):
        parse_submission(src("typeform"), "application/json", b'{"event_id": "x"}')
    with pytest.raises(ParseError, match="no rawRequest"):
        body, ctype = encode_multipart({"submissionID": "1"})
        parse_submission(src("jotform"), ctype, body)
    with pytest.raises(UnreadableBody):
        decode_body("multipart/form-data", b"garbage", DEFAULT_LIMITS)


def test_content_types():
    assert content_type_accepted("typeform", "application/json; charset=utf-8")
    assert not content_type_accepted("typeform", "text/plain")
    assert content_type_accepted("jotform", "multipart/form-data; boundary=x")
    assert not content_type_accepted("jotform", "application/json")
