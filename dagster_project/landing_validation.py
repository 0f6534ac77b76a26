"""`cs-retention validate LANDING`: the extract contract applied to a landing directory without
building anything and without touching the warehouse.

It is the loader itself (extracts/loader.py, ``load_source``) run against a throw-away DuckDB
file, so what it says is exactly what a run would do: per batch, what would load, which rows
would be quarantined and why, or why the batch would be rejected. Batches the load ledger
already holds (it lives in the working file, ``<warehouse>.building.duckdb``) are reported as
already loaded, as a run would skip them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .extracts.loader import BatchResult, init_raw_schema, load_source
from .extracts.spec import SOURCES
from .warehouse_sql import quote_literal, relation_exists

REASONS_SHOWN = 5  # per batch; the rest are counted


@dataclass(frozen=True)
class BatchVerdict:
    result: BatchResult
    reasons: list[tuple[str, int]]  # quarantine reason, rows

    def line(self) -> str:
        r = self.result
        head = f"{r.source} {r.batch_id}: "
        if r.status == "rejected":
            return head + f"would be REJECTED: {r.error}"
        if r.status == "skipped":
            return head + "already loaded (a run skips it)"
        if r.status == "superseded":
            return head + "would be recorded as superseded (older than the loaded snapshot)"
        text = head + f"would load {r.rows_loaded:,} rows"
        if r.rows_quarantined:
            shown = "; ".join(f"{rows:,} × {reason}" for reason, rows in self.reasons[:REASONS_SHOWN])
            more = len(self.reasons) - REASONS_SHOWN
            text += f", quarantine {r.rows_quarantined:,} ({shown}{f'; {more} more reasons' if more > 0 else ''})"
        return text


def _copy_ledger(con: duckdb.DuckDBPyConnection, working_file: Path) -> None:
    """Start from the load ledger of the pipeline's working file (the published warehouse holds
    only marts and quality), so already loaded batches show as such."""
    if not working_file.is_file():
        return
    con.execute(f"attach {quote_literal(str(working_file))} as ledger (read_only)")
    try:
        if relation_exists(con, "raw.load_batches", "ledger"):
            con.execute("insert into raw.load_batches by name select * from ledger.raw.load_batches")
    finally:
        con.execute("detach ledger")


def validate_landing(landing: Path, working_file: Path | None = None, memory_limit: str = "2GB") -> list[BatchVerdict]:
    verdicts: list[BatchVerdict] = []
    with (
        tempfile.TemporaryDirectory(prefix="cs-validate-") as scratch,
        duckdb.connect(str(Path(scratch) / "validate.duckdb")) as con,
    ):
        con.execute(f"set memory_limit = '{memory_limit}'")
        init_raw_schema(con)
        if working_file is not None:
            _copy_ledger(con, working_file)
        for source in SOURCES:
            for result in load_source(con, landing, source).batches:
                reasons = con.execute(
                    "select reason, count(*) from raw.quarantine where source = ? and batch_id = ? "
                    "group by 1 order by 2 desc, 1",
                    [source, result.batch_id],
                ).fetchall()
                verdicts.append(BatchVerdict(result, [(reason, rows) for reason, rows in reasons]))
    return verdicts
