"""Salesforce constants: endpoints, SOQL fields per object, the API version lifecycle.

Docs: REST queryAll https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm,
Bulk API 2.0 queries https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm,
OAuth flows https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm and
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm.
"""

from __future__ import annotations

from typing import Final

TOKEN_PATH: Final = "/services/oauth2/token"
DATA_PATH: Final = "/services/data/v{version}"
JWT_GRANT: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"

# API version lifecycle, as Salesforce publishes it:
#   https://help.salesforce.com/s/articleView?id=000354473  (21.0-30.0 retired Summer '25: 410 GONE)
#   https://help.salesforce.com/s/articleView?id=005321531  (31.0-40.0 deprecated Summer '27, retired Summer '28)
# (first, last, status, what to do)
VERSION_LIFECYCLE: Final = (
    (7.0, 30.0, "retired", "retired (REST answers 410 GONE); set api_version to a current one"),
    (
        31.0,
        40.0,
        "deprecated soon",
        "deprecated in Summer '27 and retired in Summer '28; move to a current version",
    ),
)
DEFAULT_VERSION: Final = "65.0"

# (object, SOQL fields, modification field the cursor filters on)
OBJECTS: Final = (
    (
        "Lead",
        (
            "Id",
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "Company",
            "Title",
            "Industry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "Country",
            "State",
            "City",
            "Website",
            "LeadSource",
            "Status",
            "IsConverted",
            "ConvertedDate",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "CreatedDate",
            "LastModifiedDate",
            "SystemModstamp",
            "IsDeleted",
            "MasterRecordId",
        ),
        "SystemModstamp",
    ),
    (
        "LeadHistory",
        ("Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "IsDeleted"),
        "CreatedDate",
    ),
    (
        "Contact",
        (
            "Id",
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "Title",
            "LeadSource",
            "MailingCountry",
            "AccountId",
            "Account.Name",
            "CreatedDate",
            "LastModifiedDate",
            "SystemModstamp",
            "IsDeleted",
            "MasterRecordId",
        ),
        "SystemModstamp",
    ),
    (
        "Opportunity",
        (
            "Id",
            "Name",
            "StageName",
            "IsClosed",
            "IsWon",
            "CloseDate",
            "LeadSource",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ),
        "SystemModstamp",
    ),
    (
        "OpportunityContactRole",
        (
            "Id",
            "OpportunityId",
            "ContactId",
            "Role",
            "IsPrimary",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ),
        "SystemModstamp",
    ),
    (
        "Task",
        (
            "Id",
            "WhoId",
            "Subject",
            "Type",
            "TaskSubtype",
            "Status",
            "ActivityDate",
            "CompletedDateTime",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ),
        "SystemModstamp",
    ),
    (
        "Event",
        (
            "Id",
            "WhoId",
            "Subject",
            "Type",
            "EventSubtype",
            "StartDateTime",
            "CreatedDate",
            "SystemModstamp",
            "IsDeleted",
        ),
        "SystemModstamp",
    ),
)
EXTRA_WHERE: Final = {"LeadHistory": "Field = 'Status'"}
PEOPLE: Final = frozenset({"Lead", "Contact"})

FIELD_MAP: Final = {
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "phone": "phone",
    "company": "company_name",
    "title": "job_title",
    "industry": "industry",
    "numberofemployees": "employee_count",
    "annualrevenue": "annual_revenue",
    "country": "country",
    "mailingcountry": "country",
    "state": "state",
    "city": "city",
    "website": "website",
}
CUSTOM_ONLY: Final = frozenset(
    {
        "Id",
        "Status",
        "IsConverted",
        "ConvertedDate",
        "ConvertedContactId",
        "ConvertedOpportunityId",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "IsDeleted",
        "MasterRecordId",
        "AccountId",
        "LeadSource",
    }
)
BULK_POLL_SECONDS: Final = 2.0
BULK_PAGE: Final = 50_000
