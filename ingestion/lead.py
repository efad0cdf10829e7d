"""The canonical lead: the one definition every source maps into.

Every lead source (CSV files, web-form webhooks, ad-platform APIs) writes rows with exactly
these columns into its raw table. Values stay as the source sent them (text); typing,
normalising and deciding happen in dbt. ``tests/transform/test_raw_contract.py`` checks that
the dbt sources declare the same columns, so the two sides cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pyarrow as pa


@dataclass(frozen=True)
class LeadField:
    """One canonical field: its column name, what it means, and header synonyms seen in exports."""

    name: str
    description: str
    synonyms: tuple[str, ...] = ()


# Person, company and marketing attributes a source may carry. Synonyms are matched after
# `header_key()` folding (case, spaces and punctuation ignored).
LEAD_FIELDS: Final[tuple[LeadField, ...]] = (
    LeadField(
        "email",
        "Email address as sent.",
        (
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "work email",
            "business email",
            "email 1",
            "primary email",
            "contact email",
            "mail",
            "emailaddress",
            "email_address",
        ),
    ),
    LeadField(
        "phone",
        "Phone number as sent (any format).",
        (
            "phone",
            "phone number",
            "telephone",
            "tel",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "work phone",
            "business phone",
            "direct phone",
            "phone 1",
            "contact phone",
            "phone_number",
        ),
    ),
    LeadField(
        "first_name",
        "Given name.",
        (
            "first name",
            "firstname",
            "given name",
            "forename",
            "first",
            "fname",
            "vorname",
        ),
    ),
    LeadField(
        "last_name",
        "Family name.",
        (
            "last name",
            "lastname",
            "surname",
            "family name",
            "last",
            "lname",
            "nachname",
        ),
    ),
    LeadField(
        "full_name",
        "Whole name in one field ('Ada Lovelace' or 'Lovelace, Ada').",
        (
            "full name",
            "name",
            "contact name",
            "contact",
            "lead name",
            "attendee name",
            "person name",
            "your name",
            "fullname",
            "full_name",
        ),
    ),
    LeadField(
        "company_name",
        "Company / account name.",
        (
            "company",
            "company name",
            "company / account",
            "account",
            "account name",
            "organization",
            "organisation",
            "organization name",
            "employer",
            "business name",
            "firm",
            "company_name",
        ),
    ),
    LeadField(
        "company_domain",
        "Company web domain, if sent on its own.",
        (
            "company domain",
            "domain",
            "email domain",
            "company_domain",
        ),
    ),
    LeadField(
        "website",
        "Company website URL.",
        (
            "website",
            "web site",
            "company website",
            "url",
            "homepage",
            "company url",
            "web",
        ),
    ),
    LeadField(
        "job_title",
        "Job title / role.",
        (
            "job title",
            "title",
            "position",
            "role",
            "job role",
            "job function",
            "designation",
            "jobtitle",
            "job_title",
        ),
    ),
    LeadField(
        "country",
        "Country (name or ISO code).",
        (
            "country",
            "country/region",
            "country region",
            "country code",
            "nation",
            "country name",
            "country_code",
        ),
    ),
    LeadField(
        "state",
        "State / region / province.",
        (
            "state",
            "region",
            "province",
            "state/province",
            "county",
        ),
    ),
    LeadField("city", "City.", ("city", "town", "locality")),
    LeadField(
        "industry",
        "Industry / vertical.",
        (
            "industry",
            "vertical",
            "sector",
            "business type",
            "industry type",
        ),
    ),
    LeadField(
        "employee_count",
        "Company size: a number or a band like '51-200'.",
        (
            "employees",
            "employee count",
            "number of employees",
            "no of employees",
            "company size",
            "headcount",
            "size",
            "num employees",
            "employee_count",
        ),
    ),
    LeadField(
        "annual_revenue",
        "Annual revenue: a number or a band like '$1M-$10M'.",
        (
            "annual revenue",
            "revenue",
            "company revenue",
            "turnover",
            "annual_revenue",
        ),
    ),
    LeadField(
        "consent",
        "Marketing consent / opt-in as sent (yes/no/true/opted out...).",
        (
            "consent",
            "opt in",
            "opt-in",
            "optin",
            "marketing consent",
            "gdpr consent",
            "email opt in",
            "subscribed",
            "unsubscribed",
            "email opt out",
            "opted out",
        ),
    ),
    LeadField(
        "channel",
        "The record's own lead-source value, e.g. 'Event', 'Cold Call'.",
        (
            "lead source",
            "leadsource",
            "source",
            "channel",
            "lead channel",
            "origin",
            "lead_source",
        ),
    ),
    LeadField(
        "lead_status",
        "Status the source itself reports (CRM status, platform state).",
        (
            "lead status",
            "status",
            "stage",
            "lead stage",
            "lifecycle stage",
            "lead_status",
        ),
    ),
    LeadField(
        "need",
        "What the lead says they need (message, interest, question answers).",
        (
            "need",
            "message",
            "comments",
            "comment",
            "notes",
            "interest",
            "interested in",
            "how can we help",
            "requirements",
            "use case",
            "description",
        ),
    ),
    LeadField("utm_source", "UTM source.", ("utm source", "utm_source")),
    LeadField("utm_medium", "UTM medium.", ("utm medium", "utm_medium")),
    LeadField("utm_campaign", "UTM campaign.", ("utm campaign", "utm_campaign")),
    LeadField("campaign_id", "Campaign id on the sending platform.", ("campaign id", "campaign_id")),
    LeadField("campaign_name", "Campaign name.", ("campaign", "campaign name", "campaign_name")),
    LeadField(
        "ad_group_id",
        "Ad set / ad group id.",
        (
            "ad group id",
            "adset id",
            "ad set id",
            "ad_group_id",
            "adset_id",
        ),
    ),
    LeadField("ad_id", "Ad / creative id.", ("ad id", "ad_id", "creative id")),
    LeadField("form_id", "Form id on the sending platform.", ("form id", "form_id")),
    LeadField(
        "submitted_at",
        "When the person submitted / was captured, as sent.",
        (
            "submitted at",
            "created",
            "created at",
            "created date",
            "date",
            "date created",
            "timestamp",
            "scan time",
            "scanned at",
            "submission date",
            "lead date",
            "captured at",
            "submitted_at",
            "create date",
        ),
    ),
)

LEAD_FIELD_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in LEAD_FIELDS)

# Sales-activity events that move a lead down the funnel (activity_csv `event`). The funnel
# stages themselves are decided in dbt (intermediate/funnel).
ACTIVITY_EVENT_TYPES: Final[tuple[str, ...]] = (
    "contacted",
    "responded_positive",
    "responded_negative",
    "qualified",
    "disqualified",
    "opportunity",
    "won",
    "lost",
)

# Header synonyms that name the record's own id in its source.
RECORD_ID_SYNONYMS: Final[tuple[str, ...]] = (
    "lead id",
    "record id",
    "badge id",
    "badge number",
    "id",
    "contact id",
    "lead_id",
    "record_id",
    "external id",
    "submission id",
    "registration id",
    "attendee id",
)

# Columns every raw lead table carries besides the canonical fields.
#   source_name      the configured source (leadsync.yaml `name`)
#   source_type      csv | webhook | meta_lead_ads | ...
#   lead_origin      inbound | outbound (from the config)
#   source_record_id the record's id in its source (or a deterministic content hash)
#   received_at      when leadsync received it (UTC): file mtime, webhook receipt, platform create time
#   is_test          the platform flagged it as a test lead
#   custom_fields    JSON object of everything without a canonical home; nothing is dropped
#   source_location  where it came from: file path, landing segment, API form id
#   source_line      line number in the file (CSV), else null
RECORD_METADATA: Final[tuple[tuple[str, pa.DataType], ...]] = (
    ("source_name", pa.string()),
    ("source_type", pa.string()),
    ("lead_origin", pa.string()),
    ("source_record_id", pa.string()),
    ("received_at", pa.timestamp("us", tz="UTC")),
    ("is_test", pa.bool_()),
    ("custom_fields", pa.string()),
    ("source_location", pa.string()),
    ("source_line", pa.int64()),
)


def raw_lead_schema() -> pa.Schema:
    """The Arrow schema of every raw lead table: metadata columns, then the canonical fields (text)."""
    return pa.schema(
        [pa.field(name, dtype) for name, dtype in RECORD_METADATA]
        + [pa.field(name, pa.string()) for name in LEAD_FIELD_NAMES]
    )


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """Fold a header for matching: lower case, no spaces or punctuation ('E-Mail Address' -> 'emailaddress')."""
    return _NON_ALNUM.sub("", header.strip().lower())


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in LEAD_FIELDS:
        for synonym in (f.name, *f.synonyms):
            index.setdefault(header_key(synonym), f.name)
    return index


HEADER_SYNONYMS: Final[dict[str, str]] = _synonym_index()
RECORD_ID_KEYS: Final[frozenset[str]] = frozenset(header_key(s) for s in RECORD_ID_SYNONYMS)


def canonical_field_for(header: str) -> str | None:
    """The canonical field a header names by synonym, or None."""
    return HEADER_SYNONYMS.get(header_key(header))


def is_record_id_header(header: str) -> bool:
    return header_key(header) in RECORD_ID_KEYS
