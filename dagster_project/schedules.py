"""The daily run. It runs "as of" the day that just ended, so every day it scores is complete."""

from datetime import timedelta

import dagster as dg

from .jobs import full_refresh_job, run_config_as_of
from .settings import daily_cron


@dg.schedule(
    job=full_refresh_job,
    cron_schedule=daily_cron(),  # CS_DAILY_CRON, default 06:00 UTC (settings.py)
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_retention_run(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    as_of = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=f"daily-{as_of}", run_config=run_config_as_of(as_of), tags={"cs/as_of_date": as_of})
