"""Meta Graph API constants: endpoints, requested fields, error codes."""

from __future__ import annotations

import re
from typing import Final

LEADS_PATH: Final = "{form_id}/leads"
TEST_LEADS_PATH: Final = "{form_id}/test_leads"
FORMS_PATH: Final = "{page_id}/leadgen_forms"
PROBE_PATH: Final = "{object_id}"  # the Page (or first form) node: one cheap authenticated read
VERSIONS_DIR: Final = "meta"  # ad_platforms/meta/versions.toml
GRAPH_VERSION: Final = re.compile(r"/(v\d+\.\d+)/?$")  # a version at the end of base_url

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
# Test leads: Meta documents no flag on the Lead node (its fields, per the official SDK's
# facebook_business/adobjects/lead.py, carry none); it documents the form's `test_leads` edge
# (LeadgenForm.get_test_leads -> GET /{form_id}/test_leads in facebook-python-business-sdk, and the
# Testing Tool / test-lead API in
# https://developers.facebook.com/documentation/ads-commerce/marketing-api/guides/lead-ads/testing-troubleshooting),
# so a lead is a test lead when that edge lists its id. (The "<test lead: dummy data for ...>" answers the
# testing tool fills in are observed behaviour, documented nowhere; leadsync no longer relies on them.)
CHANNEL_PAID: Final = "Paid Social"
CHANNEL_ORGANIC: Final = "Organic Social"

# Rate limiting: HTTP 400 with one of these codes (never 429).
RATE_LIMIT_CODES: Final = frozenset({4, 17, 32, 613, *range(80000, 80015)})
# Business Use Case usage at or above this share: pause before the next read rather than run into
# the limit (Meta: "when call_count ... reaches 100, calls are throttled").
BUC_PACE_PERCENT: Final = 90
BUC_PACE_SECONDS: Final = 60.0  # the pause when usage is high but no regain time is given
TRANSIENT_CODES: Final = frozenset({1, 2})
EXPIRED_TOKEN_CODE: Final = 190
USAGE_HEADERS: Final = ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-App-Usage")
