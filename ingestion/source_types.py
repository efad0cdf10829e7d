"""The source-type table: one declaration per `type:` in leadsync.yaml, read by everything that
needs to know about source types.

An entry says, once: the type's config class, the dlt source factory that loads it (and what runs
after a committed load), the raw tables it writes, whether its records are leads, whether it is
file-based (derived from its config class), the sandbox that stands in for its platform, the dbt
staging model its raw table feeds, and the probe `leadsync check` calls. Config parsing, the
pipeline, Dagster's assets and sensors, the demo, the report and dbt (through
`config.dbt_vars()`) all read `SOURCE_TYPES`; nothing else lists types.

Adding a source type: its config class and one `SourceType(...)` entry here, plus its own folder
under `ingestion/` with the dlt source (and a staging model under `transform/models/staging/`).
`tests/ingestion/test_source_types.py` fails when a type is declared here and not built, or built
and not declared.

Factories, hooks and probes are "module:function" strings, imported only when used, so a broken
optional dependency of one source type cannot stop the others, and this module stays below every
source in the import graph.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from leadsync.ingestion import raw_tables as rt
from leadsync.ingestion.config_base import ConfigModel, FileSourceBase, SourceBase
from leadsync.ingestion.crm.stage_map import StageMapping

WEBHOOK_PROVIDERS = ("typeform", "hubspot", "tally", "webflow", "jotform", "standard", "generic")


# ---------------------------------------------------------------------------------------------
# Config classes, one per type
# ---------------------------------------------------------------------------------------------
class CsvSource(FileSourceBase):
    type: Literal["csv"]
    id_column: str | None = None  # header of the record id; default: synonyms, else a content hash
    channel: str | None = None  # default lead-source value for rows that carry none (e.g. "Event")
    campaign: str | None = None  # default campaign name for rows that carry none


class ActivityCsvSource(FileSourceBase):
    type: Literal["activity_csv"]


class TargetAccountsSource(FileSourceBase):
    type: Literal["target_accounts"]
    origin: Literal["inbound", "outbound"] = "outbound"


class SpendCsvSource(FileSourceBase):
    type: Literal["spend_csv"]  # columns: source (name), month (YYYY-MM), spend[, currency, channel]


class GenericSignature(ConfigModel):
    """How a `generic` webhook is authenticated: an HMAC header, or a bearer token."""

    scheme: Literal["hmac", "bearer"] = "hmac"
    header: str = "X-Signature"
    algorithm: Literal["sha256", "sha1", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = ""  # e.g. "sha256=" before the digest


class WebhookSource(SourceBase):
    type: Literal["webhook"]
    provider: Literal[WEBHOOK_PROVIDERS]
    secret_env: str | None = None  # env var holding the signing secret (or Jotform URL token)
    # more env vars for rotation without downtime: a signature made with any of them verifies
    extra_secret_envs: tuple[str, ...] = ()
    signature: GenericSignature = GenericSignature()  # `generic` only
    field_map: dict[str, str] = {}  # canonical field -> JSON path ("data.contact.email") for standard/generic
    id_field: str | None = None  # JSON path of the submission id for standard/generic payloads

    @property
    def secret_env_names(self) -> tuple[str, ...]:
        return tuple(e for e in (self.secret_env, *self.extra_secret_envs) if e)


class MetaLeadAdsSource(SourceBase):
    type: Literal["meta_lead_ads"]
    form_ids: tuple[str, ...] = ()
    page_id: str | None = None  # list the page's lead forms when form_ids is empty
    access_token_env: str = "META_ACCESS_TOKEN"
    # Without a /vNN.N suffix the newest Graph version in ad_platforms/meta/versions.toml is used;
    # `graph_version` (or a suffix, as in https://graph.facebook.com/v24.0) pins one.
    base_url: str = "https://graph.facebook.com"
    graph_version: str | None = None
    start_date: str | None = None  # backfill from this date (YYYY-MM-DD); default: everything
    page_size: int = Field(100, gt=0, le=1000)

    @model_validator(mode="after")
    def _forms_or_page(self) -> MetaLeadAdsSource:
        if not self.form_ids and not self.page_id:
            raise ValueError("give form_ids (a list of lead form ids) or page_id (to list its forms)")
        return self


class LinkedInLeadGenSource(SourceBase):
    type: Literal["linkedin_lead_gen"]
    sponsored_account_ids: tuple[str, ...]  # numeric ids; urn:li:sponsoredAccount:<id>
    base_url: str = "https://api.linkedin.com"
    token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    linkedin_version: str | None = None  # default: the newest in ad_platforms/linkedin/versions.toml
    access_token_env: str | None = None
    client_id_env: str | None = None
    client_secret_env: str | None = None
    refresh_token_env: str | None = None
    start_date: str | None = None
    page_size: int = Field(100, gt=0, le=1000)

    @model_validator(mode="after")
    def _auth(self) -> LinkedInLeadGenSource:
        refresh = (self.client_id_env, self.client_secret_env, self.refresh_token_env)
        if not self.access_token_env and not all(refresh):
            raise ValueError(
                "give access_token_env, or client_id_env + client_secret_env + refresh_token_env"
            )
        return self


class GoogleAdsLeadFormsSource(SourceBase):
    type: Literal["google_ads_lead_forms"]
    customer_id: str  # the account the lead forms run in, digits only
    login_customer_id: str | None = None  # manager account, when access goes through one
    base_url: str = "https://googleads.googleapis.com"
    api_version: str | None = None  # default: the newest in ad_platforms/google_ads/versions.toml
    token_url: str = "https://oauth2.googleapis.com/token"
    developer_token_env: str = "GOOGLE_ADS_DEVELOPER_TOKEN"
    client_id_env: str = "GOOGLE_ADS_CLIENT_ID"
    client_secret_env: str = "GOOGLE_ADS_CLIENT_SECRET"
    refresh_token_env: str = "GOOGLE_ADS_REFRESH_TOKEN"
    start_date: str | None = None

    @field_validator("customer_id", "login_customer_id")
    @classmethod
    def _digits(cls, v: str | None) -> str | None:
        return v.replace("-", "") if v else v


class HubSpotSource(SourceBase):
    type: Literal["hubspot"]
    access_token_env: str = "HUBSPOT_TOKEN"  # a private app's access token (Bearer)
    base_url: str = "https://api.hubapi.com"
    custom_properties: tuple[str, ...] = ()  # more contact properties, kept in custom_fields
    start_date: str | None = None  # first load: contacts modified since then; default everything
    page_size: int = Field(100, gt=0, le=200)  # search answers at most 200 per page
    stage_map: tuple[StageMapping, ...] = ()  # more CRM values -> stages (ingestion/crm/stage_map.py)


class SalesforceSource(SourceBase):
    type: Literal["salesforce"]
    login_url: str = "https://login.salesforce.com"  # token endpoint host; instance_url comes back
    base_url: str | None = None  # overrides the token answer's instance_url (sandbox, tests)
    api_version: str = "65.0"
    auth: Literal["refresh_token", "jwt_bearer"] = "refresh_token"
    client_id_env: str = "SF_CLIENT_ID"
    client_secret_env: str | None = "SF_CLIENT_SECRET"  # refresh-token flow
    refresh_token_env: str | None = "SF_REFRESH_TOKEN"  # refresh-token flow
    username: str | None = None  # JWT bearer flow: the integration user
    private_key_env: str | None = None  # JWT bearer flow: PEM of the connected app's certificate key
    bulk_threshold: int = Field(50_000, ge=0)  # first load of an object above this many rows: Bulk API 2.0
    start_date: str | None = None
    stage_map: tuple[StageMapping, ...] = ()  # more CRM values -> stages (ingestion/crm/stage_map.py)

    @model_validator(mode="after")
    def _auth_settings(self) -> SalesforceSource:
        if self.auth == "refresh_token" and not (self.client_secret_env and self.refresh_token_env):
            raise ValueError("auth refresh_token needs client_secret_env and refresh_token_env")
        if self.auth == "jwt_bearer" and not (self.username and self.private_key_env):
            raise ValueError("auth jwt_bearer needs username and private_key_env")
        return self

    @property
    def secret_envs(self) -> dict[str, str]:
        keep = (
            ("client_id_env", "client_secret_env", "refresh_token_env")
            if self.auth == "refresh_token"
            else ("client_id_env", "private_key_env")
        )
        return {k: v for k, v in super().secret_envs.items() if k in keep}


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------
def resolve(ref: str) -> Callable[..., Any]:
    """Import a "module:function" reference."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class SourceType:
    """Everything leadsync knows about one source type, declared once."""

    name: str  # the `type:` value in leadsync.yaml
    config: type[SourceBase]  # its config class; `type: Literal[name]` is its discriminator
    factory: str  # "module:function": factory(config, source) -> a dlt source
    tables: tuple[str, ...]  # raw tables it writes; the first is its main table (and dlt resource)
    carries_leads: bool  # its main table has the canonical raw lead schema (ingestion.lead)
    staging_model: str  # the dbt staging model that reads its main table
    after_load: str | None = None  # "module:function" run once a load is committed
    probe: str | None = None  # "module:function": probe(config, source) -> CheckResult, for `leadsync check`
    sandbox: str | None = None  # the local server standing in for its platform (ingestion.sandboxes)
    # the dbt model listing records its platform deleted or merged away (source_name,
    # source_record_id): int_lead_touches_normalized drops their touches on an incremental run
    tombstone_model: str | None = None

    @property
    def file_based(self) -> bool:
        return issubclass(self.config, FileSourceBase)

    @property
    def main_table(self) -> str:
        return self.tables[0]

    def load_factory(self) -> Callable[..., Any]:
        return resolve(self.factory)

    def load_after_load(self) -> Callable[..., Any] | None:
        return resolve(self.after_load) if self.after_load else None

    def load_probe(self) -> Callable[..., Any] | None:
        return resolve(self.probe) if self.probe else None


