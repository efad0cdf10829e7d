"""`leadsync demo` (what `make demo` runs): the whole pipeline on the bundled sample data.

1. start a sandbox for every source type that declares one (local servers speaking the platforms' real APIs),
2. start the real webhook receiver and send it signed sample submissions for every configured
   webhook provider,
3. `leadsync check` against them, then load every source, build the dbt project, publish the BI copy,
   write the report,
4. print a summary and where everything is.

Demo credentials are set only for variables the environment does not already define.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from leadsync.ingestion.config import CONFIG_ENV, ConfigError, LeadsyncConfig, load_config
from leadsync.ingestion.source_types import SOURCE_TYPES
from leadsync.orchestration.use_cases.check import check
from leadsync.orchestration.use_cases.errors import UserError, progress
from leadsync.orchestration.use_cases.summary import summary_lines
from leadsync.orchestration.use_cases.sync import load_sources
from leadsync.orchestration.use_cases.transform import transform

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "leadsync.yaml"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))


def demo_credentials(config: LeadsyncConfig) -> dict[str, str]:
    """Values the sandboxes accept and the webhook samples are signed with."""
    from leadsync.ingestion.sandboxes import google_ads, hubspot, linkedin, meta, salesforce

    creds: dict[str, str] = {}
    for src in config.enabled_sources:
        if src.type == "webhook":
            secret = f"demo-{src.name}-secret"
            if src.provider == "standard":  # Standard Webhooks secrets are whsec_<base64>
                secret = "whsec_" + base64.b64encode(secret.encode()).decode()
            for env in src.secret_env_names:
                creds[env] = secret
        elif src.type == "meta_lead_ads":
            creds[src.access_token_env] = meta.VALID_TOKEN
        elif src.type == "linkedin_lead_gen":
            for key, value in (
                ("client_id_env", linkedin.CLIENT_ID),
                ("client_secret_env", linkedin.CLIENT_SECRET),
                ("refresh_token_env", linkedin.REFRESH_TOKEN),
            ):
                if getattr(src, key):
                    creds[getattr(src, key)] = value
        elif src.type == "google_ads_lead_forms":
            creds[src.developer_token_env] = google_ads.DEVELOPER_TOKEN
            creds[src.client_id_env] = google_ads.CLIENT_ID
            creds[src.client_secret_env] = google_ads.CLIENT_SECRET
            creds[src.refresh_token_env] = google_ads.REFRESH_TOKEN
        elif src.type == "hubspot":
            creds[src.access_token_env] = hubspot.VALID_TOKEN
        elif src.type == "salesforce":
            creds[src.client_id_env] = salesforce.CLIENT_ID
            if src.client_secret_env and src.refresh_token_env:
                creds[src.client_secret_env] = salesforce.CLIENT_SECRET
                creds[src.refresh_token_env] = salesforce.REFRESH_TOKEN
    return creds


def start_sandboxes(config: LeadsyncConfig, stack: ExitStack) -> LeadsyncConfig:
    """Start a sandbox per configured API source; returns the config pointing at them.

    Each sandbox takes the port written in the config when it is free (so `leadsync sync` with
    the same config works against sandboxes run by hand), else any free port.
    """
    from leadsync.ingestion.sandboxes import STARTERS

    sources = []
    for src in config.sources:
        platform = SOURCE_TYPES[src.type].sandbox
        if platform is None or not src.enabled:
            sources.append(src)
            continue
        wanted = urlsplit(src.base_url or "").port or 0
        sandbox = STARTERS[platform](port=wanted if wanted and _port_free(wanted) else 0)
        stack.callback(sandbox.stop)
        update: dict[str, Any] = {"base_url": sandbox.url}
        if hasattr(sandbox, "token_url") and hasattr(src, "token_url"):
            update["token_url"] = sandbox.token_url
        if hasattr(sandbox, "login_url") and hasattr(src, "login_url"):  # Salesforce logs in there
            update["login_url"] = sandbox.login_url
        progress(f"sandbox: {platform} API at {sandbox.url} (for source {src.name})")
        sources.append(src.model_copy(update=update))
    return config.model_copy(update={"sources": tuple(sources)})


def send_sample_webhooks(config: LeadsyncConfig, config_file: Path) -> int:
    """Run the real receiver as its own process and post signed samples to it; returns accepted."""
    from leadsync.ingestion.webhooks.client import SAMPLE_PROVIDERS, sample_submissions, sign_and_send

    webhook_sources = [s for s in config.sources_of_type("webhook") if s.provider in SAMPLE_PROVIDERS]
    if not webhook_sources:
        return 0
    port = _free_port()
    env = {**os.environ, CONFIG_ENV: str(config_file)}
    receiver = subprocess.Popen(
        [sys.executable, "-m", "leadsync.orchestration.cli", "serve-webhooks", "--port", str(port)],
        env=env,
        cwd=str(REPO),
    )
    base_url = f"http://127.0.0.1:{port}"
    accepted = 0
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if receiver.poll() is not None or time.monotonic() > deadline:
                raise UserError(
                    "The webhook receiver did not start; run `leadsync serve-webhooks` to see why."
                )
            time.sleep(0.2)
        progress(f"webhooks: receiver up at {base_url}; sending signed samples")
        with httpx.Client() as client:
            for src in webhook_sources:
                secret = os.environ[src.secret_env_names[0]]
                for sample in sample_submissions((src.provider,), count=3):
                    answer = sign_and_send(
                        base_url, src, secret, sample.body, sample.content_type, client=client
                    )
                    if answer.status_code >= 300:
                        raise UserError(
                            f"The receiver refused a {src.provider} sample for {src.name} "
                            f"({answer.status_code}: {answer.text[:200]})."
                        )
                    accepted += 1
        progress(f"webhooks: {accepted} submissions stored durably in {config.landing_dir}")
    finally:
        receiver.terminate()
        try:
            receiver.wait(timeout=15)
        except subprocess.TimeoutExpired:
            receiver.kill()
            receiver.wait()
    return accepted


def wipe(config: LeadsyncConfig) -> None:
    for path in (
        config.warehouse_path,
        config.bi_copy_path,
        config.warehouse_path.with_name(config.warehouse_path.name + ".wal"),
    ):
        path.unlink(missing_ok=True)
    for folder in (config.landing_dir, config.state_dir):
        shutil.rmtree(folder, ignore_errors=True)


def run_demo(config_path: str | None = None, *, fresh: bool = False) -> int:
    config_file = Path(config_path or DEMO_CONFIG).resolve()
    config = load_config(config_file)
    if fresh:
        progress(f"demo: starting from an empty warehouse at {config.warehouse_path}")
        wipe(config)
    for env, value in demo_credentials(config).items():
        os.environ.setdefault(env, value)

    with ExitStack() as stack:
        config = start_sandboxes(config, stack)
        send_sample_webhooks(config, config_file)
        progress("demo: leadsync check against the sandboxes")
        results = check(config)
        for name, result in results:
            progress(f"  {result.line(name)}")
        failed = [name for name, r in results if r.status == "failed"]
        if failed:
            raise UserError(f"The demo's check failed for {', '.join(failed)} (see the lines above).")
        outcome = load_sources(config, None)
        if outcome.failures:
            raise UserError(
                "The demo could not load "
                + ", ".join(n for n, _ in outcome.failures)
                + f" ({outcome.failures[0][1]})."
            )
    transform(config)

    from leadsync.reporting import build_report

    report_path = build_report(config)
    print()
    print("leadsync demo finished.")
    for line in summary_lines(config, outcome):
        print(line)
    print(f"report:         {report_path}")
    print(
        "next: open the report in a browser, `make dev` for the Dagster UI, or query the BI copy "
        "with any DuckDB client (see README)."
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(run_demo())
    except (ConfigError, UserError) as exc:
        print(f"leadsync: {exc}", file=sys.stderr)
        sys.exit(1)
