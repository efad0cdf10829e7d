"""Identity-resolution accuracy: pairwise precision and recall of the real dbt models.

Generates labelled messy leads (`benchmarks/leadgen.py`), loads them into `raw.csv_leads` of a
temporary DuckDB warehouse the way dlt does, runs the real dbt project up to `int_lead_identity`
(staging, normalisation, identity), and compares the resulting lead_ids with the truth:

    precision = true pairs found / pairs put together     (wrong merges lower it)
    recall    = true pairs found / pairs that are one person  (missed merges lower it)

With --ablation it runs again with each match rule switched off (var leadsync_identity.rules),
to show what each rule adds.

    .venv/bin/python benchmarks/identity.py --people 5000 --ablation
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.leadgen import LabelledLeads, generate  # noqa: E402
from leadsync.ingestion import raw_tables  # noqa: E402
from leadsync.ingestion.config import LeadsyncConfig, parse_config  # noqa: E402
from leadsync.orchestration.dbt_project import dbt_resource  # noqa: E402

RULES = ("email", "phone_and_name", "fuzzy_name_and_company", "match_weight")
PRECISION_TARGET = 0.995
OVERRIDES: dict[str, float] = {}  # identity settings from the command line (--match-probability)
RECALL_TARGET = 0.98


@dataclass(frozen=True)
class Accuracy:
    rules: tuple[str, ...]
    touches: int
    people: int
    leads: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def load_raw(db_path: Path, leads: LabelledLeads) -> None:
    """Write the records as one dlt load into raw.csv_leads, and the truth into bench.labels."""
    batch = leads.to_arrow()
    n = batch.num_rows
    batch = batch.append_column("_dlt_load_id", pa.array([f"{time.time():.6f}"] * n, pa.string()))
    batch = batch.append_column("_dlt_id", pa.array([uuid.uuid4().hex[:14] for _ in range(n)], pa.string()))
    labels = leads.labels_arrow()
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {raw_tables.RAW_DATASET}")
        con.register("batch", batch)
        con.execute(f"create table {raw_tables.RAW_DATASET}.{raw_tables.CSV_LEADS} as select * from batch")
        con.execute("create schema if not exists bench")
        con.register("labels", labels)
        con.execute("create table bench.labels as select * from labels")


def build_identity(config: LeadsyncConfig, target_path: Path, rules: tuple[str, ...]) -> None:
    """dbt build (models and seeds, no tests) up to the identity models, with `rules` enabled."""
    dbt_vars = config.dbt_vars()
    dbt_vars["leadsync_identity"] = {**dbt_vars["leadsync_identity"], "rules": list(rules), **OVERRIDES}
    dbt_resource(config).cli(
        [
            "build",
            "--quiet",
            "--select",
            "+int_lead_identity",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            json.dumps(dbt_vars),
        ],
        target_path=target_path,
    ).wait()


def measure(db_path: Path) -> dict[str, int]:
    """Pair counts from lead_id (predicted) against person_id (truth), all in SQL."""
    sql = """
        with joined as (
            select identity.lead_id, labels.person_id
            from intermediate.int_lead_identity as identity
            join intermediate.int_lead_touches_normalized as touches using (touch_id)
            join bench.labels as labels using (source_record_id)
        ),
        pairs as (
            select
                (select coalesce(sum(n * (n - 1) / 2), 0) from
                    (select count(*) as n from joined group by lead_id)) as predicted_pairs,
                (select coalesce(sum(n * (n - 1) / 2), 0) from
                    (select count(*) as n from joined group by person_id)) as true_pairs,
                (select coalesce(sum(n * (n - 1) / 2), 0) from
                    (select count(*) as n from joined group by lead_id, person_id)) as correct_pairs,
                (select count(*) from joined) as touches,
                (select count(distinct person_id) from joined) as people,
                (select count(distinct lead_id) from joined) as leads
        )
        select * from pairs
    """
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(sql).fetchone()
        names = [d[0] for d in con.description]
    return {k: int(v) for k, v in zip(names, row)}


def run_once(leads: LabelledLeads, rules: tuple[str, ...], workdir: Path) -> Accuracy:
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "leads.duckdb"
    load_raw(db_path, leads)
    config = parse_config({"warehouse": {"path": str(db_path)}}, base_dir=workdir)
    started = time.perf_counter()
    build_identity(config, workdir / "target", rules)
    seconds = time.perf_counter() - started
    return Accuracy(rules=rules, seconds=seconds, **measure(db_path))


def variants(ablation: bool) -> list[tuple[str, ...]]:
    out = [RULES]
    if ablation:
        out += [tuple(r for r in RULES if r != off) for off in RULES]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=5000, help="people to generate (records: ~1.7x)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ablation", action="store_true", help="also run with each rule switched off")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--keep", type=Path, help="keep the warehouses in this folder (to inspect errors)")
    parser.add_argument("--match-probability", type=float, help="identity.match_probability for this run")
    args = parser.parse_args(argv)
    if args.match_probability:
        OVERRIDES["match_probability"] = args.match_probability

    leads = generate(args.people, seed=args.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="leadsync-identity-bench-") as tmp:
        for i, rules in enumerate(variants(args.ablation)):
            results.append(run_once(leads, rules, (args.keep or Path(tmp)) / f"run{i}"))

    if args.json:
        for r in results:
            print(
                json.dumps(
                    {
                        "rules": r.rules,
                        "precision": r.precision,
                        "recall": r.recall,
                        **{
                            k: getattr(r, k)
                            for k in (
                                "touches",
                                "people",
                                "leads",
                                "true_pairs",
                                "predicted_pairs",
                                "correct_pairs",
                                "seconds",
                            )
                        },
                    }
                )
            )
    else:
        print(f"{len(leads.rows)} records of {args.people} people (seed {args.seed})")
        print(f"{'rules':<52} {'precision':>9} {'recall':>7} {'leads':>6} {'dbt s':>6}")
        for r in results:
            off = [x for x in RULES if x not in r.rules]
            label = "all rules" if not off else "without " + ", ".join(off)
            print(f"{label:<52} {r.precision:>9.4f} {r.recall:>7.4f} {r.leads:>6} {r.seconds:>6.1f}")
    full = results[0]
    ok = full.precision >= PRECISION_TARGET and full.recall >= RECALL_TARGET
    if not ok:
        print(f"below target: precision >= {PRECISION_TARGET}, recall >= {RECALL_TARGET}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
