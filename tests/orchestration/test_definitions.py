"""The code location loads from a config file, and its asset graph is what we think it is.

`asset_keys.snapshot.txt` is the committed list of asset keys for the config below: a renamed or
vanished asset shows up as a diff. After an intended change, regenerate it with
`LEADSYNC_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/orchestration/test_definitions.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest
import yaml
from dagster import AssetKey, Definitions

from leadsync.orchestration.assets.publish import BI_COPY_KEY
from leadsync.orchestration.jobs import DEFAULT_SYNC_JOB, FULL_SYNC_JOB, TRANSFORM_JOB, sync_job_name
from leadsync.orchestration.resources import WAREHOUSE_POOL

SNAPSHOT = Path(__file__).with_name("asset_keys.snapshot.txt")

CONFIG = {
    "warehouse": {"path": "wh/leads.duckdb", "bi_copy": "wh/leads_bi.duckdb"},
    "webhooks": {"landing_dir": "wh/landing"},
    "sources": [
        {"name": "expo_2026", "type": "csv", "path": "in/expo/*.csv"},
        {
            "name": "purchased_list",
            "type": "csv",
            "path": "in/list/*.csv",
            "origin": "outbound",
            "schedule": "0 6 * * *",
        },
        {"name": "website_forms", "type": "webhook", "provider": "typeform", "secret_env": "TF_SECRET"},
        {
            "name": "meta_ads",
            "type": "meta_lead_ads",
            "form_ids": ["123"],
            "start_date": "2026-11-01",
            "access_token_env": "META_TOKEN",
            "base_url": "http://127.0.0.1:9/v21.0",
        },
        {"name": "sales_activity", "type": "activity_csv", "path": "in/activity/*.csv"},
        {"name": "target_accounts", "type": "target_accounts", "path": "in/accounts/*.csv"},
    ],
}


@pytest.fixture(scope="module")
def defs(tmp_path_factory) -> Definitions:
    """Loaded exactly as `dagster dev -w workspace.yaml` does: the `defs` entry point + $LEADSYNC_CONFIG."""
    from leadsync.orchestration import definitions

    root = tmp_path_factory.mktemp("location")
    config_file = root / "leadsync.yaml"
    config_file.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    before = {k: os.environ.get(k) for k in ("LEADSYNC_CONFIG", "LEADSYNC_WAREHOUSE")}
    os.environ["LEADSYNC_CONFIG"] = str(config_file)
    try:
        loaded = definitions.defs()
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert isinstance(loaded, Definitions)
    return loaded


def _graph(defs: Definitions) -> nx.DiGraph:
    asset_graph = defs.resolve_asset_graph()
    graph = nx.DiGraph()
    for key in asset_graph.get_all_asset_keys():
        graph.add_node(key)
        for parent in asset_graph.get(key).parent_keys:
            graph.add_edge(parent, key)
    return graph


def test_asset_keys_match_the_snapshot(defs):
    keys = sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
    text = "\n".join(keys) + "\n"
    if os.environ.get("LEADSYNC_UPDATE_SNAPSHOT") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "The asset keys changed. If that is intended, rerun with LEADSYNC_UPDATE_SNAPSHOT=1 and commit "
        f"{SNAPSHOT.name}."
    )


def test_every_source_reaches_every_mart_in_one_graph(defs):
    graph = _graph(defs)
    sources = [k for k in graph if k.path[0].startswith("dlt_")]
    marts = [k for k in graph if k.path[0] == "marts"]
    assert len(sources) >= 6 and len(marts) >= 6
    lead_sources = [
        k for k in sources if not k.path[0].startswith(("dlt_sales_activity", "dlt_target_accounts"))
    ]
    for mart in marts:
        reaching = nx.ancestors(graph, mart)
        # every mart is fed by the leads; the funnel and accounts marts also by their own sources
        assert any(s in reaching for s in lead_sources), mart
    for source in sources:
        below = nx.descendants(graph, source)
        assert BI_COPY_KEY in below, source
        assert any(m in below for m in marts), source
    assert nx.is_weakly_connected(graph)


def test_the_dbt_source_links_every_configured_source_of_its_type(defs):
    parents = defs.resolve_asset_graph().get(AssetKey(["staging", "stg_csv__leads"])).parent_keys
    assert parents == {AssetKey("dlt_expo_2026_csv_leads"), AssetKey("dlt_purchased_list_csv_leads")}
    quarantine = defs.resolve_asset_graph().get(AssetKey(["staging", "stg_leadsync__quarantine"])).parent_keys
    assert AssetKey("dlt_website_forms_webhook_leads") in quarantine
    assert AssetKey("dlt_sales_activity_activity_events") in quarantine


def test_no_dangling_source_assets(defs):
    asset_graph = defs.resolve_asset_graph()
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        assert node.is_materializable, f"{key.to_user_string()} is a stub nothing can build"
        for parent in node.parent_keys:
            assert asset_graph.get(parent).is_materializable, f"{parent.to_user_string()} dangles"


def test_every_warehouse_writer_is_in_the_single_pool(defs):
    writers = [
        a
        for a in defs.resolve_asset_graph().assets_defs
        if any(
            k.path[0].startswith("dlt_")
            or k.path[0] in ("staging", "intermediate", "marts")
            or k == BI_COPY_KEY
            for k in a.keys
        )
    ]
    assert writers
    for assets_def in writers:
        assert assets_def.node_def.pool == WAREHOUSE_POOL, assets_def.node_def.name


def test_jobs_schedules_and_sensors_follow_the_config(defs):
    job_names = {j.name for j in defs.jobs}
    assert {
        FULL_SYNC_JOB,
        DEFAULT_SYNC_JOB,
        TRANSFORM_JOB,
        sync_job_name("expo_2026"),
        sync_job_name("meta_ads"),
    } <= job_names
    schedules = {s.name: s.cron_schedule for s in defs.schedules}
    assert schedules[f"{DEFAULT_SYNC_JOB}_schedule"] == "0 * * * *"
    assert schedules[f"{sync_job_name('purchased_list')}_schedule"] == "0 6 * * *"
    sensors = {s.name for s in defs.sensors}
    assert {
        "alert_on_run_failure",
        "new_files_expo_2026",
        "new_files_sales_activity",
        "webhook_backlog_website_forms",
    } <= sensors


def test_date_based_api_source_is_partitioned_daily(defs):
    meta = next(
        a for a in defs.resolve_asset_graph().assets_defs if AssetKey("dlt_meta_ads_meta_leads") in a.keys
    )
    assert meta.partitions_def is not None
    keys = meta.partitions_def.get_partition_keys()
    assert keys[0] == "2026-11-01"
    assert "transform_after_partitioned_loads" in {s.name for s in defs.sensors}


def test_the_shipped_instance_config_gives_the_warehouse_pool_one_slot(tmp_path):
    """`make dev` runs `dagster dev` in the repository root, which reads ./dagster.yaml."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    root = Path(__file__).resolve().parents[2]
    assert (root / "dagster.yaml").exists()
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path), config_dir=str(root))) as instance:
        pools = instance.get_concurrency_config().pool_config
    assert pools.default_pool_limit == 1


