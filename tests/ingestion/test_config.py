"""leadsync.yaml parsing: typed objects, and messages a marketing-ops person can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leadsync.ingestion.config import ConfigError, config_path, load_config, parse_config
from leadsync.ingestion.source_types import CsvSource, MetaLeadAdsSource, WebhookSource

REPO = Path(__file__).resolve().parents[2]


def _error(raw) -> str:
    with pytest.raises(ConfigError) as err:
        parse_config(raw)
    return str(err.value)


def test_contract_example_parses_into_typed_sources(tmp_path):
    raw = {
        "warehouse": {"path": "warehouse/leads.duckdb", "bi_copy": "warehouse/leads_bi.duckdb"},
        "webhooks": {"landing_dir": "warehouse/landing", "max_body_bytes": 1048576},
        "sources": [
            {
                "name": "expo_2026",
                "type": "csv",
                "path": "data/inbox/expo/*.csv",
                "origin": "outbound",
                "columns": {"email": "E-mail"},
            },
            {
                "name": "website_forms",
                "type": "webhook",
                "provider": "typeform",
                "secret_env": "TYPEFORM_SECRET",
            },
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "form_ids": ["1234567890"],
                "access_token_env": "META_ACCESS_TOKEN",
                "base_url": "https://graph.facebook.com/v21.0",
            },
            {"name": "sales_activity", "type": "activity_csv", "path": "data/inbox/activity/*.csv"},
            {"name": "target_accounts", "type": "target_accounts", "path": "data/inbox/accounts/*.csv"},
        ],
    }
    config = parse_config(raw, base_dir=tmp_path)
    expo, forms, meta, activity, accounts = config.sources
    assert isinstance(expo, CsvSource) and expo.origin == "outbound" and expo.columns == {"email": "E-mail"}
    assert isinstance(forms, WebhookSource) and forms.secret_env_names == ("TYPEFORM_SECRET",)
    assert isinstance(meta, MetaLeadAdsSource) and meta.form_ids == ("1234567890",)
    assert activity.origin == "inbound" and accounts.origin == "outbound"
    assert config.warehouse_path == tmp_path / "warehouse" / "leads.duckdb"
    assert config.resolve("s3://bucket/leads/*.csv") == "s3://bucket/leads/*.csv"


def test_unknown_type_names_the_source_and_the_choices():
    msg = _error({"sources": [{"name": "fair", "type": "xlsx", "path": "a.xlsx"}]})
    assert "source 'fair'" in msg and "unknown source type 'xlsx'" in msg and "activity_csv" in msg


def test_duplicate_names_are_refused():
    msg = _error(
        {"sources": [{"name": "a", "type": "csv", "path": "x"}, {"name": "a", "type": "csv", "path": "y"}]}
    )
    assert "two sources are named 'a'" in msg


def test_misspelt_key_and_missing_key_are_explained():
    assert "unknown key 'pth'" in _error({"sources": [{"name": "a", "type": "csv", "pth": "x"}]})
    assert "`path` is required" in _error({"sources": [{"name": "a", "type": "csv"}]})
    assert "snake_case" in _error({"sources": [{"name": "Expo 2026", "type": "csv", "path": "x"}]})


def test_meta_needs_forms_or_page():
    assert "form_ids" in _error({"sources": [{"name": "m", "type": "meta_lead_ads"}]})


def test_glob_matching_nothing_is_a_warning_not_an_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("email\nx@y.com\n")
    config = parse_config(
        {
            "sources": [
                {"name": "found", "type": "csv", "path": "in/*.csv"},
                {"name": "empty", "type": "csv", "path": "nothing/*.csv"},
            ]
        },
        base_dir=tmp_path,
    )
    assert config.warnings() == ["source 'empty': the path 'nothing/*.csv' matches no file yet"]


def test_missing_secret_names_variable_and_source(monkeypatch):
    monkeypatch.delenv("META_TOKEN_X", raising=False)
    config = parse_config(
        {
            "sources": [
                {
                    "name": "meta_ads",
                    "type": "meta_lead_ads",
                    "form_ids": ["1"],
                    "access_token_env": "META_TOKEN_X",
                }
            ]
        }
    )
    assert config.missing_secrets() == [
        "source 'meta_ads' needs the environment variable META_TOKEN_X (access_token_env)"
    ]
    with pytest.raises(ConfigError, match="META_TOKEN_X"):
        config.secret(config.source("meta_ads"), "access_token_env")
    monkeypatch.setenv("META_TOKEN_X", "t0k3n")
    assert config.missing_secrets() == []
    assert config.secret(config.source("meta_ads"), "access_token_env") == "t0k3n"


def test_config_file_resolution_and_warehouse_override(tmp_path, monkeypatch):
    file = tmp_path / "conf" / "custom.yaml"
    file.parent.mkdir()
    file.write_text(yaml.safe_dump({"warehouse": {"path": "wh/leads.duckdb"}}))
    monkeypatch.setenv("LEADSYNC_CONFIG", str(file))
    assert config_path() == file
    config = load_config()
    assert config.warehouse_path == file.parent / "wh" / "leads.duckdb"
    monkeypatch.setenv("LEADSYNC_WAREHOUSE", str(tmp_path / "other.duckdb"))
    assert config.warehouse_path == tmp_path / "other.duckdb"


def test_missing_and_invalid_files_are_explained(tmp_path):
    with pytest.raises(ConfigError, match="No config file"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_dbt_vars_carry_the_qualification_rules():
    config = parse_config(
        {
            "qualification": {
                "mql_threshold": 55,
                "rules": {"industry": {"weight": 30, "values": ["Software"]}},
            }
        }
    )
    dbt_vars = config.dbt_vars()
    assert dbt_vars["leadsync_qualification"]["mql_threshold"] == 55
    assert dbt_vars["leadsync_qualification"]["rules"]["industry"] == {"weight": 30.0, "values": ["Software"]}


def test_repository_demo_config_is_valid():
    config = load_config(REPO / "leadsync.yaml")
    types = {s.type for s in config.sources}
    assert {
        "csv",
        "webhook",
        "meta_lead_ads",
        "linkedin_lead_gen",
        "google_ads_lead_forms",
        "activity_csv",
        "target_accounts",
    } <= types
