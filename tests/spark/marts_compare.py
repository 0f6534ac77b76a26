"""Mart-by-mart comparison of a DuckDB build with a Spark build (read back from its Parquet tables).

Integers, decimals, strings, booleans, dates and timestamps must be equal; DOUBLEs equal within
1e-9 relative (the engines add floating-point terms in different orders). Rows are matched
after sorting on every non-DOUBLE column, then the DOUBLEs.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

RELATIVE = 1e-9


def duckdb_marts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every table of schema marts: {relation: {column: DuckDB type}}."""
    marts: dict[str, dict[str, str]] = {}
    for table, column, kind in con.execute(
        """
        select c.table_name, c.column_name, c.data_type
        from information_schema.columns as c
        join information_schema.tables as t using (table_schema, table_name)
        where c.table_schema = 'marts' and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position
        """
    ).fetchall():
        marts.setdefault(table, {})[column] = kind
    return marts


def spark_relation_sql(warehouse: Path, relation: str) -> str:
    """A DuckDB scan of the Spark mart's Parquet folder (partition folders included)."""
    folder = warehouse / "marts.db" / relation
    return f"read_parquet('{folder.as_posix()}/**/*.parquet', hive_partitioning = true)"


def _is_double(kind: str) -> bool:
    return kind.upper() in {"DOUBLE", "FLOAT", "REAL"}


def rows(con: duckdb.DuckDBPyConnection, source_sql: str, columns: dict[str, str]) -> list[tuple]:
    exact = [c for c, k in columns.items() if not _is_double(k)]
    doubles = [c for c, k in columns.items() if _is_double(k)]
    select = ", ".join(
        f'cast("{c}" as {columns[c]}) as "{c}"' if not _is_double(columns[c]) else f'cast("{c}" as double) as "{c}"'
        for c in exact + doubles
    )
    order = ", ".join(f'"{c}" nulls first' for c in exact + doubles)
    return con.execute(f"select {select} from {source_sql} order by {order}").fetchall()


def _close(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is right
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=RELATIVE, abs_tol=1e-12)
    return left == right


def differences(con: duckdb.DuckDBPyConnection, relation: str, columns: dict[str, str], warehouse: Path) -> list[str]:
    """What differs between DuckDB's marts.<relation> and Spark's (empty: equal)."""
    spark_columns = {
        row[0] for row in con.execute(f"describe select * from {spark_relation_sql(warehouse, relation)}").fetchall()
    }
    missing = sorted(set(columns) - spark_columns)
    extra = sorted(spark_columns - set(columns))
    if missing or extra:
        return [f"{relation}: columns missing on Spark {missing}, extra on Spark {extra}"]
    ordered = [c for c, k in columns.items() if not _is_double(k)] + [c for c, k in columns.items() if _is_double(k)]
    duck = rows(con, f"marts.{relation}", columns)
    spark = rows(con, spark_relation_sql(warehouse, relation), columns)
    if len(duck) != len(spark):
        return [f"{relation}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    found = []
    for number, (left, right) in enumerate(zip(duck, spark, strict=True)):
        for column, a, b in zip(ordered, left, right, strict=True):
            if not _close(a, b):
                found.append(f"{relation} row {number} {column}: DuckDB {a!r}, Spark {b!r}")
        if len(found) >= 5:
            break
    return found
