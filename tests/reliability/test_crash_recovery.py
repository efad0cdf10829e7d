"""A crashing machine and a second sync never break a warehouse (issue #15).

Every trial SIGKILLs the whole `leadsync sync` process group (dbt included), as a power cut
would, at a point chosen by watching its progress lines or dlt's package folders (never by
sleeping and hoping). The next trial is the re-run of the killed one; after each chain a plain
sync must succeed and give marts equal, checksum for checksum, to one uninterrupted sync of the
same inputs, with no temporary file left behind.

Two chains run side by side (two workspaces), which keeps the suite's cost near one chain's.
"""

from __future__ import annotations

import concurrent.futures
import time

import pytest
from workspace import KillPoint, Workspace, clone, leftover_temp_files, mart_checksums, sync_and_kill

pytestmark = pytest.mark.heavy  # whole-pipeline runs: scheduled first (tests/conftest.py)

PACKAGES = "warehouse/.leadsync/dlt/*/"
TRIAL_TIMEOUT = 240  # seconds one killed sync may take to reach its kill point

# Chain A starts on an empty warehouse: every kill before its first complete sync is a crash in
# the *first* sync (the "Table with name quarantine does not exist" case).
FIRST_SYNC = [
    KillPoint("extract (csv)", line="expo_2026: extracting"),
    KillPoint("normalise", glob=PACKAGES + "normalize/*/*"),
    KillPoint("load (dlt package)", glob=PACKAGES + "load/normalized/*"),
    KillPoint("between two sources", line="expo_2026: loaded"),
    KillPoint("extract (webhook drain)", line="website_forms: extracting", delay=0.2),
    KillPoint("extract (ad platform API)", line="meta_ads: extracting", delay=0.2),
    KillPoint("dbt start and seeds", line="transform: dbt build", delay=2.5),
    KillPoint("dbt staging", line="dbt: built staging.", nth=2),
    KillPoint("dbt intermediate", line="dbt: built intermediate.", nth=4),
    KillPoint("dbt identity", line="int_identity_links"),
    KillPoint("publishing", line="publish: copying", delay=0.05),
]
# Chain B crashes syncs of a warehouse that already has marts (incremental runs).
LATER_SYNCS = [
    KillPoint("extract (csv)", line="crm_export: extracting", delay=0.1),
    KillPoint("load (dlt package)", glob=PACKAGES + "load/normalized/*"),
    KillPoint("extract (webhook drain)", line="partner_referrals: extracting", delay=0.1),
    KillPoint("load (ad platform)", line="meta_ads: extracting", delay=0.5),
    KillPoint("dbt staging", line="dbt: built staging.", nth=5),
    KillPoint("dbt identity", line="int_identity_assignments"),
    KillPoint("dbt marts", line="dbt: built marts.", nth=2),
    KillPoint("dbt tests", line="tests, 13 seeds run", nth=7),
    KillPoint("after dbt, before publishing", line="transform: built in"),
    KillPoint("publishing", line="publish: copying", delay=0.15),
]


def _chain(ws: Workspace, points: list[KillPoint], warm: bool) -> list[str]:
    """Run the chain; returns one line per trial that did not go as planned."""
    problems = []
    if warm:
        first = ws.run("sync")
        if first.returncode:
            return [f"the warm-up sync failed: {first.stderr[-800:]}"]
    for point in points:
        started = time.monotonic()
        killed, stderr = sync_and_kill(ws, point, timeout=TRIAL_TIMEOUT)
        print(
            f"{ws.root.name}: {point.phase}: killed={killed} after {time.monotonic() - started:.1f}s",
            flush=True,
        )
        if not killed:
            problems.append(f"{point.phase}: the sync ended before the kill point ({stderr[-400:]})")
    done = ws.run("sync")
    if done.returncode:
        problems.append(f"the re-run after the chain failed: {done.stderr[-1500:]}")
    return problems


@pytest.mark.timeout(1800)
def test_sigkill_at_every_phase_then_a_normal_sync_gives_the_same_marts(template, clean_marts, tmp_path):
    assert len(FIRST_SYNC) + len(LATER_SYNCS) >= 20
    first = clone(template, tmp_path / "first_sync")
    later = clone(template, tmp_path / "later_syncs")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a = pool.submit(_chain, first, FIRST_SYNC, False)
        b = pool.submit(_chain, later, LATER_SYNCS, True)
        problems = a.result() + b.result()
    assert problems == []
    for ws in (first, later):
        assert mart_checksums(ws) == clean_marts
        assert leftover_temp_files(ws) == []


@pytest.mark.timeout(900)
def test_two_first_syncs_launched_together(template, clean_marts, tmp_path):
    ws = clone(template, tmp_path / "ws")
    one, two = ws.popen("sync"), ws.popen("sync")
    outs = [p.communicate(timeout=600) for p in (one, two)]
    assert [one.returncode, two.returncode] == [0, 0], [o[1][-1500:] for o in outs]
    assert any("waiting up to" in err for _, err in outs)  # one waited for the other
    assert mart_checksums(ws) == clean_marts
    assert leftover_temp_files(ws) == []
