"""What a publish writes into the new version's file: the tables and views of ``PUBLISHED_SCHEMAS``
of the working file, with their DDL (types, the NOT NULL of the dbt contracts) and the comments
dbt's persist_docs wrote.

Two ways to get there, with the same result (tests/test_publish.py compares them row for row):
- ``copy_published_relations`` into an empty file: every row is copied.
- ``carry_over_published_relations`` into a copy of the previous version: only what changed is
  written. A daily run adds one as-of day to the daily marts and rewrites the small ones; copying
  every row again (6.6M at the large preset, 7.6 s of a 49 s daily run) bought nothing.

How the carry-over finds what changed: per table, a fingerprint of each ``PARTITION_COLUMN`` value
(row count and the sum of DuckDB's 64-bit ``hash`` of each whole row) on both sides. A partition
whose fingerprint differs is deleted and inserted again from the working file; a table whose DDL
differs, or most of whose rows changed, is replaced whole; relations that are gone are dropped.
Rows are compared by hash, so two different partitions with equal fingerprints would keep the old
rows: the chance is about 2^-64 per changed partition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from .warehouse_sql import quote_ident, quote_literal

PUBLISHED_SCHEMAS = ("marts", "quality")
# The daily marts' as-of day (mart-contract.md): a daily run changes one or a few of these.
PARTITION_COLUMN = "as_of_date"
# Over this share of changed rows, replacing the table whole is cheaper than deleting and inserting.
REPLACE_SHARE = 0.5


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str  # "table" | "view"
    ddl: str
    comment: str | None

    @property
    def qualified(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"

    def in_catalog(self, catalog: str) -> str:
        return f"{quote_ident(catalog)}.{self.qualified}"


@dataclass(frozen=True)
class Catalog:
    """The relations of one database and the comments of their columns."""

    relations: dict[tuple[str, str], Relation]
    column_comments: dict[tuple[str, str, str], str | None]

    def of_kind(self, kind: str) -> list[Relation]:
        return [r for r in self.relations.values() if r.kind == kind]


@dataclass
class CarryOver:
    """What a carry-over wrote, for the run's log."""

    unchanged: int = 0
    replaced: int = 0
    partitions_rewritten: int = 0
    rows_written: int = 0
    dropped: int = 0

    def summary(self) -> str:
        return (
            f"{self.unchanged} tables unchanged, {self.replaced} replaced, {self.partitions_rewritten} "
            f"partitions rewritten, {self.dropped} relations dropped; {self.rows_written:,} rows written"
        )


def read_catalog(con: duckdb.DuckDBPyConnection, database: str | None, schemas: Iterable[str] | None) -> Catalog:
    """The tables and views of ``database`` (None: the connection's own), only in ``schemas`` when given."""
    # literals, not parameters: a prepared query on duckdb_tables() took 0.7 s of a 2 s publish
    name = "current_database()" if database is None else quote_literal(database)
    where = f"database_name = {name} and not internal"
    if schemas is not None:
        where += f" and schema_name in ({', '.join(map(quote_literal, schemas))})"
    rows = con.execute(
        f"select schema_name, table_name, 'table', sql, comment from duckdb_tables() where {where} "
        f"union all select schema_name, view_name, 'view', sql, comment from duckdb_views() where {where} "
        "order by all"
    ).fetchall()
    columns = con.execute(
        f"select schema_name, table_name, column_name, comment from duckdb_columns() where {where}"
    ).fetchall()
    return Catalog(
        relations={(r[0], r[1]): Relation(*r[:4], r[4] or None) for r in rows},
        column_comments={(c[0], c[1], c[2]): c[3] or None for c in columns},
    )


