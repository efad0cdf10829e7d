"""Config -> dlt destination and dbt profile, for every target. Cloud targets are checked as a
mapping only (no live account here): the rendered dbt profile must carry the connection fields
each adapter's setup page names, and dlt must build its destination from the same URL."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from leadsync.ingestion.config import ConfigError, parse_config
from leadsync.ingestion.warehouse import dbt_env, dlt_destination
from leadsync.ingestion.warehouse_targets import TARGETS
from leadsync.orchestration.dbt_project import TRANSFORM_DIR


def config_for(tmp_path, target, url=None):
    warehouse = {"target": target, "path": "wh/leads.duckdb"}
    if url is not None:
        warehouse["credentials_env"] = "LEADSYNC_TEST_WH_URL"
        os.environ["LEADSYNC_TEST_WH_URL"] = url
    return parse_config({"warehouse": warehouse}, base_dir=tmp_path)


def rendered_output(monkeypatch, env):
    """transform/profiles.yml rendered by dbt's own profile renderer with leadsync's env."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    set_invocation_context(dict(os.environ))  # dbt reads env_var() from its invocation context
    raw = yaml.safe_load((TRANSFORM_DIR / "profiles.yml").read_text())["leadsync"]
    renderer = ProfileRenderer({})
    target = renderer.render_value(raw["target"])
    return target, renderer.render_data(raw["outputs"][target])


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv("LEADSYNC_TEST_WH_URL", raising=False)


def test_duckdb_default(tmp_path, monkeypatch):
    config = config_for(tmp_path, "duckdb")
    target, out = rendered_output(monkeypatch, dbt_env(config))
    assert target == "duckdb" and out["path"] == str(tmp_path / "wh" / "leads.duckdb")
    assert config.bi_copy_path == tmp_path / "wh" / "leads_bi.duckdb"  # beside its warehouse
    assert dlt_destination(config).destination_name == "duckdb"


def test_postgres(tmp_path, monkeypatch):
    config = config_for(tmp_path, "postgres", "postgresql://u%40x:p%2Fw@db.internal:6543/leads")
    target, out = rendered_output(monkeypatch, dbt_env(config))
    assert target == "postgres"
    assert (out["host"], out["port"], out["user"], out["password"], out["dbname"]) == (
        "db.internal",
        6543,
        "u@x",
        "p/w",
        "leads",
    )
    assert dlt_destination(config).destination_name == "postgres"
    assert config.dbt_vars()["leadsync_marts_schema"] == "marts_build"


def test_motherduck(tmp_path, monkeypatch):
    config = config_for(tmp_path, "motherduck", "md:leads?motherduck_token=tok123")
    target, out = rendered_output(monkeypatch, dbt_env(config))
    assert (target, out["type"], out["path"], out["settings"]["motherduck_token"]) == (
        "motherduck",
        "duckdb",
        "md:leads",
        "tok123",
    )
    assert dlt_destination(config).destination_name == "motherduck"


def test_snowflake(tmp_path, monkeypatch):
    config = config_for(
        tmp_path, "snowflake", "snowflake://loader:pw@xy12345.eu-west-1/LEADS?warehouse=LOAD_WH&role=LOADER"
    )
    target, out = rendered_output(monkeypatch, dbt_env(config))
    assert target == "snowflake"
    assert (out["account"], out["user"], out["database"], out["warehouse"], out["role"]) == (
        "xy12345.eu-west-1",
        "loader",
        "LEADS",
        "LOAD_WH",
        "LOADER",
    )
    assert dlt_destination(config).destination_name == "snowflake"


def test_bigquery(tmp_path, monkeypatch):
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": "acme-leads", "client_email": "x@y"}))
    config = config_for(tmp_path, "bigquery", f"bigquery://acme-leads?keyfile={key}&location=EU")
    target, out = rendered_output(monkeypatch, dbt_env(config))
    assert (target, out["method"], out["keyfile"], out["project"], out["location"]) == (
        "bigquery",
        "service-account",
        str(key),
        "acme-leads",
        "EU",
    )
    assert dlt_destination(config).destination_name == "bigquery"


@pytest.mark.parametrize("name", [n for n, t in TARGETS.items() if t.needs_credentials])
def test_a_missing_credentials_variable_is_one_plain_error(tmp_path, name):
    config = parse_config(
        {"warehouse": {"target": name, "credentials_env": "NOT_SET_ANYWHERE"}}, base_dir=tmp_path
    )
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE"):
        dbt_env(config)
