"""Target-account coverage from dim_accounts: how many target accounts have leads, how far they got."""

from __future__ import annotations

from leadsync.reporting.figures import TargetAccounts
from leadsync.reporting.warehouse import Marts

TOP_ACCOUNTS = 10
NEEDED = {"is_target_account", "leads", "furthest_stage", "company_name"}


def target_accounts(marts: Marts, stages: tuple[str, ...]) -> TargetAccounts | None:
    """None when there is no dim_accounts (no target-account list loaded)."""
    if not marts.columns.get("dim_accounts", set()) >= NEEDED:
        return None
    rows = marts.rows(
        f"""
        select company_name, coalesce(leads, 0), case when leads > 0 then lower(furthest_stage) end
        from {marts.table("dim_accounts")} where is_target_account"""
    )
    order = {s: i for i, s in enumerate(stages)}

    def rank(row: tuple) -> tuple:
        depth = -1 if not row[1] else order.get(row[2] or "new", 0)
        return (-depth, -row[1], row[0] or "")

    rows.sort(key=rank)
    counts: dict[str, int] = {}
    for _, leads, stage in rows:
        key = "no leads" if not leads else (stage if stage in order else stages[0])
        counts[key] = counts.get(key, 0) + 1
    return TargetAccounts(
        total=len(rows),
        with_leads=sum(1 for r in rows if r[1]),
        by_furthest_stage=[(k, counts[k]) for k in ("no leads", *stages) if k in counts],
        top=[
            {"name": r[0] or "(no name)", "leads": int(r[1]), "stage": r[2] or "no leads"}
            for r in rows[:TOP_ACCOUNTS]
        ],
    )
