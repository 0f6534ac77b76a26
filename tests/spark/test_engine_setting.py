"""CS_ENGINE and CS_SPARK_WAREHOUSE_DIR: DuckDB by default, a clear error for a value that cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.settings import (
    DEFAULT_SPARK_WAREHOUSE_DIR,
    SettingsError,
    engine,
    spark_warehouse_dir,
    validate_environment,
)


def test_duckdb_is_the_default_engine() -> None:
    assert engine({}) == "duckdb"
    assert engine({"CS_ENGINE": "  "}) == "duckdb"


@pytest.mark.parametrize("raw", ["spark", "Spark", " spark "])
def test_spark_is_chosen_by_name(raw: str) -> None:
    assert engine({"CS_ENGINE": raw}) == "spark"


def test_an_unknown_engine_is_an_error_naming_the_choices() -> None:
    with pytest.raises(SettingsError, match=r"CS_ENGINE='sparkk' is not an engine: expected one of duckdb, spark"):
        engine({"CS_ENGINE": "sparkk"})
    with pytest.raises(SettingsError, match="CS_ENGINE"):
        validate_environment({"CS_ENGINE": "postgres"})


def test_the_spark_warehouse_defaults_under_data_and_follows_the_variable(tmp_path: Path) -> None:
    assert spark_warehouse_dir({}) == DEFAULT_SPARK_WAREHOUSE_DIR
    assert DEFAULT_SPARK_WAREHOUSE_DIR.parent.name == "data"
    assert spark_warehouse_dir({"CS_SPARK_WAREHOUSE_DIR": str(tmp_path / "wh")}) == tmp_path / "wh"


def test_a_spark_warehouse_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "wh"
    file.write_text("")
    with pytest.raises(SettingsError, match="CS_SPARK_WAREHOUSE_DIR=.* is a file"):
        spark_warehouse_dir({"CS_SPARK_WAREHOUSE_DIR": str(file)})


def test_the_dagster_job_accepts_spark_and_still_refuses_an_unknown_engine() -> None:
    # the job runs on Spark (tests/spark/test_dagster_job_on_spark.py); the validation stays
    assert validate_environment({"CS_ENGINE": "spark"}).as_of_date is not None
    assert validate_environment({"CS_ENGINE": "duckdb"}).as_of_date is not None
    with pytest.raises(SettingsError, match=r"CS_ENGINE='spar' is not an engine"):
        validate_environment({"CS_ENGINE": "spar"})
