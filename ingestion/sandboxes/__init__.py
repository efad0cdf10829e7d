"""Local servers that speak each ad platform's lead API (Meta Graph, LinkedIn Lead Sync, Google Ads).

Tests and the demo start them in-process (``start_meta_sandbox(port=0)`` etc.); ``python -m
leadsync.ingestion.sandboxes <platform> --port N`` runs one standalone. They import nothing from leadsync:
they stand in for the outside world.
"""

from __future__ import annotations

from leadsync.ingestion.sandboxes.base import Sandbox
from leadsync.ingestion.sandboxes.google_ads import GoogleAdsSandbox, start_google_ads_sandbox
from leadsync.ingestion.sandboxes.hubspot import HubSpotSandbox, start_hubspot_sandbox
from leadsync.ingestion.sandboxes.linkedin import LinkedInSandbox, start_linkedin_sandbox
from leadsync.ingestion.sandboxes.meta import MetaSandbox, start_meta_sandbox
from leadsync.ingestion.sandboxes.salesforce import SalesforceSandbox, start_salesforce_sandbox

STARTERS = {
    "meta": start_meta_sandbox,
    "linkedin": start_linkedin_sandbox,
    "google_ads": start_google_ads_sandbox,
    "hubspot": start_hubspot_sandbox,
    "salesforce": start_salesforce_sandbox,
}

__all__ = [
    "Sandbox",
    "MetaSandbox",
    "LinkedInSandbox",
    "GoogleAdsSandbox",
    "HubSpotSandbox",
    "SalesforceSandbox",
    "STARTERS",
    "start_meta_sandbox",
    "start_linkedin_sandbox",
    "start_google_ads_sandbox",
    "start_hubspot_sandbox",
    "start_salesforce_sandbox",
]
