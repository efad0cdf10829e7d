"""The per-record loop all three ad platforms share (common.parse_records): whatever a page holds,
every record comes out either as a lead or as a quarantine row with its reason, valid records load
next to broken ones, and nothing raises."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.ingestion.ad_platforms.common import RecordContext
from leadsync.ingestion.ad_platforms.google_ads import helpers as google
from leadsync.ingestion.ad_platforms.linkedin import helpers as linkedin
from leadsync.ingestion.ad_platforms.meta import helpers as meta

DOCUMENTED = Path(__file__).parent / "contracts" / "documented"
CTX = RecordContext("ads", "meta_lead_ads", "paid")

GOOD = {
    "Meta": json.loads((DOCUMENTED / "meta_leads_by_form.json").read_text())["body"]["data"][0],
    "LinkedIn": {
        "id": "li-good",
        "submittedAt": 1764669600000,
        "versionedLeadGenFormUrn": "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:6543210,3)",
        "formResponse": {
            "answers": [{"questionId": 1, "answerDetails": {"textQuestionAnswer": {"answer": "x"}}}]
        },
    },
    "Google Ads": {
        "leadFormSubmissionData": {
            "id": "g-good",
            "submissionDateTime": "2019-01-01 12:32:45-08:00",  # the documented format, with offset
            "leadFormSubmissionFields": [{"fieldType": "EMAIL", "fieldValue": "a@example.com"}],
        }
    },
}
GOOD_ID = {"Meta": "<LEAD_ID>", "LinkedIn": "li-good", "Google Ads": "g-good"}

KEYS = st.sampled_from(
    [
        "id",
        "created_time",
        "field_data",
        "name",
        "values",
        "form_id",
        "submittedAt",
        "versionedLeadGenFormUrn",
        "leadGenFormUrn",
        "formResponse",
        "answers",
        "questionId",
        "answerDetails",
        "textQuestionAnswer",
        "multipleChoiceAnswer",
        "options",
        "consentResponses",
        "leadMetadata",
        "form",
        "content",
        "questions",
        "leadFormSubmissionData",
        "submissionDateTime",
        "leadFormSubmissionFields",
        "customLeadFormSubmissionFields",
        "fieldType",
        "fieldValue",
        "questionText",
        "campaign",
    ]
) | st.text(max_size=5)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([10**20, -(10**18), 253402300800000])
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-05T09:00:00+0000", "2019-01-01 12:32:45-08:00", "urn:li:x:(a,b)", "("])
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=20,
)


def parse(platform: str, records: list) -> tuple[list, list]:
    if platform == "Meta":
        return meta.parse_leads(CTX, "form-1", records)
    if platform == "LinkedIn":
        catalog = linkedin.FormCatalog(lambda form_id: {})
        return linkedin.parse_responses(CTX, "510000001", records, catalog)
    return google.parse_results(CTX, "1234567890", records, ZoneInfo("America/New_York"), {})


@settings(max_examples=150, deadline=None)
@given(
    platform=st.sampled_from(sorted(GOOD)),
    junk=st.lists(JSONISH, max_size=6),
    at=st.integers(min_value=0, max_value=6),
)
def test_every_record_is_a_lead_or_quarantined_with_a_reason(platform, junk, at):
    records = [*junk[:at], GOOD[platform], *junk[at:]]
    rows, bad = parse(platform, records)
    assert len(rows) + len(bad) == len(records)
    assert GOOD_ID[platform] in {r["source_record_id"] for r in rows}
    for q in bad:
        assert q["reason"].startswith(f"unreadable {platform} lead: ") and len(q["reason"]) > 25
        json.loads(q["raw_content"])  # the record is kept as it came


def test_the_reasons_say_what_is_wrong():
    _, (no_id,) = parse("Meta", [{"created_time": "2026-01-05T09:00:00+0000"}])
    assert (
        no_id["reason"] == "unreadable Meta lead: the record has no id" and no_id["source_record_id"] is None
    )
    _, (no_time,) = parse("LinkedIn", [{"id": "r1", "submittedAt": "yesterday"}])
    assert "submittedAt 'yesterday' is not epoch milliseconds" in no_time["reason"]
    assert no_time["source_record_id"] == "r1"
    # found by the property test's strategy: a far-future epoch used to crash the whole sync (OSError)
    urn = "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)"
    _, (huge,) = parse("LinkedIn", [{"id": "r2", "submittedAt": 10**20, "versionedLeadGenFormUrn": urn}])
    assert "is out of range for a date" in huge["reason"]
    _, (bad_field,) = parse(
        "Google Ads", [{"leadFormSubmissionData": {"id": "g1", "submissionDateTime": "soon"}}]
    )
    assert "submission_date_time 'soon'" in bad_field["reason"]
