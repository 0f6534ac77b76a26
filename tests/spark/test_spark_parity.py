"""Parity: the same dbt project built on Spark (dbt-spark, local session) gives DuckDB's marts.

A generated book is loaded once with the project's loader (the extract contract), then built on
DuckDB (`dbt build`) and on Spark (`python -m dagster_project.spark`: the validated raw tables as
Parquet, the whole dbt build on a local Spark session, the weight fit between its halves), in
three steps as the pipeline runs them (dagster_project/assets/dbt.py):

1. a full build as of AS_OF;
2. the next day's incremental run: one more day of usage and the day's CRM and billing
   snapshots land (benchmarks/landing.py, next_day_landing), loaded into both, built as of
   AS_OF + 1 day without --vars (the incremental models add the new day);
3. a 30-day backfill as of the same day: the vars health_start_date / health_end_date, as
   dbt_vars passes them for a Dagster partition range, recompute days already written.

After each step every table of schema `marts` must be equal, mart by mart
(tests/spark/marts_compare.py), read back from the Spark marts' Parquet folders with DuckDB -
which also shows BI tools can read them. Data tests are left out of the builds here (they run on
every pipeline run, and would double this test's minutes on Spark); the marts are what must
agree. Needs Java 17 (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from benchmarks.landing import next_day_landing
from dagster_project.assets.dbt import days_to_recompute, dbt_vars, latest_history_day
from dagster_project.dbt_command import dbt_command
from dagster_project.partitions import AsOfDays
from dagster_project.sample_data.generator import generate_landing
from tests.dbt_runner import DBT_PROJECT_DIR, load_landing
from tests.spark.marts_compare import differences, duckdb_marts, spark_relation_sql

pytestmark = pytest.mark.spark

AS_OF = date(2026, 11, 20)
NEXT_DAY = AS_OF + timedelta(days=1)
BACKFILL_DAYS = 30
# a small book of 6 months: each usage and health day is a partition folder on Spark, so the
# days, not the accounts, set this test's Spark minutes (CI's budget)
ACCOUNTS, MONTHS = 12, 6
STEPS = ("full build", "next-day incremental run", "30-day backfill")
NO_TESTS = ("--exclude-resource-type", "unit_test", "--exclude-resource-type", "test")


def duckdb_build(root: Path, warehouse: Path, as_of: date, variables: dict[str, str]) -> None:
    command = dbt_command(
        "build", *NO_TESTS, variables={"as_of_date": as_of.isoformat(), **variables}, target_dir=root / "dbt_target"
    )
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse), "CS_AS_OF_DATE": as_of.isoformat()}
    run = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"DuckDB build as of {as_of} failed:\n{run.stdout[-15000:]}\n{run.stderr[-3000:]}"


def spark_build(root: Path, raw: Path, as_of: date, variables: dict[str, str]) -> None:
    """`python -m dagster_project.spark` in its own process (its own JVM: Derby allows one)."""
    command = [sys.executable, "-m", "dagster_project.spark", "--duckdb", str(raw), "--warehouse", str(root / "spark")]
    command += ["--as-of", as_of.isoformat(), "--target-path", str(root / "spark_dbt_target")]
    command += ["--no-data-tests", *(["--", "--vars", json.dumps(variables)] if variables else [])]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1500, env={**os.environ})
    assert run.returncode == 0, f"Spark build as of {as_of} failed:\n{run.stdout[-15000:]}\n{run.stderr[-5000:]}"


def compare_marts(warehouse: Path, spark_warehouse: Path) -> dict:
    """{mart: its differences (empty: equal)} for every table of DuckDB's schema marts."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            relation: differences(con, relation, columns, spark_warehouse)
            for relation, columns in duckdb_marts(con).items()
        }
    finally:
        con.close()


