"""The one loader that applies the extract contract (``spec.py``) to a landing directory.

DuckDB does all the reading and validating: each file is read with its native CSV/Parquet
reader as text, every row is checked by one set-based query built from the entity's spec,
and valid rows are cast and inserted in bulk. Python only walks batches and files.

What the contract asks and where it happens here:
- a batch whose manifest is missing/unreadable, whose files don't match it, whose file lacks a
  required column, is corrupt, or whose counts don't reconcile → :class:`BatchRejected`,
  nothing of that batch is written (one transaction per batch);
- a row with a bad value → ``raw.quarantine`` with the reason and the raw row;
- a duplicate primary key in a snapshot → all but the first quarantined;
- a batch already in ``raw.load_batches`` → skipped (idempotent re-delivery);
- crm/billing batches replace the previous snapshot; usage batches append new ``event_id``s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .spec import DUCKDB_TYPES, SOURCES, Column, EntitySpec, SourceSpec

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
METADATA_COLUMNS = """
    _batch_id VARCHAR NOT NULL,
    _extracted_at TIMESTAMP NOT NULL,
    _source_file VARCHAR NOT NULL,
    _row_number BIGINT NOT NULL,
    _extra JSON
"""


class BatchRejected(Exception):
    """A whole batch is refused; the message names the source, batch, file and column."""

    def __init__(self, source: str, batch_id: str, problem: str, file: str | None = None):
        self.source, self.batch_id, self.file, self.problem = source, batch_id, file, problem
        where = f"{source} batch {batch_id}" + (f", file {file}" if file else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Batch:
    source: str
    batch_id: str
    path: Path
    extracted_at: datetime
    mode: str
    files: dict[str, int]  # file name -> data rows the manifest announces


@dataclass
class BatchResult:
    source: str
    batch_id: str
    status: str  # loaded | skipped | superseded | rejected
    rows_in_manifest: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0  # usage: events not seen in an earlier batch
    error: str | None = None


@dataclass
class SourceLoadResult:
    source: str
    batches: list[BatchResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[BatchResult]:
        return [b for b in self.batches if b.status == "rejected"]

    def count(self, status: str) -> int:
        return sum(b.status == status for b in self.batches)


# --------------------------------------------------------------------------- schema


def raw_table_ddl(entity: EntitySpec) -> str:
    columns = ",\n    ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in entity.columns)
    return f"create table if not exists raw.{entity.table} (\n    {columns},\n{METADATA_COLUMNS})"


def init_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, every raw table (empty), the ledger and the quarantine."""
    con.execute("create schema if not exists raw")
    for source in SOURCES.values():
        for entity in source.entities:
            con.execute(raw_table_ddl(entity))
    con.execute(
        """
        create table if not exists raw.load_batches (
            source VARCHAR NOT NULL,
            batch_id VARCHAR NOT NULL,
            extracted_at TIMESTAMP,
            mode VARCHAR,
            status VARCHAR NOT NULL,
            rows_in_manifest BIGINT,
            rows_loaded BIGINT,
            rows_quarantined BIGINT,
            rows_new BIGINT,
            error VARCHAR,
            processed_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        create table if not exists raw.quarantine (
            source VARCHAR NOT NULL,
            batch_id VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            entity VARCHAR NOT NULL,
            row_number BIGINT,
            reason VARCHAR NOT NULL,
            raw_row JSON,
            quarantined_at TIMESTAMP NOT NULL
        )
        """
    )


# --------------------------------------------------------------------------- batches


