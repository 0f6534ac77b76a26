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
- a batch already in ``raw.load_batches`` (or applied earlier in the same run, under another
  folder name) → skipped (idempotent re-delivery);
- a batch whose ``extracted_at`` is beyond the clock-skew tolerance after the load → held;
- crm/billing batches replace the previous snapshot; usage batches append new ``event_id``s.

Error texts name the batch, file and column and quote header names only: never a data value,
which can be personal data (values are kept in ``raw.quarantine``, inside the warehouse).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import stat
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..warehouse_sql import quote_ident, quote_literal
from .spec import (
    CLOCK_SKEW_TOLERANCE,
    DECIMAL_SCALE,
    DUCKDB_TYPES,
    MAX_LINE_BYTES,
    SOURCES,
    Column,
    EntitySpec,
    SourceSpec,
)

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
# names the staging tables use beside a file's own columns (a header may not use them)
RESERVED_COLUMNS = frozenset({"_record", "_reasons", "_row_number"})
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
    status: str  # loaded | skipped | superseded | held | rejected
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

MANIFEST = "_manifest.json"


def shown(value: object, limit: int = 60) -> str:
    """A value quoted for an error text: repr (so control characters show), cut at ``limit``."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "…" + text[0]


def _parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json object hook: a key given twice (a file listed twice) is an error, not "last wins"."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {shown(key)} appears twice")
        seen[key] = value
    return seen


def _is_plain_file_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def check_regular_file(source: str, batch_id: str, path: Path, landing_dir: Path) -> None:
    """A landing file must be a regular file inside the landing directory: never a symlink
    (to outside or inside), a folder, a FIFO or a device. Raises BatchRejected."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        raise BatchRejected(source, batch_id, "listed in the manifest but not delivered", path.name) from None
    if stat.S_ISLNK(mode):
        raise BatchRejected(source, batch_id, "is a symbolic link; landing files must be regular files", path.name)
    if not stat.S_ISREG(mode):
        raise BatchRejected(source, batch_id, "is not a regular file", path.name)
    if not path.resolve().is_relative_to(landing_dir.resolve()):
        raise BatchRejected(source, batch_id, "is outside the landing directory", path.name)


