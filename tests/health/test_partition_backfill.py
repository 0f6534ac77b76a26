"""A backfill of a 30-day partition range gives exactly the rows a from-scratch build gives.

The warehouse is built from scratch by dbt as of the sample's last day; then the daily history
of 30 days ending five days earlier is damaged (rows deleted, scores changed, a row that must
not exist added) in every daily-history model and recomputed twice, each time as a user would:

- through Dagster, as the UI launches a single-run backfill of a partition range: one run of
  the health_history_backfill job tagged with the range's first and last partition;
- through ``cs-retention backfill --start --end``.

Each time every daily-history table must hold, for those 30 days, exactly the rows of the
from-scratch build (``except all`` both ways: no row missing, none extra, none changed), and the
days outside the range must not have moved. The range ends before the from-scratch build's as-of
date, so a model that read the run's as-of date instead of each day's would show here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dagster_project.dbt_command import dbt_command
from tests.dbt_runner import DBT_PROJECT_DIR, SAMPLE_LANDING, load_landing

AS_OF = date(2026, 11, 20)  # the sample's last day
LAST = AS_OF - timedelta(days=5)
FIRST = LAST - timedelta(days=29)  # 30 days
HISTORY_DAYS = 60  # var health_history_days of the from-scratch build: covers the range, quick to build
DAILY_HISTORY = [
    "intermediate.int_health_account_days",
    "intermediate.int_health_adoption_daily",
    "intermediate.int_health_deployment_daily",
    "intermediate.int_health_financial_daily",
    "intermediate.int_health_sentiment_daily",
    "intermediate.int_health_stakeholder_daily",
    "intermediate.int_health_support_daily",
    "intermediate.int_health_usage_daily",
    "intermediate.int_health_value_daily",
    "marts.fct_account_health_daily",
]
IN_RANGE = f"as_of_date between date '{FIRST}' and date '{LAST}'"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """The from-scratch build; every table copied into schema ``scratch`` for comparison."""
    root = tmp_path_factory.mktemp("partition_backfill")
    warehouse = load_landing(root / "warehouse.building.duckdb", SAMPLE_LANDING)
    variables = {"as_of_date": AS_OF.isoformat(), "health_history_days": HISTORY_DAYS}
    command = dbt_command(
        *("build", "--select", "+fct_account_health_daily", "--exclude-resource-type", "test", "unit_test"),
        variables=variables,
        target_dir=root / "dbt_target",
        log_dir=root / "dbt_logs",
    )
    env = {**os.environ, "CS_DBT_DUCKDB_PATH": str(warehouse)}
    built = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-6000:]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema scratch")
        for table in DAILY_HISTORY:
            con.execute(f"create table scratch.{table.split('.')[1]} as select * from {table}")
    return warehouse


def damage(warehouse: Path) -> None:
    """Delete a week, shift a day's values, and add a row for an account that pays no one."""
    with duckdb.connect(str(warehouse)) as con:
        for table in DAILY_HISTORY:
            con.execute(f"delete from {table} where as_of_date between date '{FIRST}' + 3 and date '{FIRST}' + 9")
            con.execute(
                f"insert into {table} by name select * replace ('GHOST' as account_id) from {table} "
                f"where as_of_date = date '{LAST}' limit 1"
            )
        con.execute(f"update marts.fct_account_health_daily set health_score = 0 where as_of_date = date '{LAST}'")
        con.execute(f"update intermediate.int_health_account_days set mrr = mrr + 1 where as_of_date = date '{FIRST}'")


def differences(warehouse: Path) -> dict[str, tuple[int, int, int]]:
    """Per table: rows of the range missing or changed, rows extra, and rows outside the range
    that differ from the from-scratch build (all 0 when the backfill is exact)."""
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in DAILY_HISTORY:
            kept = f"scratch.{table.split('.')[1]}"
            missing = con.execute(
                f"select count(*) from (select * from {kept} where {IN_RANGE} "
                f"except all select * from {table} where {IN_RANGE})"
            ).fetchone()[0]
            extra = con.execute(
                f"select count(*) from (select * from {table} where {IN_RANGE} "
                f"except all select * from {kept} where {IN_RANGE})"
            ).fetchone()[0]
            outside = con.execute(
                f"select count(*) from ((select * from {table} where not ({IN_RANGE}) "
                f"except all select * from {kept} where not ({IN_RANGE})) union all "
                f"(select * from {kept} where not ({IN_RANGE}) except all select * from {table} where not ({IN_RANGE})))"
            ).fetchone()[0]
            found[table] = (missing, extra, outside)
    return found


def point_at(warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the from-scratch build as the pipeline's working file, the env pointing at it."""
    building = tmp_path / "warehouse.building.duckdb"
    shutil.copyfile(warehouse, building)
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CS_LANDING_DIR", str(SAMPLE_LANDING))
    monkeypatch.setenv("CS_AS_OF_DATE", AS_OF.isoformat())
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    return building


def test_the_damage_is_seen(scratch, tmp_path, monkeypatch):
    building = point_at(scratch, tmp_path, monkeypatch)
    damage(building)
    assert all(missing and extra for missing, extra, _ in differences(building).values())


def test_a_partition_range_backfill_as_the_ui_launches_it_equals_a_build_from_scratch(scratch, tmp_path, monkeypatch):
    import dagster as dg

    from dagster_project.definitions_by_day import defs
    from dagster_project.partitions import AsOfDays

    building = point_at(scratch, tmp_path, monkeypatch)
    damage(building)
    job = defs.resolve_job_def("health_history_backfill")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, tags=AsOfDays(FIRST, LAST).run_tags(), raise_on_error=False)
        assert result.success
        runs = instance.get_runs()
    assert len(runs) == 1  # the whole range in one run, one dbt invocation
    assert runs[0].tags["dagster/asset_partition_range_start"] == FIRST.isoformat()
    [dbt_step] = [e for e in result.all_events if e.is_step_success]
    assert dbt_step.step_key == "dbt_models"
    assert differences(building) == dict.fromkeys(DAILY_HISTORY, (0, 0, 0))


def test_cs_retention_backfill_of_the_range_equals_a_build_from_scratch(scratch, tmp_path, monkeypatch):
    from dagster_project.cli import app

    building = point_at(scratch, tmp_path, monkeypatch)
    damage(building)
    import dagster as dg

    outcome = CliRunner().invoke(app, ["backfill", "--start", FIRST.isoformat(), "--end", LAST.isoformat()])
    assert outcome.exit_code == 0, outcome.output
    with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME is tmp_path: the CLI's own instance
        [run] = instance.get_runs()
    # one run of the 30-day partition range, as the UI launches a single-run backfill
    assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == (
        FIRST.isoformat(),
        LAST.isoformat(),
    )
    assert (LAST - FIRST).days + 1 == 30
    assert differences(building) == dict.fromkeys(DAILY_HISTORY, (0, 0, 0))
