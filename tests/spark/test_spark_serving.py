"""The Spark-built tables copied into the DuckDB working file (dagster_project/spark/serving.py),
and the dbt invocations of a Spark build in the Dagster job (dagster_project/spark/job.py).

No JVM: Spark's Parquet folders are stood in for by folders DuckDB writes in Spark's layout (a
day-partitioned table's partition column only in its `as_of_date=<day>/` folder names, last).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.assets.dbt import dbt_build_args, dbt_project
from dagster_project.partitions import AsOfDays
from dagster_project.spark import build, serving
from dagster_project.spark.job import invocation_plan


def _column(name: str, data_type: str, description: str = "", not_null: bool = False) -> dict:
    constraints = [{"type": "not_null"}] if not_null else []
    return {"name": name, "data_type": data_type, "description": description, "constraints": constraints}


MANIFEST = {
    "nodes": {
        "model.p.fct_account_health_daily": {
            "resource_type": "model",
            "alias": "fct_account_health_daily",
            "config": {"schema": "marts", "enabled": True},
            "description": "One row per account and day.",
            "columns": {
                "as_of_date": _column("as_of_date", "date", "The day.", not_null=True),
                "account_id": _column("account_id", "string", "The account.", not_null=True),
                "health_score": _column("health_score", "decimal(18,4)"),
                "data_completeness": _column("data_completeness", "double"),
            },
        },
        "model.p.dim_accounts": {
            "resource_type": "model",
            "alias": "dim_accounts",
            "config": {"schema": "marts", "enabled": True},
            "description": "",
            "columns": {"account_id": _column("account_id", "string"), "seats": _column("seats", "integer")},
        },
        "model.p.stg_accounts": {
            "resource_type": "model",
            "alias": "stg_accounts",
            "config": {"schema": "staging", "enabled": True},
            "columns": {},
        },
    }
}


@pytest.fixture
def spark_warehouse(tmp_path: Path) -> Path:
    warehouse = tmp_path / "spark"
    for schema in ("marts", "intermediate"):
        (warehouse / f"{schema}.db").mkdir(parents=True)
    with duckdb.connect() as con:
        daily = (
            "select 'a' || (i % 3) as account_id, (i * 1.25)::decimal(18,4) as health_score, 0.5 as data_completeness,"
            " date '2026-11-18' + (i // 3)::int as as_of_date from range(9) as t(i)"
        )
        con.execute(
            f"copy ({daily}) to '{warehouse}/marts.db/fct_account_health_daily' (format parquet, partition_by (as_of_date))"
        )
        (warehouse / "marts.db" / "dim_accounts").mkdir()
        con.execute(
            f"copy (select 'a0' as account_id, 12 as seats) to '{warehouse}/marts.db/dim_accounts/part-0.parquet' (format parquet)"
        )
        days = "select 'a' || (i % 3) as account_id, date '2026-11-20' as as_of_date from range(3) as t(i)"
        con.execute(
            f"copy ({days}) to '{warehouse}/intermediate.db/int_health_account_days' (format parquet, partition_by (as_of_date))"
        )
    return warehouse


def test_the_marts_are_copied_with_their_contract_types_order_constraints_and_descriptions(tmp_path, spark_warehouse):
    with duckdb.connect(str(tmp_path / "working.duckdb")) as con:
        copied = serving.serve_spark_tables(con, spark_warehouse, MANIFEST)
        assert copied == [
            "marts.dim_accounts",
            "marts.fct_account_health_daily",
            "intermediate.int_health_account_days",
        ]
        columns = con.execute(
            "select column_name, data_type, is_nullable from information_schema.columns"
            " where table_name = 'fct_account_health_daily' order by ordinal_position"
        ).fetchall()
        assert columns == [
            ("as_of_date", "DATE", "NO"),  # the partition column back in the contract's place
            ("account_id", "VARCHAR", "NO"),
            ("health_score", "DECIMAL(18,4)", "YES"),
            ("data_completeness", "DOUBLE", "YES"),
        ]
        assert con.execute(
            "select count(*), max(as_of_date), sum(health_score) from marts.fct_account_health_daily"
        ).fetchone() == (
            9,
            date(2026, 11, 20),
            pytest.approx(45.0),
        )
        assert con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_account_health_daily'"
        ).fetchone() == ("One row per account and day.",)
        comment = con.execute(
            "select comment from duckdb_columns() where table_name = 'fct_account_health_daily' and column_name = 'account_id'"
        ).fetchone()
        assert comment == ("The account.",)
        assert con.execute("select * from marts.dim_accounts").fetchall() == [("a0", 12)]
        assert con.execute(
            "select count(*) from intermediate.int_health_account_days where as_of_date = date '2026-11-20'"
        ).fetchone() == (3,)
        assert not con.execute("select * from information_schema.tables where table_schema = 'staging'").fetchall()


def test_a_second_copy_replaces_the_first_and_a_missing_table_changes_nothing(tmp_path, spark_warehouse):
    working = tmp_path / "working.duckdb"
    with duckdb.connect(str(working)) as con:
        serving.serve_spark_tables(con, spark_warehouse, MANIFEST)
        serving.serve_spark_tables(con, spark_warehouse, MANIFEST)
        assert con.execute("select count(*) from marts.fct_account_health_daily").fetchone() == (9,)
        for path in (spark_warehouse / "marts.db" / "dim_accounts").iterdir():
            path.unlink()
        (spark_warehouse / "marts.db" / "dim_accounts").rmdir()
        with pytest.raises(FileNotFoundError, match="marts.dim_accounts has no folder"):
            serving.serve_spark_tables(con, spark_warehouse, MANIFEST)
        assert con.execute("select * from marts.dim_accounts").fetchall() == [("a0", 12)]  # rolled back


def test_the_latest_history_day_is_read_from_the_spark_table(tmp_path, spark_warehouse):
    assert serving.latest_history_day(spark_warehouse) == date(2026, 11, 20)
    assert serving.latest_history_day(tmp_path / "nothing built yet") is None


def test_every_mart_of_the_project_is_served() -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    names = [node["alias"] for node in serving.mart_nodes(manifest)]
    assert len(names) >= 17 and "fct_account_health_daily" in names and "rpt_executive_summary" in names
    assert all(column.get("data_type") for node in serving.mart_nodes(manifest) for column in node["columns"].values())


def test_the_spark_plan_passes_the_duckdb_builds_vars_to_every_invocation() -> None:
    backfill = dbt_build_args(False, AsOfDays(date(2026, 11, 1), date(2026, 11, 5)))
    plan = invocation_plan(backfill)
    variables = ["--vars", json.dumps({"health_start_date": "2026-11-01", "health_end_date": "2026-11-05"})]
    assert [args[:3] for args in plan] == [
        ["build", "--select", build.FIT_INPUTS],
        ["build", "--exclude", build.FIT_INPUTS],
        ["test", "--select", build.FIT_INPUTS],
    ]
    for args in plan:
        assert args[-2:] == ["--target", "spark"]
        at = args.index("--vars")
        assert args[at : at + 2] == variables
        assert "unit_test" in args  # unit tests check the SQL in CI, not every run (as on DuckDB)
    assert "test" in plan[0][plan[0].index("--exclude-resource-type", 4) + 1]
    first_build = invocation_plan(dbt_build_args(True, None))
    assert "--threads" in dbt_build_args(True, None)  # DuckDB's first build: one node at a time
    assert "--vars" not in first_build[0]
    assert not any("--threads" in args for args in first_build)  # Spark: the profile's threads