def copy_published_relations(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Copy the published relations of catalog ``source`` into ``con``'s own, empty database."""
    wanted = read_catalog(con, source, PUBLISHED_SCHEMAS)
    _create_schemas(con, wanted)
    for table in wanted.of_kind("table"):
        _create_and_fill(con, source, table)
    _finish(con, wanted)


def carry_over_published_relations(con: duckdb.DuckDBPyConnection, source: str) -> CarryOver:
    """Make ``con``'s own database, a copy of the previous version, hold the published relations
    of catalog ``source``, writing only what differs."""
    wanted = read_catalog(con, source, PUBLISHED_SCHEMAS)
    present = read_catalog(con, None, None)
    done = CarryOver()
    for relation in present.relations.values():  # every view goes: _finish recreates them from their DDL
        table = wanted.relations.get((relation.schema, relation.name))
        if relation.kind == "view" or table is None or table.kind != "table":
            con.execute(f"drop {relation.kind} {relation.qualified}")
            if table is None:
                done.dropped += 1
    for schema in {r.schema for r in present.relations.values()} - {r.schema for r in wanted.relations.values()}:
        if schema != "main":
            con.execute(f"drop schema if exists {quote_ident(schema)} cascade")
    _create_schemas(con, wanted)
    for table in wanted.of_kind("table"):
        before = present.relations.get((table.schema, table.name))
        if before is not None and before.kind == "table" and before.ddl == table.ddl:
            _carry_over_table(con, source, table, done)
        else:
            _replace(con, source, table, done)
    _finish(con, wanted)
    return done


def _carry_over_table(con: duckdb.DuckDBPyConnection, source: str, table: Relation, done: CarryOver) -> None:
    """Rewrite the partitions of ``table`` whose fingerprint differs from the source's."""
    columns = {r[0] for r in con.execute(f"select * from {table.qualified} limit 0").description}
    key = quote_ident(PARTITION_COLUMN) if PARTITION_COLUMN in columns else "0"

    def fingerprints(relation: str) -> str:
        return f"select {key} as k, count(*) as n, sum(hash(t)) as h from {relation} as t group by 1"

    rows = con.execute(
        f"select coalesce(new.k, old.k), coalesce(new.n, 0), coalesce(old.n, 0), "
        "new.n is not distinct from old.n and new.h is not distinct from old.h "
        f"from ({fingerprints(table.in_catalog(source))}) as new "
        f"full join ({fingerprints(table.qualified)}) as old on new.k is not distinct from old.k"
    ).fetchall()
    changed = [(k, new_rows, old_rows) for k, new_rows, old_rows, same in rows if not same]
    if not changed:
        done.unchanged += 1
        return
    changed_rows = sum(new_rows + old_rows for _, new_rows, old_rows in changed)
    all_rows = sum(new_rows + old_rows for _, new_rows, old_rows, _ in rows)
    if key == "0" or changed_rows > REPLACE_SHARE * all_rows:
        _replace(con, source, table, done)
        return
    keys = [k for k, _, _ in changed]
    where = f"{key} in (select unnest(?))" + (f" or {key} is null" if None in keys else "")
    values = [[k for k in keys if k is not None]]
    con.execute(f"delete from {table.qualified} where {where}", values)
    con.execute(f"insert into {table.qualified} select * from {table.in_catalog(source)} where {where}", values)
    done.partitions_rewritten += len(keys)
    done.rows_written += sum(new_rows for _, new_rows, _ in changed)


def _replace(con: duckdb.DuckDBPyConnection, source: str, table: Relation, done: CarryOver) -> None:
    con.execute(f"drop table if exists {table.qualified}")
    done.replaced += 1
    done.rows_written += _create_and_fill(con, source, table)


def _create_schemas(con: duckdb.DuckDBPyConnection, wanted: Catalog) -> None:
    for schema in sorted({r.schema for r in wanted.relations.values()}):
        con.execute(f"create schema if not exists {quote_ident(schema)}")


def _create_and_fill(con: duckdb.DuckDBPyConnection, source: str, table: Relation) -> int:
    con.execute(table.ddl)
    return con.execute(f"insert into {table.qualified} select * from {table.in_catalog(source)}").fetchone()[0]


def _finish(con: duckdb.DuckDBPyConnection, wanted: Catalog) -> None:
    """Create the views, then give every relation and column the source's comment (or none)."""
    for view in wanted.of_kind("view"):
        con.execute(view.ddl)
    present = read_catalog(con, None, None)
    for key, relation in wanted.relations.items():
        if present.relations[key].comment != relation.comment:
            _comment(con, f"{relation.kind} {relation.qualified}", relation.comment)
    for (schema, name, column), comment in wanted.column_comments.items():
        if present.column_comments.get((schema, name, column)) != comment:
            target = f"{quote_ident(schema)}.{quote_ident(name)}.{quote_ident(column)}"
            _comment(con, f"column {target}", comment)


def _comment(con: duckdb.DuckDBPyConnection, target: str, comment: str | None) -> None:
    con.execute(f"comment on {target} is {'null' if comment is None else quote_literal(comment)}")
