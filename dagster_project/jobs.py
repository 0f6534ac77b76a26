"""Jobs. Every run that writes the warehouse carries the writer tag, which the instance's
run queue (dagster_home/dagster.yaml) limits to one at a time: DuckDB has one writer, so a
second run waits in the queue instead of failing on the file lock."""

import dagster as dg

from .publishing import NO_PUBLISH_TAGS

WRITER_TAG = {"cs/warehouse-writer": "true"}

full_refresh_job = dg.define_asset_job(
    name="retention_pipeline",
    selection=dg.AssetSelection.all(),
    description="Load new extracts, build every model, run every check, publish if the blocking checks pass.",
    tags=WRITER_TAG,
)


def run_config_as_of(as_of_date: str) -> dict:
    """Run config that pins the run's as-of date (the pipeline resource reads it)."""
    return {"resources": {"pipeline": {"config": {"as_of_date": as_of_date}}}}


# every health model (the daily component models and the daily mart are incremental over the
# same day range; the latest-day, alert and validation marts follow from them)
health_history_backfill_job = dg.define_asset_job(
    name="health_history_backfill",
    selection=dg.AssetSelection.groups("health"),
    description="Recompute the daily health history for a range of days (run config: dbt_models.config "
    "health_start_date / health_end_date). Each day uses only what was known that day.",
    tags={**WRITER_TAG, **NO_PUBLISH_TAGS},  # a backfill never changes what BI tools see (publishing.py)
)


def run_config_health_backfill(start: str, end: str) -> dict:
    """Run config of a health-history backfill over [start, end]."""
    return {"ops": {"dbt_models": {"config": {"health_start_date": start, "health_end_date": end}}}}
