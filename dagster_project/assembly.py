"""Assembles the Dagster definitions from the modules below; does nothing else.

One assembly, two entry points that differ only in how a run names its as-of date:
- ``dagster_project.definitions_by_day`` (``dagster dev`` through workspace.yaml, the schedule, the
  sensor, ``cs-retention run`` and ``backfill``): the dbt models are partitioned by as-of day, so
  the UI shows the daily history by partition and backfills a range in one run;
- ``dagster_project.definitions`` (the mart contract's
  ``dagster asset materialize -m dagster_project.definitions --select '*'``): the same assets with
  the dbt models unpartitioned, as of CS_AS_OF_DATE (or today); Dagster's CLI refuses partitioned
  assets without ``--partition``, and the contract's command names none.
The asset keys are the same, so both record their materializations in the same history.
"""

import dagster as dg

from .assets.alerts import delivered_alerts
from .assets.check_page import check_results_page
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


def assemble(dbt_models: dg.AssetsDefinition, by_day: bool) -> dg.Definitions:
    """The definitions around ``dbt_models``; ``by_day``: with the partitioned jobs' automation
    (the schedule and sensor request a day's partition; the backfill job a partition range)."""
    return dg.Definitions(
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
        jobs=[daily_run_job, health_history_backfill_job, prune_job] if by_day else [daily_run_job, prune_job],
        schedules=[daily_retention_run, daily_pruning] if by_day else [daily_pruning],
        sensors=[new_batch_sensor] if by_day else [],
        resources={"pipeline": PipelineSettings(), "dbt": dbt_resource()},
        # DuckDB has one writer: every step of a run executes in one process, one after another.
        executor=dg.in_process_executor,
    )
