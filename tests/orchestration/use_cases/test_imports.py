"""No import cycle anywhere: every module imports first, in a fresh interpreter, in any order; and
the three front ends (CLI, Dagster definitions, demo) never import one another."""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FOLDERS = {
    "ingestion": "leadsync.ingestion",
    "orchestration": "leadsync.orchestration",
    "reporting": "leadsync.reporting",
}
# The demo is a use case made of the others (orchestration/use_cases/demo.py); the front ends are
# the CLI and the Dagster code location.
FRONT_ENDS = {"leadsync.orchestration.cli", "leadsync.orchestration.definitions"}


def _modules() -> list[str]:
    out = []
    for folder, package in FOLDERS.items():
        for file in sorted((REPO / folder).rglob("*.py")):
            parts = list(file.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] in ("__init__", "__main__"):
                parts = parts[:-1]
                if file.name == "__main__.py":
                    continue
            out.append(".".join([package, *parts]))
    return out


def test_all_modules_import_in_a_random_order():
    modules = _modules()
    random.Random(20261202).shuffle(modules)
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    result = subprocess.run([sys.executable, "-c", code, *modules], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def _imports_of(module: str) -> set[str]:
    package, _, rest = module.partition(".orchestration.")
    path = REPO / "orchestration" / (rest.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_front_ends_do_not_import_one_another():
    for front in FRONT_ENDS:
        others = FRONT_ENDS - {front}
        assert not (_imports_of(front) & others), f"{front} imports another front end"
