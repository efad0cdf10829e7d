"""The csv source through the real dlt pipeline into a tmp DuckDB: counts, schema, incremental runs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import fsspec

from leadsync.ingestion.lead import raw_lead_schema
from leadsync.ingestion.pipeline import run_source

EXPO = (
    "Badge ID;Name;Company;E-Mail;Booth Notes\r\n"
    "B-1;Müller, Jürgen;Müller GmbH;j.mueller@mueller.de;wants pricing\r\n"
    "B-2;Ada Lovelace;Analytical Ltd;ada@analytical.co.uk;\r\n"
    "B-3;too;many;fields;here;extra\r\n"
    "B-4;;;;scanner misfire\r\n"
)
PURCHASED = (
    "First Name\tLast Name\tCompany Name\tEmail Address\tDirect Phone\n"
    "Robert\tFischer\tAcme GmbH\tr.fischer@acme.de\t+49 89 1234567\n"
    "Anna\tKowalski\tNordwind Ltd\tanna@nordwind.co.uk\t020 7946 0123\n"
)


def write_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "expo.csv").write_bytes(EXPO.encode("cp1252"))
    (inbox / "list.csv").write_text(PURCHASED, encoding="utf-8")
    return inbox


def test_load_counts_schema_and_values(tmp_path, make_config, query):
    write_inbox(tmp_path)
    config = make_config(
        {
            "name": "expo_2026",
            "type": "csv",
            "path": "inbox/*.csv",
            "channel": "Event",
            "campaign": "Expo 2026",
            "origin": "outbound",
        }
    )
    result = run_source(config, "expo_2026")
    assert result.rows_by_table == {"csv_leads": 5, "quarantine": 1}

    cols = [
        r[0]
        for r in query(
            config,
            "select column_name from information_schema.columns "
            "where table_schema='raw' and table_name='csv_leads' order by ordinal_position",
        )
    ]
    assert [c for c in cols if not c.startswith("_dlt")] == raw_lead_schema().names
    assert {"_dlt_load_id", "_dlt_id"} <= set(cols)

    rows = query(
        config,
        "select source_record_id, first_name, last_name, full_name, email, channel,"
        " campaign_name, lead_origin, source_type, source_line, custom_fields, is_test,"
        " source_location from raw.csv_leads order by source_location, source_line",
    )
    assert rows[0][:12] == (
        "B-1",
        "Jürgen",
        "Müller",
        "Müller, Jürgen",
        "j.mueller@mueller.de",
        "Event",
        "Expo 2026",
        "outbound",
        "csv",
        2,
        json.dumps({"Booth Notes": "wants pricing"}, separators=(",", ":")),
        False,
    )
    assert rows[1][:3] == ("B-2", "Ada", "Lovelace")
    assert rows[2][0] == "B-4" and rows[2][1] is None and rows[2][9] == 5  # no identity: loaded anyway
    assert rows[0][12] == str(tmp_path / "inbox" / "expo.csv")
    # no id column in the purchased list: a content hash
    assert all(len(r[0]) == 32 for r in rows[3:])

    (quarantined,) = query(
        config, "select source_name, source_type, source_line, reason, raw_content from raw.quarantine"
    )
    assert quarantined == (
        "expo_2026",
        "csv",
        4,
        "ragged row: 6 fields, header has 5",
        "B-3;too;many;fields;here;extra",
    )
    received = query(
        config, "select distinct received_at from raw.csv_leads where source_line = 2 order by 1"
    )
    mtimes = sorted(os.path.getmtime(tmp_path / "inbox" / f) for f in ("expo.csv", "list.csv"))
    assert len(received) == 2
    assert all(abs(r[0].timestamp() - m) < 1e-5 for r, m in zip(received, mtimes))


def test_incremental_second_run_loads_nothing_and_changed_file_reloads(tmp_path, make_config, query):
    inbox = write_inbox(tmp_path)
    config = make_config({"name": "leads", "type": "csv", "path": "inbox/*.csv"})
    assert run_source(config, "leads").rows_by_table["csv_leads"] == 5

    again = run_source(config, "leads")  # how fast a no-op re-sync is: benchmarks/, not a timed test
    assert again.rows_by_table == {"csv_leads": 0}

    # touching one file (new mtime) re-reads only that file
    list_csv = inbox / "list.csv"
    os.utime(list_csv, (time.time() + 10, time.time() + 10))
    assert run_source(config, "leads").rows_by_table == {"csv_leads": 2}

    # a changed file is re-read; a new file is read; the others are not
    list_csv.write_text(PURCHASED + "Zoë\tBrown\tBeta Inc\tzoe@beta.com\t\n", encoding="utf-8")
    (inbox / "new.csv").write_text("email\nnew@x.com\n", encoding="utf-8")
    assert run_source(config, "leads").rows_by_table == {"csv_leads": 4}
    assert query(config, "select count(*), count(distinct _dlt_load_id) from raw.csv_leads") == [
        (11, 3)
    ]  # the no-op run loaded nothing
    # the same row keeps its content-hash id across runs, so dbt can keep its latest version
    assert query(
        config,
        "select count(distinct source_record_id) from raw.csv_leads where email = 'anna@nordwind.co.uk'",
    ) == [(1,)]


def test_unreadable_file_is_one_quarantine_row_and_the_sync_goes_on(tmp_path, make_config, query):
    inbox = write_inbox(tmp_path)
    (inbox / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (inbox / "empty.csv").write_bytes(b"")
    config = make_config({"name": "leads", "type": "csv", "path": "inbox/*.csv"})
    result = run_source(config, "leads")
    assert result.rows_by_table == {"csv_leads": 5, "quarantine": 3}
    reasons = dict(
        query(config, "select source_location, reason from raw.quarantine where source_line is null")
    )
    assert reasons == {
        str(inbox / "empty.csv"): "file not readable: the file is empty",
        str(inbox / "photo.csv"): "file not readable: binary content (NUL bytes), not a delimited text file",
    }


def test_file_and_memory_protocols(tmp_path, make_config, query):
    inbox = write_inbox(tmp_path)
    fs = fsspec.filesystem("memory")
    fs.pipe("/csv_source_test/a.csv", EXPO.encode("cp1252"))
    try:
        config = make_config(
            {"name": "local_url", "type": "csv", "path": f"file://{inbox}/*.csv"},
            {
                "name": "in_memory",
                "type": "csv",
                "path": "memory://csv_source_test/*.csv",
                "id_column": "E-Mail",
            },
        )
        assert run_source(config, "local_url").rows_by_table == {"csv_leads": 5, "quarantine": 1}
        assert run_source(config, "in_memory").rows_by_table == {"csv_leads": 3, "quarantine": 1}
        assert run_source(config, "in_memory").rows_by_table == {"csv_leads": 0}
        locations = {r[0] for r in query(config, "select source_location from raw.csv_leads")}
        assert locations == {
            f"file://{inbox}/expo.csv",
            f"file://{inbox}/list.csv",
            "memory:///csv_source_test/a.csv",
        }
        ids = {
            r[0]
            for r in query(config, "select source_record_id from raw.csv_leads where source_name='in_memory'")
        }
        assert "ada@analytical.co.uk" in ids  # explicit id_column
    finally:
        fs.rm("/csv_source_test", recursive=True)
