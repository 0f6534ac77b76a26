"""The validated raw layer as Parquet tables Spark reads (CS_ENGINE=spark).

The loader (dagster_project/extracts/loader.py) applies the extract contract exactly as on DuckDB:
same quarantine, ledger and rejections, usage events de-duplicated against earlier batches. Its
raw tables are then written as Parquet (one folder per table, `<warehouse>/raw.db/<table>/`) and
registered in Spark's metastore as database `raw`, so the dbt sources are the same on both
engines. Timestamps are written as naive UTC and read back as timestamps (not NTZ: session.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ..warehouse_sql import quote_ident


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = current_database() and table_schema = 'raw' order by table_name"
        ).fetchall()
    ]


def write_raw_parquet(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, Path]:
    """Every raw table as a Parquet folder under `raw_dir` (replaced whole: the layer is a copy)."""
    written = {}
    # qualified with the file's catalog: a file named raw.duckdb would make `raw` ambiguous
    catalog = quote_ident(con.execute("select current_database()").fetchone()[0])
    for table in raw_tables(con):
        target = raw_dir / table
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        parquet = (target / "part-0.parquet").as_posix()
        con.execute(f"copy {catalog}.raw.{quote_ident(table)} to '{parquet}' (format parquet)")
        written[table] = target
    return written


def register_raw_tables(spark, written: dict[str, Path]) -> None:
    """Database `raw` in the Spark metastore, one external Parquet table per raw table."""
    spark.sql("create database if not exists raw")
    for table, folder in written.items():
        spark.sql(f"drop table if exists raw.`{table}`")
        spark.sql(f"create table raw.`{table}` using parquet location '{folder.resolve().as_posix()}'")


def raw_layer_from_duckdb(spark, duckdb_file: Path, warehouse: Path) -> dict[str, Path]:
    """The raw layer of a Spark run in one process: the validated raw tables of `duckdb_file`
    written under `<warehouse>/raw.db/` and registered in `spark`'s metastore."""
    con = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        written = write_raw_parquet(con, warehouse.resolve() / "raw.db")
    finally:
        con.close()
    register_raw_tables(spark, written)
    return written
