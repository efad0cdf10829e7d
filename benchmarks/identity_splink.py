"""Splink 5 (DuckDB backend) on the same normalised touches, for the side-by-side in identity.py.

Splink gets what leadsync's own model gets: the rows of `intermediate.int_lead_touches_normalized`
that the benchmark's dbt build wrote (names split and title-cased, email lower-cased, phone in
E.164, company name key, city), so the comparison is of the linkers, not of the cleaning. The
model follows Splink's own tutorial for person deduplication
(https://moj-analytical-services.github.io/splink/demos/tutorials/00_Tutorial_Introduction.html):
the comparison library's name/email comparisons, u by random sampling, the prior from a
deterministic rule, m by EM over two blocking passes, then predict and cluster at a threshold.

Splink is a benchmark dependency, not a leadsync one: `pip install -c constraints.txt splink`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

COLUMNS = (
    "touch_id",
    "first_name",
    "last_name",
    "email",
    "email_local_part",
    "email_domain",
    "phone_e164",
    "company_name_key",
    "city",
)


@dataclass(frozen=True)
class SplinkRun:
    seconds: float
    clusters: list[tuple[str, str]]  # (touch_id, cluster_id)


def splink_clusters(db_path: Path, threshold: float = 0.95) -> SplinkRun:
    """Train and run Splink on the warehouse's normalised touches; clusters at `threshold`."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    derived = {
        "first_name": "lower(first_name)",
        "last_name": "lower(last_name)",
        "city": "lower(city)",
        "email_local_part": "nullif(split_part(split_part(email, '@', 1), '+', 1), '')",
    }
    cols = ", ".join(f"{derived.get(c, c)} as {c}" for c in COLUMNS)
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.sql(
            f"select {cols} from intermediate.int_lead_touches_normalized where not is_test"
        ).to_arrow_table()
    started = time.perf_counter()
    splink_con = duckdb.connect()
    splink_con.execute("set enable_progress_bar = false")
    db_api = DuckDBAPI(connection=splink_con)
    table = db_api.register(frame)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="touch_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone_e164").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("company_name_key", [0.92]),
            cl.LevenshteinAtThresholds("city", 1).configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone_e164"),
            block_on("company_name_key", "substr(last_name, 1, 1)"),
            block_on("last_name", "city"),
            block_on("email_local_part"),
            block_on("first_name", "company_name_key"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "last_name", "company_name_key")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("company_name_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    rows = clusters.as_duckdbpyrelation().select("touch_id, cluster_id").fetchall()
    return SplinkRun(time.perf_counter() - started, [(str(t), str(c)) for t, c in rows])