def latest_days(warehouse: Path, spark_warehouse: Path) -> tuple[date, date]:
    """The latest day of the daily health mart on DuckDB and on Spark."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        duck = con.execute("select max(as_of_date) from marts.fct_account_health_daily").fetchone()[0]
        spark_sql = spark_relation_sql(spark_warehouse, "fct_account_health_daily")
        spark = con.execute(f"select max(cast(as_of_date as date)) from {spark_sql}").fetchone()[0]
        return duck, spark
    finally:
        con.close()


def _timed(build, *arguments) -> float:
    started = time.monotonic()
    build(*arguments)
    return round(time.monotonic() - started, 1)


def both_builds(root: Path, warehouse: Path, raw: Path, as_of: date, variables: dict[str, str]) -> dict:
    """One step on both engines at once (each reads its own copy of the raw tables: the Spark
    build's JVM waits on Spark's per-node overhead more than on the cores), then the marts compared."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        duck = pool.submit(_timed, duckdb_build, root, warehouse, as_of, variables)
        spark = pool.submit(_timed, spark_build, root, raw, as_of, variables)
        timings = {"duckdb_s": duck.result(), "spark_s": spark.result()}
    return {
        "differences": compare_marts(warehouse, root / "spark"),
        "latest_days": latest_days(warehouse, root / "spark"),
        **timings,
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, java) -> dict:
    """The three steps on both engines, the marts compared after each (they change with the next)."""
    root = tmp_path_factory.mktemp("spark_parity")
    book = root / "landing"
    generate_landing(book, accounts=ACCOUNTS, months=MONTHS, end_date=AS_OF, seed=7)
    warehouse = load_landing(root / "warehouse.duckdb", book)
    raw = root / "spark_input.duckdb"
    shutil.copy(warehouse, raw)  # the Spark build's raw tables, loaded by the same loader
    steps = {"full build": both_builds(root, warehouse, raw, AS_OF, {})}
    next_day = next_day_landing(book, root / "landing_next_day", NEXT_DAY)
    for loaded in (warehouse, raw):
        load_landing(loaded, next_day)  # only the new batches: the ledger skips the loaded ones
    steps["next-day incremental run"] = both_builds(root, warehouse, raw, NEXT_DAY, {})

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        latest = latest_history_day(con)
    finally:
        con.close()
    backfill = AsOfDays(NEXT_DAY - timedelta(days=BACKFILL_DAYS - 1), NEXT_DAY)
    variables = dbt_vars(days_to_recompute(backfill, latest))  # what the Dagster asset passes dbt
    assert variables == {"health_start_date": backfill.first.isoformat(), "health_end_date": NEXT_DAY.isoformat()}
    steps["30-day backfill"] = both_builds(root, warehouse, raw, NEXT_DAY, variables)
    return {"root": root, "warehouse": warehouse, "steps": steps}


@pytest.mark.parametrize("step", STEPS)
def test_spark_gives_duckdbs_marts_after_each_step(builds: dict, step: str) -> None:
    found = builds["steps"][step]["differences"]
    assert len(found) >= 17, sorted(found)
    assert not [line for lines in found.values() for line in lines], "\n".join(
        line for lines in found.values() for line in lines
    )


@pytest.mark.parametrize(("step", "as_of"), [("full build", AS_OF), ("next-day incremental run", NEXT_DAY)])
def test_each_run_scores_its_as_of_day_on_both_engines(builds: dict, step: str, as_of: date) -> None:
    """The comparison would also hold if neither engine added the day: both must have it."""
    assert builds["steps"][step]["latest_days"] == (as_of, as_of)


def test_every_spark_mart_is_a_parquet_table_under_marts_db(builds: dict) -> None:
    con = duckdb.connect(str(builds["warehouse"]), read_only=True)
    try:
        marts = duckdb_marts(con)
    finally:
        con.close()
    folders = {path.name for path in (builds["root"] / "spark" / "marts.db").iterdir() if path.is_dir()}
    assert set(marts) <= folders, sorted(set(marts) - folders)
