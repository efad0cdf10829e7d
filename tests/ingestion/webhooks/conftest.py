"""Webhook test fixtures (helpers live in webhook_testkit.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from webhook_testkit import Receiver, write_config

from leadsync.ingestion.config import LeadsyncConfig


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LeadsyncConfig:
    return write_config(
        tmp_path, monkeypatch, max_body_bytes=20000, replay_window_seconds=300, request_timeout_seconds=2
    )


@pytest.fixture
def receiver(config: LeadsyncConfig, tmp_path: Path) -> Iterator[Receiver]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    rec = Receiver(tmp_path / "leadsync.yaml", sock, tmp_path / "receiver.log")
    try:
        yield rec
    finally:
        rec.stop()
        sock.close()