def read_manifest(source: str, batch_dir: Path, landing_dir: Path | None = None) -> Batch:
    """Read and check a batch's ``_manifest.json`` (not yet its files).

    The manifest describes a delivery; it cannot change the contract: ``source`` and ``mode``,
    when given, must be the contract's for this folder, or the batch is rejected.
    """
    spec = SOURCES[source]
    batch_id = batch_dir.name
    landing_dir = landing_dir if landing_dir is not None else batch_dir.parent.parent
    if batch_dir.is_symlink() or not batch_dir.resolve().is_relative_to(landing_dir.resolve()):
        raise BatchRejected(source, batch_id, "the batch folder is a symbolic link or outside the landing directory")
    manifest_path = batch_dir / MANIFEST
    if not manifest_path.exists() and not manifest_path.is_symlink():
        raise BatchRejected(source, batch_id, "manifest missing", MANIFEST)
    check_regular_file(source, batch_id, manifest_path, landing_dir)
    try:
        manifest = json.loads(manifest_path.read_bytes().decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, duplicate key
        problem = str(exc).splitlines()[0][:200] if not isinstance(exc, UnicodeDecodeError) else "not UTF-8"
        raise BatchRejected(source, batch_id, f"manifest unreadable ({problem})", MANIFEST) from None
    if not isinstance(manifest, dict):
        raise BatchRejected(source, batch_id, "manifest unreadable (not a JSON object)", MANIFEST)

    def invalid(problem: str) -> BatchRejected:
        return BatchRejected(source, batch_id, f"manifest: {problem}", MANIFEST)

    if manifest.get("source", source) != source:
        raise invalid(f"source {shown(manifest.get('source'))} in the {source} folder")
    if manifest.get("mode", spec.mode) != spec.mode:
        raise invalid(
            f"mode {shown(manifest.get('mode'))} contradicts the contract: {source} batches are always {spec.mode}"
        )
    manifest_batch_id = manifest.get("batch_id", batch_id)
    if not isinstance(manifest_batch_id, str) or not manifest_batch_id.strip() or not manifest_batch_id.isprintable():
        raise invalid(f"batch_id {shown(manifest_batch_id)} is not a non-empty printable text")
    extracted_raw = manifest.get("extracted_at")
    if not isinstance(extracted_raw, str):
        raise invalid("extracted_at missing or not an ISO-8601 text")
    try:
        extracted_at = _parse_timestamp(extracted_raw)
    except ValueError:
        raise invalid(f"extracted_at {shown(extracted_raw)} is not an ISO-8601 timestamp") from None
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise invalid("files missing or not an object of file name -> {rows: n}")
    files: dict[str, int] = {}
    for name, info in listed.items():
        if not _is_plain_file_name(name):
            raise invalid(f"file name {shown(name)} is not a plain file name in the batch folder")
        rows = info.get("rows") if isinstance(info, dict) else None
        if type(rows) is not int or rows < 0:  # bool, float and text counts are errors, not rounded
            raise BatchRejected(source, batch_id, f"manifest rows {shown(rows)} is not a whole number >= 0", name)
        files[name] = rows
    return Batch(source, manifest_batch_id, batch_dir, extracted_at, spec.mode, files)


def discover_batches(landing_dir: Path, source: str) -> Iterator[Batch | BatchRejected]:
    """Every batch folder of a source, oldest ``extracted_at`` first; unreadable ones as errors."""
    source_dir = landing_dir / source
    if not source_dir.is_dir():
        return
    batches: list[Batch] = []
    for batch_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        try:
            batches.append(read_manifest(source, batch_dir, landing_dir))
        except BatchRejected as problem:
            yield problem
    # folder name last: two folders holding the same batch are applied in a fixed order
    yield from sorted(batches, key=lambda b: (b.extracted_at, b.batch_id, b.path.name))


# --------------------------------------------------------------------------- SQL building

# The text forms the contract accepts (surrounding blanks allowed). DuckDB's own casts accept
# more ('infinity', 'epoch', five-digit years, unpadded months, hex and '1_000' integers), so a
# value must match its form before its cast counts. Timestamps: ISO-8601 date, optionally 'T'
# or ' ' and hh:mm[:ss[.fraction]], then an optional Z or ±hh[[:]mm] offset.
TIMESTAMP_FORM = r"\s*\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?\s*"
DATE_FORM = r"\s*\d{4}-\d{2}-\d{2}\s*"
INTEGER_FORM = r"\s*[+-]?[0-9]+\s*"
DECIMAL_FORM = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
# hh:mm without seconds, which DuckDB's cast refuses: the seconds are added before casting
_NO_SECONDS = r"^(\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2})([^:0-9]|$)"
# a value quoted in a quarantine reason is cut here (the whole row is in raw_row)
REASON_VALUE_CHARS = 100


def _typed(column: Column) -> str:
    """SQL that casts the text value of a column to its contract type (NULL when it does not
    parse; the row checks then say why)."""
    ref = quote_ident(column.name)
    if column.type == "timestamp":
        with_seconds = f"regexp_replace({ref}, {quote_literal(_NO_SECONDS)}, '\\1:00\\2')"
        parsed = f"coalesce(try_cast({ref} as timestamptz), try_cast({with_seconds} as timestamptz))"
        return f"cast(timezone('UTC', {parsed}) as timestamp)"
    if column.type == "text":
        return ref
    return f"try_cast({ref} as {DUCKDB_TYPES[column.type]})"


def _typed_name(column: Column) -> str:
    """The staged column that holds a column's typed value (parsed once, checked and inserted);
    text needs no parsing and is read as it is."""
    return quote_ident(column.name) if column.type == "text" else quote_ident(f"_typed__{column.name}")


def _decimal_places(ref: str) -> str:
    """SQL: the decimal places a decimal text needs once trailing zeros are dropped, exponent
    included ('0.00010' -> 4, '1.5e-4' -> 5, '1500e-2' -> 0)."""
    pattern = "'^[+-]?([0-9]*)\\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$'"
    parts = f"regexp_extract(trim({ref}), {pattern}, ['whole', 'fraction', 'exp'])"

    def part(name: str) -> str:
        return f"struct_extract({parts}, '{name}')"

    digits = f"({part('whole')} || {part('fraction')})"
    trailing_zeros = f"(length({digits}) - length(rtrim({digits}, '0')))"
    exponent = f"coalesce(try_cast(nullif({part('exp')}, '') as integer), 0)"
    return f"greatest(0, length({part('fraction')}) - {exponent} - {trailing_zeros})"


def _row_problems(column: Column) -> list[str]:
    """SQL expressions, one per rule, each yielding a reason text or NULL."""
    ref = quote_ident(column.name)
    value = f"' || left(coalesce({ref}, ''), {REASON_VALUE_CHARS}) || '"
    present = f"{ref} is not null"
    typed = _typed_name(column)
    problems = []
    if column.not_null:
        problems.append(f"case when {ref} is null then 'missing value in {column.name}' end")
    form = {"timestamp": TIMESTAMP_FORM, "date": DATE_FORM, "integer": INTEGER_FORM, "decimal": DECIMAL_FORM}.get(
        column.type
    )
    if form:
        unparseable = f"not regexp_full_match({ref}, {quote_literal(form)})"
        if column.type in ("timestamp", "date"):  # the form is right but the day/time is not (2027-13-45)
            unparseable += f" or {typed} is null"
        problems.append(
            f"case when {present} and ({unparseable}) "
            f"then 'unparseable {column.type} in {column.name}: ''{value}''' end"
        )
        if column.type in ("integer", "decimal"):  # the form is right but the value does not fit
            problems.append(
                f"case when {present} and {typed} is null and regexp_full_match({ref}, {quote_literal(form)}) "
                f"then '{column.type} out of range ({DUCKDB_TYPES[column.type]}) in {column.name}: ''{value}''' end"
            )
        if column.type == "decimal":
            problems.append(
                f"case when {present} and {typed} is not null and {_decimal_places(ref)} > {DECIMAL_SCALE} "
                f"then 'more than {DECIMAL_SCALE} decimal places in {column.name} (never rounded): ''{value}''' end"
            )
    elif column.type == "boolean":
        problems.append(
            f"case when {present} and {typed} is null then 'unparseable boolean in {column.name}: ''{value}''' end"
        )
    if column.allowed:
        allowed = ", ".join(quote_literal(v) for v in column.allowed)
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
        return f"(select columns(*)::varchar from read_parquet({quote_literal(str(path))}))"
    keep_rejects = (
        f", store_rejects=true, rejects_table='{rejects}_err', rejects_scan='{rejects}_scan', rejects_limit=0"
        if rejects
        else ", ignore_errors=true"
    )
    # the compression follows the contract's file name, not DuckDB's guess from the content
    compression = "gzip" if path.name.endswith(".gz") else "none"
    return (
        f"read_csv({quote_literal(str(path))}, header=true, all_varchar=true, delim=',', quote='\"', "
        f"escape='\"', strict_mode=true, compression='{compression}', "
        f"max_line_size={MAX_LINE_BYTES}{keep_rejects})"
    )


def _without_contents(message: str) -> str:
    """A reader's error text, first line, without what it quotes (a line of the file can hold
    personal data and ends up in the run log and raw.load_batches.error)."""
    first_line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first_line)[:200]