_Q = rt.QUARANTINE
SOURCE_TYPES: dict[str, SourceType] = {
    t.name: t
    for t in (
        SourceType(
            name="csv",
            config=CsvSource,
            factory="leadsync.ingestion.csv_leads:csv_leads_source",
            tables=(rt.CSV_LEADS, _Q),
            carries_leads=True,
            staging_model="stg_csv__leads",
        ),
        SourceType(
            name="webhook",
            config=WebhookSource,
            factory="leadsync.ingestion.webhooks.source:webhook_source",
            after_load="leadsync.ingestion.webhooks.source:retire_loaded",
            tables=(rt.WEBHOOK_LEADS, rt.WEBHOOK_SUBMISSIONS, _Q),
            carries_leads=True,
            staging_model="stg_webhook__leads",
        ),
        SourceType(
            name="meta_lead_ads",
            config=MetaLeadAdsSource,
            factory="leadsync.ingestion.ad_platforms.meta:meta_lead_ads_source",
            tables=(rt.META_LEADS, _Q),
            carries_leads=True,
            staging_model="stg_meta_lead_ads__leads",
            probe="leadsync.ingestion.ad_platforms.meta.probe:probe",
            sandbox="meta",
        ),
        SourceType(
            name="linkedin_lead_gen",
            config=LinkedInLeadGenSource,
            factory="leadsync.ingestion.ad_platforms.linkedin:linkedin_lead_gen_source",
            tables=(rt.LINKEDIN_LEADS, _Q),
            carries_leads=True,
            staging_model="stg_linkedin_lead_gen__leads",
            probe="leadsync.ingestion.ad_platforms.linkedin.probe:probe",
            sandbox="linkedin",
        ),
        SourceType(
            name="google_ads_lead_forms",
            config=GoogleAdsLeadFormsSource,
            factory="leadsync.ingestion.ad_platforms.google_ads:google_ads_lead_forms_source",
            tables=(rt.GOOGLE_ADS_LEADS, _Q),
            carries_leads=True,
            staging_model="stg_google_ads_lead_forms__leads",
            probe="leadsync.ingestion.ad_platforms.google_ads.probe:probe",
            sandbox="google_ads",
        ),
        SourceType(
            name="hubspot",
            config=HubSpotSource,
            factory="leadsync.ingestion.crm.hubspot:hubspot_source",
            tables=(rt.HUBSPOT_CONTACTS, rt.HUBSPOT_EVENTS, _Q),
            carries_leads=True,
            staging_model="stg_hubspot__contacts",
            tombstone_model="stg_hubspot__tombstones",
            probe="leadsync.ingestion.crm.hubspot:probe",
            sandbox="hubspot",
        ),
        SourceType(
            name="salesforce",
            config=SalesforceSource,
            factory="leadsync.ingestion.crm.salesforce:salesforce_source",
            tables=(rt.SALESFORCE_PEOPLE, rt.SALESFORCE_EVENTS, _Q),
            carries_leads=True,
            staging_model="stg_salesforce__people",
            tombstone_model="stg_salesforce__tombstones",
            probe="leadsync.ingestion.crm.salesforce:probe",
            sandbox="salesforce",
        ),
        SourceType(
            name="activity_csv",
            config=ActivityCsvSource,
            factory="leadsync.ingestion.activity:activity_source",
            tables=(rt.ACTIVITY_EVENTS, _Q),
            carries_leads=False,
            staging_model="stg_activity_csv__activity_events",
        ),
        SourceType(
            name="target_accounts",
            config=TargetAccountsSource,
            factory="leadsync.ingestion.target_accounts:target_accounts_source",
            tables=(rt.TARGET_ACCOUNTS, _Q),
            carries_leads=False,
            staging_model="stg_target_accounts__target_accounts",
        ),
        SourceType(
            name="spend_csv",
            config=SpendCsvSource,
            factory="leadsync.ingestion.spend:spend_source",
            tables=(rt.SPEND, _Q),
            carries_leads=False,
            staging_model="stg_spend_csv__spend",
        ),
    )
}


def source_type(name: str) -> SourceType:
    return SOURCE_TYPES[name]


def main_table(type_name: str) -> str:
    """The raw table that names a source's dlt resource: `expo_2026` of type csv is the Dagster
    asset `dlt_expo_2026_csv_leads`."""
    return SOURCE_TYPES[type_name].main_table


def lead_tables() -> tuple[str, ...]:
    """The raw tables with the canonical raw lead schema."""
    return tuple(t.main_table for t in SOURCE_TYPES.values() if t.carries_leads)


def lead_source_types() -> tuple[str, ...]:
    return tuple(t.name for t in SOURCE_TYPES.values() if t.carries_leads)


def file_source_types() -> tuple[str, ...]:
    return tuple(t.name for t in SOURCE_TYPES.values() if t.file_based)
