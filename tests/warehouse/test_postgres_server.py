"""The PostgreSQL target against a real server: loads, the advisory lock, the reader role and
the one-transaction marts swap seen by a concurrent reader."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest

from leadsync.ingestion.config import parse_config
from leadsync.ingestion.warehouse import WarehouseBusy, advisory_lock, connect, relation_exists
from leadsync.orchestration.bi_copy import publish_bi_copy
from leadsync.orchestration.marts_swap import MARTS_BUILD_SCHEMA


def pg_config(tmp_path, **warehouse):
    return parse_config(
        {"warehouse": {"target": "postgres", "credentials_env": "LEADSYNC_TEST_PG_URL", **warehouse}},
        base_dir=tmp_path,
    )


def build_marts(config, generation: int, rows: int = 2000) -> None:
    """What dbt leaves in marts_build: two marts of one generation."""
    con = connect(config)
    cur = con.cursor()
    cur.execute(f"create schema if not exists {MARTS_BUILD_SCHEMA}")
    cur.execute(f"drop table if exists {MARTS_BUILD_SCHEMA}.a, {MARTS_BUILD_SCHEMA}.b")
    cur.execute(
        f"create table {MARTS_BUILD_SCHEMA}.a as select {generation} as gen, i from generate_series(1, {rows}) i"
    )
    cur.execute(f"create table {MARTS_BUILD_SCHEMA}.b as select {generation} as gen")
    cur.execute("create schema if not exists raw")
    cur.execute("create table if not exists raw.secret as select 'pii' as email")
    con.commit()
    con.close()


def test_connect_read_only_refuses_writes(tmp_path, pg_url):
    config = pg_config(tmp_path)
    con = connect(config, read_only=True)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        con.cursor().execute("create table x (i int)")
    con.close()


def test_advisory_lock_is_exclusive_and_released_when_the_holder_dies(tmp_path, pg_url, pg_server):
    config = pg_config(tmp_path)
    with advisory_lock(config):
        with pytest.raises(WarehouseBusy), advisory_lock(config, wait=False):
            pass
        with pytest.raises(WarehouseBusy), advisory_lock(config, timeout_seconds=0.2):
            pass
        with advisory_lock(config, "raw-load", wait=False):  # another scope is another lock
            pass
    with advisory_lock(config, wait=False):
        pass
    # A killed holder: the server drops its session, and with it the lock.
    from leadsync.ingestion.warehouse import advisory_key

    holder = psycopg2.connect(pg_url)
    holder.autocommit = True
    holder.cursor().execute("select pg_advisory_lock(%s)", [advisory_key(config)])
    with pytest.raises(WarehouseBusy), advisory_lock(config, wait=False):
        pass
    pid = holder.get_backend_pid()
    admin = pg_server.connect()
    admin.cursor().execute("select pg_terminate_backend(%s)", [pid])
    admin.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            with advisory_lock(config, wait=False):
                break
        except WarehouseBusy:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_publish_swaps_marts_and_the_reader_role_can_only_select(tmp_path, pg_url, pg_server):
    config = pg_config(tmp_path)
    build_marts(config, 1)
    described = publish_bi_copy(config)
    assert "leadsync_reader" in str(described)
    admin = pg_server.connect(pg_url.rsplit("/", 1)[1])
    cur = admin.cursor()
    cur.execute("drop role if exists bi_login")
    cur.execute("create role bi_login login password 'bi-pw'")
    cur.execute("grant leadsync_reader to bi_login")
    bi = psycopg2.connect(pg_server.url(pg_url.rsplit("/", 1)[1], user="bi_login", password="bi-pw"))
    bc = bi.cursor()
    bc.execute("select count(*), max(gen) from marts.a")
    assert bc.fetchone() == (2000, 1)
    for forbidden in (
        "select * from raw.secret",
        "insert into marts.b values (9)",
        "create table marts.c (i int)",
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            bc.execute(forbidden)
        bi.rollback()
    bi.close()
    # the next publish replaces the marts and keeps the grant
    build_marts(config, 2)
    publish_bi_copy(config)
    bi = psycopg2.connect(pg_server.url(pg_url.rsplit("/", 1)[1], user="bi_login", password="bi-pw"))
    bc = bi.cursor()
    bc.execute("select max(gen) from marts.b")
    assert bc.fetchone() == (2,)
    bi.close()
    assert not relation_exists(connect(config), config, "marts__next", "a")
    admin.close()


def test_a_concurrent_reader_never_sees_a_half_published_marts(tmp_path, pg_url):
    config = pg_config(tmp_path)
    build_marts(config, 0)
    publish_bi_copy(config)
    seen: list[tuple] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        con = psycopg2.connect(pg_url)
        con.autocommit = True
        cur = con.cursor()
        try:
            while not stop.is_set():
                # one statement over both marts: the same generation, and every row of it
                cur.execute(
                    "select (select max(gen) from marts.a), (select count(*) from marts.a), (select max(gen) from marts.b)"
                )
                seen.append(cur.fetchone())
                # and a repeatable-read transaction reading them one after another
                cur.execute("begin isolation level repeatable read")
                cur.execute("select max(gen), count(*) from marts.a")
                first = cur.fetchone()
                cur.execute("select max(gen) from marts.b")
                second = cur.fetchone()
                cur.execute("commit")
                seen.append((first[0], first[1], second[0]))
        except BaseException as err:  # noqa: BLE001 - reported by the test thread
            errors.append(err)
        finally:
            con.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for generation in range(1, 6):
        build_marts(config, generation)
        publish_bi_copy(config)
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(seen) > 10
    generations = {row[0] for row in seen}
    assert len(generations) > 1  # the reader did overlap with publishing
    for gen_a, count_a, gen_b in seen:
        assert gen_a == gen_b and count_a == 2000, (gen_a, count_a, gen_b)
