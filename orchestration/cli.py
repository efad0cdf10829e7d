"""The `leadsync` command. It calls the same functions the Dagster assets call.

Every failure ends in one plain line on stderr saying what failed and what to do, and a
non-zero exit code; progress for long steps goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from leadsync.ingestion.config import ConfigError, LeadsyncConfig, load_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


class CommandError(Exception):
    """A failure the user can act on; its message is the one line the CLI prints."""


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def root_cause(exc: BaseException) -> BaseException:
    """dlt and dagster wrap the real error several times; the innermost one says what happened."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 400 else text[:397] + "..."


# ---------------------------------------------------------------------------------------------
# sync / transform
# ---------------------------------------------------------------------------------------------
@dataclass
class SyncOutcome:
    results: list[Any] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, message)


def load_sources(config: LeadsyncConfig, names: Sequence[str] | None) -> SyncOutcome:
    """Load the selected sources one after another; a failing source doesn't stop the others."""
    from leadsync.ingestion.pipeline import run_source

    for name in names or ():
        config.source(name)  # unknown names fail before anything runs
    selected = [config.source(n) for n in names] if names else config.enabled_sources
    missing = config.missing_secrets([s.name for s in selected if s.type != "webhook"])
    if missing:
        raise CommandError("Missing secrets: " + "; ".join(missing) + ". Export them and run again.")
    outcome = SyncOutcome()
    for src in selected:
        try:
            outcome.results.append(run_source(config, src.name, progress))
        except Exception as exc:  # noqa: BLE001 - reported per source, others go on
            message = one_line(root_cause(exc))
            progress(f"{src.name}: FAILED: {message}")
            outcome.failures.append((src.name, message))
    return outcome


def build_transform(config: LeadsyncConfig) -> None:
    """dbt build (models + tests) with progress, then publish the BI copy."""
    from leadsync.orchestration.bi_copy import publish_bi_copy
    from leadsync.orchestration.dbt_project import dbt_resource, dbt_vars_arg

    progress("transform: dbt build")
    started = time.perf_counter()
    invocation = dbt_resource(config).cli(["build", *dbt_vars_arg(config)], raise_on_error=False)
    failed: list[str] = []
    done = {"model": 0, "test": 0, "seed": 0}
    # dagster-dbt echoes every raw dbt line to stdout; the summary below is what users need
    # (the full log is in dbt's own log file).
    with contextlib.redirect_stdout(io.StringIO()):
        for event in invocation.stream_raw_events():
            info = event.raw_event.get("info", {})
            if info.get("name") not in ("LogModelResult", "LogSeedResult", "LogTestResult"):
                continue
            node = event.raw_event.get("data", {}).get("node_info", {})
            kind = (
                "test"
                if info["name"] == "LogTestResult"
                else ("seed" if info["name"] == "LogSeedResult" else "model")
            )
            done[kind] += 1
            status = str(node.get("node_status", ""))
            if status in ("error", "fail", "runtime error"):
                failed.append(f"{node.get('node_name', '?')} ({status})")
                progress(f"  dbt: {info.get('msg', '').strip()}")
            elif kind == "model":
                relation = node.get("node_relation") or {}
                progress(
                    f"  dbt: built {relation.get('schema', '?')}.{relation.get('alias') or node.get('node_name')}"
                )
    progress(f"transform: {done['model']} models, {done['seed']} seeds, {done['test']} tests run")
    if not invocation.is_successful():
        detail = ", ".join(failed[:5]) or one_line(invocation.get_error() or Exception("see dbt log"))
        raise CommandError(
            f"The transform failed: {detail}. Fix the model or data named there and run "
            "`leadsync transform` again (details in transform/logs/dbt.log)."
        )
    progress(f"transform: built in {time.perf_counter() - started:.1f}s; publishing the BI copy")
    path = publish_bi_copy(config)
    progress(f"transform: BI copy published at {path}")


def warehouse_summary(config: LeadsyncConfig) -> dict[str, int]:
    """Headline counts from the marts, read from the published BI copy."""
    import duckdb

    path = config.bi_copy_path if config.bi_copy_path.exists() else config.warehouse_path
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:

        def scalar(sql: str) -> int:
            try:
                return int(con.execute(sql).fetchone()[0] or 0)
            except duckdb.Error:
                return 0

        return {
            "leads": scalar("select count(*) from marts.dim_leads"),
            "mqls": scalar("select count(*) from marts.dim_leads where is_mql"),
            "touches": scalar("select count(*) from marts.fct_lead_touches"),
            "quarantined_total": scalar("select count(*) from marts.quarantine"),
        }
    finally:
        con.close()


