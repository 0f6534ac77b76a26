"""The Spark steps of the Dagster job that are not dbt, each in its own process (CS_ENGINE=spark).

    python -m dagster_project.spark.steps register-raw --warehouse <dir>/_building
    python -m dagster_project.spark.steps fit --warehouse <dir>/_building

Why a process each: the Dagster job runs dbt through dagster-dbt, one dbt subprocess (and one
JVM) per invocation, and the embedded Derby metastore allows one JVM at a time per warehouse. A
Spark session started in the Dagster process would hold the metastore for the process's life
(py4j keeps its JVM after `spark.stop()`), so the steps that need Spark between two dbt
invocations start their own JVM and end it by exiting. Each costs one JVM start (~20 s).

- register-raw: the Parquet folders under <warehouse>/raw.db/ (raw_layer.write_raw_parquet,
  written by the Dagster process from the loader's DuckDB tables) become database `raw`;
- fit: the weight fit of the new fit dates (build.store_weight_fits), between the dbt
  invocation that builds its inputs and the one that builds the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build, raw_layer, session

STEPS = ("register-raw", "fit")


def command(step: str, warehouse: Path) -> list[str]:
    """The command line of ``step`` on ``warehouse`` (this interpreter)."""
    return [sys.executable, "-m", "dagster_project.spark.steps", step, "--warehouse", str(warehouse)]


def register_raw(spark, warehouse: Path) -> int:
    raw_dir = warehouse / "raw.db"
    written = {folder.name: folder for folder in sorted(raw_dir.iterdir()) if folder.is_dir()}
    raw_layer.register_raw_tables(spark, written)
    return len(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.spark.steps", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--warehouse", type=Path, required=True, help="the job's Spark SQL warehouse folder")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    warehouse = options.warehouse.resolve()
    spark = session.start_session(warehouse)
    try:
        if options.step == "register-raw":
            print(f"registered {register_raw(spark, warehouse)} raw tables")
        else:
            spark.sql("create database if not exists intermediate")
            print(f"weight fit: {build.store_weight_fits(spark)} rows stored")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
