"""Run one sandbox standalone: ``python -m leadsync.ingestion.sandboxes meta --port 8901``.

Prints the base_url (and token_url) to put into leadsync.yaml, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading

from leadsync.ingestion.sandboxes import STARTERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadsync.ingestion.sandboxes",
        description="Serve a local ad-platform lead API sandbox.",
    )
    parser.add_argument("platform", choices=sorted(STARTERS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    sandbox = STARTERS[args.platform](port=args.port, host=args.host)
    print(f"{args.platform} sandbox: base_url {sandbox.url}", flush=True)
    if hasattr(sandbox, "token_url"):
        print(f"{args.platform} sandbox: token_url {sandbox.token_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
