"""`make dev`: the Dagster UI for a config, ready to run every job in it.

    python -m leadsync.orchestration.dev [--config PATH] [--demo | --no-demo] [--port 3000]

1. With the bundled demo config (the default when neither `--config` nor `$LEADSYNC_CONFIG` names
   another file) or `--demo`: start the sandboxes `make demo` starts (local servers speaking the
   platforms' real APIs), set the demo credentials for variables the environment does not define,
   and post the signed sample webhooks when the landing store is empty. So every job in the UI
   succeeds as it does in `make demo`.
   With any other config: nothing is faked. A source whose secret variable is missing shows it
   on its asset (description and `missing_env` metadata) and fails at once, naming it.
2. Prepare the dbt manifest once (`dbt_project.ensure_manifest`); step processes only read it.
3. Run `dagster dev` with that environment; the sandboxes live as long as it does.

Schedules and sensors start stopped either way (see schedules.py / sensors.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import yaml

from leadsync.ingestion.config import CONFIG_ENV, ConfigError, LeadsyncConfig, config_path, load_config
from leadsync.orchestration.dbt_project import default_dbt_target, ensure_manifest
from leadsync.orchestration.use_cases.demo import (
    DEMO_CONFIG,
    demo_credentials,
    send_sample_webhooks,
    start_sandboxes,
)
from leadsync.orchestration.use_cases.errors import UserError, progress

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "workspace.yaml"
SANDBOXED_CONFIG = ".leadsync.dev.yaml"  # written beside the config, so its relative paths hold
_URL_FIELDS = ("base_url", "token_url", "login_url")


def sandboxed_config_file(config_file: Path, original: LeadsyncConfig, served: LeadsyncConfig) -> Path:
    """`config_file`, or (when a sandbox had to take another port) a copy pointing at the sandboxes."""
    changes = {
        new.name: {f: getattr(new, f) for f in _URL_FIELDS if getattr(new, f, None) != getattr(old, f, None)}
        for old, new in zip(original.sources, served.sources, strict=True)
    }
    changes = {name: fields for name, fields in changes.items() if fields}
    if not changes:
        return config_file
    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for entry in raw.get("sources", []):
        entry.update(changes.get(entry.get("name"), {}))
    out = config_file.with_name(SANDBOXED_CONFIG)
    out.write_text(
        f"# Written by `make dev` from {config_file.name}: the sandboxes' addresses. Do not edit.\n"
        + yaml.safe_dump(raw, sort_keys=False),
        encoding="utf-8",
    )
    return out


def prepare_demo(config_file: Path, stack: ExitStack) -> Path:
    """Sandboxes, demo secrets (in os.environ, inherited by dagster dev), sample webhooks.

    Returns the config file the code location should load. The sandboxes stop with `stack`.
    """
    config = load_config(config_file)
    for env, value in demo_credentials(config).items():
        os.environ.setdefault(env, value)
    served = start_sandboxes(config, stack)
    serving_file = sandboxed_config_file(config_file, config, served)
    landing_empty = not config.landing_dir.exists() or not any(config.landing_dir.rglob("*"))
    if landing_empty:
        send_sample_webhooks(served, serving_file)
    return serving_file


def dagster_dev_command(workspace: Path, host: str, port: int) -> list[str]:
    dagster = Path(sys.executable).parent / "dagster"
    return [str(dagster), "dev", "-w", str(workspace), "-h", host, "-p", str(port)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadsync.orchestration.dev", description=__doc__)
    parser.add_argument("--config", default=None)
    demo = parser.add_mutually_exclusive_group()
    demo.add_argument("--demo", dest="demo", action="store_true", default=None)
    demo.add_argument("--no-demo", dest="demo", action="store_false")
    parser.add_argument("--workspace", default=str(WORKSPACE))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    config_file = config_path(args.config).resolve()
    use_demo = args.demo if args.demo is not None else config_file == DEMO_CONFIG.resolve()
    with ExitStack() as stack:
        try:
            serving_file = prepare_demo(config_file, stack) if use_demo else config_file
            os.environ[CONFIG_ENV] = str(serving_file)
            config = load_config(serving_file)
            progress("dev: preparing the dbt manifest (once; steps only read it)")
            ensure_manifest(config, default_dbt_target(config))
        except (ConfigError, UserError) as exc:
            print(f"leadsync: {exc}", file=sys.stderr)
            return 1
        progress(f"dev: Dagster UI at http://{args.host}:{args.port} for {serving_file}")
        progress("dev: schedules and sensors are stopped; turn them on under Automation")
        dagster = subprocess.Popen(dagster_dev_command(Path(args.workspace), args.host, args.port), cwd=REPO)
        try:
            return dagster.wait()
        except KeyboardInterrupt:
            dagster.send_signal(signal.SIGINT)  # dagster dev stops its webserver and daemon
            try:
                return dagster.wait(timeout=30)
            except subprocess.TimeoutExpired:
                dagster.kill()
                return dagster.wait()


if __name__ == "__main__":
    sys.exit(main())