def _parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def read_manifest(source: str, batch_dir: Path) -> Batch:
    """Read and check a batch's ``_manifest.json`` (not yet its files)."""
    batch_id = batch_dir.name
    manifest_path = batch_dir / "_manifest.json"
    if not manifest_path.is_file():
        raise BatchRejected(source, batch_id, "manifest missing", "_manifest.json")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        extracted_at = _parse_timestamp(manifest["extracted_at"])
        files = {name: int(info["rows"]) for name, info in manifest["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BatchRejected(source, batch_id, f"manifest unreadable ({exc!r})", "_manifest.json") from exc
    if manifest.get("source", source) != source:
        raise BatchRejected(source, batch_id, f"manifest says source {manifest.get('source')!r}", "_manifest.json")
    if any(rows < 0 for rows in files.values()):
        raise BatchRejected(source, batch_id, "negative row count in manifest", "_manifest.json")
    mode = manifest.get("mode", SOURCES[source].mode)
    return Batch(source, str(manifest.get("batch_id", batch_id)), batch_dir, extracted_at, mode, files)


def discover_batches(landing_dir: Path, source: str) -> Iterator[Batch | BatchRejected]:
    """Every batch folder of a source, oldest ``extracted_at`` first; unreadable ones as errors."""
    source_dir = landing_dir / source
    if not source_dir.is_dir():
        return
    batches: list[Batch] = []
    for batch_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        try:
            batches.append(read_manifest(source, batch_dir))
        except BatchRejected as problem:
            yield problem
    yield from sorted(batches, key=lambda b: (b.extracted_at, b.batch_id))


# --------------------------------------------------------------------------- SQL building


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed(column: Column) -> str:
    """SQL that casts the text value of a column to its contract type."""
    ref = _ident(column.name)
    if column.type == "timestamp":
        return f"cast(timezone('UTC', try_cast({ref} as timestamptz)) as timestamp)"
    if column.type == "text":
        return ref
    return f"try_cast({ref} as {DUCKDB_TYPES[column.type]})"


def _typed_name(column: Column) -> str:
    """The staged column that holds a column's typed value (parsed once, checked and inserted);
    text needs no parsing and is read as it is."""
    return _ident(column.name) if column.type == "text" else _ident(f"_typed__{column.name}")


def _row_problems(column: Column) -> list[str]:
    """SQL expressions, one per rule, each yielding a reason text or NULL."""
    ref = _ident(column.name)
    value = f"' || coalesce({ref}, '') || '"
    present = f"{ref} is not null"
    problems = []
    if column.not_null:
        problems.append(f"case when {ref} is null then 'missing value in {column.name}' end")
    if column.type == "integer":
        bad = f"{present} and not regexp_full_match({ref}, '\\s*[+-]?[0-9]+\\s*')"
    elif column.type in ("timestamp", "date", "decimal", "boolean"):
        bad = f"{present} and {_typed_name(column)} is null"
    else:
        bad = None
    if bad:
        problems.append(f"case when {bad} then 'unparseable {column.type} in {column.name}: ''{value}''' end")
    if column.allowed:
        allowed = ", ".join(_quote(v) for v in column.allowed)
        problems.append(
            f"case when {present} and {ref} not in ({allowed}) "
            f"then '{column.name} ''{value}'' is not one of {'/'.join(column.allowed)}' end"
        )
    if column.min_value is not None or column.max_value is not None:
        number = f"try_cast({ref} as double)"
        low = -1e300 if column.min_value is None else column.min_value
        high = 1e300 if column.max_value is None else column.max_value
        label = "negative" if column.min_value == 0 and column.max_value is None else "out of range"
        problems.append(f"case when {number} < {low} or {number} > {high} then '{label} {column.name}: {value}' end")
    return problems


def _reasons_sql(entity: EntitySpec, present_columns: set[str]) -> str:
    checks = [p for c in entity.columns if c.name in present_columns for p in _row_problems(c)]
    if not checks:
        return "[]::varchar[]"
    # Nearly every row is valid: test the rules first and build the list of reasons only for
    # the rows that break one (a list per row is what made this step costly on large batches).
    return (
        f"case when coalesce({', '.join(checks)}) is null then []::varchar[] "
        f"else list_filter([{', '.join(checks)}], r -> r is not null) end"
    )


# --------------------------------------------------------------------------- loading one file


@dataclass
class StagedFile:
    entity: EntitySpec
    file: str
    table: str  # temp table: every parsed row with _row_number, _reasons
    columns: list[str]  # header of the file
    rows_read: int
    rows_malformed: int


def _reader_sql(path: Path, rejects: str | None) -> str:
    """The file read as text columns; malformed CSV lines go to ``<rejects>_err`` when named, and
    are skipped otherwise (for reading the header alone)."""
    if path.name.endswith(".parquet"):
        return f"(select columns(*)::varchar from read_parquet({_quote(str(path))}))"
    keep_rejects = (
        f", store_rejects=true, rejects_table='{rejects}_err', rejects_scan='{rejects}_scan', rejects_limit=0"
        if rejects
        else ", ignore_errors=true"
    )
    return (
        f"read_csv({_quote(str(path))}, header=true, all_varchar=true, delim=',', quote='\"', "
        f"escape='\"', strict_mode=true{keep_rejects})"
    )


def _unreadable(batch: Batch, file: str, exc: duckdb.Error) -> BatchRejected:
    first_line = str(exc).strip().splitlines()[0]
    return BatchRejected(batch.source, batch.batch_id, f"file unreadable or corrupt ({first_line})", file)


def stage_file(con: duckdb.DuckDBPyConnection, batch: Batch, file: str, entity: EntitySpec, index: int) -> StagedFile:
    """Read one file into a temp table and mark each row's problems. Raises BatchRejected."""
    path = batch.path / file
    table = f"_stage_{index}"
    try:  # the header first (DuckDB reads only the start of the file for it)
        header = [row[0] for row in con.execute(f"describe select * from {_reader_sql(path, None)}").fetchall()]
    except duckdb.Error as exc:
        raise _unreadable(batch, file, exc) from exc
    missing = [c.name for c in entity.columns if c.required and c.name not in header]
    if missing:
        raise BatchRejected(
            batch.source, batch.batch_id, f"required column {', '.join(missing)} missing (header: {header})", file
        )
    parsed = [c for c in entity.columns if c.name in header and c.type != "text"]
    typed = "".join(f", {_typed(c)} as {_typed_name(c)}" for c in parsed)
    reasons = _reasons_sql(entity, set(header))
    # The file is read as text first, then each value is parsed once, into its typed column,
    # which both the row checks and the insert read (timestamps are the costly part of a large
    # usage batch). Two statements, so both run on every core: numbering the rows while reading
    # (row_number() over ()) made the whole read single-threaded (a 2.9M-event file: 2.7 -> 1.9
    # s). A row's position in the text table (rowid; DuckDB keeps the file's order,
    # preserve_insertion_order) is its record number.
    text_table = f"{table}_text"
    try:
        con.execute(f"create or replace temp table {text_table} as select * from {_reader_sql(path, table)}")
        con.execute(
            f"create or replace temp table {table} as select *, {reasons} as _reasons from ("
            f"select rowid + 1 as _record, *{typed} from {text_table})"
        )
    except duckdb.Error as exc:
        raise _unreadable(batch, file, exc) from exc
    finally:
        con.execute(f"drop table if exists {text_table}")
    malformed = 0 if file.endswith(".parquet") else _count_malformed(con, table)
    rows_read = con.execute(f"select count(*) from {table}").fetchone()[0]
    announced = batch.files[file]
    if rows_read + malformed != announced:
        what = "truncated" if rows_read + malformed < announced else "more rows than the manifest"
        raise BatchRejected(
            batch.source,
            batch.batch_id,
            f"{what}: {rows_read + malformed} data rows, manifest says {announced}",
            file,
        )
    _number_rows(con, table, malformed)
    if entity.primary_key:
        _mark_duplicate_keys(con, table, entity, batch)
    return StagedFile(entity, file, table, header, rows_read, malformed)


def _count_malformed(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Malformed lines, one row each (DuckDB reports one error per missing column)."""
    con.execute(
        f"""
        create or replace temp table {table}_bad as
        select line, min(csv_line) as csv_line,
               string_agg(distinct error_type, ', ' order by error_type) as error_type,
               min(error_message) as error_message
        from {table}_err group by line
        """
    )
    return con.execute(f"select count(*) from {table}_bad").fetchone()[0]


def _number_rows(con: duckdb.DuckDBPyConnection, table: str, malformed: int) -> None:
    """Give each parsed row its data-row number in the file (1 = first row after the header).

    Malformed lines (reported by DuckDB with their line) take their own positions; parsed rows
    fill the others in order.
    """
    if malformed == 0:
        con.execute(f"alter table {table} rename column _record to _row_number")
        return
    con.execute(
        f"""
        create or replace temp table {table}_pos as
        with slots as (
            select s.generate_series as position
            from generate_series(1, (select count(*) from {table}) + {malformed}) s
            where s.generate_series not in (select line - 1 from {table}_bad)
        )
        select position, row_number() over (order by position) as _record from slots
        """
    )
    con.execute(
        f"create or replace temp table {table} as "
        f"select p.position as _row_number, t.* exclude (_record) "
        f"from {table} t join {table}_pos p using (_record)"
    )


def _mark_duplicate_keys(con: duckdb.DuckDBPyConnection, table: str, entity: EntitySpec, batch: Batch) -> None:
    """Within a batch, keep the first valid row of each key; quarantine the others.

    For incremental sources a repeated key is a re-sent copy of the same event: it is
    de-duplicated on insert, not quarantined.
    """
    if batch.mode == "incremental":
        return
    key = ", ".join(_ident(k) for k in entity.primary_key)
    key_text = " || '/' || ".join(f"coalesce({_ident(k)}, '')" for k in entity.primary_key)
    con.execute(
        f"""
        update {table} set _reasons = list_append(_reasons,
            'duplicate {"/".join(entity.primary_key)} ''' || {key_text} || ''' in snapshot (kept row ' || d.kept || ')')
        from (
            select _row_number as rn,
                   first(_row_number order by _row_number) over (partition by {key}) as kept
            from {table} where len(_reasons) = 0
        ) d
        where {table}._row_number = d.rn and d.rn <> d.kept
        """
    )


# --------------------------------------------------------------------------- applying a batch


def _insert_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile, batch: Batch) -> int:
    """Insert the valid rows of a staged file into its raw table; returns the rows inserted."""
    entity = staged.entity
    extra = [c for c in staged.columns if c not in {col.name for col in entity.columns}]
    extra_sql = (
        "to_json(struct_pack(" + ", ".join(f"{_ident(c)} := {_ident(c)}" for c in extra) + "))" if extra else "NULL"
    )
    select_columns = ", ".join(
        _typed_name(c) if c.name in staged.columns else f"cast(NULL as {DUCKDB_TYPES[c.type]})" for c in entity.columns
    )
    new_only = ""
    if batch.mode == "incremental" and entity.primary_key:
        key = ", ".join(_ident(k) for k in entity.primary_key)
        same_key = " and ".join(f"r.{_ident(k)} = s.{_ident(k)}" for k in entity.primary_key)
        # the first copy of each key in this batch, and only keys no earlier batch loaded
        new_only = (
            f"qualify row_number() over (partition by {key} order by _row_number) = 1 "
            f"and not exists (select 1 from raw.{entity.table} r where {same_key})"
        )
    cursor = con.execute(
        f"""
        insert into raw.{entity.table}
        select {select_columns}, {_quote(batch.batch_id)}, {_quote(batch.extracted_at.isoformat())}::timestamp,
               {_quote(staged.file)}, _row_number, {extra_sql}
        from {staged.table} s
        where len(_reasons) = 0
        {new_only}
        """
    )
    return cursor.fetchone()[0]


def _quarantine_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile, batch: Batch, now: datetime) -> int:
    header = ", ".join(f"{_ident(c)} := {_ident(c)}" for c in staged.columns)
    common = f"{_quote(batch.source)}, {_quote(batch.batch_id)}, {_quote(staged.file)}, {_quote(staged.entity.name)}"
    con.execute(
        f"""
        insert into raw.quarantine
        select {common}, _row_number, array_to_string(_reasons, '; '), to_json(struct_pack({header})),
               {_quote(now.isoformat())}::timestamp
        from {staged.table} where len(_reasons) > 0
        """
    )
    if staged.rows_malformed:
        con.execute(
            f"""
            insert into raw.quarantine
            select {common}, line - 1, 'malformed CSV line (' || error_type || '): ' || error_message,
                   to_json(struct_pack(csv_line := csv_line)), {_quote(now.isoformat())}::timestamp
            from {staged.table}_bad
            """
        )
    return con.execute(f"select count(*) from {staged.table} where len(_reasons) > 0").fetchone()[0] + (
        staged.rows_malformed
    )


def _check_files(batch: Batch, spec: SourceSpec) -> dict[str, EntitySpec]:
    """Match the batch's files with its manifest and the source's entities."""
    on_disk = {p.name for p in batch.path.iterdir() if p.is_file() and p.name.endswith(DATA_SUFFIXES)}
    for name in sorted(set(batch.files) - on_disk):
        raise BatchRejected(batch.source, batch.batch_id, "listed in the manifest but not delivered", name)
    for name in sorted(on_disk - set(batch.files)):
        raise BatchRejected(batch.source, batch.batch_id, "delivered but not listed in the manifest", name)
    entities: dict[str, EntitySpec] = {}
    for name in sorted(batch.files):
        entity = spec.entity_for_file(name)
        if entity is None:
            raise BatchRejected(batch.source, batch.batch_id, "file matches no entity of the contract", name)
        entities[name] = entity
    if spec.mode == "full":
        delivered = {e.name for e in entities.values()}
        for entity in spec.entities:
            if not entity.optional_file and entity.name not in delivered:
                raise BatchRejected(batch.source, batch.batch_id, "required file missing", f"{entity.name}.csv")
    return entities


def apply_batch(con: duckdb.DuckDBPyConnection, batch: Batch, now: datetime) -> BatchResult:
    """Validate and load one batch in one transaction; raises BatchRejected (rolled back)."""
    spec = SOURCES[batch.source]
    entities = _check_files(batch, spec)
    result = BatchResult(batch.source, batch.batch_id, "loaded", rows_in_manifest=sum(batch.files.values()))
    # staged outside the transaction (temp tables, nothing of the warehouse changes yet): DuckDB
    # scans a table a transaction has not committed on one thread only, and numbers its rows from
    # an offset (stage_file numbers rows by their position)
    staged = [stage_file(con, batch, f, e, i) for i, (f, e) in enumerate(entities.items())]
    con.execute("begin transaction")
    try:
        if spec.mode == "full":  # a snapshot replaces the previous state, absent optional files included
            for entity in spec.entities:
                con.execute(f"delete from raw.{entity.table}")
        for file in staged:
            inserted = _insert_rows(con, file, batch)
            quarantined = _quarantine_rows(con, file, batch, now)
            result.rows_quarantined += quarantined
            result.rows_loaded += file.rows_read + file.rows_malformed - quarantined
            result.rows_new += inserted
        if result.rows_loaded + result.rows_quarantined != result.rows_in_manifest:  # defensive: must never happen
            raise BatchRejected(batch.source, batch.batch_id, "loaded + quarantined does not reconcile")
        _record(con, batch, result, now)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _record(con: duckdb.DuckDBPyConnection, batch: Batch | None, result: BatchResult, now: datetime) -> None:
    con.execute(
        "insert into raw.load_batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.source,
            result.batch_id,
            batch.extracted_at if batch else None,
            batch.mode if batch else None,
            result.status,
            result.rows_in_manifest,
            result.rows_loaded,
            result.rows_quarantined,
            result.rows_new,
            result.error,
            now,
        ],
    )


def _already_done(con: duckdb.DuckDBPyConnection, source: str) -> tuple[set[str], datetime | None]:
    """Batch ids loaded (or superseded) before, and the newest loaded snapshot's extraction time."""
    rows = con.execute(
        "select batch_id, status, extracted_at from raw.load_batches "
        "where source = ? and status in ('loaded', 'superseded')",
        [source],
    ).fetchall()
    loaded_times = [r[2] for r in rows if r[1] == "loaded"]
    return {r[0] for r in rows}, max(loaded_times, default=None)


def load_source(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, source: str, now: datetime | None = None
) -> SourceLoadResult:
    """Load every new batch of one source. Rejected batches are recorded, not raised."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    init_raw_schema(con)
    con.execute("set TimeZone = 'UTC'")
    result = SourceLoadResult(source)
    spec = SOURCES[source]
    done, newest_snapshot = _already_done(con, source)
    for item in discover_batches(landing_dir, source):
        if isinstance(item, BatchRejected):
            outcome = BatchResult(source, item.batch_id, "rejected", error=str(item))
            _record(con, None, outcome, now)
            result.batches.append(outcome)
            continue
        if item.batch_id in done:
            result.batches.append(BatchResult(source, item.batch_id, "skipped"))
            continue
        if spec.mode == "full" and newest_snapshot is not None and item.extracted_at < newest_snapshot:
            outcome = BatchResult(source, item.batch_id, "superseded", error="older than the loaded snapshot")
            _record(con, item, outcome, now)
            result.batches.append(outcome)
            continue
        try:
            outcome = apply_batch(con, item, now)
            if spec.mode == "full":
                newest_snapshot = item.extracted_at
        except BatchRejected as problem:
            outcome = BatchResult(source, item.batch_id, "rejected", error=str(problem))
            _record(con, item, outcome, now)
        result.batches.append(outcome)
    return result
