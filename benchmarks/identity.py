"""Identity-resolution accuracy: pairwise precision and recall of the real dbt models.

Generates labelled messy leads (`benchmarks/leadgen.py`), loads them into `raw.csv_leads` of a
temporary DuckDB warehouse the way dlt does, runs the real dbt project up to `int_lead_identity`
(staging, normalisation, identity), and compares the resulting lead_ids with the truth:

    precision = true pairs found / pairs put together     (wrong merges lower it)
    recall    = true pairs found / pairs that are one person  (missed merges lower it)

Every run prints, from the same data in the same run, three linkers side by side:
- exact email: records put together only when their normalised email is equal (the baseline);
- old rules: leadsync's deterministic rules alone (email, phone + name, fuzzy name + company);
- model: the rules plus Fellegi-Sunter match weights (EM m/u, term frequencies), once per
  --match-probability given (a calibration sweep).

With --hard the records come from leadgen's hard profile (email typos, records without email,
swapped and misspelt names, initials, cities, common-name strangers in one city, job changers).
With --ablation it runs again with each match rule switched off (var leadsync_identity.rules).

    .venv/bin/python benchmarks/identity.py --people 5000 --hard --match-probability 0.99 0.999
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
OLD_RULES = RULES[:-1]
PRECISION_TARGET = 0.995
RECALL_TARGET = 0.98
HARD_PRECISION_TARGET = 0.99  # issue 16: precision >= 0.99 and F1 clearly above the old rules


@dataclass(frozen=True)
class Accuracy:
    label: str
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

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


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


def build_identity(
    config: LeadsyncConfig, target_path: Path, rules: tuple[str, ...], overrides: dict | None = None
) -> None:
    """dbt build (models and seeds, no tests) up to the identity models, with `rules` enabled."""
    dbt_vars = config.dbt_vars()
    dbt_vars["leadsync_identity"] = {
        **dbt_vars["leadsync_identity"],
        "rules": list(rules),
        **(overrides or {}),
    }
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


# what a record is put together by: the model's lead_id, or (baseline) its normalised email
BY_LEAD = "identity.lead_id"
BY_EMAIL = "case when touches.email_is_valid then touches.email else touches.touch_id end"
BY_SPLINK = "coalesce(splink.cluster_id, touches.touch_id)"
SPLINK_JOIN = "left join bench.splink_clusters as splink using (touch_id)"


def measure(db_path: Path, cluster: str = BY_LEAD, join: str = "") -> dict[str, int]:
    """Pair counts from `cluster` (predicted) against person_id (truth), all in SQL."""
    sql = f"""
        with joined as (
            select {cluster} as lead_id, labels.person_id
            from intermediate.int_lead_identity as identity
            join intermediate.int_lead_touches_normalized as touches using (touch_id)
            join bench.labels as labels using (source_record_id)
            {join}
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


def splink_accuracy(db_path: Path, threshold: float) -> Accuracy:
    """Splink 5 on the normalised touches of this warehouse (benchmarks/identity_splink.py)."""
    from benchmarks.identity_splink import splink_clusters

    run = splink_clusters(db_path, threshold)
    with duckdb.connect(str(db_path)) as con:
        con.execute("create or replace table bench.splink_clusters (touch_id varchar, cluster_id varchar)")
        con.executemany("insert into bench.splink_clusters values (?, ?)", run.clusters)
    label = f"Splink 5 (DuckDB), match_probability {threshold}"
    return Accuracy(label=label, seconds=run.seconds, **measure(db_path, BY_SPLINK, SPLINK_JOIN))


def run_once(
    leads: LabelledLeads, label: str, rules: tuple[str, ...], workdir: Path, overrides: dict | None = None
) -> list[Accuracy]:
    """One dbt build; the model's figures, plus the exact-email baseline from the same warehouse."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "leads.duckdb"
    load_raw(db_path, leads)
    config = parse_config({"warehouse": {"path": str(db_path)}}, base_dir=workdir)
    started = time.perf_counter()
    build_identity(config, workdir / "target", rules, overrides)
    seconds = time.perf_counter() - started
    return [
        Accuracy(label=label, seconds=seconds, **measure(db_path)),
        Accuracy(label="exact email", seconds=0.0, **measure(db_path, BY_EMAIL)),
    ]


def variants(ablation: bool, match_probabilities: list[float]) -> list[tuple[str, tuple[str, ...], dict]]:
    """(label, rules, identity overrides) of every build: old rules, then the model per threshold."""
    out: list[tuple[str, tuple[str, ...], dict]] = [("old rules (no match weights)", OLD_RULES, {})]
    for mp in match_probabilities or [None]:
        overrides = {"match_probability": mp} if mp else {}
        shown = mp if mp else f"{LeadsyncConfig().identity.match_probability} (default)"
        out.append((f"model, match_probability {shown}", RULES, overrides))
    if ablation:
        out += [(f"model without {off}", tuple(r for r in RULES if r != off), {}) for off in RULES]
    return out


FIELDS = ("touches", "people", "leads", "true_pairs", "predicted_pairs", "correct_pairs", "seconds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=5000, help="people to generate (records: ~1.7x)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hard", action="store_true", help="leadgen's hard profile (issue 16)")
    parser.add_argument("--ablation", action="store_true", help="also run with each rule switched off")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--keep", type=Path, help="keep the warehouses in this folder (to inspect errors)")
    parser.add_argument(
        "--match-probability",
        type=float,
        nargs="+",
        default=[],
        help="identity.match_probability values to build the model with (a sweep); default: the config's",
    )
    parser.add_argument(
        "--splink",
        type=float,
        nargs="*",
        help="also run Splink 5 on the same touches, clustered at these match probabilities (default 0.95)",
    )
    args = parser.parse_args(argv)

    leads = generate(args.people, seed=args.seed, hard=args.hard)
    results: list[Accuracy] = []
    with tempfile.TemporaryDirectory(prefix="leadsync-identity-bench-") as tmp:
        for i, (label, rules, overrides) in enumerate(variants(args.ablation, args.match_probability)):
            model, email = run_once(leads, label, rules, (args.keep or Path(tmp)) / f"run{i}", overrides)
            if i == 0:
                results.append(email)
            results.append(model)
            if i == 0 and args.splink is not None:
                db_path = (args.keep or Path(tmp)) / f"run{i}" / "leads.duckdb"
                splink = [splink_accuracy(db_path, t) for t in (args.splink or [0.95])]
                results.extend(splink)

    if args.json:
        for r in results:
            print(
                json.dumps(
                    {
                        "label": r.label,
                        "hard": args.hard,
                        "precision": r.precision,
                        "recall": r.recall,
                        "f1": r.f1,
                        **{k: getattr(r, k) for k in FIELDS},
                    }
                )
            )
    else:
        profile = "hard" if args.hard else "default"
        print(f"{len(leads.rows)} records of {args.people} people ({profile} profile, seed {args.seed})")
        print(f"{'linker':<52} {'precision':>9} {'recall':>7} {'F1':>7} {'leads':>6} {'secs':>6}")
        for r in results:
            print(
                f"{r.label:<52} {r.precision:>9.4f} {r.recall:>7.4f} {r.f1:>7.4f} {r.leads:>6} {r.seconds:>6.1f}"
            )
    old = next(r for r in results if r.label.startswith("old rules"))
    model = next(r for r in results if r.label.startswith("model"))  # the first threshold given
    if args.hard:
        ok = model.precision >= HARD_PRECISION_TARGET and model.f1 > old.f1
        target = f"precision >= {HARD_PRECISION_TARGET} and F1 above the old rules' {old.f1:.4f}"
    else:
        ok = model.precision >= PRECISION_TARGET and model.recall >= RECALL_TARGET
        target = f"precision >= {PRECISION_TARGET}, recall >= {RECALL_TARGET}"
    if not ok:
        print(f"below target: {target}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