def print_sync_summary(config: LeadsyncConfig, outcome: SyncOutcome | None) -> None:
    if outcome is not None:
        print("source                     rows loaded   quarantined")
        for r in outcome.results:
            print(f"{r.source_name:<26} {r.rows_loaded:>11}   {r.quarantined:>11}")
        for name, _ in outcome.failures:
            print(f"{name:<26} {'FAILED':>11}")
    summary = warehouse_summary(config)
    if summary:
        print(
            f"warehouse: {summary['leads']} leads ({summary['mqls']} MQLs) from "
            f"{summary['touches']} records; {summary['quarantined_total']} rows in marts.quarantine"
        )
    print(f"warehouse file: {config.warehouse_path}")
    print(f"BI copy:        {config.bi_copy_path}")


def cmd_sync(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    for warning in config.warnings():
        progress(f"warning: {warning}")
    if args.reparse:
        from leadsync.ingestion.webhooks.source import reparse_source

        src = config.source(args.reparse)
        if src.type != "webhook":
            raise CommandError(f"--reparse works on webhook sources; {src.name!r} is a {src.type} source.")
        progress(f"{src.name}: re-parsing stored submissions")
        reparse_source(config, src.name)
    outcome = load_sources(config, args.source)
    if not args.no_transform:
        build_transform(config)
    print_sync_summary(config, outcome)
    if outcome.failures:
        names = ", ".join(n for n, _ in outcome.failures)
        first = outcome.failures[0][1]
        raise CommandError(
            f"Source(s) {names} failed ({first}); the others were loaded. "
            f"Fix it and run `leadsync sync --source {outcome.failures[0][0]}`."
        )
    return EXIT_OK


def cmd_transform(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    build_transform(config)
    print_sync_summary(config, None)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# other commands
# ---------------------------------------------------------------------------------------------
def cmd_serve_webhooks(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.ingestion.webhooks.receiver import serve

    webhook_sources = config.sources_of_type("webhook")
    if not webhook_sources:
        raise CommandError("No source of type webhook is configured; add one to the config first.")
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
        raise CommandError(str(exc)) from None
    print(f"report written: {path}")
    return EXIT_OK


def cmd_forget(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.orchestration.forget import forget_person

    report = forget_person(config, args.email, progress=progress)
    for place, count in report.removed.items():
        print(f"removed {count:>5}  {place}")
    print(f"total removed: {report.total}")
    for note in report.notes:
        print(f"note: {note}")
    return EXIT_OK


def cmd_docs(config: LeadsyncConfig, args: argparse.Namespace) -> int:
    from leadsync.orchestration.docs import serve_docs

    serve_docs(config, args.host, args.port)
    return EXIT_OK


def cmd_demo(config_path: str | None, args: argparse.Namespace) -> int:
    from leadsync.orchestration.demo import run_demo

    return run_demo(config_path, fresh=args.fresh)


# ---------------------------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadsync",
        description="Sync sales-lead sources into a DuckDB warehouse and build the lead marts.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: $LEADSYNC_CONFIG or ./leadsync.yaml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("sync", help="extract+load the configured sources, then build the dbt project")
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

    sub.add_parser("transform", help="build (run + test) the dbt project only")

    p = sub.add_parser("serve-webhooks", help="run the web-form webhook receiver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787)

    p = sub.add_parser("report", help="write the source-quality report (one HTML file)")
    p.add_argument("--out", metavar="PATH", help="where to write it (default: beside the warehouse)")

    p = sub.add_parser("forget", help="erase one person from landing files, raw tables and marts")
    p.add_argument("email")

    p = sub.add_parser("docs", help="serve the dbt docs of the marts")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8580)

    p = sub.add_parser("demo", help="run the whole pipeline on the bundled sample data")
    p.add_argument("--fresh", action="store_true", help="start from an empty demo warehouse")
    return parser


COMMANDS = {
    "sync": cmd_sync,
    "transform": cmd_transform,
    "serve-webhooks": cmd_serve_webhooks,
    "report": cmd_report,
    "forget": cmd_forget,
    "docs": cmd_docs,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return cmd_demo(args.config, args)
        config = load_config(args.config)
        return COMMANDS[args.command](config, args)
    except ConfigError as exc:
        print(f"leadsync: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CommandError as exc:
        print(f"leadsync: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leadsync: interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: still one plain line
        cause = root_cause(exc)
        print(
            f"leadsync: {args.command} failed: {type(cause).__name__}: {one_line(cause)}. "
            "Run again; if it persists, report it with this line.",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
