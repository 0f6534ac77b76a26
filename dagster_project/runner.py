"""`cs-retention`'s way of starting a job: on the project's Dagster instance, after any other
warehouse writer, quietly (run_console.py), and with what the summary needs afterwards."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from rich.console import Console

from .pools import WAREHOUSE_WRITER_POOL, register_writer_pool
from .run_console import RunProgress, RunWatcher, new_run_id, output_into_log
from .settings import DEFAULT_DAGSTER_HOME, Settings, dagster_home

INSTANCE_LOCK = ".instance-init.lock"  # first use of an empty DAGSTER_HOME creates its databases
WRITER_LOCK = ".cli-writer.lock"  # two `cs-retention` runs on one instance take turns
ACTIVE_STATUSES = ("STARTING", "STARTED", "CANCELING")
LOGS_FOLDER = "logs"


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    progress: RunProgress
    log_path: Path
    seconds: float


@contextmanager
def project_instance() -> Iterator[Any]:
    """The Dagster instance of DAGSTER_HOME (default: the repository's dagster_home/), its
    storage created under a file lock: two first runs at once on an empty folder would
    otherwise both create and stamp its SQLite schemas and leave it unusable."""
    import dagster as dg

    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)  # runs show in `dagster dev` on the same folder
    with FileLock(str(home / INSTANCE_LOCK)):
        if not (home / "dagster.yaml").exists():  # the project's settings: the writer pool above all
            shutil.copyfile(DEFAULT_DAGSTER_HOME / "dagster.yaml", home / "dagster.yaml")
        instance = dg.DagsterInstance.get()
        initialize_storage(instance)
        register_writer_pool(instance)  # the run queue holds runs back from its first pass on
    try:
        yield instance
    finally:
        instance.dispose()


def initialize_storage(instance: Any) -> None:
    """Touch every storage of the instance so each creates its schema now (under the lock)."""
    instance.get_runs(limit=1)
    instance.get_run_records(limit=1)
    instance.event_log_storage.get_concurrency_keys()
    instance.all_instigator_state()


def other_writers(instance: Any, own_run_id: str | None = None) -> list[Any]:
    """Runs in progress that hold a step of the warehouse writer pool (from the UI, the
    schedule, the sensor, a backfill or another `cs-retention`)."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus[name] for name in ACTIVE_STATUSES]
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=statuses))
    return [
        run
        for run in runs
        if run.run_id != own_run_id
        and run.run_op_concurrency is not None
        and WAREHOUSE_WRITER_POOL in (run.run_op_concurrency.all_pools or ())
    ]


def wait_for_other_writers(instance: Any, console: Console, poll_seconds: float = 2.0) -> None:
    announced: set[str] = set()
    while busy := other_writers(instance):
        for run in busy:
            if run.run_id not in announced:
                announced.add(run.run_id)
                console.print(
                    f"waiting for run {run.run_id[:8]} ({run.job_name}) to finish: it writes the warehouse "
                    "(a run whose process died stays 'started': terminate it in the Dagster UI)",
                    markup=False,
                )
        time.sleep(poll_seconds)


def run_job(
    job_name: str | None,
    settings: Settings,
    console: Console,
    *,
    run_config: dict | None = None,
    tags: dict[str, str] | None = None,
    verbose: bool = False,
    asset_selection: list | None = None,
    definitions: Any = None,
) -> RunOutcome:
    """Execute a job of the definitions (default: dagster_project.definitions_by_day) in this
    process (``None``: these assets of the definitions' asset job), one line per step on
    ``console``. The run holds the writer pool in the run queue's eyes from its start (its
    record names the pool, and the instance knows the pool's limit: project_instance), so a run
    launched meanwhile from the UI, the schedule or the sensor waits in the queue."""
    os.environ["DBT_USE_COLORS"] = "false"  # dbt's output goes into the log file: no escape codes
    started = time.monotonic()
    run_id = new_run_id()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = settings.output_dir / LOGS_FOLDER / f"run-{stamp}-{run_id[:8]}.log"
    with project_instance() as instance:
        home = Path(os.environ["DAGSTER_HOME"])
        with FileLock(str(home / WRITER_LOCK)), output_into_log(log_path, echo_to=console.file if verbose else None):
            if definitions is None:
                from .definitions_by_day import defs as definitions
            job = (
                definitions.resolve_job_def(job_name)
                if job_name
                else definitions.resolve_implicit_global_asset_job_def()
            )
            # loaded first: the run starts right after the last look at the other writers, so a
            # queued run the daemon dequeues in between is as unlikely as can be (README)
            wait_for_other_writers(instance, console)
            with RunWatcher(instance, run_id, console, spinner=not verbose) as watcher:
                result = job.execute_in_process(
                    instance=instance,
                    run_config=run_config,
                    run_id=run_id,
                    tags=tags,
                    asset_selection=asset_selection,
                    raise_on_error=False,
                )
    return RunOutcome(result.success, run_id, watcher.progress, log_path, time.monotonic() - started)
