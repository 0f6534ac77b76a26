"""The daily run. It runs "as of" the day that just ended, so every day it scores is complete:
the schedule asks for that day's partition."""

from datetime import timedelta

import dagster as dg

from .jobs import daily_run_job
from .settings import daily_cron


@dg.schedule(
    job=daily_run_job,
    cron_schedule=daily_cron(),  # CS_DAILY_CRON, default 06:00 UTC (settings.py)
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def daily_retention_run(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    as_of = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=f"daily-{as_of}", partition_key=as_of)
