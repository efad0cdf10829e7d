"""The dbt sources YAML declares exactly the raw tables and columns the Python side writes."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from leadsync.ingestion import lead, raw_tables, source_types

TRANSFORM = Path(__file__).resolve().parents[2] / "transform"
SOURCES_YML = TRANSFORM / "models" / "staging" / "_raw_sources.yml"
DLT_COLUMNS = {"_dlt_load_id": "varchar", "_dlt_id": "varchar"}
ARROW_TO_SQL = {
    pa.string(): "varchar",
    pa.bool_(): "boolean",
    pa.int64(): "bigint",
    pa.timestamp("us", tz="UTC"): "timestamp with time zone",
}
PYTHON_SCHEMAS = {
    **{t: lead.raw_lead_schema() for t in source_types.lead_tables()},
    raw_tables.ACTIVITY_EVENTS: raw_tables.ACTIVITY_SCHEMA,
    raw_tables.TARGET_ACCOUNTS: raw_tables.TARGET_ACCOUNTS_SCHEMA,
    raw_tables.SPEND: raw_tables.SPEND_SCHEMA,
    raw_tables.QUARANTINE: raw_tables.QUARANTINE_SCHEMA,
    raw_tables.HUBSPOT_EVENTS: raw_tables.CRM_EVENT_SCHEMA,
    raw_tables.SALESFORCE_EVENTS: raw_tables.CRM_EVENT_SCHEMA,
}


def _declared_tables() -> dict[str, dict]:
    doc = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    (raw,) = [s for s in doc["sources"] if s["name"] == "raw"]
    assert raw["schema"] == raw_tables.RAW_DATASET
    return {t["name"]: t for t in raw["tables"]}


def test_every_python_table_is_declared_and_nothing_else():
    assert set(_declared_tables()) == set(PYTHON_SCHEMAS)


@pytest.mark.parametrize("table", sorted(PYTHON_SCHEMAS))
def test_columns_and_types_match_python_schema(table):
    declared = _declared_tables()[table]
    columns = [(c["name"], c["data_type"]) for c in declared["columns"]]
    expected = [(f.name, ARROW_TO_SQL[f.type]) for f in PYTHON_SCHEMAS[table]] + list(DLT_COLUMNS.items())
    assert columns == expected
    assert all(c.get("description") for c in declared["columns"]), "every raw column needs a description"
    assert declared["meta"]["leadsync"]["raw_table"] == table


def test_activity_event_seed_covers_exactly_the_python_event_types():
    with (TRANSFORM / "seeds" / "activity_event_stages.csv").open(encoding="utf-8") as f:
        events = [row["event"] for row in csv.DictReader(f)]
    assert sorted(events) == sorted(lead.ACTIVITY_EVENT_TYPES)
