"""Helpers for the webhook tests: configs with one source per provider, a real uvicorn receiver.

The receiver runs as its own process on a loopback socket the test binds (port 0) and hands
over by file descriptor, so restarting it after SIGKILL keeps the same address and no two
concurrent test runs ever race for a port.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from leadsync.ingestion.config import LeadsyncConfig, load_config
from leadsync.ingestion.source_types import WebhookSource

REPO = Path(__file__).resolve().parents[3]
PROVIDERS = ("typeform", "hubspot", "tally", "webflow", "jotform", "standard")
STANDARD_SECRET = "whsec_" + base64.b64encode(b"leadsync-test-key-0123456789").decode()


def secret_for(provider: str) -> str:
    return STANDARD_SECRET if provider == "standard" else f"test-secret-{provider}"


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **webhooks: Any) -> LeadsyncConfig:
    """leadsync.yaml with `<provider>_forms` sources and their secrets exported."""
    sources = []
    for p in PROVIDERS:
        env = f"LS_TEST_{p.upper()}_SECRET"
        monkeypatch.setenv(env, secret_for(p))
        sources.append({"name": f"{p}_forms", "type": "webhook", "provider": p, "secret_env": env})
    monkeypatch.setenv("LS_TEST_GENERIC_SECRET", "generic-secret")
    sources.append(
        {
            "name": "generic_forms",
            "type": "webhook",
            "provider": "generic",
            "secret_env": "LS_TEST_GENERIC_SECRET",
            "id_field": "submission.id",
            "field_map": {"email": "submission.who.mail", "company_name": "submission.org"},
        }
    )
    sources.append(
        {
            "name": "unset_secret",
            "type": "webhook",
            "provider": "tally",
            "secret_env": "LS_TEST_NOT_SET_ANYWHERE",
        }
    )
    monkeypatch.delenv("LS_TEST_NOT_SET_ANYWHERE", raising=False)
    raw = {
        "warehouse": {"path": "warehouse/leads.duckdb", "bi_copy": "warehouse/leads_bi.duckdb"},
        "webhooks": {"landing_dir": "warehouse/landing", **webhooks},
        "sources": sources,
    }
    path = tmp_path / "leadsync.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_config(path)


def source(config: LeadsyncConfig, provider: str) -> WebhookSource:
    src = config.source(f"{provider}_forms")
    assert isinstance(src, WebhookSource)
    return src


@dataclass
class Receiver:
    """A uvicorn receiver process serving on a socket the test owns."""

    config_path: Path
    sock: socket.socket
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self, segment_max_age: float = 30.0) -> None:
        fd = self.sock.fileno()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "leadsync.ingestion.webhooks.receiver",
                "--config",
                str(self.config_path),
                "--fd",
                str(fd),
                "--segment-max-age",
                str(segment_max_age),
            ],
            cwd=REPO,
            pass_fds=(fd,),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"receiver exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("receiver did not come up")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
