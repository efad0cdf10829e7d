"""The configured warehouse as dlt, dbt and Python readers see it.

One place turns `warehouse:` (target + credentials_env) into
- the dlt destination the loads write to (`dlt_destination`),
- the environment transform/profiles.yml reads to pick and fill the dbt output (`dbt_env`),
- connections for Python code that reads or erases (`connect`, `placeholder`, `relation_exists`),
- `advisory_lock`, the server-side single-writer lock leadsync's warehouse lock uses on PostgreSQL.

Connection strings live in the environment variable `warehouse.credentials_env` names; they are
read here when needed, never stored in the config object or logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from leadsync.ingestion.config_base import ConfigError

if TYPE_CHECKING:
    from leadsync.ingestion.config import LeadsyncConfig

# What transform/profiles.yml reads. DBT_WAREHOUSE_ENV is kept from the DuckDB-only days so a
# hand-run `dbt build` keeps working with the same variable.
DBT_TARGET_ENV = "LEADSYNC_DBT_TARGET"
DBT_WAREHOUSE_ENV = "LEADSYNC_DBT_WAREHOUSE"
DBT_ENV_PREFIX = "LEADSYNC_DBT_"
# The schema dbt uses for anything without a custom schema (nothing today; dbt needs one).
DBT_DEFAULT_SCHEMA = "leadsync"


class WarehouseBusy(Exception):
    """Another leadsync process holds the warehouse lock (raised when not waiting for it)."""


@dataclass(frozen=True)
class ServerUrl:
    """A parsed `scheme://user:password@host:port/database?query` connection URL."""

    scheme: str
    user: str
    password: str
    host: str
    port: int | None
    database: str
    query: dict[str, str]


def parse_url(url: str) -> ServerUrl:
    parts = urlsplit(url)
    return ServerUrl(
        scheme=parts.scheme,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=parts.hostname or "",
        port=parts.port,
        database=unquote(parts.path.lstrip("/")),
        query={k: v[-1] for k, v in parse_qs(parts.query).items()},
    )


def _motherduck_parts(dsn: str) -> tuple[str, str]:
    """`md:db?motherduck_token=T` (DuckDB's own form, also what dbt-duckdb takes) -> (db, token)."""
    rest = dsn.split(":", 1)[1].lstrip("/") if ":" in dsn else dsn
    database, _, query = rest.partition("?")
    token = parse_qs(query).get("motherduck_token", parse_qs(query).get("token", [""]))[-1]
    return database, token


# ---------------------------------------------------------------------------------------------
# dlt
# ---------------------------------------------------------------------------------------------
def dlt_destination(config: LeadsyncConfig) -> Any:
    """The dlt destination for the configured target (https://dlthub.com/docs/dlt-ecosystem/destinations/)."""
    import dlt

    target = config.warehouse.spec
    if target.name == "duckdb":
        return dlt.destinations.duckdb(credentials=str(config.warehouse_path))
    dsn = config.warehouse_credentials()
    if target.name == "postgres":
        return dlt.destinations.postgres(credentials=dsn)
    if target.name == "motherduck":
        # dlt's form is md:///<database>?token=<service token> (dlt motherduck factory docs).
        database, token = _motherduck_parts(dsn)
        return dlt.destinations.motherduck(credentials=f"md:///{database}?token={token}")
    if target.name == "snowflake":
        return dlt.destinations.snowflake(credentials=dsn)
    if target.name == "bigquery":
        url = parse_url(dsn)
        keyfile = url.query.get("keyfile")
        if not keyfile:
            raise ConfigError("The bigquery credentials URL needs ?keyfile=/path/to/service-account.json")
        with open(keyfile, encoding="utf-8") as fh:
            credentials = json.load(fh)
        credentials.setdefault("project_id", url.host)
        return dlt.destinations.bigquery(credentials=credentials, location=url.query.get("location", "US"))
    raise ConfigError(f"warehouse target {target.name!r} has no dlt destination")  # table lags code


# ---------------------------------------------------------------------------------------------
# dbt
# ---------------------------------------------------------------------------------------------
def dbt_env(config: LeadsyncConfig) -> dict[str, str]:
    """Environment for transform/profiles.yml: which output, and that output's connection fields."""
    target = config.warehouse.spec
    env = {DBT_TARGET_ENV: target.name}
    if target.name == "duckdb":
        env[DBT_WAREHOUSE_ENV] = str(config.warehouse_path)
        return env
    dsn = config.warehouse_credentials()
    if target.name == "motherduck":
        database, token = _motherduck_parts(dsn)
        env[DBT_WAREHOUSE_ENV] = f"md:{database}"
        env[DBT_ENV_PREFIX + "PASSWORD"] = token  # dbt-duckdb passes it as motherduck_token
        return env
    url = parse_url(dsn)
    if target.name == "postgres":
        env.update(
            {
                # libpq sends it at connect: date_trunc/casts of timestamptz read in UTC, as on DuckDB
                "PGTZ": "UTC",
                DBT_ENV_PREFIX + "HOST": url.host or "localhost",
                DBT_ENV_PREFIX + "PORT": str(url.port or 5432),
                DBT_ENV_PREFIX + "USER": url.user,
                DBT_ENV_PREFIX + "PASSWORD": url.password,
                DBT_ENV_PREFIX + "DATABASE": url.database,
            }
        )
    elif target.name == "snowflake":
        env.update(
            {
                DBT_ENV_PREFIX + "ACCOUNT": url.host,
                DBT_ENV_PREFIX + "USER": url.user,
                DBT_ENV_PREFIX + "PASSWORD": url.password,
                DBT_ENV_PREFIX + "DATABASE": url.database.split("/")[0],
                DBT_ENV_PREFIX + "COMPUTE": url.query.get("warehouse", ""),
                DBT_ENV_PREFIX + "ROLE": url.query.get("role", ""),
            }
        )
    elif target.name == "bigquery":
        env.update(
            {
                DBT_ENV_PREFIX + "PROJECT": url.host,
                DBT_ENV_PREFIX + "KEYFILE": url.query.get("keyfile", ""),
                DBT_ENV_PREFIX + "LOCATION": url.query.get("location", "US"),
            }
        )
    return env


# ---------------------------------------------------------------------------------------------
# Python connections (reading marts, forget, check)
# ---------------------------------------------------------------------------------------------
def placeholder(config: LeadsyncConfig) -> str:
    """The DB-API parameter marker of `connect(config)`: DuckDB `?`, psycopg2 `%s`."""
    return "?" if config.warehouse.spec.dlt_destination in ("duckdb", "motherduck") else "%s"


def connect(config: LeadsyncConfig, *, read_only: bool = False) -> Any:
    """A DB-API 2 connection to the warehouse (DuckDB or PostgreSQL), caller closes it.

    `read_only` makes the session refuse writes (DuckDB opens the file read-only; PostgreSQL sets
    default_transaction_read_only), so `leadsync check` and the report cannot change anything.
    """
    target = config.warehouse.spec
    if target.name == "duckdb":
        import duckdb

        return duckdb.connect(str(config.warehouse_path), read_only=read_only)
    if target.name == "postgres":
        import psycopg2

        con = psycopg2.connect(
            config.warehouse_credentials(),
            application_name="leadsync",
            options="-c default_transaction_read_only=on" if read_only else "",
        )
        return con
    raise ConfigError(
        f"leadsync reads the {target.name!r} warehouse only through dlt and dbt; Python readers "
        "(report, forget, check) support duckdb and postgres (README 'Scaling out')."
    )


def relation_exists(con: Any, config: LeadsyncConfig, schema: str, name: str) -> bool:
    """Whether `schema.name` is a table or view the connection can see."""
    mark = placeholder(config)
    cur = con.cursor()
    cur.execute(
        f"select count(*) from information_schema.tables where table_schema = {mark} and table_name = {mark}",
        [schema, name],
    )
    return bool(cur.fetchone()[0])


# ---------------------------------------------------------------------------------------------
# The single-writer lock on a server
# ---------------------------------------------------------------------------------------------
def advisory_key(config: LeadsyncConfig, scope: str = "warehouse") -> int:
    """A signed 64-bit key for pg_advisory_lock, the same for every process on this warehouse.

    Derived from host, port, database and `scope`, never from the password, so two configs
    pointing at the same database (another user, another file) contend for the same key.
    """
    url = parse_url(config.warehouse_credentials())
    ident = f"leadsync|{url.host}|{url.port or 5432}|{url.database}|{scope}"
    return int.from_bytes(hashlib.blake2b(ident.encode(), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def advisory_lock(
    config: LeadsyncConfig,
    scope: str = "warehouse",
    *,
    wait: bool = True,
    timeout_seconds: float | None = None,
) -> Iterator[None]:
    """Hold PostgreSQL's session-level advisory lock for `scope` while the block runs.

    The lock lives on its own connection, so it is released when the block ends, and also when
    the process dies (the server drops the session): a killed sync never leaves it held.
    `wait=False` raises WarehouseBusy at once when another process holds it; `timeout_seconds`
    bounds the wait (lock_timeout) and raises WarehouseBusy when it runs out.
    https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
    """
    if config.warehouse.target != "postgres":
        raise ConfigError("advisory_lock is PostgreSQL's; the DuckDB warehouse is locked by its file")
    import psycopg2
    import psycopg2.errors

    key = advisory_key(config, scope)
    con = psycopg2.connect(config.warehouse_credentials(), application_name=f"leadsync lock {scope}")
    con.autocommit = True
    try:
        cur = con.cursor()
        if not wait:
            cur.execute("select pg_try_advisory_lock(%s)", [key])
            if not cur.fetchone()[0]:
                raise WarehouseBusy(f"another leadsync process holds the {scope} lock")
        else:
            if timeout_seconds is not None:
                cur.execute(
                    "select set_config('lock_timeout', %s, false)", [f"{int(timeout_seconds * 1000)}ms"]
                )
            try:
                cur.execute("select pg_advisory_lock(%s)", [key])
            except psycopg2.errors.LockNotAvailable:
                raise WarehouseBusy(
                    f"another leadsync process held the {scope} lock for more than {timeout_seconds}s"
                ) from None
        try:
            yield
        finally:
            cur.execute("select pg_advisory_unlock(%s)", [key])
    finally:
        con.close()
