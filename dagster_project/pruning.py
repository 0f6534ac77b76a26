"""Bounded disk on a daily schedule: what no later run needs is deleted, the newest kept.

Kept (docs/operations.md):
- dbt: the base target folder's own files (manifest.json, partial_parse.msgpack — the next run
  starts from them) and the newest ``KEEP_DBT_RUNS`` per-invocation folders dagster-dbt
  creates under it (``<op>-<run>-<hash>/``: run_results.json, compiled SQL and that
  invocation's dbt.log, ~18 MB each on the sample); older ones are removed;
- the CLI's run logs (``<outputs>/logs/run-*.log``): the newest ``KEEP_RUN_LOGS``;
- Dagster's run storage: every run in progress or queued, and the newest ``KEEP_DAGSTER_RUNS``
  finished runs with their event logs; older finished runs are deleted
  (``DagsterInstance.delete_run``).
"""

# No `from __future__ import annotations`: Dagster reads the op's context annotation.

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from .settings import dbt_target_dir, load_settings

KEEP_DBT_RUNS = 10
KEEP_RUN_LOGS = 30
KEEP_DAGSTER_RUNS = 200
PRUNE_CRON = "30 5 * * *"  # daily, before the 06:00 run


@dataclass(frozen=True)
class Pruned:
    dbt_folders: int
    run_logs: int
    dagster_runs: int


def newest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: p.stat().st_mtime, reverse=True)


def prune_dbt_invocations(target: Path, keep: int = KEEP_DBT_RUNS) -> int:
    """Remove all but the newest ``keep`` invocation folders (the base folder's files stay)."""
    if not target.is_dir():
        return 0
    folders = [p for p in target.iterdir() if _invocation(p)]
    removed = newest_first(folders)[keep:]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return len(removed)


def _invocation(path: Path) -> bool:
    """A dagster-dbt invocation folder, ``<op name>-<run id prefix>-<hash>`` (not dbt's own
    ``compiled/`` or ``run/`` of a command typed by hand)."""
    name, _, rest = path.name.partition("-")
    return path.is_dir() and bool(name) and rest.count("-") == 1


def prune_run_logs(logs: Path, keep: int = KEEP_RUN_LOGS) -> int:
    removed = newest_first(list(logs.glob("run-*.log")))[keep:] if logs.is_dir() else []
    for log in removed:
        log.unlink(missing_ok=True)
    return len(removed)


def prune_dagster_runs(instance: Any, keep: int = KEEP_DAGSTER_RUNS) -> int:
    """Delete finished runs (and their event logs) beyond the newest ``keep``."""
    finished = [s for s in dg.DagsterRunStatus if s.value in ("SUCCESS", "FAILURE", "CANCELED")]
    old = instance.get_run_records(filters=dg.RunsFilter(statuses=finished), order_by="create_timestamp")
    old = sorted(old, key=lambda r: r.create_timestamp, reverse=True)[keep:]
    for record in old:
        instance.delete_run(record.dagster_run.run_id)
    return len(old)


def prune_all(instance: Any) -> Pruned:
    from .runner import LOGS_FOLDER

    settings = load_settings()
    return Pruned(
        prune_dbt_invocations(dbt_target_dir()),
        prune_run_logs(settings.output_dir / LOGS_FOLDER),
        prune_dagster_runs(instance),
    )


@dg.op(description="Delete dbt run folders, CLI run logs and Dagster runs that no later run needs.")
def prune_artifacts(context: dg.OpExecutionContext) -> None:
    pruned = prune_all(context.instance)
    context.log.info(
        f"pruned {pruned.dbt_folders} dbt run folders, {pruned.run_logs} run logs, {pruned.dagster_runs} Dagster runs"
    )


@dg.job(description="Daily housekeeping: bounded disk for dbt artefacts, logs and run storage.")
def prune_job() -> None:
    prune_artifacts()


daily_pruning = dg.ScheduleDefinition(
    job=prune_job,
    cron_schedule=PRUNE_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
