"""Running the real pipeline job in a fresh process and reading what it did.

Each run gets its own folder: the published warehouse (``warehouse.duckdb``), its working file
beside it, dagster-dbt's target folder (``DBT_TARGET_PATH``, so ``run_results.json`` lands here
and not in the project) and the run's log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dagster_project.dbt_command import PARTIAL_PARSE_FILE
from dagster_project.settings import DBT_DOCS_TARGET_NAME

from .cpu import CpuMeter
from .job_run import PHASES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
JOB_NAME = "retention_pipeline"
WAREHOUSE_NAME = "warehouse.duckdb"
BUILDING_NAME = "warehouse.building.duckdb"  # settings.Settings.building_path of WAREHOUSE_NAME
RUN_TIMEOUT_S = 4 * 3600


class PipelineRunFailed(RuntimeError):
    """The job did not succeed: a benchmark of a failed run would measure nothing useful."""


@dataclass(frozen=True)
class RunLayout:
    """The files of one pipeline run, on one engine (CS_ENGINE)."""

    folder: Path
    engine: str = "duckdb"

    @property
    def spark_warehouse(self) -> Path:
        """CS_SPARK_WAREHOUSE_DIR of a Spark run. Its metastore records absolute table locations,
        so a copy of it is only usable at the path it was built at: the harness runs every run in
        the same working folder (Workspace.working) and restores a base run's copy there."""
        return self.folder / "spark-warehouse"

    @property
    def warehouse(self) -> Path:
        return self.folder / WAREHOUSE_NAME

    @property
    def building(self) -> Path:
        return self.folder / BUILDING_NAME

    @property
    def dbt_target(self) -> Path:
        return self.folder / "dbt_target"

    @property
    def dbt_state(self) -> list[Path]:
        """What dbt leaves for the next run: the build's parse state and the docs site's folder."""
        state = [self.dbt_target / PARTIAL_PARSE_FILE, self.folder / DBT_DOCS_TARGET_NAME]
        return [path for path in state if path.exists()]

    @property
    def stats(self) -> Path:
        return self.folder / "job_stats.json"

    @property
    def log(self) -> Path:
        return self.folder / "job.log"


@dataclass
class RunTiming:
    """What one run cost: wall time of the process, the job alone, and the phases."""

    wall_s: float
    startup_s: float
    execute_s: float
    phases_s: dict[str, float]
    steps: list[dict[str, Any]] = field(default_factory=list)
    cpu_s: float = 0.0  # CPU seconds of the run's processes (user + system)
    foreign_cpu_s: float | None = None  # CPU other processes on the machine used meanwhile


def run_environment(layout: RunLayout, landing: Path, as_of: date, dagster_home: Path) -> dict[str, str]:
    """The environment of a run: the mart contract's variables pointing into the run's folder."""
    spark = {"CS_SPARK_WAREHOUSE_DIR": str(layout.spark_warehouse)} if layout.engine == "spark" else {}
    return {
        **os.environ,
        "CS_ENGINE": layout.engine,
        **spark,
        "CS_LANDING_DIR": str(landing),
        "CS_WAREHOUSE_PATH": str(layout.warehouse),
        "CS_AS_OF_DATE": as_of.isoformat(),
        "DBT_TARGET_PATH": str(layout.dbt_target),
        "DAGSTER_HOME": str(dagster_home),
        "PYTHONUNBUFFERED": "1",
    }


def sum_phases(steps: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds per phase (steps run one after another, so the phases add up to the job)."""
    totals = dict.fromkeys(PHASES, 0.0)
    for step in steps:
        totals[step["phase"]] = totals.get(step["phase"], 0.0) + step["seconds"]
    return totals


def run_job(layout: RunLayout, landing: Path, as_of: date, dagster_home: Path) -> RunTiming:
    """Run the job once in a child process; raises PipelineRunFailed unless it succeeded."""
    layout.folder.mkdir(parents=True, exist_ok=True)
    dagster_home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "benchmarks.job_run", "--job", JOB_NAME, "--out", str(layout.stats)]
    env = run_environment(layout, landing, as_of, dagster_home)
    meter = CpuMeter().start()
    started = time.perf_counter()
    with layout.log.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT_S
        )
    wall = time.perf_counter() - started
    cpu = meter.stop()
    stats = json.loads(layout.stats.read_text(encoding="utf-8")) if layout.stats.is_file() else None
    if completed.returncode != 0 or not stats or not stats["success"]:
        reasons = "\n".join(stats["failures"]) if stats else _log_tail(layout.log)
        raise PipelineRunFailed(f"{JOB_NAME} failed in {layout.folder} (log: {layout.log}):\n{reasons}")
    phases = sum_phases(stats["steps"])
    return RunTiming(wall, stats["startup_s"], stats["execute_s"], phases, stats["steps"], cpu.ours, cpu.foreign)


def _log_tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def dbt_run_results(layout: RunLayout) -> list[Path]:
    """The ``run_results.json`` of the dbt invocations of a run (dagster-dbt's unique target
    folders, and one per range of a first build in ranges)."""
    return sorted(layout.dbt_target.glob("*/run_results.json"))
