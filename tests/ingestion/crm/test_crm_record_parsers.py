"""Property tests of the CRM record parsers: any record either becomes rows that fit the raw
tables' Arrow schemas, or is quarantined with a reason; a page is never lost to one bad record."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.ingestion.ad_platforms.common import RecordContext, leads_table, quarantine_batch
from leadsync.ingestion.crm.common import events_table
from leadsync.ingestion.crm.hubspot import helpers as hs
from leadsync.ingestion.crm.salesforce import helpers as sf
from leadsync.ingestion.crm.salesforce import settings as sf_settings

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HS = RecordContext("hubspot_crm", "hubspot", "inbound")
SF = RecordContext("salesforce_crm", "salesforce", "inbound")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000+0000", "2026-03-01", "1772359200000", "", "Z"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
hubspot_props = st.dictionaries(
    st.sampled_from(
        [
            "email",
            "firstname",
            "createdate",
            "lastmodifieddate",
            "hs_merged_object_ids",
            "phone",
            "lifecyclestage",
            "numemployees",
            "x_custom",
        ]
    ),
    values,
    max_size=8,
)
hubspot_records = st.one_of(
    values,
    st.fixed_dictionaries(
        {"id": values, "properties": st.one_of(hubspot_props, values)},
        optional={"createdAt": values, "archived": values},
    ),
)
salesforce_records = st.one_of(
    values,
    st.fixed_dictionaries(
        {"Id": st.one_of(st.text(min_size=1, max_size=18), values), "CreatedDate": values},
        optional={
            "SystemModstamp": values,
            "IsDeleted": values,
            "MasterRecordId": values,
            "Email": values,
            "Status": values,
            "IsConverted": values,
            "ConvertedContactId": values,
            "LeadId": values,
            "NewValue": values,
            "OldValue": values,
            "Account": values,
            "WhoId": values,
            "ActivityDate": values,
        },
    ),
)
VALID_HS = {
    "id": "1",
    "properties": {
        "email": "ada@example.com",
        "createdate": "2026-03-01T10:00:00Z",
        "lastmodifieddate": "2026-03-02T10:00:00Z",
    },
}
VALID_SF = {
    "Id": "00Q000000000001",
    "CreatedDate": "2026-03-01T10:00:00.000+0000",
    "Email": "ada@example.com",
    "Status": "Open - Not Contacted",
}


def _tables(rows, events, bad):
    # what the resource yields: must not raise, whatever the records were
    if rows:
        leads_table(rows)
    if events:
        events_table(events)
    if bad:
        quarantine_batch(bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(hubspot_records, max_size=5))
def test_hubspot_contact_pages_never_crash_and_never_lose_the_good_contact(page):
    rows, events, bad = hs.read_contact_page(HS, [*page, VALID_HS], NOW, ("x_custom",))
    assert len(rows) + len(bad) == len(page) + 1
    assert "1" in {r["source_record_id"] for r in rows}
    assert all(b["reason"].startswith("unreadable HubSpot contact") for b in bad)
    _tables(rows, events, bad)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([o for o, _, _ in sf_settings.OBJECTS]), st.lists(salesforce_records, max_size=5))
def test_salesforce_pages_never_crash_and_never_lose_the_good_record(obj, page):
    rows, events, bad = sf.read_page(SF, obj, [*page, VALID_SF], NOW)
    assert len(bad) <= len(page)
    assert all(b["reason"].startswith(f"unreadable Salesforce {obj}") for b in bad)
    if obj in sf_settings.PEOPLE:
        assert VALID_SF["Id"] in {r["source_record_id"] for r in rows}
    _tables(rows, events, bad)


@settings(max_examples=200, deadline=None)
@given(values)
def test_hubspot_history_and_archived_records_are_readable_or_refused(rec):
    for parse in (
        lambda: hs.history_events(HS, rec, NOW),
        lambda: [hs.archived_event(HS, "contact", rec, NOW)],
    ):
        try:
            events = parse()
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError):
            continue
        if events:
            events_table(events)
