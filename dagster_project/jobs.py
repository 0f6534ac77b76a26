"""Jobs. Every run that writes the warehouse carries the writer tag, which the instance's
run queue (dagster_home/dagster.yaml) limits to one at a time: DuckDB has one writer, so a
second run waits in the queue instead of failing on the file lock.

Both jobs are partitioned by as-of date (partitions.py): launch them for a partition (the day a
run is as of) or, the backfill, a partition range, which runs once (one dbt invocation).
"""

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from .assets.dbt import dbt_models
from .history_ranges import DAILY_HISTORY_TAG
from .publishing import NO_PUBLISH_TAGS

WRITER_TAG = {"cs/warehouse-writer": "true"}

# The daily run: dbt adds the new day to the incremental daily history and rebuilds the marts
# as of the partition's day. Its Dagster name, retention_pipeline, is what the benchmarks and the
# sensor request.
daily_run_job = dg.define_asset_job(
    name="retention_pipeline",
    selection=dg.AssetSelection.all(),
    description="Load new extracts, build every model as of the partition's day (the daily history gains "
    "that day), run every check, publish if the blocking checks pass.",
    tags=WRITER_TAG,
)

# The daily history (models tagged daily_history: the health spine, the daily component models
# and fct_account_health_daily) for a range of days; every day uses only what was known that day.
health_history_backfill_job = dg.define_asset_job(
    name="health_history_backfill",
    selection=build_dbt_asset_selection([dbt_models], dbt_select=f"tag:{DAILY_HISTORY_TAG}"),
    description="Recompute the daily health history for a partition range, in one run and one dbt "
    "invocation. Launch it from the UI (Materialize, a range of partitions) or with cs-retention backfill.",
    tags={**WRITER_TAG, **NO_PUBLISH_TAGS},  # a backfill never changes what BI tools see (publishing.py)
)
