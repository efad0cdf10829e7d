"""`leadsync check`: a read-only doctor. One result per source, plus the landing store and the
warehouse; nothing here writes the warehouse, the landing store or any cursor.

Per source: its secrets are set; a file source's glob matches; an API source's probe (declared in
its source-type entry) makes one cheap authenticated call and names the API version it uses.
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.ingestion.health import CheckResult
from leadsync.ingestion.source_types import SOURCE_TYPES
from leadsync.orchestration.use_cases.errors import one_line, root_cause
from leadsync.orchestration.use_cases.sync import select_sources

RECEIVER_HEALTH_URL = "http://127.0.0.1:8787/healthz"  # `leadsync serve-webhooks`' default address
HEALTH_TIMEOUT_SECONDS = 1.0
_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


def check_secrets(config: LeadsyncConfig, src: Any) -> CheckResult | None:
    missing = [f"{env} ({key})" for key, env in src.secret_envs.items() if not os.environ.get(env)]
    if not missing:
        return None
    exports = " ".join(f"export {m.split()[0]}=..." for m in missing)
    return CheckResult("failed", f"the environment lacks {', '.join(missing)}; {exports} and run again")


def check_files(config: LeadsyncConfig, src: Any) -> CheckResult:
    from leadsync.ingestion.files import list_files

    try:
        entries = list_files(config.resolve(src.path))
    except Exception as exc:  # noqa: BLE001 - a listing error is the answer here
        return CheckResult("failed", f"cannot list {src.path!r}: {one_line(root_cause(exc))}")
    if not entries:
        return CheckResult("warning", f"{src.path!r} matches no file yet; check the path or add files")
    return CheckResult("ok", f"{len(entries)} file(s) match {src.path!r}")


def check_source(config: LeadsyncConfig, src: Any) -> CheckResult:
    """Secrets, then files (file sources), then the type's probe (API sources)."""
    if not src.enabled:
        return CheckResult("ok", "disabled in the config; skipped")
    missing = check_secrets(config, src)
    if missing:
        return missing
    st = SOURCE_TYPES[src.type]
    if st.file_based:
        result = check_files(config, src)
    else:
        result = CheckResult("ok", "secrets set" if src.secret_envs else "configured")
    probe = st.load_probe()
    if probe is None or result.status == "failed":
        return result
    try:
        return result.worse(probe(config, src)) if result.status != "ok" else probe(config, src)
    except Exception as exc:  # noqa: BLE001 - a probe's crash is reported, not raised
        return CheckResult("failed", f"the check call failed: {one_line(root_cause(exc))}")


def _writable_dir(path: Path) -> tuple[bool, Path]:
    """Whether `path` (or the nearest folder above it that exists) accepts new files."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return os.access(probe, os.W_OK | os.X_OK), probe


def check_landing(config: LeadsyncConfig) -> CheckResult:
    ok, where = _writable_dir(config.landing_dir)
    if not ok:
        return CheckResult("failed", f"{where} is not writable: the receiver could not store submissions")
    try:
        with urllib.request.urlopen(RECEIVER_HEALTH_URL, timeout=HEALTH_TIMEOUT_SECONDS) as answer:
            running = f"; the receiver answers at {RECEIVER_HEALTH_URL} ({answer.status})"
    except OSError:
        running = f"; no receiver on {RECEIVER_HEALTH_URL} (start it with `leadsync serve-webhooks`)"
    return CheckResult("ok", f"{config.landing_dir} is writable{running}")


def check_warehouse(config: LeadsyncConfig) -> CheckResult:
    """Writable, or who holds it: opened read-only, so the check itself never takes the writer's place."""
    import duckdb

    path = config.warehouse_path
    if not path.exists():
        ok, where = _writable_dir(path.parent)
        if not path.parent.exists():
            note = f"its folder {path.parent} does not exist yet; the first sync creates it"
            return CheckResult("warning" if ok else "failed", note if ok else f"{where} is not writable")
        return CheckResult("ok" if ok else "failed", f"{path} will be created by the first sync")
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        holder = _LOCK_HOLDER.search(str(exc))
        if holder:
            return CheckResult(
                "failed", f"{path} is held by another process (PID {holder.group(1)}); wait for it or stop it"
            )
        return CheckResult("failed", f"{path} cannot be opened: {one_line(exc)}")
    if not os.access(path, os.W_OK):
        return CheckResult("failed", f"{path} is not writable by this user")
    from leadsync.orchestration.locking import lock_holder

    holder = lock_holder(config)
    if holder is not None:
        return CheckResult(
            "warning", f"{path} is in use by {holder.describe()}; a sync now would wait for it"
        )
    return CheckResult("ok", f"{path} is writable and free")


def check(config: LeadsyncConfig, names: Sequence[str] | None = None) -> list[tuple[str, CheckResult]]:
    """(name, result) for each selected source, then the landing store and the warehouse."""
    results = [(src.name, check_source(config, src)) for src in select_sources(config, names)]
    if config.sources_of_type("webhook"):
        results.append(("(landing store)", check_landing(config)))
    results.append(("(warehouse)", check_warehouse(config)))
    return results
