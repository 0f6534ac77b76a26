"""Writing batches in the landing layout: CSV files, gzip event files and ``_manifest.json``.

Small snapshot tables go through Python's ``csv`` module (RFC 4180 quoting, empty field for
empty). Event files are formatted by DuckDB (fast, set-based) and compressed by Python's
``gzip`` with a zero timestamp, so the same events always give the same bytes; DuckDB's own
gzip writer is several times slower.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from .model import Book
from .tables import Table
from .timeutil import batch_id_for, iso_ts
from .usage import EVENT_CATALOG


def fresh_batch_dir(out_dir: Path, source: str, extracted_at: datetime) -> Path:
    """The batch folder, emptied: a re-run replaces a batch instead of mixing two."""
    batch_dir = out_dir / source / batch_id_for(extracted_at)
    if batch_dir.exists():
        shutil.rmtree(batch_dir)
    batch_dir.mkdir(parents=True)
    return batch_dir


def write_manifest(batch_dir: Path, source: str, extracted_at: datetime, mode: str, files: dict[str, int]) -> None:
    manifest = {
        "source": source,
        "batch_id": batch_dir.name,
        "extracted_at": iso_ts(extracted_at),
        "mode": mode,
        "files": {name: {"rows": rows} for name, rows in files.items()},
    }
    (batch_dir / "_manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def write_table(batch_dir: Path, table: Table) -> int:
    with (batch_dir / table.filename).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return len(table.rows)


def write_snapshot(out_dir: Path, source: str, extracted_at: datetime, tables: list[Table]) -> dict[str, int]:
    """One full-snapshot batch; returns rows per file, keyed ``source/batch_id/file``."""
    batch_dir = fresh_batch_dir(out_dir, source, extracted_at)
    files = {table.filename: write_table(batch_dir, table) for table in tables}
    write_manifest(batch_dir, source, extracted_at, "full", files)
    return {f"{source}/{batch_dir.name}/{name}": rows for name, rows in files.items()}


class EventWriter:
    """Turns numeric event frames (see :func:`usage.simulate_month`) into contract CSV.gz files."""

    def __init__(self, book: Book) -> None:
        # compression runs in a thread (zlib releases the GIL) while the next month is simulated
        self._compressor = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Future[None]] = []
        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = true")
        accounts = pd.DataFrame(
            {
                "acct": list(range(len(book.accounts))),
                "account_id": [a.account_id for a in book.accounts],
                "short": [a.account_id.removeprefix("A-") for a in book.accounts],
            }
        )
        catalog = pd.DataFrame(
            {
                "name": list(range(len(EVENT_CATALOG))),
                "event_name": [e[0] for e in EVENT_CATALOG],
                "feature": [e[1] for e in EVENT_CATALOG],
            }
        )
        self.con.register("accounts_lookup", accounts)
        self.con.register("catalog_lookup", catalog)

    def write(self, path: Path, events: pd.DataFrame) -> int:
        frame = events.reset_index(drop=True).assign(ord=lambda f: range(len(f)))
        self.con.register("events_frame", frame)
        plain = path.with_name(path.name + ".tmp")
        target = str(plain).replace("'", "''")
        self.con.execute(
            f"""
            COPY (
                SELECT 'ev-' || e.month || '-' || lpad(e.seq::VARCHAR, 7, '0') AS event_id,
                       strftime(make_timestamp(e.ts * 1000000), '%Y-%m-%dT%H:%M:%SZ') AS occurred_at,
                       a.account_id,
                       'u-' || a.short || '-' || e."user" AS user_id,
                       c.event_name,
                       c.feature
                FROM events_frame e
                JOIN accounts_lookup a ON a.acct = e.acct
                JOIN catalog_lookup c ON c.name = e.name
                ORDER BY e.ord
            ) TO '{target}' (FORMAT csv, HEADER)
            """
        )
        self.con.unregister("events_frame")
        self._pending.append(self._compressor.submit(_gzip_file, plain, path))
        return len(frame)

    def close(self) -> None:
        """Wait for every file to be compressed (and surface any error)."""
        try:
            for future in self._pending:
                future.result()
        finally:
            self._compressor.shutdown()
            self.con.close()


def _gzip_file(plain: Path, target: Path) -> None:
    """Compress with a zero mtime in the header: the same content gives the same bytes."""
    target.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=6, mtime=0))
    plain.unlink()


def write_event_batch(
    writer: EventWriter, out_dir: Path, extracted_at: datetime, filename: str, events: pd.DataFrame
) -> dict[str, int]:
    """One incremental usage batch holding one events file."""
    batch_dir = fresh_batch_dir(out_dir, "usage", extracted_at)
    rows = writer.write(batch_dir / filename, events)
    write_manifest(batch_dir, "usage", extracted_at, "incremental", {filename: rows})
    return {f"usage/{batch_dir.name}/{filename}": rows}
