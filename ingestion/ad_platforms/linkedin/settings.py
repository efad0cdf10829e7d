"""LinkedIn Lead Sync API constants: endpoints, Rest.li headers, predefined fields."""

from __future__ import annotations

from typing import Final

RESPONSES_PATH: Final = "rest/leadFormResponses"
FORM_PATH: Final = "rest/leadForms/{form_id}"
RESTLI_PROTOCOL_VERSION: Final = "2.0.0"
LEAD_TYPE: Final = "SPONSORED"
VERSIONS_DIR: Final = "linkedin"  # ad_platforms/linkedin/versions.toml
# The projection LinkedIn's own Lead Sync collection uses ("[PULL] Schedule periodic form response
# (lead) pulls", LinkedIn Marketing Solutions Versioned APIs Postman collection): the form definition
# comes inline with each response, so answers resolve without a leadForms call per form.
RESPONSE_FIELDS: Final = (
    "ownerInfo,associatedEntityInfo,leadMetadataInfo,owner,leadType,versionedLeadGenFormUrn,id,"
    "submittedAt,testLead,formResponse,form:(hiddenFields,creationLocale,name,id,content)"
)
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
