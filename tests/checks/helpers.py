"""Reusable pieces for tests of the quality gates, including the end-to-end "a stale extract
leaves the published warehouse byte-for-byte unchanged" test (tests/test_pipeline.py)::

    from tests.checks.helpers import assert_blocked_by_gate, file_digest, stale_as_of_date

    before = file_digest(warehouse)
    as_of = stale_as_of_date(warehouse.with_name("warehouse.building.duckdb"), hours=98)
    result = job.execute_in_process(partition_key=as_of, raise_on_error=False)
    assert_blocked_by_gate(result, "extract_freshness", "extract is", "SLA 24 h")
    assert file_digest(warehouse) == before
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb


def file_digest(path: Path) -> str:
    """SHA-256 of a file: 'byte-for-byte unchanged' as one comparable string."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def latest_loaded_extract(warehouse: Path) -> datetime:
    """The newest ``extracted_at`` of a loaded batch in a warehouse's ledger (any source)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        latest = con.execute("select max(extracted_at) from raw.load_batches where status = 'loaded'").fetchone()[0]
    if latest is None:
        raise AssertionError(f"{warehouse} has no loaded batch")
    return latest


def stale_as_of_date(warehouse: Path, hours: float = 98) -> str:
    """An as-of date whose end is at least ``hours`` after every loaded extract (so every source is stale).

    Run that day's partition (``execute_in_process(partition_key=...)``) or set ``CS_AS_OF_DATE``.
    """
    day: date = (latest_loaded_extract(warehouse) + timedelta(hours=hours)).date()
    return day.isoformat()


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.event_specific_data.error.message for e in result.all_events if e.is_step_failure]


def assert_blocked_by_gate(result: dg.ExecuteInProcessResult, check_name: str, *fragments: str) -> str:
    """The run failed on a blocking gate whose message names ``check_name`` and every fragment,
    and ``published_warehouse`` was not materialized. Returns the failure message."""
    assert not result.success, "the run succeeded although a blocking gate should have failed"
    messages = [m for m in failure_messages(result) if "Blocking quality gate failed" in m]
    assert messages, f"no blocking gate failure among {failure_messages(result)}"
    message = " ".join(messages)
    assert check_name in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("published_warehouse") not in {k for k in materialized if k is not None}
    return message
