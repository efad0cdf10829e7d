"""`leadsync docs`: the dbt docs site is generated beside the warehouse and served over HTTP."""

import json
import threading

import duckdb
import requests
from orch_helpers import make_config

from leadsync.orchestration.dbt_project import prepare_manifest, run_dbt
from leadsync.orchestration.docs import DOCS_FILES, docs_server, generate_docs


def test_docs_are_generated_and_served(tmp_path, tiny_project):
    config = make_config(tmp_path, [])
    config.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(config.warehouse_path)) as con:  # an empty raw table is enough
        con.execute("create schema raw")
        con.execute(
            "create table raw.csv_leads (source_name varchar, email varchar, received_at timestamptz, "
            "submitted_at varchar, _dlt_load_id varchar)"
        )
    run_dbt(config, ["build"], target_path=tmp_path / "build", project_dir=tiny_project)
    site = generate_docs(config, tmp_path / "docs", project_dir=tiny_project)
    assert all((site / f).exists() for f in DOCS_FILES)
    catalog = json.loads((site / "catalog.json").read_text())
    assert "model.tiny.fct_lead_touches" in catalog["nodes"]

    server = docs_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        manifest = requests.get(f"http://127.0.0.1:{port}/manifest.json", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert page.status_code == 200 and "dbt" in page.text.lower()
    assert manifest.status_code == 200 and "model.tiny.lead_counts" in manifest.json()["nodes"]


def test_every_mart_column_in_the_real_project_is_described(tmp_path):
    """The docs are only useful to BI users when every mart column says what it means."""
    config = make_config(tmp_path, [])
    manifest = json.loads(prepare_manifest(config, target_path=tmp_path / "parse").read_text())
    marts = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    ]
    assert marts
    undocumented = [f"{m['name']} (model)" for m in marts if not m.get("description")]
    for mart in marts:
        undocumented += [
            f"{mart['name']}.{c}" for c, col in mart["columns"].items() if not col.get("description")
        ]
    assert undocumented == []
