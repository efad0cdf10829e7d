"""Fixtures for the reliability suite: one prepared demo-like workspace per module, and its clean run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from workspace import Workspace, clone, make_workspace, mart_checksums, store_webhooks  # noqa: E402


@pytest.fixture(scope="module")
def meta_sandbox():
    from leadsync.ingestion.sandboxes import STARTERS

    sandbox = STARTERS["meta"](port=0)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def template(tmp_path_factory, meta_sandbox) -> Workspace:
    """Config, sample files and a filled landing store; copied (never run) by each test."""
    ws = make_workspace(tmp_path_factory.mktemp("template"), meta_sandbox.url)
    store_webhooks(ws)
    return ws


@pytest.fixture(scope="module")
def clean_marts(template, tmp_path_factory) -> dict[str, str]:
    """Checksums of every mart after one uninterrupted sync of the template's inputs."""
    ws = clone(template, tmp_path_factory.mktemp("clean") / "ws")
    done = ws.run("sync")
    assert done.returncode == 0, done.stderr[-3000:]
    return mart_checksums(ws)
