"""`leadsync docs`: generate the dbt docs site (every mart and column described) and serve it.

The site is static (index.html + manifest.json + catalog.json), so it is served with the
standard library rather than `dbt docs serve`: one fewer process holding the port, and the
files come from leadsync's own folder beside the warehouse, never transform/target.
"""

from __future__ import annotations

import functools
import http.server
import logging
from pathlib import Path

from leadsync.ingestion.config import LeadsyncConfig
from leadsync.orchestration.dbt_project import run_dbt

DOCS_FILES = ("index.html", "manifest.json", "catalog.json")

log = logging.getLogger("leadsync.docs")


def docs_dir(config: LeadsyncConfig) -> Path:
    return config.state_dir / "dbt_docs"


def generate_docs(
    config: LeadsyncConfig, target_path: Path | None = None, project_dir: Path | None = None
) -> Path:
    """Run `dbt docs generate` into `target_path` (default: beside the warehouse); returns it.

    The catalog reads column types from the warehouse, so run it when no sync is writing.
    """
    target = Path(target_path or docs_dir(config))
    target.mkdir(parents=True, exist_ok=True)
    invocation = run_dbt(
        config, ["docs", "generate"], raise_on_error=False, target_path=target, project_dir=project_dir
    )
    if not invocation.is_successful():
        raise RuntimeError(
            f"dbt docs generate failed (see {target}); run `leadsync transform` first so the "
            "marts exist, then try again."
        )
    missing = [f for f in DOCS_FILES if not (target / f).exists()]
    if missing:
        raise RuntimeError(f"dbt docs generate did not write {', '.join(missing)} in {target}")
    return target


def docs_server(
    directory: Path, host: str = "127.0.0.1", port: int = 8080
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the generated site (port 0 picks a free port: see `server_address`)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("docs: " + format, *args)


def serve_docs(config: LeadsyncConfig, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Generate the docs, then serve them until interrupted (Ctrl-C)."""
    directory = generate_docs(config)
    server = docs_server(directory, host, port)
    bound_host, bound_port = server.server_address[:2]
    print(f"dbt docs for the leadsync marts: http://{bound_host}:{bound_port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
