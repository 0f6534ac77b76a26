"""The dbt build on Spark, in this process (CS_ENGINE=spark; docs/scaling.md).

dbt runs through its Python entry point (dbtRunner) with `--target spark`, so it reuses the
session this process started (session.py). dbt-spark runs Python models only on Databricks, so
the weight fit - a dbt Python model on DuckDB - runs between two dbt invocations here:

1. `dbt build` of the seeds and models the fit reads (`+int_health_closed_renewals`), no tests;
2. the fit (dagster_project.health_fit_table, the same code as the Python model) of the fit
   dates not stored yet, appended to intermediate.health_weight_fits_store;
3. `dbt build` of the rest (the SQL model int_health_weight_fits publishes the stored fits),
   with the tests whose parents are all there;
4. `dbt test` of the models of step 1 (every test with a parent among them: dbt's eager
   selection), so each data test runs once, after all its parents are built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..health_fit_table import COLUMNS, fit_table
from ..settings import DBT_PROJECT_DIR

FIT_INPUTS = "+int_health_closed_renewals cfg_health_weights cfg_health_weight_fit"
FIT_STORE = "health_weight_fits_store"
SPARK_TYPES = {"varchar": "string"}


class SparkBuildFailed(RuntimeError):
    """A dbt invocation on Spark failed (its failing nodes in the message)."""


@dataclass
class BuildResult:
    invocations: list[list[str]] = field(default_factory=list)
    results: list = field(default_factory=list)  # dbt's node results, all invocations

    def failures(self) -> list[str]:
        return [
            f"{r.node.unique_id}: {r.status}" + (f" ({r.message})" if r.message else "")
            for r in self.results
            if str(r.status) in {"error", "fail"}
        ]


def _dbt(args: Sequence[str], target_path: Path, result: BuildResult) -> None:
    from dbt.cli.main import dbtRunner

    full = [*args, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    full += ["--target-path", str(target_path)]
    result.invocations.append(full)
    outcome = dbtRunner().invoke(full)
    if outcome.result is not None and hasattr(outcome.result, "results"):
        result.results.extend(outcome.result.results)
    if outcome.exception is not None:
        raise SparkBuildFailed(f"dbt {' '.join(args)} on Spark: {outcome.exception}")


def _spark_value(value):
    """A pandas cell as the Python value Spark's schema check accepts (NaN/NaT -> None)."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def store_weight_fits(spark, intermediate_schema: str = "intermediate") -> int:
    """Fits the new fit dates into intermediate.health_weight_fits_store; returns the rows added."""
    store = f"{intermediate_schema}.{FIT_STORE}"
    columns = ", ".join(f"{c} {SPARK_TYPES.get(t, t)}" for c, t in COLUMNS.items())
    spark.sql(f"create table if not exists {store} ({columns}) using parquet")
    weights = spark.table("config.cfg_health_weights").toPandas()
    settings = spark.table("config.cfg_health_weight_fit").toPandas().iloc[0]
    days_table = f"{intermediate_schema}.int_health_account_days"
    days = spark.sql(f"select min(as_of_date), max(as_of_date) from {days_table}").first()
    done = {pd.Timestamp(row[0]) for row in spark.sql(f"select distinct fit_date from {store}").collect()}

    def read_closed():
        return spark.sql(f"select * from {intermediate_schema}.int_health_closed_renewals where is_scored").toPandas()

    frame = fit_table(weights, settings, read_closed, days[0], days[1], done)
    if frame is None:
        return 0
    # an explicit schema: a column NULL on every row (no out-of-sample AUC yet) has no type to infer
    rows = [tuple(map(_spark_value, record)) for record in frame.astype(object).itertuples(index=False, name=None)]
    spark.createDataFrame(rows, schema=columns).write.insertInto(store)
    return len(frame)


def _excluding(*resource_types: str) -> list[str]:
    return [arg for kind in resource_types for arg in ("--exclude-resource-type", kind)]


def _build_around_the_fit(
    spark, target_path: Path, args: Sequence[str], result: BuildResult, data_tests: bool = True
) -> None:
    """Steps 1-3 of the module doc: the fit's inputs (never their tests: step 4 runs them), the
    fit, then the rest, with its data tests when ``data_tests``; never unit tests (as the DuckDB
    build, dagster_project/assets: they test the SQL, not the data). dbt `args` both times."""
    _dbt(["build", "--select", FIT_INPUTS, *_excluding("unit_test", "test"), *args], target_path, result)
    _fail_on(result)
    spark.sql("create database if not exists intermediate")
    store_weight_fits(spark)
    rest_excludes = _excluding("unit_test") if data_tests else _excluding("unit_test", "test")
    _dbt(["build", "--exclude", FIT_INPUTS, *rest_excludes, *args], target_path, result)


def build(
    spark, target_path: Path, extra_args: Sequence[str] = (), full_refresh: bool = False, data_tests: bool = True
) -> BuildResult:
    """`dbt build` of the whole project on Spark (the weight fit in between: module doc); without
    ``data_tests`` the models only (steps 1-3 with no tests, no step 4)."""
    result = BuildResult()
    if full_refresh:
        spark.sql(f"drop table if exists intermediate.{FIT_STORE}")
    build_args = [*extra_args, *(["--full-refresh"] if full_refresh else [])]
    _build_around_the_fit(spark, target_path, build_args, result, data_tests)
    if data_tests:
        _dbt(["test", "--select", FIT_INPUTS, *_excluding("unit_test"), *extra_args], target_path, result)
    _fail_on(result)
    return result


def unit_tests(spark, target_path: Path) -> BuildResult:
    """Every dbt unit test on Spark, the way tests/test_dbt_unit_tests.py runs them on DuckDB:
    seeds and models built `--empty` (zero rows, real column types; the weight fit in between, as
    in `build`), then `dbt test --select test_type:unit`. Returns the unit tests' results."""
    built = BuildResult()
    _build_around_the_fit(spark, target_path, ["--empty"], built, data_tests=False)
    _fail_on(built)
    result = BuildResult()
    _dbt(["test", "--select", "test_type:unit"], target_path, result)
    return result


def _fail_on(result: BuildResult) -> None:
    failures = result.failures()
    if failures:
        raise SparkBuildFailed("dbt build on Spark failed:\n" + "\n".join(failures[:20]))
