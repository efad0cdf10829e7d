"""HubSpot CRM constants: endpoints, properties, limits, error policies.

Docs: https://developers.hubspot.com/docs/api/crm/search (filters, one sort, 200 per page,
10,000 results per query), https://developers.hubspot.com/docs/api/crm/contacts (batch read with
propertiesWithHistory), https://developers.hubspot.com/docs/api/crm/associations (v4),
https://developers.hubspot.com/docs/api/crm/pipelines, https://developers.hubspot.com/docs/api/usage-details
(429 bodies and their policyName); engagements as CRM v3 objects:
https://developers.hubspot.com/docs/api/crm/calls (hs_timestamp required, hs_call_direction
INBOUND/OUTBOUND, hs_call_status), https://developers.hubspot.com/docs/api/crm/email
(hs_email_direction EMAIL / INCOMING_EMAIL / FORWARDED_EMAIL),
https://developers.hubspot.com/docs/api/crm/meetings (hs_meeting_outcome).
"""

from __future__ import annotations

from typing import Final

API_VERSION: Final = "CRM v3"  # what `leadsync check` names (associations are read through v4)

SEARCH_PATH: Final = "/crm/v3/objects/{object}/search"
BATCH_READ_PATH: Final = "/crm/v3/objects/{object}/batch/read"
LIST_PATH: Final = "/crm/v3/objects/{object}"
ASSOCIATIONS_PATH: Final = "/crm/v4/associations/{object}/contacts/batch/read"
PIPELINES_PATH: Final = "/crm/v3/pipelines/deals"

SEARCH_CAP: Final = 10_000  # results one search query can page through; beyond answers 400
BATCH_WITH_HISTORY: Final = 50  # batch read inputs when propertiesWithHistory is asked
BATCH_INPUTS: Final = 100
LIST_PAGE: Final = 100
# GET requests carry properties in the query string; HubSpot answers 414 for long URLs, so the
# list is split into requests that each stay below this many characters.
MAX_QUERY_CHARS: Final = 1800

CONTACT_MODIFIED: Final = "lastmodifieddate"
DEAL_MODIFIED: Final = "hs_lastmodifieddate"
OBJECT_ID: Final = "hs_object_id"
CONTACT_PROPERTIES: Final = (
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "company",
    "website",
    "jobtitle",
    "industry",
    "numemployees",
    "annualrevenue",
    "country",
    "state",
    "city",
    "message",
    "lifecyclestage",
    "hs_lead_status",
    "hs_analytics_source",
    "hs_analytics_source_data_1",
    "hs_merged_object_ids",
    "createdate",
    "lastmodifieddate",
    "hs_object_id",
)
HISTORY_PROPERTIES: Final = ("lifecyclestage", "hs_lead_status")
DEAL_PROPERTIES: Final = (
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "createdate",
    "hs_lastmodifieddate",
)
DEAL_HISTORY: Final = ("dealstage",)

# Engagements: contact attempts (time to first contact) and responses. Each object's evidence is
# one `activity` row per associated contact at hs_timestamp; its `field` is the singular name and
# its `value` the property below, which the crm_stage_map seed maps (call OUTBOUND -> contacted).
ENGAGEMENT_MODIFIED: Final = "hs_lastmodifieddate"
ENGAGEMENT_TIME: Final = "hs_timestamp"
ENGAGEMENTS: Final = {
    "calls": ("call", "hs_call_direction", ("hs_call_status", "hs_call_disposition")),
    "emails": ("email", "hs_email_direction", ("hs_email_status",)),
    "meetings": ("meeting", "hs_meeting_outcome", ("hs_meeting_start_time",)),
}

# HubSpot contact properties that name a canonical lead field under another name.
FIELD_MAP: Final = {
    "firstname": "first_name",
    "lastname": "last_name",
    "mobilephone": "phone",
    "company": "company_name",
    "jobtitle": "job_title",
    "numemployees": "employee_count",
    "annualrevenue": "annual_revenue",
    "message": "need",
}
# Kept out of the canonical columns: status lives in the evidence table with its own times (a
# status in `lead_status` would be read as reached at the first touch).
CUSTOM_ONLY: Final = frozenset(
    {
        "lifecyclestage",
        "hs_lead_status",
        "hs_merged_object_ids",
        "lastmodifieddate",
        "createdate",
        "hs_object_id",
        "hs_analytics_source",
        "hs_analytics_source_data_1",
    }
)

# 429 policies: the short windows are waited out; the daily one stops the run.
WAIT_POLICIES: Final = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}
STOP_POLICIES: Final = frozenset({"DAILY"})
