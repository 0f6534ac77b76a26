"""Running the project's dbt against a test warehouse: load a landing folder, then `dbt <command>`.

The end-to-end tests of single areas (revenue, cohorts, renewals) and the dbt unit tests share
these two steps; the whole pipeline (tests/test_pipeline.py) runs through Dagster instead.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.dbt_command import dbt_command
from dagster_project.extracts.loader import load_source
from dagster_project.extracts.spec import SOURCES as SOURCE_SPECS

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = ROOT / "dbt_project"
SAMPLE_LANDING = ROOT / "seeds" / "landing"  # the bundled sample book (last day 2026-11-20)
SOURCES = tuple(SOURCE_SPECS)


def load_landing(warehouse: Path, landing: Path) -> Path:
    """Load every source of ``landing`` into ``warehouse`` with the project's loader."""
    con = duckdb.connect(str(warehouse))
    try:
        for source in SOURCES:
            result = load_source(con, landing, source)
            assert not result.rejected, [batch.error for batch in result.rejected]
    finally:
        con.close()
    return warehouse


def dbt_process(
    root: Path, warehouse: Path, as_of: date, *arguments: str, timeout: int = 1800
) -> subprocess.CompletedProcess:
    """`dbt <arguments>` on ``warehouse`` as of ``as_of``, whatever its outcome (a test that expects
    dbt to fail reads the return code). Target and log folders go under ``root`` so tests never
    write into the project."""
    variables = {"as_of_date": as_of.isoformat()}
    command = dbt_command(*arguments, variables=variables, target_dir=root / "dbt_target", log_dir=root / "dbt_logs")
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse), "CS_AS_OF_DATE": as_of.isoformat()}
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout)


def run_dbt(root: Path, warehouse: Path, as_of: date, *arguments: str, timeout: int = 1800) -> str:
    """`dbt <arguments>` (see :func:`dbt_process`); fails the test with dbt's output if dbt fails."""
    run = dbt_process(root, warehouse, as_of, *arguments, timeout=timeout)
    assert run.returncode == 0, f"dbt {arguments[0]} as of {as_of} failed:\n{run.stdout[-20000:]}\n{run.stderr[-5000:]}"
    return run.stdout


def build_selection(root: Path, landing: Path, as_of: date, selection: str) -> Path:
    """A fresh warehouse with ``landing`` loaded and `dbt build --select <selection>` run once.

    ``--indirect-selection buildable``: only tests whose parents are all built here (a staging
    relationship test towards a model outside the selection would fail on a fresh warehouse).
    """
    warehouse = load_landing(root / "warehouse.duckdb", landing)
    run_dbt(root, warehouse, as_of, "build", "--select", selection, "--indirect-selection", "buildable")
    return warehouse
