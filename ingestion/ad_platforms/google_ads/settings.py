"""Google Ads API constants: endpoint, GAQL, lead form field types."""

from __future__ import annotations

from typing import Final

SEARCH_STREAM_PATH: Final = "{version}/customers/{customer_id}/googleAds:searchStream"
LEADS_QUERY: Final = (
    "SELECT lead_form_submission_data.resource_name, lead_form_submission_data.id, "
    "lead_form_submission_data.asset, lead_form_submission_data.campaign, "
    "lead_form_submission_data.ad_group, lead_form_submission_data.ad_group_ad, "
    "lead_form_submission_data.gclid, lead_form_submission_data.submission_date_time, "
    "lead_form_submission_data.lead_form_submission_fields, "
    "lead_form_submission_data.custom_lead_form_submission_fields "
    "FROM lead_form_submission_data{where} "
    "ORDER BY lead_form_submission_data.submission_date_time"
)
TIME_ZONE_QUERY: Final = "SELECT customer.time_zone FROM customer"
NAMES_QUERY: Final = "SELECT {resource}.id, {resource}.name FROM {resource} WHERE {resource}.id IN ({ids})"
VERSIONS_DIR: Final = "google_ads"  # ad_platforms/google_ads/versions.toml
# GAQL literal for submission_date_time bounds: 'YYYY-MM-DD HH:MM:SS' in the account's time zone,
# the date-time format GAQL documents for DATETIME fields
# (https://developers.google.com/google-ads/api/docs/query/date-ranges#custom). The API *returns*
# submission_date_time with an offset ("2019-01-01 12:32:45-08:00"); the parser keeps that offset.
GAQL_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
CHANNEL: Final = "Paid Search"

# lead_form_submission_fields.field_type -> canonical lead field (others go to custom_fields).
FIELD_TYPES: Final = {
    "FULL_NAME": "full_name",
    "FIRST_NAME": "first_name",
    "LAST_NAME": "last_name",
    "EMAIL": "email",
    "WORK_EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "WORK_PHONE": "phone",
    "COMPANY_NAME": "company_name",
    "JOB_TITLE": "job_title",
    "COUNTRY": "country",
    "CITY": "city",
    "REGION": "state",
    "STATE": "state",
    "PROVINCE": "state",
}
