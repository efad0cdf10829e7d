"""`python -m leadsync.orchestration.prepare`: parse the dbt project once for the Dagster code location.

`make dev` runs it before `dagster dev`; run it at deploy time too (after installing, before
starting the webserver and daemon). It writes the manifest into the config's
`<state dir>/dagster_dbt/` with a stamp of the project files, vars and target it was parsed
from; processes loading the code location then read it instead of parsing (see
`dbt_project.ensure_manifest`). The config is found as the CLI finds it: `$LEADSYNC_CONFIG`,
else ./leadsync.yaml, or `--config PATH`.
"""

from __future__ import annotations

import argparse
import sys
import time

from leadsync.ingestion.config import ConfigError, load_config
from leadsync.orchestration.dbt_project import default_dbt_target, ensure_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadsync.orchestration.prepare", description=__doc__)
    parser.add_argument(
        "--config", default=None, help="leadsync.yaml (default: $LEADSYNC_CONFIG, ./leadsync.yaml)"
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"leadsync: {exc}", file=sys.stderr)
        return 1
    started = time.monotonic()
    manifest = ensure_manifest(config, default_dbt_target(config))
    print(f"leadsync: dbt manifest ready at {manifest} ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
