"""The Spark-built tables the rest of the run reads, copied into the DuckDB working file.

Why: after the dbt build, the Great Expectations gates (checks/), publishing of the DuckDB file
Superset reads (assets/publish.py), the leadership report and the alerts all read a DuckDB
connection to the working file. On CS_ENGINE=spark they must read what Spark built, not what an
earlier DuckDB build left there. Copying the marts (and the one intermediate table a gate reads)
from Spark's Parquet folders into the working file's schemas keeps every one of those steps the
same on both engines: one implementation of each gate, report and alert rule.

The marts get the types, NOT NULL columns and descriptions of their dbt contracts (the manifest),
in the contract's column order (Spark puts partition columns last); Parquet folders are read
with DuckDB's read_parquet, day-partition folders included (hive partitioning).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ..checks.health import PAYING_ACCOUNT_DAYS
from ..warehouse_sql import quote_ident, quote_literal

MARTS_SCHEMA = "marts"
# what a gate reads besides the marts: the paying account-days of checks/health.py
EXTRA_RELATIONS = (PAYING_ACCOUNT_DAYS,)
HISTORY_RELATION = ("marts", "fct_account_health_daily")


def mart_nodes(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The dbt models of schema marts (each a Parquet table on Spark), by name."""
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("schema") == MARTS_SCHEMA
        and node["config"].get("enabled", True)
    ]
    return sorted(nodes, key=lambda node: node["alias"])


def parquet_scan(warehouse: Path, schema: str, relation: str) -> str:
    """DuckDB's scan of a Spark table's Parquet folder (its partition folders included)."""
    folder = Path(warehouse) / f"{schema}.db" / relation
    if not folder.is_dir():
        raise FileNotFoundError(f"Spark table {schema}.{relation} has no folder at {folder}")
    glob = quote_literal(f"{folder.as_posix()}/**/*.parquet")
    return f"read_parquet({glob}, hive_partitioning = true, union_by_name = true)"


def latest_history_day(warehouse: Path) -> date | None:
    """The latest day of the Spark-built daily health table; None before the first build."""
    schema, relation = HISTORY_RELATION
    if not (Path(warehouse) / f"{schema}.db" / relation).is_dir():
        return None
    with duckdb.connect() as con:
        try:
            return con.execute(f"select max(as_of_date) from {parquet_scan(warehouse, schema, relation)}").fetchone()[0]
        except duckdb.IOException:  # the folder has no Parquet file yet
            return None


def _mart_ddl(node: Mapping[str, Any]) -> str:
    columns = []
    for column in node["columns"].values():
        not_null = any(c.get("type") == "not_null" for c in column.get("constraints", []))
        columns.append(f"{quote_ident(column['name'])} {column['data_type']}" + (" not null" if not_null else ""))
    return f"create table {MARTS_SCHEMA}.{quote_ident(node['alias'])} ({', '.join(columns)})"


def _copy_mart(con: duckdb.DuckDBPyConnection, warehouse: Path, node: Mapping[str, Any]) -> None:
    name = quote_ident(node["alias"])
    con.execute(f"drop table if exists {MARTS_SCHEMA}.{name}")
    con.execute(_mart_ddl(node))
    columns = [quote_ident(column["name"]) for column in node["columns"].values()]
    select = ", ".join(columns)
    scan = parquet_scan(warehouse, MARTS_SCHEMA, node["alias"])
    con.execute(f"insert into {MARTS_SCHEMA}.{name} ({select}) select {select} from {scan}")
    if node.get("description"):
        con.execute(f"comment on table {MARTS_SCHEMA}.{name} is {quote_literal(node['description'])}")
    for column in node["columns"].values():
        if column.get("description"):
            target = f"{MARTS_SCHEMA}.{name}.{quote_ident(column['name'])}"
            con.execute(f"comment on column {target} is {quote_literal(column['description'])}")


def serve_spark_tables(con: duckdb.DuckDBPyConnection, warehouse: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Replace the working file's marts (and EXTRA_RELATIONS) by the Spark-built tables under
    ``warehouse``, in one transaction; returns the relations copied."""
    nodes = mart_nodes(manifest)
    copied = []
    con.execute("begin")
    try:
        for schema in {MARTS_SCHEMA, *(r.split(".")[0] for r in EXTRA_RELATIONS)}:
            con.execute(f"create schema if not exists {quote_ident(schema)}")
        for node in nodes:
            _copy_mart(con, warehouse, node)
            copied.append(f"{MARTS_SCHEMA}.{node['alias']}")
        for relation in EXTRA_RELATIONS:
            schema, name = relation.split(".")
            scan = parquet_scan(warehouse, schema, name)
            con.execute(f"create or replace table {quote_ident(schema)}.{quote_ident(name)} as select * from {scan}")
            copied.append(relation)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return copied
