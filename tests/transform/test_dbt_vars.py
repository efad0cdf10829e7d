"""The var defaults in transform/dbt_project.yml (for a plain `dbt parse` by hand) equal what
leadsync passes: ingestion/config.py is the one place the defaults are decided."""

from __future__ import annotations

from pathlib import Path

import yaml

from leadsync.ingestion.config import LeadsyncConfig

PROJECT = Path(__file__).resolve().parents[2] / "transform" / "dbt_project.yml"


def test_dbt_project_var_defaults_equal_the_config_defaults():
    declared = yaml.safe_load(PROJECT.read_text())["vars"]
    passed = LeadsyncConfig().dbt_vars()
    assert set(declared) == set(passed)
    for name, value in passed.items():
        # YAML writes 60 where pydantic gives 60.0; compare as data
        assert (
            yaml.safe_load(yaml.safe_dump(declared[name]))
            == yaml.safe_load(yaml.safe_dump(value).replace(".0\n", "\n"))
            or declared[name] == value
        ), name
