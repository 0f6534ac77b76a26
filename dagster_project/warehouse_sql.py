"""The project's one home for SQL text built in Python (DuckDB): the "does this relation exist"
query, the listing of a schema's relations and columns, and the identifier and string-literal
quoters. Every module that writes such SQL uses these; none keeps a copy.

Tables and views alike: marts are tables, staging models are views. ``catalog`` names an
attached database (e.g. the published file attached beside the working one); None: the
connection's own.
"""

from __future__ import annotations

import duckdb


def split_relation(relation: str) -> tuple[str, str]:
    """'schema.name' -> ('schema', 'name')."""
    schema, name = relation.split(".", 1)
    return schema, name


# The catalog queries below put their values in as quoted literals, not parameters: the first
# prepared query over information_schema on a connection took 0.2 s, a literal one 0.005 s.


def _catalog(catalog: str | None) -> str:
    return "current_database()" if catalog is None else quote_literal(catalog)


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str, catalog: str | None = None) -> bool:
    """Whether the table or view ``schema.name`` exists (in ``catalog`` when given)."""
    schema, name = split_relation(relation)
    row = con.execute(
        "select count(*) from information_schema.tables "
        f"where table_schema = {quote_literal(schema)} and table_name = {quote_literal(name)} "
        f"and table_catalog = {_catalog(catalog)}"
    ).fetchone()
    return bool(row and row[0])


def relation_names(
    con: duckdb.DuckDBPyConnection,
    schema: str | None = None,
    catalog: str | None = None,
    tables_only: bool = False,
) -> list[str]:
    """The relations of ``catalog`` (None: the connection's own database), sorted: bare names
    when ``schema`` is given, 'schema.name' otherwise; base tables only with ``tables_only``."""
    name = "table_name" if schema else "table_schema || '.' || table_name"
    where = [f"table_catalog = {_catalog(catalog)}"]
    if schema:
        where.append(f"table_schema = {quote_literal(schema)}")
    if tables_only:
        where.append("table_type = 'BASE TABLE'")
    rows = con.execute(f"select {name} from information_schema.tables where {' and '.join(where)} order by 1")
    return [r[0] for r in rows.fetchall()]


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    """The columns of ``schema.name``, in order (empty when it does not exist)."""
    schema, name = split_relation(relation)
    rows = con.execute(
        "select column_name from information_schema.columns "
        f"where table_schema = {quote_literal(schema)} and table_name = {quote_literal(name)} "
        "and table_catalog = current_database() order by ordinal_position"
    ).fetchall()
    return [r[0] for r in rows]


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted (embedded double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_relation(relation: str) -> str:
    """'schema.name' -> '"schema"."name"'."""
    return ".".join(quote_ident(part) for part in split_relation(relation))


def quote_literal(text: str) -> str:
    """A SQL string literal (embedded single quotes doubled): for the places a parameter cannot
    go (ATTACH, COPY ... TO, comments, read_csv paths) or is slower (duckdb_tables() filters)."""
    return "'" + text.replace("'", "''") + "'"
