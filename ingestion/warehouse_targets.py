"""The warehouse targets leadsync can write to, declared once (config validation, the dlt destination,
the dbt profile, the README and `leadsync check` all read this table).

Only `duckdb` and `postgres` are exercised by the test suite against a real engine; the cloud
targets are wired through the same dlt destination / dbt adapter mechanism and their mapping is
tested, not a live connection (README "Scaling out" says so).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarehouseTarget:
    name: str
    dlt_destination: str  # dlt.destinations.<name>
    dbt_adapter: str  # profiles.yml output type (the dbt adapter package: dbt-<adapter>)
    needs_credentials: bool  # a `credentials_env` is required
    credentials_hint: str  # what the credentials env var holds, for error messages and docs
    server: bool  # many processes may connect at once (no single-writer file)
    tested_live: bool  # the suite runs the pipeline against a real engine of this kind


TARGETS: dict[str, WarehouseTarget] = {
    t.name: t
    for t in (
        WarehouseTarget(
            "duckdb", "duckdb", "duckdb", False, "the DuckDB file is `warehouse.path`", False, True
        ),
        WarehouseTarget(
            "postgres",
            "postgres",
            "postgres",
            True,
            "postgresql://user:password@host:5432/database",
            True,
            True,
        ),
        WarehouseTarget(
            "motherduck", "motherduck", "duckdb", True, "md:database?motherduck_token=TOKEN", True, False
        ),
        WarehouseTarget(
            "snowflake",
            "snowflake",
            "snowflake",
            True,
            "snowflake://user:password@account/database?warehouse=WH&role=ROLE",
            True,
            False,
        ),
        WarehouseTarget(
            "bigquery",
            "bigquery",
            "bigquery",
            True,
            "bigquery://project?keyfile=/path/key.json&location=EU",
            True,
            False,
        ),
    )
}
