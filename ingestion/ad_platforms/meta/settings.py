"""Meta Graph API constants: endpoints, requested fields, error codes."""

from __future__ import annotations

from typing import Final

LEADS_PATH: Final = "{form_id}/leads"
FORMS_PATH: Final = "{page_id}/leadgen_forms"

LEAD_FIELDS: Final = (
    "id",
    "created_time",
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "form_id",
    "field_data",
    "is_organic",
    "platform",
    "partner_name",
    "custom_disclaimer_responses",
)
# Canonical homes of Meta's platform attributes.
ATTRIBUTE_COLUMNS: Final = {
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "adset_id": "ad_group_id",
    "ad_id": "ad_id",
    "form_id": "form_id",
}
# Kept in custom_fields next to the answers (no canonical column).
EXTRA_ATTRIBUTES: Final = (
    "ad_name",
    "adset_name",
    "is_organic",
    "platform",
    "partner_name",
    "custom_disclaimer_responses",
)
# Meta's standard question keys that name a canonical field under another name.
FIELD_MAP: Final = {
    "work_email": "email",
    "work_phone_number": "phone",
    "phone_number": "phone",
    "company_name": "company_name",
    "job_title": "job_title",
    "full_name": "full_name",
    "first_name": "first_name",
    "last_name": "last_name",
    "country": "country",
    "state": "state",
    "province": "state",
    "city": "city",
}
TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S%z"  # "2026-01-05T09:00:00+0000"
TEST_LEAD_MARKER: Final = "<test lead:"  # every answer of a Lead Ads Testing Tool lead
CHANNEL_PAID: Final = "Paid Social"
CHANNEL_ORGANIC: Final = "Organic Social"

# Rate limiting: HTTP 400 with one of these codes (never 429).
RATE_LIMIT_CODES: Final = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES: Final = frozenset({1, 2})
EXPIRED_TOKEN_CODE: Final = 190
USAGE_HEADERS: Final = ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-App-Usage")
