"""On Spark, int_usage_event_account_ids (appended as batches arrive) and
int_records_with_unknown_account give DuckDB's rows, in a first build and in the incremental run
after a daily increment (the book and the increment of tests/test_unknown_account_records.py).

The parity test builds the whole project once; this one runs the incremental path on Spark too:
the second build appends the new batch's ids (`insert into`) instead of rebuilding the table.
One JVM (Derby allows one), the raw tables re-published as Parquet before each build.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from dagster_project.spark import build, raw_layer, session
from tests import test_unknown_account_records as book
from tests.dbt_runner import SAMPLE_LANDING, load_landing, run_dbt

pytestmark = pytest.mark.spark

COLUMNS = "source, entity, record_id, account_id, batch_id"


def spark_build(spark, root: Path, raw: Path, as_of: date) -> tuple[list[tuple], int]:
    """The two models on Spark from ``raw``: the unknown-account records and the kept id rows."""
    os.environ["CS_AS_OF_DATE"] = as_of.isoformat()
    raw_layer.raw_layer_from_duckdb(spark, raw, root / "spark")
    spark.catalog.clearCache()
    result = build.BuildResult()
    build._dbt(["run", "--select", book.SELECTION], root / "spark_target", result)
    assert not result.failures(), result.failures()
    records = sorted(tuple(r) for r in spark.sql(f"select {COLUMNS} from {book.MODEL}").collect())
    return records, spark.sql(f"select count(*) from {book.ACCOUNT_IDS}").first()[0]


def duckdb_build(root: Path, raw: Path, as_of: date, name: str) -> list[tuple]:
    warehouse = root / name / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(raw, warehouse)
    run_dbt(root / name, warehouse, as_of, "run", "--select", book.SELECTION)
    return book.rows(warehouse, f"select {COLUMNS} from {book.MODEL} order by all")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, java) -> dict:
    root = tmp_path_factory.mktemp("unknown_accounts_spark")
    landing = root / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    book.write_first_batches(landing)
    raw = load_landing(root / "spark_input.duckdb", landing)
    os.environ["CS_SPARK_WAREHOUSE_DIR"] = str((root / "spark").resolve())
    spark = session.start_session(root / "spark")
    try:
        first, first_ids = spark_build(spark, root, raw, book.FIRST_AS_OF)
        first_duckdb = duckdb_build(root, raw, book.FIRST_AS_OF, "duckdb_first")
        dropped = book.rows(raw, "select min(account_id) from raw.usage_events")[0][0]
        book.write_next_batches(landing, dropped)
        load_landing(raw, landing)
        nxt, next_ids = spark_build(spark, root, raw, book.NEXT_AS_OF)
        next_duckdb = duckdb_build(root, raw, book.NEXT_AS_OF, "duckdb_next")
    finally:
        spark.stop()
    compiled = next((root / "spark_target" / "run").rglob("int_usage_event_account_ids.sql")).read_text()
    return {
        "first": (first, first_duckdb),
        "next": (nxt, next_duckdb),
        "ids": (first_ids, next_ids),
        "compiled": compiled,
    }


def test_spark_lists_duckdbs_unknown_account_records_in_a_first_build(builds: dict) -> None:
    spark_rows, duckdb_rows = builds["first"]
    assert spark_rows == duckdb_rows
    assert any(r[1] == "events" for r in spark_rows)


def test_spark_lists_duckdbs_unknown_account_records_after_the_increment(builds: dict) -> None:
    spark_rows, duckdb_rows = builds["next"]
    assert spark_rows == duckdb_rows
    assert spark_rows != builds["first"][0]


def test_the_incremental_build_on_spark_appends_the_new_batch_ids(builds: dict) -> None:
    first_ids, next_ids = builds["ids"]
    assert next_ids == first_ids + 4
    assert "insert into table" in builds["compiled"]
