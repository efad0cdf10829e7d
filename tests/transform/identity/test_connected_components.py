"""The connected-components macro against networkx on random graphs (as Splink tests its own).

Each graph becomes a nodes and an edges table in a real DuckDB file; a one-model dbt project
that calls the project's macro writes the components, and every node's label must be the
smallest node of its networkx component.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import networkx as nx
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.orchestration.dbt_project import TRANSFORM_DIR, run_dbt

GRAPHS = [
    (n, m, seed) for seed, (n, m) in enumerate([(1, 0), (12, 8), (40, 35), (60, 90), (200, 150), (300, 600)])
]


def _load(db: Path, graphs) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema if not exists cc_input")
        con.execute("create table cc_input.nodes (graph integer, node varchar)")
        con.execute("create table cc_input.edges (graph integer, src varchar, dst varchar)")
        for i, g in enumerate(graphs):
            con.executemany("insert into cc_input.nodes values (?, ?)", [[i, f"n{v:04d}"] for v in g.nodes])
            both = [[i, f"n{a:04d}", f"n{b:04d}"] for a, b in g.edges] + [
                [i, f"n{b:04d}", f"n{a:04d}"] for a, b in g.edges
            ]
            if both:
                con.executemany("insert into cc_input.edges values (?, ?, ?)", both)
    finally:
        con.close()


@pytest.fixture(scope="module")
def labels(tmp_path_factory) -> tuple[list[nx.Graph], dict[tuple[int, str], str]]:
    root = tmp_path_factory.mktemp("components")
    project = root / "project"
    shutil.copytree(
        TRANSFORM_DIR, project, ignore=shutil.ignore_patterns("target", "models", "tests", "logs")
    )
    (project / "models").mkdir()
    graphs = [nx.gnm_random_graph(n, m, seed=seed) for n, m, seed in GRAPHS]
    model = "\n union all\n".join(
        f"select {i} as graph, * from {{{{ identity_connected_components("
        f"'(select node from cc_input.nodes where graph = {i})', "
        f"'(select src, dst from cc_input.edges where graph = {i})') }}}}"
        for i in range(len(graphs))
    )
    (project / "models" / "graph_components.sql").write_text(model + "\n")
    db = root / "cc.duckdb"
    _load(db, graphs)
    config = parse_config({"warehouse": {"path": str(db)}}, base_dir=root)
    run_dbt(config, ["run"], target_path=root / "target", project_dir=project)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = 'graph_components'"
        ).fetchone()
        rows = con.execute(f"select graph, node, component from {schema}.graph_components").fetchall()
    finally:
        con.close()
    return graphs, {(g, node): comp for g, node, comp in rows}


@pytest.mark.parametrize("index", range(len(GRAPHS)))
def test_components_equal_networkx(labels, index):
    graphs, got = labels
    expected = {}
    for component in nx.connected_components(graphs[index]):
        smallest = min(f"n{v:04d}" for v in component)
        expected.update({f"n{v:04d}": smallest for v in component})
    assert {node: comp for (g, node), comp in got.items() if g == index} == expected