def test_lead_id_aliases_is_a_mart_the_bi_copy_depends_on(defs):
    aliases = AssetKey(["marts", "lead_id_aliases"])
    graph = defs.resolve_asset_graph()
    assert graph.get(aliases).group_name == "marts"
    assert aliases in graph.get(BI_COPY_KEY).parent_keys
    # every mart the BI copy copies is upstream of it (bi_copy.py copies every table in `marts`)
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert marts <= graph.get(BI_COPY_KEY).parent_keys


def test_source_jobs_run_in_one_process_and_the_full_sync_in_several(defs):
    assert defs.resolve_job_def(sync_job_name("expo_2026")).executor_def.name == "in_process"
    assert defs.resolve_job_def(TRANSFORM_JOB).executor_def.name == "in_process"
    assert defs.resolve_job_def(FULL_SYNC_JOB).executor_def.name == "multiprocess"


def test_a_missing_secret_shows_on_the_asset_before_anything_runs(defs):
    assert "META_TOKEN" not in os.environ
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey("dlt_meta_ads_meta_leads"))
    assert "META_TOKEN" in (node.description or "")
    assert node.metadata["missing_env"].value == ["META_TOKEN"]
    # a webhook's secret is the receiver's; draining the landing store needs none
    assert "missing_env" not in graph.get(AssetKey("dlt_website_forms_webhook_leads")).metadata
