"""Sales activity files: event synonyms, who the event is about, quarantine of unknowns; real dlt loads."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from leadsync.ingestion.activity.events import event_index
from leadsync.ingestion.config import parse_config
from leadsync.ingestion.lead import ACTIVITY_EVENT_TYPES, header_key
from leadsync.ingestion.pipeline import run_source

ACTIVITY = (
    "Email,Lead ID,Activity Type,Date,Owner,Notes,Duration\n"
    "bob@acme.de,,Called,2026-10-05 10:12,Lena,Intro,5m\n"
    "BOB@ACME.DE,,Positive Reply,2026-10-06,Lena,,\n"
    ",00Q01,SQL,2026-10-09,Lena,Budget ok,\n"
    "bob@acme.de,,Opp created,2026-10-12,Lena,,\n"
    "bob@acme.de,,Closed-Won,2026-11-13,Lena,,\n"
    "ann@nordwind.co.uk,,not interested,2026-09-30,Lena,,\n"
    "ann@nordwind.co.uk,,Sent smoke signal,2026-10-01,Lena,,\n"
    ",,Called,2026-10-02,Lena,nobody,\n"
    "ann@nordwind.co.uk,,,2026-10-03,Lena,no event,\n"
)


@pytest.mark.parametrize(
    "word,event",
    [
        ("Called", "contacted"),
        ("Call", "contacted"),
        ("Email sent", "contacted"),
        ("Replied", "responded_positive"),
        ("Positive reply", "responded_positive"),
        ("Not interested", "responded_negative"),
        ("SQL", "qualified"),
        ("Sales qualified", "qualified"),
        ("Closed won", "won"),
        ("Closed-Lost", "lost"),
        ("Opp created", "opportunity"),
        ("disqualified", "disqualified"),
        ("RESPONDED_POSITIVE", "responded_positive"),
    ],
)
def test_event_synonyms(word, event):
    assert event_index()[header_key(word)] == event


def test_every_event_type_maps_to_itself():
    assert {event_index()[header_key(e)] for e in ACTIVITY_EVENT_TYPES} == set(ACTIVITY_EVENT_TYPES)


def test_activity_load(tmp_path: Path):
    (tmp_path / "activity").mkdir()
    (tmp_path / "activity" / "q4.csv").write_text(ACTIVITY, encoding="utf-8")
    config = parse_config(
        {
            "warehouse": {"path": str(tmp_path / "wh.duckdb")},
            "sources": [{"name": "sales_activity", "type": "activity_csv", "path": "activity/*.csv"}],
        },
        base_dir=tmp_path,
    )
    result = run_source(config, "sales_activity")
    assert result.rows_by_table == {"activity_events": 6, "quarantine": 3}
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        events = con.execute(
            "select source_line, email, lead_ref, event, event_raw, occurred_at, rep, note,"
            " custom_fields from raw.activity_events order by source_line"
        ).fetchall()
        quarantined = con.execute(
            "select source_line, reason, raw_content from raw.quarantine order by source_line"
        ).fetchall()
    assert [e[3] for e in events] == [
        "contacted",
        "responded_positive",
        "qualified",
        "opportunity",
        "won",
        "responded_negative",
    ]
    assert events[0] == (
        2,
        "bob@acme.de",
        None,
        "contacted",
        "Called",
        "2026-10-05 10:12",
        "Lena",
        "Intro",
        '{"Duration":"5m"}',
    )
    assert events[2][1:3] == (None, "00Q01")
    assert quarantined[0][0] == 8 and quarantined[0][1].startswith("unknown event 'Sent smoke signal'")
    assert quarantined[0][2] == "ann@nordwind.co.uk,,Sent smoke signal,2026-10-01,Lena,,"
    assert quarantined[1][:2] == (9, "no email or lead id: the event cannot be tied to a lead")
    assert quarantined[2][:2] == (10, "no event")
    assert run_source(config, "sales_activity").rows_by_table == {"activity_events": 0}