def _unreadable(batch: Batch, file: str, exc: duckdb.Error) -> BatchRejected:
    message = str(exc)
    if "Maximum line size" in message:
        problem = f"a line is longer than the {MAX_LINE_BYTES // (1024 * 1024)} MiB maximum (extract contract)"
    elif "Invalid unicode" in message:
        problem = "not UTF-8 text"
    elif "Error when sniffing file" in message:
        problem = "not a CSV file the contract describes: mixed line endings, another delimiter, or binary data"
    else:
        problem = _without_contents(message)
    return BatchRejected(batch.source, batch.batch_id, f"file unreadable or corrupt ({problem})", file)


def verify_gzip(batch: Batch, file: str) -> None:
    """Read a gzip file to its end, in bounded memory, so that its CRC-32 and length trailers
    are checked (DuckDB's reader does not check them: an altered byte in a stored block would
    load). Every member of a multi-member file is checked. Raises BatchRejected."""
    try:
        with gzip.open(batch.path / file, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except EOFError:
        raise BatchRejected(batch.source, batch.batch_id, "gzip stream truncated (no end or trailer)", file) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        checksum = "CRC" in str(exc) or "length" in str(exc)
        problem = "CRC or length check failed" if checksum else _without_contents(str(exc))
        raise BatchRejected(batch.source, batch.batch_id, f"gzip stream corrupt ({problem})", file) from None


def _raw_header(path: Path) -> list[str]:
    """The header record as written (DuckDB renames a repeated name to name_1), read with
    Python's csv module from at most MAX_LINE_BYTES of the file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as text:
        budget = [MAX_LINE_BYTES]

        def lines() -> Iterator[str]:
            while budget[0] > 0:
                line = text.readline(budget[0])
                if not line:
                    return
                budget[0] -= len(line)
                yield line

        try:
            return next(csv.reader(lines()), [])
        except csv.Error:
            return []


def _check_header(batch: Batch, file: str, entity: EntitySpec, header: list[str]) -> None:
    """Required columns present, and no column name given twice (names compare as DuckDB
    does: case-insensitive, blanks trimmed). Error texts quote header names only."""
    path = batch.path / file
    written = header if file.endswith(".parquet") else _raw_header(path)
    seen: dict[str, str] = {}
    for name in written:
        key = name.strip().lower()
        if key and key in seen:
            raise BatchRejected(
                batch.source,
                batch.batch_id,
                f"column {shown(name)} appears more than once in the header"
                + (f" (also as {shown(seen[key])})" if seen[key] != name else ""),
                file,
            )
        seen[key] = name
        if key in RESERVED_COLUMNS or key.startswith("_typed__"):  # would shadow the loader's own columns
            raise BatchRejected(
                batch.source, batch.batch_id, f"column name {shown(name)} is reserved by the loader", file
            )
    missing = [c.name for c in entity.columns if c.required and c.name not in header]
    if missing:
        listed = ", ".join(shown(h, 40) for h in header[:30]) + (", …" if len(header) > 30 else "")
        raise BatchRejected(
            batch.source, batch.batch_id, f"required column {', '.join(missing)} missing (header: {listed})", file
        )


def stage_file(con: duckdb.DuckDBPyConnection, batch: Batch, file: str, entity: EntitySpec, index: int) -> StagedFile:
    """Read one file into a temp table and mark each row's problems. Raises BatchRejected."""
    path = batch.path / file
    table = f"_stage_{index}"
    if file.endswith(".gz"):
        verify_gzip(batch, file)
    with tempfile.TemporaryDirectory(prefix="cs-stage-") as scratch:
        try:  # the header first (DuckDB reads only the start of the file for it)
            header = _read_header(con, path)
        except duckdb.Error as exc:
            # DuckDB's strict dialect detection refuses a CRLF file ending in LF (or blank-only)
            # lines; such a file is valid: it is read from a copy without its trailing blank lines
            trimmed = None if file.endswith(".parquet") else _without_trailing_blank_lines(path, Path(scratch))
            if trimmed is None:
                raise _unreadable(batch, file, exc) from exc
            path = trimmed
            try:
                header = _read_header(con, path)
            except duckdb.Error as again:
                raise _unreadable(batch, file, again) from again
        _check_header(batch, file, entity, header)
        return _stage_rows(con, batch, file, entity, table, path, header)


def _read_header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    return [row[0] for row in con.execute(f"describe select * from {_reader_sql(path, None)}").fetchall()]


def _without_trailing_blank_lines(path: Path, scratch: Path) -> Path | None:
    """A plain copy of a CSV file without the blank lines it ends with (streamed, bounded
    memory), or None when it does not end in blank lines."""
    blanks = b" \t\r\n"
    opener = gzip.open if path.name.endswith(".gz") else open
    target = scratch / path.name.removesuffix(".gz")
    stripped = False
    with opener(path, "rb") as source, target.open("wb") as out:
        pending = b""  # a run of blanks that may turn out to be the file's end
        while chunk := source.read(1 << 20):
            data = pending + chunk
            end = len(data.rstrip(blanks))
            out.write(data[:end])
            pending = data[end:]
        line_end = min((i for i in (pending.find(b"\r"), pending.find(b"\n")) if i >= 0), default=-1)
        if line_end >= 0 and pending[line_end:].strip(blanks) == b"" and pending.count(b"\n") > 1:
            out.write(pending[:line_end])  # the last record needs no line end (RFC 4180)
            stripped = True
        else:
            out.write(pending)
    return target if stripped else None


def _stage_rows(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    file: str,
    entity: EntitySpec,
    table: str,
    path: Path,
    header: list[str],
) -> StagedFile:
    """Read the file's rows into ``table`` with their problems and numbers; raises BatchRejected."""
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
    """Malformed lines, one row each (DuckDB reports one error per missing column). Blank lines
    (empty or blanks only) after the last record are not rows: a file may end in blank lines."""
    con.execute(
        f"""
        create or replace temp table {table}_bad as
        with lines as (
            select line, min(csv_line) as csv_line,
                   string_agg(distinct error_type, ', ' order by error_type) as error_type,
                   min(error_message) as error_message,
                   trim(min(csv_line), ' ' || chr(9) || chr(13) || chr(10)) = '' as blank
            from {table}_err group by line
        ),
        records as (
            select (select count(*) from {table}) + count(*) filter (where not blank) as n from lines
        )
        select line, csv_line, error_type, error_message from lines
        where not blank or line - 1 <= (select n from records)
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
    """Within a snapshot, keep the first valid row of each key; quarantine the others.

    Keys compare as typed values (' 2026-11-01' and '2026-11-01' are one fx month). For
    incremental sources a repeated key is a re-sent copy of the same event: it is de-duplicated
    on insert, not quarantined. The mode is the contract's, never the manifest's.
    """
    if SOURCES[batch.source].mode == "incremental":
        return
    key = ", ".join(_typed_name(entity.column(k)) for k in entity.primary_key)
    key_text = " || '/' || ".join(f"coalesce({quote_ident(k)}, '')" for k in entity.primary_key)
    con.execute(
        f"""
        update {table} set _reasons = list_append(_reasons,
            'duplicate {"/".join(entity.primary_key)} ''' || left({key_text}, {REASON_VALUE_CHARS})
            || ''' in snapshot (kept row ' || d.kept || ')')
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
        "to_json(struct_pack(" + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in extra) + "))"
        if extra
        else "NULL"
    )
    select_columns = ", ".join(
        _typed_name(c) if c.name in staged.columns else f"cast(NULL as {DUCKDB_TYPES[c.type]})" for c in entity.columns
    )
    new_only = ""
    if SOURCES[batch.source].mode == "incremental" and entity.primary_key:
        key = ", ".join(_typed_name(entity.column(k)) for k in entity.primary_key)
        same_key = " and ".join(f"r.{quote_ident(k)} = s.{_typed_name(entity.column(k))}" for k in entity.primary_key)
        # the first copy of each key in this batch, and only keys no earlier batch loaded
        new_only = (
            f"qualify row_number() over (partition by {key} order by _row_number) = 1 "
            f"and not exists (select 1 from raw.{entity.table} r where {same_key})"
        )
    cursor = con.execute(
        f"""
        insert into raw.{entity.table}
        select {select_columns}, {quote_literal(batch.batch_id)},
               {quote_literal(batch.extracted_at.isoformat())}::timestamp,
               {quote_literal(staged.file)}, _row_number, {extra_sql}
        from {staged.table} s
        where len(_reasons) = 0
        {new_only}
        """
    )
    return cursor.fetchone()[0]


def _quarantine_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile, batch: Batch, now: datetime) -> int:
    header = ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in staged.columns)
    common = ", ".join(quote_literal(v) for v in (batch.source, batch.batch_id, staged.file, staged.entity.name))
    con.execute(
        f"""
        insert into raw.quarantine
        select {common}, _row_number, array_to_string(_reasons, '; '), to_json(struct_pack({header})),
               {quote_literal(now.isoformat())}::timestamp
        from {staged.table} where len(_reasons) > 0
        """
    )
    if staged.rows_malformed:
        con.execute(
            f"""
            insert into raw.quarantine
            select {common}, line - 1, 'malformed CSV line (' || error_type || '): ' || error_message,
                   to_json(struct_pack(csv_line := csv_line)), {quote_literal(now.isoformat())}::timestamp
            from {staged.table}_bad
            """
        )
    return con.execute(f"select count(*) from {staged.table} where len(_reasons) > 0").fetchone()[0] + (
        staged.rows_malformed
    )


def _check_files(batch: Batch, spec: SourceSpec, landing_dir: Path | None = None) -> dict[str, EntitySpec]:
    """Match the batch's files with its manifest and the source's entities; every data file
    must be a regular file in the batch folder (no symlink, folder, FIFO)."""
    landing_dir = landing_dir if landing_dir is not None else batch.path.parent.parent
    entries = {p.name: p for p in batch.path.iterdir()}
    on_disk = {name for name in entries if name.endswith(DATA_SUFFIXES)}
    for name in sorted(set(batch.files) | on_disk):
        if name in entries:
            check_regular_file(batch.source, batch.batch_id, entries[name], landing_dir)
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
        delivered: dict[str, str] = {}
        for name, entity in entities.items():
            if entity.name in delivered:  # accounts.csv and accounts.csv.gz: which one is the snapshot?
                raise BatchRejected(
                    batch.source,
                    batch.batch_id,
                    f"{entity.name} delivered twice in one snapshot (also as {delivered[entity.name]})",
                    name,
                )
            delivered[entity.name] = name
        for entity in spec.entities:
            if not entity.optional_file and entity.name not in delivered:
                raise BatchRejected(batch.source, batch.batch_id, "required file missing", f"{entity.name}.csv")
    return entities


def apply_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, now: datetime, landing_dir: Path | None = None
) -> BatchResult:
    """Validate and load one batch in one transaction; raises BatchRejected (rolled back)."""
    spec = SOURCES[batch.source]
    entities = _check_files(batch, spec, landing_dir)
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


def held_until(batch: Batch, now: datetime) -> str | None:
    """Why a batch extracted after the load's clock (beyond the tolerance) waits, or None."""
    if batch.extracted_at <= now + CLOCK_SKEW_TOLERANCE:
        return None
    ahead = (batch.extracted_at - now).total_seconds() / 3600
    return (
        f"{batch.source} batch {batch.batch_id}: extracted_at {batch.extracted_at.isoformat()} is {ahead:,.1f} h after "
        f"the load time {now.isoformat(timespec='seconds')} (clock-skew tolerance "
        f"{CLOCK_SKEW_TOLERANCE.total_seconds() / 3600:g} h): held, not loaded, until the clock reaches it"
    )


def load_source(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, source: str, now: datetime | None = None
) -> SourceLoadResult:
    """Load every new batch of one source. Rejected and held batches are recorded, not raised.

    ``now`` (naive UTC, default the clock) is the load time future-dated batches are held by.
    """
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
        if item.batch_id in done:  # loaded before, or earlier in this run from another folder
            result.batches.append(BatchResult(source, item.batch_id, "skipped"))
            continue
        held = held_until(item, now)
        if held:
            outcome = BatchResult(source, item.batch_id, "held", rows_in_manifest=sum(item.files.values()), error=held)
            _record(con, item, outcome, now)
            result.batches.append(outcome)
            continue
        if spec.mode == "full" and newest_snapshot is not None and item.extracted_at < newest_snapshot:
            outcome = BatchResult(source, item.batch_id, "superseded", error="older than the loaded snapshot")
            _record(con, item, outcome, now)
            done.add(item.batch_id)
            result.batches.append(outcome)
            continue
        try:
            outcome = apply_batch(con, item, now, landing_dir)
            done.add(item.batch_id)
            if spec.mode == "full":
                newest_snapshot = item.extracted_at
        except BatchRejected as problem:
            outcome = BatchResult(source, item.batch_id, "rejected", error=str(problem))
            _record(con, item, outcome, now)
        result.batches.append(outcome)
    return result
