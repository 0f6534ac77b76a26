"""Assembles the Dagster definitions from the modules below; does nothing else."""

import dagster as dg

from .assets.alerts import delivered_alerts
from .assets.check_page import check_results_page
from .assets.dbt import dbt_models
from .assets.dbt_docs import dbt_docs_site
from .assets.publish import published_warehouse
from .assets.raw import raw_assets
from .assets.report import leadership_report
from .checks import quality_checks
from .jobs import daily_run_job, health_history_backfill_job
from .pruning import daily_pruning, prune_job
from .resources import PipelineSettings, dbt_resource
from .schedules import daily_retention_run
from .sensors import new_batch_sensor

defs = dg.Definitions(
    assets=[
        *raw_assets,
        dbt_models,
        published_warehouse,
        leadership_report,
        dbt_docs_site,
        delivered_alerts,
        check_results_page,
    ],
    asset_checks=quality_checks,
    jobs=[daily_run_job, health_history_backfill_job, prune_job],
    schedules=[daily_retention_run, daily_pruning],
    sensors=[new_batch_sensor],
    resources={"pipeline": PipelineSettings(), "dbt": dbt_resource()},
    # DuckDB has one writer: every step of a run executes in one process, one after another.
    executor=dg.in_process_executor,
)
