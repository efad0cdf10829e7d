"""LinkedIn Lead Sync API constants: endpoints, Rest.li headers, predefined fields."""

from __future__ import annotations

from typing import Final

RESPONSES_PATH: Final = "rest/leadFormResponses"
FORM_PATH: Final = "rest/leadForms/{form_id}"
RESTLI_PROTOCOL_VERSION: Final = "2.0.0"
LEAD_TYPE: Final = "SPONSORED"
CHANNEL: Final = "Paid Social"

# predefinedField of a form question -> canonical lead field.
PREDEFINED_FIELDS: Final = {
    "FIRST_NAME": "first_name",
    "LAST_NAME": "last_name",
    "EMAIL": "email",
    "WORK_EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "WORK_PHONE_NUMBER": "phone",
    "MOBILE_PHONE_NUMBER": "phone",
    "COMPANY_NAME": "company_name",
    "JOB_TITLE": "job_title",
    "COUNTRY": "country",
    "STATE": "state",
    "CITY": "city",
    "INDUSTRY": "industry",
    "COMPANY_SIZE": "employee_count",
    "SENIORITY": None,
    "COMPANY_WEBSITE": "website",
}
