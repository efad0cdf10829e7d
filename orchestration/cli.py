"""The `leadsync` command: a thin adapter over the use cases (orchestration/use_cases), which the
Dagster assets and the demo call too.

Every failure ends in one plain line on stderr saying what failed and what to do, and a
non-zero exit code; progress for long steps goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from leadsync.ingestion.config import ConfigError, LeadsyncConfig, config_path, load_config, parse_config
from leadsync.orchestration.use_cases.errors import (
    UserError,
    keep_secret,
    log_exception,
    log_line,
    one_line,
    progress,
    redact,
    root_cause,
    run_log,
    secret_values,
    start_run_log,
)
from leadsync.orchestration.use_cases.summary import summary_lines
from leadsync.orchestration.use_cases.sync import failed_sources_error, sync
from leadsync.orchestration.use_cases.transform import transform

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


def _print_summary(config: LeadsyncConfig, outcome) -> None:
    for line in summary_lines(config, outcome):
        print(line)


# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------
def cmd_sync(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    outcome = sync(config, args.source, transform=not args.no_transform, reparse_source=args.reparse)
    _print_summary(config, outcome)
    error = failed_sources_error(outcome)
    if error:
        raise error
    return EXIT_OK


def cmd_transform(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    transform(config)
    _print_summary(config, None)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# other commands
# ---------------------------------------------------------------------------------------------
def cmd_serve_webhooks(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.ingestion.webhooks.receiver import serve

    webhook_sources = config.sources_of_type("webhook")
    if not webhook_sources:
        raise UserError("No source of type webhook is configured; add one to the config first.")
    progress(
        f"receiving webhooks on http://{args.host}:{args.port}/webhooks/<source> for "
        + ", ".join(s.name for s in webhook_sources)
    )
    serve(config, args.host, args.port)
    return EXIT_OK


def cmd_report(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.reporting import ReportError, build_report

    try:
        path = build_report(config, args.out)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    print(f"report written: {path}")
    return EXIT_OK


def cmd_forget(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.orchestration.use_cases.forget import forget_person, list_suppressed

    if args.list:
        entries = list_suppressed(config)
        print(
            f"{len(entries)} identifier(s) suppressed (HMAC-SHA256 with this warehouse's key; no personal data)"
        )
        for e in entries:
            print(
                f"{e.kind:<6} {e.identifier_hash}  forgotten {e.forgotten_at:%Y-%m-%d %H:%M}  removed {e.records_removed}"
            )
        if entries:
            print(
                f"records dropped by later loads (all suppressed identifiers): {entries[0].records_dropped_since}"
            )
        return EXIT_OK
    if not args.email:
        raise UserError("Give the email of the person to forget, or --list to see who is suppressed.")
    report = forget_person(config, args.email, progress=progress)
    for place, count in report.removed.items():
        print(f"removed {count:>5}  {place}")
    print(f"total removed: {report.total}")
    print(f"suppressed: {report.identifiers} identifier(s); later loads drop their records")
    for note in report.notes:
        print(f"note: {note}")
    return EXIT_OK


def cmd_check(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.orchestration.use_cases.check import check

    results = check(config, args.source)
    for name, result in results:
        print(result.line(name))
    failed = [name for name, r in results if r.status == "failed"]
    if failed:
        raise UserError(f"check failed for {', '.join(failed)}: see the lines above for what to do.")
    return EXIT_OK


def cmd_docs(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.orchestration.docs import serve_docs

    serve_docs(config, args.host, args.port)
    return EXIT_OK


def cmd_demo(config_path: str | None, args: argparse.Namespace) -> int:
    from leadsync.orchestration.use_cases.demo import run_demo

    return run_demo(config_path, fresh=args.fresh)


# ---------------------------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------------------------
CONFIG_HELP = "config file (default: $LEADSYNC_CONFIG or ./leadsync.yaml)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadsync",
        description="Sync sales-lead sources into a warehouse and build the lead marts.",
    )
    parser.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    # Global options are accepted after the command too (`leadsync sync --config x.yaml`);
    # SUPPRESS keeps a value given before the command when none is given after it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    p = command("sync", "extract+load the configured sources, then build the dbt project")
    p.add_argument(
        "--source",
        action="append",
        metavar="NAME",
        help="only this source (repeatable; default: all enabled sources)",
    )
    p.add_argument("--no-transform", action="store_true", help="load only; skip the dbt build")
    p.add_argument(
        "--reparse",
        metavar="NAME",
        help="re-parse a webhook source's stored submissions (after a parser fix)",
    )

    command("transform", "build (run + test) the dbt project only")

    p = command("check", "read-only doctor: config, secrets, files, one API call per source, warehouse")
    p.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")

    p = command("serve-webhooks", "run the web-form webhook receiver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)

    p = command("report", "write the source-quality report (one HTML file)")
    p.add_argument("--out", metavar="PATH", help="where to write it (default: beside the warehouse)")

    p = command("forget", "erase one person everywhere and keep them out of later loads")
    p.add_argument("email", nargs="?")
    p.add_argument("--list", action="store_true", help="show the suppression list (hashes, dates, counts)")

    p = command("docs", "serve the dbt docs of the marts")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8580)

    p = command("demo", "run the whole pipeline on the bundled sample data")
    p.add_argument("--fresh", action="store_true", help="start from an empty demo warehouse")
    return parser


COMMANDS = {
    "sync": cmd_sync,
    "transform": cmd_transform,
    "serve-webhooks": cmd_serve_webhooks,
    "report": cmd_report,
    "forget": cmd_forget,
    "docs": cmd_docs,
    "check": cmd_check,
}


def _fail(message: str, exc: BaseException) -> None:
    """The one line a failure ends with, naming the run log that holds the details."""
    log_exception(exc)
    log = run_log()
    where = f" Log: {log}" if log else ""
    line = redact(message) + where
    log_line(line)
    print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return cmd_demo(args.config, args)
        config = load_config(args.config)
        keep_secret(secret_values(config))
        start_run_log(config.state_dir / "logs", args.command)
        return COMMANDS[args.command](config, args)
    except ConfigError as exc:
        if run_log() is None:  # the config did not load: the log goes where its default state would
            start_run_log(
                parse_config({}, base_dir=config_path(args.config).resolve().parent).state_dir / "logs",
                args.command,
            )
        _fail(f"leadsync: {exc}", exc)
        return EXIT_CONFIG
    except UserError as exc:
        _fail(f"leadsync: {exc}", exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leadsync: interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: still one plain line
        cause = root_cause(exc)
        _fail(
            f"leadsync: {args.command} failed: {type(cause).__name__}: {one_line(cause)}. "
            "Run again; if it persists, report it with this line and the log.",
            exc,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
