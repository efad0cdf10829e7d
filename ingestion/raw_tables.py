"""Names and shapes of the raw tables the ingestion layer writes (dlt dataset `raw`).

The dbt project declares the same tables in `transform/models/staging/_raw_sources.yml`;
`tests/transform/test_raw_contract.py` keeps the two in step.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

RAW_DATASET: Final = "raw"

# Lead tables: every one has exactly `ingestion.lead.raw_lead_schema()`. Which source type writes
# which tables is declared in ingestion/source_types.py.
CSV_LEADS: Final = "csv_leads"
WEBHOOK_LEADS: Final = "webhook_leads"
META_LEADS: Final = "meta_leads"
LINKEDIN_LEADS: Final = "linkedin_leads"
GOOGLE_ADS_LEADS: Final = "google_ads_leads"
HUBSPOT_CONTACTS: Final = "hubspot_contacts"  # every loaded version of every HubSpot contact
SALESFORCE_PEOPLE: Final = "salesforce_people"  # Salesforce Leads and Contacts (one touch each)

# Other tables (their columns are defined by the module that writes them).
WEBHOOK_SUBMISSIONS: Final = "webhook_submissions"  # raw stored bodies, for --reparse
ACTIVITY_EVENTS: Final = "activity_events"
TARGET_ACCOUNTS: Final = "target_accounts"
SPEND: Final = "spend"
HUBSPOT_EVENTS: Final = "hubspot_events"  # CRM_EVENT_SCHEMA
SALESFORCE_EVENTS: Final = "salesforce_events"  # CRM_EVENT_SCHEMA
QUARANTINE: Final = "quarantine"

_RECORD_TAIL = [
    ("custom_fields", pa.string()),  # JSON object: every column without a home here
    ("source_location", pa.string()),
    ("source_line", pa.int64()),
    ("received_at", pa.timestamp("us", tz="UTC")),
]

# Sales activity (type activity_csv): one row per event. `event` is already one of
# ingestion.lead.ACTIVITY_EVENT_TYPES (unknown events are quarantined at load);
# `event_raw` keeps what the file said. `lead_ref` is the file's lead id column when there is
# one: a leadsync lead_id or any source's record id (dbt resolves both).
ACTIVITY_SCHEMA: Final = pa.schema(
    [
        ("source_name", pa.string()),
        ("source_record_id", pa.string()),  # id column, else a content hash (duplicates collapse)
        ("email", pa.string()),
        ("lead_ref", pa.string()),
        ("event", pa.string()),
        ("event_raw", pa.string()),
        ("occurred_at", pa.string()),  # as written in the file; dbt parses it
        ("rep", pa.string()),
        ("note", pa.string()),
        *_RECORD_TAIL,
    ]
)

# Target accounts (type target_accounts): the companies sales wants to win.
TARGET_ACCOUNTS_SCHEMA: Final = pa.schema(
    [
        ("source_name", pa.string()),
        ("source_record_id", pa.string()),
        ("company_name", pa.string()),
        ("company_domain", pa.string()),
        ("website", pa.string()),
        ("country", pa.string()),
        ("industry", pa.string()),
        ("employee_count", pa.string()),
        ("account_owner", pa.string()),
        ("tier", pa.string()),
        *_RECORD_TAIL,
    ]
)

# Marketing spend (type spend_csv): what a lead source cost per month.
SPEND_SCHEMA: Final = pa.schema(
    [
        ("source_name", pa.string()),  # the spend file's configured source
        ("source_record_id", pa.string()),
        ("lead_source_name", pa.string()),  # the configured lead source the money went to
        ("channel", pa.string()),  # optional: a channel within it
        ("month", pa.string()),  # YYYY-MM
        ("amount", pa.string()),
        ("currency", pa.string()),
        *_RECORD_TAIL,
    ]
)

# CRM evidence (types hubspot, salesforce): one row per thing the CRM says happened to a person,
# with the CRM's own timestamp. Append-only like every raw table: a re-read record arrives again
# with the same `source_record_id` (the event's own id) and dbt keeps the latest version.
#   event_kind  status     a status/stage value taken at occurred_at (`field` names which one)
#               created    the record's status when it was created (Salesforce: before history)
#               activity   a call/email/task/meeting (`field`: Task/Event, `value`: its type)
#               deleted    the record was deleted/archived in the CRM
#               merged     the record was merged into `related_record_id` (the survivor)
#               converted  a Salesforce lead was converted into contact `related_record_id`
#               association a contact's role on an opportunity (Salesforce OpportunityContactRole)
# `person_record_id` is the lead/contact the evidence belongs to (a source_record_id of the
# source's lead table); `custom_fields` keeps the CRM's own extra attributes (pipeline stage
# metadata, OldValue, deal id ...).
CRM_EVENT_KINDS: Final = ("status", "created", "activity", "deleted", "merged", "converted", "association")
CRM_EVENT_SCHEMA: Final = pa.schema(
    [
        ("source_name", pa.string()),
        ("source_record_id", pa.string()),
        ("object_type", pa.string()),  # contact, deal, Lead, LeadHistory, Contact, Opportunity, Task ...
        ("object_id", pa.string()),
        ("person_record_id", pa.string()),
        ("event_kind", pa.string()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("related_record_id", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        *_RECORD_TAIL,
    ]
)

# One row per input that could not be used. Nothing is dropped silently.
QUARANTINE_SCHEMA: Final = pa.schema(
    [
        ("source_name", pa.string()),
        ("source_type", pa.string()),
        ("source_location", pa.string()),  # file path, landing segment, API form id ...
        ("source_line", pa.int64()),  # line number in a file, when there is one
        ("source_record_id", pa.string()),  # when known
        ("reason", pa.string()),  # plain words: "ragged row: 7 fields, header has 9"
        ("raw_content", pa.string()),  # the bytes as text (undecodable bytes escaped)
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
)


def quarantine_table(rows: list[dict]) -> pa.Table:
    """Build a quarantine batch from dicts with QUARANTINE_SCHEMA keys (missing keys are null)."""
    return pa.Table.from_pylist(
        [{name: r.get(name) for name in QUARANTINE_SCHEMA.names} for r in rows],
        schema=QUARANTINE_SCHEMA,
    )
