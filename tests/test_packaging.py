"""The installed distribution has one import root, `leadsync`, and lists every package folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed_under_the_leadsync_root():
    setuptools = _pyproject()["tool"]["setuptools"]
    mapped = setuptools["package-dir"]
    on_disk = set()
    for name, folder in mapped.items():
        assert name.startswith("leadsync."), name
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            on_disk.add(".".join([name, *relative.parts]))
    assert set(setuptools["packages"]) == on_disk


def test_the_bare_folder_names_are_not_importable_from_elsewhere(tmp_path, monkeypatch):
    import subprocess
    import sys

    code = (
        "import importlib.util, leadsync.ingestion.config;"
        "print(importlib.util.find_spec('ingestion') is None, importlib.util.find_spec('reporting') is None)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True"]
