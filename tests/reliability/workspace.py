"""A demo-like leadsync workspace in tmp_path: the bundled CSV samples, two webhook sources with
signed samples already stored in the landing store, and the Meta Lead Ads sandbox.

The sandbox runs on a thread of the test process; the `leadsync` commands the tests start are
real subprocesses that reach it on loopback.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from leadsync.ingestion.config import LeadsyncConfig, load_config

REPO = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "leadsync"

WEBHOOK_SECRETS = {
    "TYPEFORM_SECRET": "demo-website_forms-secret",
    "PARTNER_WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"demo-partner_referrals-secret").decode(),
}


@dataclass
class Workspace:
    root: Path
    meta_url: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config_file(self) -> Path:
        return self.root / "leadsync.yaml"

    @property
    def config(self) -> LeadsyncConfig:
        return load_config(self.config_file)

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "leads.duckdb"

    def command(self, *args: str) -> list[str]:
        return [str(EXE), "--config", str(self.config_file), *args]

    def popen(self, *args: str, **kw) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            cwd=self.root,
            env=self.full_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kw,
        )

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            cwd=self.root,
            env=self.full_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def full_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("LEADSYNC_CONFIG", "LEADSYNC_WAREHOUSE")}
        env["PATH"] = f"{EXE.parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(self.env)
        return env


def make_workspace(root: Path, meta_url: str, *, meta_token: str | None = None) -> Workspace:
    """Write the config and copy the samples; the landing store is filled by `store_webhooks`."""
    from leadsync.ingestion.sandboxes import meta

    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    for sample in (REPO / "examples" / "csv").iterdir():
        shutil.copy2(sample, inbox / sample.name)
    config = {
        "warehouse": {"path": "warehouse/leads.duckdb", "lock_timeout_seconds": 600},
        "webhooks": {"landing_dir": "warehouse/landing"},
        "sources": [
            {"name": "expo_2026", "type": "csv", "path": "inbox/expo_2026*.csv", "channel": "Event"},
            {
                "name": "purchased_list",
                "type": "csv",
                "path": "inbox/purchased_list*.tsv",
                "origin": "outbound",
            },
            {"name": "crm_export", "type": "csv", "path": "inbox/crm_export*.csv"},
            {
                "name": "website_forms",
                "type": "webhook",
                "provider": "typeform",
                "secret_env": "TYPEFORM_SECRET",
            },
            {
                "name": "partner_referrals",
                "type": "webhook",
                "provider": "standard",
                "secret_env": "PARTNER_WEBHOOK_SECRET",
                "field_map": {
                    "email": "data.contact.email",
                    "first_name": "data.contact.first_name",
                    "last_name": "data.contact.last_name",
                    "company_name": "data.company.name",
                },
                "id_field": "data.referral_id",
            },
            {
                "name": "meta_ads",
                "type": "meta_lead_ads",
                "form_ids": ["771000000000001", "771000000000002"],
                "access_token_env": "META_ACCESS_TOKEN",
                "base_url": meta_url,
                "start_date": "2026-08-01",
            },
        ],
    }
    (root / "leadsync.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    env = {**WEBHOOK_SECRETS, "META_ACCESS_TOKEN": meta_token or meta.VALID_TOKEN}
    return Workspace(root, meta_url, env)


def store_webhooks(ws: Workspace, count: int = 3) -> None:
    """Post signed samples through the real receiver, so the landing store holds what it would."""
    from leadsync.ingestion.webhooks.client import send_samples
    from leadsync.ingestion.webhooks.receiver import serve_in_background

    saved = {k: os.environ.get(k) for k in ws.env}
    os.environ.update(ws.env)
    try:
        with serve_in_background(ws.config) as url:
            codes = send_samples(ws.config, url, count=count)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert all(c < 300 for cs in codes.values() for c in cs), codes


# Columns that hold the wall clock of the run that wrote them, by name (not inputs, not compared).
WALL_CLOCK_COLUMNS = ("refreshed_at", "loaded_at", "quarantined_at", "linked_at", "_load_id", "published_at")
# Fellegi-Sunter weights come from EM estimates over the touches seen so far; a chain of killed
# first syncs trains them on a different history and moves them in the third decimal (same links,
# same leads, same match rule). Left out (like wall-clock columns) until the identity models make
# them history-free; every other column of lead_links, the links themselves, is compared.
EM_ESTIMATES = {("lead_links", "match_weight"), ("lead_links", "match_probability")}


def clone(template: Workspace, root: Path) -> Workspace:
    """A copy of a prepared workspace (files, landing store, mtimes), with no warehouse yet."""
    shutil.copytree(template.root, root, ignore=shutil.ignore_patterns("*.duckdb*", ".leadsync"))
    return Workspace(root, template.meta_url, dict(template.env))


def mart_checksums(ws: Workspace) -> dict[str, str]:
    """table -> sha256 of its rows in a total order (the same inputs must give the same marts).

    The workspace's own folder is replaced by `<root>` in every value, so two copies of the same
    inputs in two folders compare equal."""
    warehouse, root = ws.warehouse, str(ws.root)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        out = {}
        for t in tables:
            cols = [r[0] for r in con.execute(f'describe marts."{t}"').fetchall()]
            kept = [c for c in cols if not c.endswith(WALL_CLOCK_COLUMNS) and (t, c) not in EM_ESTIMATES]
            select = ", ".join(f"replace(\"{c}\"::varchar, '{root}', '<root>')" for c in kept)
            rows = con.execute(f'select {select} from marts."{t}" order by all').fetchall()
            out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return out
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Killing a sync at a chosen point, as a crashing machine would
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KillPoint:
    """Where to SIGKILL a running `leadsync sync`: after the `nth` progress line containing `line`,
    or once a path matching `glob` (under the workspace) appears, then `delay` seconds more."""

    phase: str
    line: str | None = None
    nth: int = 1
    glob: str | None = None
    delay: float = 0.0


def sync_and_kill(ws: Workspace, point: KillPoint, timeout: float = 300) -> tuple[bool, str]:
    """Start `leadsync sync` in its own process group and SIGKILL the whole group (dbt included) at
    `point`. Returns (killed, stderr so far); killed is False when the sync finished first."""
    import signal
    import threading
    import time

    proc = subprocess.Popen(
        ws.command("sync"),
        cwd=ws.root,
        env=ws.full_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    hit = threading.Event()

    def read() -> None:
        seen = 0
        for raw in proc.stderr:
            lines.append(raw)
            if point.line and point.line in raw:
                seen += 1
                if seen >= point.nth:
                    hit.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while not hit.is_set() and proc.poll() is None and time.monotonic() < deadline:
        if point.glob and any(ws.root.glob(point.glob)):
            hit.set()
            break
        time.sleep(0.005)
    if hit.is_set() and point.delay:
        time.sleep(point.delay)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join(10)
    return killed and hit.is_set(), "".join(lines)


def leftover_temp_files(ws: Workspace) -> list[Path]:
    """Temporary files leadsync writes and must never leave behind (BI copy, holder note, Parquet)."""
    warehouse_dir = ws.root / "warehouse"
    return sorted(
        p for p in warehouse_dir.rglob("*") if p.is_file() and ".tmp" in p.name and ".leadsync" not in p.parts
    )
