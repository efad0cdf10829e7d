"""A throwaway PostgreSQL cluster for tests: Debian's server, installed when missing, started with
initdb + pg_ctl in a temporary folder on a free loopback port, as an unprivileged user.

Why a real server: the point of the PostgreSQL target is that dlt, dbt-postgres and leadsync's
own SQL agree with what PostgreSQL actually accepts; an imitation cannot tell us that.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from apt_packages import PackageUnavailable, ensure_installed

SUPERUSER = "leadsync_admin"
PASSWORD = "leadsync-test-pw"


class PostgresUnavailable(Exception):
    pass


def _bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    which = shutil.which("initdb")
    return Path(which).resolve().parent if which else None


def ensure_postgres() -> Path:
    """The server's bin folder; installs Debian's `postgresql` first when it is missing (as root)."""
    try:
        return ensure_installed(["postgresql"], _bindir)
    except PackageUnavailable as err:
        raise PostgresUnavailable(str(err)) from err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", **kw):
        import psycopg2

        con = psycopg2.connect(self.url(database, **kw))
        con.autocommit = True
        return con

    def create_database(self, prefix: str = "leads") -> str:
        """A fresh, empty database; every test gets its own, so tests never see each other's tables."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        con = self.connect()
        try:
            con.cursor().execute(f'create database "{name}"')
        finally:
            con.close()
        return name

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        return _run(self.run_as, [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args])


def _run(user: str | None, cmd: list[str]) -> subprocess.CompletedProcess:
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def start_server() -> PgServer:
    bindir = ensure_postgres()
    # initdb refuses to run as root; Debian's package creates the unprivileged `postgres` user.
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as err:
            raise PostgresUnavailable("running as root and there is no `postgres` user") from err
        run_as = "postgres"
    base = Path(tempfile.mkdtemp(prefix="leadsync-pg-"))
    datadir = base / "data"
    pwfile = base / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if run_as:
        entry = pwd.getpwnam(run_as)
        for p in (base, pwfile):
            os.chown(p, entry.pw_uid, entry.pw_gid)
    done = _run(
        run_as,
        [
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
        ],
    )
    if done.returncode:
        raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
    server = PgServer(bindir, datadir, _free_port(), run_as)
    # fsync off: a crashed test cluster is thrown away anyway, and it keeps the shared disk quiet.
    opts = f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    done = server._pg_ctl("-o", opts, "-l", str(base / "server.log"), "-w", "-t", "60", "start")
    if done.returncode:
        log = (
            (base / "server.log").read_text(errors="replace")[-800:] if (base / "server.log").exists() else ""
        )
        raise PostgresUnavailable(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {log}")
    return server
