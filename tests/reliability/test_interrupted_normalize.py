"""A kill between dlt's normalize rename and its delete no longer breaks every later sync."""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
import duckdb

from leadsync.ingestion.pipeline import finish_interrupted_normalize


def test_the_committed_package_wins_and_loads_once(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="interrupted",
        pipelines_dir=str(tmp_path / "dlt"),
        destination=dlt.destinations.duckdb(credentials=str(warehouse)),
        dataset_name="raw",
    )
    pipeline.extract([{"id": i} for i in range(5)], table_name="items")
    extracted = Path(pipeline.working_dir) / "normalize" / "extracted"
    (package,) = list(extracted.iterdir())
    backup = tmp_path / "backup"
    shutil.copytree(package, backup)
    pipeline.normalize()
    # the state a SIGKILL right after dlt's rename leaves: committed, and still "extracted"
    shutil.copytree(backup, package)
    assert (Path(pipeline.working_dir) / "load" / "normalized" / package.name).is_dir()

    assert finish_interrupted_normalize(pipeline) == [package.name]
    assert not package.exists()
    pipeline.normalize()  # without the fix: normalises it again and the rename fails
    pipeline.load()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*), count(distinct id) from raw.items").fetchone() == (5, 5)


def test_nothing_to_do_on_a_clean_pipeline(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="clean", pipelines_dir=str(tmp_path / "dlt"), destination="duckdb")
    assert finish_interrupted_normalize(pipeline) == []
