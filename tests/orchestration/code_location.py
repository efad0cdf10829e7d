"""A code location for tests that run Dagster's own processes (`dagster job execute`, `dagster dev`).

The real `build_definitions` for the config in $LEADSYNC_CONFIG, with the small dbt project the
test wrote ($LEADSYNC_TEST_DBT_PROJECT) instead of transform/, so a whole run takes seconds.
Loaded by file (`-f` / workspace `python_file`), the way every step process loads it again.
"""

import os
from pathlib import Path

from dagster import Definitions, definitions

from leadsync.ingestion.config import load_config
from leadsync.orchestration.definitions import build_definitions

DBT_PROJECT_ENV = "LEADSYNC_TEST_DBT_PROJECT"


@definitions
def defs() -> Definitions:
    return build_definitions(
        load_config(), dbt_project_dir=Path(os.environ[DBT_PROJECT_ENV]), with_report=False
    )
