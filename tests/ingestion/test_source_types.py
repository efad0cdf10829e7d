"""The source-type table is the one place a type is declared: every part that needs to know about
types reads it, and a type declared there but not built (or built but not declared) fails here."""

from __future__ import annotations

import importlib
import typing
from pathlib import Path

import yaml

from leadsync.ingestion import raw_tables
from leadsync.ingestion.config import LeadsyncConfig, SourceConfig
from leadsync.ingestion.source_types import SOURCE_TYPES, SourceType, lead_tables

REPO = Path(__file__).resolve().parents[2]
STAGING = REPO / "transform" / "models" / "staging"


def _raw_tables_in_dbt() -> set[str]:
    doc = yaml.safe_load((STAGING / "_raw_sources.yml").read_text())
    (raw,) = [s for s in doc["sources"] if s["name"] == "raw"]
    return {t["name"] for t in raw["tables"]}


def test_every_type_tag_matches_its_config_class():
    for name, st in SOURCE_TYPES.items():
        assert st.name == name
        tag = typing.get_args(st.config.model_fields["type"].annotation)
        assert tag == (name,), f"{st.config.__name__}.type must be Literal[{name!r}]"


def test_config_parsing_accepts_exactly_the_declared_types():
    members = typing.get_args(typing.get_args(SourceConfig)[0])
    assert {m.model_fields["type"].annotation.__args__[0] for m in members} == set(SOURCE_TYPES)


def test_every_declared_factory_hook_and_probe_imports():
    for st in SOURCE_TYPES.values():
        assert callable(st.load_factory()), st.name
        for ref in (st.after_load, st.probe):
            if ref:
                module, _, attr = ref.partition(":")
                assert callable(getattr(importlib.import_module(module), attr)), ref


def test_every_declared_staging_model_exists_and_reads_its_main_table():
    for st in SOURCE_TYPES.values():
        files = list(STAGING.rglob(f"{st.staging_model}.sql"))
        assert len(files) == 1, f"{st.name}: no staging model {st.staging_model}.sql"
        assert st.main_table in files[0].read_text(), f"{st.staging_model} does not read {st.main_table}"


def test_every_staging_folder_belongs_to_a_declared_type():
    declared = {
        f.parent.name for st in SOURCE_TYPES.values() for f in STAGING.rglob(f"{st.staging_model}.sql")
    }
    on_disk = {d.name for d in STAGING.iterdir() if d.is_dir()} - {"leadsync"}  # leadsync: its own quarantine
    assert on_disk == declared


def test_every_main_table_and_the_quarantine_are_dbt_sources():
    # (webhook_submissions is Python's own: stored bodies for `sync --reparse`, never read by dbt)
    declared = {st.main_table for st in SOURCE_TYPES.values()} | {raw_tables.QUARANTINE}
    assert declared <= _raw_tables_in_dbt()


def test_dbt_gets_the_lead_models_from_the_table_and_its_default_agrees():
    from_table = [st.staging_model for st in SOURCE_TYPES.values() if st.carries_leads]
    assert LeadsyncConfig().dbt_vars()["leadsync_lead_models"] == from_table
    project = yaml.safe_load((REPO / "transform" / "dbt_project.yml").read_text())
    assert project["vars"]["leadsync_lead_models"] == from_table
    assert len(lead_tables()) == len(from_table)


def test_sandboxes_named_in_the_table_exist():
    from leadsync.ingestion import sandboxes

    for st in SOURCE_TYPES.values():
        if st.sandbox:
            assert st.sandbox in sandboxes.STARTERS, st.name


def test_file_based_is_derived_from_the_config_class():
    assert {st.name for st in SOURCE_TYPES.values() if st.file_based} == {
        "csv",
        "activity_csv",
        "target_accounts",
        "spend_csv",
    }
    assert isinstance(next(iter(SOURCE_TYPES.values())), SourceType)
