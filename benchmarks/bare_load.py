"""The second floor's loading: the landing files read into typed raw tables by DuckDB alone.

What a user comparing this project with "DuckDB and a SQL script" would do before the SQL: one
``read_csv`` per raw table over the preset's landing files, typed as the extract contract types
them (``dagster_project/extracts/spec.py``, the one home of the raw columns and their types),
with no contract checks, no quarantine and no per-batch transactions. What the contract
requires of the data itself is kept, so the compiled SQL sees what the pipeline's loader gives it:

- ``crm`` and ``billing`` batches are full snapshots: the latest (by ``extracted_at``, then
  folder name, as the loader orders them) is the state;
- ``usage`` batches are incremental: every event file of every batch, de-duplicated on
  ``event_id`` (the first copy in batch order, as the loader keeps it);
- ``raw.load_batches`` has one ``loaded`` row per batch (the freshness figures read it).

Timestamps are read as ``timestamptz`` and stored as UTC ``timestamp`` (the contract's rule for
offsets). The metadata columns the models never read are left empty: ``_row_number`` (it
points into a quarantine this floor does not keep) and ``_extra`` (extra columns).
The landing is trusted to be valid: this is a floor, not a loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.extracts.loader import MANIFEST, init_raw_schema
from dagster_project.extracts.spec import DUCKDB_TYPES, SOURCES, EntitySpec
from dagster_project.warehouse_sql import quote_ident, quote_literal

CSV_SUFFIXES = (".csv", ".csv.gz")


@dataclass(frozen=True)
class LandedBatch:
    """One batch folder of the landing, as its manifest names it."""

    source: str
    batch_id: str
    extracted_at: datetime  # naive UTC
    folder: Path
    files: dict[str, int]  # file name -> rows, from the manifest

    def files_of(self, entity: EntitySpec) -> list[Path]:
        """This batch's CSV files of ``entity``, by name."""
        spec = SOURCES[self.source]
        return [
            self.folder / name
            for name in sorted(self.files)
            if name.endswith(CSV_SUFFIXES) and spec.entity_for_file(name) == entity
        ]


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def landed_batches(landing: Path, source: str) -> list[LandedBatch]:
    """Every batch of ``source`` in the loader's order: ``extracted_at``, then folder name."""
    batches = []
    for manifest_path in sorted((landing / source).glob(f"*/{MANIFEST}")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        unread = [name for name in manifest["files"] if not name.endswith(CSV_SUFFIXES)]
        if unread:  # Parquet is in the contract too, but this floor measures DuckDB's CSV reader
            raise ValueError(f"{manifest_path.parent}: the bare floor reads CSV files only, not {unread}")
        batches.append(
            LandedBatch(
                source=source,
                batch_id=manifest.get("batch_id") or manifest_path.parent.name,
                extracted_at=_utc(manifest["extracted_at"]),
                folder=manifest_path.parent,
                files={name: int(entry["rows"]) for name, entry in manifest["files"].items()},
            )
        )
    return sorted(batches, key=lambda b: (b.extracted_at, b.folder.name))


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join(quote_literal(str(p)) for p in paths) + "]"


def _header(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> set[str]:
    """The columns the files have (DuckDB's sniffer; union over the files)."""
    rows = con.execute(f"describe select * from read_csv({_file_list(paths)}, header = true, union_by_name = true)")
    return {row[0] for row in rows.fetchall()}


def _select_typed(entity: EntitySpec, present: set[str]) -> str:
    """The contract's columns in order, typed; an optional column a file lacks is NULL."""
    parts = []
    for column in entity.columns:
        value = quote_ident(column.name) if column.name in present else "NULL"
        parts.append(f"cast({value} as {DUCKDB_TYPES[column.type]}) as {quote_ident(column.name)}")
    return ", ".join(parts)


def _reader(entity: EntitySpec, paths: list[Path], present: set[str]) -> str:
    """``read_csv`` over ``paths`` with the contract's types (timestamps as timestamptz)."""
    types = {
        c.name: ("TIMESTAMPTZ" if c.type == "timestamp" else DUCKDB_TYPES[c.type])
        for c in entity.columns
        if c.name in present
    }
    type_map = ", ".join(f"{quote_literal(name)}: {quote_literal(kind)}" for name, kind in types.items())
    return (
        f"read_csv({_file_list(paths)}, header = true, union_by_name = true, filename = true, "
        f"delim = ',', quote = '\"', escape = '\"', types = {{{type_map}}})"
    )


def _batch_lookup(con: duckdb.DuckDBPyConnection, batches: list[LandedBatch], entity: EntitySpec) -> list[Path]:
    """A temp table file -> (batch id, extracted_at, order) for ``entity``'s files; returns the files."""
    rows = [
        (str(path), batch.batch_id, batch.extracted_at, order, path.name)
        for order, batch in enumerate(batches)
        for path in batch.files_of(entity)
    ]
    con.execute(
        "create or replace temp table _landed_files "
        "(filename varchar, batch_id varchar, extracted_at timestamp, batch_order integer, file varchar)"
    )
    if rows:
        con.executemany("insert into _landed_files values (?, ?, ?, ?, ?)", rows)
    return [Path(r[0]) for r in rows]


def _load_entity(con: duckdb.DuckDBPyConnection, batches: list[LandedBatch], entity: EntitySpec) -> int:
    """Create ``raw.<entity>`` from the files of ``batches``; returns its rows."""
    table = f"raw.{quote_ident(entity.table)}"
    paths = _batch_lookup(con, batches, entity)
    if not paths:  # an optional file no batch has: the table exists, empty (as the loader leaves it)
        columns = ", ".join(f"cast(NULL as {DUCKDB_TYPES[c.type]}) as {quote_ident(c.name)}" for c in entity.columns)
        con.execute(
            f"create or replace table {table} as select {columns}, NULL::varchar as _batch_id, "
            "NULL::timestamp as _extracted_at, NULL::varchar as _source_file, NULL::bigint as _row_number, "
            "NULL::json as _extra limit 0"
        )
        return 0
    present = _header(con, paths)
    deduplicated = ""
    if SOURCES[entity.source].mode == "incremental" and entity.primary_key:
        key = ", ".join(quote_ident(k) for k in entity.primary_key)
        deduplicated = f"qualify row_number() over (partition by {key} order by f.batch_order, f.file) = 1"
    con.execute(
        f"""
        create or replace table {table} as
        select {_select_typed(entity, present)},
               f.batch_id as _batch_id, f.extracted_at as _extracted_at, f.file as _source_file,
               NULL::bigint as _row_number, NULL::json as _extra
        from {_reader(entity, paths, present)} as r
        inner join _landed_files as f on r.filename = f.filename
        {deduplicated}
        """
    )
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _ledger_row(batch: LandedBatch, mode: str, rows_new: int, now: datetime) -> tuple:
    rows = sum(batch.files.values())
    return (batch.source, batch.batch_id, batch.extracted_at, mode, "loaded", rows, rows, 0, rows_new, None, now)


def load_landing(con: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, int]:
    """Read every source of ``landing`` into ``con``'s raw schema; returns the rows per raw table.

    ``con`` must have ``TimeZone = 'UTC'`` (the cast of timestamptz to timestamp uses it).
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    counts: dict[str, int] = {}
    ledger: list[tuple] = []
    for source, spec in SOURCES.items():
        batches = landed_batches(landing, source)
        kept = batches if spec.mode == "incremental" else batches[-1:]  # a snapshot replaces the state
        for entity in spec.entities:
            counts[entity.table] = _load_entity(con, kept, entity)
        new_by_batch: dict[str, int] = {}
        if spec.mode == "incremental":
            for entity in spec.entities:
                table = f"raw.{quote_ident(entity.table)}"
                new_by_batch |= dict(con.execute(f"select _batch_id, count(*) from {table} group by 1").fetchall())
        for batch in batches:
            rows_new = new_by_batch.get(batch.batch_id, 0) if spec.mode == "incremental" else sum(batch.files.values())
            ledger.append(_ledger_row(batch, spec.mode, rows_new, now))
    con.execute("drop table if exists _landed_files")
    init_raw_schema(con)  # the ledger and the quarantine (the raw tables exist: left as they are)
    if ledger:
        con.executemany("insert into raw.load_batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ledger)
    return counts
