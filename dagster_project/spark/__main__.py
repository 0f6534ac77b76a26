"""`python -m dagster_project.spark`: the raw layer and the dbt build on Spark, in one JVM.

    python -m dagster_project.spark --duckdb data/warehouse.building.duckdb \
        --warehouse data/spark-warehouse --as-of 2026-11-20 [--full-refresh] [--no-data-tests] [-- <dbt args>]

Reads the raw tables the loader validated (extract contract: same quarantine, ledger, rejections
as a DuckDB run) from the DuckDB file, publishes them as Parquet tables (raw_layer.py) and runs
the whole dbt build on a local Spark session (build.py). Exit 1 with the failing nodes when dbt
fails; the marts are Parquet tables at <warehouse>/marts.db/<relation>/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from . import build, raw_layer, session


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    dbt_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, dbt_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(prog="python -m dagster_project.spark", description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, required=True, help="the DuckDB file holding the validated raw tables")
    parser.add_argument("--warehouse", type=Path, required=True, help="Spark's SQL warehouse folder")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="the as-of date (YYYY-MM-DD)")
    parser.add_argument("--target-path", type=Path, default=None, help="dbt's target folder")
    parser.add_argument("--full-refresh", action="store_true")
    parser.add_argument("--no-data-tests", action="store_true", help="build the seeds and models only (no dbt tests)")
    options = parser.parse_args(argv)
    os.environ["CS_AS_OF_DATE"] = options.as_of.isoformat()
    os.environ["CS_SPARK_WAREHOUSE_DIR"] = str(options.warehouse.resolve())
    started = time.monotonic()
    spark = session.start_session(options.warehouse)
    raw_layer.raw_layer_from_duckdb(spark, options.duckdb, options.warehouse)
    target_path = options.target_path or options.warehouse / "_dbt_target"
    try:
        result = build.build(
            spark,
            target_path.resolve(),
            extra_args=dbt_args,
            full_refresh=options.full_refresh,
            data_tests=not options.no_data_tests,
        )
    except build.SparkBuildFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(f"spark build ok: {len(result.results)} nodes in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
