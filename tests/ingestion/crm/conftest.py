"""CRM fixtures: both sandboxes on loopback, configs pointing at them, tiny retry waits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.ad_platforms import common
from leadsync.ingestion.config import LeadsyncConfig, parse_config
from leadsync.ingestion.sandboxes import hubspot as hs
from leadsync.ingestion.sandboxes import salesforce as sf


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(common, "DEFAULT_BACKOFF", common.Backoff(4, 0.001, 0.01, waits.append))
    return waits


@pytest.fixture
def hubspot():
    sb = hs.start_hubspot_sandbox(port=0)
    yield sb
    sb.stop()


@pytest.fixture
def salesforce():
    sb = sf.start_salesforce_sandbox(port=0, page_size=25)
    yield sb
    sb.stop()


@pytest.fixture
def crm_config(tmp_path: Path, monkeypatch, hubspot, salesforce):
    monkeypatch.setenv("T_HS_TOKEN", hs.VALID_TOKEN)
    monkeypatch.setenv("T_SF_ID", sf.CLIENT_ID)
    monkeypatch.setenv("T_SF_SECRET", sf.CLIENT_SECRET)
    monkeypatch.setenv("T_SF_REFRESH", sf.REFRESH_TOKEN)
    monkeypatch.setenv("T_SF_KEY", salesforce.private_key_pem)

    def build(hubspot_extra=None, salesforce_extra=None) -> LeadsyncConfig:
        return parse_config(
            {
                "warehouse": {"path": "warehouse/leads.duckdb"},
                "sources": [
                    {
                        "name": "hubspot_crm",
                        "type": "hubspot",
                        "access_token_env": "T_HS_TOKEN",
                        "base_url": hubspot.url,
                        **(hubspot_extra or {}),
                    },
                    {
                        "name": "salesforce_crm",
                        "type": "salesforce",
                        "login_url": salesforce.login_url,
                        "client_id_env": "T_SF_ID",
                        "client_secret_env": "T_SF_SECRET",
                        "refresh_token_env": "T_SF_REFRESH",
                        **(salesforce_extra or {}),
                    },
                ],
            },
            base_dir=tmp_path,
        )

    return build


def _query(config: LeadsyncConfig, sql: str) -> list[tuple]:
    if not config.warehouse_path.exists():
        return []
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        try:
            return con.sql(sql).fetchall()
        except duckdb.CatalogException:
            return []


@pytest.fixture
def query():
    """Rows of a SQL query against a config's warehouse ([] before anything was loaded)."""
    return _query
