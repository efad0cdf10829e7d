"""The BI copy: complete, atomic, and readable by another process while syncs run."""

import json
import subprocess
import sys
import textwrap
import time

import duckdb
import pyarrow.parquet as pq
import pytest
from orch_helpers import make_config, people, write_csv

from leadsync.ingestion.pipeline import run_source
from leadsync.orchestration.bi_copy import open_bi_copy, publish_bi_copy
from leadsync.orchestration.dbt_project import run_dbt

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)


def _warehouse_with_marts(config, generation: int) -> None:
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists staging")
        con.execute(
            f"create or replace table marts.a as select {generation} as gen, range as i from range(10)"
        )
        con.execute(f"create or replace table marts.b as select {generation} as gen")
        con.execute("create or replace view marts.a_view as select * from marts.a")
        con.execute("create or replace table staging.not_published as select 1 as x")


def test_publish_copies_every_mart_table_and_parquet(tmp_path):
    config = make_config(
        tmp_path,
        [],
        warehouse={
            "path": "wh/leads.duckdb",
            "bi_copy": "wh/leads_bi.duckdb",
            "bi_parquet_dir": "wh/parquet",
        },
    )
    _warehouse_with_marts(config, 1)
    path = publish_bi_copy(config)
    assert path == config.bi_copy_path
    with open_bi_copy(config) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
        assert tables == {"marts.a", "marts.b"}  # views and other schemas stay behind
        assert con.execute("select count(*) from marts.a").fetchone()[0] == 10
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.c as select 1")  # readers cannot write
    parquet = tmp_path / "wh" / "parquet"
    assert sorted(p.name for p in parquet.iterdir()) == ["a.parquet", "b.parquet"]
    assert pq.read_table(parquet / "a.parquet").num_rows == 10
    assert not [p for p in path.parent.iterdir() if ".tmp" in p.name]  # no leftovers


def test_a_reader_holding_the_old_copy_keeps_it_until_it_reconnects(tmp_path):
    config = make_config(tmp_path, [])
    _warehouse_with_marts(config, 1)
    publish_bi_copy(config)
    reader = open_bi_copy(config)
    _warehouse_with_marts(config, 2)
    publish_bi_copy(config)
    assert reader.execute("select gen from marts.b").fetchone()[0] == 1
    reader.close()
    with open_bi_copy(config) as con:
        assert con.execute("select gen from marts.b").fetchone()[0] == 2


def test_publish_without_a_warehouse_says_what_to_do(tmp_path):
    config = make_config(tmp_path, [])
    with pytest.raises(FileNotFoundError, match="leadsync sync"):
        publish_bi_copy(config)


READER = textwrap.dedent("""
    import json, os, sys, time
    import duckdb
    bi, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, errors, queries = set(), [], 0
    deadline = time.time() + 300
    while not os.path.exists(stop) and time.time() < deadline:
        try:
            con = duckdb.connect(bi, read_only=True)
            try:
                touches, counted, per_source = con.execute(
                    "select (select count(*) from marts.fct_lead_touches),"
                    " (select sum(n) from marts.lead_counts),"
                    " (select count(*) from marts.lead_counts)").fetchone()
            finally:
                con.close()
            queries += 1
            if touches != counted:
                errors.append(f"mixed copy: {touches} touches but lead_counts sums to {counted}")
            seen.add(touches)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)  # a BI tool's pace, and CPU left for the syncs
    json.dump({"seen": sorted(seen), "errors": errors[:20], "queries": queries}, open(out, "w"))
""")


@pytest.mark.timeout(600)
def test_a_reader_process_never_errors_nor_sees_a_mix_while_two_syncs_run(tmp_path, tiny_project):
    write_csv(tmp_path / "in" / "day0.csv", people("dzero", 4))
    config = make_config(tmp_path, [{"name": "expo", "type": "csv", "path": "in/*.csv"}])
    target = tmp_path / "dbt_target"

    def sync() -> None:
        run_source(config, "expo")
        run_dbt(config, ["build"], target_path=target, project_dir=tiny_project)
        publish_bi_copy(config)

    sync()
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(config.bi_copy_path), str(stop), str(out)])
    try:
        time.sleep(0.5)
        for day, n in ((1, 3), (2, 5)):
            write_csv(tmp_path / "in" / f"day{day}.csv", people(f"d{day}x", n))
            sync()
            time.sleep(0.3)  # let the reader see this generation
    finally:
        stop.touch()
        reader.wait(timeout=60)
    report = json.loads(out.read_text())
    assert report["errors"] == []
    assert report["queries"] > 10
    assert report["seen"][0] == 4 and report["seen"][-1] == 12
    assert set(report["seen"]) <= {4, 7, 12}


_PUBLISHER = textwrap.dedent(
    """
    import sys
    from leadsync.ingestion.config import load_config
    from leadsync.orchestration.bi_copy import publish_bi_copy
    publish_bi_copy(load_config(sys.argv[1]))
    """
)


def _big_warehouse(config) -> None:
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.big as select range as i, md5(range::varchar) as h from range(4000000)"
        )


@pytest.mark.parametrize("signame", ["SIGKILL", "SIGTERM"])
def test_a_publisher_killed_mid_copy_leaves_no_temp_file_behind(tmp_path, signame):
    import signal

    config = make_config(tmp_path, [])
    _big_warehouse(config)
    config_file = tmp_path / "leadsync.yaml"
    config_file.write_text(json.dumps({"warehouse": {"path": "wh/leads.duckdb"}}))  # YAML is JSON's superset
    proc = subprocess.Popen([sys.executable, "-c", _PUBLISHER, str(config_file)])
    folder = config.bi_copy_path.parent
    deadline = time.monotonic() + 60
    while not [p for p in folder.iterdir() if ".tmp" in p.name]:
        assert proc.poll() is None, "the publisher finished before it could be killed; make the mart bigger"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(getattr(signal, signame))
    proc.wait(60)
    leftovers = [p for p in folder.iterdir() if ".tmp" in p.name]
    if signame == "SIGTERM":
        assert leftovers == []  # cleaned up on the way out
    # SIGKILL cannot be caught: the next publish sweeps what the dead publisher left
    publish_bi_copy(config)
    assert [p for p in folder.iterdir() if ".tmp" in p.name] == []
    with open_bi_copy(config) as con:
        assert con.execute("select count(*) from marts.big").fetchone()[0] == 4_000_000
